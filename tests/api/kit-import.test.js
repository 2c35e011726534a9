// The kit's CSV import (core/kit_import.c): POST <entity path>/import for
// every declared entity, through the kit's own write path.  A file the
// kit exported, edited as Excel edits it and uploaded back, imports:
// labels as headers, the export's "'" before formula-like text, ';' and
// the decimal comma, да/нет, DD.MM.YYYY dates, Windows-1251 and UTF-16.
// Which record a row goes to: id (with its version, checked), else a
// unique column's value, else a new one.  Options (ABI 1.4) by code or
// label; hooks, references, own-only and permissions as for the JSON
// routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';
import { assertError } from '../lib/assert.js';
import { cp1251, utf16 } from '../lib/encodings.js';

const stack = await startStack({
    enabled: ['t_kit'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const W = '/api/v1/t_kit/widgets';
const PW = `Kit-Import-${process.pid}`;

function importCsv(body, query = '', client = admin) {
    return client.request('POST', `${W}/import${query}`, { body, headers: { 'Content-Type': 'text/csv' } });
}

async function widgets() {
    return JSON.parse(await stack.psql(
        "SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'code', code, 'qty', qty, " +
        "'price', price::text, 'due', due, 'done', done, 'status', status, 'version', version) ORDER BY id), " +
        "'[]') FROM t_kit.widget"));
}

const auditCount = async () =>
    Number((await stack.rows("SELECT count(*) AS n FROM core.audit WHERE entity = 't_kit.widget'"))[0].n);

async function created(path, body, client = admin) {
    const res = await client.post(path, body);
    assert.equal(res.status, 201, res.text);
    return res.json;
}

const shelf = await created('/api/v1/t_kit/shelves', { name: 'Shelf' });
for (const w of [
    { name: '=1+2', code: 'F-1', qty: 3, price: '1234.50', due: '2026-11-26', done: true, status: 'ready', shelf_id: shelf.id },
    { name: 'Plain; "quoted"', code: 'P-2', qty: 0, done: false },
    { name: 'Без кода', qty: 7, price: '0.10', due: '2026-01-31' },
]) await created(W, w);

async function exported() {
    const res = await admin.get(`${W}/export`);
    assert.equal(res.status, 200, res.text);
    return res.text;
}

test('an exported file imports back unchanged: preview, then for real', async () => {
    const before = await widgets();
    const audits = await auditCount();
    const csv = await exported();
    assert.match(csv, /'=1\+2/); // the export guards formula-like text
    assert.match(csv, /1234,50/);
    let res = await importCsv(csv, '?dry_run=true');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.rows, res.json.ok, res.json.failed, res.json.dry_run], [3, 3, 0, true]);
    assert.deepEqual(res.json.results.map((r) => r.result.action), ['unchanged', 'unchanged', 'unchanged']);
    res = await importCsv(csv);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.ok, res.json.failed], [3, 0]);
    assert.deepEqual(await widgets(), before); // values and versions
    assert.equal(await auditCount(), audits); // nothing written, nothing audited
});

