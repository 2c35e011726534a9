// clients' "own only" scoping (issue 6), enforced in SQL
// (sql/0004_scope.sql): a user whose every role is own-only sees the
// counterparties they manage or that are in their regions, the outlets
// they manage or whose owner they see, and the contacts linked to a
// counterparty they see.  Lists leave the others out, a read or a write
// of one is 404 (nothing leaks), references to one are 422 "no such";
// similar names and the INN+KPP duplicate still see every record but
// answer only its id and name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const PW = 'Scope-Clients-Password-1';
const admin = await stack.loginAdmin();

// an own-only role with every clients permission, a user holding it in
// the region "Тверь", and another manager
const role = await ok(admin.post('/api/v1/roles', {
    name: 'own_rep', label_ru: 'Свои клиенты', own_only: true,
    permissions: ['clients.read', 'clients.write', 'clients.merge', 'clients.export'],
}), 201);
assert.equal(role.own_only, true);
const repUser = await ok(admin.post('/api/v1/users', {
    login: 'own_rep1', password: PW, roles: ['own_rep'], regions: ['Тверь'],
}), 201);
const other = await ok(admin.post('/api/v1/users', { login: 'other_mgr', password: PW, roles: ['manager'] }), 201);
const rep = await stack.login('own_rep1', PW);
assert.equal(rep.user.own_only, true);

const cp = (body) => ok(admin.post(`${C}/counterparties`, body), 201);
// mine by manager, mine by region, someone else's (in another region)
const mine = await cp({ kind: 'end_customer', name: 'Охват Мой', region: 'Москва', manager_id: repUser.id });
const regional = await cp({ kind: 'installer', name: 'Охват Тверской', region: 'Тверь', manager_id: other.id });
const foreign = await cp({
    kind: 'end_customer', name: 'Охват Чужой', region: 'Псков', manager_id: other.id,
    inn: '7707083893', kpp: '773601001',
});
const child = await cp({ kind: 'end_customer', name: 'Охват Дочерний Чужой', parent_id: mine.id, region: 'Псков' });
const dist = await cp({ kind: 'distributor', name: 'Охват Дистрибьютор', region: 'Тверь' });
const mkOutlet = (body) => ok(admin.post(`${C}/outlets`, { format: 'diy', ...body }), 201);
const oManaged = await mkOutlet({ owner_id: foreign.id, name: 'Охват Точка Моя', manager_id: repUser.id });
const oOwned = await mkOutlet({ owner_id: mine.id, name: 'Охват Точка Клиента' });
const oForeign = await mkOutlet({ owner_id: foreign.id, name: 'Охват Точка Чужая', manager_id: other.id });
const mkContact = (body) => ok(admin.post(`${C}/contacts`, body), 201);
const kMine = await mkContact({ last_name: 'Охватов', links: [{ counterparty_id: mine.id }] });
const kBoth = await mkContact({ last_name: 'Охватова', links: [{ counterparty_id: foreign.id }, { counterparty_id: regional.id }] });
const kForeign = await mkContact({ last_name: 'Охватный', links: [{ counterparty_id: foreign.id }] });
const q = encodeURIComponent('Охват');

test('lists: only the records the user sees; the administrator sees all', async () => {
    let l = await ok(rep.get(`${C}/counterparties?q=${q}`));
    assert.deepEqual(l.items.map((c) => c.id).sort(), [mine.id, regional.id, dist.id].sort());
    assert.equal(l.total, 3);
    l = await ok(rep.get(`${C}/counterparties?sort=id&limit=500`));
    assert.ok(!l.items.some((c) => c.id === foreign.id || c.id === child.id), 'the index-order path too');
    l = await ok(admin.get(`${C}/counterparties?q=${q}`));
    assert.equal(l.total, 5);

    l = await ok(rep.get(`${C}/outlets?q=${q}`));
    assert.deepEqual(l.items.map((o) => o.id).sort(), [oManaged.id, oOwned.id].sort());
    l = await ok(rep.get(`${C}/outlets?owner_id=${foreign.id}`));
    assert.deepEqual(l.items.map((o) => o.id), [oManaged.id]);
    assert.equal((await ok(admin.get(`${C}/outlets?q=${q}`))).total, 3);

    l = await ok(rep.get(`${C}/contacts?q=${q}`));
    assert.deepEqual(l.items.map((c) => c.id).sort(), [kMine.id, kBoth.id].sort());
    assert.equal((await ok(admin.get(`${C}/contacts?q=${q}`))).total, 3);
});

