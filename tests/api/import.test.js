// kedr_import_csv (core/import.c) through t_core's POST /things/import:
// a good file creates its rows; a file with bad rows answers 422 with a
// result per row and writes nothing; the preview (dry_run) runs the real
// inserts and rolls them back; Windows-1251, separators, quoted newlines,
// unknown headers, empty files and size limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';
import { cp1251 } from '../lib/encodings.js';

const stack = await startStack({
    enabled: ['t_base', 't_core'],
    maxBody: 65536,
    importMaxRows: 50,
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const T = '/api/v1/t_core';
const ENTITY = 't_core.thing';

for (const def of [
    { name: 'code', type: 'text', label_ru: 'Код', required: true },
    { name: 'area', type: 'number', label_ru: 'Площадь' },
    { name: 'checked', type: 'date', label_ru: 'Проверено' },
    { name: 'vip', type: 'boolean', label_ru: 'VIP' },
    { name: 'size', type: 'list', label_ru: 'Размер', options: [{ value: 'S', label_ru: 'S' }, { value: 'L', label_ru: 'L' }] },
]) {
    const res = await admin.post('/api/v1/attributes', { entity: ENTITY, ...def });
    assert.equal(res.status, 201, res.text);
}

function importCsv(body, query = '', client = admin) {
    return client.request('POST', `${T}/things/import${query}`, { body, headers: { 'Content-Type': 'text/csv' } });
}

async function things() {
    return JSON.parse(await stack.psql(
        "SELECT coalesce(json_agg(json_build_object('name', name, 'attrs', attrs) ORDER BY id), '[]') FROM t_core.thing"));
}

const HEADER = 'Название;Код;Площадь;Проверено;VIP;Размер\r\n';

test('a good file creates its rows, values converted by type', async () => {
    const body = '\ufeff' + HEADER +
        'Склад 1;S1;1 234,5;26.11.2026;да;L\r\n' +
        '"Склад; ""второй""";S2;7;2026-01-31;нет;\r\n' +
        '\r\n' + // a blank line is skipped
        ';;;;;\r\n' + // so is a row of empty cells
        '"Склад\nтретий";S3;;;;S\r\n' +
        "'=1+2;'+7 495;;;;\r\n"; // the quotes a CSV export puts before formula-like text
    const res = await importCsv(body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.rows, 4);
    assert.equal(res.json.ok, 4);
    assert.equal(res.json.failed, 0);
    assert.equal(res.json.dry_run, false);
    assert.deepEqual(res.json.results.map((r) => [r.row, r.ok]), [[2, true], [3, true], [6, true], [8, true]]);
    for (const r of res.json.results) assert.ok(Number.isInteger(r.result.id), JSON.stringify(r));
    const rows = await things();
    assert.deepEqual(rows, [
        { name: 'Склад 1', attrs: { code: 'S1', area: 1234.5, checked: '2026-11-26', vip: true, size: 'L' } },
        { name: 'Склад; "второй"', attrs: { code: 'S2', area: 7, checked: '2026-01-31', vip: false } },
        { name: 'Склад\nтретий', attrs: { code: 'S3', size: 'S' } },
        { name: '=1+2', attrs: { code: '+7 495' } },
    ]);
});

const BAD = HEADER +
    'Хороший;G1;1;;;\r\n' + // line 2: fine
    'Плохая площадь;G2;много;;;\r\n' + // line 3: not a number
    'Склад 1;G3;;;;\r\n' + // line 4: a duplicate of the first test's row
    'FAIL-SQL;G4;;;;\r\n' + // line 5: a statement PostgreSQL refuses
    '"Две\r\nстроки";;;;;\r\n' + // lines 6-7: the required code missing
    'Второй хороший;G5;;;да;XL\r\n' + // line 8: not in the list
    'Третий хороший;G6;;;;\r\n'; // line 9: fine, after all those failures

function checkBadReport(json, dry) {
    assert.equal(json.dry_run, dry);
    assert.equal(json.rows, 7);
    assert.equal(json.ok, 2);
    assert.equal(json.failed, 5);
    const byRow = Object.fromEntries(json.results.map((r) => [r.row, r]));
    assert.deepEqual(Object.keys(byRow).map(Number), [2, 3, 4, 5, 6, 8, 9]);
    assert.equal(byRow[2].ok, true);
    assert.equal(byRow[3].ok, false);
    assert.match(byRow[3].fields.area, /number/);
    assert.equal(byRow[4].ok, false);
    assert.equal(byRow[4].fields.name, 'already exists');
    assert.equal(byRow[5].ok, false);
    assert.equal(byRow[5].error, 'database error');
    assert.equal(byRow[6].ok, false);
    assert.ok(byRow[6].fields['attrs.code'], JSON.stringify(byRow[6]));
    assert.equal(byRow[8].ok, false);
    assert.ok(byRow[8].fields['attrs.size'], JSON.stringify(byRow[8]));
    assert.equal(byRow[9].ok, true, 'the transaction is usable after failed rows');
    assert.equal(byRow[9].result.id > byRow[2].result.id, true);
}

test('a file with bad rows: 422, a result per row, nothing written', async () => {
    const before = await things();
    const res = await importCsv(BAD);
    assert.equal(res.status, 422, res.text);
    checkBadReport(res.json, false);
    assert.deepEqual(await things(), before, 'nothing half-written');
});

test('dry run: the same report from the real statements, nothing written', async () => {
    const before = await things();
    let res = await importCsv(BAD, '?dry_run=true');
    assert.equal(res.status, 200, res.text);
    checkBadReport(res.json, true);
    assert.deepEqual(await things(), before);

    // duplicates inside the file are found too: the preview really inserts
    res = await importCsv(HEADER + 'Новый;N1;;;;\r\nНовый;N2;;;;\r\n', '?dry_run=true');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.results.map((r) => r.ok), [true, false]);
    assert.equal(res.json.results[1].fields.name, 'already exists');
    assert.deepEqual(await things(), before);
    res = await importCsv(HEADER + 'Новый;N1;;;;\r\n', '?dry_run=maybe');
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.error.fields.dry_run, res.text);
});

