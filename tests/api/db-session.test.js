// One worker's database connection across requests (issue 13, section 5:
// a read runs its statements without BEGIN, and the caller's identity and
// scope are the connection's session settings, overwritten by every
// identity statement and reset before a request that runs none).  The
// identity and scope settings of one request never reach the next request
// on the same connection, whoever sends it (a user, an unknown cookie,
// nobody, a job), whether the earlier one succeeded or failed; no request
// leaves the connection inside a transaction; a read without BEGIN is
// still read-only.  One request worker, so every request below shares its
// connection; the export jobs share the jobs worker's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, waitFor } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['t_base', 't_core', 'catalog', 'clients'],
    workers: 1,
    exportJobRows: 2,
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const PW = `Db-Session-${process.pid}`;
const T = '/api/v1/t_core';
const NOBODY = { user_id: null, own_only: false, regions: [], counterparty_id: null, read_only: 'on' };

async function user(body) {
    const res = await admin.post('/api/v1/users', { password: PW, ...body });
    assert.equal(res.status, 201, res.text);
    return res.json;
}

// the public read's view, which must be nobody's; a missing setting reads
// as null (never set on this connection) or '' (set and reset by a
// transaction's end): both are "nobody"
async function publicView() {
    const res = await stack.get(`${T}/scope/public`);
    assert.equal(res.status, 200, res.text);
    return { ...res.json, counterparty_id: res.json.counterparty_id || null };
}

// no kedr connection is left inside a transaction (open or aborted)
async function noneInTransaction() {
    const rows = await stack.rows(`SELECT pid, state FROM pg_stat_activity
        WHERE application_name = 'kedr' AND state LIKE 'idle in transaction%'`);
    assert.deepEqual(rows, []);
}

let own, wide, portal, dist;

test('set up: an own-only user with regions, a wide one, a portal user', async () => {
    const perms = ['clients.read', 'clients.export'];
    let res = await admin.post('/api/v1/roles', { name: 'sess_own', permissions: perms, own_only: true });
    assert.equal(res.status, 201, res.text);
    res = await admin.post('/api/v1/roles', { name: 'sess_wide', permissions: perms });
    assert.equal(res.status, 201, res.text);
    dist = await admin.post('/api/v1/clients/counterparties', { kind: 'distributor', name: 'Сессионный Дистрибьютор' });
    assert.equal(dist.status, 201, dist.text);
    own = await user({ login: 'sess.own', roles: ['sess_own'], regions: ['Тверь'] });
    wide = await user({ login: 'sess.wide', roles: ['sess_wide'] });
    portal = await user({ login: 'sess.portal', counterparty_id: dist.json.id });
});

test('user A\'s scope reaches neither user B nor a public read on the same worker', async () => {
    const a = await stack.login('sess.own', PW);
    const b = await stack.login('sess.wide', PW);
    const p = await stack.login('sess.portal', PW);
    const pid = (await stack.get(`${T}/pid`)).json.pid;
    for (let round = 0; round < 3; round++) {
        let res = await a.get(`${T}/scope/clients`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { user_id: own.id, own_only: true, regions: ['Тверь'] });
        assert.deepEqual(await publicView(), NOBODY, 'after A: a public read sees nobody');
        res = await b.get(`${T}/scope/clients`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { user_id: wide.id, own_only: false, regions: [] }, 'B is not limited by A');
        res = await p.get(`${T}/portal/whoami`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { user_id: portal.id, counterparty_id: dist.json.id });
        assert.deepEqual(await publicView(), NOBODY, 'after a portal user: no counterparty');
        res = await b.get(`${T}/portal/whoami`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { user_id: wide.id, counterparty_id: null }, 'B is no portal caller');
    }
    assert.equal((await stack.get(`${T}/pid`)).json.pid, pid, 'one worker served them all');
    await noneInTransaction();
});

test('a request that fails inside its transaction leaves nothing to the next', async () => {
    const a = await stack.login('sess.own', PW);
    const b = await stack.login('sess.wide', PW);
    // A's read fails in PostgreSQL after A's identity statement
    let res = await a.get('/api/v1/clients/counterparties/99999999999999999999');
    assert.ok(res.status >= 400 && res.status < 500, res.text);
    await noneInTransaction();
    res = await b.get(`${T}/scope/clients`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { user_id: wide.id, own_only: false, regions: [] });
    // a public write refused in the middle of the request, then a public read
    res = await stack.get(`${T}/write-in-get`);
    assert.equal(res.status, 500, res.text);
    await noneInTransaction();
    assert.deepEqual(await publicView(), NOBODY);
    res = await a.get(`${T}/scope/clients`);
    assert.equal(res.json.own_only, true);
    res = await stack.get(`${T}/write-in-get`);
    assert.equal(res.status, 500, res.text);
    res = await b.get(`${T}/scope/clients`);
    assert.deepEqual(res.json, { user_id: wide.id, own_only: false, regions: [] });
    await noneInTransaction();
});

