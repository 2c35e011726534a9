// An export of more rows than server.export_job_rows becomes a job
// (core/builtin/export.c, core/jobs.c; issue 13): the request answers 202
// with the job, the jobs worker writes the file as the sender into a large
// object, the job's result names it, GET /api/v1/jobs/:id/file sends it
// to the job's owner only, and the worker drops it a day after the job
// ended.  An export at the threshold is still answered in the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_base', 't_core'],
    exportJobRows: 50,
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const T = '/api/v1/t_core';
const DAY = /^\d{4}-\d\d-\d\d$/;

// GET with a session (the admin's by default), the body as bytes.
async function fetchBytes(urlPath, client = admin) {
    const headers = client ? { Cookie: `kedr_session=${client.cookie}` } : {};
    const res = await fetch(stack.url + urlPath, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

// Poll the job until it ends.
async function waitJob(id, ms = 60000) {
    for (const end = Date.now() + ms; Date.now() < end;) {
        const res = await admin.get(`/api/v1/jobs/${id}`);
        assert.equal(res.status, 200, res.text);
        if (res.json.state === 'done' || res.json.state === 'failed') return res.json;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not end`);
}

test('over the threshold: 202, the worker writes the file, its owner downloads it', async () => {
    const res = await admin.get(`${T}/series/export?_format=csv&n=120`);
    assert.equal(res.status, 202, res.text);
    const { job } = res.json;
    assert.equal(job.state, 'queued');
    assert.equal(res.headers.get('location'), `/api/v1/jobs/${job.id}`);
    const end = await waitJob(job.id);
    assert.equal(end.state, 'done', JSON.stringify(end));
    assert.equal(end.status, 200);
    assert.deepEqual(end.progress, { done: 120, total: 120 });
    const { file, download } = end.result;
    assert.equal(download, `/api/v1/jobs/${job.id}/file`);
    assert.match(file.name, /^series-\d{4}-\d\d-\d\d\.csv$/);
    assert.equal(file.type, 'text/csv; charset=utf-8');
    assert.ok(file.size > 120 * 20, JSON.stringify(file));

    const got = await fetchBytes(download);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(got.headers.get('content-disposition'), /^attachment; filename="series-[\d-]+\.csv"/);
    assert.equal(got.body.length, file.size);
    // the same bytes the request would have streamed: BOM, header, rows
    assert.ok(got.text.startsWith('\ufeffN;Метка;Сумма;День;Чётное;Теги\r\n'), got.text.slice(0, 80));
    const lines = got.text.slice(1).split('\r\n');
    assert.equal(lines.length, 122, 'header, 120 rows, the last CRLF');
    const last = lines[120].split(';');
    assert.deepEqual([last[0], last[1], last[2], last[4], last[5]], ['120', 'row 120', '180,00', 'да', 't0, x']);
    assert.match(last[3], DAY);
});

test('XLSX over the threshold: a workbook file', async () => {
    const res = await admin.get(`${T}/series/export?_format=xlsx&n=200`);
    assert.equal(res.status, 202, res.text);
    const end = await waitJob(res.json.job.id);
    assert.equal(end.state, 'done', JSON.stringify(end));
    assert.deepEqual(end.progress, { done: 200, total: 200 });
    assert.match(end.result.file.name, /^series-[\d-]+\.xlsx$/);
    const got = await fetchBytes(end.result.download);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(got.body.readUInt32LE(0), 0x04034b50, 'a zip archive');
    assert.equal(got.body.length, end.result.file.size);
});

test('at the threshold: the file in the request, as before', async () => {
    const got = await fetchBytes(`${T}/series/export?_format=csv&n=50`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.text.slice(1).split('\r\n').length, 52);
    assert.equal((await admin.get(`${T}/series/export?_format=pdf&n=500`)).status, 422, 'checked before a job');
});

test('the file is its owner\'s only, and dropped a day after the job ended', async () => {
    const res = await admin.get(`${T}/series/export?n=60`);
    assert.equal(res.status, 202, res.text);
    const { id } = res.json.job;
    const end = await waitJob(id);
    const pw = 'Export-Other-Password-1';
    assert.equal((await admin.post('/api/v1/users', { login: 'export_other', password: pw, roles: ['admin'] })).status, 201);
    const other = await stack.login('export_other', pw);
    assert.equal((await fetchBytes(end.result.download, other)).status, 404);
    assert.equal((await fetchBytes(end.result.download, null)).status, 401);
    assert.equal((await fetchBytes(`/api/v1/jobs/99999999/file`)).status, 404);
    assert.equal((await fetchBytes(end.result.download)).status, 200);

    const oid = await stack.psql(`SELECT file_oid FROM core.job WHERE id = ${id}`);
    assert.match(oid, /^\d+$/);
    await stack.psql(`UPDATE core.job SET finished_at = now() - interval '25 hours' WHERE id = ${id}`);
    let gone = false;
    for (const stop = Date.now() + 30000; !gone && Date.now() < stop;) {
        await new Promise((r) => setTimeout(r, 250));
        gone = (await stack.psql(`SELECT file_oid IS NULL FROM core.job WHERE id = ${id}`)) === 't';
    }
    assert.ok(gone, 'the jobs worker drops the old file');
    assert.equal(await stack.psql(`SELECT count(*) FROM pg_largeobject_metadata WHERE oid = ${oid}`), '0',
        'and its large object');
    assert.equal((await fetchBytes(end.result.download)).status, 404);
});
