// A CSV import over server.import_job_rows becomes a durable job
// (core/jobs.c, issue 12 item 11): the upload answers 202 with the job and
// its Location, the jobs worker replays the route as the uploader, and
// GET /api/v1/jobs/:id shows its progress and then the same report a
// request would have answered.  A file with a failed row writes nothing;
// only the owner sees a job; a job whose worker died is marked failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_base', 't_core'],
    importJobRows: 20,
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const T = '/api/v1/t_core';
const HEADER = 'Название\r\n';

function importCsv(body, query = '', client = admin) {
    return client.request('POST', `${T}/things/import${query}`, { body, headers: { 'Content-Type': 'text/csv' } });
}

function rowsOf(prefix, n) {
    let body = HEADER;
    for (let i = 1; i <= n; i++) body += `${prefix} ${i}\r\n`;
    return body;
}

const count = async (prefix) => Number(await stack.psql(`SELECT count(*) FROM t_core.thing WHERE name LIKE '${prefix} %'`));

// Poll the job until it ends; every state seen on the way.
async function waitJob(id, client = admin, ms = 60000) {
    const seen = [];
    for (const end = Date.now() + ms; Date.now() < end;) {
        const res = await client.get(`/api/v1/jobs/${id}`);
        assert.equal(res.status, 200, res.text);
        seen.push(res.json);
        if (res.json.state === 'done' || res.json.state === 'failed') return { job: res.json, seen };
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not end: ${JSON.stringify(seen.at(-1))}`);
}

test('over the threshold: 202 with the job, the worker imports, the job holds the report', async () => {
    const res = await importCsv(rowsOf('Задание', 30));
    assert.equal(res.status, 202, res.text);
    const { job } = res.json;
    assert.ok(Number.isInteger(job.id), res.text);
    assert.equal(job.state, 'queued');
    assert.deepEqual(job.progress, { done: 0, total: 30 });
    assert.equal(res.headers.get('location'), `/api/v1/jobs/${job.id}`);
    const { job: end } = await waitJob(job.id);
    assert.equal(end.state, 'done', JSON.stringify(end));
    assert.equal(end.status, 200);
    assert.deepEqual(end.progress, { done: 30, total: 30 });
    assert.equal(end.result.rows, 30);
    assert.equal(end.result.ok, 30);
    assert.equal(end.result.failed, 0);
    assert.deepEqual(end.result.results.map((r) => r.row), Array.from({ length: 30 }, (_, i) => i + 2));
    assert.ok(end.started_at && end.finished_at);
    assert.equal(await count('Задание'), 30);
    assert.equal(await stack.psql(`SELECT input IS NULL FROM core.job WHERE id = ${job.id}`), 't', 'the file is dropped');
});

test('at the threshold: answered in the request; a dry run over it is a job too', async () => {
    let res = await importCsv(rowsOf('Порог', 20));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.ok, 20);
    res = await importCsv(rowsOf('Предпросмотр', 25), '?dry_run=true');
    assert.equal(res.status, 202, res.text);
    const { job } = await waitJob(res.json.job.id);
    assert.equal(job.state, 'done');
    assert.equal(job.result.dry_run, true);
    assert.equal(job.result.ok, 25);
    assert.equal(await count('Предпросмотр'), 0, 'a preview writes nothing');
});

test('a failed row: the job fails with the per-line report and writes nothing', async () => {
    const body = rowsOf('Сбой', 25) + 'FAIL-SQL\r\n' + 'Сбой 1\r\n';
    const res = await importCsv(body);
    assert.equal(res.status, 202, res.text);
    const { job } = await waitJob(res.json.job.id);
    assert.equal(job.state, 'failed');
    assert.equal(job.status, 422);
    assert.equal(job.result.failed, 2);
    const bad = job.result.results.filter((r) => !r.ok);
    assert.deepEqual(bad.map((r) => r.row), [27, 28]);
    assert.ok(bad[0].error, JSON.stringify(bad[0]));
    assert.equal(bad[1].fields.name, 'already exists');
    assert.equal(await count('Сбой'), 0, 'nothing half-written');
});

test('a malformed file is refused in the request, before any job', async () => {
    const res = await importCsv(rowsOf('Кавычка', 25) + '"не закрыта;X\r\n');
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.error.message, /line 27/);
    assert.equal(await stack.psql("SELECT count(*) FROM core.job WHERE total = 26 OR uri LIKE '%Кавычка%'"), '0');
});

test('a job is its owner\'s: others get 404; GET /jobs lists the caller\'s own', async () => {
    const res = await importCsv(rowsOf('Чужое', 21));
    assert.equal(res.status, 202, res.text);
    const id = res.json.job.id;
    await waitJob(id);
    const pw = 'Jobs-Other-Password-1';
    assert.equal((await admin.post('/api/v1/users', { login: 'jobs_other', password: pw, roles: ['admin'] })).status, 201);
    const other = await stack.login('jobs_other', pw);
    assert.equal((await other.get(`/api/v1/jobs/${id}`)).status, 404);
    assert.deepEqual((await other.get('/api/v1/jobs')).json, []);
    const mine = await admin.get('/api/v1/jobs');
    assert.equal(mine.status, 200, mine.text);
    const listed = mine.json.find((j) => j.id === id);
    assert.equal(listed.state, 'done');
    assert.equal(listed.result, undefined, 'the list leaves the (large) reports out');
    assert.equal((await admin.get('/api/v1/jobs/99999999')).status, 404);
    assert.equal((await admin.get('/api/v1/jobs/abc')).status, 404);
    assert.equal((await stack.get(`/api/v1/jobs/${id}`)).status, 401);
});

test('an API token\'s job runs as the token, and is the token\'s to see', async () => {
    const tok = await admin.post('/api/v1/tokens', { name: 'jobs token', permissions: [] });
    assert.equal(tok.status, 201, tok.text);
    const bearer = stack.client({ token: tok.json.token });
    const res = await importCsv(rowsOf('Токен', 22), '', bearer);
    assert.equal(res.status, 202, res.text);
    const { job } = await waitJob(res.json.job.id, bearer);
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.equal(await count('Токен'), 22);
    assert.equal((await admin.get(`/api/v1/jobs/${job.id}`)).status, 404, 'not the admin\'s session\'s job');
    // a token revoked before its job runs: the job answers 401, writes nothing
    const tok2 = await admin.post('/api/v1/tokens', { name: 'revoked before', permissions: [] });
    assert.equal(tok2.status, 201, tok2.text);
    await stack.psql(`UPDATE core.api_token SET revoked_at = now() WHERE id = ${tok2.json.id}`);
    const id = await stack.psql(`INSERT INTO core.job (kind, method, uri, content_type, input, token_id, total)
        VALUES ('route', 'POST', '${T}/things/import', 'text/csv', convert_to(E'Название\\r\\nОтозван 1\\r\\n', 'UTF8'),
        ${tok2.json.id}, 1) RETURNING id`);
    const [end] = await waitRow(id);
    assert.deepEqual(end, { state: 'failed', status: 401 });
    assert.equal(await count('Отозван'), 0);
});

// Wait for a job to end, read from the table (for a job no client owns).
async function waitRow(id) {
    for (const end = Date.now() + 10000; Date.now() < end;) {
        const rows = await stack.rows(`SELECT state, status FROM core.job WHERE id = ${id}`);
        if (rows[0].state === 'done' || rows[0].state === 'failed') return rows;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not end`);
}

test('a running job whose worker is gone is marked failed', async () => {
    const id = await stack.psql(`INSERT INTO core.job (kind, method, uri, user_id, state, started_at, total)
        VALUES ('route', 'POST', '${T}/things/import', ${admin.user.id}, 'running', now(), 99) RETURNING id`);
    const { job } = await waitJob(id, admin, 10000);
    assert.equal(job.state, 'failed');
    assert.match(job.error, /worker running the job stopped/);
});
