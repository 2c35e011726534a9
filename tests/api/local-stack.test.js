// The local stack as `make run` starts it and as README uses it:
//   - `tools/stack.sh up var --conf conf/kedr.conf --dev` (the Makefile's
//     line) runs kedr with var/kedr.conf, whose session cookie is not
//     Secure (plain HTTP on 127.0.0.1), while the shipped conf/kedr.conf
//     -- and any config that leaves security.cookie_secure out -- marks it
//     Secure;
//   - README's `build/kedr -c conf/kedr.conf user list` and `build/kedr -c
//     conf/kedr.conf import salesforce ...`, run from the checkout with
//     nothing exported, reach that stack's database.
// The checkout is a temporary copy of this one (its files linked), so the
// stack's var/ is its own and a running `make run` is left alone.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    ROOT, KEDR, freePort, makeTempDir, run, sessionCookie, startStack,
} from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';

// A checkout: the sources, the build and the tools of this one, linked;
// var/ its own.  tools/stack.sh takes the checkout it lives in as its
// root, so the stack's kedr runs from there.
const co = makeTempDir('kedr-checkout-');
for (const f of ['conf', 'core', 'modules', 'tests', 'tools', 'www', 'nginx.conf.example', 'Makefile']) {
    fs.symlinkSync(path.join(ROOT, f), path.join(co, f));
}
fs.symlinkSync(path.dirname(KEDR), path.join(co, 'build'));
const stackSh = path.join(co, 'tools/stack.sh');
after(async () => {
    await run(stackSh, ['down', 'var', '--purge'], { cwd: co });
    fs.rmSync(co, { recursive: true, force: true });
});

// What README tells the user to type, from the checkout, nothing exported
// (run() drops KEDR_DATABASE_URL and the PG* variables).
function kedrHere(args) {
    return run('build/kedr', args, { cwd: co, timeout: 120000 });
}

let port;
let res;
for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    res = await run(stackSh, ['up', 'var', '--conf', 'conf/kedr.conf', '--dev', '--port', String(port)],
        { cwd: co, timeout: 180000 });
    if (res.code === 0 || !/port \d+ is already in use|nginx (did not start|does not answer)/.test(res.stderr)) break;
}
assert.equal(res.code, 0, `tools/stack.sh up var --dev: ${res.stderr}${res.stdout}`);
const url = `http://127.0.0.1:${port}`;

async function login(base, password) {
    const r = await fetch(`${base}/api/v1/session`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password }),
    });
    assert.equal(r.status, 201, await r.text());
    return { status: r.status, headers: r.headers };
}

test('make run\'s stack (--dev) serves a session cookie without Secure, from var/kedr.conf', async () => {
    const conf = fs.readFileSync(path.join(co, 'var/kedr.conf'), 'utf8');
    assert.match(conf, /^\s*cookie_secure = false;/m);
    assert.match(fs.readFileSync(path.join(co, 'var/run/stack.env'), 'utf8'),
        new RegExp(`KEDR_CONF=${path.join(co, 'var/kedr.conf')}`));
    // and everything else as conf/kedr.conf says
    const shipped = fs.readFileSync(path.join(ROOT, 'conf/kedr.conf'), 'utf8');
    assert.equal(conf.replace(/^#.*\n/, '').replace(/cookie_secure = false;/, 'cookie_secure = true;'), shipped);

    const pw = fs.readFileSync(path.join(co, 'var/admin-password'), 'utf8').trim();
    const r = await login(url, pw);
    const cookie = r.headers.get('set-cookie');
    assert.ok(sessionCookie(r), cookie);
    assert.doesNotMatch(cookie, /Secure/);
});

test('--dev refuses a config without a cookie_secure line to turn off', async () => {
    const dir = makeTempDir('kedr-dev-');
    try {
        const conf = path.join(dir, 'kedr.conf');
        fs.writeFileSync(conf, 'server: { listen = "x.sock"; };\n');
        const r = await run(path.join(ROOT, 'tools/stack.sh'), ['up', path.join(dir, 'var'), '--conf', conf, '--dev']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /--dev: .* has no line 'cookie_secure = true\|false;'/);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('a config that leaves security.cookie_secure out marks the session cookie Secure', async () => {
    const stack = await startStack({
        enabled: [],
        security: { cookie_secure: undefined, argon2_ops: 1, argon2_mem_kib: 8192 },
    });
    assert.doesNotMatch(fs.readFileSync(stack.conf, 'utf8'), /cookie_secure/);
    const r = await login(stack.url, stack.adminPassword());
    assert.match(r.headers.get('set-cookie'), /^kedr_session=[^;]+;.*; Secure/);
});

test('README: build/kedr -c conf/kedr.conf user list, from the checkout, reaches make run\'s database', async () => {
    const r = await kedrHere(['-c', 'conf/kedr.conf', 'user', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^admin\s/m);
    // -c's default is the same file
    const d = await kedrHere(['user', 'list']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, r.stdout);
});

test('README: build/kedr -c conf/kedr.conf import salesforce, from the checkout, imports into it', async () => {
    const exp = path.join(co, 'var/export');
    const m = generate({ dir: exp, scale: 0.001, seed: 'local-stack' });
    let r = await kedrHere(['-c', 'conf/kedr.conf', 'migrate', 'salesforce', 'var/export', '--dry-run']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    r = await kedrHere(['-c', 'conf/kedr.conf', 'migrate', 'salesforce', 'var/export', '--report', 'rejects.csv']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(fs.existsSync(path.join(co, 'rejects.csv')));
    const psql = await run(stackSh, ['psql', 'var', '-Atc', 'SELECT count(*) FROM clients.counterparty'], { cwd: co });
    assert.equal(psql.code, 0, psql.stderr);
    assert.equal(Number(psql.stdout.trim()), m.objects.Account.liveAfterMerge);
});
