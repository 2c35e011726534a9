// The administration API and CLI on a real stack (issue 4): users
// (create, list, search, edit with optimistic locking, disable, reset
// password), roles and the permission catalogue, API tokens (shown once,
// stored hashed, their own permissions, expiry, revocation), the module
// list, the audit trail of all of it, `kedr user add|passwd|list`, and
// the admin user stack.sh makes on first start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, waitFor } from '../lib/stack.js';
import { assertError } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['t_kit', 't_base', 't_core'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const uniq = `${process.pid}${Date.now() % 100000}`;
const PW = `Admin-Test-${uniq}`;
const admin = await stack.loginAdmin();

async function createUser(body) {
    const res = await admin.post('/api/v1/users', { password: PW, ...body });
    assert.equal(res.status, 201, res.text);
    return res.json;
}

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

// The audit rows of a record, oldest first.
async function history(client, entity, id) {
    const res = await client.get(`/api/v1/audit?entity=${entity}&id=${id}`);
    assert.equal(res.status, 200, res.text);
    return res.json.slice().reverse();
}

test('the first start made user admin, its password in DIR/admin-password (0600)', async () => {
    const file = path.join(stack.dir, 'admin-password');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.ok(stack.adminPassword().length >= 20);
    const res = await admin.get('/api/v1/session');
    assert.equal(res.json.user.login, 'admin');
    assert.deepEqual(res.json.user.roles, ['admin']);
    assert.equal(res.json.user.full_name, 'Администратор');
    assert.ok(res.json.permissions.includes('*'));
    const rows = await stack.rows(`SELECT request_id, action FROM core.audit WHERE entity = 'core.user'
        AND entity_id = '${res.json.user.id}'`);
    assert.deepEqual(rows, [{ request_id: 'cli', action: 'created' }]);
});

test('users: create, read, list with search, filter and paging', async () => {
    const u = await createUser({
        login: `ivanov${uniq}`, full_name: 'Иван Иванов', email: `ivanov${uniq}@example.ru`,
        phone: '+7 495 000-00-00', locale: 'en', roles: ['manager', 'analyst'],
    });
    assert.equal(u.login, `ivanov${uniq}`);
    assert.deepEqual(u.roles, ['analyst', 'manager']);
    assert.equal(u.locale, 'en');
    assert.equal(u.active, true);
    assert.equal(u.has_password, true);
    assert.equal(u.version, 1);
    assert.equal(u.counterparty_id, null);
    assert.ok(!('password_hash' in u) && !('password' in u));

    // a portal user's counterparty must exist: without the clients module
    // there is none (tests/api/scope.test.js creates them with it)
    const bad = await admin.post('/api/v1/users', { login: `dist${uniq}`, full_name: 'Дистрибьютор',
        roles: ['distributor'], counterparty_id: 42 });
    assertError(bad, 422, 'validation', 'counterparty_id');
    assert.equal(bad.json.error.fields.counterparty_id, 'portal users need the clients module');
    const dist = await createUser({ login: `dist${uniq}`, full_name: 'Дистрибьютор', roles: ['distributor'] });
    assert.equal(dist.counterparty_id, null, 'the refused request left nothing behind: the login was free');
    const nopw = (await admin.post('/api/v1/users', { login: `nopw${uniq}` })).json;
    assert.equal(nopw.has_password, false);
    assert.deepEqual(nopw.roles, []);
    assert.equal(nopw.locale, 'ru');

    let res = await admin.get(`/api/v1/users/${u.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, u);
    assertError(await admin.get('/api/v1/users/999999'), 404, 'not_found');
    assertError(await admin.get('/api/v1/users/abc'), 404, 'not_found');

    // search by name (Cyrillic, any case), email and login
    for (const q of ['иван иванов', 'ИВАНОВ', `ivanov${uniq}@example`, `VANOV${uniq}`]) {
        res = await admin.get(`/api/v1/users?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json.items.map((x) => x.id), [u.id], q);
        assert.equal(res.json.total, 1);
    }
    // LIKE wildcards in q are literal
    res = await admin.get(`/api/v1/users?q=${encodeURIComponent('%')}`);
    assert.equal(res.json.total, 0);
    res = await admin.get('/api/v1/users?limit=2&offset=0');
    assert.equal(res.json.items.length, 2);
    const total = res.json.total;
    assert.ok(total >= 4);
    const all = (await admin.get('/api/v1/users?limit=500')).json.items;
    assert.equal(all.length, total);
    res = await admin.get('/api/v1/users?limit=2&offset=2');
    assert.deepEqual(res.json.items.map((x) => x.id), all.slice(2, 4).map((x) => x.id), 'pages follow the order');
    res = await admin.get('/api/v1/users?active=false');
    assert.ok(res.json.items.every((x) => x.active === false));
    assertError(await admin.get('/api/v1/users?limit=-1'), 422, 'validation', 'limit');
    assertError(await admin.get('/api/v1/users?limit=100000'), 422, 'validation', 'limit');
    assertError(await admin.get('/api/v1/users?active=maybe'), 422, 'validation', 'active');

    // sorting by a column, both ways; the role filter
    const byName = (await admin.get('/api/v1/users?limit=500&sort=full_name&order=desc')).json.items;
    const names = byName.map((x) => x.full_name.toLowerCase());
    assert.deepEqual(names, [...names].sort().reverse(), 'full_name descending');
    const byLogin = (await admin.get('/api/v1/users?limit=500&sort=login&order=asc')).json.items;
    assert.deepEqual(byLogin.map((x) => x.id), all.map((x) => x.id), 'login ascending is the default order');
    res = await admin.get('/api/v1/users?role=analyst&limit=500');
    assert.ok(res.json.items.some((x) => x.id === u.id));
    assert.ok(res.json.items.every((x) => x.roles.includes('analyst')));
    assert.equal((await admin.get('/api/v1/users?role=nosuchrole')).json.total, 0);
    assertError(await admin.get('/api/v1/users?sort=password_hash'), 422, 'validation', 'sort');
    assertError(await admin.get('/api/v1/users?sort=login&order=sideways'), 422, 'validation', 'order');
});

