// The master's process management on one stack: max_requests recycling,
// graceful reload on SIGHUP (modules enabled and disabled, config groups
// re-read, requests in flight finish, broken configurations refused), and
// graceful stop on SIGTERM (last: it ends the stack's kedr).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, waitFor } from '../lib/stack.js';

const base = {
    enabled: ['t_base', 't_core'],
    workers: 5, // more than nginx keeps idle (see Stack.checkWorkers)
    maxRequests: 3,
    requestTimeout: 10,
    groups: { t_core: { label: 'before' } },
};
const stack = await startStack(base);
const T = '/api/v1/t_core';
const withDesk = {
    enabled: ['t_base', 't_core', 't_desk'],
    groups: { t_core: { label: 'after' }, t_desk: { motto: 'Девиз после перезагрузки' } },
};

// Start GET /sleep?ms=N and resolve {done, pid, rid} once t_core logged
// that the request is being served (so it is in flight for sure).
async function inFlight(ms) {
    const mark = stack.logMark();
    const done = stack.get(`${T}/sleep?ms=${ms}`);
    const m = await stack.waitForLog(new RegExp(`\\[(\\d+)\\] rid=(\\S+) mod=t_core: sleeping ${ms} ms`),
        { since: mark });
    return { done, pid: Number(m[1]), rid: m[2] };
}

// Keep sending requests, GET and POST in turn, until the returned stop()
// is called; it resolves {failures, count}.
function trafficDuring() {
    let running = true;
    const failures = [];
    let count = 0;
    const loop = (async () => {
        for (let i = 0; running; i++) {
            const res = i % 2
                ? await stack.get(`${T}/pid`)
                : await stack.post(`${T}/items`, { name: `traffic-${i}` });
            count++;
            if (res.status !== (i % 2 ? 200 : 201)) {
                failures.push(`${i % 2 ? 'GET' : 'POST'} ${res.status} ${res.json?.error?.code}`);
            }
        }
    })();
    return async () => {
        running = false;
        await loop;
        return { failures, count };
    };
}

test('max_requests: a worker that served 3 requests is recycled', async () => {
    // A worker at max_requests stops accepting and exits once no
    // connection is open to it (nginx.conf.example keeps none between
    // requests; a kept one it answers until nginx closes it).
    const mark = stack.logMark();
    const pids = new Map();
    for (let i = 0; i < 30; i++) {
        const res = await stack.get(`${T}/pid`);
        assert.equal(res.status, 200, res.text);
        pids.set(res.json.pid, (pids.get(res.json.pid) || 0) + 1);
    }
    assert.ok(pids.size > 5, `more workers served than there are at once: ${[...pids.keys()]}`);
    for (const [pid, n] of pids) assert.ok(n <= 3, `worker ${pid} served ${n} requests`);
    await stack.waitForLog(/worker \d+ recycled after 3 requests/, { since: mark });
    assert.doesNotMatch(stack.logSince(mark), /died on signal|exited with status/);
});

test('a disabled module answers 404; enabled by SIGHUP its routes appear, in-flight requests finish', async () => {
    const master = stack.masterPid();
    const res404 = await stack.get('/api/v1/t_desk/motto');
    assert.equal(res404.status, 404);
    assert.equal(res404.json.error.code, 'not_found');
    // what the group leaves out comes from t_core's declared defaults
    assert.deepEqual((await stack.get(`${T}/conf`)).json, { label: 'before', limit: -1, flag: false, tags: [] });

    const slow = await inFlight(1500);
    const mark = stack.logMark();
    stack.writeConf(withDesk);
    stack.reload();

    const res = await slow.done;
    assert.equal(res.status, 200, `the request in flight during the reload: ${res.text}`);
    assert.deepEqual(res.json, { slept: 1500, pid: slow.pid });

    await stack.waitForLog(/reload: new workers started, old ones finish their requests/, { since: mark });
    const motto = await waitFor(async () => {
        const r = await stack.get('/api/v1/t_desk/motto');
        return r.status === 200 && r.json;
    }, { what: 't_desk to answer after the reload' });
    assert.deepEqual(motto, { motto: 'Девиз после перезагрузки' });
    // every new worker has the new configuration: no old one answers
    for (let i = 0; i < 8; i++) assert.equal((await stack.get(`${T}/conf`)).json.label, 'after');
    // the reload applied t_desk's migration
    assert.match(stack.logSince(mark), /schema: applied t_desk\/0001_card\.sql/);
    assert.equal(await stack.psql("SELECT count(*) FROM core.migration WHERE module = 't_desk'"), '1');
    const list = await stack.get('/api/v1/t_desk/cards');
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 2);

    assert.equal(stack.masterPid(), master, 'the same master');
    await waitFor(() => !stack.childPids().includes(slow.pid),
        { what: `the old worker ${slow.pid} to exit after its request` });
    assert.doesNotMatch(stack.logSince(mark), /died on signal|exited with status/);
});

