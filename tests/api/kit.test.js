// The resource kit (issue 13): an entity a module declares once in its
// descriptor (tests/modules/t_kit: no handler of its own) is served by the
// core -- the one list protocol (filters, q, sort, keyset pages, total),
// its CSV/XLSX export, get, create, partial update with version, archive,
// restore, delete; audit, events and own-only scope on every write;
// references only to what the user may see; GET /api/v1/meta/<entity>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_kit'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const W = '/api/v1/t_kit/widgets';
const PW = `Kit-Test-${process.pid}`;

function assertError(res, status, code, ...fields) {
    assert.equal(res.status, status, `status of ${res.text}`);
    assert.equal(res.json?.error?.code, code, res.text);
    for (const f of fields) assert.ok(res.json.error.fields?.[f], `field "${f}" named: ${res.text}`);
}

async function created(client, path, body) {
    const res = await client.post(path, body);
    assert.equal(res.status, 201, res.text);
    return res.json;
}

const list = async (client, qs) => {
    const res = await client.get(`${W}?${qs}`);
    assert.equal(res.status, 200, `${qs}: ${res.text}`);
    return res.json;
};
const names = (page) => page.items.map((w) => w.name);

// an own-only user with their own shelf and widget
let res = await admin.post('/api/v1/roles', {
    name: 'kit_own', label_ru: 'Свои изделия', permissions: ['t_kit.read', 't_kit.write'], own_only: true,
});
assert.equal(res.status, 201, res.text);
res = await admin.post('/api/v1/users', { login: 'kitown', password: PW, roles: ['kit_own'] });
assert.equal(res.status, 201, res.text);
const own = await stack.login('kitown', PW);
res = await admin.post('/api/v1/users', { login: 'kitnone', password: PW, roles: [] });
assert.equal(res.status, 201, res.text);
const none = await stack.login('kitnone', PW);

res = await admin.post('/api/v1/attributes', { entity: 't_kit.widget', name: 'colour', type: 'text', label_ru: 'Цвет', label_en: 'Colour' });
assert.equal(res.status, 201, res.text);

const shelf = await created(admin, '/api/v1/t_kit/shelves', { name: 'Admin shelf' });
const ownShelf = await created(own, '/api/v1/t_kit/shelves', { name: 'My shelf' });
const seed = [
    { name: 'Alpha', code: 'A-1', qty: 5, weight: 1.5, price: '10.00', due: '2026-01-10', done: true, shelf_id: shelf.id, attrs: { colour: 'red' } },
    { name: 'Bravo', code: 'B-2', qty: 7, weight: 2.25, price: '20.50', due: '2026-02-10', done: false },
    { name: 'Charlie', code: 'C_3', qty: 7, price: '30.00', due: '2026-03-10', attrs: { colour: 'blue' } },
    { name: 'Delta', qty: 1, weight: 9, due: '2026-04-10', done: true },
    { name: 'Echo 100%', code: 'E%5', qty: 3 },
];
const ws = [];
for (const w of seed) ws.push(await created(admin, W, w));
const mine = await created(own, W, { name: 'Mine', qty: 2, shelf_id: ownShelf.id });

