// Identity on a real stack (issue 4): every route refuses the anonymous
// (401) and the powerless (403) unless it says otherwise, CSRF on unsafe
// methods with a session, session expiry (idle and absolute), logout and
// logout everywhere, no session fixation, disabled users, audit rows in
// the request's transaction, passwords and secrets never kept or logged
// in clear, and login throttling (last: it waits out its window).
//
// The stack enables t_kit, t_base and t_core so there are many routes;
// `kedr routes --json` lists them, so the route test needs no list of its
// own and keeps covering routes as modules are added.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run, sleep, startStack, waitFor } from '../lib/stack.js';
import { assertError } from '../lib/assert.js';

const WINDOW = 10; // security.login_window, seconds (the minimum)
const MAX_FAILURES = 4;

const stack = await startStack({
    enabled: ['t_kit', 't_base', 't_core', 'catalog', 'clients'],
    security: {
        argon2_ops: 1,
        argon2_mem_kib: 8192,
        session_idle: 600,
        session_absolute: 3600,
        login_slow_after: 3,
        login_max_failures: MAX_FAILURES,
        login_max_failures_ip: MAX_FAILURES + 2,
        login_window: WINDOW,
    },
});
const uniq = `${process.pid}${Date.now() % 100000}`;
// Passwords no log line and no table may ever hold in clear.
const CANARY = `Canary-Pw-${uniq}-zq`;
const WRONG_CANARY = `Wrong-Pw-${uniq}-zq`;
const secrets = [CANARY, WRONG_CANARY];

const admin = await stack.loginAdmin();

// A user made through the admin API, with a password; resolves its record.
async function makeUser(login, { roles = [], password = CANARY } = {}) {
    const res = await admin.post('/api/v1/users', { login, full_name: `Test ${login}`, roles, password });
    assert.equal(res.status, 201, res.text);
    return res.json;
}

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

// Set columns of the session whose cookie is `cookie` (its row is found by
// the cookie's SHA-256, the only form the database keeps).
async function ageSession(cookie, set) {
    const n = await stack.psql(`WITH u AS (UPDATE core.session SET ${set} WHERE token_hash = '${sha256(cookie)}' `
        + 'RETURNING 1) SELECT count(*) FROM u');
    assert.equal(n, '1', 'the session row is found by the hash of its cookie');
}

