// clients' export and import (issue 6): GET /counterparties/export,
// /contacts/export, /outlets/export write the rows the list selects for
// the same filter and sort (CSV or XLSX, extra attributes as columns,
// own-only scoping applied); POST .../import takes a CSV through the
// same checks as POST create (INN checksums, E.164, the INN+KPP
// duplicate), all rows or none, with a dry run for the preview; contacts
// and outlets find their counterparty by INN or id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const PW = 'Io-Clients-Password-1';
const admin = await stack.loginAdmin();

// GET as `client`, the body as bytes.
async function download(urlPath, client = admin) {
    const res = await fetch(stack.url + urlPath, { headers: { Cookie: `kedr_session=${client.cookie}` } });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

// The records of a CSV text (';', RFC 4180 quotes, CRLF), BOM dropped.
function parseCsv(text) {
    const rows = [];
    let row = [], cell = '', q = false;
    text = text.replace(/^\ufeff/, '');
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (q) {
            if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false;
            else cell += ch;
        } else if (ch === '"') q = true;
        else if (ch === ';') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
            row.push(cell); rows.push(row); row = []; cell = ''; i++;
        } else cell += ch;
    }
    return rows;
}

// A CSV export as objects keyed by header.
async function exportRows(urlPath, client = admin) {
    const res = await download(urlPath, client);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /text\/csv/);
    const [head, ...rows] = parseCsv(res.text);
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

function importCsv(path, body, query = '', client = admin) {
    return client.request('POST', `${C}/${path}/import${query}`, { body, headers: { 'Content-Type': 'text/csv' } });
}

const count = async (table) => Number(await stack.psql(`SELECT count(*) FROM clients.${table}`));

await ok(admin.post('/api/v1/attributes', { entity: 'clients.counterparty', name: 'staff', type: 'number', label_ru: 'Штат' }), 201);
await ok(admin.post('/api/v1/attributes', {
    entity: 'clients.counterparty', name: 'tier', type: 'list', label_ru: 'Уровень',
    options: [{ value: 'gold', label_ru: 'Золото' }, { value: 'silver', label_ru: 'Серебро' }],
}), 201);
const mgr = await ok(admin.post('/api/v1/users', { login: 'io_mgr', full_name: 'Иван Выгрузкин', password: PW, roles: ['manager'] }), 201);
const names = ['Экспорт Альфа', 'Экспорт Бета', 'Экспорт Гамма', 'Экспорт Дельта', 'Экспорт Эпсилон'];
const made = [];
for (const [i, name] of names.entries()) {
    made.push(await ok(admin.post(`${C}/counterparties`, {
        kind: i % 2 ? 'installer' : 'end_customer', name, region: i < 3 ? 'Тверь' : 'Псков',
        manager_id: i === 0 ? mgr.id : undefined, phones: ['8 (495) 123-45-6' + i], tags: ['экспорт', `t${i}`],
        attrs: { staff: 10 * (i + 1), tier: i % 2 ? 'silver' : 'gold' },
    }), 201));
}

