// Data scope and default grants (issue 6, "own only"): a role may limit
// its holders to their own records, a user has regions, the core hands
// both to SQL per request (core.own_only(), core.user_regions(),
// core.current_user_id()); the employee lookup for "responsible manager"
// fields; and the default grants a module's descriptor asks for, applied
// once so an administrator's later change sticks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, waitFor } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_base', 't_core', 'catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const PW = `Scope-Test-${process.pid}`;

async function role(name) {
    const res = await admin.get('/api/v1/roles');
    assert.equal(res.status, 200, res.text);
    return res.json.find((r) => r.name === name);
}

async function user(body) {
    const res = await admin.post('/api/v1/users', { password: PW, ...body });
    assert.equal(res.status, 201, res.text);
    return res.json;
}

test('roles carry own_only; a role holding "*" cannot be limited', async () => {
    let res = await admin.post('/api/v1/roles', { name: 'field_rep', label_ru: 'Торговый представитель', permissions: ['clients.read'], own_only: true });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.own_only, true);
    const rep = res.json;
    res = await admin.patch(`/api/v1/roles/${rep.id}`, { version: rep.version, own_only: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.own_only, false);
    assert.equal((await role('manager')).own_only, false, 'built-in roles start unlimited');

    const adm = await role('admin');
    res = await admin.patch(`/api/v1/roles/${adm.id}`, { version: adm.version, own_only: true });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.error.fields.own_only, res.text);
    res = await admin.post('/api/v1/roles', { name: 'all_own', permissions: ['*'], own_only: true });
    assert.equal(res.status, 422, res.text);
    res = await admin.post('/api/v1/roles', { name: 'bad_own', own_only: 'yes' });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.error.fields.own_only, res.text);
    assert.equal((await role('admin')).own_only, false);
});

test('users carry regions: trimmed, distinct, sorted; a bad one is named', async () => {
    const u = await user({ login: 'reg1', full_name: 'Регионов Р.', regions: [' Тула ', 'Москва', 'Тула'] });
    assert.deepEqual(u.regions, ['Москва', 'Тула']);
    let res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, regions: ['Калуга', ''] });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.json.error.fields['regions[1]'], res.text);
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, regions: ['Калуга'] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.regions, ['Калуга']);
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: res.json.version, full_name: 'Регионов Р. Р.' });
    assert.deepEqual(res.json.regions, ['Калуга'], 'left out, regions keep their value');
    res = await admin.get(`/api/v1/audit?entity=core.user&id=${u.id}`);
    assert.ok(res.json.some((a) => a.action === 'updated' && JSON.stringify(a.new).includes('Калуга')), res.text);
});

test('the scope reaches SQL per request: own-only when every role is', async () => {
    let res = await admin.post('/api/v1/roles', { name: 'own_a', permissions: ['clients.read'], own_only: true });
    assert.equal(res.status, 201, res.text);
    res = await admin.post('/api/v1/roles', { name: 'wide_b', permissions: ['catalog.read'] });
    assert.equal(res.status, 201, res.text);
    const u = await user({ login: 'scoped1', roles: ['own_a'], regions: ['Тверь', 'Псков'] });
    const c = await stack.login('scoped1', PW);
    assert.equal(c.user.own_only, true);
    assert.deepEqual(c.user.regions, ['Псков', 'Тверь']);
    res = await c.get('/api/v1/t_core/scope');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { user_id: u.id, own_only: true, regions: ['Псков', 'Тверь'] });

    // a second, unlimited role widens the view, as roles add permissions
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, roles: ['own_a', 'wide_b'] });
    assert.equal(res.status, 200, res.text);
    res = await c.get('/api/v1/t_core/scope');
    assert.equal(res.json.own_only, false);

    // the administrator, and a request without a user, are never limited
    res = await admin.get('/api/v1/t_core/scope');
    assert.equal(res.json.own_only, false);
    assert.deepEqual(res.json.regions, []);
    // the settings are transaction-local: the next request on the same
    // worker starts clean
    for (let i = 0; i < 6; i++) {
        res = await stack.get('/api/v1/t_core/scope');
        assert.equal(res.status, 401);
    }
});

test('GET /users/lookup: active employees by fragment or ids, for anyone signed in', async () => {
    const a = await user({ login: 'look.ivanova', full_name: 'Иванова Анна', roles: ['manager'] });
    const b = await user({ login: 'look.petrov', full_name: 'Петров Борис', roles: ['manager'] });
    const off = await user({ login: 'look.gone', full_name: 'Иванов Уволенный' });
    let res = await admin.patch(`/api/v1/users/${off.id}`, { version: off.version, active: false });
    assert.equal(res.status, 200, res.text);
    await user({ login: 'look.portal', full_name: 'Иванов Портальный', counterparty_id: 77 });

    const m = await stack.login('look.petrov', PW);
    res = await m.get('/api/v1/users/lookup?q=иванов');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [{ id: a.id, login: 'look.ivanova', full_name: 'Иванова Анна' }]);
    res = await m.get(`/api/v1/users/lookup?ids=${b.id},${a.id}`);
    assert.deepEqual(res.json.map((u) => u.login), ['look.ivanova', 'look.petrov'], 'Russian alphabetical order');
    res = await m.get('/api/v1/users/lookup?q=look&limit=1');
    assert.equal(res.json.length, 1);
    res = await m.get('/api/v1/users/lookup?q=%25');
    assert.deepEqual(res.json, [], '% is a character, not a wildcard');
    for (const bad of ['ids=1,,2', 'ids=x', 'ids=,1', 'limit=1000']) {
        res = await m.get(`/api/v1/users/lookup?${bad}`);
        assert.equal(res.status, 422, `${bad}: ${res.text}`);
    }
    res = await m.get(`/api/v1/users/${a.id}`);
    assert.equal(res.status, 403, 'the full user record stays an administrator\'s');
    res = await stack.get('/api/v1/users/lookup');
    assert.equal(res.status, 401);
    const portal = await stack.login('look.portal', PW);
    res = await portal.get('/api/v1/users/lookup');
    assert.equal(res.status, 403, res.text);
});

test('default grants: given once at first migration; an administrator\'s change sticks', async () => {
    let manager = await role('manager');
    for (const p of ['catalog.read', 'clients.export', 'clients.read', 'clients.write'])
        assert.ok(manager.permissions.includes(p), `manager holds ${p}: ${manager.permissions}`);
    assert.ok(!manager.permissions.includes('clients.merge'));
    assert.deepEqual((await role('distributor')).permissions, [], 'portal users get nothing from the client base');
    const rows = await stack.rows("SELECT count(*)::int AS n FROM core.module_grant WHERE module = 'clients'");
    assert.equal(rows[0].n, 8);

    let res = await admin.patch(`/api/v1/roles/${manager.id}`, {
        version: manager.version,
        permissions: manager.permissions.filter((p) => p !== 'clients.write'),
    });
    assert.equal(res.status, 200, res.text);
    // a reload migrates again (a new generation): the grant is not re-applied
    const mark = stack.logMark();
    stack.reload();
    await stack.waitForLog(/schema up to date/, { since: mark });
    await waitFor(async () => (await stack.get('/api/v1/health')).status === 200, { what: 'health after reload' });
    manager = await role('manager');
    assert.ok(!manager.permissions.includes('clients.write'), manager.permissions.join(' '));
    assert.ok(manager.permissions.includes('clients.read'));
});
