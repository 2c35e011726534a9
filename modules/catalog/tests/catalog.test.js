// catalog's API test (issue 6): product groups as a tree, products (CRUD,
// paging, sort, filter, trigram search with Cyrillic names), price types,
// prices and the price on a date, money as decimal strings, optimistic
// locking, permissions, the audit trail, and the master-data bulk import
// (created / updated / unchanged, per-row errors, idempotence, atomic
// mode, 500 rows in one request).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/catalog';
const PW = 'Catalog-Test-Password-1';
const admin = await stack.loginAdmin();

// The audit rows of a record, oldest first.
async function history(client, entity, id) {
    const res = await client.get(`/api/v1/audit?entity=${entity}&id=${id}`);
    assert.equal(res.status, 200, res.text);
    return res.json.slice().reverse();
}

const product = (body) => ok(admin.post(`${C}/products`, body), 201);
const group = (body) => ok(admin.post(`${C}/groups`, body), 201);

// A user holding only catalog.read, signed in.
async function reader() {
    await ok(admin.post('/api/v1/roles', {
        name: 'catalog_reader', label_ru: 'Каталог (чтение)', label_en: 'Catalog (read)',
        permissions: ['catalog.read'],
    }), 201);
    await ok(admin.post('/api/v1/users', { login: 'reader', password: PW, roles: ['catalog_reader'] }), 201);
    return stack.login('reader', PW);
}

test('catalog is enabled, migrated, declares its permissions and seeds price types', async () => {
    const health = await ok(stack.get('/api/v1/health'));
    assert.ok(health.modules.some((m) => m.name === 'catalog'), JSON.stringify(health.modules));
    assert.equal(await stack.psql(
        "SELECT string_agg(name, ',' ORDER BY name) FROM core.migration WHERE module = 'catalog'"),
    '0001_catalog.sql,0002_kit.sql');
    const perms = await ok(admin.get('/api/v1/permissions'));
    const text = JSON.stringify(perms);
    for (const p of ['catalog.read', 'catalog.write']) assert.ok(text.includes(p), text);
    assert.ok(text.includes('Просматривать каталог'), text);
    const types = (await ok(admin.get(`${C}/price-types`))).items;
    assert.deepEqual(types.map((t) => t.code), ['base', 'distributor', 'project', 'rrp']);
    assert.equal(types[0].name, 'Базовая (прайс-лист)');
    assert.equal(types[3].name_en, 'Recommended retail');
});

test('permissions: anonymous is 401, catalog.read may read but not write (403), tokens likewise', async () => {
    assertError(await stack.get(`${C}/products`), 401, 'unauthenticated');
    assertError(await stack.post(`${C}/products`, { sku: 'X', name: 'x' }), 401, 'unauthenticated');
    assertError(await stack.post(`${C}/import/products`, []), 401, 'unauthenticated');

    const p = await product({ sku: 'PERM-1', name: 'Выключатель' });
    const rd = await reader();
    assert.equal((await rd.get(`${C}/products`)).status, 200);
    assert.equal((await rd.get(`${C}/products/${p.id}`)).status, 200);
    assert.equal((await rd.get(`${C}/groups`)).status, 200);
    assert.equal((await rd.get(`${C}/price-types`)).status, 200);
    assert.equal((await rd.get(`${C}/products/${p.id}/prices`)).status, 200);
    assertError(await rd.post(`${C}/products`, { sku: 'PERM-2', name: 'x' }), 403, 'forbidden');
    assertError(await rd.patch(`${C}/products/${p.id}`, { version: 1, name: 'y' }), 403, 'forbidden');
    assertError(await rd.delete(`${C}/products/${p.id}`), 403, 'forbidden');
    assertError(await rd.post(`${C}/groups`, { name: 'G' }), 403, 'forbidden');
    assertError(await rd.post(`${C}/price-types`, { code: 'x', name: 'x' }), 403, 'forbidden');
    assertError(await rd.post(`${C}/products/${p.id}/prices`,
        { type: 'base', amount: '1.00', valid_from: '2024-01-01' }), 403, 'forbidden');
    assertError(await rd.post(`${C}/import/products`, []), 403, 'forbidden');
    // the module's read permission opens its records' audit trail
    assert.equal((await rd.get(`/api/v1/audit?entity=catalog.product&id=${p.id}`)).status, 200);

    const tok = await ok(admin.post('/api/v1/tokens', { name: 'mdm reader', permissions: ['catalog.read'] }), 201);
    const api = stack.client({ token: tok.token });
    assert.equal((await api.get(`${C}/products/${p.id}`)).status, 200);
    assertError(await api.post(`${C}/import/products`, []), 403, 'forbidden');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product WHERE sku = 'PERM-2'"), '0');
});