test('a reload with a broken configuration is refused; the previous one keeps serving', async () => {
    const mark = stack.logMark();
    fs.writeFileSync(stack.conf, fs.readFileSync(stack.conf, 'utf8').replace('workers = 5;', 'workers = "five";'));
    stack.reload();
    await stack.waitForLog(/reload refused: the configuration has errors; still serving the previous one/,
        { since: mark });
    assert.match(stack.logSince(mark), new RegExp(`${stack.conf}:\\d+: server.workers: must be an integer`));
    assert.equal((await stack.get('/api/v1/t_desk/motto')).status, 200);
    assert.equal((await stack.get(`${T}/conf`)).json.label, 'after');
});

test('a reload that would load a refused module is refused; the previous one keeps serving', async () => {
    const mark = stack.logMark();
    stack.writeConf({ ...withDesk, enabled: [...withDesk.enabled, 't_badabi'] });
    stack.reload();
    await stack.waitForLog(/reload refused: modules or migrations failed; still serving the previous configuration/,
        { since: mark });
    assert.match(stack.logSince(mark), /module "t_badabi" refused: built for module ABI/);
    assert.equal((await stack.get('/api/v1/t_desk/motto')).status, 200);
    assert.equal((await stack.get('/api/v1/t_badabi/anything')).status, 404);
});

test('disabling a module by SIGHUP makes its routes answer 404 again', async () => {
    const oldPids = stack.childPids();
    const mark = stack.logMark();
    stack.writeConf(base);
    stack.reload();
    await stack.waitForLog(/reload: new workers started/, { since: mark });
    // until the old generation's workers have left (on a loaded machine
    // one may still take a request just after the new ones started)
    await waitFor(async () => (await stack.get('/api/v1/t_desk/motto')).status === 404 &&
        stack.childPids().every((pid) => !oldPids.includes(pid)), { what: 't_desk and its workers to be gone' });
    for (let i = 0; i < 8; i++) {
        const res = await stack.get('/api/v1/t_desk/cards');
        assert.equal(res.status, 404);
        assert.equal(res.json.error.code, 'not_found');
    }
    assert.equal((await stack.get(`${T}/conf`)).json.label, 'before');
    const health = await stack.get('/api/v1/health');
    assert.deepEqual(health.json.modules.map((m) => m.name), ['t_base', 't_core']);
});

// Every request sent while workers are replaced must succeed.
function noneFailed(failures, count, what) {
    if (failures.length === 0) return;
    assert.fail(`${what}: ${failures.length} of ${count} requests failed (${[...new Set(failures)].join('; ')})`);
}

test('no request fails while max_requests recycles workers', async () => {
    // 60 requests recycle each of the 8 workers twice or more (3 each);
    // how long that takes is the machine's business (a sanitizer build
    // starts workers slowly), so the window ends on a count, not a clock
    const mark = stack.logMark();
    const stop = trafficDuring();
    await waitFor(async () => stack.logSince(mark).split(/recycled after 3 requests/).length > 10,
        { timeout: 60000, interval: 50, what: '10 workers recycled' });
    const { failures, count } = await stop();
    noneFailed(failures, count, 'max_requests = 3');
});

test('no request fails during SIGHUP reloads', async () => {
    // no recycling now: only the reloads replace workers
    let mark = stack.logMark();
    stack.writeConf({ maxRequests: 0 });
    stack.reload();
    await stack.waitForLog(/reload: new workers started/, { since: mark });
    mark = stack.logMark();
    const stop = trafficDuring();
    for (let i = 0; i < 3; i++) {
        const before = stack.logMark();
        stack.reload();
        await stack.waitForLog(/reload: new workers started/, { since: before });
    }
    const { failures, count } = await stop();
    assert.equal(stack.logSince(mark).match(/reload: new workers started/g).length, 3);
    noneFailed(failures, count, '3 reloads');
});

test('SIGTERM stops kedr gracefully: the request in flight completes', async () => {
    const master = stack.masterPid();
    const slow = await inFlight(1500);
    const mark = stack.logMark();
    stack.signal('SIGTERM');
    const res = await slow.done;
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { slept: 1500, pid: slow.pid });
    await waitFor(() => {
        try {
            process.kill(master, 0);
            return false;
        } catch {
            return true;
        }
    }, { what: 'the master to exit' });
    const log = stack.logSince(mark);
    assert.match(log, /stopping: workers finish their requests/);
    assert.match(log, /: stopped$/m);
    assert.doesNotMatch(log, /died on signal/, 'no worker had to be killed');
    assert.ok(!fs.existsSync(path.join(stack.dir, 'run/kedr.sock')), 'socket removed');
    assert.ok(!fs.existsSync(stack.pidFile), 'pid file removed');
    const after = await stack.get(`${T}/pid`);
    assert.equal(after.status, 502);
    assert.equal(after.json?.error?.code, 'unavailable');
});