test('users: refused input names the field', async () => {
    const base = { login: `bad${uniq}`, password: PW };
    assertError(await admin.post('/api/v1/users', { ...base, login: 'has space' }), 422, 'validation', 'login');
    assertError(await admin.post('/api/v1/users', { ...base, email: 'not-an-email' }), 422, 'validation', 'email');
    // the tree's one e-mail rule (lib/values.c): no list of addresses
    assertError(await admin.post('/api/v1/users', { ...base, email: 'a,b@example.ru' }), 422, 'validation', 'email');
    assertError(await admin.post('/api/v1/users', { ...base, locale: 'de' }), 422, 'validation', 'locale');
    assertError(await admin.post('/api/v1/users', { ...base, roles: ['manager', 'wizard'] }), 422, 'validation', 'roles');
    assertError(await admin.post('/api/v1/users', { ...base, roles: [1] }), 422, 'validation', 'roles');
    assertError(await admin.post('/api/v1/users', { ...base, password: 'short' }), 422, 'validation', 'password');
    assertError(await admin.post('/api/v1/users', { ...base, password: base.login }), 422, 'validation', 'password');
    assertError(await admin.post('/api/v1/users', { ...base, pasword: PW }), 422, 'validation', 'pasword');
    assertError(await admin.post('/api/v1/users', { password: PW }), 422, 'validation', 'login');
    assert.equal(await stack.psql(`SELECT count(*) FROM core."user" WHERE login = 'bad${uniq}'`), '0');

    await createUser({ login: `dup${uniq}` });
    const res = await admin.post('/api/v1/users', { login: `DUP${uniq}`, password: PW });
    assertError(res, 409, 'conflict', 'login');
});

