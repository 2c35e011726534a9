// The fault-injection gate (make fault): every arena allocation and every
// database call of t_fault's routes fails in turn, and each failure must
// roll the request back and answer in the one error shape, without
// killing or poisoning the worker.
//
// Needs a kedr built with -DKEDR_FAULT (build-fault/, see mk/fault.mk):
// the build dir comes from the env var B (default build), the binary from
// KEDR_BIN (default $B/kedr).  Against any other build -- `make test` runs
// every file in tests/api -- the file skips itself (fails instead with
// KEDR_FAULT_REQUIRED=1, as make fault sets).
//
// How: a request with the header X-Kedr-Fault-Alloc: N (or
// X-Kedr-Fault-Db: N) has its Nth arena allocation (database call) fail;
// every response of the fault build says in X-Kedr-Fault-Count how many
// of each the request went through (and which worker answered).  For each
// route, a clean run gives the counts; then each point fails in turn, and
// each database failure is combined with each allocation of its error path.
// After every failure: the answer is 500 in the one shape, no row of the
// request is left (the hook's neither), the same route then succeeds, and
// the counts move by exactly that success.
//
// Leaks: the build runs under AddressSanitizer with LeakSanitizer on; at
// the end the workers are replaced (reload), each old one reports at exit
// what the failed requests left behind, and the log must hold no report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, startStack, waitFor } from '../lib/stack.js';

const B = path.resolve(ROOT, process.env.B || 'build');
const KEDR_BIN = process.env.KEDR_BIN || path.join(B, 'kedr');
const version = spawnSync(KEDR_BIN, ['version'], { encoding: 'utf8' }).stdout || '';

if (!/fault-injection/.test(version)) {
    const why = `${KEDR_BIN} is not a fault-injection build (make fault)`;
    if (process.env.KEDR_FAULT_REQUIRED === '1') {
        test('fault injection', () => assert.fail(why)); // make fault: never a silent skip
    } else {
        test('fault injection', { skip: why }, () => {});
    }
} else {
    await faultTests();
}

