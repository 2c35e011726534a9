// A 100,000-row counterparties CSV imports (issue 12 item 11): before, the
// import ran in the request and was killed at request_timeout (502); now
// it is a job of the jobs worker, its progress visible while it runs.
// request_timeout is set short here to show the request is not what runs
// it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { counterpartiesCsv } from '../../../tests/lib/counterparties-csv.js';

// The sanitizer build (make asan, B=build-asan) runs the same path at a
// fifth of the size: it checks memory, not scale, and runs ~5x slower.
const N = /asan/.test(process.env.B || '') ? 20000 : 100000;
const stack = await startStack({
    enabled: ['catalog', 'clients'],
    importJobRows: 1000,
    requestTimeout: 10,
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();

test(`${N} counterparties import through a job, progress moving`, { timeout: 300000 }, async (t) => {
    const body = counterpartiesCsv(N);
    const res = await admin.request('POST', '/api/v1/clients/counterparties/import', {
        body, headers: { 'Content-Type': 'text/csv' },
    });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json.job.progress, { done: 0, total: N });
    const id = res.json.job.id;
    const seen = new Set();
    let job;
    for (;;) {
        job = (await admin.get(`/api/v1/jobs/${id}`)).json;
        seen.add(job.progress.done);
        if (job.state === 'done' || job.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(job.state, 'done', JSON.stringify({ ...job, result: { ...job.result, results: undefined } }));
    assert.equal(job.status, 200);
    assert.equal(job.result.ok, N);
    assert.equal(job.result.results.length, N);
    assert.ok([...seen].some((d) => d > 0 && d < N), `progress seen moving: ${[...seen].join(', ')}`);
    assert.equal(await stack.psql("SELECT count(*) FROM clients.counterparty WHERE name LIKE 'Контрагент %'"), String(N));
    const s = (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000;
    t.diagnostic(`${N} rows in ${s.toFixed(1)} s: ${Math.round(N / s)} rows/s`);
});