test('reads of an unseen record are 404, never 403', async () => {
    assertError(await rep.get(`${C}/counterparties/${foreign.id}`), 404, 'not_found');
    assertError(await rep.get(`${C}/counterparties/${foreign.id}/distributors`), 404, 'not_found');
    assertError(await rep.get(`${C}/counterparties/${foreign.id}/contacts/tree`), 404, 'not_found');
    assertError(await rep.get(`${C}/outlets/${oForeign.id}`), 404, 'not_found');
    assertError(await rep.get(`${C}/outlets/${oForeign.id}/distributors`), 404, 'not_found');
    assertError(await rep.get(`${C}/outlets/${oForeign.id}/assortment`), 404, 'not_found');
    assertError(await rep.get(`${C}/contacts/${kForeign.id}`), 404, 'not_found');
    // what the user sees: children only those seen, the outlet of a
    // foreign owner that they manage
    const m = await ok(rep.get(`${C}/counterparties/${mine.id}`));
    assert.deepEqual(m.children, []);
    assert.equal((await ok(admin.get(`${C}/counterparties/${mine.id}`))).children.length, 1);
    assert.equal((await ok(rep.get(`${C}/outlets/${oManaged.id}`))).owner.name, 'Охват Чужой');
    assert.equal((await ok(rep.get(`${C}/counterparties/${regional.id}`))).id, regional.id);
    assert.equal((await ok(rep.get(`${C}/contacts/${kBoth.id}`))).links.length, 2);
});

test('writes to an unseen record are 404 and change nothing; references to one are 422', async () => {
    const f = foreign;
    assertError(await rep.patch(`${C}/counterparties/${f.id}`, { version: f.version, name: 'Взлом' }), 404, 'not_found');
    assertError(await rep.delete(`${C}/counterparties/${f.id}`), 404, 'not_found');
    assertError(await rep.request('PUT', `${C}/counterparties/${f.id}/distributors`,
        { json: [{ distributor_id: dist.id }] }), 404, 'not_found');
    assertError(await rep.post(`${C}/counterparties/${f.id}/merge`, { version: f.version, from: [mine.id] }),
        404, 'not_found');
    assertError(await rep.post(`${C}/counterparties/${mine.id}/merge`, { version: mine.version, from: [f.id] }),
        422, 'validation', 'from[0]');
    assertError(await rep.patch(`${C}/outlets/${oForeign.id}`, { version: oForeign.version, name: 'Взлом' }),
        404, 'not_found');
    assertError(await rep.delete(`${C}/outlets/${oForeign.id}`), 404, 'not_found');
    assertError(await rep.request('PUT', `${C}/outlets/${oForeign.id}/distributors`, { json: [] }), 404, 'not_found');
    assertError(await rep.request('PUT', `${C}/outlets/${oForeign.id}/assortment`, { json: { products: [] } }),
        404, 'not_found');
    assertError(await rep.patch(`${C}/contacts/${kForeign.id}`, { version: kForeign.version, last_name: 'Взлом' }),
        404, 'not_found');
    const after = await ok(admin.get(`${C}/counterparties/${f.id}`));
    assert.equal(after.name, f.name);
    assert.equal(after.version, f.version);
    assert.equal((await ok(admin.get(`${C}/outlets/${oForeign.id}`))).version, oForeign.version);
    assert.equal((await ok(admin.get(`${C}/contacts/${kForeign.id}`))).version, kForeign.version);

    assertError(await rep.post(`${C}/outlets`, { owner_id: f.id, name: 'x', format: 'diy' }), 422, 'validation',
        'owner_id');
    assertError(await rep.post(`${C}/counterparties`, { kind: 'partner', name: 'x', parent_id: f.id }), 422,
        'validation', 'parent_id');
    assertError(await rep.post(`${C}/contacts`, { last_name: 'x', links: [{ counterparty_id: f.id }] }), 422,
        'validation', 'links');
    // a contact nobody links would be lost to its author
    assertError(await rep.post(`${C}/contacts`, { last_name: 'Безлинков' }), 422, 'validation', 'links');
    assertError(await rep.patch(`${C}/contacts/${kMine.id}`, { version: kMine.version, links: [] }), 422,
        'validation', 'links');
    // what the user sees they may change
    const p = await ok(rep.patch(`${C}/counterparties/${regional.id}`, { version: regional.version, segment: 'B2B' }));
    assert.equal(p.segment, 'B2B');
    const k = await ok(rep.post(`${C}/contacts`, { last_name: 'Новиков', links: [{ counterparty_id: mine.id }] }), 201);
    assert.equal((await ok(rep.get(`${C}/contacts/${k.id}`))).id, k.id);
});