test('edited in Excel (Windows-1251, dates DD.MM.YYYY, a label for a code) and uploaded back', async () => {
    const before = await widgets();
    const lines = (await exported()).replace(/^\ufeff/, '').trim().split('\r\n');
    // Excel shows ISO dates as dates and writes them back its own way
    const edited = lines.map((l) => l.replace(/(\d{4})-(\d\d)-(\d\d)/g, '$3.$2.$1'));
    const cells = edited[3].split(';'); // "Без кода"
    const header = edited[0].split(';');
    cells[header.indexOf('Количество')] = '8';
    cells[header.indexOf('Статус')] = 'Списано';
    edited[3] = cells.join(';');
    let res = await importCsv(cp1251(edited.join('\r\n') + '\r\n'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.results.map((r) => r.result.action), ['unchanged', 'unchanged', 'updated']);
    const after = await widgets();
    assert.deepEqual(after.slice(0, 2), before.slice(0, 2));
    assert.deepEqual({ ...after[2] }, { ...before[2], qty: 8, status: 'gone', version: before[2].version + 1 });
    // the kit's write path: its audit row and its event
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.widget&id=${after[2].id}`)).json;
    assert.deepEqual(audit.filter((a) => a.action === 'updated').map((a) => a.new.status), ['gone']);
    const seen = await stack.rows(`SELECT what FROM t_kit.seen WHERE widget_id = ${after[2].id} ORDER BY id DESC LIMIT 2`);
    assert.deepEqual(seen.map((s) => s.what).sort(), ['after_write updated', 't_kit.widget.updated']);
});

test('UTF-16 LE and BE with a BOM, English headers and labels: new records', async () => {
    const text = 'Name,Code,Quantity,Price,Due,Done,Status\r\nSixteen LE,U-1,4,"2.5",2026-12-01,yes,Written off\r\n';
    let res = await importCsv(utf16(text));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.results[0].result.action, 'created');
    res = await importCsv(utf16(text.replace(/LE,U-1/, 'BE,U-2'), { bigEndian: true }));
    assert.equal(res.status, 200, res.text);
    const rows = (await widgets()).filter((w) => w.code?.startsWith('U-'));
    assert.deepEqual(rows.map((w) => [w.name, w.qty, w.price, w.due, w.done, w.status]), [
        ['Sixteen LE', 4, '2.50', '2026-12-01', true, 'gone'],
        ['Sixteen BE', 4, '2.50', '2026-12-01', true, 'gone'],
    ]);
    // an odd number of bytes is not UTF-16
    res = await importCsv(Buffer.concat([utf16(text), Buffer.from([0x41])]));
    assertError(res, 422, 'validation', 'file');
});

test('without an id, a unique column names the record; else a new one', async () => {
    const before = (await widgets()).find((w) => w.code === 'P-2');
    let res = await importCsv('Код;Название;Количество;Статус\r\nP-2;"Plain; ""quoted""";11;ready\r\n' +
        'NEW-1;New one;1;Новое\r\n');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.results.map((r) => r.result.action), ['updated', 'created']);
    assert.equal(res.json.results[0].result.id, before.id);
    const after = await widgets();
    assert.deepEqual(after.find((w) => w.id === before.id),
        { ...before, qty: 11, status: 'ready', version: before.version + 1 });
    const w = after.find((x) => x.code === 'NEW-1');
    assert.deepEqual([w.id, w.name, w.qty, w.status], [res.json.results[1].result.id, 'New one', 1, 'new']);
    // a row naming nothing existing is a create, and needs what a create needs
    res = await importCsv('Код;Количество\r\nNEW-2;1\r\n');
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.name, res.text);
});

test('id needs its version, checked; a bad row fails the import and nothing stays', async () => {
    const before = await widgets();
    const w = before[0];
    let res = await importCsv(`ID;Количество\r\n${w.id};9\r\n`);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.version, res.text);
    res = await importCsv(`ID;Количество;Версия\r\n${w.id};9;${w.version + 5}\r\n`);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.version, res.text);
    assert.match(res.json.results[0].error, /changed by someone else/);
    // one good row and bad ones: all or nothing, every bad row named
    res = await importCsv(`ID;Количество;Версия\r\n${w.id};9;${w.version}\r\n` +
        'Название;;\r\n');
    assert.equal(res.status, 422, res.text);
    res = await importCsv('Название;Код;Количество;Статус\r\nOK;Z-1;1;new\r\nforbidden;Z-2;1;new\r\n' +
        'Bad status;Z-3;1;sold\r\nToo many;Z-4;5000;new\r\n');
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.json.results.map((r) => r.ok), [true, false, false, false]);
    assert.ok(res.json.results[1].fields.name, res.text); // the module's validate hook
    assert.ok(res.json.results[2].fields.status, res.text); // not an option
    assert.ok(res.json.results[3].fields.qty, res.text); // out of range
    assert.deepEqual(await widgets(), before);
    // a create-only column: set by a create, the same value may come back
    res = await importCsv('Название;Код;Серийный номер\r\nSerial;SN-1;S-1\r\n');
    assert.equal(res.status, 200, res.text);
    const sn = (await admin.get(`${W}/${res.json.results[0].result.id}`)).json;
    res = await importCsv(`ID;Серийный номер;Версия\r\n${sn.id};S-1;${sn.version}\r\n`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.results[0].result.action, 'unchanged');
    res = await importCsv(`ID;Серийный номер;Версия\r\n${sn.id};S-2;${sn.version}\r\n`);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.serial, res.text);
    // the JSON routes check options too
    assertError(await admin.post(W, { name: 'J', status: 'sold' }), 422, 'validation', 'status');
    assertError(await admin.post(W, { name: 'J', status: 'Списано' }), 422, 'validation', 'status');
});

test('scope and permissions: own-only rows, hidden references, no write permission', async () => {
    let res = await admin.post('/api/v1/roles', {
        name: 'kit_imp', label_ru: 'Свои', permissions: ['t_kit.read', 't_kit.write'], own_only: true,
    });
    assert.equal(res.status, 201, res.text);
    res = await admin.post('/api/v1/roles', { name: 'kit_ro', label_ru: 'Читать', permissions: ['t_kit.read'] });
    assert.equal(res.status, 201, res.text);
    for (const [login, role] of [['kitimp', 'kit_imp'], ['kitro', 'kit_ro']]) {
        res = await admin.post('/api/v1/users', { login, password: PW, roles: [role] });
        assert.equal(res.status, 201, res.text);
    }
    const own = await stack.login('kitimp', PW);
    const ro = await stack.login('kitro', PW);
    const w = (await widgets())[0];
    res = await importCsv(`ID;Количество;Версия\r\n${w.id};1;${w.version}\r\n`, '', own);
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.results[0].error, /no such widget/);
    // a unique value held by a record out of sight: not theirs to update
    res = await importCsv(`Название;Код\r\nMine;${w.code}\r\n`, '', own);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.code, res.text); // used by another
    res = await importCsv(`Название;Полка\r\nMine;${shelf.id}\r\n`, '', own);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.shelf_id, res.text);
    res = await importCsv('Название;Код\r\nMine;OWN-1\r\n', '', own);
    assert.equal(res.status, 200, res.text);
    assert.equal((await own.get(`${W}?code=OWN-1`)).json.items.length, 1);
    assertError(await importCsv('Название\r\nX\r\n', '', ro), 403, 'forbidden');
    assertError(await stack.request('POST', `${W}/import`, { body: 'Название\r\nX\r\n' }), 401, 'unauthenticated');
    assertError(await importCsv('Название;Цвет\r\nX;red\r\n'), 422, 'validation', 'header');
});

test('new rows go in a batch at once: each audited, its event and after_write seen', async () => {
    const audits = await auditCount();
    let csv = 'Название;Код;Количество;Полка;Статус\r\n';
    for (let i = 0; i < 1200; i++) csv += `Batch ${i};BT-${i};${i % 100};${shelf.id};${['new', 'Ready', 'Списано'][i % 3]}\r\n`;
    let res = await importCsv(csv);
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual([res.json.rows, res.json.ok, res.json.failed], [1200, 1200, 0]);
    const rows = await stack.rows("SELECT id, name, qty, status, shelf_id, owner_id FROM t_kit.widget WHERE code LIKE 'BT-%' ORDER BY id");
    assert.equal(rows.length, 1200);
    assert.deepEqual(res.json.results.map((r) => [r.row, r.result.id, r.result.action]),
        rows.map((w, i) => [i + 2, Number(w.id), 'created']));
    assert.deepEqual([rows[1].name, rows[1].qty, rows[1].status, Number(rows[1].shelf_id)], ['Batch 1', 1, 'ready', shelf.id]);
    assert.ok(rows.every((w) => w.owner_id !== null), 'the read-only default written');
    assert.equal(await auditCount(), audits + 1200);
    const seen = await stack.rows(`SELECT what, count(*) AS n FROM t_kit.seen WHERE widget_id >= ${rows[0].id} GROUP BY what ORDER BY what`);
    assert.deepEqual(seen.map((s) => [s.what, Number(s.n)]), [['after_write created', 1200], ['t_kit.widget.created', 1200]]);

    // a code twice in one file: the batch goes row by row, and the second
    // row names the record the first created (an update); a bad row deep
    // in a later batch is named, and nothing of the file stays
    csv = 'Название;Код;Количество\r\n';
    for (let i = 0; i < 700; i++) csv += `${i === 650 ? 'forbidden' : `More ${i}`};MO-${i === 20 ? 5 : i};${i}\r\n`;
    res = await importCsv(csv, '?dry_run=true');
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.equal(res.json.failed, 1);
    assert.deepEqual([res.json.results[20].result.action, res.json.results[20].result.id],
        ['updated', res.json.results[5].result.id]);
    res = await importCsv(csv);
    assert.equal(res.status, 422, res.text.slice(0, 500));
    assert.deepEqual(res.json.results.filter((r) => !r.ok).map((r) => [r.row, Object.keys(r.fields)]),
        [[652, ['name']]]);
    assert.equal(Number((await stack.rows("SELECT count(*) AS n FROM t_kit.widget WHERE code LIKE 'MO-%'"))[0].n), 0);
});