test('groups: a tree built by PostgreSQL, kinds by depth, path, moves, conflicts, empty-only delete', async () => {
    const brand = await group({ name: '  Этюд-Бренд ', code: 'BR-ETUDE' });
    assert.equal(brand.name, 'Этюд-Бренд', 'trimmed');
    assert.equal(brand.kind, 'brand');
    assert.equal(brand.parent_id, null);
    assert.equal(brand.version, 1);
    const series = await group({ name: 'Серия Этюд', parent_id: brand.id, code: 'SR-ETUDE' });
    assert.equal(series.kind, 'series');
    const sockets = await group({ name: 'Розетки', parent_id: series.id, sort: 1 });
    const switches = await group({ name: 'Выключатели', parent_id: series.id, sort: 2 });
    assert.equal(sockets.kind, 'group');
    assert.equal(sockets.code, null);

    // the tree: nested children in display order (sort, then name)
    const tree = await ok(admin.get(`${C}/groups`));
    const b = tree.find((g) => g.id === brand.id);
    assert.equal(b.children.length, 1);
    assert.equal(b.children[0].id, series.id);
    assert.deepEqual(b.children[0].children.map((g) => g.name), ['Розетки', 'Выключатели']);
    assert.deepEqual(b.children[0].children[0].children, []);
    const flat = await ok(admin.get(`${C}/groups?flat=true`));
    const fi = flat.findIndex((g) => g.id === brand.id);
    assert.deepEqual(flat.slice(fi, fi + 4).map((g) => [g.depth, g.name]),
        [[0, 'Этюд-Бренд'], [1, 'Серия Этюд'], [2, 'Розетки'], [2, 'Выключатели']]);
    assert.deepEqual(flat[fi + 2].path, ['Этюд-Бренд', 'Серия Этюд', 'Розетки']);
    assertError(await admin.get(`${C}/groups?flat=maybe`), 422, 'validation', 'flat');

    const one = await ok(admin.get(`${C}/groups/${sockets.id}`));
    assert.deepEqual(one.path.map((g) => g.name), ['Этюд-Бренд', 'Серия Этюд', 'Розетки']);
    assert.equal(one.children, 0);
    assertError(await admin.get(`${C}/groups/999999`), 404, 'not_found');
    assertError(await admin.get(`${C}/groups/abc`), 404, 'not_found');

    // conflicts: a code in use, a sibling with the same name (409); bad input (422)
    assertError(await admin.post(`${C}/groups`, { name: 'Другая', code: 'BR-ETUDE' }), 409, 'conflict', 'code');
    assertError(await admin.post(`${C}/groups`, { name: 'Розетки', parent_id: series.id }), 409, 'conflict', 'name');
    await group({ name: 'Розетки', parent_id: brand.id }); // another parent: fine
    assertError(await admin.post(`${C}/groups`, { name: 'X', parent_id: 999999 }), 422, 'validation', 'parent_id');
    assertError(await admin.post(`${C}/groups`, { name: 'X', kind: 'family' }), 422, 'validation', 'kind');
    assertError(await admin.post(`${C}/groups`, { name: '   ' }), 422, 'validation', 'name');
    assertError(await admin.post(`${C}/groups`, { name: 'X', colour: 'red' }), 422, 'validation', 'colour');

    // moves: never under itself or below it
    assertError(await admin.patch(`${C}/groups/${brand.id}`, { version: 1, parent_id: sockets.id }), 422,
        'validation', 'parent_id');
    assertError(await admin.patch(`${C}/groups/${brand.id}`, { version: 1, parent_id: brand.id }), 422,
        'validation', 'parent_id');
    let res = await admin.patch(`${C}/groups/${switches.id}`, { version: 1, parent_id: brand.id, name: 'Выключатели' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.parent_id, brand.id);
    assert.equal(res.json.version, 2);
    assertError(await admin.patch(`${C}/groups/${switches.id}`, { version: 1, name: 'Устаревшее' }), 409, 'conflict',
        'version');
    res = await admin.patch(`${C}/groups/${switches.id}`, { version: 2, code: 'GR-SW', parent_id: null });
    assert.equal(res.json.parent_id, null);
    assert.equal(res.json.code, 'GR-SW');
    assert.equal(res.json.name, 'Выключатели', 'kept');

    // delete: 409 with subgroups or products, 204 when empty
    assertError(await admin.delete(`${C}/groups/${brand.id}`), 409, 'conflict');
    const p = await product({ sku: 'GRP-1', name: 'Розетка', group_id: sockets.id });
    assertError(await admin.delete(`${C}/groups/${sockets.id}`), 409, 'conflict');
    assert.equal((await ok(admin.get(`${C}/groups/${brand.id}`))).products_total, 1);
    await ok(admin.patch(`${C}/products/${p.id}`, { version: 1, group_id: null }));
    assertError(await admin.delete(`${C}/groups/${sockets.id}?version=7`), 409, 'conflict', 'version');
    assert.equal((await admin.delete(`${C}/groups/${sockets.id}`)).status, 204);
    assertError(await admin.get(`${C}/groups/${sockets.id}`), 404, 'not_found');

    const rows = await history(admin, 'catalog.group', sockets.id);
    assert.deepEqual(rows.map((x) => x.action), ['created', 'deleted']);
    assert.equal(rows[1].old.name, 'Розетки');
    assert.equal(rows[1].new, null);
    const moved = await history(admin, 'catalog.group', switches.id);
    assert.deepEqual(moved.map((x) => x.action), ['created', 'updated', 'updated']);
    assert.equal(moved[1].old.parent_id, series.id);
    assert.equal(moved[1].new.parent_id, brand.id);
});

test('products: create, read, edit with the version read (stale: 409), delete; audit keeps old and new', async () => {
    const g = await group({ name: 'Рамки', code: 'GR-FRAMES' });
    const p = await product({
        sku: ' LG-774420 ', name: 'Рамка одноместная белая', group_id: g.id, unit: 'шт',
        attributes: { 'цвет': 'белый', posts: 1, ip44: false }, ext: { mdm: 'M-100', c1: ' 1c-100 ' },
    });
    assert.equal(p.sku, 'LG-774420');
    assert.equal(p.group_id, g.id);
    assert.deepEqual(p.group, { id: g.id, code: 'GR-FRAMES', name: 'Рамки' });
    assert.deepEqual(p.attributes, { 'цвет': 'белый', posts: 1, ip44: false });
    assert.deepEqual(p.ext, { mdm: 'M-100', c1: '1c-100' });
    assert.equal(p.active, true);
    assert.equal(p.version, 1);
    assert.ok(p.created_by > 0);
    const plain = await product({ sku: 'PLAIN-1', name: 'Без группы' });
    assert.equal(plain.unit, 'шт');
    assert.deepEqual(plain.attributes, {});
    assert.deepEqual(plain.ext, {});
    assert.equal(plain.group, null);

    let res = await admin.get(`${C}/products/${p.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.name, p.name);
    assert.deepEqual(res.json.current_prices, []);
    assertError(await admin.get(`${C}/products/999999`), 404, 'not_found');
    assertError(await admin.get(`${C}/products/0`), 404, 'not_found');

    // duplicates: 409 naming the field
    assertError(await admin.post(`${C}/products`, { sku: 'LG-774420', name: 'Копия' }), 409, 'conflict', 'sku');
    res = await admin.post(`${C}/products`, { sku: 'OTHER', name: 'Копия', ext: { mdm: 'M-100' } });
    assertError(res, 409, 'conflict', 'ext.mdm');
    assert.match(res.json.error.fields['ext.mdm'], new RegExp(`product ${p.id}`));
    assertError(await admin.post(`${C}/products`, { sku: 'OTHER', name: 'x', ext: { c1: '1c-100' } }), 409, 'conflict',
        'ext.c1');
    // refused input: 422 naming the field
    assertError(await admin.post(`${C}/products`, { name: 'Без артикула' }), 422, 'validation', 'sku');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: '' }), 422, 'validation', 'name');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', group_id: 999999 }), 422, 'validation',
        'group_id');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', attributes: { a: { b: 1 } } }), 422,
        'validation', 'attributes.a');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', ext: { MDM: 'x' } }), 422, 'validation',
        'ext.MDM');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', ext: { mdm: 5 } }), 422, 'validation',
        'ext.mdm');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', price: '1' }), 422, 'validation', 'price');
    assertError(await admin.post(`${C}/products`, { sku: 'X1', name: 'x', active: 'yes' }), 422, 'validation',
        'active');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product WHERE sku IN ('OTHER', 'X1')"), '0');

    // edit: members left out stay, attributes and ext are replaced
    res = await admin.patch(`${C}/products/${p.id}`, {
        version: 1, name: 'Рамка одноместная, белый', attributes: { 'цвет': 'белый' }, active: false,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 2);
    assert.equal(res.json.sku, 'LG-774420');
    assert.equal(res.json.group_id, g.id);
    assert.deepEqual(res.json.attributes, { 'цвет': 'белый' });
    assert.deepEqual(res.json.ext, { mdm: 'M-100', c1: '1c-100' });
    assert.equal(res.json.active, false);
    assert.ok(res.json.updated_at >= p.updated_at);
    // a stale version: 409, nothing changes
    res = await admin.patch(`${C}/products/${p.id}`, { version: 1, name: 'Потерянная правка' });
    assertError(res, 409, 'conflict', 'version');
    assert.equal((await ok(admin.get(`${C}/products/${p.id}`))).name, 'Рамка одноместная, белый');
    assertError(await admin.patch(`${C}/products/${p.id}`, { name: 'без версии' }), 422, 'validation', 'version');
    assertError(await admin.patch(`${C}/products/${p.id}`, { version: 2, sku: 'PLAIN-1' }), 409, 'conflict', 'sku');
    assertError(await admin.patch(`${C}/products/999999`, { version: 1, name: 'x' }), 404, 'not_found');
    res = await admin.patch(`${C}/products/${p.id}`, { version: 2, sku: 'LG-774420-W', group_id: null, ext: {} });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.group, null);
    assert.deepEqual(res.json.ext, {});

    // delete: with a stale ?version= 409, then 204 and gone
    assertError(await admin.delete(`${C}/products/${p.id}?version=1`), 409, 'conflict', 'version');
    assert.equal((await admin.delete(`${C}/products/${p.id}?version=3`)).status, 204);
    assertError(await admin.get(`${C}/products/${p.id}`), 404, 'not_found');
    assertError(await admin.delete(`${C}/products/${p.id}`), 404, 'not_found');

    const rows = await history(admin, 'catalog.product', p.id);
    assert.deepEqual(rows.map((x) => x.action), ['created', 'updated', 'updated', 'deleted']);
    assert.equal(rows[0].old, null);
    assert.equal(rows[0].new.sku, 'LG-774420');
    assert.equal(rows[1].old.name, 'Рамка одноместная белая');
    assert.equal(rows[1].new.name, 'Рамка одноместная, белый');
    assert.equal(rows[1].old.active, true);
    assert.equal(rows[1].new.active, false);
    assert.equal(rows[3].old.sku, 'LG-774420-W');
    assert.equal(rows[3].new, null);
    for (const x of rows) assert.equal(x.user_login, 'admin');
});

test('product list: paging, sort in Russian order, filters by group subtree and activity, trigram search', async () => {
    const brand = await group({ name: 'Лист-бренд' });
    const ser = await group({ name: 'Лист-серия', parent_id: brand.id });
    const leaf = await group({ name: 'Лист-группа', parent_id: ser.id });
    const other = await group({ name: 'Лист-другое' });
    const names = ['Ёлочная гирлянда', 'Автомат 16А', 'Яркая лампа', 'Щиток', 'Ель искусственная', 'Бра настенное',
        'Жёлоб кабельный', 'Розетка двойная с заземлением', 'Розетка USB', 'Выключатель проходной'];
    const made = [];
    for (const [i, name] of names.entries()) {
        made.push(await product({
            sku: `LST-${String(i).padStart(3, '0')}`, name, active: i !== 3,
            group_id: [brand.id, ser.id, leaf.id, other.id][i % 4],
        }));
    }
    const L = (qs) => ok(admin.get(`${C}/products?${qs}`));

    // filter by group includes its subgroups
    let res = await L(`group_id=${brand.id}&limit=500`);
    const inBrand = made.filter((_, i) => i % 4 !== 3).map((p) => p.id).sort((a, b) => a - b);
    assert.deepEqual(res.items.map((p) => p.id).sort((a, b) => a - b), inBrand);
    assert.equal(res.total, inBrand.length);
    res = await L(`group_id=${leaf.id}`);
    assert.deepEqual(res.items.map((p) => p.sku).sort(), ['LST-002', 'LST-006']);
    res = await L(`group_id=${other.id}&active=false`);
    assert.deepEqual(res.items.map((p) => p.sku), ['LST-003']);
    res = await L(`group_id=${other.id}&active=true`);
    assert.deepEqual(res.items.map((p) => p.sku).sort(), ['LST-007']);

    // sort by name: Russian alphabetical order, Ё next to Е (ICU collation)
    const all = (await L('sort=name&limit=500&q=')).items.filter((p) => p.sku.startsWith('LST-'));
    const ordered = all.map((p) => p.name);
    assert.deepEqual(ordered, ['Автомат 16А', 'Бра настенное', 'Выключатель проходной', 'Ёлочная гирлянда',
        'Ель искусственная', 'Жёлоб кабельный', 'Розетка двойная с заземлением', 'Розетка USB', 'Щиток',
        'Яркая лампа'].sort(new Intl.Collator('ru').compare));
    const desc = (await L('sort=-name&limit=500')).items.filter((p) => p.sku.startsWith('LST-')).map((p) => p.name);
    assert.deepEqual(desc, ordered.slice().reverse());
    const bySku = (await L('sort=-sku&q=LST-')).items.map((p) => p.sku);
    assert.deepEqual(bySku, names.map((_, i) => `LST-${String(i).padStart(3, '0')}`).reverse());

    // paging: keyset pages follow the order (next), total counts every match
    const p1 = await L('q=LST&sort=sku&limit=4');
    const p2 = await L(`q=LST&sort=sku&limit=4&after=${p1.next}`);
    const p3 = await L(`q=LST&sort=sku&limit=4&after=${p2.next}`);
    assert.equal(p1.total, 10);
    assert.equal(p1.items.length, 4);
    assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((p) => p.sku), bySku.slice().reverse());
    assert.equal(p3.items.length, 2);
    assert.equal(p3.next, null);

    // search by article fragment and by name, any case, Cyrillic
    res = await L('q=lst-00');
    assert.equal(res.total, 10);
    res = await L(`q=${encodeURIComponent('РОЗЕТКА')}&sort=sku`);
    assert.deepEqual(res.items.filter((p) => p.sku.startsWith('LST-')).map((p) => p.name),
        ['Розетка двойная с заземлением', 'Розетка USB']);
    res = await L(`q=${encodeURIComponent('заземл')}`);
    assert.deepEqual(res.items.map((p) => p.sku), ['LST-007']);
    res = await L(`q=${encodeURIComponent('LST-005')}`);
    assert.equal(res.items[0].sku, 'LST-005', 'the article itself first (relevance)');
    res = await L(`q=${encodeURIComponent('%')}`);
    assert.equal(res.total, 0, 'LIKE wildcards are literal');
    res = await L(`q=${encodeURIComponent('_')}`);
    assert.equal(res.total, 0);

    // bad queries: 422 naming the parameter
    assertError(await admin.get(`${C}/products?sort=price`), 422, 'validation', 'sort');
    assertError(await admin.get(`${C}/products?limit=100000`), 422, 'validation', 'limit');
    assertError(await admin.get(`${C}/products?offset=-1`), 422, 'validation', 'offset');
    assertError(await admin.get(`${C}/products?active=1`), 422, 'validation', 'active');
    assertError(await admin.get(`${C}/products?group_id=x`), 422, 'validation', 'group_id');

    // the search and sort columns have indexes
    const idx = await stack.psql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
        + "WHERE schemaname = 'catalog' AND tablename = 'product'");
    for (const name of ['product_name', 'product_name_trgm', 'product_sku_trgm', 'product_sku', 'product_group_id',
        'product_ext_mdm']) {
        assert.ok(idx.split(',').includes(name), idx);
    }
});

test('price types: create, edit, a used one cannot be deleted', async () => {
    const t = await ok(admin.post(`${C}/price-types`, { code: 'promo', name: 'Акционная', name_en: 'Promo', sort: 50 }),
        201);
    assert.equal(t.code, 'promo');
    assert.equal(t.active, true);
    assertError(await admin.post(`${C}/price-types`, { code: 'promo', name: 'x' }), 409, 'conflict', 'code');
    assertError(await admin.post(`${C}/price-types`, { code: 'Bad Code', name: 'x' }), 422, 'validation', 'code');
    assertError(await admin.patch(`${C}/price-types/${t.id}`, { version: 1, code: 'other' }), 422, 'validation',
        'code');
    const upd = await ok(admin.patch(`${C}/price-types/${t.id}`, { version: 1, name: 'Акция', active: false }));
    assert.equal(upd.name, 'Акция');
    assert.equal(upd.version, 2);
    assertError(await admin.patch(`${C}/price-types/${t.id}`, { version: 1, name: 'x' }), 409, 'conflict', 'version');
    const active = (await ok(admin.get(`${C}/price-types?active=true`))).items;
    assert.ok(!active.some((x) => x.code === 'promo'));

    const p = await product({ sku: 'PT-1', name: 'Товар с акцией' });
    await ok(admin.post(`${C}/products/${p.id}/prices`, { type: 'promo', amount: '10', valid_from: '2024-01-01' }),
        201);
    assertError(await admin.delete(`${C}/price-types/${t.id}`), 409, 'conflict');
    const t2 = await ok(admin.post(`${C}/price-types`, { code: 'tmp', name: 'Временная' }), 201);
    assert.equal((await admin.delete(`${C}/price-types/${t2.id}`)).status, 204);
    assertError(await admin.get(`${C}/price-types/${t2.id}`), 404, 'not_found');
    const rows = await history(admin, 'catalog.price_type', t2.id);
    assert.deepEqual(rows.map((x) => x.action), ['created', 'deleted']);
});

test('prices: money as decimal strings, history, the price valid on a date', async () => {
    const p = await product({ sku: 'PRC-1', name: 'Розетка с ценами' });
    const P = `${C}/products/${p.id}`;
    let res = await admin.post(`${P}/prices`, { type: 'base', amount: '1234.5', valid_from: '2024-03-01' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.amount, '1234.50');
    assert.equal(res.json.currency, 'RUB');
    assert.equal(res.json.valid_from, '2024-03-01');
    assert.equal(res.json.type, 'base');
    const first = res.json;
    await ok(admin.post(`${P}/prices`, { type: 'base', amount: '1300', valid_from: '2024-06-15' }), 201);
    await ok(admin.post(`${P}/prices`, { type: 'rrp', amount: '0.99', currency: 'USD', valid_from: '2024-01-01' }),
        201);
    await ok(admin.post(`${P}/prices`, { type: 'base', amount: '9999999999999999.99', valid_from: '2099-01-01' }), 201);

    // invalid money and the rest: 422 naming the field; nothing stored
    for (const amount of ['12.345', 'abc', '1,50', '', ' 1.00', '1e3', '12345678901234567']) {
        assertError(await admin.post(`${P}/prices`, { type: 'base', amount, valid_from: '2024-01-01' }), 422,
            'validation', 'amount');
    }
    assertError(await admin.post(`${P}/prices`, { type: 'base', amount: 12.5, valid_from: '2024-01-01' }), 422,
        'validation', 'amount');
    assertError(await admin.post(`${P}/prices`, { type: 'base', amount: '-1.00', valid_from: '2024-01-01' }), 422,
        'validation', 'amount');
    assertError(await admin.post(`${P}/prices`, { type: 'base', amount: '1', currency: 'rub', valid_from: '2024-01-01' }),
        422, 'validation', 'currency');
    assertError(await admin.post(`${P}/prices`, { type: 'base', amount: '1', valid_from: '2024-02-30' }), 422,
        'validation', 'valid_from');
    assertError(await admin.post(`${P}/prices`, { type: 'nope', amount: '1', valid_from: '2024-01-01' }), 422,
        'validation', 'type');
    assertError(await admin.post(`${P}/prices`, { amount: '1', valid_from: '2024-01-01' }), 422, 'validation', 'type');
    // one price per product, type and date
    assertError(await admin.post(`${P}/prices`, { type: 'base', amount: '1', valid_from: '2024-03-01' }), 409,
        'conflict', 'valid_from');
    assertError(await admin.post(`${C}/products/999999/prices`, { type: 'base', amount: '1', valid_from: '2024-01-01' }),
        404, 'not_found');
    assert.equal(await stack.psql(`SELECT count(*) FROM catalog.price WHERE product_id = ${p.id}`), '4');

    // history: by type, newest first; `current` marks today's
    const hist = await ok(admin.get(`${P}/prices`));
    assert.deepEqual(hist.map((x) => [x.type, x.valid_from, x.amount, x.current]), [
        ['base', '2099-01-01', '9999999999999999.99', false],
        ['base', '2024-06-15', '1300.00', true],
        ['base', '2024-03-01', '1234.50', false],
        ['rrp', '2024-01-01', '0.99', true],
    ]);
    assert.equal(hist[3].currency, 'USD');
    assert.deepEqual((await ok(admin.get(`${P}/prices?type=rrp`))).map((x) => x.amount), ['0.99']);
    const cur = (await ok(admin.get(P))).current_prices;
    assert.deepEqual(cur.map((x) => [x.type, x.amount]), [['base', '1300.00'], ['rrp', '0.99']]);
    assertError(await admin.get(`${C}/products/999999/prices`), 404, 'not_found');

    // the price on a date: the latest valid_from on or before it
    const on = (date, type = 'base') => admin.get(`${P}/price?type=${type}&date=${date}`);
    assertError(await on('2024-02-29'), 404, 'not_found');
    res = await on('2024-03-01');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.amount, '1234.50', 'on the boundary day');
    assert.equal(res.json.id, first.id);
    assert.equal((await on('2024-06-14')).json.amount, '1234.50');
    assert.equal((await on('2024-06-15')).json.amount, '1300.00');
    assert.equal((await on('2030-01-01')).json.amount, '1300.00', 'after a later price');
    assert.equal((await on('2099-12-31')).json.amount, '9999999999999999.99');
    assert.equal((await on('2024-01-01', 'rrp')).json.amount, '0.99');
    assertError(await on('2024-12-31', 'distributor'), 404, 'not_found');
    res = await admin.get(`${P}/price?type=base`);
    assert.equal(res.json.amount, '1300.00', 'today without a date');
    assertError(await on('2024-13-01'), 422, 'validation', 'date');
    assertError(await on('2024-01-01', 'nope'), 422, 'validation', 'type');
    assertError(await admin.get(`${P}/price?date=2024-01-01`), 422, 'validation', 'type');
    assertError(await admin.get(`${C}/products/999999/price?type=base&date=2024-01-01`), 404, 'not_found');

    // delete a price entered by mistake
    assert.equal((await admin.delete(`${P}/prices/${first.id}`)).status, 204);
    assertError(await on('2024-03-01'), 404, 'not_found');
    assertError(await admin.delete(`${P}/prices/${first.id}`), 404, 'not_found');
    const rows = await history(admin, 'catalog.price', first.id);
    assert.deepEqual(rows.map((x) => x.action), ['created', 'deleted']);
    assert.equal(rows[0].new.amount, '1234.50');
});

// ---------------------------------------------------------------------
// bulk import
// ---------------------------------------------------------------------

const IMP = `${C}/import/products`;
const countsOf = (j) => ({ created: j.created, updated: j.updated, unchanged: j.unchanged, errors: j.errors });

test('import: created, then unchanged on a second send (idempotent), then updated', async () => {
    await group({ name: 'Импорт-группа', code: 'IMP-G' });
    const rows = [
        { ext: { mdm: 'IMP-1', c1: 'c1-imp-1' }, sku: 'IMP-001', name: 'Розетка импортная', group_code: 'IMP-G',
            attributes: { 'цвет': 'белый' }, prices: [{ type: 'base', amount: '100.5', valid_from: '2024-01-01' },
                { type: 'rrp', amount: '150', currency: 'RUB', valid_from: '2024-01-01' }] },
        { ext: { mdm: 'IMP-2' }, sku: 'IMP-002', name: 'Выключатель импортный',
            group_path: ['Импорт-бренд', 'Импорт-серия', 'Клавишные'], unit: 'шт' },
        { ext: { mdm: 'IMP-3' }, sku: 'IMP-003', name: 'Рамка импортная', group_path: ['Импорт-бренд', 'Импорт-серия'],
            active: false },
    ];
    let res = await admin.post(IMP, rows);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(countsOf(res.json), { created: 3, updated: 0, unchanged: 0, errors: 0 });
    assert.deepEqual(res.json.results.map((x) => [x.index, x.status]), [[0, 'created'], [1, 'created'], [2, 'created']]);
    const ids = res.json.results.map((x) => x.id);
    assert.ok(ids.every((id) => id > 0));

    const p0 = await ok(admin.get(`${C}/products/${ids[0]}`));
    assert.equal(p0.group.code, 'IMP-G');
    assert.deepEqual(p0.ext, { mdm: 'IMP-1', c1: 'c1-imp-1' });
    assert.deepEqual(p0.current_prices.map((x) => [x.type, x.amount]), [['base', '100.50'], ['rrp', '150.00']]);
    // groups named by path were created once, with kinds by depth
    const flat = await ok(admin.get(`${C}/groups?flat=true`));
    const made = flat.filter((g) => g.path[0] === 'Импорт-бренд');
    assert.deepEqual(made.map((g) => [g.path.join('/'), g.kind]), [
        ['Импорт-бренд', 'brand'], ['Импорт-бренд/Импорт-серия', 'series'],
        ['Импорт-бренд/Импорт-серия/Клавишные', 'group']]);
    const p1 = await ok(admin.get(`${C}/products/${ids[1]}`));
    assert.equal(p1.group.name, 'Клавишные');
    const p2 = await ok(admin.get(`${C}/products/${ids[2]}`));
    assert.equal(p2.group.name, 'Импорт-серия');
    assert.equal(p2.active, false);
    assert.equal((await history(admin, 'catalog.product', ids[0])).length, 1);

    // the same array again changes nothing
    const auditBefore = await stack.psql("SELECT count(*) FROM core.audit WHERE entity LIKE 'catalog.%'");
    res = await admin.post(IMP, rows);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(countsOf(res.json), { created: 0, updated: 0, unchanged: 3, errors: 0 });
    assert.deepEqual(res.json.results.map((x) => x.id), ids);
    assert.equal(await stack.psql("SELECT count(*) FROM core.audit WHERE entity LIKE 'catalog.%'"), auditBefore);
    assert.equal((await ok(admin.get(`${C}/products/${ids[0]}`))).version, 1);

    // a changed name, a new price, a changed price amount: updated
    const next = structuredClone(rows);
    next[0].name = 'Розетка импортная белая';
    next[1].prices = [{ type: 'base', amount: '55.00', valid_from: '2024-02-01' }];
    next[2].attributes = { 'серия': 'Этюд' };
    res = await admin.post(IMP, next);
    assert.deepEqual(countsOf(res.json), { created: 0, updated: 3, unchanged: 0, errors: 0 });
    let p = await ok(admin.get(`${C}/products/${ids[0]}`));
    assert.equal(p.name, 'Розетка импортная белая');
    assert.equal(p.version, 2);
    assert.deepEqual(p.attributes, { 'цвет': 'белый' });
    p = await ok(admin.get(`${C}/products/${ids[1]}`));
    assert.equal(p.version, 1, 'a new price alone leaves the product as it was');
    next[0].prices[0].amount = '101.00';
    res = await admin.post(IMP, next);
    assert.deepEqual(countsOf(res.json), { created: 0, updated: 1, unchanged: 2, errors: 0 });
    assert.equal((await ok(admin.get(`${C}/products/${ids[0]}/price?type=base&date=2024-01-01`))).amount, '101.00');
    const rowsAudit = await history(admin, 'catalog.product', ids[0]);
    assert.deepEqual(rowsAudit.map((x) => x.action), ['created', 'updated']);
    assert.equal(rowsAudit[1].old.name, 'Розетка импортная');
    assert.equal(rowsAudit[1].new.name, 'Розетка импортная белая');
    const priceRows = await stack.rows(`SELECT action, old->>'amount' AS old, new->>'amount' AS new FROM core.audit
        WHERE entity = 'catalog.price' AND new->>'product_id' = '${ids[0]}' ORDER BY id`);
    assert.deepEqual(priceRows.slice(-1), [{ action: 'updated', old: '100.50', new: '101.00' }]);
});

test('import: per-row errors skip the bad rows and save the good ones', async () => {
    const taken = await product({ sku: 'TAKEN-1', name: 'Занятый артикул', ext: { mdm: 'OWNED' } });
    const rows = [
        { ext: { mdm: 'ERR-OK-1' }, sku: 'ERR-001', name: 'Хороший товар' },
        { ext: { mdm: 'ERR-2' }, name: 'Без артикула' },
        { ext: { mdm: 'ERR-3' }, sku: 'ERR-003', name: 'Плохая цена',
            prices: [{ type: 'base', amount: '12.345', valid_from: '2024-01-01' }] },
        { ext: { mdm: 'ERR-4' }, sku: 'ERR-004', name: 'Нет такой группы', group_code: 'NO-SUCH-GROUP' },
        { ext: { mdm: 'ERR-OK-1' }, sku: 'ERR-005', name: 'Повтор ключа' },
        { ext: { mdm: 'ERR-6' }, sku: 'TAKEN-1', name: 'Чужой артикул' },
        { sku: 'ERR-007', name: 'Без внешнего кода' },
        { ext: { mdm: 'ERR-8' }, sku: 'ERR-008', name: 'Тип цены', prices: [{ type: 'wholesale', amount: '1',
            valid_from: '2024-01-01' }] },
        { ext: { mdm: 'ERR-9' }, sku: 'ERR-009', name: 'Лишнее поле', colour: 'red' },
        'not an object',
        { ext: { mdm: 'ERR-OK-11' }, sku: 'ERR-011', name: 'Второй хороший', group_path: ['Ошибки-бренд'] },
        { ext: { mdm: 'ERR-12' }, sku: 'ERR-012', name: 'Оба способа', group_code: 'IMP-G', group_path: ['X'] },
        { ext: { mdm: 'ERR-13' }, sku: 'ERR-013', name: 'Дата', prices: [{ type: 'base', amount: '1',
            valid_from: '2024-02-30' }, { type: 'base', amount: '2', valid_from: '2024-01-01' },
        { type: 'base', amount: '3', valid_from: '2024-01-01' }] },
        { ext: { mdm: 'OWNED' }, sku: 'PLAIN-1', name: 'Чужой артикул у своего товара' },
    ];
    const res = await admin.post(IMP, rows);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(countsOf(res.json), { created: 2, updated: 0, unchanged: 0, errors: 12 });
    const r = res.json.results;
    assert.deepEqual(r.map((x) => x.status), ['created', 'error', 'error', 'error', 'error', 'error', 'error', 'error',
        'error', 'error', 'created', 'error', 'error', 'error']);
    assert.ok(r[0].id > 0 && r[10].id > 0);
    assert.equal(r[0].errors, undefined);
    assert.ok(r[1].errors.sku);
    assert.ok(r[2].errors['prices[0].amount']);
    assert.equal(r[3].errors.group_code, 'no group with this code');
    assert.equal(r[4].errors['ext.mdm'], 'repeats row 0');
    assert.match(r[5].errors.sku, /is used by product \d+/);
    assert.ok(r[6].errors['ext.mdm']);
    assert.ok(r[7].errors['prices[0].type']);
    assert.equal(r[8].errors.colour, 'unknown field');
    assert.ok(r[9].errors['']);
    assert.ok(r[11].errors.group_path);
    assert.ok(r[12].errors['prices[0].valid_from']);
    assert.ok(r[12].errors['prices[2]'], JSON.stringify(r[12]));
    // an error row names the product it matched (null: none)
    assert.match(r[13].errors.sku, /is used by product \d+/);
    assert.equal(r[13].id, taken.id);
    for (const x of r.slice(1, 10)) assert.equal(x.id, null);
    assert.equal((await ok(admin.get(`${C}/products/${taken.id}`))).name, 'Занятый артикул', 'left as it was');
    assert.equal(await stack.psql("SELECT string_agg(sku, ',' ORDER BY sku) FROM catalog.product WHERE sku LIKE 'ERR-%'"),
        'ERR-001,ERR-011');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product_group WHERE name = 'X'"), '0',
        'a bad row leaves no group behind');

    // refused requests
    assertError(await admin.post(IMP, { sku: 'x' }), 422, 'validation');
    assertError(await admin.post(`${IMP}?key=sf`, []), 422, 'validation', 'key');
    assertError(await admin.post(`${IMP}?mode=some`, []), 422, 'validation', 'mode');
    const empty = await ok(admin.post(IMP, []));
    assert.deepEqual(empty, { created: 0, updated: 0, unchanged: 0, errors: 0, results: [] });
});

test('import: atomic mode saves nothing when a row is bad; key=c1 and adoption by SKU', async () => {
    let res = await admin.post(`${IMP}?mode=atomic`, [
        { ext: { mdm: 'ATOM-1' }, sku: 'ATOM-001', name: 'Хороший', group_path: ['Атомарный бренд'] },
        { ext: { mdm: 'ATOM-2' }, sku: 'ATOM-002', name: '' },
    ]);
    assertError(res, 422, 'validation', '[1].name');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product WHERE sku LIKE 'ATOM-%'"), '0');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product_group WHERE name = 'Атомарный бренд'"), '0');
    res = await admin.post(`${IMP}?mode=atomic`, [
        { ext: { mdm: 'ATOM-1' }, sku: 'ATOM-001', name: 'Хороший', group_path: ['Атомарный бренд'] },
    ]);
    assert.deepEqual(countsOf(res.json), { created: 1, updated: 0, unchanged: 0, errors: 0 });

    // 1C matches by its own id; a product without a 1C id is adopted by its SKU
    const manual = await product({ sku: 'C1-001', name: 'Заведён вручную' });
    res = await admin.post(`${IMP}?key=c1`, [
        { ext: { c1: '1c-guid-1' }, sku: 'C1-001', name: 'Заведён вручную' },
        { ext: { c1: '1c-guid-2' }, sku: 'C1-002', name: 'Новый из 1С' },
    ]);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.results.map((x) => x.status), ['updated', 'created']);
    assert.equal(res.json.results[0].id, manual.id);
    assert.deepEqual((await ok(admin.get(`${C}/products/${manual.id}`))).ext, { c1: '1c-guid-1' });
    // renamed in 1C, matched by the 1C id: the SKU follows
    res = await admin.post(`${IMP}?key=c1`, [{ ext: { c1: '1c-guid-1' }, sku: 'C1-001-NEW', name: 'Переименован' }]);
    assert.deepEqual(res.json.results.map((x) => [x.status, x.id]), [['updated', manual.id]]);
    assert.equal((await ok(admin.get(`${C}/products/${manual.id}`))).sku, 'C1-001-NEW');
    // the master-data key is required when matching by it
    res = await admin.post(IMP, [{ ext: { c1: '1c-guid-2' }, sku: 'C1-002', name: 'x' }]);
    assert.ok(res.json.results[0].errors['ext.mdm']);
});

test('import: 500 rows in one request, then the same 500 unchanged', async () => {
    const rows = [];
    for (let i = 0; i < 500; i++) {
        rows.push({
            ext: { mdm: `BULK-${i}`, c1: `c1-bulk-${i}` }, sku: `BULK-${String(i).padStart(4, '0')}`,
            name: `Товар массовый №${i}`, group_path: ['Массовый бренд', `Серия ${i % 5}`],
            attributes: { n: i, 'цвет': i % 2 ? 'белый' : 'чёрный' },
            prices: [{ type: 'base', amount: `${100 + i}.25`, valid_from: '2024-01-01' },
                { type: 'distributor', amount: `${80 + i}`, valid_from: '2024-01-01' }],
        });
    }
    let res = await admin.post(IMP, rows, { timeout: 60000 });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(countsOf(res.json), { created: 500, updated: 0, unchanged: 0, errors: 0 });
    const firstMs = res.ms;
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product WHERE sku LIKE 'BULK-%'"), '500');
    assert.equal(await stack.psql(`SELECT count(*) FROM catalog.price pr JOIN catalog.product p
        ON p.id = pr.product_id WHERE p.sku LIKE 'BULK-%'`), '1000');
    assert.equal(await stack.psql("SELECT count(*) FROM catalog.product_group WHERE name LIKE 'Серия _'"), '5');
    const one = (await ok(admin.get(`${C}/products?mdm=BULK-7`))).items;
    assert.equal(one.length, 1);
    assert.equal((await ok(admin.get(`${C}/products/${one[0].id}/price?type=base&date=2024-05-01`))).amount, '107.25');

    res = await admin.post(IMP, rows, { timeout: 60000 });
    assert.deepEqual(countsOf(res.json), { created: 0, updated: 0, unchanged: 500, errors: 0 });
    process.stderr.write(`# import of 500 rows: ${firstMs} ms, again unchanged: ${res.ms} ms\n`);
    assert.ok(res.ms < 5000, `unchanged import took ${res.ms} ms`);
});

test('no query failed: conflicts and misses were found without a database error', async () => {
    const errors = stack.log().split('\n').filter((l) => / error \[/.test(l));
    assert.deepEqual(errors, []);
});