test('users: edit with the version read; a stale version is 409; audit keeps old and new', async () => {
    const u = await createUser({ login: `edit${uniq}`, full_name: 'Пётр', roles: ['manager'] });
    let res = await admin.patch(`/api/v1/users/${u.id}`, {
        version: 1, full_name: 'Пётр Петров', email: `petr${uniq}@example.com`, roles: ['support'],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.full_name, 'Пётр Петров');
    assert.deepEqual(res.json.roles, ['support']);
    assert.equal(res.json.version, 2);
    assert.equal(res.json.phone, '', 'fields not sent stay');
    assert.ok(res.json.updated_at > u.updated_at);

    // someone else's edit in between: 409, nothing changes
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: 1, full_name: 'Lost update' });
    assertError(res, 409, 'conflict', 'version');
    res = await admin.get(`/api/v1/users/${u.id}`);
    assert.equal(res.json.full_name, 'Пётр Петров');
    assertError(await admin.patch(`/api/v1/users/${u.id}`, { full_name: 'x' }), 422, 'validation', 'version');
    assertError(await admin.patch('/api/v1/users/999999', { version: 1 }), 404, 'not_found');

    // counterparty_id: only one that exists (none without clients); null clears
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: 2, counterparty_id: 7 });
    assertError(res, 422, 'validation', 'counterparty_id');
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: 2, counterparty_id: null });
    assert.equal(res.json.counterparty_id, null);

    const rows = await history(admin, 'core.user', u.id);
    assert.deepEqual(rows.map((r) => r.action), ['created', 'updated', 'updated']);
    assert.equal(rows[0].old, null);
    assert.equal(rows[0].new.full_name, 'Пётр');
    assert.equal(rows[1].old.full_name, 'Пётр');
    assert.equal(rows[1].new.full_name, 'Пётр Петров');
    assert.deepEqual(rows[1].old.roles, ['manager']);
    assert.deepEqual(rows[1].new.roles, ['support']);
    for (const r of rows) {
        assert.equal(r.user_login, 'admin');
        assert.match(r.request_id, /^[0-9a-f]{32}$/);
        assert.ok(!JSON.stringify(r).includes('argon2'), 'no password hash in the audit trail');
    }
});

test('users: the last administrator cannot be disabled or lose the admin role', async () => {
    const me = (await admin.get('/api/v1/session')).json.user;
    const cur = (await admin.get(`/api/v1/users/${me.id}`)).json;
    assertError(await admin.patch(`/api/v1/users/${me.id}`, { version: cur.version, active: false }), 422,
        'validation', 'active');
    // nobody changes their own roles (tests/api/escalation.test.js), so
    // the last administrator cannot lose the role either
    assertError(await admin.patch(`/api/v1/users/${me.id}`, { version: cur.version, roles: ['manager'] }), 403,
        'forbidden', 'roles');
    assert.equal((await admin.get('/api/v1/session')).status, 200, 'still signed in');
    assert.deepEqual((await admin.get(`/api/v1/users/${me.id}`)).json, cur, 'unchanged');
});

test('users: a password reset ends the user\'s sessions; weak passwords are refused', async () => {
    const u = await createUser({ login: `reset${uniq}`, roles: ['analyst'] });
    const s1 = await stack.login(u.login, PW);
    const s2 = await stack.login(u.login, PW);
    assertError(await admin.post(`/api/v1/users/${u.id}/password`, { password: 'short' }), 422, 'validation', 'password');
    assertError(await admin.post(`/api/v1/users/${u.id}/password`, { password: u.login.toUpperCase() }), 422,
        'validation', 'password');
    assert.equal((await s1.get('/api/v1/session')).status, 200, 'a refused reset ends nothing');

    const fresh = `Fresh-${PW}`;
    let res = await admin.post(`/api/v1/users/${u.id}/password`, { password: fresh });
    assert.equal(res.status, 204, res.text);
    assertError(await s1.get('/api/v1/session'), 401, 'unauthenticated');
    assertError(await s2.get('/api/v1/session'), 401, 'unauthenticated');
    assertError(await stack.post('/api/v1/session', { login: u.login, password: PW }), 401, 'unauthenticated');
    const s3 = await stack.login(u.login, fresh);
    assert.equal((await s3.get('/api/v1/session')).status, 200);

    const rows = await history(admin, 'core.user', u.id);
    const last = rows[rows.length - 1];
    assert.equal(last.action, 'password_changed');
    assert.equal(last.new.sessions_ended, 2);
    assert.ok(!JSON.stringify(last).includes(fresh) && !JSON.stringify(last).includes('argon2'));
    res = await admin.get(`/api/v1/users/${u.id}`);
    assert.equal(res.json.version, 2);

    // a user without a password can be given one
    const np = (await admin.post('/api/v1/users', { login: `later${uniq}` })).json;
    assertError(await stack.post('/api/v1/session', { login: np.login, password: PW }), 401, 'unauthenticated');
    assert.equal((await admin.post(`/api/v1/users/${np.id}/password`, { password: PW })).status, 204);
    await stack.login(np.login, PW);
    assertError(await admin.post('/api/v1/users/999999/password', { password: PW }), 404, 'not_found');
});