test('create: the record as declared, audited, its event and after_write seen', async () => {
    const a = ws[0];
    assert.deepEqual(
        { ...a, owner_id: undefined },
        { id: a.id, name: 'Alpha', code: 'A-1', qty: 5, weight: 1.5, price: '10.00', due: '2026-01-10', done: true,
          serial: null, shelf_id: shelf.id, owner_id: undefined, status: 'new', attrs: { colour: 'red' }, active: true,
          version: 1 },
    );
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.widget&id=${a.id}`)).json;
    assert.equal(audit[0].action, 'created');
    assert.equal(audit[0].new.name, 'Alpha');
    const seen = await stack.rows(`SELECT what FROM t_kit.seen WHERE widget_id = ${a.id} ORDER BY id`);
    assert.deepEqual(seen.map((s) => s.what), ['t_kit.widget.created', 'after_write created']);
    // the owner is the creator (a read-only column written by its default)
    assert.notEqual(mine.owner_id, a.owner_id);
});

test('bad input: 422 naming each field, nothing written', async () => {
    const before = await stack.psql('SELECT count(*) FROM t_kit.widget');
    assertError(await admin.post(W, { qty: 1 }), 422, 'validation', 'name');
    assertError(await admin.post(W, { name: 'x', qty: 5000, price: 'abc', due: '2026-02-30', done: 'yes', colour: 1 }),
        422, 'validation', 'qty', 'price', 'due', 'done', 'colour');
    assertError(await admin.post(W, { name: 'x', owner_id: 1 }), 422, 'validation', 'owner_id');
    assertError(await admin.post(W, { name: 'x', attrs: { size: 'L' } }), 422, 'validation', 'attrs.size');
    assertError(await admin.post(W, { name: 'forbidden' }), 422, 'validation', 'name');
    assertError(await admin.post(W, { name: 'x', code: 'A-1' }), 409, 'conflict', 'code');
    res = await admin.post(W, { name: 'x', code: 'A-1' });
    assert.equal(res.json.error.fields.code, `is used by another widget (id ${ws[0].id})`);
    // ABI 1.5: the 409 names the record holding the value
    assert.deepEqual(res.json.duplicate, { id: ws[0].id, name: 'Alpha', visible: true, link: `${W}/${ws[0].id}` });
    assert.equal(await stack.psql('SELECT count(*) FROM t_kit.widget'), before);
});

test('list: each filter operator, search, attributes', async () => {
    assert.deepEqual(names(await list(admin, 'name=Bravo')), ['Bravo']);
    assert.deepEqual(names(await list(admin, 'qty=7')), ['Bravo', 'Charlie']);
    assert.deepEqual(names(await list(admin, 'qty.gte=3&qty.lte=5&owner_id.null=false')), ['Alpha', 'Echo 100%']);
    assert.deepEqual(names(await list(admin, 'price.gte=20.50')), ['Bravo', 'Charlie']);
    assert.deepEqual(names(await list(admin, 'due.lte=2026-02-10')), ['Alpha', 'Bravo']);
    assert.deepEqual(names(await list(admin, 'weight.gte=2')), ['Bravo', 'Delta']);
    assert.deepEqual(names(await list(admin, 'done=true')), ['Alpha', 'Delta']);
    assert.deepEqual(names(await list(admin, 'code.in=A-1,C_3,Z')), ['Alpha', 'Charlie']);
    assert.deepEqual(names(await list(admin, 'code.null=true&qty.gte=2')), ['Mine']);
    assert.deepEqual(names(await list(admin, `shelf_id=${shelf.id}`)), ['Alpha']);
    // q: every word in some searchable column, case-insensitive; % and _
    // are plain characters
    assert.deepEqual(names(await list(admin, 'q=ALP')), ['Alpha']);
    assert.deepEqual(names(await list(admin, 'q=c_')), ['Charlie']);
    assert.deepEqual(names(await list(admin, `q=${encodeURIComponent('100%')}`)), ['Echo 100%']);
    assert.deepEqual(names(await list(admin, 'q=echo%20E%255')), ['Echo 100%']);
    assert.deepEqual(names(await list(admin, 'attr.colour=blue')), ['Charlie']);
    // the module's own filters, with the same parameters
    assert.deepEqual(names(await list(admin, `shelf_name=${encodeURIComponent('Admin shelf')}`)), ['Alpha']);
    assert.deepEqual(names(await list(admin, 'heavy=true&sort=-weight')), ['Delta', 'Bravo']);
    assert.deepEqual(names(await list(admin, 'heavy=false&qty.gte=2')), ['Alpha']);
});

test('list: sort, keyset pages with next, total capped or exact', async () => {
    assert.deepEqual(names(await list(admin, 'sort=-qty,name')), ['Bravo', 'Charlie', 'Alpha', 'Echo 100%', 'Mine', 'Delta']);
    // empty values last in either direction
    assert.deepEqual(names(await list(admin, 'sort=price')), ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo 100%', 'Mine']);
    assert.deepEqual(names(await list(admin, 'sort=-price')), ['Charlie', 'Bravo', 'Alpha', 'Delta', 'Echo 100%', 'Mine']);
    for (const sort of ['-qty,name', 'price', '-price', 'due', '-id', 'weight,-due']) {
        const all = names(await list(admin, `sort=${sort}`));
        const got = [];
        let page = await list(admin, `sort=${sort}&limit=2`);
        assert.equal(page.total, 6);
        assert.equal(page.total_exact, true);
        for (;;) {
            got.push(...names(page));
            if (page.next === null) break;
            assert.equal(page.items.length, 2);
            page = await list(admin, `sort=${sort}&limit=2&after=${page.next}`);
        }
        assert.deepEqual(got, all, `pages of sort=${sort}`);
    }
    const page = await list(admin, 'limit=6');
    assert.equal(page.next, null, 'no next when the page holds the rest');
    assert.equal((await list(admin, 'total=exact&qty=7')).total, 2);
    // the cap: more than 1000 rows count as 1000, inexact
    await stack.psql("INSERT INTO t_kit.widget (name) SELECT 'bulk ' || g FROM generate_series(1, 1005) g");
    try {
        const capped = await list(admin, 'limit=1');
        assert.deepEqual([capped.total, capped.total_exact], [1000, false]);
        const exact = await list(admin, 'limit=1&total=exact');
        assert.deepEqual([exact.total, exact.total_exact], [1011, true]);
    } finally {
        await stack.psql("DELETE FROM t_kit.widget WHERE name LIKE 'bulk %'");
    }
});

test('list: a bad parameter is a 422 naming it', async () => {
    assertError(await admin.get(`${W}?colour=red`), 422, 'validation', 'colour');
    assertError(await admin.get(`${W}?qty=abc&qty.like=1&due.gte=2026-13-01&done=maybe&price.lte=1.234`),
        422, 'validation', 'qty', 'qty.like', 'due.gte', 'done', 'price.lte');
    assertError(await admin.get(`${W}?code.in=&weight.null=yes`), 422, 'validation', 'code.in', 'weight.null');
    assertError(await admin.get(`${W}?sort=code`), 422, 'validation', 'sort');
    assertError(await admin.get(`${W}?sort=nosuch,-name`), 422, 'validation', 'sort');
    assertError(await admin.get(`${W}?limit=0`), 422, 'validation', 'limit');
    assertError(await admin.get(`${W}?limit=501&total=all`), 422, 'validation', 'limit', 'total');
    assertError(await admin.get(`${W}?attr.size=L`), 422, 'validation', 'attr.size');
    assertError(await admin.get(`${W}?heavy=very&heavy.in=1`), 422, 'validation', 'heavy', 'heavy.in');
    assertError(await admin.get(`${W}?after=zzz`), 422, 'validation', 'after');
    // a cursor of another order is refused, not misread
    const page = await list(admin, 'sort=name&limit=1');
    assertError(await admin.get(`${W}?sort=-name&after=${page.next}`), 422, 'validation', 'after');
    assertError(await admin.get('/api/v1/t_kit/shelves?q=x'), 422, 'validation', 'q');
});

test('export: the list parameters drive CSV and XLSX', async () => {
    res = await admin.get(`${W}/export?qty=7&sort=-name`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-disposition'), /widgets-\d{4}-\d\d-\d\d\.csv/);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'ID;Название;Код;Количество;Цена;Срок;Готово;Статус;Версия');
    assert.deepEqual(lines.slice(1).map((l) => l.split(';')[1]), ['Charlie', 'Bravo']);
    assert.equal(lines[2].split(';')[4], '20,50');
    res = await admin.get(`${W}/export?qty=7&_format=xlsx`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /spreadsheetml/);
    assert.ok(res.text.startsWith('PK'), 'a zip file');
    assertError(await admin.get(`${W}/export?_format=pdf`), 422, 'validation', '_format');
    assertError(await admin.get(`${W}/export?qty=x`), 422, 'validation', 'qty');
});

test('update: only what is sent changes; version 409; required stays', async () => {
    const b = ws[1];
    res = await admin.patch(`${W}/${b.id}`, { version: b.version, qty: 8, attrs: { colour: 'green' } });
    assert.equal(res.status, 200, res.text);
    const b2 = res.json;
    assert.deepEqual([b2.qty, b2.name, b2.code, b2.price, b2.version, b2.attrs], [8, 'Bravo', 'B-2', '20.50', 2, { colour: 'green' }]);
    assertError(await admin.patch(`${W}/${b.id}`, { version: b.version, qty: 9 }), 409, 'conflict', 'version');
    assertError(await admin.patch(`${W}/${b.id}`, { qty: 9 }), 422, 'validation', 'version');
    assertError(await admin.patch(`${W}/${b.id}`, { version: b2.version, name: null }), 422, 'validation', 'name');
    res = await admin.patch(`${W}/${b.id}`, { version: b2.version, code: null, attrs: { colour: null } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.code, res.json.attrs, res.json.version], [null, {}, 3]);
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.widget&id=${b.id}`)).json;
    assert.deepEqual(audit.map((a) => a.action), ['updated', 'updated', 'created']);
    assert.equal(audit[1].old.qty, 7);
    assert.equal(audit[1].new.qty, 8);
    assertError(await admin.patch(`${W}/999999`, { version: 1, qty: 1 }), 404, 'not_found');
    assert.match((await admin.get(`${W}/999999`)).json.error.message, /no such widget/);
});