test('counterparty export: the list\'s rows for the same filter and sort, all of them, the declared columns', async () => {
    for (const qs of ['q=Экспорт', 'q=Экспорт&kind=installer', 'tag=экспорт&sort=-region',
        'q=Экспорт&attr.tier=gold', 'region=Тверь&sort=-id']) {
        const enc = qs.split('&').map((p) => p.split('=').map(encodeURIComponent).join('=')).join('&');
        const list = await ok(admin.get(`${C}/counterparties?${enc}&limit=2`));
        const all = await ok(admin.get(`${C}/counterparties?${enc}&limit=500`));
        const rows = await exportRows(`${C}/counterparties/export?_format=csv&${enc}&limit=2`);
        assert.ok(all.items.length > list.items.length || all.items.length <= 2, qs);
        assert.deepEqual(rows.map((r) => Number(r.ID)), all.items.map((c) => c.id), `rows of ${qs}`);
        assert.deepEqual(rows.map((r) => r['Название']), all.items.map((c) => c.name), qs);
    }
    const [alpha] = await exportRows(`${C}/counterparties/export?q=${encodeURIComponent('Экспорт Альфа')}`);
    assert.equal(alpha['Тип'], 'end_customer');
    assert.equal(alpha['Регион'], 'Тверь');
    assert.equal(alpha['Номер менеджера'], String(mgr.id));
    assert.equal(alpha['Телефоны'], '+74951234560');
    assert.equal(alpha['Метки'], 'экспорт; t0');
    // the kit's export: the entity's exported columns, then the version
    // (no attribute columns, no manager's or holding's name any more)
    assert.equal(alpha['Штат'], undefined);
    assert.equal(alpha['Версия'], '1');

    const xlsx = await download(`${C}/counterparties/export?_format=xlsx&q=${encodeURIComponent('Экспорт')}`);
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
    assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');
    assert.match(xlsx.headers.get('content-disposition'), /attachment; filename="counterparties-\d{4}-\d\d-\d\d\.xlsx"/);

    assertError(await admin.get(`${C}/counterparties/export?_format=pdf`), 422, 'validation', '_format');
    assertError(await admin.get(`${C}/counterparties/export?kind=alien`), 422, 'validation', 'kind');
    assertError(await admin.get(`${C}/counterparties/export?attr.nosuch=1`), 422, 'validation', 'attr.nosuch');
});

test('outlet and contact exports follow their lists', async () => {
    const owner = made[0];
    const d = await ok(admin.post(`${C}/counterparties`, { kind: 'distributor', name: 'Экспорт Дистрибьютор' }), 201);
    const outs = [];
    for (const n of ['Точка Экспорта 1', 'Точка Экспорта 2', 'Точка Экспорта 3']) {
        outs.push(await ok(admin.post(`${C}/outlets`, { owner_id: owner.id, name: n, format: 'diy', area: 12.5 }), 201));
    }
    await ok(admin.request('PUT', `${C}/outlets/${outs[1].id}/distributors`, { json: [{ distributor_id: d.id }] }));
    for (const qs of [`owner_id=${owner.id}`, `distributor_id=${d.id}`, `owner_id=${owner.id}&sort=-id`]) {
        const list = await ok(admin.get(`${C}/outlets?${qs}&limit=500`));
        const rows = await exportRows(`${C}/outlets/export?${qs}`);
        assert.deepEqual(rows.map((r) => Number(r['ID'])), list.items.map((o) => o.id), qs);
    }
    // the outlets' own "format" filter and the export's _format together
    const other = await ok(admin.post(`${C}/outlets`, { owner_id: owner.id, name: 'Точка Экспорта 4', format: 'showroom' }), 201);
    const diy = await ok(admin.get(`${C}/outlets?owner_id=${owner.id}&format=diy&limit=500`));
    assert.ok(diy.items.length >= 3 && !diy.items.some((o) => o.id === other.id));
    for (const fmt of ['csv', 'xlsx']) {
        const res = await download(`${C}/outlets/export?owner_id=${owner.id}&format=diy&_format=${fmt}`);
        assert.equal(res.status, 200, res.text);
        assert.match(res.headers.get('content-disposition'), new RegExp(`\\.${fmt}"`));
    }
    const diyRows = await exportRows(`${C}/outlets/export?owner_id=${owner.id}&format=diy&_format=csv`);
    assert.deepEqual(diyRows.map((r) => Number(r['ID'])), diy.items.map((o) => o.id));
    const [o2] = await exportRows(`${C}/outlets/export?distributor_id=${d.id}`);
    assert.equal(o2['Дистрибьюторы'], 'Экспорт Дистрибьютор');
    assert.equal(o2['Название владельца'], owner.name);
    assert.equal(o2['Площадь, м²'], '12,50', 'decimal comma for Russian Excel');
    assert.equal(o2['Активна'], 'да');

    for (const ln of ['Экспортов', 'Экспортова']) {
        await ok(admin.post(`${C}/contacts`, { last_name: ln, links: [{ counterparty_id: owner.id }] }), 201);
    }
    for (const qs of [`counterparty_id=${owner.id}`, `counterparty_id=${owner.id}&sort=-id`]) {
        const list = await ok(admin.get(`${C}/contacts?${qs}&limit=500`));
        const rows = await exportRows(`${C}/contacts/export?${qs}`);
        assert.equal(rows.length, 2);
        assert.deepEqual(rows.map((r) => Number(r['ID'])), list.items.map((c) => c.id), qs);
        assert.equal(rows[0]['Контрагенты'], owner.name);
    }
    const desc = await ok(admin.get(`${C}/contacts?counterparty_id=${owner.id}&sort=-id`));
    assert.ok(desc.items[0].id > desc.items[1].id);
    assertError(await admin.get(`${C}/contacts?sort=colour`), 422, 'validation', 'sort');
});