test('every route: anonymous 401 unless public; no permission 403 unless any user may', async () => {
    const res = await stack.kedr(['routes', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const routes = JSON.parse(res.stdout);
    const modules = new Set(routes.map((r) => r.module));
    for (const m of ['core', 't_kit', 't_core']) assert.ok(modules.has(m), `routes of ${m} are listed`);
    assert.ok(routes.some((r) => r.path === '/api/v1/users' && r.permission === 'core.users.manage'));

    await makeUser(`noroles${uniq}`);
    const nobody = await stack.login(`noroles${uniq}`, CANARY);
    assert.deepEqual(nobody.res.json.permissions, []);
    // an API token holding no permission: the same wall for integrations
    const tok = await admin.post('/api/v1/tokens', { name: `no permissions ${uniq}`, permissions: [] });
    assert.equal(tok.status, 201, tok.text);
    const bearer = stack.client({ token: tok.json.token });

    let checked401 = 0;
    let checked403 = 0;
    for (const r of routes) {
        if (r.permission === 'public') continue; // nothing to refuse (and /crash, /hang are public)
        const url = r.path.replace(/:[^/]+/g, '1');
        const what = `${r.method} ${r.path} (${r.module}, permission ${r.permission})`;

        let got = await stack.request(r.method, url);
        assert.equal(got.status, 401, `${what} anonymous: ${got.text}`);
        assertError(got, 401, 'unauthenticated');
        got = await stack.request(r.method, url, { headers: { Cookie: 'kedr_session=forged-or-expired' } });
        assert.equal(got.status, 401, `${what} with a forged cookie: ${got.text}`);
        checked401++;

        if (r.permission === null) {
            // any signed-in user: a read must get past the wall (writes
            // like DELETE /session would end the session under test)
            if (r.method === 'GET') {
                got = await nobody.get(url);
                assert.ok(got.status !== 401 && got.status !== 403, `${what} as a user: ${got.status} ${got.text}`);
            }
            continue;
        }
        // the CSRF token goes along: the permission is what refuses
        got = await nobody.request(r.method, url);
        assertError(got, 403, 'forbidden');
        assert.match(got.json.error.message, new RegExp(r.permission.replace(/\./g, '\\.')), what);
        got = await bearer.request(r.method, url);
        assertError(got, 403, 'forbidden');
        checked403++;
    }
    assert.ok(checked401 >= 20, `${checked401} routes checked for 401`);
    assert.ok(checked403 >= 12, `${checked403} routes checked for 403`);
});

test('CSRF: a session needs X-CSRF-Token on unsafe methods; a Bearer token does not', async () => {
    const count = async () => Number(await stack.psql('SELECT count(*) FROM t_kit.note'));
    const before = await count();
    const body = { title: `csrf ${uniq}` };

    let res = await admin.post('/api/v1/t_kit/notes', body, { csrf: false });
    assertError(res, 403, 'forbidden');
    assert.match(res.json.error.message, /CSRF/i);
    res = await admin.post('/api/v1/t_kit/notes', body, { headers: { 'X-CSRF-Token': 'not-the-token' } });
    assertError(res, 403, 'forbidden');
    assert.match(res.json.error.message, /CSRF/i);
    // another session's token is a wrong token too
    const other = await stack.loginAdmin();
    res = await admin.post('/api/v1/t_kit/notes', body, { headers: { 'X-CSRF-Token': other.csrf } });
    assertError(res, 403, 'forbidden');
    // logging out is unsafe too
    res = await other.delete('/api/v1/session', { csrf: false });
    assertError(res, 403, 'forbidden');
    assert.equal(await count(), before, 'refused requests wrote nothing');

    res = await admin.post('/api/v1/t_kit/notes', body);
    assert.equal(res.status, 201, res.text);
    // GET needs none
    res = await admin.get('/api/v1/session', { csrf: false });
    assert.equal(res.status, 200);

    const tok = await admin.post('/api/v1/tokens', { name: `csrf ${uniq}`, permissions: ['t_kit.write'] });
    assert.equal(tok.status, 201, tok.text);
    res = await stack.client({ token: tok.json.token }).post('/api/v1/t_kit/notes', body);
    assert.equal(res.status, 201, `Bearer without CSRF: ${res.text}`);
    assert.equal(await count(), before + 2);
});

test('session cookie: HttpOnly, SameSite=Lax, only its hash stored; idle and absolute expiry', async () => {
    await makeUser(`expiry${uniq}`);
    let s = await stack.login(`expiry${uniq}`, CANARY);
    const setCookie = s.res.headers.get('set-cookie');
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'cookie_secure is false in this stack');
    assert.ok(s.cookie.length >= 43, 'a 256-bit token');
    assert.equal(await stack.psql(`SELECT count(*) FROM core.session WHERE token_hash = '${s.cookie}'`), '0');
    assert.equal((await s.get('/api/v1/session')).status, 200);

    // idle: no request for longer than session_idle
    await ageSession(s.cookie, "last_seen_at = now() - interval '601 seconds'");
    assertError(await s.get('/api/v1/session'), 401, 'unauthenticated');

    // absolute: past its end even while in use
    s = await stack.login(`expiry${uniq}`, CANARY);
    assert.equal((await s.get('/api/v1/session')).status, 200);
    await ageSession(s.cookie, "created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'");
    assertError(await s.get('/api/v1/session'), 401, 'unauthenticated');

    // a session used within the idle time lives on
    s = await stack.login(`expiry${uniq}`, CANARY);
    await ageSession(s.cookie, "last_seen_at = now() - interval '500 seconds'");
    assert.equal((await s.get('/api/v1/session')).status, 200);
});

test('logout ends the session; logout everywhere ends every session of the user', async () => {
    await makeUser(`logout${uniq}`);
    const a = await stack.login(`logout${uniq}`, CANARY);
    let res = await a.delete('/api/v1/session');
    assert.equal(res.status, 204, res.text);
    assert.match(res.headers.get('set-cookie') || '', /^kedr_session=;.*Max-Age=0/);
    assertError(await a.get('/api/v1/session'), 401, 'unauthenticated');

    const s1 = await stack.login(`logout${uniq}`, CANARY);
    const s2 = await stack.login(`logout${uniq}`, CANARY);
    const bystander = await makeUser(`bystander${uniq}`);
    const b = await stack.login(bystander.login, CANARY);
    assert.notEqual(s1.cookie, s2.cookie);
    assert.equal((await s2.get('/api/v1/session')).status, 200);
    res = await s1.delete('/api/v1/session/all');
    assert.equal(res.status, 204, res.text);
    assertError(await s1.get('/api/v1/session'), 401, 'unauthenticated');
    assertError(await s2.get('/api/v1/session'), 401, 'unauthenticated');
    assert.equal((await b.get('/api/v1/session')).status, 200, "another user's session lives on");
    const uid = s1.res.json.user.id;
    assert.equal(await stack.psql(`SELECT count(*) FROM core.session WHERE user_id = ${uid}`), '0');
});

test('fixation: login always makes a new session; a planted cookie is never adopted', async () => {
    await makeUser(`fixation${uniq}`);
    const planted = 'attacker-chosen-session-value-0123456789abcdefghijk';
    const s = await stack.login(`fixation${uniq}`, CANARY, { cookie: planted });
    assert.notEqual(s.cookie, planted);
    assertError(await stack.client({ cookie: planted }).get('/api/v1/session'), 401, 'unauthenticated');
    assert.equal((await s.get('/api/v1/session')).status, 200);

    // logging in again while holding a valid session replaces it
    const again = await stack.login(`fixation${uniq}`, CANARY, { cookie: s.cookie });
    assert.notEqual(again.cookie, s.cookie);
    assert.notEqual(again.csrf, s.csrf);
    assertError(await s.get('/api/v1/session'), 401, 'unauthenticated');
    assert.equal((await again.get('/api/v1/session')).status, 200);
});

test('a disabled user: their open session gets 401 at once, and they cannot log in', async () => {
    const u = await makeUser(`disabled${uniq}`, { roles: ['analyst'] });
    const s = await stack.login(u.login, CANARY);
    assert.equal((await s.get('/api/v1/session')).status, 200);
    let res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, active: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.active, false);
    assertError(await s.get('/api/v1/session'), 401, 'unauthenticated');
    assertError(await s.get(`/api/v1/audit?entity=core.user&id=${u.id}`), 401, 'unauthenticated');
    assertError(await stack.post('/api/v1/session', { login: u.login, password: CANARY }), 401, 'unauthenticated');

    res = await admin.patch(`/api/v1/users/${u.id}`, { version: res.json.version, active: true });
    assert.equal(res.status, 200, res.text);
    assert.equal((await (await stack.login(u.login, CANARY)).get('/api/v1/session')).status, 200);
});

