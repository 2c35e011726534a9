// API tests of the core request lifecycle, on one stack with the test-only
// modules t_base, t_core and t_alpha (tests/modules/): health, router,
// body limits, JSON input specs, request ids and the access log,
// transactions and hooks, COPY, migrations, the jobs worker, and what the
// master does when a worker crashes or hangs and when PostgreSQL goes away.
//
// The destructive tests (crash, hang, database down) come last: node:test
// runs the tests of a file in order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, waitFor, ROOT } from '../lib/stack.js';
import { assertError } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['t_alpha', 't_base', 't_core'], // dependency order is the core's job
    workers: 5, // more than nginx keeps idle (see Stack.checkWorkers)
    requestTimeout: 2,
    maxBody: 4096,
    groups: { t_core: { label: 'from the test conf', limit: 42, flag: true, tags: ['a', 'b'] } },
});
const T = '/api/v1/t_core';
const uniq = `${process.pid}-${Date.now()}`;

// The one error shape: {"error": {"code", "message"[, "fields"]}}.
// The id of the item a request inserted before it failed, from t_core's
// log line "inserted item N" carrying the request's id.
async function insertedId(rid) {
    const m = await stack.waitForLog(new RegExp(`rid=${rid} mod=t_core: inserted item (\\d+)`));
    return m[1];
}

test('health: ok, database up, enabled modules in dependency order', async () => {
    const res = await stack.get('/api/v1/health');
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'ok');
    assert.equal(res.json.db, 'ok');
    assert.match(res.json.version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(res.json.modules, [
        { name: 't_base', version: '0.1.0' },
        { name: 't_core', version: '0.2.0' },
        { name: 't_alpha', version: '0.1.0' },
    ]);
});

test('router: path params are percent-decoded, query and headers reach the handler', async () => {
    let res = await stack.get(`${T}/params/one/sub/two`, { headers: { 'X-Test': 'hdr value' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
        a: 'one', b: 'two', q: null, method: 'GET', path: `${T}/params/one/sub/two`, x_test: 'hdr value',
    });
    res = await stack.get(`${T}/params/%D0%9F%D1%80%D0%B8/sub/a%2Fb?q=%D0%BC%D0%B8%D1%80+x&q=second`);
    assert.equal(res.status, 200);
    assert.equal(res.json.a, 'При');
    assert.equal(res.json.b, 'a/b', 'an encoded slash stays inside its segment');
    assert.equal(res.json.q, 'мир x', 'the first of repeated query values, form-decoded');
    assert.equal(res.json.x_test, null);
});

test('router: unknown routes answer 404 in the error shape', async () => {
    for (const p of [`${T}/nope`, `${T}/params/one/sub`, `${T}/params/one/sub/two/three`, '/api/v1/nothing',
        '/api/v1/t_core', `${T}/pid/`]) {
        const res = await stack.get(p);
        assertError(res, 404, 'not_found');
        assert.ok(res.headers.get('x-request-id'), p);
    }
});

test('a module found on the path but not enabled answers 404; enabled ones answer', async () => {
    for (const p of ['/api/v1/t_desk/motto', '/api/v1/t_desk/cards', '/api/v1/t_desk/cards/1']) {
        assertError(await stack.get(p), 404, 'not_found');
    }
    const res = await stack.get('/api/v1/t_alpha/ping');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { module: 't_alpha' });
});

test('router: a known path with another method answers 405 with Allow', async () => {
    let res = await stack.request('PUT', `${T}/pid`);
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    res = await stack.request('DELETE', `${T}/items`);
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET, HEAD, POST');
    res = await stack.request('GET', `${T}/echo`);
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'POST');
});

test('router: HEAD runs the GET route and sends no body', async () => {
    const get = await stack.get(`${T}/conf`);
    const head = await stack.request('HEAD', `${T}/conf`);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.match(head.headers.get('content-type'), /^application\/json/);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(get.text)));
    assert.ok(head.headers.get('x-request-id'));
});

test('a route that needs a user answers 401 without a session', async () => {
    const res = await stack.get(`${T}/secret`);
    assertError(res, 401, 'unauthenticated');
    assert.ok(!res.text.includes('leaked'));
});

