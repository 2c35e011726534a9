// `kedr migrate salesforce` killed half-way (SIGKILL, nothing to clean up
// with) and run again ends as a run that never stopped.  To kill it at a
// known point without timing, Contact.csv is a named pipe: the process
// that loads contacts opens it only once Account is committed (contacts
// refer to accounts), reads the half this test writes, and waits for the
// rest.  Killing the command then takes the contacts' process with it
// (PR_SET_PDEATHSIG), whose transaction PostgreSQL rolls back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, waitFor, KEDR, ROOT } from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';

const stack = await startStack({ enabled: ['catalog', 'clients'] });
const MAPPING = path.join(ROOT, 'conf/import/salesforce.conf');
const dir = path.join(stack.dir, 'sf');
const m = generate({ dir, scale: 0.002, seed: 'import-kill' });
const count = async (sql) => Number(await stack.psql(sql));

test('killed while loading contacts, a rerun ends correct', async () => {
    const contacts = path.join(dir, 'Contact.csv');
    const whole = fs.readFileSync(contacts);
    fs.unlinkSync(contacts);
    execFileSync('mkfifo', [contacts]);

    const child = spawn(KEDR, ['-c', stack.conf, 'migrate', 'salesforce', dir, '--mapping', MAPPING,
        '--jobs', '2', '--json'], { env: { ...process.env, KEDR_DATABASE_URL: stack.databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // opened by the contacts' process: Account is in by now
    const fifo = await fs.promises.open(contacts, 'w');
    await fifo.write(whole.subarray(0, whole.length >> 1));
    await waitFor(() => /^Account: \d+ read/m.test(stderr), { what: "Account's summary line" });
    child.kill('SIGKILL');
    const end = await exited;
    assert.equal(end.signal, 'SIGKILL');
    await fifo.close().catch(() => {});
    // the loading processes and their connections are gone
    await waitFor(async () => await count(`SELECT count(*) FROM pg_stat_activity
                                           WHERE application_name LIKE 'kedr migrate%'`) === 0,
    { what: 'the import connections to close' });

    assert.equal(await count("SELECT count(*) FROM core.import_map WHERE object = 'Account'"),
        m.objects.Account.live);
    assert.equal(await count("SELECT count(*) FROM core.import_map WHERE object = 'Contact'"), 0);
    assert.equal(await count('SELECT count(*) FROM clients.contact'), 0);

    fs.unlinkSync(contacts);
    fs.writeFileSync(contacts, whole);
    const res = await stack.kedr(['migrate', 'salesforce', dir, '--mapping', MAPPING, '--json']);
    assert.equal(res.code, 0, res.stderr);
    const o = JSON.parse(res.stdout).objects;
    assert.equal(o.Account.created, 0);
    assert.equal(o.Account.unchanged, m.objects.Account.live);
    const cc = m.cleaned.contacts, cs = m.cleaned.stores;
    assert.equal(o.Contact.created, m.objects.Contact.live - cc.orphans - cc.toDeletedAccount);
    assert.equal(await count('SELECT count(*) FROM clients.contact_link'), cc.attached);
    // the stores were done before the kill, or killed with it: either way
    // they are all in once, and only once
    assert.equal(o.Store__c.created + o.Store__c.unchanged, cs.attached);
    assert.equal(await count('SELECT count(*) FROM clients.outlet'), cs.attached);
    assert.equal(await count("SELECT count(*) FROM core.audit WHERE entity = 'clients.contact'"),
        o.Contact.created);
});
