// Hardening of outside input (issue 12, items 7 and 10), on a real stack
// with the clients module: a query string that does not decode refuses the
// whole request (before, the parameter and every one after it were
// dropped: a dry run became a real import, a version check was skipped);
// invalid UTF-8 in a query value or a path parameter is 400; values
// PostgreSQL refuses (numbers out of range, bad text) are 400/422 naming
// the field, never 500.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const admin = await stack.loginAdmin();
const uniq = `${process.pid}${Date.now() % 100000}`;

// The one error shape, with `field` named in error.fields when given.
function assertError(res, status, code, field) {
    assert.equal(res.status, status, `status of ${res.text}`);
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    assert.equal(res.json?.error?.code, code, res.text);
    if (field !== undefined) {
        assert.ok(res.json.error.fields && res.json.error.fields[field] !== undefined,
            `field "${field}" named: ${res.text}`);
    }
}

async function ok(resPromise, status = 200) {
    const res = await resPromise;
    assert.equal(res.status, status, res.text);
    return res.json;
}

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
