// clients' extra attributes (issue 6): fields an administrator defines
// for counterparties, contacts and outlets (entities clients.counterparty,
// clients.contact, clients.outlet) are accepted on create and PATCH
// (merged member by member, null removing one), checked by type, list
// and required (422 naming attrs.<name>, nothing written), returned in
// GET and lists, filtered with attr.<name>=value, and audited with the
// record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const admin = await stack.loginAdmin();

const define = (entity, body) => ok(admin.post('/api/v1/attributes', { entity, label_ru: body.name, ...body }), 201);

// counterparties: one attribute of each type, one required
const required = await define('clients.counterparty', { name: 'segment_code', type: 'text', required: true });
await define('clients.counterparty', { name: 'staff', type: 'number' });
await define('clients.counterparty', { name: 'since', type: 'date' });
await define('clients.counterparty', { name: 'key_account', type: 'boolean' });
await define('clients.counterparty', {
    name: 'tier', type: 'list', options: [{ value: 'gold', label_ru: 'Золото' }, { value: 'silver', label_ru: 'Серебро' }],
});
await define('clients.outlet', { name: 'cashdesks', type: 'number' });
await define('clients.outlet', { name: 'mall', type: 'boolean' });
await define('clients.contact', { name: 'hobby', type: 'text' });

const count = async (table) => Number(await stack.psql(`SELECT count(*) FROM clients.${table}`));

test('counterparty attributes: each type checked, required on create, nothing written on 422', async () => {
    const before = await count('counterparty');
    let res = await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Без кода' });
    assertError(res, 422, 'validation', 'attrs.segment_code');
    res = await admin.post(`${C}/counterparties`, {
        kind: 'partner', name: 'Всё не так', inn: '7707083894',
        attrs: { segment_code: 7, staff: 'many', since: '2025-02-30', key_account: 'yes', tier: 'bronze', colour: 'red' },
    });
    assertError(res, 422, 'validation', 'attrs.segment_code', 'attrs.staff', 'attrs.since',
        'attrs.key_account', 'attrs.tier', 'attrs.colour');
    assert.equal(res.json.error.fields['attrs.colour'], 'unknown attribute');
    // the kit checks the attributes before the module's requisites: the
    // INN is named once they hold
    assertError(await admin.post(`${C}/counterparties`, {
        kind: 'partner', name: 'Всё не так', inn: '7707083894', attrs: { segment_code: 'A1' },
    }), 422, 'validation', 'inn');
    assertError(await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'x', attrs: [1] }),
        422, 'validation', 'attrs');
    assertError(await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'x', attrs: { segment_code: null } }),
        422, 'validation', 'attrs.segment_code');
    assert.equal(await count('counterparty'), before, 'nothing written');
});

test('counterparty attributes: stored, returned, merged by PATCH, null removes one, audited', async () => {
    const a = await ok(admin.post(`${C}/counterparties`, {
        kind: 'end_customer', name: 'Атрибутный Первый',
        attrs: { segment_code: 'S1', staff: 250, since: '2020-05-01', key_account: true, tier: 'gold', tier_note: undefined },
    }), 201);
    assert.deepEqual(a.attrs, { segment_code: 'S1', staff: 250, since: '2020-05-01', key_account: true, tier: 'gold' });
    const got = await ok(admin.get(`${C}/counterparties/${a.id}`));
    assert.deepEqual(got.attrs, a.attrs);

    // PATCH merges: staff changes, tier goes (null), the rest stays
    let p = await ok(admin.patch(`${C}/counterparties/${a.id}`, { version: a.version, attrs: { staff: 300, tier: null } }));
    assert.deepEqual(p.attrs, { segment_code: 'S1', staff: 300, since: '2020-05-01', key_account: true });
    // a PATCH without attrs keeps them; the required one may be left out
    p = await ok(admin.patch(`${C}/counterparties/${a.id}`, { version: p.version, region: 'Тверь' }));
    assert.equal(p.attrs.staff, 300);
    p = await ok(admin.patch(`${C}/counterparties/${a.id}`, { version: p.version, attrs: { key_account: false } }));
    assert.equal(p.attrs.key_account, false);
    // ... but not removed, nor given a wrong value
    assertError(await admin.patch(`${C}/counterparties/${a.id}`, { version: p.version, attrs: { segment_code: null } }),
        422, 'validation', 'attrs.segment_code');
    assertError(await admin.patch(`${C}/counterparties/${a.id}`, { version: p.version, attrs: { staff: 'x' } }),
        422, 'validation', 'attrs.staff');
    assert.equal((await ok(admin.get(`${C}/counterparties/${a.id}`))).version, p.version, 'nothing written');

    const audit = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${a.id}`));
    const merge = audit.find((x) => x.old?.attrs?.tier === 'gold' && x.new?.attrs && !('tier' in x.new.attrs));
    assert.ok(merge, JSON.stringify(audit));
    assert.equal(merge.new.attrs.staff, 300);
    assert.equal(audit.at(-1).action, 'created');
    assert.equal(audit.at(-1).new.attrs.segment_code, 'S1');
});

test('counterparty list: attrs in the items, attr.<name>=value filters typed by the definition', async () => {
    await ok(admin.post(`${C}/counterparties`, {
        kind: 'end_customer', name: 'Атрибутный Второй', attrs: { segment_code: 'S2', staff: 12.5, tier: 'silver' },
    }), 201);
    await ok(admin.post(`${C}/counterparties`, {
        kind: 'installer', name: 'Атрибутный Третий', attrs: { segment_code: 'S2', key_account: true, tier: 'gold' },
    }), 201);
    const names = async (qs) => {
        const l = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('Атрибутный')}&${qs}`));
        return l.items.map((c) => c.name);
    };
    assert.deepEqual(await names('attr.segment_code=S2'), ['Атрибутный Второй', 'Атрибутный Третий']);
    assert.deepEqual(await names('attr.tier=gold'), ['Атрибутный Третий']);
    assert.deepEqual(await names('attr.staff=12.5'), ['Атрибутный Второй']);
    assert.deepEqual(await names('attr.staff=300'), ['Атрибутный Первый']);
    assert.deepEqual(await names('attr.key_account=true'), ['Атрибутный Третий']);
    assert.deepEqual(await names('attr.key_account=false'), ['Атрибутный Первый']);
    assert.deepEqual(await names('attr.since=2020-05-01&attr.segment_code=S1'), ['Атрибутный Первый']);
    assert.deepEqual(await names('attr.tier=gold&kind=end_customer'), []);
    // without q: the index-order path filters too
    const l = await ok(admin.get(`${C}/counterparties?attr.tier=silver`));
    assert.deepEqual(l.items.map((c) => c.name), ['Атрибутный Второй']);
    assert.deepEqual(l.items[0].attrs, { segment_code: 'S2', staff: 12.5, tier: 'silver' });
    assertError(await admin.get(`${C}/counterparties?attr.colour=red`), 422, 'validation', 'attr.colour');
    assertError(await admin.get(`${C}/counterparties?attr.staff=many`), 422, 'validation', 'attr.staff');
    assertError(await admin.get(`${C}/counterparties?attr.since=2020-13-01`), 422, 'validation', 'attr.since');
});

