// clients' outlets API test (issue 6, item 3): outlets (shops) with their
// owner, format, coordinates and area; CRUD with optimistic locking and
// deactivation; the distributors that supply them; the assortment
// (catalog groups with shelf share / facings, products offered, the date
// of the last check) replaced and read back with references checked;
// list filters and search; permissions; the audit trail; outlets moved
// by a counterparty merge.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const PW = 'Outlets-Test-Password-1';
const admin = await stack.loginAdmin();

const cp = (body) => ok(admin.post(`${C}/counterparties`, body), 201);
const outlet = (body) => ok(admin.post(`${C}/outlets`, body), 201);
const put = (path, json, q = '') => admin.request('PUT', `${C}/outlets/${path}${q}`, { json });
const audit = async (id) => ok(admin.get(`/api/v1/audit?entity=clients.outlet&id=${id}`));

const owner = await cp({ kind: 'retail_chain', name: 'Сеть Точек Света' });
const owner2 = await cp({ kind: 'retail_chain', name: 'Другая Сеть Точек' });
const d1 = await cp({ kind: 'distributor', name: 'Поставщик Точек Один' });
const d2 = await cp({ kind: 'distributor', name: 'Поставщик Точек Два' });
const g1 = await ok(admin.post('/api/v1/catalog/groups', { name: 'Серия Точка', kind: 'series' }), 201);
const g2 = await ok(admin.post('/api/v1/catalog/groups', { name: 'Автоматы', kind: 'group' }), 201);
const p1 = await ok(admin.post('/api/v1/catalog/products', { sku: 'OUT-001', name: 'Розетка', group_id: g1.id }), 201);
const p2 = await ok(admin.post('/api/v1/catalog/products', { sku: 'OUT-002', name: 'Выключатель', group_id: g1.id }), 201);

test('outlets: migrated; create, read, patch with version (409 stale), deactivate, audit', async () => {
    assert.match(await stack.psql(
        "SELECT string_agg(name, ',' ORDER BY name) FROM core.migration WHERE module = 'clients'"), /0002_outlets\.sql/);
    const mgr = await ok(admin.post('/api/v1/users', { login: 'retail1', password: PW, roles: ['manager'] }), 201);
    const o = await outlet({
        owner_id: owner.id, name: '  Магазин на Ленина ', format: 'electrical_shop',
        address: 'Тверь, ул. Ленина, 5', lat: 56.859611, lon: 35.911896, area: 120.5,
        characteristics: { floors: 2, parking: true }, manager_id: mgr.id, ext: { c1: 'ТТ-0001' },
    });
    assert.equal(o.name, 'Магазин на Ленина', 'trimmed');
    assert.equal(o.format, 'electrical_shop');
    assert.equal(o.lat, 56.859611);
    assert.equal(o.lon, 35.911896);
    assert.equal(o.area, 120.5);
    assert.deepEqual(o.characteristics, { floors: 2, parking: true });
    assert.equal(o.manager_id, mgr.id);
    assert.equal(o.active, true);
    assert.equal(o.version, 1);
    assert.deepEqual(o.owner, { id: owner.id, name: owner.name });
    assert.deepEqual(o.distributors, []);

    const got = await ok(admin.get(`${C}/outlets/${o.id}`));
    assert.equal(got.name, o.name);
    assert.deepEqual(got.assortment, { checked_at: null, groups: [], products: [] });

    const u = await ok(admin.patch(`${C}/outlets/${o.id}`, { version: 1, format: 'showroom', address: null, area: 99 }));
    assert.equal(u.version, 2);
    assert.equal(u.format, 'showroom');
    assert.equal(u.address, null);
    assert.equal(u.area, 99);
    assert.equal(u.lat, 56.859611, 'left out: kept');
    assertError(await admin.patch(`${C}/outlets/${o.id}`, { version: 1, name: 'X' }), 409, 'conflict', 'version');
    assertError(await admin.patch(`${C}/outlets/${o.id}`, { name: 'X' }), 422, 'validation', 'version');
    assertError(await admin.patch(`${C}/outlets/${o.id}`, { version: 2, name: null }), 422, 'validation', 'name');
    assertError(await admin.patch(`${C}/outlets/${o.id}`, { version: 2, owner_id: null }), 422, 'validation', 'owner_id');
    assertError(await admin.patch(`${C}/outlets/${o.id}`, { version: 2, lat: null }), 422, 'validation', 'lat');
    assertError(await admin.get(`${C}/outlets/99999999`), 404, 'not_found');
    assertError(await admin.patch(`${C}/outlets/99999999`, { version: 1 }), 404, 'not_found');

    assertError(await admin.delete(`${C}/outlets/${o.id}?version=1`), 409, 'conflict', 'version');
    const d = await ok(admin.delete(`${C}/outlets/${o.id}?version=2`));
    assert.equal(d.active, false);
    assert.equal(d.version, 3);
    const back = await ok(admin.patch(`${C}/outlets/${o.id}`, { version: 3, active: true }));
    assert.equal(back.active, true);

    const hist = await audit(o.id);
    assert.deepEqual(hist.map((h) => h.action).reverse(), ['created', 'updated', 'updated', 'updated']);
    const upd = hist[2];
    assert.equal((upd.old ?? upd.old_value).format, 'electrical_shop', JSON.stringify(upd));
    assert.equal((upd.new ?? upd.new_value).format, 'showroom');
});

