// tools/demo.mjs -- demo data for `make run`, loaded once, through the
// paths real data takes:
//
//   node tools/demo.mjs DIR      DIR: the stack's directory (var for make run)
//
// 1. A small Salesforce weekly export (tools/sf-export.mjs's generator,
//    scale 0.002, seed "demo": 3 users, 130 accounts, 300 contacts, 200
//    stores, 40 products in two price books, with the generator's dirt)
//    written to DIR/demo-sf and brought in by `kedr migrate salesforce`
//    (issue 7): the objects the enabled modules have migrators for.
// 2. Two demo logins, with random passwords printed once and kept in
//    DIR/manager-password and DIR/analyst-password (mode 0600, like
//    DIR/admin-password): the imported Salesforce user who owns the most
//    accounts, activated with the role manager, and a new user "analyst".
//
// Then it writes DIR/demo-loaded so a second `make run` leaves it all be
// (the import itself would change nothing either: it is idempotent).
// Modules that are not enabled are skipped.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generate } from './sfgen/sfgen.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_SCALE = 0.002;
const DEMO_SEED = 'demo';

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node tools/demo.mjs DIR');
    process.exit(2);
}
const marker = path.join(dir, 'demo-loaded');
if (fs.existsSync(marker)) process.exit(0);

// DIR/run/stack.env (written by tools/stack.sh up), read by the shell
const envOut = spawnSync('bash', ['-c',
    '. "$1" && printf "%s\\n%s\\n%s" "$KEDR_DATABASE_URL" "$PORT" "$KEDR_CONF"', 'x',
    path.join(dir, 'run/stack.env')], { encoding: 'utf8' });
if (envOut.status !== 0) throw new Error(`cannot read ${dir}/run/stack.env: ${envOut.stderr}`);
const [databaseUrl, port, conf] = envOut.stdout.split('\n');
const base = `http://127.0.0.1:${port}`;
const adminPassword = fs.readFileSync(path.join(dir, 'admin-password'), 'utf8').trim();

let cookie = '';
let csrf = '';

async function call(method, url, body) {
    const res = await fetch(base + '/api/v1' + url, {
        method,
        headers: {
            'Content-Type': 'application/json',
            ...(cookie ? { Cookie: cookie } : {}),
            ...(csrf && method !== 'GET' ? { 'X-CSRF-Token': csrf } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return { res, json };
}

function psql(sql) {
    return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', sql],
        { encoding: 'utf8' }).trim();
}

// A password like the admin's (tools/stack.sh)
const newPassword = () => crypto.randomBytes(18).toString('base64');

// Keep it in DIR/NAME-password, mode 0600, once the user has it.
function savePassword(name, pw) {
    const file = path.join(dir, `${name}-password`);
    fs.rmSync(file + '.new', { force: true });
    fs.writeFileSync(file + '.new', pw + '\n', { mode: 0o600 });
    fs.renameSync(file + '.new', file);
    return file;
}

const login = await call('POST', '/session', { login: 'admin', password: adminPassword });
cookie = login.res.headers.get('set-cookie').split(';')[0];
csrf = login.json.csrf_token;
const enabled = new Set(login.json.modules.map((m) => m.name));
const loaded = [];

// 1. the Salesforce export, through the real import
const sfDir = path.join(dir, 'demo-sf');
if (!fs.existsSync(path.join(sfDir, 'manifest.json'))) {
    fs.rmSync(sfDir, { recursive: true, force: true });
    generate({ dir: sfDir, scale: DEMO_SCALE, seed: DEMO_SEED });
}
const imp = spawnSync(process.env.KEDR_BIN || path.join(ROOT, 'build/kedr'),
    ['-c', conf, 'migrate', 'salesforce', sfDir, '--mapping', path.join(ROOT, 'conf/import/salesforce.conf'), '--json'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KEDR_DATABASE_URL: databaseUrl } });
if (imp.status !== 0) {
    console.error(imp.stderr);
    throw new Error(`kedr migrate salesforce ${sfDir} failed (exit ${imp.status})`);
}
const objects = JSON.parse(imp.stdout).objects;
const imported = Object.entries(objects).filter(([, o]) => !o.skipped)
    .map(([name, o]) => `${o.created} ${name}`);
loaded.push(`Salesforce export: ${imported.join(', ')}`);

// 2. the demo logins
const logins = [];
if (!fs.existsSync(path.join(dir, 'manager-password'))) {
    // the imported user with the most accounts (else the first imported one)
    const id = psql(`SELECT u.id FROM core."user" u
        WHERE u.ext ? 'salesforce_id' AND u.login <> 'admin'
        ORDER BY ${enabled.has('clients')
        ? '(SELECT count(*) FROM clients.counterparty c WHERE c.manager_id = u.id) DESC, '
        : ''}u.login LIMIT 1`);
    if (id) {
        const u = (await call('GET', `/users/${id}`)).json;
        await call('PATCH', `/users/${id}`, { version: u.version, active: true, roles: ['manager'] });
        const pw = newPassword();
        await call('POST', `/users/${id}/password`, { password: pw });
        const file = savePassword('manager', pw);
        logins.push(`manager login: ${u.login} password: ${pw} (saved in ${file})`);
    }
}
if (!fs.existsSync(path.join(dir, 'analyst-password'))) {
    const pw = newPassword();
    await call('POST', '/users', { login: 'analyst', full_name: 'Аналитик (демо)', roles: ['analyst'], password: pw });
    const file = savePassword('analyst', pw);
    logins.push(`analyst login: analyst password: ${pw} (saved in ${file})`);
}

fs.writeFileSync(marker, new Date().toISOString() + '\n');
console.log(`demo data loaded (${loaded.join('; ')})`);
for (const l of logins) console.log(l);
