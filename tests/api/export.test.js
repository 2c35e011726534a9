// kedr_export (core/export.c) through t_core's /things/export and
// /series/export: CSV for Russian Excel (BOM, ';', decimal comma, RFC 4180
// quoting, CRLF), the locale's headers and words, XLSX that is a real
// workbook (a zip whose sheet holds typed cells, a frozen bold header and
// an autofilter), and big exports that stream in constant memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { startStack } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_base', 't_core'],
    exportJobRows: 0, // every export in the request (export-jobs.test.js: as jobs)
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const T = '/api/v1/t_core';
const ENTITY = 't_core.thing';

for (const def of [
    { name: 'code', type: 'text', label_ru: 'Код' },
    { name: 'area', type: 'number', label_ru: 'Площадь' },
    { name: 'checked', type: 'date', label_ru: 'Проверено' },
    { name: 'vip', type: 'boolean', label_ru: 'VIP' },
    { name: 'size', type: 'list', label_ru: 'Размер', options: [{ value: 'S', label_ru: 'S' }, { value: 'L', label_ru: 'L' }] },
]) {
    const res = await admin.post('/api/v1/attributes', { entity: ENTITY, ...def });
    assert.equal(res.status, 201, res.text);
}

const THINGS = [
    { name: 'plain', attrs: { code: 'A1', area: 12.5, checked: '2026-11-26', vip: true, size: 'L' } },
    { name: 'semi;colon, comma', attrs: { code: 'B2', area: 3, vip: false, size: 'S' } },
    { name: 'quote "q"', attrs: { code: 'C3' } },
    { name: 'new\nline', attrs: { code: 'D4', size: 'L' } },
    { name: 'Ёлка', attrs: {} },
    { name: '=1+2', attrs: { code: '-5', area: -2.5 } }, // text Excel must not run
];
for (const t of THINGS) {
    const res = await stack.post(`${T}/things`, t);
    assert.equal(res.status, 201, res.text);
}

// GET with the admin's session, the body as bytes.
async function download(urlPath, client = admin) {
    const res = await fetch(stack.url + urlPath, { headers: { Cookie: `kedr_session=${client.cookie}` } });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

// RFC 4180 records of a CSV text (the test's own small reader).
function parseCsv(text, sep) {
    const rows = [];
    let row = [], cell = '', q = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (q) {
            if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false;
            else cell += ch;
        } else if (ch === '"') q = true;
        else if (ch === sep) { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
            row.push(cell); rows.push(row); row = []; cell = ''; i++;
        } else cell += ch;
    }
    assert.equal(cell + row.join(''), '', 'the file ends with CRLF');
    return rows;
}