test('audit rows are written in the request transaction: a failed request leaves none', async () => {
    const name = `audited ${uniq}`;
    let res = await stack.post('/api/v1/t_core/audited', { name });
    assert.equal(res.status, 201, res.text);
    const ok = res.json.id;
    let rows = await stack.rows(`SELECT action, new->>'name' AS name, request_id FROM core.audit
        WHERE entity = 't_core.item' AND entity_id = '${ok}'`);
    assert.deepEqual(rows, [{ action: 'created', name, request_id: res.headers.get('x-request-id') }]);

    const mark = stack.logMark();
    res = await stack.post('/api/v1/t_core/audited?fail=1', { name: `${name} doomed` });
    assertError(res, 422, 'validation');
    const rid = res.headers.get('x-request-id');
    const m = await stack.waitForLog(new RegExp(`rid=${rid} mod=t_core: inserted item (\\d+)`), { since: mark });
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.item WHERE id = ${m[1]}`), '0');
    assert.equal(await stack.psql(`SELECT count(*) FROM core.audit WHERE entity = 't_core.item' AND entity_id = '${m[1]}'`
        + ` OR request_id = '${rid}'`), '0', 'the audit row rolled back with the write');

    // the same through the admin API: a refused edit leaves no row and no change
    const u = await makeUser(`auditfail${uniq}`, { roles: ['manager'] });
    const before = await stack.psql(`SELECT count(*) FROM core.audit WHERE entity = 'core.user' AND entity_id = '${u.id}'`);
    res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, full_name: 'Changed', roles: ['manager', 'no_such_role'] });
    assertError(res, 422, 'validation');
    assert.ok(res.json.error.fields.roles, res.text);
    rows = await stack.rows(`SELECT full_name, version FROM core."user" WHERE id = ${u.id}`);
    assert.deepEqual(rows, [{ full_name: u.full_name, version: u.version }]);
    assert.equal(await stack.psql(`SELECT count(*) FROM core.audit WHERE entity = 'core.user' AND entity_id = '${u.id}'`), before);
});

test('passwords and secrets are never stored or logged in clear', async () => {
    // a wrong password goes through the login path too
    const res = await stack.post('/api/v1/session', { login: `noroles${uniq}`, password: WRONG_CANARY });
    assertError(res, 401, 'unauthenticated');
    const s = await stack.login(`noroles${uniq}`, CANARY);
    const tok = await admin.post('/api/v1/tokens', { name: `dump ${uniq}`, permissions: [] });
    assert.equal(tok.status, 201, tok.text);
    const sessionSecrets = [s.cookie, tok.json.token, stack.adminPassword()];

    const dump = await run('pg_dump', ['-d', stack.databaseUrl, '--data-only', '--schema=core', '--schema=t_kit'],
        { timeout: 60000 });
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /\$argon2id\$v=19\$m=8192,t=1,p=1\$/, 'hashes are argon2id at the configured cost');
    for (const secret of [...secrets, ...sessionSecrets]) {
        assert.ok(!dump.stdout.includes(secret), `the database dump holds a secret in clear (${secret.slice(0, 6)}…)`);
    }
    const hashes = await stack.rows('SELECT login, password_hash FROM core."user" WHERE password_hash IS NOT NULL');
    assert.ok(hashes.length >= 5);
    for (const h of hashes) assert.match(h.password_hash, /^\$argon2id\$/, h.login);

    // every log of the stack: kedr's, nginx's, PostgreSQL's
    const logDir = path.join(stack.dir, 'log');
    const files = fs.readdirSync(logDir).map((f) => path.join(logDir, f))
        .concat([path.join(stack.dir, 'pg/postgres.log')])
        .filter((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    assert.ok(files.some((f) => f.endsWith('kedr.log')) && files.some((f) => /nginx-access/.test(f)), files.join(' '));
    for (const f of files) {
        const text = fs.readFileSync(f, 'latin1');
        for (const secret of [...secrets, ...sessionSecrets]) {
            assert.ok(!text.includes(secret), `${f} holds a secret in clear (${secret.slice(0, 6)}…)`);
        }
    }
    // the failed login is on record, without its password
    assert.match(stack.log(), new RegExp(`login failed for "noroles${uniq}"`));
});

test('a user saves their own language with PATCH /api/v1/session; audited', async () => {
    const login = `lang${uniq}`;
    await makeUser(login);
    const s1 = await stack.login(login, CANARY);
    let res = await s1.patch('/api/v1/session', { locale: 'en' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.locale, 'en');
    res = await s1.get('/api/v1/session');
    assert.equal(res.json.user.locale, 'en');
    assertError(await s1.patch('/api/v1/session', { locale: 'de' }), 422, 'validation', 'locale');
    assertError(await s1.patch('/api/v1/session', { locale: 'ru' }, { csrf: false }), 403, 'forbidden');
    const id = res.json.user.id;
    const audit = (await admin.get(`/api/v1/audit?entity=core.user&id=${id}`)).json;
    assert.ok(audit.some((a) => a.action === 'updated' && a.new?.locale === 'en' && a.old?.locale === 'ru'));
});

// Last: it leaves 127.0.0.1 throttled until the window has passed.
test('throttling: failed logins reach 429, then the window passes and login works', async () => {
    const login = `throttle${uniq}`;
    await makeUser(login);
    const t0 = Date.now();
    let res;
    let attempts = 0;
    for (; attempts < MAX_FAILURES + 1; attempts++) {
        res = await stack.post('/api/v1/session', { login, password: WRONG_CANARY });
        if (res.status === 429) break;
        assertError(res, 401, 'unauthenticated');
    }
    assertError(res, 429, 'throttled');
    assert.ok(attempts <= MAX_FAILURES, `429 after ${attempts} failures`);
    assert.equal(res.headers.get('retry-after'), String(WINDOW));
    // while throttled even the right password is refused, for this login...
    assertError(await stack.post('/api/v1/session', { login, password: CANARY }), 429, 'throttled');
    // ...but not for another login from the same address (an office
    // behind NAT is one address for everyone)
    const other = `throttle2${uniq}`;
    await makeUser(other);
    assert.equal((await stack.post('/api/v1/session', { login: 'admin', password: stack.adminPassword() })).status, 201);
    // until the address itself has failed login_max_failures_ip times
    assertError(await stack.post('/api/v1/session', { login: other, password: WRONG_CANARY }), 401, 'unauthenticated');
    assertError(await stack.post('/api/v1/session', { login: other, password: WRONG_CANARY }), 401, 'unauthenticated');
    assertError(await stack.post('/api/v1/session', { login: other, password: CANARY }), 429, 'throttled');
    assertError(await stack.post('/api/v1/session', { login: 'admin', password: stack.adminPassword() }), 429, 'throttled');
    const failed = await stack.psql(`SELECT count(*) FROM core.login_attempt WHERE login = '${login}' AND NOT ok`);
    assert.ok(Number(failed) >= attempts, `failed attempts are on record (${failed})`);

    await sleep(Math.max(0, WINDOW * 1000 - (Date.now() - t0) - 500));
    const s = await waitFor(async () => {
        const r = await stack.post('/api/v1/session', { login, password: CANARY });
        return r.status === 201 ? r : null;
    }, { timeout: 8000, interval: 500, what: 'login after the throttling window' });
    assert.ok(Date.now() - t0 >= (WINDOW - 1) * 1000, 'not before the window passed');
    assert.equal(s.json.user.login, login);
});