test('a public read without BEGIN is read-only; a write after it still commits', async () => {
    assert.equal((await publicView()).read_only, 'on');
    const res = await stack.get(`${T}/write-in-get`);
    assert.equal(res.status, 500, res.text);
    const rid = res.headers.get('x-request-id');
    await stack.waitForLog(new RegExp(`rid=${rid}.*read-only transaction`));
    assert.equal(await stack.psql("SELECT count(*) FROM t_core.item WHERE name = 'written in a GET'"), '0');
    // the worker's writes say READ WRITE: a POST after the reads commits
    const name = `after-reads-${process.pid}`;
    const made = await stack.post(`${T}/items`, { name, qty: 1 });
    assert.equal(made.status, 201, made.text);
    assert.equal(await stack.psql(`SELECT count(*) FROM t_core.item WHERE name = '${name}'`), '1');
    // and a signed-in user's last-use touch (a write outside the request,
    // after the response) still lands
    const b = await stack.login('sess.wide', PW);
    await stack.psql(`UPDATE core.session SET last_seen_at = now() - interval '5 minutes'
        WHERE user_id = ${wide.id}`);
    assert.equal((await b.get(`${T}/scope/clients`)).status, 200);
    await waitFor(async () => (await stack.rows(`SELECT count(*)::int AS n FROM core.session
        WHERE user_id = ${wide.id} AND last_seen_at > now() - interval '1 minute'`))[0].n > 0,
    { what: 'the session touch' });
    await noneInTransaction();
});

test('nobody after a user: no cookie, an unknown cookie, a bad token', async () => {
    const a = await stack.login('sess.own', PW);
    const p = await stack.login('sess.portal', PW);
    for (const who of [a, p]) {
        // no credentials: refused before any statement, then a public read
        let res = await who.get(who === p ? `${T}/portal/whoami` : `${T}/scope/clients`);
        assert.equal(res.status, 200, res.text);
        res = await stack.get(`${T}/scope/clients`);
        assert.equal(res.status, 401, res.text);
        assert.deepEqual(await publicView(), NOBODY, 'no cookie after a user');
        // an identity statement that finds nobody overwrites nothing: the
        // request ends at 401, and the next one still sees nobody
        await who.get(`${T}/scope/clients`);
        res = await stack.request('GET', `${T}/scope/clients`, { headers: { Cookie: 'kedr_session=not-a-session' } });
        assert.equal(res.status, 401, res.text);
        assert.deepEqual(await publicView(), NOBODY, 'an unknown cookie after a user');
        await who.get(`${T}/scope/clients`);
        res = await stack.request('GET', `${T}/scope/clients`, { headers: { Authorization: 'Bearer not-a-token' } });
        assert.equal(res.status, 401, res.text);
        assert.deepEqual(await publicView(), NOBODY, 'a bad token after a user');
    }
    await noneInTransaction();
});

test('a public read that fails after a user resets nothing half-way', async () => {
    const a = await stack.login('sess.own', PW);
    const b = await stack.login('sess.wide', PW);
    // A's settings, then a public read whose statement fails in the same
    // pipeline as the reset (the reset rolls back with it), then a public
    // read and B: neither sees A
    let res = await a.get(`${T}/scope/clients`);
    assert.equal(res.json.own_only, true);
    res = await stack.get(`${T}/write-in-get`);
    assert.equal(res.status, 500, res.text);
    assert.deepEqual(await publicView(), NOBODY, 'after A and a failed public read');
    await a.get(`${T}/scope/clients`);
    await stack.get(`${T}/write-in-get`);
    res = await b.get(`${T}/scope/clients`);
    assert.deepEqual(res.json, { user_id: wide.id, own_only: false, regions: [] });
    // a portal user right after staff, staff right after a portal user
    res = await b.get(`${T}/scope/clients`);
    res = await (await stack.login('sess.portal', PW)).get(`${T}/portal/whoami`);
    assert.deepEqual(res.json, { user_id: portal.id, counterparty_id: dist.json.id });
    res = await b.get(`${T}/portal/whoami`);
    assert.deepEqual(res.json, { user_id: wide.id, counterparty_id: null });
    await noneInTransaction();
});

test('export jobs of an own-only user and a wide one, alternating, each as its sender', async () => {
    const tag = `Сеанс-Экспорт-${process.pid}`;
    for (const [region, n] of [['Тверь', 3], ['Псков', 2]])
        for (let i = 0; i < n; i++) {
            const res = await admin.post('/api/v1/clients/counterparties',
                { kind: 'end_customer', name: `${tag} ${region} ${i}`, region });
            assert.equal(res.status, 201, res.text);
        }
    const a = await stack.login('sess.own', PW);
    const b = await stack.login('sess.wide', PW);
    // the rows of tag in the file of an export job the client sends
    async function exported(client) {
        const res = await client.get(`/api/v1/clients/counterparties/export?_format=csv&q=${encodeURIComponent(tag)}`);
        assert.equal(res.status, 202, res.text);
        let job;
        await waitFor(async () => {
            job = (await client.get(`/api/v1/jobs/${res.json.job.id}`)).json;
            return job.state === 'done' || job.state === 'failed';
        }, { timeout: 60000, what: 'the export job' });
        assert.equal(job.state, 'done', JSON.stringify(job));
        const file = await client.get(job.result.download);
        assert.equal(file.status, 200, file.text);
        return file.text.split('\r\n').filter((l) => l.includes(tag)).length;
    }
    for (let round = 0; round < 2; round++) {
        assert.equal(await exported(a), 3, 'the own-only user: Тверь only');
        assert.equal(await exported(b), 5, 'the wide user after the own-only one: everything');
    }
    await noneInTransaction();
});