test('module config: the t_core group of kedr.conf reaches its init', async () => {
    const res = await stack.get(`${T}/conf`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { label: 'from the test conf', limit: 42, flag: true, tags: ['a', 'b'] });
});

test('body limit: server.max_body bytes pass, one more is 413, and the connection stays usable', async () => {
    const sized = (n) => {
        const s = JSON.stringify({ pad: '' });
        return JSON.stringify({ pad: 'x'.repeat(n - s.length) });
    };
    const headers = { 'Content-Type': 'application/json' };
    let res = await stack.request('POST', `${T}/echo`, { body: sized(4096), headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.raw_len, 4096);
    for (let i = 0; i < 3; i++) {
        res = await stack.request('POST', `${T}/echo`, { body: sized(4097), headers });
        assertError(res, 413, 'too_large');
        assert.match(res.json.error.message, /4096/);
        res = await stack.get(`${T}/pid`);
        assert.equal(res.status, 200, 'the request after a 413 on a kept connection');
    }
    // a route with an input spec is refused before validation too
    res = await stack.request('POST', `${T}/items`, { body: sized(100000), headers });
    assertError(res, 413, 'too_large');
});

test('body limit: nginx lets bodies up to max_body through, and refuses huge ones in the same shape', async () => {
    const conf = stack.nginxConf().replace(/#.*$/gm, '');
    const m = conf.match(/^\s*client_max_body_size\s+(\d+)([kKmMgG]?)\s*;/m);
    assert.ok(m, 'the rendered nginx.conf sets client_max_body_size');
    const limit = Number(m[1]) * ({ '': 1, k: 1024, m: 1 << 20, g: 1 << 30 })[m[2].toLowerCase()];
    assert.ok(limit > 4096, `client_max_body_size ${limit} exceeds this stack's max_body`);
    const res = await stack.request('POST', `${T}/echo`,
        { body: 'x'.repeat(limit + 1), headers: { 'Content-Type': 'application/json' } });
    assertError(res, 413, 'too_large');
    assert.ok(res.headers.get('x-request-id'));
});

test('malformed or missing JSON is 400 in the error shape', async () => {
    const headers = { 'Content-Type': 'application/json' };
    let res = await stack.request('POST', `${T}/items`, { body: '{"name": ', headers });
    assertError(res, 400, 'bad_request');
    assert.match(res.json.error.message, /^malformed JSON at line 1/);
    res = await stack.request('POST', `${T}/echo`, { body: '{"a": 1, "a": 2}', headers });
    assertError(res, 400, 'bad_request');
    res = await stack.request('POST', `${T}/items`, { body: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    assertError(res, 400, 'bad_request');
    assert.match(res.json.error.message, /Content-Type: application\/json/);
    res = await stack.request('POST', `${T}/items`);
    assertError(res, 400, 'bad_request');
    assert.match(res.json.error.message, /JSON body is required/);
    // a route without an input spec takes a raw body as it is
    res = await stack.request('POST', `${T}/echo`, { body: 'raw bytes', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { body: null, raw_len: 9, content_type: 'text/plain' });
});

test('input spec: 422 names every bad field, unknown fields included', async () => {
    let res = await stack.post(`${T}/items`, {
        name: '   ', qty: 1001, price: '12.345', due: '2023-02-29', colour: 'red',
    });
    assertError(res, 422, 'validation');
    assert.deepEqual(res.json.error.fields, {
        name: 'must not be empty',
        qty: 'is out of range',
        price: 'must be an amount as a decimal string ("1234.50")',
        due: 'must be a date (YYYY-MM-DD)',
        colour: 'unknown field',
    });
    res = await stack.post(`${T}/items`, { qty: 1.5, price: 12.5, due: '2024-13-01' });
    assertError(res, 422, 'validation');
    assert.deepEqual(res.json.error.fields, {
        name: 'is required',
        qty: 'must be an integer',
        price: 'must be an amount as a decimal string ("1234.50")',
        due: 'must be a date (YYYY-MM-DD)',
    });
    res = await stack.post(`${T}/items`, { name: 'x'.repeat(51), qty: -1 });
    assertError(res, 422, 'validation');
    assert.deepEqual(res.json.error.fields, { name: 'is too long', qty: 'is out of range' });
    res = await stack.post(`${T}/items`, ['not', 'an', 'object']);
    assertError(res, 422, 'validation');
    assert.deepEqual(res.json.error.fields, { '': 'must be a JSON object' });
    // nothing of the refused bodies reached the table
    assert.equal(await stack.psql("SELECT count(*) FROM t_core.item WHERE name IN ('   ', 'x') OR qty > 1000"), '0');
    // the limits themselves are valid: 50 characters (not bytes), 0..1000
    res = await stack.post(`${T}/items`, { name: 'ж'.repeat(50), qty: 1000, price: '-0.5', due: '2024-02-29' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.price, '-0.50');
    res = await stack.post(`${T}/items`, { name: `zero-${uniq}`, qty: 0, price: null });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.qty, 0);
    assert.equal(res.json.price, null);
});

test('create and read back: JSON built by PostgreSQL, money as a decimal string', async () => {
    const name = `item-${uniq}`;
    const res = await stack.post(`${T}/items`, { name, qty: 7, price: '1234567890123456.5', due: '2026-01-31' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.name, name);
    assert.equal(res.json.qty, 7);
    assert.equal(res.json.price, '1234567890123456.50');
    assert.equal(res.json.due, '2026-01-31');
    assert.equal(res.json.version, 1);
    const id = res.json.id;
    const one = await stack.get(`${T}/items/${id}`);
    assert.equal(one.status, 200);
    assert.match(one.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(one.json, res.json);
    const list = await stack.get(`${T}/items?name=${encodeURIComponent(name)}`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, [{ id, name, qty: 7, price: '1234567890123456.50', due: '2026-01-31' }]);
    const none = await stack.get(`${T}/items?name=no-such-${uniq}`);
    assert.deepEqual(none.json, []);
    assertError(await stack.get(`${T}/items/999999999`), 404, 'not_found');
    assertError(await stack.get(`${T}/items/abc`), 404, 'not_found');
});

test('request id: X-Request-Id on every response, the same in exactly one access-log line', async () => {
    const headers = { 'Content-Type': 'application/json' };
    const cases = [
        ['GET', '/api/v1/health', {}, 200],
        ['GET', `${T}/pid`, {}, 200],
        ['HEAD', `${T}/pid`, {}, 200],
        ['GET', `${T}/nope`, {}, 404],
        ['PATCH', `${T}/items`, {}, 405],
        ['POST', `${T}/items`, { body: '{', headers }, 400],
        ['POST', `${T}/items`, { body: '{"name": ""}', headers }, 422],
        ['POST', `${T}/echo`, { body: JSON.stringify({ p: 'y'.repeat(5000) }), headers }, 413],
        ['GET', `${T}/secret`, {}, 401],
        ['POST', `${T}/items`, { body: JSON.stringify({ name: `rid-${uniq}` }), headers }, 201],
    ];
    const seen = new Set();
    for (const [method, p, opts, status] of cases) {
        const res = await stack.request(method, p, opts);
        assert.equal(res.status, status, `${method} ${p}: ${res.text}`);
        const rid = res.headers.get('x-request-id');
        assert.match(rid || '', /^[0-9a-f]{32}$/, `${method} ${p} has an X-Request-Id`);
        assert.ok(!seen.has(rid), 'request ids are unique');
        seen.add(rid);
        const pathOnly = p.split('?')[0];
        const line = await stack.waitForLog(new RegExp(`rid=${rid}(?: mod=\\S+)?: access ${method} ${pathOnly} ${status} `));
        assert.ok(line);
        assert.equal(stack.accessLines(rid).length, 1, `one access line for ${method} ${p}`);
    }
});

test('request id: a valid X-Request-Id from the client is kept, a bad one replaced', async () => {
    const mine = `test.rid-${uniq}`.slice(0, 64);
    let res = await stack.get(`${T}/pid`, { headers: { 'X-Request-Id': mine } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), mine);
    await stack.waitForLog(new RegExp(`rid=${mine.replace(/\./g, '\\.')}(?: mod=\\S+)?: access GET ${T}/pid 200 `));
    assert.equal(stack.accessLines(mine.replace(/\./g, '\\.')).length, 1);
    res = await stack.get(`${T}/pid`, { headers: { 'X-Request-Id': 'bad id!' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('hooks run in dependency order inside the request transaction and commit with it', async () => {
    const name = `hooked-${uniq}`;
    const res = await stack.post(`${T}/items`, { name, qty: 3, price: '12.50', due: '2026-01-31' });
    assert.equal(res.status, 201, res.text);
    const id = res.json.id;
    const [row] = await stack.rows(`
        SELECT i.txid AS item_tx, a.txid AS audit_tx, a.event, a.name,
               b.hook_at < a.hook_at AS base_before_core,
               a.hook_at < c.hook_at AS core_before_alpha
          FROM t_core.item i
          JOIN t_core.audit a ON a.item_id = i.id
          JOIN t_base.seen b ON b.item_id = i.id
          JOIN t_alpha.seen c ON c.item_id = i.id
         WHERE i.id = ${Number(id)}`);
    assert.ok(row, 'the item and the rows of all three hooks are committed');
    assert.equal(row.audit_tx, row.item_tx, "the hook's write is in the handler's transaction");
    assert.equal(row.item_tx, res.json.txid);
    assert.equal(row.event, 't_core.item.created');
    assert.equal(row.name, name);
    assert.equal(row.base_before_core, true, 't_base (required by t_core) runs first');
    assert.equal(row.core_before_alpha, true, 't_alpha (requires t_core) runs last');
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.audit WHERE item_id = ${Number(id)}`), '1');
});

test('a failing hook rolls back the handler write and the other hooks', async () => {
    const name = `doomed-${uniq}`;
    const res = await stack.post(`${T}/fail-after-write`, { name });
    assertError(res, 409, 'conflict');
    assert.equal(res.json.error.message, '"t_core.item.doomed" refused by t_base');
    const id = await insertedId(res.headers.get('x-request-id'));
    const counts = await stack.psql(`SELECT
        (SELECT count(*) FROM t_core.item WHERE id = ${id} OR name = '${name}') || ',' ||
        (SELECT count(*) FROM t_core.audit WHERE item_id = ${id}) || ',' ||
        (SELECT count(*) FROM t_base.seen WHERE item_id = ${id}) || ',' ||
        (SELECT count(*) FROM t_alpha.seen WHERE item_id = ${id})`);
    assert.equal(counts, '0,0,0,0', 'item, audit and both hook rows are absent');
    // the worker's connection is clean afterwards
    const ok = await stack.post(`${T}/items`, { name: `after-doomed-${uniq}` });
    assert.equal(ok.status, 201, ok.text);
});

test('a handler that answers an error itself rolls back its write', async () => {
    const name = `replied-${uniq}`;
    const res = await stack.post(`${T}/reply-error`, { name });
    assert.equal(res.status, 409);
    assert.deepEqual(res.json, { error: { code: 'conflict', message: 'answered by the handler after a write' } });
    const id = await insertedId(res.headers.get('x-request-id'));
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.item WHERE id = ${id} OR name = '${name}'`), '0');
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.audit WHERE item_id = ${id}`), '0');
});

test('a GET runs in a read-only transaction', async () => {
    const res = await stack.get(`${T}/write-in-get`);
    assertError(res, 500, 'db_error');
    const rid = res.headers.get('x-request-id');
    await stack.waitForLog(new RegExp(`rid=${rid}.*read-only transaction`));
    assert.equal(await stack.psql("SELECT count(*) FROM t_core.item WHERE name = 'written in a GET'"), '0');
});

test('COPY loads rows inside the request transaction', async () => {
    const res = await stack.post(`${T}/copy?n=5000`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.batch, res.headers.get('x-request-id'));
    assert.deepEqual({ copied: res.json.copied, count: res.json.count, sum: res.json.sum },
        { copied: 5000, count: 5000, sum: 12502500 });
    const out = await stack.psql(
        `SELECT count(*) || ',' || sum(n) FROM t_core.bulk WHERE batch = '${res.json.batch}'`);
    assert.equal(out, '5000,12502500');
    assertError(await stack.post(`${T}/copy?n=abc`), 422, 'validation');
    // the worker's connection is out of COPY mode
    const after = await stack.get(`${T}/items?name=none`);
    assert.equal(after.status, 200);
});

test('migrations: applied once, in dependency order; a second `kedr schema` applies nothing', async () => {
    const q = "SELECT id, module, name FROM core.migration WHERE module IN ('core', 't_base', 't_core', 't_alpha') ORDER BY id";
    const before = await stack.rows(q);
    // the core's own first (every file of core/sql, in name order), then
    // the modules in dependency order
    const coreSql = fs.readdirSync(path.join(ROOT, 'core/sql')).filter((f) => f.endsWith('.sql')).sort()
        .map((f) => `core/${f}`);
    assert.ok(coreSql.length >= 7);
    assert.deepEqual(before.map((r) => `${r.module}/${r.name}`), [
        ...coreSql,
        't_base/0001_base.sql',
        't_core/0001_core.sql', 't_core/0002_things.sql', 't_alpha/0001_alpha.sql',
    ]);
    // `kedr serve` checked them again at start and found nothing to do
    assert.match(stack.log(), /schema: 0 migrations applied, up to date/);
    const res = await stack.kedr(['schema']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /schema: 0 migrations applied, up to date/);
    assert.doesNotMatch(res.stderr, /schema: applied/);
    // the command's name until 1.5, kept for 1.5 with a note
    const old = await stack.kedr(['migrate']);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stderr, /^kedr migrate: deprecated without a source: the schema command is `kedr schema`/m);
    assert.match(old.stderr, /schema: 0 migrations applied, up to date/);
    assert.deepEqual(await stack.rows(q), before);
    assert.equal(await stack.psql('SELECT count(*) FROM t_base.thing'), '1', 'seed rows inserted once');
});

test('jobs worker: the periodic job commits every second, a failing one rolls back', async () => {
    const n0 = Number(await stack.psql('SELECT n FROM t_core.counter WHERE id = 1'));
    await waitFor(async () => Number(await stack.psql('SELECT n FROM t_core.counter WHERE id = 1')) >= n0 + 2,
        { timeout: 6000, what: 'two more ticks of t_core job "tick"' });
    assert.equal(await stack.psql('SELECT n FROM t_core.counter WHERE id = 2'), '0',
        'the failing job\'s update never commits');
    assert.match(stack.log(), /mod=t_core: job "tick_fail" failed: tick_fail fails on purpose/);
});

test('more concurrent requests than workers wait their turn, none stalls', async () => {
    // 12 at once on 5 workers, three times over: ~0.3 s a round when
    // every worker goes back to accept(); a worker pinned to an idle kept
    // connection would hold a queued one until nginx's keepalive_timeout
    for (let round = 0; round < 3; round++) {
        const t0 = Date.now();
        const all = await Promise.all(Array.from({ length: 12 },
            () => stack.get(`${T}/sleep?ms=100`, { timeout: 10000 })));
        const ms = Date.now() - t0;
        for (const r of all) assert.equal(r.status, 200, r.text);
        assert.ok(new Set(all.map((r) => r.json.pid)).size > 1, 'served by several workers');
        assert.ok(ms < 5000, `round ${round} took ${ms} ms`);
    }
});

// The pids of the workers that logged `what` for request `rid`.
function workersOf(log, rid, what) {
    return [...log.matchAll(new RegExp(`\\[(\\d+)\\] rid=${rid} mod=t_core: ${what}`, 'g'))].map((m) => Number(m[1]));
}

test('a crashing worker costs its request; the master replaces it', async () => {
    const master = stack.masterPid();
    const workersBefore = stack.childPids();
    const mark = stack.logMark();
    const res = await stack.get(`${T}/crash`);
    assert.equal(res.status, 502);
    assert.equal(res.json?.error?.code, 'unavailable', res.text);
    const rid = res.headers.get('x-request-id');
    // nginx never re-sends a failed request to another worker
    // (fastcgi_next_upstream off), so a crash costs one request, one worker
    const crashed = workersOf(stack.logSince(mark), rid, 'crashing on purpose');
    assert.equal(crashed.length, 1, 'the handler ran once');
    assert.ok(workersBefore.includes(crashed[0]), `worker ${crashed[0]} was serving before the crash`);
    const dead = await waitFor(() => {
        const d = [...stack.logSince(mark).matchAll(/worker (\d+) died on signal 11 \(Segmentation fault\)/g)]
            .map((m) => Number(m[1]));
        return d.length >= crashed.length && d;
    }, { what: 'the master to log every crashed worker' });
    assert.deepEqual([...dead].sort(), [...crashed].sort(), 'exactly the worker that ran the crash died');
    // the next requests succeed, on new workers, under the same master
    await waitFor(async () => (await stack.get(`${T}/pid`)).status === 200, { what: 'a worker to answer again' });
    for (let i = 0; i < 5; i++) {
        const ok = await stack.get(`${T}/pid`);
        assert.equal(ok.status, 200);
        assert.ok(!dead.includes(ok.json.pid));
    }
    await waitFor(() => stack.childPids().length === workersBefore.length,
        { what: 'the master to start replacements for every dead worker' });
    assert.ok(stack.childPids().every((p) => !dead.includes(p)));
    assert.equal(stack.masterPid(), master);
    assert.equal(stack.childPids().length, 6, '5 workers and the jobs worker');
});

test('a hanging request is cut at request_timeout and its worker replaced', async () => {
    const mark = stack.logMark();
    const res = await stack.get(`${T}/hang`);
    assert.equal(res.status, 502);
    assert.equal(res.json?.error?.code, 'unavailable', res.text);
    const rid = res.headers.get('x-request-id');
    const log = stack.logSince(mark);
    const hung = workersOf(log, rid, 'hanging on purpose');
    const killed = [...log.matchAll(new RegExp(
        `request rid=${rid} "GET ${T}/hang" ran past request_timeout \\(2 s\\): killing worker (\\d+)`, 'g'))]
        .map((m) => Number(m[1]));
    assert.equal(killed.length, 1, log);
    assert.deepEqual(killed, hung, 'the worker that hung was killed, and no other ran the request');
    // it ran its 2 s, and not much more (the master looks every 0.2 s)
    assert.ok(res.ms >= 2000, `cut after ${res.ms} ms, not before request_timeout`);
    assert.ok(res.ms < 3000, `cut after ${res.ms} ms`);
    for (const pid of killed) await stack.waitForLog(new RegExp(`worker ${pid} died on signal 9`), { since: mark });
    for (let i = 0; i < 5; i++) {
        const ok = await stack.get(`${T}/pid`);
        assert.equal(ok.status, 200);
        assert.ok(!killed.includes(ok.json.pid));
    }
});

test('PostgreSQL down: 503 in the error shape, health degraded; back up: 200 without a restart', async () => {
    const master = stack.masterPid();
    await stack.pgStop();
    try {
        let res = await stack.get('/api/v1/health');
        assert.equal(res.status, 503);
        assert.equal(res.json.status, 'degraded');
        assert.equal(res.json.db, 'down');
        assert.equal(res.json.modules.length, 3);
        assertError(await stack.get(`${T}/items/1`), 503, 'db_unavailable');
        assertError(await stack.get(`${T}/items`), 503, 'db_unavailable');
        assertError(await stack.post(`${T}/items`, { name: `down-${uniq}` }), 503, 'db_unavailable');
        // routes that do not touch the database still answer
        res = await stack.get(`${T}/pid`);
        assert.equal(res.status, 200);
        // several workers at once: every one answers 503, none crashes
        const all = await Promise.all(Array.from({ length: 6 }, () => stack.get(`${T}/items`)));
        for (const r of all) assertError(r, 503, 'db_unavailable');
    } finally {
        await stack.pgStart();
    }
    // every worker reconnects by itself: the first requests after the
    // restart succeed, several at once so more than one worker is hit
    const res = await stack.get('/api/v1/health');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.db, 'ok');
    const posts = await Promise.all(Array.from({ length: 6 },
        (_, i) => stack.post(`${T}/items`, { name: `back-${i}-${uniq}` })));
    for (const p of posts) assert.equal(p.status, 201, p.text);
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.item WHERE name LIKE 'back-%-${uniq}'`), '6');
    assert.equal(stack.masterPid(), master, 'the same master');
    // and the jobs worker too
    const n0 = Number(await stack.psql('SELECT n FROM t_core.counter WHERE id = 1'));
    await waitFor(async () => Number(await stack.psql('SELECT n FROM t_core.counter WHERE id = 1')) > n0,
        { timeout: 6000, what: 'the jobs worker to tick again after the restart' });
});
