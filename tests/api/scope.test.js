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
    assert.equal((await role('manager')).own_only, true, 'a manager works with their own clients');
    assert.equal((await role('analyst')).own_only, false, 'an analyst reads everything');

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

    res = await c.get('/api/v1/t_core/scope/clients');
    assert.equal(res.json.own_only, true);

    // a second role widens the view only for what it grants: the scope of
    // a request is that of the roles granting the permission it uses
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, roles: ['own_a', 'wide_b'] });
    assert.equal(res.status, 200, res.text);
    res = await c.get('/api/v1/t_core/scope/clients');
    assert.equal(res.json.own_only, true, 'wide_b does not grant clients.read');
    res = await c.get('/api/v1/t_core/scope/catalog');
    assert.equal(res.json.own_only, false, 'catalog.read comes from an unlimited role');
    res = await c.get('/api/v1/t_core/scope/clients?x=1');
    assert.equal(res.json.own_only, true, 'the scope is per request, not per worker');

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

test('a role that grants nothing never lifts the limit (manager + distributor)', async () => {
    const u = await user({ login: 'scoped2', roles: ['manager', 'distributor'] });
    const c = await stack.login('scoped2', PW);
    let res = await c.get('/api/v1/t_core/scope/clients');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.own_only, true);
    res = await c.get('/api/v1/t_core/scope');
    assert.equal(res.json.own_only, true, 'nor on a route any employee may call');
    assert.equal(c.user.own_only, true);
    // a role that grants the permission without the limit does lift it
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, roles: ['manager', 'analyst'] });
    assert.equal(res.status, 200, res.text);
    res = await c.get('/api/v1/t_core/scope/clients');
    assert.equal(res.json.own_only, false, 'analyst reads every client');
    const mgr = await role('manager');
    assert.ok(mgr.permissions.includes('clients.write') && !(await role('analyst')).permissions.includes('clients.write'));
});

test('GET /users/lookup: active employees by fragment or ids, for anyone signed in', async () => {
    const a = await user({ login: 'look.ivanova', full_name: 'Иванова Анна', roles: ['manager'] });
    const b = await user({ login: 'look.petrov', full_name: 'Петров Борис', roles: ['manager'] });
    const off = await user({ login: 'look.gone', full_name: 'Иванов Уволенный' });
    let res = await admin.patch(`/api/v1/users/${off.id}`, { version: off.version, active: false });
    assert.equal(res.status, 200, res.text);
    const dist = await admin.post('/api/v1/clients/counterparties', { kind: 'distributor', name: 'Портальный Дистрибьютор' });
    assert.equal(dist.status, 201, dist.text);
    await user({ login: 'look.portal', full_name: 'Иванов Портальный', counterparty_id: dist.json.id });

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
    await stack.waitForLog(/schema: \d+ migrations? applied, up to date/, { since: mark });
    await waitFor(async () => (await stack.get('/api/v1/health')).status === 200, { what: 'health after reload' });
    manager = await role('manager');
    assert.ok(!manager.permissions.includes('clients.write'), manager.permissions.join(' '));
    assert.ok(manager.permissions.includes('clients.read'));
});