test('roles: list for anyone signed in; create, edit permissions (effective at once), refusals', async () => {
    const plain = await stack.login((await createUser({ login: `plain${uniq}` })).login, PW);
    let res = await plain.get('/api/v1/roles');
    assert.equal(res.status, 200, res.text);
    const names = res.json.map((r) => r.name);
    for (const n of ['admin', 'manager', 'analyst', 'support', 'marketing', 'distributor']) assert.ok(names.includes(n), n);
    const adminRole = res.json.find((r) => r.name === 'admin');
    assert.deepEqual(adminRole.permissions, ['*']);
    assert.equal(adminRole.builtin, true);
    assert.equal(adminRole.label_ru, 'Администратор');
    assert.ok(adminRole.users >= 1);
    assertError(await plain.get(`/api/v1/roles/${adminRole.id}`), 403, 'forbidden');

    res = await admin.post('/api/v1/roles', {
        name: `auditors${uniq}`, label_ru: 'Аудиторы', label_en: 'Auditors',
        permissions: ['core.audit.read', 't_kit.write', 'core.audit.read'],
    });
    assert.equal(res.status, 201, res.text);
    const role = res.json;
    assert.deepEqual(role.permissions, ['core.audit.read', 't_kit.write'], 'sorted, without duplicates');
    assert.equal(role.builtin, false);
    assert.equal(role.version, 1);
    assertError(await admin.post('/api/v1/roles', { name: `auditors${uniq}` }), 409, 'conflict', 'name');
    assertError(await admin.post('/api/v1/roles', { name: 'Bad-Name' }), 422, 'validation', 'name');
    res = await admin.post('/api/v1/roles', { name: `r${uniq}`, permissions: ['core.audit.read', 'clients.nonsense'] });
    assertError(res, 422, 'validation', 'permissions');
    assert.match(res.json.error.fields.permissions, /clients\.nonsense/);

    // a user of the role holds its permissions, and loses them the moment
    // the role does
    const u = await createUser({ login: `auditor${uniq}`, roles: [role.name] });
    const s = await stack.login(u.login, PW);
    assert.deepEqual(s.res.json.permissions.sort(), ['core.audit.read', 't_kit.write']);
    assert.equal((await s.get(`/api/v1/audit?entity=core.user&id=${u.id}`)).status, 200);
    res = await admin.patch(`/api/v1/roles/${role.id}`, { version: 1, permissions: ['t_kit.write'], label_en: 'Writers' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.permissions, ['t_kit.write']);
    assert.equal(res.json.label_en, 'Writers');
    assert.equal(res.json.label_ru, 'Аудиторы');
    assert.equal(res.json.version, 2);
    assert.equal(res.json.users, 1);
    assertError(await s.get(`/api/v1/audit?entity=core.user&id=${u.id}`), 403, 'forbidden');

    assertError(await admin.patch(`/api/v1/roles/${role.id}`, { version: 1, label_en: 'stale' }), 409, 'conflict', 'version');
    assertError(await admin.patch(`/api/v1/roles/${role.id}`, { version: 2, permissions: ['nope.nope'] }), 422,
        'validation', 'permissions');
    assertError(await admin.patch('/api/v1/roles/999999', { version: 1 }), 404, 'not_found');

    // the admin role keeps '*'; an administrator changes the permissions
    // of the admin role only when it holds '*' through another role (nobody
    // changes their own role's permissions)
    res = await admin.patch(`/api/v1/roles/${adminRole.id}`, { version: adminRole.version, permissions: ['core.users.manage'] });
    assertError(res, 422, 'validation', 'permissions');
    res = await admin.patch(`/api/v1/roles/${adminRole.id}`, {
        version: adminRole.version, permissions: ['*', 'core.users.manage'], label_en: 'Admins',
    });
    assertError(res, 403, 'forbidden', 'permissions');
    const superRole = (await admin.post('/api/v1/roles', { name: `super${uniq}`, permissions: ['*'] })).json;
    const superUser = await createUser({ login: `super${uniq}`, roles: [superRole.name] });
    const sup = await stack.login(superUser.login, PW);
    res = await sup.patch(`/api/v1/roles/${adminRole.id}`, {
        version: adminRole.version, permissions: ['*', 'core.users.manage'], label_en: 'Admins',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.permissions, ['*', 'core.users.manage']);
    res = await admin.patch(`/api/v1/users/${superUser.id}`, { version: superUser.version, active: false });
    assert.equal(res.status, 200, res.text);

    const rows = await history(admin, 'core.role', role.id);
    assert.deepEqual(rows.map((r) => r.action), ['created', 'updated']);
    assert.deepEqual(rows[1].old.permissions, ['core.audit.read', 't_kit.write']);
    assert.deepEqual(rows[1].new.permissions, ['t_kit.write']);
});

test('permissions: the catalogue by module, with Russian and English labels', async () => {
    const res = await admin.get('/api/v1/permissions');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.map((b) => b.module), ['core', 't_kit']);
    assert.deepEqual(res.json[0].permissions.map((p) => p.name),
        ['core.users.manage', 'core.roles.manage', 'core.audit.read', 'core.modules.read',
            'core.attributes.manage']);
    for (const b of res.json) {
        for (const p of b.permissions) {
            assert.ok(p.label_ru && p.label_en, p.name);
            assert.match(p.label_ru, /[а-яё]/i, `${p.name} has a Russian label`);
        }
    }
    assert.deepEqual(res.json[1].permissions.map((p) => p.name), ['t_kit.read', 't_kit.write', 't_kit.delete'],
        'in the order the module declares them');
    assert.deepEqual(res.json[1].permissions[1], { name: 't_kit.write', label_ru: 'Писать', label_en: 'Write' });
});

test('tokens: shown once, stored hashed, own permissions, last use, revoke, expiry', async () => {
    let res = await admin.post('/api/v1/tokens', { name: `1C ${uniq}`, permissions: ['t_kit.write'] });
    assert.equal(res.status, 201, res.text);
    const t = res.json;
    assert.match(t.token, /^kedr_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(t.permissions, ['t_kit.write']);
    assert.equal(t.active, true);
    assert.equal(t.last_used_at, null);
    assert.equal(t.created_by_login, 'admin');

    res = await admin.get('/api/v1/tokens');
    const listed = res.json.find((x) => x.id === t.id);
    assert.ok(listed);
    assert.ok(!('token' in listed) && !('token_hash' in listed), 'never shown again');
    assert.ok(!res.text.includes(t.token));
    const rows = await stack.rows(`SELECT token_hash FROM core.api_token WHERE id = ${t.id}`);
    assert.equal(rows[0].token_hash, sha256(t.token), 'only the SHA-256 is kept');

    const bearer = stack.client({ token: t.token });
    res = await bearer.post('/api/v1/t_kit/notes', { title: `from a token ${uniq}` });
    assert.equal(res.status, 201, res.text);
    assertError(await bearer.get('/api/v1/users'), 403, 'forbidden');
    assertError(await bearer.get('/api/v1/session'), 400, 'bad_request');
    const used = await waitFor(async () => (await admin.get('/api/v1/tokens')).json.find((x) => x.id === t.id).last_used_at,
        { what: 'last_used_at' });
    assert.ok(Date.parse(used) > Date.now() - 60000);
    // the write is audited under the token
    const audit = await stack.rows(`SELECT user_id, token_id FROM core.audit WHERE entity = 't_kit.note'
        AND new->>'title' = 'from a token ${uniq}'`);
    assert.deepEqual(audit, [{ user_id: null, token_id: t.id }]);

    res = await admin.delete(`/api/v1/tokens/${t.id}`);
    assert.equal(res.status, 204, res.text);
    assertError(await bearer.post('/api/v1/t_kit/notes', { title: 'revoked' }), 401, 'unauthenticated');
    assert.equal((await admin.delete(`/api/v1/tokens/${t.id}`)).status, 204, 'revoking again is harmless');
    assertError(await admin.delete('/api/v1/tokens/999999'), 404, 'not_found');
    res = await admin.get('/api/v1/tokens');
    const revoked = res.json.find((x) => x.id === t.id);
    assert.ok(revoked.revoked_at);
    assert.equal(revoked.active, false);

    // expiry: in force until it passes
    const soon = new Date(Date.now() + 3600e3).toISOString();
    res = await admin.post('/api/v1/tokens', { name: `expiring ${uniq}`, permissions: ['core.modules.read'], expires_at: soon });
    assert.equal(res.status, 201, res.text);
    assert.equal(Date.parse(res.json.expires_at), Date.parse(soon));
    const exp = stack.client({ token: res.json.token });
    assert.equal((await exp.get('/api/v1/modules')).status, 200);
    await stack.psql(`UPDATE core.api_token SET expires_at = now() - interval '1 second' WHERE id = ${res.json.id}`);
    assertError(await exp.get('/api/v1/modules'), 401, 'unauthenticated');

    // refusals
    const past = new Date(Date.now() - 60e3).toISOString();
    assertError(await admin.post('/api/v1/tokens', { name: 'x', permissions: [], expires_at: past }), 422, 'validation',
        'expires_at');
    for (const bad of ['tomorrow', '2031-02-30T00:00:00Z', '2031-01-01T25:00:00Z', '2031-01-01T00:00:00+99:00']) {
        assertError(await admin.post('/api/v1/tokens', { name: 'x', permissions: [], expires_at: bad }), 422,
            'validation', 'expires_at');
    }
    assertError(await admin.post('/api/v1/tokens', { name: 'x', permissions: ['no.such'] }), 422, 'validation',
        'permissions');
    assertError(await admin.post('/api/v1/tokens', { name: '', permissions: [] }), 422, 'validation', 'name');
    assertError(await admin.post('/api/v1/tokens', { name: 'x' }), 422, 'validation', 'permissions');

    // nobody hands out more than they hold
    const role = (await admin.post('/api/v1/roles', { name: `tokenmgr${uniq}`, permissions: ['core.users.manage'] })).json;
    const mgr = await stack.login((await createUser({ login: `tokenmgr${uniq}`, roles: [role.name] })).login, PW);
    assertError(await mgr.post('/api/v1/tokens', { name: 'x', permissions: ['t_kit.write'] }), 403, 'forbidden',
        'permissions');
    res = await mgr.post('/api/v1/tokens', { name: `mgr ${uniq}`, permissions: ['core.users.manage'] });
    assert.equal(res.status, 201, res.text);

    const hist = await history(admin, 'core.api_token', t.id);
    assert.deepEqual(hist.map((r) => r.action), ['created', 'revoked']);
    assert.equal(hist[1].old.revoked_at, null);
    assert.ok(hist[1].new.revoked_at);
    const text = JSON.stringify(hist);
    assert.ok(!text.includes(t.token) && !text.includes(sha256(t.token)), 'no secret or hash in the audit trail');
});

test('modules: every module found, with state, version, permissions and menu entries', async () => {
    const res = await admin.get('/api/v1/modules');
    assert.equal(res.status, 200, res.text);
    const by = Object.fromEntries(res.json.map((m) => [m.name, m]));
    assert.equal(by.t_kit.state, 'enabled');
    assert.equal(by.t_kit.version, '1.0.0');
    assert.deepEqual(by.t_kit.permissions.map((p) => p.name), ['t_kit.read', 't_kit.write', 't_kit.delete']);
    assert.deepEqual(by.t_kit.ui, [
        { path: '/t_kit/widgets', label_ru: 'Изделия', label_en: 'Widgets', permission: null },
        { path: '/t_kit/shelves', label_ru: 'Полки', label_en: 'Shelves', permission: null },
        { path: '/t_kit/persons', label_ru: 'Люди', label_en: 'Persons', permission: null }]);
    assert.equal(by.t_core.state, 'enabled');
    assert.deepEqual(by.t_core.requires, ['t_base']);
    assert.equal(by.t_alpha.state, 'disabled');
    assert.equal(by.t_alpha.version, null);
    const plain = await stack.login((await createUser({ login: `modplain${uniq}` })).login, PW);
    assertError(await plain.get('/api/v1/modules'), 403, 'forbidden');
});

test('audit: readable with core.audit.read (or analyst), 403 without, needs an entity', async () => {
    const u = await createUser({ login: `audited${uniq}` });
    const plain = await stack.login(u.login, PW);
    assertError(await plain.get(`/api/v1/audit?entity=core.user&id=${u.id}`), 403, 'forbidden');
    const analyst = await stack.login((await createUser({ login: `analyst${uniq}`, roles: ['analyst'] })).login, PW);
    const rows = await history(analyst, 'core.user', u.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].action, 'created');
    assert.equal(rows[0].user_login, 'admin');
    assert.equal(rows[0].new.login, u.login);
    assertError(await analyst.get('/api/v1/audit'), 422, 'validation', 'entity');
});

test('CLI: kedr user add, passwd, list', async () => {
    const login = `cli${uniq}`;
    let res = await stack.kedr(['user', 'add', login, '--role', 'manager', '--role', 'support', '--name', 'Кли Клиентов',
        '--email', `cli${uniq}@example.com`, '--locale', 'en', '--password-stdin'], { input: `${PW}\n` });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`user "${login}" created`));
    let s = await stack.login(login, PW);
    assert.deepEqual(s.user.roles, ['manager', 'support']);
    assert.equal(s.user.full_name, 'Кли Клиентов');
    assert.equal(s.user.locale, 'en');
    const audit = await stack.rows(`SELECT request_id, action, new->>'login' AS login FROM core.audit
        WHERE entity = 'core.user' AND entity_id = '${s.user.id}'`);
    assert.deepEqual(audit, [{ request_id: 'cli', action: 'created', login }]);

    // refusals: exit 1, a message on stderr, nothing written
    const before = await stack.psql('SELECT count(*) FROM core."user"');
    for (const [args, input, msg] of [
        [['user', 'add', login.toUpperCase(), '--role', 'manager'], undefined, /exists/],
        [['user', 'add', `x${login}`, '--role', 'wizard'], undefined, /unknown role "wizard"/],
        [['user', 'add', `y${login}`, '--role', 'manager', '--password-stdin'], 'short\n', /password is too short/],
        [['user', 'add', `z${login}`, '--role', 'manager', '--password-stdin'], '', /no password/],
        [['user', 'add', 'bad login', '--role', 'manager'], undefined, /bad login/],
        [['user', 'add', `e${login}`, '--role', 'manager', '--email', 'ivan@example'], undefined,
            /bad email "ivan@example"/],
        [['user', 'passwd', `nobody${uniq}`], `${PW}\n`, /no user/],
    ]) {
        res = await stack.kedr(args, { input: input ?? '' });
        assert.equal(res.code, 1, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
        assert.match(res.stderr, msg, args.join(' '));
    }
    res = await stack.kedr(['user', 'add', `w${login}`]);
    assert.equal(res.code, 2, 'a role is required');
    assert.equal(await stack.psql('SELECT count(*) FROM core."user"'), before);

    // without --password-stdin the user cannot log in until passwd
    res = await stack.kedr(['user', 'add', `np${login}`, '--role', 'analyst']);
    assert.equal(res.code, 0, res.stderr);
    assertError(await stack.post('/api/v1/session', { login: `np${login}`, password: PW }), 401, 'unauthenticated');
    res = await stack.kedr(['user', 'passwd', `np${login}`], { input: `${PW}\n` });
    assert.equal(res.code, 0, res.stderr);
    await stack.login(`np${login}`, PW);

    // passwd ends the user's sessions
    const fresh = `Cli-Fresh-${uniq}`;
    res = await stack.kedr(['user', 'passwd', login], { input: `${fresh}\n` });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /1 session\(s\) ended/);
    assertError(await s.get('/api/v1/session'), 401, 'unauthenticated');
    s = await stack.login(login, fresh);
    res = await stack.kedr(['user', 'passwd', login], { input: 'weak\n' });
    assert.equal(res.code, 1);

    res = await stack.kedr(['user', 'list']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n');
    assert.match(lines[0], /^LOGIN\s+ACTIVE\s+PASSWORD\s+ROLES\s+NAME/);
    const mine = lines.find((l) => l.startsWith(`${login} `));
    assert.match(mine, /^\S+\s+yes\s+yes\s+manager,support\s+Кли Клиентов$/);
    assert.match(lines.find((l) => l.startsWith('admin ')), /\s+yes\s+yes\s+admin\s+Администратор$/);
    assert.match(lines.find((l) => l.startsWith(`nopw${uniq} `)), /\s+yes\s+no\s+-\s*$/);
});