test('export needs clients.export; own-only users export only what they see', async () => {
    const readerRole = await ok(admin.post('/api/v1/roles', { name: 'io_reader', permissions: ['clients.read'] }), 201);
    assert.ok(readerRole.id);
    await ok(admin.post('/api/v1/users', { login: 'io_reader1', password: PW, roles: ['io_reader'] }), 201);
    const reader = await stack.login('io_reader1', PW);
    assertError(await reader.get(`${C}/counterparties/export`), 403, 'forbidden');
    assertError(await reader.get(`${C}/outlets/export`), 403, 'forbidden');
    assertError(await importCsv('counterparties', 'Тип;Название\r\npartner;X\r\n', '', reader), 403, 'forbidden');

    await ok(admin.post('/api/v1/roles', {
        name: 'io_own', own_only: true, permissions: ['clients.read', 'clients.export'],
    }), 201);
    await ok(admin.post('/api/v1/users', { login: 'io_own1', password: PW, roles: ['io_own'], regions: ['Псков'] }), 201);
    const own = await stack.login('io_own1', PW);
    const q = encodeURIComponent('Экспорт');
    const seen = await ok(own.get(`${C}/counterparties?q=${q}&limit=500`));
    assert.deepEqual(seen.items.map((c) => c.name).sort(), ['Экспорт Дельта', 'Экспорт Эпсилон']);
    const rows = await exportRows(`${C}/counterparties/export?q=${q}`, own);
    assert.deepEqual(rows.map((r) => Number(r.ID)), seen.items.map((c) => c.id));
    assert.deepEqual(await exportRows(`${C}/outlets/export?owner_id=${made[0].id}`, own), []);
});

const HEAD = 'Тип;Название;ИНН;КПП;Регион;Телефоны;Метки;Штат;Уровень\r\n';