test('outlets: coordinates, area, format, owner and manager are validated (422 naming the field)', async () => {
    const base = { owner_id: owner.id, name: 'Плохая точка', format: 'diy' };
    const bad = [
        [{ lat: 91, lon: 10 }, 'lat'],
        [{ lat: -90.5, lon: 10 }, 'lat'],
        [{ lat: 10, lon: 180.1 }, 'lon'],
        [{ lat: 10, lon: -181 }, 'lon'],
        [{ lat: 10 }, 'lon'],
        [{ lon: 10 }, 'lat'],
        [{ lat: '55.7', lon: 37.6 }, 'lat'],
        [{ area: -1 }, 'area'],
        [{ format: 'kiosk' }, 'format'],
        [{ owner_id: 99999999 }, 'owner_id'],
        [{ manager_id: 99999999 }, 'manager_id'],
        [{ ext: { 'Bad Key': 'x' } }, 'ext'],
        [{ characteristics: [1] }, 'characteristics'],
        [{ typo: 1 }, 'typo'],
    ];
    for (const [extra, field] of bad) {
        assertError(await admin.post(`${C}/outlets`, { ...base, ...extra }), 422, 'validation', field);
    }
    assertError(await admin.post(`${C}/outlets`, { name: 'Без владельца', format: 'diy' }), 422, 'validation', 'owner_id');
    assert.equal(await stack.psql("SELECT count(*) FROM clients.outlet WHERE name = 'Плохая точка'"), '0');
    // the edges are valid
    const edge = await outlet({ ...base, name: 'Точка на полюсе', lat: -90, lon: 180, area: 0 });
    assert.equal(edge.lat, -90);
    assert.equal(edge.lon, 180);
});

test('outlets: supplying distributors replaced as a whole, only live distributors', async () => {
    const o = await outlet({ owner_id: owner.id, name: 'Точка Поставок', format: 'diy' });
    let s = await ok(put(`${o.id}/distributors`, [{ distributor_id: d1.id }]));
    assert.deepEqual(s.distributors.map((x) => x.distributor_id), [d1.id]);
    assert.equal(s.version, 2);
    s = await ok(put(`${o.id}/distributors`, [{ distributor_id: d1.id }, { distributor_id: d2.id }], '?version=2'));
    assert.deepEqual(s.distributors.map((x) => x.distributor_id).sort(), [d1.id, d2.id].sort());
    assertError(await put(`${o.id}/distributors`, [{ distributor_id: d1.id }], '?version=2'), 409, 'conflict', 'version');
    assertError(await put(`${o.id}/distributors`, [{ distributor_id: d1.id }, { distributor_id: owner.id }]),
        422, 'validation', 'distributors[1]');
    assertError(await put(`${o.id}/distributors`, [{ distributor_id: 99999999 }]), 422, 'validation', 'distributors[0]');
    assertError(await put(`${o.id}/distributors`, [{ distributor_id: d1.id }, { distributor_id: d1.id }]),
        422, 'validation', 'distributors[1]');
    assertError(await put(`${o.id}/distributors`, { distributor_id: d1.id }), 422, 'validation', 'distributors');
    const list = await ok(admin.get(`${C}/outlets/${o.id}/distributors`));
    assert.equal(list.length, 2);
    s = await ok(put(`${o.id}/distributors`, [{ distributor_id: d2.id }]));
    assert.deepEqual(s.distributors.map((x) => x.distributor_id), [d2.id]);
    assert.equal((await audit(o.id)).length, 4);
});