test('outlet and contact attributes: create, PATCH merge, filter, 422', async () => {
    const owner = await ok(admin.post(`${C}/counterparties`, {
        kind: 'retail_chain', name: 'Владелец Атрибутов', attrs: { segment_code: 'R' },
    }), 201);
    assertError(await admin.post(`${C}/outlets`, { owner_id: owner.id, name: 'x', format: 'diy', attrs: { mall: 'no' } }),
        422, 'validation', 'attrs.mall');
    const o1 = await ok(admin.post(`${C}/outlets`, {
        owner_id: owner.id, name: 'Атрибутная Точка 1', format: 'diy', attrs: { cashdesks: 4, mall: true },
    }), 201);
    const o2 = await ok(admin.post(`${C}/outlets`, {
        owner_id: owner.id, name: 'Атрибутная Точка 2', format: 'diy', attrs: { cashdesks: 1 },
    }), 201);
    assert.deepEqual(o1.attrs, { cashdesks: 4, mall: true });
    const p = await ok(admin.patch(`${C}/outlets/${o2.id}`, { version: o2.version, attrs: { mall: false } }));
    assert.deepEqual(p.attrs, { cashdesks: 1, mall: false });
    let l = await ok(admin.get(`${C}/outlets?owner_id=${owner.id}&attr.mall=true`));
    assert.deepEqual(l.items.map((o) => o.id), [o1.id]);
    l = await ok(admin.get(`${C}/outlets?owner_id=${owner.id}&attr.cashdesks=1`));
    assert.deepEqual(l.items.map((o) => o.id), [o2.id]);
    assert.deepEqual(l.items[0].attrs, { cashdesks: 1, mall: false });
    assertError(await admin.get(`${C}/outlets?attr.cashdesks=x`), 422, 'validation', 'attr.cashdesks');

    assertError(await admin.post(`${C}/contacts`, { last_name: 'Иванов', attrs: { hobby: 5 } }),
        422, 'validation', 'attrs.hobby');
    const c = await ok(admin.post(`${C}/contacts`, {
        last_name: 'Атрибутов', attrs: { hobby: 'рыбалка' }, links: [{ counterparty_id: owner.id }],
    }), 201);
    assert.deepEqual(c.attrs, { hobby: 'рыбалка' });
    const c2 = await ok(admin.patch(`${C}/contacts/${c.id}`, { version: c.version, attrs: { hobby: null } }));
    assert.deepEqual(c2.attrs, {});
    await ok(admin.patch(`${C}/contacts/${c.id}`, { version: c2.version, attrs: { hobby: 'шахматы' } }));
    l = await ok(admin.get(`${C}/contacts?attr.hobby=${encodeURIComponent('шахматы')}`));
    assert.deepEqual(l.items.map((x) => x.id), [c.id]);
    assert.equal(l.items[0].attrs.hobby, 'шахматы');
    assert.equal(l.total, 1);
    assert.equal(l.total_exact, true);
});

test('a required attribute made inactive is no longer required', async () => {
    const res = await admin.patch(`/api/v1/attributes/${required.id}`, { version: required.version, active: false });
    assert.equal(res.status, 200, res.text);
    await ok(admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Без кода теперь можно' }), 201);
});
