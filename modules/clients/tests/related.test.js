// The card's registry of related records (clients_related.c): GET
// /counterparties/:id/related emits clients.counterparty.related and
// answers what other modules' hooks append.  t_core stands in for a later
// module (projects, meetings, ...): its items named "cp-<id> ..." are
// records about counterparty <id>.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients', 't_base', 't_core'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const admin = await stack.loginAdmin();

const a = await ok(admin.post(`${C}/counterparties`, { kind: 'end_customer', name: 'Связи Первый' }), 201);
const b = await ok(admin.post(`${C}/counterparties`, { kind: 'end_customer', name: 'Связи Второй' }), 201);

test('a counterparty nothing refers to has no related entries', async () => {
    assert.deepEqual(await ok(admin.get(`${C}/counterparties/${a.id}/related`)), []);
});

test('entries of other modules, with their counts and first items', async () => {
    for (const name of [`cp-${a.id} заказ 1`, `cp-${a.id} заказ 2`, `cp-${b.id} чужой`])
        await ok(admin.post('/api/v1/t_core/items', { name }), 201);
    const rel = await ok(admin.get(`${C}/counterparties/${a.id}/related`));
    assert.equal(rel.length, 1);
    assert.equal(rel[0].module, 't_core');
    assert.equal(rel[0].label_ru, 'Элементы');
    assert.equal(rel[0].count, 2);
    assert.deepEqual(rel[0].items.map((i) => i.title), [`cp-${a.id} заказ 1`, `cp-${a.id} заказ 2`]);
    assert.equal((await ok(admin.get(`${C}/counterparties/${b.id}/related`)))[0].count, 1);
});

test('unknown, merged-away or out-of-scope counterparties are 404; the permission is clients.read', async () => {
    let res = await admin.get(`${C}/counterparties/999999/related`);
    assert.equal(res.status, 404, res.text);
    res = await stack.get(`${C}/counterparties/${a.id}/related`);
    assert.equal(res.status, 401);
    const PW = 'Related-Password-1';
    await ok(admin.post('/api/v1/roles', { name: 'no_clients', permissions: ['catalog.read'] }), 201);
    await ok(admin.post('/api/v1/users', { login: 'rel_nobody', password: PW, roles: ['no_clients'] }), 201);
    const nobody = await stack.login('rel_nobody', PW);
    res = await nobody.get(`${C}/counterparties/${a.id}/related`);
    assert.equal(res.status, 403, res.text);
    await ok(admin.post('/api/v1/roles', { name: 'rel_own', permissions: ['clients.read'], own_only: true }), 201);
    await ok(admin.post('/api/v1/users', { login: 'rel_own1', password: PW, roles: ['rel_own'] }), 201);
    const own = await stack.login('rel_own1', PW);
    res = await own.get(`${C}/counterparties/${a.id}/related`);
    assert.equal(res.status, 404, 'not theirs: as if it did not exist');
});

test('an entry without the registry\'s shape fails the request, naming the module', async () => {
    await ok(admin.post('/api/v1/t_core/items', { name: `cp-${b.id}-bad` }), 201);
    const res = await admin.get(`${C}/counterparties/${b.id}/related`);
    assert.equal(res.status, 500, res.text);
    assert.match(res.json.error.message, /module "t_core"/);
});