test('similar names and the INN+KPP duplicate see every record, but answer only id and name of an unseen one', async () => {
    const sim = await ok(rep.get(`${C}/counterparties/similar?name=${encodeURIComponent('Охват Чужой')}`));
    const hit = sim.find((s) => s.id === foreign.id);
    assert.ok(hit, JSON.stringify(sim));
    assert.deepEqual(Object.keys(hit).sort(), ['id', 'name', 'similarity', 'visible']);
    assert.equal(hit.visible, false);
    const seen = sim.find((s) => s.id === mine.id);
    assert.ok(seen && seen.visible === true && 'region' in seen, JSON.stringify(sim));

    const res = await rep.post(`${C}/counterparties`, {
        kind: 'partner', name: 'Повтор', inn: '7707083893', kpp: '773601001',
    });
    assertError(res, 409, 'conflict', 'inn');
    assert.equal(res.json.duplicate.id, foreign.id);
    assert.equal(res.json.duplicate.name, 'Охват Чужой');
    assert.equal(res.json.duplicate.visible, false);
    const adm = await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Повтор', inn: '7707083893', kpp: '773601001' });
    assert.equal(adm.json.duplicate.visible, true);
});

test('imports and exports are scoped too', async () => {
    const csv = (body) => rep.request('POST', `${C}/contacts/import`, { body, headers: { 'Content-Type': 'text/csv' } });
    let res = await csv('Фамилия;ИНН контрагента\r\nЧужаков;7707083893\r\n');
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.results[0].fields.counterparty_inn, /no counterparty has this INN/);
    res = await csv(`Фамилия;Номер контрагента\r\nЧужаков;${foreign.id}\r\n`);
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.results[0].fields.links, res.text);
    const file = await fetch(`${stack.url}${C}/outlets/export?q=${q}`, { headers: { Cookie: `kedr_session=${rep.cookie}` } });
    assert.equal(file.status, 200);
    const text = await file.text();
    assert.ok(text.includes('Охват Точка Моя') && text.includes('Охват Точка Клиента'), text);
    assert.ok(!text.includes('Охват Точка Чужая'), text);
});

test('hidden and missing references answer alike, every kind of reference', async () => {
    const gone = 987654321;
    const hiddenK = await mkContact({ last_name: 'Скрытов', links: [{ counterparty_id: foreign.id }] });
    const hiddenD = await cp({ kind: 'distributor', name: 'Скрытый Дистрибьютор', region: 'Псков', manager_id: other.id });
    const same = async (make, field) => {
        const a = await make(hiddenK.id, hiddenD.id);
        const b = await make(gone, gone);
        assertError(a, 422, 'validation', field);
        assertError(b, 422, 'validation', field);
        assert.deepEqual(a.json.error.fields, b.json.error.fields, `${field}: hidden ${a.text} / missing ${b.text}`);
    };
    const km = await ok(rep.get(`${C}/contacts/${kMine.id}`));
    await same((k) => rep.patch(`${C}/contacts/${kMine.id}`, { version: km.version, reports_to: k }), 'reports_to');
    await same((k) => rep.post(`${C}/contacts`, { last_name: 'x', reports_to: k, links: [{ counterparty_id: mine.id }] }),
        'reports_to');
    await same((k, d) => rep.request('PUT', `${C}/counterparties/${mine.id}/distributors`,
        { json: [{ distributor_id: d }] }), 'distributors[0]');
    await same((k, d) => rep.request('PUT', `${C}/outlets/${oOwned.id}/distributors`,
        { json: [{ distributor_id: d }] }), 'distributors[0]');
    await same((k, d) => rep.post(`${C}/outlets`, { owner_id: d, name: 'x', format: 'diy' }), 'owner_id');
    await same((k, d) => rep.post(`${C}/counterparties`, { kind: 'partner', name: 'x', parent_id: d }), 'parent_id');
    assert.equal((await ok(admin.get(`${C}/contacts/${kMine.id}`))).reports_to, null, 'nothing was linked');
    // what the user does see they may point at
    const k = await ok(rep.patch(`${C}/contacts/${kMine.id}`, { version: km.version, reports_to: kBoth.id }));
    assert.equal(k.reports_to, kBoth.id);
});