test('Windows-1251, commas and English headers in any case', async () => {
    let res = await importCsv(cp1251('Название;Код;VIP\r\nЁжик в тумане;Ё1;Да\r\n'));
    assert.equal(res.status, 200, res.text);
    res = await importCsv('NAME, code ,Area,vip\n"Comma, Inc.",C1,"2,5",yes\n');
    assert.equal(res.status, 200, res.text);
    const rows = await things();
    assert.deepEqual(rows.slice(-2), [
        { name: 'Ёжик в тумане', attrs: { code: 'Ё1', vip: true } },
        { name: 'Comma, Inc.', attrs: { code: 'C1', area: 2.5, vip: true } },
    ]);
});

test('bad files: unknown header, empty, unclosed quote, too many rows, too large', async () => {
    const before = await things();
    let res = await importCsv('Название;Цвет;Код\r\nX;красный;X1\r\n');
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.error.fields.header, /unknown column "Цвет"/);
    res = await importCsv('name;Название\r\nX;Y\r\n');
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.error.fields.header, /twice/);
    res = await importCsv(';;\r\nX;Y;Z\r\n');
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.error.fields.header, 'no column of this import');
    for (const empty of ['', '\ufeff', '\r\n\r\n']) {
        res = await importCsv(empty);
        assert.equal(res.status, 422, res.text);
        assert.equal(res.json.error.fields.file, 'the file is empty');
    }
    res = await importCsv(HEADER + '"unclosed;X;;;;\r\n');
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.error.fields.file, /line 2/);
    res = await importCsv('name;code\r\n' + Array.from({ length: 51 }, (_, i) => `many ${i};M${i}\r\n`).join(''));
    assert.equal(res.status, 413, res.text);
    assert.ok(res.json.error.fields.file, res.text);
    res = await importCsv('name;code\r\n' + 'x;y\r\n'.repeat(20000));
    assert.equal(res.status, 413, res.text);
    assert.equal(res.json.error.code, 'too_large');
    res = await importCsv(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x98, 0x0a]));
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.error.fields.file, res.text);
    assert.deepEqual(await things(), before);
    res = await stack.request('POST', `${T}/things/import`, { body: HEADER });
    assert.equal(res.status, 401, res.text);
});