test('portal users reach the portal\'s routes and their session only', async () => {
    const dist = await admin.post('/api/v1/clients/counterparties', { kind: 'distributor', name: 'Дистрибьютор Стены' });
    assert.equal(dist.status, 201, dist.text);
    // a role that would grant everything by mistake changes nothing
    let res = await admin.post('/api/v1/roles', { name: 'portal_oops', permissions: ['clients.read', 'core.roles.manage',
        'core.attributes.manage', 'catalog.read'] });
    assert.equal(res.status, 201, res.text);
    await user({ login: 'wall.portal', counterparty_id: dist.json.id, roles: ['distributor', 'portal_oops'] });
    const p = await stack.login('wall.portal', PW);
    assert.equal(p.user.counterparty_id, dist.json.id);
    for (const path of ['/api/v1/roles', '/api/v1/attributes?entity=clients.counterparty', '/api/v1/users/lookup',
        '/api/v1/permissions', '/api/v1/t_core/secret', '/api/v1/t_core/scope', '/api/v1/clients/counterparties',
        `/api/v1/clients/counterparties/${dist.json.id}`, '/api/v1/catalog/products',
        `/api/v1/audit?entity=clients.counterparty&id=${dist.json.id}`]) {
        res = await p.get(path);
        assert.equal(res.status, 403, `${path}: ${res.text}`);
        assert.equal(res.json.error.code, 'forbidden', res.text);
    }
    res = await p.post('/api/v1/roles', { name: 'portal_made' });
    assert.equal(res.status, 403, res.text);
    // a route declared for the portal, and the session's own routes
    res = await p.get('/api/v1/t_core/portal/whoami');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.counterparty_id, dist.json.id);
    res = await p.get('/api/v1/session');
    assert.equal(res.status, 200, res.text);
    res = await p.request('PATCH', '/api/v1/session', { json: { locale: 'en' } });
    assert.equal(res.status, 200, res.text);
    // employees reach portal routes too (through the normal permission check)
    res = await admin.get('/api/v1/t_core/portal/whoami');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.counterparty_id, null);
    // a token a portal user owns is a portal caller too
    const owner = (await stack.rows("SELECT id FROM core.\"user\" WHERE login = 'wall.portal'"))[0].id;
    await stack.psql(`INSERT INTO core.api_token (name, token_hash, permissions, created_by)
        VALUES ('portal', encode(sha256('kedr_portal_wall_token'::bytea), 'hex'), '{clients.read}', ${owner})`);
    const pt = stack.client({ token: 'kedr_portal_wall_token' });
    res = await pt.get('/api/v1/clients/counterparties');
    assert.equal(res.status, 403, res.text);
    res = await pt.get('/api/v1/t_core/portal/whoami');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { user_id: owner, counterparty_id: dist.json.id });
    res = await p.delete('/api/v1/session');
    assert.equal(res.status, 204, res.text);
    res = await p.get('/api/v1/t_core/portal/whoami');
    assert.equal(res.status, 401, res.text);
});

test('a portal user\'s counterparty must exist', async () => {
    let res = await admin.post('/api/v1/users', { login: 'ghost.portal', password: PW, counterparty_id: 987654 });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.error.fields.counterparty_id, 'no such counterparty');
    assert.equal((await stack.rows("SELECT count(*)::int AS n FROM core.\"user\" WHERE login = 'ghost.portal'"))[0].n, 0);
    const u = await user({ login: 'ghost.staff' });
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, counterparty_id: 987654 });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.error.fields.counterparty_id, 'no such counterparty');
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, counterparty_id: null });
    assert.equal(res.status, 200, res.text);
});

test('managing users: a manager limited to own records cannot take over a colleague who sees everything', async () => {
    let res = await admin.post('/api/v1/roles', { name: 'own_um', own_only: true,
        permissions: ['core.users.manage', 'clients.read'] });
    assert.equal(res.status, 201, res.text);
    res = await admin.post('/api/v1/roles', { name: 'wide_reader', permissions: ['clients.read'] });
    assert.equal(res.status, 201, res.text);
    res = await admin.post('/api/v1/roles', { name: 'own_reader', own_only: true, permissions: ['clients.read'] });
    assert.equal(res.status, 201, res.text);
    await user({ login: 'um.own', roles: ['own_um'] });
    const wide = await user({ login: 'um.wide', roles: ['wide_reader'] });
    const narrow = await user({ login: 'um.narrow', roles: ['own_reader'] });
    const um = await stack.login('um.own', PW);
    res = await um.post(`/api/v1/users/${wide.id}/password`, { password: 'Taken-Over-Password-1' });
    assert.equal(res.status, 403, res.text);
    assert.match(res.json.error.message, /^permission "clients.read" required without the own-only limit/);
    res = await um.patch(`/api/v1/users/${wide.id}`, { version: wide.version, full_name: 'Взят' });
    assert.equal(res.status, 403, res.text);
    assert.equal((await stack.login('um.wide', PW)).user.login, 'um.wide', 'the password is unchanged');
    // an equal (as limited) colleague may be managed
    res = await um.post(`/api/v1/users/${narrow.id}/password`, { password: 'Reset-By-Peer-Password-1' });
    assert.equal(res.status, 204, res.text);
});
