// Nobody manages their way to more rights (issue 12, items 1 and 2).
//
// The matrix: every route that grants roles or permissions (or acts on a
// user, role or token that holds them) against every kind of caller, from
// two tables.  ROUTES has a row per case: how to make its target, the
// request, and the status each kind of caller gets; IDENTITIES has a row
// per caller: how to make it and its kind.  A new caller (say a portal
// user holding core.users.manage) is one more IDENTITIES row of an
// existing kind.  Every refusal must leave the database as it was (each
// row says what to read back), and every 403 names what is missing.
//
// Then the tokens themselves: effective permissions (the token's and its
// owner's, at each request), owners disabled, deleted or demoted, a
// token made by a token, and migration 0008 giving older such tokens
// their owner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startStack } from '../lib/stack.js';
import { ok } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['t_kit', 't_base', 't_core'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const uniq = `${process.pid}${Date.now() % 100000}`;
const PW = `Escalate-Test-${uniq}`;
const admin = await stack.loginAdmin();
const adminUser = (await admin.get('/api/v1/session')).json.user;

// Made by the administrator (who holds '*').
let serial = 0;
const name = (prefix) => `${prefix}${uniq}x${++serial}`;
const makeRole = async (permissions, extra = {}) =>
    ok(await admin.post('/api/v1/roles', { name: name('r'), permissions, ...extra }), 201);
const makeUser = async (roles, extra = {}) =>
    ok(await admin.post('/api/v1/users', { login: name('u'), roles, ...extra }), 201);
const makeToken = async (client, permissions) =>
    ok(await client.post('/api/v1/tokens', { name: name('t'), permissions }), 201);
const userRow = async (id) => (await stack.rows(`SELECT u.login, u.full_name, u.active, u.version, u.password_hash,
    (SELECT array_agg(ro.name ORDER BY ro.name) FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id
     WHERE ur.user_id = u.id) AS roles FROM core."user" u WHERE u.id = ${Number(id)}`))[0];
const roleRow = async (id) => (await stack.rows(`SELECT name, label_en, permissions, own_only, version
    FROM core.role WHERE id = ${Number(id)}`))[0];

// Roles the cases grant: each carries one permission.
const R = {
    users: await makeRole(['core.users.manage']), // what a users manager holds
    users2: await makeRole(['core.users.manage']), // the same again, not held
    roles: await makeRole(['core.roles.manage']),
    writer: await makeRole(['t_kit.write']), // what no manager here holds
};
const adminRole = (await admin.get('/api/v1/roles')).json.find((r) => r.name === 'admin');

// The administrator changes user `id`.
async function setUser(id, change) {
    const u = await userRow(id);
    return ok(await admin.patch(`/api/v1/users/${id}`, { version: u.version, ...change }), 200);
}

// A signed-in user of the given roles.
async function session(roles) {
    const u = await makeUser(roles, { password: PW });
    const c = await stack.login(u.login, PW);
    c.owner = u.id;
    return c;
}

// A Bearer client for a token `maker` (a Client) creates.
async function tokenOf(maker, permissions) {
    const t = await makeToken(maker, permissions);
    const c = stack.client({ token: t.token });
    c.owner = maker.owner;
    c.tokenId = t.id;
    return c;
}

// The kinds of caller, by what they may do now: "users" holds only
// core.users.manage, "roles" only core.roles.manage, "demoted" nothing
// (its token's owner lost the permission), "gone" is not let in at all
// (the token's owner is disabled or deleted).
// "portal" is a distributor's user (counterparty_id set) holding both
// manage permissions by mistake: refused every administration route.
const KINDS = ['users', 'roles', 'demoted', 'gone', 'portal'];

// Each row: a caller; make() resolves a Client whose `owner` is the user
// it answers for (its own roles are that user's).
const IDENTITIES = [
    { name: 'user with core.users.manage', kind: 'users', make: () => session([R.users.name]) },
    { name: 'user with core.roles.manage', kind: 'roles', make: () => session([R.roles.name]) },
    { name: 'token of a user with core.users.manage', kind: 'users',
        make: async () => tokenOf(await session([R.users.name]), ['core.users.manage']) },
    { name: 'token of a user with core.roles.manage', kind: 'roles', make: async () => {
        // making a token needs core.users.manage, which its owner then loses
        const s = await session([R.users.name, R.roles.name]);
        const c = await tokenOf(s, ['core.roles.manage']);
        await setUser(s.owner, { roles: [R.roles.name] });
        return c;
    } },
    { name: 'token made by a token of a user with core.users.manage', kind: 'users',
        make: async () => tokenOf(await tokenOf(await session([R.users.name]), ['core.users.manage']),
            ['core.users.manage']) },
    { name: 'token whose creator was demoted', kind: 'demoted', make: async () => {
        const s = await session([R.users.name]);
        const c = await tokenOf(s, ['core.users.manage']);
        await setUser(s.owner, { roles: [] });
        return c;
    } },
    { name: 'token of a disabled creator', kind: 'gone', make: async () => {
        const s = await session([R.users.name]);
        const c = await tokenOf(s, ['core.users.manage']);
        await setUser(s.owner, { active: false });
        return c;
    } },
    { name: 'portal user with core.users.manage and core.roles.manage', kind: 'portal', make: async () => {
        // the counterparty is set in SQL: this stack has no clients module
        // to check it against (tests/api/scope.test.js goes through it)
        const s = await session([R.users.name, R.roles.name]);
        await stack.psql(`UPDATE core."user" SET counterparty_id = 4242 WHERE id = ${s.owner}`);
        return s;
    } },
    { name: 'token of a deleted creator', kind: 'gone', make: async () => {
        const s = await session([R.users.name]);
        const c = await tokenOf(s, ['core.users.manage']);
        await stack.psql(`DELETE FROM core."user" WHERE id = ${s.owner}`);
        return c;
    } },
];

// Each row: a case.  target(c) makes what the request acts on (c is the
// caller) and resolves {path, body, read}; read() reads back what a
// refusal must leave unchanged, done() checks a success.  perm: the
// route's permission; expect: the status per kind; names: the permission a
// 403 names when the caller holds the route's permission (else it names
// the route's), or 'own' for "nobody changes their own ...".
const U = 'core.users.manage';
const RM = 'core.roles.manage';
// What each kind holds now.
const HOLDS = { users: [U], roles: [RM], demoted: [], gone: [], portal: [U, RM] };
const ROUTES = [
    // POST /users
    { name: 'POST /users granting a role that carries a permission the caller lacks', method: 'POST',
        target: async () => {
            const login = name('new');
            return { path: '/api/v1/users', body: { login, roles: [R.writer.name] },
                read: () => stack.rows(`SELECT id FROM core."user" WHERE login = '${login}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'POST /users granting the admin role', method: 'POST',
        target: async () => {
            const login = name('new');
            return { path: '/api/v1/users', body: { login, roles: ['admin'] },
                read: () => stack.rows(`SELECT id FROM core."user" WHERE login = '${login}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: '*' },
    { name: 'POST /users granting a role whose permissions the caller holds', method: 'POST',
        target: async () => {
            const login = name('new');
            return { path: '/api/v1/users', body: { login, roles: [R.users2.name] },
                read: () => stack.rows(`SELECT id FROM core."user" WHERE login = '${login}'`) };
        },
        expect: { users: 201, roles: 403, demoted: 403, gone: 401 }, perm: U },

    // PATCH /users/:id
    { name: 'PATCH /users/:own id adding a role to oneself', method: 'PATCH',
        target: async (c) => {
            const u = await userRow(c.owner);
            return { path: `/api/v1/users/${c.owner}`,
                body: { version: u ? u.version : 1, roles: [R.users.name, R.users2.name] },
                read: () => userRow(c.owner) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 'own' },
    { name: 'PATCH /users/:own id editing other fields', method: 'PATCH',
        target: async (c) => {
            const u = await userRow(c.owner);
            return { path: `/api/v1/users/${c.owner}`, body: { version: u ? u.version : 1, full_name: name('me') },
                read: () => userRow(c.owner) };
        },
        expect: { users: 200, roles: 403, demoted: 403, gone: 401 }, perm: U },
    { name: 'PATCH /users/:id granting a role that carries a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const u = await makeUser([]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, roles: [R.writer.name] },
                read: () => userRow(u.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'PATCH /users/:id granting a role whose permissions the caller holds', method: 'PATCH',
        target: async () => {
            const u = await makeUser([]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, roles: [R.users2.name] },
                read: () => userRow(u.id) };
        },
        expect: { users: 200, roles: 403, demoted: 403, gone: 401 }, perm: U },
    { name: 'PATCH /users/:id taking the admin role from an administrator', method: 'PATCH',
        target: async () => {
            const u = await userRow(adminUser.id);
            return { path: `/api/v1/users/${adminUser.id}`, body: { version: u.version, roles: ['manager'] },
                read: () => userRow(adminUser.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: '*' },
    { name: 'PATCH /users/:id taking away a role that carries a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const u = await makeUser([R.writer.name, R.users2.name]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, roles: [R.users2.name] },
                read: () => userRow(u.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'PATCH /users/:id disabling a user who holds a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const u = await makeUser([R.writer.name]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, active: false },
                read: () => userRow(u.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'PATCH /users/:id editing a user who holds a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const u = await makeUser([R.writer.name]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, full_name: 'changed' },
                read: () => userRow(u.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'PATCH /users/:id disabling a user whose permissions the caller holds', method: 'PATCH',
        target: async () => {
            const u = await makeUser([R.users2.name]);
            return { path: `/api/v1/users/${u.id}`, body: { version: u.version, active: false },
                read: () => userRow(u.id) };
        },
        expect: { users: 200, roles: 403, demoted: 403, gone: 401 }, perm: U },

    // POST /users/:id/password
    { name: 'POST /users/:id/password of an administrator', method: 'POST',
        target: async () => ({ path: `/api/v1/users/${adminUser.id}/password`, body: { password: `New-${PW}` },
            read: () => userRow(adminUser.id) }),
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: '*' },
    { name: 'POST /users/:id/password of a user who holds a permission the caller lacks', method: 'POST',
        target: async () => {
            const u = await makeUser([R.writer.name]);
            return { path: `/api/v1/users/${u.id}/password`, body: { password: `New-${PW}` },
                read: () => userRow(u.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'POST /users/:id/password of a user whose permissions the caller holds', method: 'POST',
        target: async () => {
            const u = await makeUser([R.users2.name]);
            return { path: `/api/v1/users/${u.id}/password`, body: { password: `New-${PW}` },
                read: () => userRow(u.id) };
        },
        expect: { users: 204, roles: 403, demoted: 403, gone: 401 }, perm: U },

    // POST /roles
    { name: 'POST /roles with a permission the caller lacks', method: 'POST',
        target: async () => {
            const n = name('role');
            return { path: '/api/v1/roles', body: { name: n, permissions: ['t_kit.write'] },
                read: () => stack.rows(`SELECT id FROM core.role WHERE name = '${n}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 't_kit.write' },
    { name: 'POST /roles with "*"', method: 'POST',
        target: async () => {
            const n = name('role');
            return { path: '/api/v1/roles', body: { name: n, permissions: ['*'] },
                read: () => stack.rows(`SELECT id FROM core.role WHERE name = '${n}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: '*' },
    { name: 'POST /roles with permissions the caller holds', method: 'POST',
        target: async () => {
            const n = name('role');
            return { path: '/api/v1/roles', body: { name: n, permissions: [RM] },
                read: () => stack.rows(`SELECT id FROM core.role WHERE name = '${n}'`) };
        },
        expect: { users: 403, roles: 201, demoted: 403, gone: 401 }, perm: RM },

    // PATCH /roles/:id
    { name: 'PATCH /roles/:own role giving it "*"', method: 'PATCH',
        target: async (c) => {
            const own = (await stack.rows(`SELECT ro.id FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id
                WHERE ur.user_id = ${Number(c.owner)} ORDER BY ro.id LIMIT 1`))[0];
            const id = own ? own.id : R.roles.id; // a demoted or deleted owner holds none
            const r = await roleRow(id);
            return { path: `/api/v1/roles/${id}`, body: { version: r.version, permissions: ['*', ...r.permissions] },
                read: () => roleRow(id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 'own' },
    { name: 'PATCH /roles/:own role with permissions the caller holds', method: 'PATCH',
        target: async (c) => {
            const own = (await stack.rows(`SELECT ro.id FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id
                WHERE ur.user_id = ${Number(c.owner)} ORDER BY ro.id LIMIT 1`))[0];
            const id = own ? own.id : R.roles.id;
            const r = await roleRow(id);
            return { path: `/api/v1/roles/${id}`, body: { version: r.version, permissions: [] },
                read: () => roleRow(id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 'own' },
    { name: 'PATCH /roles/:id adding a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const r = await makeRole([RM]);
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, permissions: [RM, 't_kit.write'] },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 't_kit.write' },
    { name: 'PATCH /roles/:id adding a permission to a role that carries one the caller lacks', method: 'PATCH',
        target: async () => {
            const r = await makeRole(['t_kit.write']);
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, permissions: ['t_kit.write', RM] },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 't_kit.write' },
    { name: 'PATCH /roles/:id taking away a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const r = await makeRole(['t_kit.write', RM]);
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, permissions: [RM] },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 't_kit.write' },
    { name: 'PATCH /roles/:id of the admin role', method: 'PATCH',
        target: async () => {
            const r = await roleRow(adminRole.id);
            return { path: `/api/v1/roles/${adminRole.id}`,
                body: { version: r.version, permissions: [...r.permissions, 't_kit.write'] },
                read: () => roleRow(adminRole.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: '*' },
    { name: 'PATCH /roles/:id lifting own_only of a role that carries a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const r = await makeRole(['t_kit.write'], { own_only: true });
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, own_only: false },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: RM, names: 't_kit.write' },
    { name: 'PATCH /roles/:id relabelling a role that carries a permission the caller lacks', method: 'PATCH',
        target: async () => {
            const r = await makeRole(['t_kit.write']);
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, label_en: 'Relabelled' },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 200, demoted: 403, gone: 401 }, perm: RM },
    { name: 'PATCH /roles/:id with permissions the caller holds', method: 'PATCH',
        target: async () => {
            const r = await makeRole([]);
            return { path: `/api/v1/roles/${r.id}`, body: { version: r.version, permissions: [RM] },
                read: () => roleRow(r.id) };
        },
        expect: { users: 403, roles: 200, demoted: 403, gone: 401 }, perm: RM },

    // POST /tokens, DELETE /tokens/:id
    { name: 'POST /tokens with a permission the caller lacks', method: 'POST',
        target: async () => {
            const n = name('tok');
            return { path: '/api/v1/tokens', body: { name: n, permissions: ['t_kit.write'] },
                read: () => stack.rows(`SELECT id FROM core.api_token WHERE name = '${n}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'POST /tokens with "*"', method: 'POST',
        target: async () => {
            const n = name('tok');
            return { path: '/api/v1/tokens', body: { name: n, permissions: ['*'] },
                read: () => stack.rows(`SELECT id FROM core.api_token WHERE name = '${n}'`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: '*' },
    { name: 'POST /tokens with permissions the caller holds (owned by the caller\'s user)', method: 'POST',
        target: async (c) => {
            const n = name('tok');
            return { path: '/api/v1/tokens', body: { name: n, permissions: [U] },
                read: () => stack.rows(`SELECT id FROM core.api_token WHERE name = '${n}'`),
                done: async () => assert.deepEqual(
                    await stack.rows(`SELECT created_by FROM core.api_token WHERE name = '${n}'`),
                    [{ created_by: c.owner }]) };
        },
        expect: { users: 201, roles: 403, demoted: 403, gone: 401 }, perm: U },
    { name: 'DELETE /tokens/:id of a token holding a permission the caller lacks', method: 'DELETE',
        target: async () => {
            const t = await makeToken(admin, ['t_kit.write']);
            return { path: `/api/v1/tokens/${t.id}`,
                read: () => stack.rows(`SELECT revoked_at FROM core.api_token WHERE id = ${t.id}`) };
        },
        expect: { users: 403, roles: 403, demoted: 403, gone: 401 }, perm: U, names: 't_kit.write' },
    { name: 'DELETE /tokens/:id of a token holding permissions the caller holds', method: 'DELETE',
        target: async () => {
            const t = await makeToken(admin, [U]);
            return { path: `/api/v1/tokens/${t.id}`,
                read: () => stack.rows(`SELECT revoked_at FROM core.api_token WHERE id = ${t.id}`) };
        },
        expect: { users: 204, roles: 403, demoted: 403, gone: 401 }, perm: U },
];

// A portal user reaches no administration route, whatever their roles.
for (const r of ROUTES) r.expect.portal = 403;
// The tables cover every kind in every row.
for (const r of ROUTES) assert.deepEqual(Object.keys(r.expect).sort(), [...KINDS].sort(), r.name);
for (const i of IDENTITIES) assert.ok(KINDS.includes(i.kind), i.name);

// The callers are made once: a case acts on fresh targets or, for "own",
// on what a refusal leaves as it was.
const callers = [];
for (const ident of IDENTITIES) callers.push({ ...ident, client: await ident.make() });

for (const route of ROUTES) {
    test(`matrix: ${route.name}`, async (t) => {
        for (const caller of callers) {
            await t.test(caller.name, async () => {
                const c = caller.client;
                const tg = await route.target(c);
                const before = await tg.read();
                const res = await c.request(route.method, tg.path, tg.body !== undefined ? { json: tg.body } : {});
                const want = route.expect[caller.kind];
                assert.equal(res.status, want, `${route.method} ${tg.path}: ${res.text}`);
                if (want >= 400) {
                    assert.equal(res.json?.error?.code, want === 401 ? 'unauthenticated' : 'forbidden', res.text);
                    assert.deepEqual(await tg.read(), before, 'a refusal changes nothing');
                }
                if (want === 403 && caller.kind === 'portal') {
                    assert.equal(res.json.error.message, 'not available to portal users');
                } else if (want === 403) {
                    const named = HOLDS[caller.kind].includes(route.perm) ? route.names : route.perm;
                    const msg = res.json.error.message;
                    if (named === 'own') assert.match(msg, /^nobody changes (their own roles|the permissions of their own role)$/);
                    else assert.ok(msg.startsWith(`permission "${named}" required`), `names "${named}": ${msg}`);
                }
                if (want < 300 && tg.done) await tg.done();
            });
        }
    });
}

// --- the tokens themselves ---

// Token `id` as GET /api/v1/tokens shows it.
async function listed(id) {
    const res = await admin.get('/api/v1/tokens');
    assert.equal(res.status, 200, res.text);
    return res.json.find((x) => x.id === id);
}

const greet = (c) => c.post('/api/v1/t_kit/notes', { title: name('hi') });

test('tokens: a token holds what both it and its owner hold, at each request', async () => {
    const owner = await session([R.users.name, R.writer.name]);
    const tok = await tokenOf(owner, ['t_kit.write', U]);
    assert.equal((await greet(tok)).status, 201);
    let t = await listed(tok.tokenId);
    assert.equal(t.created_by, owner.owner);
    assert.equal(t.created_by_login, (await userRow(owner.owner)).login);
    assert.equal(t.owner_active, true);
    assert.deepEqual(t.permissions, [U, 't_kit.write']);
    assert.deepEqual(t.effective_permissions, [U, 't_kit.write']);

    // the owner loses t_kit.write: so does the token, at once
    await setUser(owner.owner, { roles: [R.users.name] });
    const res = await greet(tok);
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.message, 'permission "t_kit.write" required');
    assert.equal((await tok.get('/api/v1/users?limit=1')).status, 200, 'what both still hold works');
    t = await listed(tok.tokenId);
    assert.deepEqual(t.permissions, [U, 't_kit.write'], 'its own permissions stay');
    assert.deepEqual(t.effective_permissions, [U]);
    // and gets it back with the owner
    await setUser(owner.owner, { roles: [R.users.name, R.writer.name] });
    assert.equal((await greet(tok)).status, 201);
});

test('tokens: "*" on either side yields the other side', async () => {
    // the administrator's token of t_kit.write holds t_kit.write
    const a = await makeToken(admin, ['t_kit.write']);
    assert.deepEqual((await listed(a.id)).effective_permissions, ['t_kit.write']);
    const b = await makeToken(admin, ['*']);
    assert.deepEqual((await listed(b.id)).effective_permissions, ['*']);

    // a '*' token of a user who holds '*', then only core.users.manage
    const superRole = await makeRole(['*']);
    const owner = await session([superRole.name]);
    const tok = await tokenOf(owner, ['*']);
    assert.equal((await greet(tok)).status, 201);
    await setUser(owner.owner, { roles: [R.users.name] });
    assert.deepEqual((await listed(tok.tokenId)).effective_permissions, [U]);
    assert.equal((await tok.get('/api/v1/users?limit=1')).status, 200);
    let res = await greet(tok);
    assert.equal(res.status, 403, res.text);
    res = await tok.get(`/api/v1/roles/${R.users.id}`);
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.message, `permission "${RM}" required`);
    // nor can it hand out what it no longer holds
    res = await tok.post('/api/v1/tokens', { name: name('t'), permissions: ['*'] });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.message, 'permission "*" required to grant it');
});

test('tokens: an owner disabled or deleted shuts the token out (401); one who lost everything, 403', async () => {
    const owner = await session([R.users.name]);
    const tok = await tokenOf(owner, [U]);
    assert.equal((await tok.get('/api/v1/users?limit=1')).status, 200);

    await setUser(owner.owner, { active: false });
    let res = await tok.get('/api/v1/users?limit=1');
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.error.code, 'unauthenticated');
    let t = await listed(tok.tokenId);
    assert.equal(t.owner_active, false);
    assert.deepEqual(t.effective_permissions, []);
    await setUser(owner.owner, { active: true });
    assert.equal((await tok.get('/api/v1/users?limit=1')).status, 200, 'back with its owner');

    await setUser(owner.owner, { roles: [] });
    res = await tok.get('/api/v1/users?limit=1');
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.message, `permission "${U}" required`);
    assert.deepEqual((await listed(tok.tokenId)).effective_permissions, []);

    await stack.psql(`DELETE FROM core."user" WHERE id = ${owner.owner}`);
    res = await tok.get('/api/v1/users?limit=1');
    assert.equal(res.status, 401, res.text);
    t = await listed(tok.tokenId);
    assert.equal(t.created_by, owner.owner);
    assert.equal(t.created_by_login, null);
    assert.equal(t.owner_active, false);
    assert.deepEqual(t.effective_permissions, []);
});

test('tokens: a token made by a token belongs to the creating token\'s owner', async () => {
    const owner = await session([R.users.name, R.writer.name]);
    const first = await tokenOf(owner, [U, 't_kit.write']);
    const second = await tokenOf(first, ['t_kit.write']);
    const t = await listed(second.tokenId);
    assert.equal(t.created_by, owner.owner);
    assert.equal(t.created_by_login, (await userRow(owner.owner)).login);
    const audit = await stack.rows(`SELECT user_id, token_id FROM core.audit WHERE entity = 'core.api_token'
        AND entity_id = '${second.tokenId}' AND action = 'created'`);
    assert.deepEqual(audit, [{ user_id: null, token_id: first.tokenId }], 'the audit names the creating token');
    assert.equal((await greet(second)).status, 201);
    // it answers to the owner, not to the token that made it
    assert.equal((await first.delete(`/api/v1/tokens/${first.tokenId}`)).status, 204);
    assert.equal((await greet(second)).status, 201, 'revoking the maker leaves it');
    await setUser(owner.owner, { active: false });
    assert.equal((await greet(second)).status, 401, 'disabling the owner stops it');
    assert.equal(await stack.psql('SELECT count(*) FROM core.api_token WHERE created_by IS NULL'), '0');
});

test('migration 0008: tokens made by tokens before it get their owner from the audit trail', async () => {
    // the state before 0008: such tokens had no owner
    const owner = await session([R.users.name, R.writer.name]);
    const first = await tokenOf(owner, [U, 't_kit.write']);
    const second = await tokenOf(first, [U, 't_kit.write']);
    const third = await tokenOf(second, ['t_kit.write']);
    const orphan = await tokenOf(owner, ['t_kit.write']); // its audit row names no token
    const ids = [second.tokenId, third.tokenId, orphan.tokenId].join(',');
    const sql = fs.readFileSync(path.join(ROOT, 'core/sql/0008_token_owner.sql'), 'utf8');
    const backfill = sql.match(/^DO \$\$[\s\S]*?^END \$\$;$/m)[0];
    const constraint = sql.match(/^ALTER TABLE core\.api_token ADD CONSTRAINT[\s\S]*?;$/m)[0];
    await stack.psql(`ALTER TABLE core.api_token DROP CONSTRAINT api_token_owner;
        UPDATE core.api_token SET created_by = NULL WHERE id IN (${ids});
        ${backfill} ${constraint}`);
    const rows = await stack.rows(`SELECT id, created_by FROM core.api_token WHERE id IN (${ids}) ORDER BY id`);
    assert.deepEqual(rows, [{ id: second.tokenId, created_by: owner.owner }, { id: third.tokenId, created_by: owner.owner },
        { id: orphan.tokenId, created_by: null }]);
    assert.equal((await greet(third)).status, 201);
    const res = await greet(orphan);
    assert.equal(res.status, 401, `a token without an owner is refused: ${res.text}`);
    // and the constraint is back: no new token without an owner
    await assert.rejects(stack.psql(`UPDATE core.api_token SET created_by = NULL WHERE id = ${third.tokenId}`),
        /api_token_owner/);
});