test('archive, restore, delete: version checked, audited, events', async () => {
    const d = (await admin.get(`${W}/${ws[3].id}`)).json;
    assertError(await admin.post(`${W}/${d.id}/archive`, { version: d.version + 1 }), 409, 'conflict', 'version');
    res = await admin.post(`${W}/${d.id}/archive`, { version: d.version });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.active, res.json.version], [false, d.version + 1]);
    assertError(await admin.get(`${W}?active=false`), 422, 'validation', 'active');
    res = await admin.post(`${W}/${d.id}/restore`, { version: d.version + 1 });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.active, true);
    assertError(await admin.delete(`${W}/${d.id}?version=1`), 409, 'conflict', 'version');
    res = await admin.delete(`${W}/${d.id}?version=${d.version + 2}`);
    assert.equal(res.status, 204, res.text);
    assertError(await admin.get(`${W}/${d.id}`), 404, 'not_found');
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.widget&id=${d.id}`)).json;
    assert.deepEqual(audit.map((a) => a.action), ['deleted', 'restored', 'archived', 'created']);
    const seen = await stack.rows(`SELECT what FROM t_kit.seen WHERE widget_id = ${d.id} ORDER BY id`);
    assert.deepEqual(seen.map((s) => s.what), [
        't_kit.widget.created', 'after_write created', 't_kit.widget.archived', 'after_write archived',
        't_kit.widget.restored', 'after_write restored', 't_kit.widget.deleted', 'after_write deleted',
    ]);
    // the shelf in use cannot go: no DELETE declared for shelves
    assert.equal((await admin.delete(`/api/v1/t_kit/shelves/${shelf.id}`)).status, 405);
});

test('scope: an own-only user sees, writes and points at their own records only', async () => {
    assert.deepEqual(names(await list(own, '')), ['Mine']);
    assert.equal((await own.get(`${W}?total=exact`)).json.total, 1);
    assertError(await own.get(`${W}/${ws[0].id}`), 404, 'not_found');
    assertError(await own.patch(`${W}/${ws[0].id}`, { version: 1, qty: 1 }), 404, 'not_found');
    // a hidden shelf and a missing one answer the same
    const hidden = await own.post(W, { name: 'x', shelf_id: shelf.id });
    const missing = await own.post(W, { name: 'x', shelf_id: 999999 });
    assertError(hidden, 422, 'validation', 'shelf_id');
    assert.deepEqual(hidden.json.error, missing.json.error);
    assert.equal(hidden.json.error.fields.shelf_id, 'no such shelf');
    // the admin sees every shelf
    res = await admin.patch(`${W}/${mine.id}`, { version: mine.version, shelf_id: shelf.id });
    assert.equal(res.status, 200, res.text);
    // the export keeps to the scope too
    res = await own.get(`${W}/export`);
    assert.deepEqual(res.text.trim().split('\r\n').length, 2);
    // without t_kit.delete: no deleting
    assertError(await own.delete(`${W}/${mine.id}`), 403, 'forbidden');
    assertError(await none.get(W), 403, 'forbidden');
});

test('meta: the declaration in the user\'s language, with what they may do', async () => {
    res = await admin.get('/api/v1/meta/t_kit.widget');
    assert.equal(res.status, 200, res.text);
    const m = res.json;
    assert.equal(m.entity, 't_kit.widget');
    assert.equal(m.label, 'Изделия');
    assert.equal(m.path, '/api/v1/t_kit/widgets');
    assert.deepEqual(m.columns.map((c) => c.name),
        ['name', 'code', 'qty', 'weight', 'price', 'due', 'done', 'serial', 'shelf_id', 'owner_id', 'status']);
    assert.deepEqual(m.columns[10].options, [
        { value: 'new', label: 'Новое' }, { value: 'ready', label: 'Готово к отгрузке' },
        { value: 'gone', label: 'Списано' },
    ]);
    assert.deepEqual(m.columns[0], {
        name: 'name', type: 'string', label: 'Название', required: true, filterable: true, sortable: true,
        searchable: true, exported: true, readonly: false, max: 100,
    });
    assert.equal(m.columns[8].ref, 't_kit.shelf');
    assert.equal(m.columns[9].readonly, true);
    assert.deepEqual(m.sorts, ['name', 'qty', 'weight', 'price', 'due', 'status']);
    assert.deepEqual(m.filters[0], { field: 'name', ops: ['eq', 'gte', 'lte', 'in', 'null'] });
    assert.deepEqual(m.filters.slice(-2), [
        { field: 'shelf_name', type: 'string', label: 'Полка (название)', ops: ['eq'] },
        { field: 'heavy', type: 'bool', label: 'Тяжёлое', ops: ['eq'] },
    ]);
    assert.equal(m.search, true);
    assert.equal(m.archive, true);
    assert.deepEqual(m.permissions, { read: true, write: true, delete: true });
    assert.deepEqual(m.attributes.map((a) => [a.name, a.label]), [['colour', 'Цвет']]);

    res = await admin.request('PATCH', '/api/v1/session', { json: { locale: 'en' } });
    assert.equal(res.status < 300, true, res.text);
    const en = (await admin.get('/api/v1/meta/t_kit.widget')).json;
    assert.deepEqual([en.label, en.columns[0].label, en.attributes[0].label], ['Widgets', 'Name', 'Colour']);
    assert.deepEqual(en.columns[10].options.map((o) => o.label), ['New', 'Ready', 'Written off']);
    await admin.request('PATCH', '/api/v1/session', { json: { locale: 'ru' } });

    assert.deepEqual((await own.get('/api/v1/meta/t_kit.widget')).json.permissions,
        { read: true, write: true, delete: false });
    assertError(await none.get('/api/v1/meta/t_kit.widget'), 403, 'forbidden');
    assertError(await admin.get('/api/v1/meta/t_kit.nosuch'), 404, 'not_found');
    assertError(await stack.get('/api/v1/meta/t_kit.widget'), 401, 'unauthenticated');
});

test('meta list: the entities the user may see, one line each', async () => {
    res = await admin.get('/api/v1/meta');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.find((e) => e.entity === 't_kit.widget'), {
        entity: 't_kit.widget', module: 't_kit', name: 'widget', path: '/api/v1/t_kit/widgets', label: 'Изделия',
        ui: '/t_kit/widgets', search: true, attrs: true, archive: true, mine: true, perm_write: true,
    });
    assert.deepEqual(res.json.items.map((e) => e.entity).sort(),
        ['t_kit.bin', 't_kit.box', 't_kit.call', 't_kit.lid', 't_kit.note', 't_kit.person', 't_kit.shelf', 't_kit.widget']);
    // a user without t_kit.read sees neither entity
    assert.deepEqual((await none.get('/api/v1/meta')).json, { items: [] });
    assertError(await stack.get('/api/v1/meta'), 401, 'unauthenticated');
    // t_kit has no www/index.js: the shell draws its screens from the metadata
    const session = (await admin.get('/api/v1/session')).json;
    assert.equal(session.modules.find((m) => m.name === 't_kit').script, null);
});

test('text is trimmed, a left-out column takes its default, a create-only one stays', async () => {
    let res = await admin.post(W, { name: '  Foxtrot  ', code: ' F-6 ', serial: 'S-1' });
    assert.equal(res.status, 201, res.text);
    const f = res.json;
    assert.deepEqual([f.name, f.code, f.qty, f.serial], ['Foxtrot', 'F-6', 0, 'S-1']);
    assertError(await admin.post(W, { name: '   ' }), 422, 'validation', 'name');
    // the unique check sees the trimmed value, and not the record itself
    assertError(await admin.post(W, { name: 'y', code: 'F-6  ' }), 409, 'conflict', 'code');
    res = await admin.patch(`${W}/${f.id}`, { version: 1, code: 'F-6', qty: 4 });
    assert.equal(res.status, 200, res.text);
    assertError(await admin.patch(`${W}/${f.id}`, { version: 2, serial: 'S-2' }), 422, 'validation', 'serial');
    assert.equal((await admin.delete(`${W}/${f.id}?version=2`)).status, 204);
});

test('ABI 1.4: a jsonb column, computed members, a detail-only one, a filter named as a column', async () => {
    const B = '/api/v1/t_kit/bins';
    const b = await created(admin, B, { name: 'Big red bin', shelf_id: shelf.id, spec: { litres: 40, lid: true } });
    assert.deepEqual(b.spec, { litres: 40, lid: true });
    assert.deepEqual(b.shelf, { id: shelf.id, name: 'Admin shelf' });
    assert.ok(b.updated_at, 'a computed member may show updated_at');
    assert.equal(b.words, undefined, 'a detail member stays out of a write answer');
    const loose = await created(admin, B, { name: 'Loose' });
    assert.deepEqual(loose.spec, {}, 'the default');
    assert.equal(loose.shelf, null);
    await created(admin, B, { name: 'Other', shelf_id: ownShelf.id });

    // the one-record answer has the detail member, the list has not
    const one = await admin.get(`${B}/${b.id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json.words, ['Big', 'red', 'bin']);
    const page = (await admin.get(`${B}?sort=name`)).json;
    assert.deepEqual(page.items.map((x) => x.name), ['Big red bin', 'Loose', 'Other']);
    assert.equal(page.items[0].words, undefined);

    // the module's filter named shelf_id stands for the column's own
    const mineOrNone = (await admin.get(`${B}?shelf_id=${shelf.id}&sort=name`)).json;
    assert.deepEqual(mineOrNone.items.map((x) => x.name), ['Big red bin', 'Loose']);
    assertError(await admin.get(`${B}?shelf_id.in=${shelf.id}`), 422, 'validation', 'shelf_id.in');

    // an object is written whole; computed members are not input
    let res = await admin.patch(`${B}/${b.id}`, { version: 1, spec: { litres: 60 } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.spec, { litres: 60 });
    assertError(await admin.patch(`${B}/${b.id}`, { version: 2, spec: 'big' }), 422, 'validation', 'spec');
    assertError(await admin.patch(`${B}/${b.id}`, { version: 2, shelf: { id: 1 } }), 422, 'validation', 'shelf');
    assertError(await admin.patch(`${B}/${b.id}`, { version: 2, words: [] }), 422, 'validation', 'words');
    res = await stack.rows(`SELECT new FROM core.audit WHERE entity = 't_kit.bin' AND entity_id = '${b.id}'
        AND action = 'updated'`);
    assert.deepEqual(res[0].new.spec, { litres: 60 });
    assert.equal(res[0].new.words, undefined, 'the audit row holds the record without detail members');

    // meta: the computed members are read-only, of their types
    const meta = (await admin.get('/api/v1/meta/t_kit.bin')).json;
    const col = (n) => meta.columns.find((c) => c.name === n);
    assert.equal(col('spec').type, 'object');
    assert.equal(col('words').type, 'array');
    assert.equal(col('shelf').readonly, true);
    assert.ok(meta.filters.some((f) => f.field === 'shelf_id' && f.ops.join() === 'eq'));
    assert.equal(meta.list, true);

    // without the kit's list: no GET of the path nor its export, the rest served
    const L = '/api/v1/t_kit/lids';
    // (ABI 1.5: the kit answers GET of the path 404 naming the entity)
    assert.equal((await admin.get(L)).status, 404, 'no GET of the list');
    assert.equal((await admin.get(`${L}/export`)).status, 404);
    assert.equal((await admin.get(`${L}/${loose.id}`)).json.name, 'Loose');
    res = await admin.patch(`${L}/${loose.id}`, { version: 1, name: 'Loose lid' });
    assert.equal(res.status, 200, res.text);
    assert.equal((await admin.get('/api/v1/meta/t_kit.lid')).json.list, false);
});