// The entries of a zip archive (stored or deflated), by name.
function unzip(buf) {
    const files = {};
    let eocd = buf.length - 22;
    while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    assert.ok(eocd >= 0, 'a zip archive');
    const count = buf.readUInt16LE(eocd + 10);
    let p = buf.readUInt32LE(eocd + 16);
    for (let i = 0; i < count; i++) {
        assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
        const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
        const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
        const local = buf.readUInt32LE(p + 42);
        const name = buf.toString('utf8', p + 46, p + 46 + nlen);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const data = buf.subarray(start, start + csize);
        files[name] = (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
        p += 46 + nlen + xlen + clen;
    }
    return files;
}

test('csv: BOM, semicolons, quoting, CRLF, Russian headers and words', async () => {
    const res = await download(`${T}/things/export?_format=csv`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.equal(res.headers.get('content-length'), null, 'streamed: no length');
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(res.headers.get('content-disposition'),
        `attachment; filename="____-${today}.csv"; filename*=UTF-8''%D0%B2%D0%B5%D1%89%D0%B8-${today}.csv`);
    assert.deepEqual([...res.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = res.text.slice(1);
    assert.ok(text.includes('"semi;colon, comma"'), text);
    assert.ok(text.includes('"quote ""q"""'), text);
    assert.ok(text.includes('"new\nline"'), 'a newline inside a quoted cell');
    assert.ok(!/[^\r]\n(?!line)/.test(text), 'every line ends with CRLF');
    const rows = parseCsv(text, ';');
    assert.deepEqual(rows[0], ['Номер', 'Название', 'Код', 'Площадь', 'Проверено', 'VIP', 'Размер']);
    assert.equal(rows.length, 1 + THINGS.length);
    assert.deepEqual(rows[1].slice(1), ['plain', 'A1', '12,5', '2026-11-26', 'да', 'L']);
    assert.deepEqual(rows[2].slice(1), ['semi;colon, comma', 'B2', '3', '', 'нет', 'S']);
    assert.deepEqual(rows[3].slice(1, 3), ['quote "q"', 'C3']);
    assert.deepEqual(rows[4].slice(1, 3), ['new\nline', 'D4']);
    assert.deepEqual(rows[5].slice(1), ['Ёлка', '', '', '', '', '']);
    assert.deepEqual(rows[6].slice(1, 4), ["'=1+2", '-5', '-2,5'], 'a formula quoted, numbers not');
    assert.match(rows[1][0], /^\d+$/);
});

test('csv: sep=comma, a filter, and English for an English-speaking user', async () => {
    let res = await download(`${T}/things/export?_format=csv&_sep=comma&attr.size=L`);
    assert.equal(res.status, 200, res.text);
    let rows = parseCsv(res.text.slice(1), ',');
    assert.deepEqual(rows.map((r) => r[1]), ['Название', 'plain', 'new\nline']);
    assert.equal(rows[1][3], '12.5', 'a decimal point with commas');
    assert.equal(rows[1][5], 'да');

    const set = await admin.patch('/api/v1/session', { locale: 'en' });
    assert.ok(set.status < 300, set.text);
    try {
        res = await download(`${T}/things/export?_format=csv`);
        rows = parseCsv(res.text.slice(1), ';');
        assert.deepEqual(rows[0], ['No.', 'Name', 'Code', 'Area', 'Checked', 'VIP', 'Size']);
        assert.equal(rows[1][5], 'yes');
        assert.equal(rows[2][5], 'no');
    } finally {
        await admin.patch('/api/v1/session', { locale: 'ru' });
    }
});

test('bad format or separator: 422 naming it; no session: 401', async () => {
    let res = await download(`${T}/things/export?_format=pdf`);
    assert.equal(res.status, 422, res.text);
    assert.ok(JSON.parse(res.text).error.fields._format, res.text);
    res = await download(`${T}/things/export?format=pdf`);
    assert.equal(res.status, 200, 'the old name is no parameter of the export: csv, the default');
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    res = await download(`${T}/things/export?_format=csv&_sep=tab`);
    assert.equal(res.status, 422, res.text);
    assert.ok(JSON.parse(res.text).error.fields._sep, res.text);
    res = await stack.get(`${T}/things/export?_format=csv`);
    assert.equal(res.status, 401, res.text);
});

test('xlsx: a workbook with typed cells, a bold frozen header and an autofilter', async () => {
    const res = await download(`${T}/things/export?_format=xlsx`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(res.headers.get('content-disposition'), /filename="____-\d{4}-\d\d-\d\d\.xlsx"/);
    assert.equal(res.body.subarray(0, 2).toString(), 'PK');
    const files = unzip(res.body);
    const sheet = files['xl/worksheets/sheet1.xml'];
    assert.ok(sheet, Object.keys(files).join(' '));
    for (const label of ['Номер', 'Название', 'Площадь', 'Проверено']) assert.ok(sheet.includes(label), label);
    assert.ok(sheet.includes('semi;colon, comma'));
    assert.ok(sheet.includes('quote &quot;q&quot;') || sheet.includes('quote "q"'), 'quotes kept');
    assert.ok(sheet.includes('Ёлка'));
    assert.ok(sheet.includes('>=1+2<'), 'a string cell is never a formula: no quote needed');
    assert.match(sheet, /<pane [^>]*ySplit="1"[^>]*state="frozen"/, 'frozen header');
    assert.match(sheet, /<autoFilter ref="A1:G7"\/>/, 'autofilter over the rows');
    // row 2: area a number, checked a date (a serial with a style), vip a boolean
    assert.match(sheet, /<c r="D2"[^>]*><v>12.5<\/v><\/c>/, 'a number cell');
    const date = sheet.match(/<c r="E2" s="(\d+)"[^>]*><v>(\d+)<\/v><\/c>/);
    assert.ok(date, 'a date cell');
    assert.equal(Number(date[2]), 46352, '2026-11-26 as an Excel serial');
    assert.match(sheet, /<c r="F2"[^>]*t="b"[^>]*><v>1<\/v><\/c>/, 'a boolean cell');
    assert.match(sheet, /<c r="A1"[^>]*s="(\d+)"/, 'the header has a style');
    assert.match(files['xl/styles.xml'], /<b\/>/, 'a bold font');
});

// The worker's peak resident memory, in kB.
function peakKb(pid) {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
    return Number(m[1]);
}

test('big exports stream: 20k rows of csv and xlsx, complete and right', async () => {
    const n = 20000;
    let res = await download(`${T}/series/export?_format=csv&n=${n}`);
    assert.equal(res.status, 200, res.text);
    const rows = parseCsv(res.text.slice(1), ';');
    assert.equal(rows.length, n + 1);
    assert.deepEqual(rows[0], ['N', 'Метка', 'Сумма', 'День', 'Чётное', 'Теги']);
    assert.deepEqual(rows[1], ['1', 'row 1', '1,50', '2026-01-02', 'нет', 't1, x']);
    assert.deepEqual(rows[n], [String(n), `row ${n}`, '30000,00', rows[n][3], 'да', 't2, x']);

    res = await download(`${T}/series/export?_format=xlsx&n=${n}`);
    assert.equal(res.status, 200, res.text);
    const sheet = unzip(res.body)['xl/worksheets/sheet1.xml'];
    assert.equal((sheet.match(/<row /g) || []).length, n + 1);
    assert.ok(sheet.includes(`row ${n}<`), 'the last row');
    assert.match(sheet, new RegExp(`<autoFilter ref="A1:F${n + 1}"/>`));
});

test('a 300k-row export keeps the workers\' memory flat', async () => {
    const pids = stack.childPids();
    const peaks = () => Object.fromEntries(pids.map((p) => [p, peakKb(p)]));
    // warm up every worker: libraries and the arena's first chunk
    await Promise.all(pids.map(() => download(`${T}/series/export?_format=xlsx&n=3000`)));
    await Promise.all(pids.map(() => download(`${T}/series/export?_format=csv&n=3000`)));
    const before = peaks();
    const n = 300000;
    const res = await download(`${T}/series/export?_format=csv&n=${n}`);
    assert.equal(res.status, 200);
    assert.ok(res.body.length > 10e6, `a big file: ${res.body.length} bytes`);
    assert.match(res.text.slice(-80), new RegExp(`\r\n${n};row ${n};450000,00;\\d{4}-\\d\\d-\\d\\d;да;t0, x\r\n$`));
    const xres = await download(`${T}/series/export?_format=xlsx&n=${n}`);
    assert.equal(xres.status, 200);
    assert.ok(unzip(xres.body)['xl/worksheets/sheet1.xml'].includes(`row ${n}<`));
    const after = peaks();
    const grew = Math.max(...pids.map((p) => after[p] - before[p]));
    console.log(`# peak growth ${grew} kB for ${res.body.length} + ${xres.body.length} bytes`);
    // AddressSanitizer (make asan) keeps freed memory in quarantine: there
    // the bound means nothing, the content is still checked
    if (!process.env.ASAN_OPTIONS) {
        assert.ok(grew < 16 * 1024, `a worker's peak memory grew by ${grew} kB for a ${res.body.length}-byte export`);
    }
});