test('an own-only user sees what they create and cannot push a record out of their reach', async () => {
    // no manager given: the creator manages it, so it stays theirs
    const c = await ok(rep.post(`${C}/counterparties`, { kind: 'end_customer', name: 'Создан Мной', region: 'Псков' }), 201);
    assert.equal(c.manager_id, repUser.id);
    assert.equal((await ok(rep.get(`${C}/counterparties/${c.id}`))).id, c.id);
    const o = await ok(rep.post(`${C}/outlets`, { owner_id: c.id, name: 'Моя Точка', format: 'diy' }), 201);
    assert.equal(o.manager_id, repUser.id);
    // handing it to someone else outside their regions would lose it
    assertError(await rep.patch(`${C}/counterparties/${c.id}`, { version: c.version, manager_id: other.id }), 422,
        'validation', 'manager_id');
    assertError(await rep.post(`${C}/counterparties`, { kind: 'partner', name: 'Чужим', region: 'Псков',
        manager_id: other.id }), 422, 'validation', 'manager_id');
    assert.equal((await ok(admin.get(`${C}/counterparties/${c.id}`))).manager_id, repUser.id, 'unchanged');
    // within their regions it stays theirs whoever manages it
    const t = await ok(rep.patch(`${C}/counterparties/${c.id}`, { version: c.version, manager_id: other.id,
        region: 'Тверь' }));
    assert.equal(t.manager_id, other.id);
    // an explicit null is kept for those who may see everything
    const a = await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Ничей', manager_id: null }), 201);
    assert.equal(a.manager_id, null);
    const b = await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Админский' }), 201);
    assert.equal(b.manager_id, admin.user.id);
});

test('a token sees what its owner sees', async () => {
    await ok(admin.post('/api/v1/roles', { name: 'tokener', permissions: ['core.users.manage'] }), 201);
    const u = await ok(admin.get(`/api/v1/users/${repUser.id}`));
    await ok(admin.patch(`/api/v1/users/${repUser.id}`, { version: u.version, roles: ['own_rep', 'tokener'] }));
    const t = await ok(rep.post('/api/v1/tokens', { name: 'моя выгрузка', permissions: ['clients.read'] }), 201);
    const bearer = stack.client({ token: t.token });
    const l = await ok(bearer.get(`${C}/counterparties?q=${q}`));
    assert.deepEqual(l.items.map((c) => c.id).sort(), [mine.id, regional.id, dist.id].sort());
    assertError(await bearer.get(`${C}/counterparties/${foreign.id}`), 404, 'not_found');
    // an administrator's token is not limited
    const at = await ok(admin.post('/api/v1/tokens', { name: 'интеграция', permissions: ['clients.read'] }), 201);
    assert.equal((await ok(stack.client({ token: at.token }).get(`${C}/counterparties/${foreign.id}`))).id, foreign.id);
    const back = await ok(admin.get(`/api/v1/users/${repUser.id}`));
    await ok(admin.patch(`/api/v1/users/${repUser.id}`, { version: back.version, roles: ['own_rep'] }));
});

test('a role without the limit widens the view again', async () => {
    const u = await ok(admin.get(`/api/v1/users/${repUser.id}`));
    // analyst: reads every client (the built-in roles' defaults)
    await ok(admin.patch(`/api/v1/users/${repUser.id}`, { version: u.version, roles: ['own_rep', 'analyst'] }));
    assert.equal((await ok(rep.get(`${C}/counterparties/${foreign.id}`))).id, foreign.id);
    // ... but writes only through own_rep, so writes stay scoped
    assertError(await rep.patch(`${C}/counterparties/${foreign.id}`, { version: foreign.version, segment: 'X' }), 404,
        'not_found');
    const back = await ok(admin.get(`/api/v1/users/${repUser.id}`));
    await ok(admin.patch(`/api/v1/users/${repUser.id}`, { version: back.version, roles: ['own_rep'] }));
    assertError(await rep.get(`${C}/counterparties/${foreign.id}`), 404, 'not_found');
});

test('the audit trail: an own-only user reads the history of what they see, one record at a time', async () => {
    const hist = (c, entity, id) => c.get(`/api/v1/audit?entity=${entity}${id === undefined ? '' : `&id=${id}`}`);
    let h = await ok(hist(rep, 'clients.counterparty', mine.id));
    assert.ok(h.length >= 1 && h.every((a) => a.entity_id === String(mine.id)), JSON.stringify(h));
    assert.deepEqual(await ok(hist(rep, 'clients.counterparty', foreign.id)), [], 'an unseen record has no history to show');
    assert.ok((await ok(hist(rep, 'clients.outlet', oManaged.id))).length >= 1);
    assert.deepEqual(await ok(hist(rep, 'clients.outlet', oForeign.id)), []);
    assert.ok((await ok(hist(rep, 'clients.contact', kBoth.id))).length >= 1);
    assert.deepEqual(await ok(hist(rep, 'clients.contact', kForeign.id)), []);
    assert.deepEqual(await ok(hist(rep, 'clients.counterparty')), [], 'no trawling the whole entity');
    assert.deepEqual(await ok(hist(rep, 'clients.counterparty', 'x1')), []);
    // the administrator (and core.audit.read) see everything
    assert.ok((await ok(hist(admin, 'clients.counterparty', foreign.id))).length >= 1);
    assert.ok((await ok(hist(admin, 'clients.counterparty'))).length >= 5);
});