test('own search (ABI 1.4): the hook narrows, ranks by default, pages by rank; sort keeps the order asked for', async () => {
    const N = '/api/v1/t_kit/notes';
    const titles = ['Other', 'Big box', 'Boxes', 'box', 'Toolbox', 'A box of tea'];
    const ids = {};
    for (const title of titles) ids[title] = (await created(admin, N, { title })).id;
    const get = async (qs) => {
        const r = await admin.get(`${N}?${qs}`);
        assert.equal(r.status, 200, `${qs}: ${r.text}`);
        return r.json;
    };
    const t = (page) => page.items.map((n) => n.title);
    // words: the hook's WHERE, ordered by its rank (the title itself, then
    // those starting with it, then the rest), then the id
    const ranked = ['box', 'Boxes', 'A box of tea', 'Big box', 'Toolbox'];
    assert.deepEqual(t(await get('q=BOX')), ranked);
    assert.equal((await get('q=box')).total, 5);
    // keyset pages follow the rank, the cursor carries it
    const got = [];
    let page = await get('q=box&limit=2');
    for (;;) {
        got.push(...t(page));
        if (page.next === null) break;
        page = await get(`q=box&limit=2&after=${page.next}`);
    }
    assert.deepEqual(got, ranked);
    // with sort the search only narrows
    assert.deepEqual(t(await get('q=box&sort=-id')), ['A box of tea', 'Toolbox', 'box', 'Boxes', 'Big box']);
    // a cursor of the ranked order is not one of another order
    const first = await get('q=box&limit=1');
    assertError(await admin.get(`${N}?q=box&sort=title&after=${first.next}`), 422, 'validation', 'after');
    // digits: the hook's other statement (an id), no rank: the default sort
    assert.deepEqual(t(await get(`q=${ids.Boxes}`)), ['Boxes']);
    // without q the list is as declared (sort=title): every note
    assert.equal((await get('')).total, 6);
    // with other parameters, its numbers kept apart from theirs
    assert.deepEqual(t(await get('q=box&title.in=Toolbox,Other,box&sort=-id')), ['Toolbox', 'box']);
    // the export takes the same rows in the same order
    res = await admin.get(`${N}/export?q=box`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => l.split(';')[1]), ranked);
    // the declaration says the list has a search
    res = await admin.get('/api/v1/meta/t_kit.note');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.search, true);
});

