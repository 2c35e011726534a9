// Extra attributes (issue 6, the core's part): an administrator defines
// fields for an entity without a schema change; a module checks a
// record's values with kedr_attrs_check and filters lists with
// kedr_attrs_filter (t_core's /things is such a module route).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';
import { assertError } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['t_base', 't_core'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const uniq = `${process.pid}${Date.now() % 100000}`;
const admin = await stack.loginAdmin();
const T = '/api/v1/t_core';
const ENTITY = 't_core.thing';

async function define(body) {
    const res = await admin.post('/api/v1/attributes', { entity: ENTITY, ...body });
    assert.equal(res.status, 201, res.text);
    return res.json;
}

const code = await define({ name: 'code', type: 'text', label_ru: 'Код', label_en: 'Code', required: true, sort: 1 });
const area = await define({ name: 'area', type: 'number', label_ru: 'Площадь, м²', sort: 2 });
await define({ name: 'checked', type: 'date', label_ru: 'Проверено' });
await define({ name: 'vip', type: 'boolean', label_ru: 'VIP' });
await define({
    name: 'size', type: 'list', label_ru: 'Размер', label_en: 'Size',
    options: [{ value: 'S', label_ru: 'Малый' }, { value: 'L', label_ru: 'Большой', label_en: 'Large' }],
});

test('definitions: listed for forms, audited, refused when wrong', async () => {
    const list = (await admin.get(`/api/v1/attributes?entity=${ENTITY}`)).json;
    assert.deepEqual(list.map((a) => a.name), ['checked', 'size', 'vip', 'code', 'area'].sort((a, b) => {
        const order = { code: 1, area: 2 };
        return (order[a] ?? 0) - (order[b] ?? 0) || a.localeCompare(b);
    }));
    assert.equal(list.find((a) => a.name === 'size').options[1].label_en, 'Large');
    const audit = (await admin.get(`/api/v1/audit?entity=core.attribute_def&id=${code.id}`)).json;
    assert.equal(audit[0].action, 'created');
    assert.equal(audit[0].new.name, 'code');

    assertError(await admin.post('/api/v1/attributes', { entity: ENTITY, name: 'code', type: 'text', label_ru: 'x' }),
        409, 'conflict', 'name');
    assertError(await admin.post('/api/v1/attributes', { entity: 'nosuch.thing', name: 'x', type: 'text', label_ru: 'x' }),
        422, 'validation', 'entity');
    assertError(await admin.post('/api/v1/attributes', { entity: ENTITY, name: 'Bad-Name', type: 'color', label_ru: 'x' }),
        422, 'validation', 'name', 'type');
    assertError(await admin.post('/api/v1/attributes', { entity: ENTITY, name: 'kind', type: 'list', label_ru: 'x' }),
        422, 'validation', 'options');
    // only core.attributes.manage defines them; anyone signed in reads them
    const login = `plain${uniq}`;
    const res = await admin.post('/api/v1/users', { login, password: `Plain-Pw-${uniq}`, roles: [] });
    assert.equal(res.status, 201, res.text);
    const plain = await stack.login(login, `Plain-Pw-${uniq}`);
    assert.equal((await plain.get(`/api/v1/attributes?entity=${ENTITY}`)).status, 200);
    assertError(await plain.post('/api/v1/attributes', { entity: ENTITY, name: 'y', type: 'text', label_ru: 'y' }),
        403, 'forbidden');
    assertError(await stack.get(`/api/v1/attributes?entity=${ENTITY}`), 401, 'unauthenticated');
});

test('values: checked by type, list and required before the record is written', async () => {
    const before = Number(await stack.psql('SELECT count(*) FROM t_core.thing'));
    let res = await stack.post(`${T}/things`, { name: 'no code' });
    assertError(res, 422, 'validation', 'attrs.code');
    res = await stack.post(`${T}/things`, {
        name: 'all wrong',
        attrs: { code: 5, area: 'big', checked: '2024-02-30', vip: 'yes', size: 'XL', colour: 'red' },
    });
    assertError(res, 422, 'validation', 'attrs.code', 'attrs.area', 'attrs.checked', 'attrs.vip', 'attrs.size',
        'attrs.colour');
    assert.equal(res.json.error.fields['attrs.colour'], 'unknown attribute');
    assert.equal(Number(await stack.psql('SELECT count(*) FROM t_core.thing')), before, 'nothing written');

    res = await stack.post(`${T}/things`, {
        name: 'shop', attrs: { code: 'A-1', area: 12.5, checked: '2026-11-01', vip: true, size: 'L' },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json.attrs, { code: 'A-1', area: 12.5, checked: '2026-11-01', vip: true, size: 'L' });
    res = await stack.post(`${T}/things`, { name: 'kiosk', attrs: { code: 'B-2', area: 3, size: 'S', vip: false } });
    assert.equal(res.status, 201, res.text);
});

test('lists filter by attribute values, typed by their definitions', async () => {
    const names = async (qs) => {
        const res = await stack.get(`${T}/things?${qs}`);
        assert.equal(res.status, 200, res.text);
        return res.json.map((t) => t.name);
    };
    assert.deepEqual(await names('attr.size=L'), ['shop']);
    assert.deepEqual(await names('attr.vip=false'), ['kiosk']);
    assert.deepEqual(await names('attr.area=12.5&attr.size=L'), ['shop']);
    assert.deepEqual(await names('attr.code=B-2'), ['kiosk']);
    assert.deepEqual(await names('attr.size=S&attr.vip=true'), []);
    assertError(await stack.get(`${T}/things?attr.colour=red`), 422, 'validation', 'attr.colour');
    assertError(await stack.get(`${T}/things?attr.area=big`), 422, 'validation', 'attr.area');
    assertError(await stack.get(`${T}/things?attr.vip=yes`), 422, 'validation', 'attr.vip');
});

test('editing a definition: version-checked; inactive ones are neither required nor listed', async () => {
    let res = await admin.patch(`/api/v1/attributes/${code.id}`, { version: 1, active: false, label_en: 'Old code' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, 2);
    assertError(await admin.patch(`/api/v1/attributes/${code.id}`, { version: 1, label_ru: 'x' }), 409, 'conflict',
        'version');
    assertError(await admin.patch(`/api/v1/attributes/${area.id}`, { version: 1, type: 'text' }), 422, 'validation',
        'type');
    res = await stack.post(`${T}/things`, { name: 'no code now', attrs: { area: 1 } });
    assert.equal(res.status, 201, res.text);
    const active = (await admin.get(`/api/v1/attributes?entity=${ENTITY}`)).json.map((a) => a.name);
    assert.ok(!active.includes('code'));
    const all = (await admin.get(`/api/v1/attributes?entity=${ENTITY}&all=true`)).json.map((a) => a.name);
    assert.ok(all.includes('code'));
    const audit = (await admin.get(`/api/v1/audit?entity=core.attribute_def&id=${code.id}`)).json;
    assert.equal(audit[0].action, 'updated');
    assert.equal(audit[0].old.active, true);
    assert.equal(audit[0].new.active, false);
});