test('counterparty import: a good file creates every row through the same checks as POST', async () => {
    const before = await count('counterparty');
    const body = '\ufeff' + HEAD +
        'end_customer;Импорт Один;7736050003;773601001;Тверь;8 (495) 111-22-33, +7 912 345 67 89;импорт;15;gold\r\n' +
        'installer;  Импорт Два  ;500100732259;;Псков;;;;silver\r\n';
    const res = await importCsv('counterparties', body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.ok, 2);
    assert.equal(res.json.failed, 0);
    assert.equal(res.json.dry_run, false);
    assert.equal(await count('counterparty'), before + 2);
    const one = await ok(admin.get(`${C}/counterparties/${res.json.results[0].result.id}`));
    assert.equal(one.name, 'Импорт Один');
    assert.deepEqual(one.phones, ['+74951112233', '+79123456789']);
    assert.deepEqual(one.tags, ['импорт']);
    assert.deepEqual(one.attrs, { staff: 15, tier: 'gold' });
    assert.equal(res.json.results[1].result.name, 'Импорт Два', 'trimmed');
    const audit = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${one.id}`));
    assert.equal(audit[0].action, 'created');
});

test('counterparty import: bad rows and duplicates answer 422 per row and write nothing', async () => {
    const before = await count('counterparty');
    const body = HEAD +
        'end_customer;Импорт Хороший;;;;;;;\r\n' +                    // 2: fine
        'end_customer;Импорт Плохой ИНН;7707083894;;;;;;\r\n' +       // 3: checksum
        'alien;Импорт Вид;;;;;;;\r\n' +                               // 4: kind
        'partner;Импорт Телефон;;;;abc;;;\r\n' +                      // 5: phone
        'partner;Импорт Повтор;7736050003;773601001;;;;;\r\n' +       // 6: exists (test above)
        'partner;Импорт Двойник;7707083893;;;;;;\r\n' +               // 7: fine
        'partner;Импорт Двойник 2;7707083893;;;;;;\r\n' +             // 8: the row above
        'partner;;;;;;;;\r\n' +                                       // 9: no name
        'partner;Импорт Атрибут;;;;;;много;bronze\r\n';               // 10: attributes
    const res = await importCsv('counterparties', body);
    assert.equal(res.status, 422, res.text);
    const by = Object.fromEntries(res.json.results.map((x) => [x.row, x]));
    assert.equal(by[2].ok, true);
    assert.match(by[3].fields.inn, /checksum/);
    assert.ok(by[4].fields.kind, JSON.stringify(by[4]));
    assert.ok(by[5].fields['phones[0]'], JSON.stringify(by[5]));
    assert.match(by[6].fields.inn, /is used by counterparty \d+/);
    assert.equal(by[7].ok, true);
    assert.match(by[8].fields.inn, /is used by counterparty/, 'a duplicate within the file');
    assert.ok(by[9].fields.name, JSON.stringify(by[9]));
    assert.ok(by[10].fields['attr.staff'] || by[10].fields['attrs.tier'], JSON.stringify(by[10]));
    assert.equal(res.json.failed, 7);
    assert.equal(await count('counterparty'), before, 'nothing half-written');
    assert.equal(await stack.psql("SELECT count(*) FROM core.audit WHERE new->>'name' = 'Импорт Хороший'"), '0');
});

test('dry run: the preview reports what the import would do and writes nothing', async () => {
    const before = await count('counterparty');
    const body = HEAD + 'partner;Импорт Предпросмотр;7707083893;;;;;;\r\npartner;Импорт Предпросмотр 2;;;;;;;\r\n';
    let res = await importCsv('counterparties', body, '?dry_run=true');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.dry_run, true);
    assert.equal(res.json.ok, 2);
    assert.ok(res.json.results[0].result.id > 0);
    assert.equal(await count('counterparty'), before);
    // the preview finds the same problems
    res = await importCsv('counterparties', body + 'partner;Импорт Предпросмотр 3;7707083893;;;;;;\r\n', '?dry_run=true');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.failed, 1);
    assert.equal(res.json.results[2].ok, false);
    assert.ok(res.json.results[2].fields.inn);
    assert.equal(await count('counterparty'), before);
    assertError(await importCsv('counterparties', 'Тип;Цвет\r\npartner;red\r\n'), 422, 'validation', 'header');
});

test('round trip: list fields protected with a leading quote come back without it', async () => {
    const tagSets = [['=формула', '+плюс'], ['@собака', '-минус']];
    const src = [];
    for (const [i, tags] of tagSets.entries()) {
        src.push(await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: `Круг Метки ${i}`, tags }), 201));
    }
    const res = await download(`${C}/counterparties/export?_format=csv&q=${encodeURIComponent('Круг Метки')}&sort=id`);
    assert.equal(res.status, 200, res.text);
    const [head, ...rows] = parseCsv(res.text);
    assert.deepEqual(rows.map((r) => r[head.indexOf('Метки')]), ["'=формула; +плюс", "'@собака; -минус"],
        'Excel is kept from running the cell');
    // the export's own columns the import does not take: their headers blanked (ignored)
    const skip = new Set(['ID', 'Версия']);
    const lines = res.text.replace(/^\ufeff/, '').split('\r\n');
    lines[0] = head.map((h) => (skip.has(h) ? '' : h)).join(';');
    const back = await importCsv('counterparties', lines.join('\r\n'));
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.ok, 2);
    for (const [i, r] of back.json.results.entries()) {
        const made = await ok(admin.get(`${C}/counterparties/${r.result.id}`));
        assert.notEqual(made.id, src[i].id);
        assert.deepEqual(made.tags, tagSets[i], 'the same tags as exported');
        assert.equal(made.name, src[i].name);
    }
});

test('contact and outlet imports find their counterparty by INN or id', async () => {
    const head = await ok(admin.post(`${C}/counterparties`, {
        kind: 'retail_chain', name: 'Импорт Сеть', inn: '7702070139', kpp: '770201001',
    }), 201);
    let res = await importCsv('contacts',
        'Фамилия;Имя;Телефоны;ИНН контрагента;Номер контрагента;Должность\r\n' +
        `Импортов;Пётр;8 912 345-67-89;7702070139;;Закупщик\r\n` +
        `Импортова;Анна;;;${head.id};\r\n` +
        'Безссылочный;;;;;\r\n');
    assert.equal(res.status, 200, res.text);
    const kids = await ok(admin.get(`${C}/contacts?counterparty_id=${head.id}`));
    assert.deepEqual(kids.items.map((k) => k.full_name).sort(), ['Импортов Пётр', 'Импортова Анна']);
    const petr = kids.items.find((k) => k.first_name === 'Пётр');
    assert.deepEqual(petr.phones, ['+79123456789']);
    assert.equal(petr.links[0].position, 'Закупщик');

    const before = await count('contact');
    res = await importCsv('contacts',
        'Фамилия;ИНН контрагента;Номер контрагента;Должность\r\n' +
        'Хороший;7702070139;;\r\n' +
        'Нет ИНН;7700000000;;\r\n' +
        `Не тот;7702070139;${made[0].id};\r\n` +
        ';7702070139;;\r\n' +
        'Без контрагента;;;Директор\r\n');
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.results[0].ok, true);
    assert.ok(res.json.results[1].fields.counterparty_inn);
    assert.ok(res.json.results[2].fields.counterparty_inn);
    assert.ok(res.json.results[3].fields.last_name);
    assert.ok(res.json.results[4].fields.counterparty_id);
    assert.equal(await count('contact'), before);

    // an exported outlet file has both the owner's id and INN: they must agree
    res = await importCsv('outlets',
        'ИНН владельца;Номер владельца;Название;Формат;Площадь, м²;Широта;Долгота\r\n' +
        '7702070139;;Импорт Точка 1;diy;1 234,5;56,85;35,9\r\n' +
        `7702070139;${head.id};Импорт Точка 2;showroom;;;\r\n`);
    assert.equal(res.status, 200, res.text);
    const outs = await ok(admin.get(`${C}/outlets?owner_id=${head.id}&sort=name`));
    assert.deepEqual(outs.items.map((o) => o.name), ['Импорт Точка 1', 'Импорт Точка 2']);
    assert.equal(Number(outs.items[0].area), 1234.5);
    const ob = await count('outlet');
    res = await importCsv('outlets',
        'ИНН владельца;Название;Формат;Широта\r\n' +
        '7702070139;Импорт Точка 3;kiosk;\r\n' +
        '7702070139;Импорт Точка 4;diy;56\r\n' +
        ';Импорт Точка 5;diy;\r\n' +
        '7707083893;Импорт Точка 6;diy;\r\n');
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.format);
    assert.ok(res.json.results[1].fields.lon);
    assert.ok(res.json.results[2].fields.owner_id);
    assert.match(res.json.results[3].fields.owner_inn, /no counterparty has this INN/);
    assert.equal(await count('outlet'), ob);
});