// ---- ABI 1.5: lists, a condition every list keeps, a collation, the
// duplicate in a 409, DELETE as "make inactive" ----
const P = '/api/v1/t_kit/persons';
const pnames = (page) => page.items.map((p) => p.name);
const plist = async (qs) => {
    const r = await admin.get(`${P}?${qs}`);
    assert.equal(r.status, 200, `${qs}: ${r.text}`);
    return r.json;
};

test('lists: phones and e-mails by the core rules, tags; in and out as JSON arrays', async () => {
    const p = await created(admin, P, {
        name: 'Ёлкин', phones: ['8 (495) 123-45-67', ' +7 495 765 43 21 ', '', '84951234567'],
        emails: ['a@example.ru'], tags: ['vip', 'опт'], main_phone: '8 916 000-11-22',
    });
    // normalised as clients writes them, blanks and repeats dropped
    assert.deepEqual(p.phones, ['+74951234567', '+74957654321']);
    assert.deepEqual([p.emails, p.tags, p.main_phone], [['a@example.ru'], ['vip', 'опт'], '+79160001122']);
    assert.equal(await stack.psql(`SELECT phones::text FROM t_kit.person WHERE id = ${p.id}`), '{+74951234567,+74957654321}');
    // a bad element: 422 naming the column and the index; nothing written
    assertError(await admin.post(P, { name: 'x', phones: ['+7 495 123-45-67', '12'] }), 422, 'validation', 'phones[1]');
    assertError(await admin.post(P, { name: 'x', emails: ['not-an-address'] }), 422, 'validation', 'emails[0]');
    assertError(await admin.post(P, { name: 'x', tags: ['x'.repeat(31)] }), 422, 'validation', 'tags[0]');
    assertError(await admin.post(P, { name: 'x', tags: [1] }), 422, 'validation', 'tags[0]');
    assertError(await admin.post(P, { name: 'x', phones: '84951234567' }), 422, 'validation', 'phones');
    assertError(await admin.post(P, { name: 'x', phones: Array(6).fill('+74951234567') }), 422, 'validation', 'phones');
    assertError(await admin.post(P, { name: 'x', main_phone: 'call me' }), 422, 'validation', 'main_phone');
    assert.equal(await stack.psql("SELECT count(*) FROM t_kit.person WHERE name = 'x'"), '0');
    // an update replaces the list; null empties it
    res = await admin.patch(`${P}/${p.id}`, { version: p.version, tags: null, phones: ['+7 (495) 111-22-33'] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.tags, res.json.phones], [[], ['+74951112233']]);
    // = means "holds", read by the column's rule; .in any of; .null empty
    const q = await created(admin, P, { name: 'Phoned', phones: ['+7 495 222-33-44'], tags: ['опт'] });
    assert.deepEqual(pnames(await plist('phones=8(495)222-33-44')), ['Phoned']);
    assert.deepEqual(pnames(await plist('tags=опт')), ['Phoned']);
    assert.deepEqual(pnames(await plist('phones.in=84952223344,84951112233')).sort(), ['Phoned', 'Ёлкин']);
    assert.ok(pnames(await plist('tags.null=true')).includes('Ёлкин'));
    assert.ok(!pnames(await plist('tags.null=false')).includes('Ёлкин'));
    assertError(await admin.get(`${P}?tags.gte=a`), 422, 'validation', 'tags.gte');
    // q finds a phone's digits
    assert.deepEqual(pnames(await plist('q=4952223344')), ['Phoned']);
    // the metadata: the type and the rule, for the screens
    const m = (await admin.get('/api/v1/meta/t_kit.person')).json;
    const col = (n) => m.columns.find((c) => c.name === n);
    assert.deepEqual([col('phones').type, col('phones').rule, col('phones').list, col('phones').max_items], ['array', 'phone', true, 5]);
    assert.deepEqual([col('emails').rule, col('tags').item_max, col('main_phone').rule], ['email', 30, 'phone']);
    assert.equal(m.delete_archives, true);
    // export joins with "; " (guarded from Excel formulas), import splits it back
    res = await admin.get(`${P}/export?name=Phoned`);
    assert.equal(res.status, 200, res.text);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'ID;Имя;Код;ИНН;КПП;Телефоны;Эл. почта;Метки;Версия');
    assert.match(lines[1].split(';')[5], /^'?\+74952223344$/);
    const csv = `${lines[0]}\r\n${q.id};Phoned;;;;"'+74952223344; 8 (495) 000-00-01";;опт, новый;${q.version}\r\n`;
    res = await admin.request('POST', `${P}/import`, { body: csv, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.ok, res.json.failed], [1, 0]);
    const back = (await admin.get(`${P}/${q.id}`)).json;
    assert.deepEqual([back.phones, back.tags], [['+74952223344', '+74950000001'], ['опт', 'новый']]);
    // the same file again changes nothing
    res = await admin.request('POST', `${P}/import`, {
        body: (await admin.get(`${P}/export?name=Phoned`)).text, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.results.map((r) => r.result.action), ['unchanged']);
});

test('a condition every list keeps (merged records): list, count, export, search, references; not get', async () => {
    const a = await created(admin, P, { name: 'Merged away', code: 'M-1', phones: ['+74959990000'] });
    const b = await created(admin, P, { name: 'Merged into', code: 'M-2' });
    await stack.psql(`UPDATE t_kit.person SET merged_into = ${b.id} WHERE id = ${a.id}`);
    assert.deepEqual(pnames(await plist('q=Merged')), ['Merged into']);
    assert.equal((await plist('q=Merged&total=exact')).total, 1);
    assert.deepEqual(pnames(await plist('phones=+74959990000')), []);
    res = await admin.get(`${P}/export?q=Merged`);
    assert.equal(res.text.replace(/^\uFEFF/, '').trim().split('\r\n').length, 2);
    res = await admin.get('/api/v1/search?q=Merged');
    assert.equal(res.status, 200, res.text);
    const g = res.json.groups.find((x) => x.entity === 't_kit.person');
    assert.deepEqual(g.items.map((i) => i.id), [b.id]);
    // still readable by its id
    res = await admin.get(`${P}/${a.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.merged_into, b.id);
    // a reference names only the live ones
    assertError(await admin.post('/api/v1/t_kit/calls', { person_id: a.id }), 422, 'validation', 'person_id');
    await created(admin, '/api/v1/t_kit/calls', { person_id: b.id, topic: 'ok' });
    // a unique value is free again once its holder is merged (the partial index)
    await created(admin, P, { name: 'Code reused', code: 'M-1' });
    assertError(await admin.post(P, { name: 'Code again', code: 'M-2' }), 409, 'conflict', 'code');
});

test('a collated sort: Russian order, ё with е, case and Latin, equal names paged by id', async () => {
    const set = ['ёж', 'Еж', 'ель', 'Ёлка', 'Яблоко', 'аист', 'Zebra', 'apple', 'Ель', 'Ель', 'Ель'];
    for (const n of set) await created(admin, P, { name: n, tags: ['coll'] });
    const want = (await stack.rows(
        `SELECT name FROM t_kit.person WHERE 'coll' = ANY (tags) ORDER BY name COLLATE "ru-RU-x-icu", id`)).map((x) => x.name);
    const all = pnames(await plist('tags=coll&limit=100'));
    assert.deepEqual(all, want);
    // а before я, ё with е (not after я as bytes put it), case aside
    assert.ok(all.indexOf('аист') < all.indexOf('Еж') && all.indexOf('Ёлка') < all.indexOf('Яблоко'), all.join());
    assert.ok(all.indexOf('ёж') < all.indexOf('Яблоко') && all.indexOf('Ель') < all.indexOf('Яблоко'), all.join());
    for (const [sort, limit] of [['name', 2], ['-name', 3], ['name', 1]]) {
        const got = [], ids = [];
        let page = await plist(`tags=coll&sort=${sort}&limit=${limit}`);
        for (;;) {
            got.push(...pnames(page));
            ids.push(...page.items.map((x) => x.id));
            if (page.next === null) break;
            page = await plist(`tags=coll&sort=${sort}&limit=${limit}&after=${page.next}`);
        }
        const full = await plist(`tags=coll&sort=${sort}&limit=100`);
        assert.deepEqual(got, pnames(full), `${sort} by ${limit}`);
        assert.deepEqual(ids, full.items.map((x) => x.id), `${sort} by ${limit}: ids`);
        assert.equal(new Set(ids).size, set.length);
    }
});

test('409 with the duplicate: a unique column, the module\'s own check, a unique index raced', async () => {
    const x = await created(admin, P, { name: 'ООО Ромашка', inn: '7707083893', kpp: '773601001', code: 'R-1' });
    // the module's check (INN+KPP), through the kit, the shape clients answers
    res = await admin.post(P, { name: 'Ромашка 2', inn: '7707083893', kpp: '773601001' });
    assertError(res, 409, 'conflict', 'inn');
    assert.deepEqual(res.json.duplicate, { id: x.id, name: 'ООО Ромашка', visible: true, link: `${P}/${x.id}` });
    // an update into a duplicate too; another KPP is another record
    const y = await created(admin, P, { name: 'Ромашка филиал', inn: '7707083893', kpp: '773601002' });
    res = await admin.patch(`${P}/${y.id}`, { version: y.version, kpp: '773601001' });
    assertError(res, 409, 'conflict', 'inn');
    assert.equal(res.json.duplicate.id, x.id);
    // a declared unique column
    res = await admin.post(P, { name: 'Другая', code: 'R-1' });
    assertError(res, 409, 'conflict', 'code');
    assert.deepEqual(res.json.duplicate, { id: x.id, name: 'ООО Ромашка', visible: true, link: `${P}/${x.id}` });
    // the check missed it (saved meanwhile): the index refuses the INSERT,
    // the kit asks again and names the record
    res = await admin.post(`${P}?race=1`, { name: 'Ромашка 3', inn: '7707083893', kpp: '773601001' });
    assertError(res, 409, 'conflict', 'inn');
    assert.equal(res.json.duplicate.id, x.id);
    assert.equal(await stack.psql("SELECT count(*) FROM t_kit.person WHERE name LIKE 'Ромашка %'"), '1');
    // the import reports it as the row's conflict
    res = await admin.request('POST', `${P}/import`, {
        body: 'Имя;ИНН;КПП\r\nДубль;7707083893;773601001\r\n', headers: { 'Content-Type': 'text/csv' } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.text, /inn/);
});

test('DELETE makes inactive: archived, audited and announced so; restore brings it back', async () => {
    const p = await created(admin, P, { name: 'To archive' });
    assertError(await admin.delete(`${P}/${p.id}?version=${p.version + 1}`), 409, 'conflict', 'version');
    res = await admin.delete(`${P}/${p.id}?version=${p.version}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.active, res.json.version], [false, p.version + 1]);
    assert.equal(await stack.psql(`SELECT active FROM t_kit.person WHERE id = ${p.id}`), 'f');
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.person&id=${p.id}`)).json;
    assert.deepEqual(audit.map((a) => a.action).sort(), ['archived', 'created']);
    res = await admin.post(`${P}/${p.id}/restore`, { version: p.version + 1 });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.active, true);
    // without the delete permission: 403
    assertError(await own.delete(`${P}/${p.id}?version=${res.json.version}`), 403, 'forbidden');
});

test('an options column is filtered by its values: another is a 422 naming it', async () => {
    assert.ok((await list(admin, 'status=new')).items.length > 0);
    assert.ok((await list(admin, 'status.in=ready,gone')).items.every((w) => ['ready', 'gone'].includes(w.status)));
    assertError(await admin.get(`${W}?status=lost`), 422, 'validation', 'status');
    assertError(await admin.get(`${W}?status.in=new,lost`), 422, 'validation', 'status.in');
    assertError(await admin.get(`${W}/export?status=Новое`), 422, 'validation', 'status');
});

test('sort=updated_at: the kit\'s own column, both ways, paged by next', async () => {
    for (const sort of ['updated_at', '-updated_at']) {
        const full = await list(admin, `sort=${sort}&limit=500`);
        const got = [];
        let page = await list(admin, `sort=${sort}&limit=2`);
        for (;;) {
            got.push(...page.items.map((w) => w.id));
            if (page.next === null) break;
            page = await list(admin, `sort=${sort}&limit=2&after=${page.next}`);
        }
        assert.deepEqual(got, full.items.map((w) => w.id), sort);
    }
    const times = await stack.rows('SELECT id FROM t_kit.widget ORDER BY updated_at DESC, id');
    const full = await list(admin, 'sort=-updated_at&limit=500');
    assert.deepEqual(full.items.map((w) => w.id), times.map((x) => Number(x.id)).filter((id) => full.items.some((w) => w.id === id)));
});

test('GET of a list its module does not serve (KEDR_ENTITY_NO_LIST): 404 naming it', async () => {
    assertError(await admin.get('/api/v1/t_kit/lids'), 404, 'not_found');
    assert.match((await admin.get('/api/v1/t_kit/lids')).json.error.message, /lid list/);
});

test('a member the module writes (ABI 1.5): checked by type, kept out of the statements, written by after_write, read again', async () => {
    const B = '/api/v1/t_kit/boxes';
    const box = await created(admin, B, { name: 'Ящик', items: [{ name: 'Гайка', qty: 3 }, { name: 'Болт', qty: 2 }] });
    assert.deepEqual(box.items, [{ name: 'Гайка', qty: 3 }, { name: 'Болт', qty: 2 }], 'the answer carries what after_write wrote');
    assert.equal(box.count, 5);
    assert.equal(box.version, 1);
    assert.deepEqual((await admin.get(`${B}/${box.id}`)).json.items, box.items);
    const audit = (await admin.get(`/api/v1/audit?entity=t_kit.box&id=${box.id}`)).json;
    assert.deepEqual(audit[0].new.items, box.items, 'the audit row too');
    let seen = await stack.rows(`SELECT what FROM t_kit.seen WHERE what LIKE 't_kit.box.created%' ORDER BY id`);
    assert.equal(seen.length, 1);
    assert.deepEqual(JSON.parse(seen[0].what.replace('t_kit.box.created ', '')), box.items, 'and the event');

    // left out of an update: kept; given: replaced
    let b = (await admin.patch(`${B}/${box.id}`, { version: 1, name: 'Ящик 2' })).json;
    assert.equal(b.name, 'Ящик 2');
    assert.deepEqual(b.items, box.items);
    res = await admin.patch(`${B}/${box.id}`, { version: 2, items: [] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items, []);
    assert.equal(res.json.version, 3);
    seen = await stack.rows(`SELECT what FROM t_kit.seen WHERE what LIKE 't_kit.box.updated%' ORDER BY id`);
    assert.deepEqual(seen.map((s) => s.what), ['t_kit.box.updated [{"name":"Гайка","qty":3},{"name":"Болт","qty":2}]',
        't_kit.box.updated []']);

    // its JSON type by the declaration; the module's validate for the rest; nothing half-written
    assertError(await admin.post(B, { name: 'x', items: 'много' }), 422, 'validation', 'items');
    assertError(await admin.post(B, { name: 'x', items: [{ name: 'y' }] }), 422, 'validation', 'items[0]');
    assertError(await admin.post(B, { name: 'x', colour: 'red' }), 422, 'validation', 'colour');
    assert.equal((await stack.rows(`SELECT count(*)::int AS n FROM t_kit.box WHERE name = 'x'`))[0].n, 0);

    // the metadata shows it for the form: the module's, not read-only
    const meta = (await admin.get('/api/v1/meta/t_kit.box')).json;
    const items = meta.columns.find((c) => c.name === 'items');
    assert.equal(items.module, true);
    assert.equal(items.readonly, false);
    assert.equal(meta.columns.find((c) => c.name === 'count').readonly, true);

    // a scalar member without sql is a column of the import; a computed one is exported
    res = await admin.request('POST', `${B}/import`, {
        body: 'Название;Первый предмет\r\nИз файла;Шайба\r\nПустой;\r\n', headers: { 'Content-Type': 'text/csv' },
    });
    assert.equal(res.status, 200, res.text);
    const fromFile = (await admin.get(`${B}?sort=name`)).json.items.find((x) => x.name === 'Из файла');
    assert.deepEqual(fromFile.items, [{ name: 'Шайба', qty: 1 }]);
    res = await admin.get(`${B}/export?sort=name`);
    assert.equal(res.status, 200, res.text);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'ID;Название;Всего штук;Версия');
    assert.ok(lines.includes(`${fromFile.id};Из файла;1;1`), res.text);
});
