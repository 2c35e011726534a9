// Hardening of outside input (issue 12, items 7 and 10), on a real stack
// with the clients module: a query string that does not decode refuses the
// whole request (before, the parameter and every one after it were
// dropped: a dry run became a real import, a version check was skipped);
// invalid UTF-8 in a query value or a path parameter is 400; values
// PostgreSQL refuses (numbers out of range, bad text) are 400/422 naming
// the field, never 500; and a JSON body is bounded (list lengths, object
// keys, nesting) before any handler walks it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';
import { assertError, ok } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const admin = await stack.loginAdmin();
const uniq = `${process.pid}${Date.now() % 100000}`;

// The one error shape, with `field` named in error.fields when given.
const count = async (sql) => Number(await stack.psql(sql));

test('a bad escape anywhere in the query refuses the request: no dry run turned into an import', async () => {
    const name = `Не импортировать ${uniq}`;
    const body = 'Тип;Название\r\n' + `partner;${name}\r\n`;
    const csv = (query) => admin.request('POST', `${C}/counterparties/import${query}`,
        { body, headers: { 'Content-Type': 'text/csv' } });
    const created = () => count(`SELECT count(*) FROM clients.counterparty WHERE name = '${name}'`);

    for (const query of ['?x=%zz&dry_run=true', '?x=%4&dry_run=true', '?dry_run=true&x=%', '?%zz=1&dry_run=true']) {
        const res = await csv(query);
        assertError(res, 400, 'bad_request');
        assert.match(res.json.error.message, /query parameter/, res.text);
    }
    assertError(await csv('?x=%zz&dry_run=true'), 400, 'bad_request', 'x');
    assert.equal(await created(), 0, 'nothing imported');
    // the same file as a real dry run: previewed, still nothing written
    const dry = await ok(csv('?dry_run=true'));
    assert.equal(dry.dry_run, true);
    assert.equal(await created(), 0);
});

test('a bad escape before ?version= does not skip the optimistic lock', async () => {
    const c = await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: `Версия ${uniq}` }), 201);
    await ok(admin.patch(`${C}/counterparties/${c.id}`, { version: 1, region: 'Тверь' }));
    // version 1 is stale: the request is refused as a whole, nothing changes
    assertError(await admin.delete(`${C}/counterparties/${c.id}?x=%zz&version=1`), 400, 'bad_request', 'x');
    const after = await ok(admin.get(`${C}/counterparties/${c.id}`));
    assert.equal(after.version, 2);
    assert.equal(after.status, c.status);
    // and without the bad escape the stale version is the 409 it always was
    assertError(await admin.delete(`${C}/counterparties/${c.id}?version=1`), 409, 'conflict');
});

test('invalid UTF-8 in a query value or a path parameter is 400, not a database error', async () => {
    for (const q of ['%FF', '%C0%AF', '%ED%A0%80', 'a%D0']) {
        assertError(await admin.get(`${C}/counterparties?q=${q}`), 400, 'bad_request', 'q');
    }
    assertError(await admin.get(`${C}/counterparties/%FF`), 400, 'bad_request');
    assertError(await admin.get('/api/v1/audit?entity=clients.%FF'), 400, 'bad_request', 'entity');
    // well-formed UTF-8 still passes
    const found = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('Версия')}`));
    assert.ok(Array.isArray(found.items ?? found), JSON.stringify(found).slice(0, 200));
});

test('values PostgreSQL refuses are 400/422 naming the field, never 500', async () => {
    // a query number past bigint reaches `$3::bigint`: PostgreSQL's
    // 22003 is the client's mistake, and the value names the parameter
    const res = await admin.get('/api/v1/audit?entity=clients.counterparty&before=99999999999999999999');
    assertError(res, 400, 'bad_request', 'before');
    assert.equal(res.json.error.fields.before, 'is out of range');
    // logged as a refused value, not as a failure of the server
    await stack.waitForLog(/database: query refused a value: .*out of range for type bigint/);
    // a body number past int: the input spec's range names it first
    const c = await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: `Диапазон ${uniq}` }), 201);
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 3000000000, region: 'X' }),
        422, 'validation', 'version');
    // past what JSON integers hold at all: the parser's 400
    assertError(await admin.post(`${C}/counterparties`, undefined, {
        body: '{"kind":"partner","name":"x","manager_id":99999999999999999999}',
        headers: { 'Content-Type': 'application/json' },
    }), 400, 'bad_request');
});

test('a JSON body is bounded: list length, object keys and nesting (422 naming the field, 400 too deep)', async () => {
    const base = { kind: 'partner', name: `Границы ${uniq}` };
    // 10001 tags: the list is refused whole, quickly (it used to be
    // de-duplicated in O(n^2) and hold the worker for ~30 s at 1 MB)
    const tags = Array.from({ length: 10001 }, (_, i) => `t${i}`);
    let res = await admin.post(`${C}/counterparties`, { ...base, tags });
    assertError(res, 422, 'validation', 'tags');
    assert.match(res.json.error.fields.tags, /too many items/);
    // an ext object with more keys than server.json_max_keys (200)
    const ext = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i]));
    res = await admin.post(`${C}/counterparties`, { ...base, ext });
    assertError(res, 422, 'validation', 'ext');
    assert.match(res.json.error.fields.ext, /too many keys/);
    // a deep array inside ext: nothing past 32 levels
    let deep = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    res = await admin.post(`${C}/counterparties`, { ...base, ext: { deep } });
    assertError(res, 400, 'bad_request');
    assert.match(res.json.error.message, /nested deeper than 32/);
    // a top-level array body (PUT .../distributors) is bounded too
    const c = await ok(admin.post(`${C}/counterparties`, base), 201);
    const many = Array.from({ length: 10001 }, (_, i) => ({ distributor_id: i + 1 }));
    assertError(await admin.request('PUT', `${C}/counterparties/${c.id}/distributors`, { json: many }),
        422, 'validation', '');
    // within the bounds: 10000 tags, many repeated, kept once each in order
    const within = Array.from({ length: 10000 }, (_, i) => `m${i % 5000}`);
    const t0 = Date.now();
    const big = await ok(admin.patch(`${C}/counterparties/${c.id}`, { version: 1, tags: within }));
    assert.equal(big.tags.length, 5000);
    assert.deepEqual(big.tags.slice(0, 3), ['m0', 'm1', 'm2']);
    assert.ok(Date.now() - t0 < 10000, `10000 tags took ${Date.now() - t0} ms`);
});