async function faultTests() {
    process.env.KEDR_BIN = KEDR_BIN; // tools/stack.sh runs this binary
    const stack = await startStack({
        enabled: ['t_fault'],
        modulePath: [path.join(B, 'modules'), path.join(B, 'tests/modules')],
        jobs: false,
        accessLog: false,
    });
    const T = '/api/v1/t_fault';
    const startPids = stack.childPids();
    const stats = { requests: 0, points: 0, samePid: 0, otherPid: 0 };

    // X-Kedr-Fault-Count: "alloc=A db=D pid=P"
    function faultCount(res) {
        const h = res.headers.get('x-kedr-fault-count') || '';
        const m = h.match(/^alloc=(\d+) db=(\d+) pid=(\d+)$/);
        assert.ok(m, `X-Kedr-Fault-Count header: "${h}"`);
        return { alloc: Number(m[1]), db: Number(m[2]), pid: Number(m[3]) };
    }

    function send(route, fault = {}) {
        const headers = {};
        if (fault.alloc) headers['X-Kedr-Fault-Alloc'] = String(fault.alloc);
        if (fault.db) headers['X-Kedr-Fault-Db'] = String(fault.db);
        stats.requests++;
        if (route.csv !== undefined) {
            headers['Content-Type'] = 'text/csv';
            return stack.request(route.method, T + route.path, { body: route.csv, headers });
        }
        return stack.request(route.method, T + route.path, { json: route.body, headers });
    }

    async function counts() {
        const res = await send({ method: 'GET', path: '/count' });
        assert.equal(res.status, 200, res.text);
        const { items, audits, bulk } = res.json;
        return { items, audits, bulk };
    }

    // The one error shape, and nothing else in the body.
    function assertFailed(res, what) {
        assert.equal(res.status, 500, `${what}: status of ${res.text}`);
        assert.match(res.headers.get('content-type') || '', /^application\/json/, what);
        assert.deepEqual(Object.keys(res.json || {}), ['error'], `${what}: ${res.text}`);
        const err = res.json.error;
        assert.deepEqual(Object.keys(err).sort(), ['code', 'message'], `${what}: ${res.text}`);
        if (err.code === 'internal') {
            assert.equal(err.message, 'out of memory', `${what}: ${res.text}`);
        } else {
            assert.equal(err.code, 'db_error', `${what}: ${res.text}`);
            assert.equal(err.message, 'database error', `${what}: ${res.text}`);
        }
        assert.equal(res.headers.get('x-t-fault-item'), null, `${what}: a failed handler's headers are dropped`);
        return err.code;
    }

    let expected; // row counts now

    // One failure point: the request fails in the one shape and leaves no
    // row; the same route then succeeds on a worker that is still sound.
    async function check(route, fault, expectCode) {
        const what = `${route.name} ${JSON.stringify(fault)}`;
        const res = await send(route, fault);
        stats.points++;
        const code = assertFailed(res, what);
        if (expectCode) assert.equal(code, expectCode, what);
        const failed = faultCount(res);
        assert.deepEqual(await counts(), expected, `${what}: rolled back, hook row included`);
        const ok = await send(route);
        assert.equal(ok.status, route.status, `${what}: the next request: ${ok.text}`);
        if (faultCount(ok).pid === failed.pid) stats.samePid++;
        else stats.otherPid++;
        for (const [k, v] of Object.entries(route.adds)) expected[k] += v;
        assert.deepEqual(await counts(), expected, `${what}: the next request committed`);
        return failed;
    }

    const routes = [
        {
            name: 'write', method: 'POST', path: '/write', body: { name: 'faulty' }, status: 201,
            adds: { items: 1, audits: 1, bulk: 0 },
        },
        {
            name: 'copy', method: 'POST', path: '/copy', body: { n: 3 }, status: 201,
            adds: { items: 0, audits: 0, bulk: 3 },
        },
        {
            // a statement PostgreSQL refuses after two writes: the core's
            // error path for a real database error
            name: 'sql error', method: 'POST', path: '/fail-sql', body: { name: 'doomed' }, status: 500,
            adds: { items: 0, audits: 0, bulk: 0 },
        },
        {
            // a read-only transaction (GET): its COMMIT is a failure point too
            name: 'read', method: 'GET', path: '/count', status: 200,
            adds: { items: 0, audits: 0, bulk: 0 },
        },
        {
            // kedr_import_csv: a savepoint per row, a hook per row
            name: 'import', method: 'POST', path: '/import', csv: 'name;note\r\nalpha;first\r\nbeta;\r\n',
            status: 200, adds: { items: 2, audits: 2, bulk: 0 },
        },
        {
            // the preview: a row that fails (ROLLBACK TO its savepoint), then
            // everything rolled back to the import's savepoint
            name: 'import preview', method: 'POST', path: '/import?dry_run=true',
            csv: 'name\r\ngamma\r\nFAIL\r\ndelta\r\n', status: 200, adds: { items: 0, audits: 0, bulk: 0 },
        },
        {
            name: 'import with a bad row', method: 'POST', path: '/import', csv: 'name\r\nepsilon\r\nFAIL\r\n',
            status: 422, adds: { items: 0, audits: 0, bulk: 0 },
        },
        {
            // the core's validation error path (422): nothing to write
            name: 'invalid', method: 'POST', path: '/write', body: { name: 'x', bogus: 1, also: [] }, status: 422,
            adds: { items: 0, audits: 0, bulk: 0 },
        },
    ];

    test('the build injects faults and reports its counts', async () => {
        assert.match(version, /fault-injection/);
        expected = await counts();
        const res = await send(routes[0]);
        assert.equal(res.status, 201, res.text);
        const n = faultCount(res);
        assert.ok(n.alloc > 5, `allocations counted: ${n.alloc}`);
        assert.equal(n.db, 4, 'insert, hook insert, read back, commit');
        assert.equal(res.json.audits, 1, 'the hook ran in the same transaction');
        expected.items++;
        expected.audits++;
        assert.deepEqual(await counts(), expected);
    });

    for (const route of routes) {
        test(`${route.name}: every allocation and database call fails in turn`, async (t) => {
            const clean = await send(route);
            assert.equal(clean.status, route.status, clean.text);
            if (route.status === 500) assert.equal(clean.json.error.code, 'db_error', clean.text);
            for (const [k, v] of Object.entries(route.adds)) expected[k] += v;
            const n = faultCount(clean);
            assert.ok(n.alloc > 0);
            t.diagnostic(`${route.name}: ${n.alloc} allocations, ${n.db} database calls`);
            for (let k = 1; k <= n.alloc; k++) await check(route, { alloc: k }, 'internal');
            for (let k = 1; k <= n.db; k++) {
                // the database fails, then each allocation of what follows
                const failed = await check(route, { db: k }, 'db_error');
                for (let m = 1; m <= failed.alloc; m++) await check(route, { db: k, alloc: m });
            }
            // one past the last point: nothing fails
            const past = await send(route, { alloc: n.alloc + 1, db: n.db + 1 });
            assert.equal(past.status, route.status, past.text);
            for (const [k, v] of Object.entries(route.adds)) expected[k] += v;
            assert.deepEqual(await counts(), expected);
        });
    }

    // A streamed export: a failure before the head answers 500 in the one
    // shape; after it the status is gone, so the transfer must be cut
    // (never a 200 that ends like a complete file).  Its fault counts
    // cannot come back in a header sent before them: each point fails in
    // turn until a request goes through whole.
    async function exportOnce(urlPath, fault = {}) {
        const headers = {};
        if (fault.alloc) headers['X-Kedr-Fault-Alloc'] = String(fault.alloc);
        if (fault.db) headers['X-Kedr-Fault-Db'] = String(fault.db);
        stats.requests++;
        let res;
        try {
            res = await fetch(stack.url + T + urlPath, { headers });
        } catch {
            return { status: 0, cut: true }; // cut before the head reached the client
        }
        try {
            return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
        } catch {
            return { status: res.status, cut: true };
        }
    }

    for (const format of ['csv', 'xlsx']) {
        test(`export ${format}: failures before the head answer 500, after it cut the stream`, async (t) => {
            const urlPath = `/export?_format=${format}&n=1500`; // two batches of the cursor
            const clean = await exportOnce(urlPath);
            assert.equal(clean.status, 200);
            assert.ok(!clean.cut, 'a clean export completes');
            const complete = (res) => !res.cut && res.status === 200 &&
                (format === 'csv' ? res.body.equals(clean.body) : res.body.length > 1000 &&
                    res.body.readUInt32LE(res.body.length - 22) === 0x06054b50);
            assert.ok(complete(clean));
            const seen = { before: 0, cut: 0 };
            for (const kind of ['alloc', 'db']) {
                let k = 1;
                for (; k < 5000; k++) {
                    const res = await exportOnce(urlPath, { [kind]: k });
                    stats.points++;
                    if (complete(res)) break;
                    if (res.cut) {
                        assert.ok([0, 200].includes(res.status), `${kind} ${k}: cut after the head (${res.status})`);
                        seen.cut++;
                    } else {
                        assertFailed({ ...res, text: res.body.toString(), json: JSON.parse(res.body.toString()) },
                            `export ${format} ${kind} ${k}`);
                        seen.before++;
                    }
                    const ok = await exportOnce(urlPath);
                    assert.ok(complete(ok), `${kind} ${k}: the next export completes`);
                }
                assert.ok(k > 1 && k < 5000, `${kind}: ${k - 1} failure points`);
            }
            t.diagnostic(`export ${format}: ${seen.before} failed before the head, ${seen.cut} cut after it`);
            assert.ok(seen.before > 0);
            assert.deepEqual(await counts(), expected, 'an export writes nothing');
        });
    }

    test('no worker died, nothing leaked', async (t) => {
        const log = stack.log();
        assert.doesNotMatch(log, /died on signal|exited with status|AddressSanitizer|runtime error/);
        assert.deepEqual(stack.childPids(), startPids, 'the same workers serve');
        // Replace the workers: each old one exits, and LeakSanitizer reports
        // at exit what a failed request left unreleased.
        const mark = stack.logMark();
        stack.reload();
        await stack.waitForLog(/reload: new workers started/, { since: mark });
        await waitFor(() => startPids.every((pid) => !stack.childPids().includes(pid)),
            { timeout: 20000, what: 'the old workers to exit' });
        const after = stack.logSince(mark);
        assert.doesNotMatch(after, /LeakSanitizer|AddressSanitizer|runtime error|exited with status/,
            'a sanitizer report in the kedr log');
        t.diagnostic(`fault points: ${stats.points}, requests: ${stats.requests}, `
            + `next request on the same worker: ${stats.samePid}, on another: ${stats.otherPid}`);
    });
}