test('outlets list: filters by distributor, owner, format, manager, active; search by name and address; sort', async () => {
    const a = await outlet({ owner_id: owner2.id, name: 'Альфа Точка', format: 'diy', address: 'Омск, Проспект Мира, 1' });
    const b = await outlet({ owner_id: owner2.id, name: 'Бета Точка', format: 'online' });
    const c = await outlet({ owner_id: owner2.id, name: 'Ёж Точка', format: 'diy', active: false });
    await ok(put(`${a.id}/distributors`, [{ distributor_id: d1.id }]));
    await ok(put(`${c.id}/distributors`, [{ distributor_id: d1.id }]));
    const byOwner = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}`));
    assert.deepEqual(byOwner.items.map((x) => x.name), ['Альфа Точка', 'Бета Точка', 'Ёж Точка'], 'Russian order');
    assert.equal(byOwner.total, 3);
    const byDist = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}&distributor_id=${d1.id}`));
    assert.deepEqual(byDist.items.map((x) => x.id), [a.id, c.id]);
    const d1All = await ok(admin.get(`${C}/outlets?distributor_id=${d1.id}`));
    assert.ok(d1All.items.every((x) => x.distributors.some((y) => y.distributor_id === d1.id)));
    const fmt = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}&format=diy&active=true`));
    assert.deepEqual(fmt.items.map((x) => x.id), [a.id]);
    const inactive = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}&active=false`));
    assert.deepEqual(inactive.items.map((x) => x.id), [c.id]);
    const byName = await ok(admin.get(`${C}/outlets?q=${encodeURIComponent('бета')}`));
    assert.deepEqual(byName.items.map((x) => x.id), [b.id]);
    const byAddr = await ok(admin.get(`${C}/outlets?q=${encodeURIComponent('проспект мира')}`));
    assert.deepEqual(byAddr.items.map((x) => x.id), [a.id]);
    const desc1 = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}&sort=-name&limit=1`));
    const desc = await ok(admin.get(`${C}/outlets?owner_id=${owner2.id}&sort=-name&limit=1&after=${desc1.next}`));
    assert.deepEqual(desc.items.map((x) => x.id), [b.id]);
    assert.equal(desc.total, 3);
    const mgrList = await ok(admin.get(`${C}/outlets?manager_id=99999999`));
    assert.equal(mgrList.total, 0);
    assertError(await admin.get(`${C}/outlets?sort=password`), 422, 'validation', 'sort');
    assertError(await admin.get(`${C}/outlets?format=kiosk`), 422, 'validation', 'format');
    assertError(await admin.get(`${C}/outlets?active=maybe`), 422, 'validation', 'active');
    assertError(await admin.get(`${C}/outlets?distributor_id=abc`), 422, 'validation', 'distributor_id');
});

test('assortment: replaced as a whole, read back; shares, facings and references checked', async () => {
    const o = await outlet({ owner_id: owner.id, name: 'Точка Ассортимента', format: 'chain_store' });
    const a = await ok(put(`${o.id}/assortment`, {
        checked_at: '2026-11-20',
        groups: [{ group_id: g1.id, shelf_share: 35.5, facings: 12 }, { group_id: g2.id, facings: 4 }],
        products: [{ product_id: p1.id }, { product_id: p2.id }],
    }));
    assert.equal(a.outlet_id, o.id);
    assert.equal(a.version, 2);
    assert.equal(a.checked_at, '2026-11-20');
    assert.deepEqual(a.groups.map((g) => [g.group_id, g.shelf_share, g.facings]),
        [[g2.id, null, 4], [g1.id, 35.5, 12]], 'Russian order of names');
    assert.deepEqual(a.products.map((p) => [p.product_id, p.sku]), [[p1.id, 'OUT-001'], [p2.id, 'OUT-002']]);
    assert.deepEqual(await ok(admin.get(`${C}/outlets/${o.id}/assortment`)), a);

    // replace: g2 and p1 leave; a set left out is kept; checked_at defaults to today
    const b = await ok(put(`${o.id}/assortment`, { groups: [{ group_id: g1.id, shelf_share: 40 }] }, '?version=2'));
    assert.deepEqual(b.groups.map((g) => [g.group_id, g.shelf_share, g.facings]), [[g1.id, 40, null]]);
    assert.equal(b.products.length, 2, 'products kept');
    assert.equal(b.checked_at, await stack.psql("SELECT to_char(current_date, 'YYYY-MM-DD')"));
    const c = await ok(put(`${o.id}/assortment`, { checked_at: '2026-11-25', products: [{ product_id: p2.id }] }));
    assert.deepEqual(c.products.map((p) => p.product_id), [p2.id]);
    assert.equal(c.groups.length, 1);
    assertError(await put(`${o.id}/assortment`, { groups: [] }, '?version=2'), 409, 'conflict', 'version');

    const bad = [
        [{ groups: [{ group_id: g1.id, shelf_share: 100.5 }] }, 'groups[0].shelf_share'],
        [{ groups: [{ group_id: g1.id, shelf_share: -1 }] }, 'groups[0].shelf_share'],
        [{ groups: [{ group_id: g1.id, facings: -1 }] }, 'groups[0].facings'],
        [{ groups: [{ group_id: g1.id, facings: 2.5 }] }, 'groups[0].facings'],
        [{ groups: [{ group_id: g1.id }, { group_id: g1.id }] }, 'groups[1].group_id'],
        [{ groups: [{ group_id: g1.id }, { group_id: g2.id }, { group_id: 99999999 }] }, 'groups[2].group_id'],
        [{ groups: [{ group_id: g1.id, colour: 'red' }] }, 'groups[0]'],
        [{ products: [{ product_id: 99999999 }] }, 'products[0].product_id'],
        [{ products: [{ product_id: 'x' }] }, 'products[0].product_id'],
        [{ checked_at: '2026-02-30' }, 'checked_at'],
        [{ groups: {} }, 'groups'],
    ];
    for (const [body, field] of bad) {
        assertError(await put(`${o.id}/assortment`, body), 422, 'validation', field);
    }
    const now = await ok(admin.get(`${C}/outlets/${o.id}/assortment`));
    assert.deepEqual(now, c, 'refused writes changed nothing');
    assertError(await admin.get(`${C}/outlets/99999999/assortment`), 404, 'not_found');

    const hist = await audit(o.id);
    assert.deepEqual(hist.map((h) => h.action).reverse(),
        ['created', 'assortment_updated', 'assortment_updated', 'assortment_updated']);
    const first = hist[2].new ?? hist[2].new_value;
    assert.deepEqual(first.assortment.groups.map((g) => g.group_id), [g2.id, g1.id]);
    // the catalog cannot delete a group an outlet's assortment uses (409, not 500)
    const g3 = await ok(admin.post('/api/v1/catalog/groups', { name: 'Пустая группа', kind: 'group' }), 201);
    await ok(put(`${o.id}/assortment`, { groups: [{ group_id: g3.id }] }));
    assertError(await admin.delete(`/api/v1/catalog/groups/${g3.id}`), 409, 'conflict');
    assertError(await admin.delete(`/api/v1/catalog/products/${p2.id}`), 409, 'conflict');
});

test('permissions: clients.read reads outlets but every write is 403', async () => {
    const o = await outlet({ owner_id: owner.id, name: 'Точка Чтения', format: 'online' });
    await ok(admin.post('/api/v1/roles', {
        name: 'outlet_reader', label_ru: 'Точки (чтение)', label_en: 'Outlets (read)', permissions: ['clients.read'],
    }), 201);
    await ok(admin.post('/api/v1/users', { login: 'oreader', password: PW, roles: ['outlet_reader'] }), 201);
    const rd = await stack.login('oreader', PW);
    assertError(await stack.get(`${C}/outlets`), 401, 'unauthenticated');
    for (const p of ['', `/${o.id}`, `/${o.id}/distributors`, `/${o.id}/assortment`]) {
        assert.equal((await rd.get(`${C}/outlets${p}`)).status, 200, p);
    }
    assertError(await rd.post(`${C}/outlets`, { owner_id: owner.id, name: 'Нельзя', format: 'diy' }), 403, 'forbidden');
    assertError(await rd.patch(`${C}/outlets/${o.id}`, { version: 1, name: 'Нельзя' }), 403, 'forbidden');
    assertError(await rd.delete(`${C}/outlets/${o.id}`), 403, 'forbidden');
    assertError(await rd.request('PUT', `${C}/outlets/${o.id}/distributors`, { json: [] }), 403, 'forbidden');
    assertError(await rd.request('PUT', `${C}/outlets/${o.id}/assortment`, { json: { groups: [] } }), 403, 'forbidden');
    assert.equal((await rd.get(`/api/v1/audit?entity=clients.outlet&id=${o.id}`)).status, 200);
    assert.equal(await stack.psql(`SELECT version FROM clients.outlet WHERE id = ${o.id}`), '1');
});

test('merge: outlets owned or supplied by merged counterparties move to the survivor; audited', async () => {
    const keep = await cp({ kind: 'distributor', name: 'Дистрибьютор Выживший' });
    const dup = await cp({ kind: 'distributor', name: 'Дистрибьютор Дубль' });
    const dup2 = await cp({ kind: 'distributor', name: 'Дистрибьютор Дубль 2' });
    const owned = await outlet({ owner_id: dup.id, name: 'Точка Дубля', format: 'showroom' });
    const both = await outlet({ owner_id: owner.id, name: 'Точка Обоих', format: 'diy' });
    const twice = await outlet({ owner_id: owner.id, name: 'Точка Двух Дублей', format: 'diy' });
    await ok(put(`${both.id}/distributors`, [{ distributor_id: keep.id }, { distributor_id: dup.id }]));
    await ok(put(`${twice.id}/distributors`, [{ distributor_id: dup.id }, { distributor_id: dup2.id }, { distributor_id: d1.id }]));

    await ok(admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 1, from: [dup.id, dup2.id] }));
    const o1 = await ok(admin.get(`${C}/outlets/${owned.id}`));
    assert.equal(o1.owner_id, keep.id);
    assert.equal(o1.version, 2);
    const dists = async (id) => (await ok(admin.get(`${C}/outlets/${id}/distributors`))).map((x) => x.distributor_id).sort();
    assert.deepEqual(await dists(both.id), [keep.id]);
    assert.deepEqual(await dists(twice.id), [keep.id, d1.id].sort());
    const byKeep = await ok(admin.get(`${C}/outlets?distributor_id=${keep.id}`));
    assert.deepEqual(byKeep.items.map((x) => x.id).sort(), [both.id, twice.id].sort());
    assert.equal((await ok(admin.get(`${C}/outlets?owner_id=${dup.id}`))).total, 0);

    const h = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${dup.id}`));
    assert.equal(h[0].action, 'merged');
    const old = h[0].old ?? h[0].old_value;
    assert.deepEqual(old.outlet_ids, [owned.id]);
    assert.deepEqual(old.supplies.map((s) => s.outlet_id).sort(), [both.id, twice.id].sort());
});
