// The demo data `make run` loads (tools/demo.mjs): a small generated
// Salesforce export brought in by `kedr migrate salesforce` (the catalog
// with it), and the demo logins.  This test keeps it loadable as
// the import and the modules' APIs change: it loads once, leaves a marker,
// and a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, run, ROOT } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});

async function canLogin(login, password) {
    const res = await fetch(stack.url + '/api/v1/session', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login, password }),
    });
    return res.ok ? res.json() : null;
}

test('tools/demo.mjs imports a Salesforce export with its catalog, adds the demo logins, once', async () => {
    let res = await run(process.execPath, [path.join(ROOT, 'tools/demo.mjs'), stack.dir]);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    assert.match(res.stdout, /demo data loaded \(Salesforce export: \d+ User, \d+ Account, \d+ Contact/);
    assert.ok(fs.existsSync(path.join(stack.dir, 'demo-loaded')));
    const count = async (sql) => Number(await stack.psql(sql));
    const m = JSON.parse(fs.readFileSync(path.join(stack.dir, 'demo-sf/manifest.json'), 'utf8'));
    assert.equal(m.seed, 'demo');

    // the import, its counts as the manifest says
    assert.equal(await count('SELECT count(*) FROM clients.counterparty'), m.objects.Account.liveAfterMerge);
    assert.ok(await count("SELECT count(*) FROM clients.counterparty WHERE kind = 'distributor'") >= 2);
    const cc = m.cleaned.contacts;
    assert.equal(await count('SELECT count(*) FROM clients.contact'),
        m.objects.Contact.live - cc.orphans - cc.toDeletedAccount);
    assert.equal(await count("SELECT count(*) FROM core.\"user\" WHERE ext ? 'salesforce_id'"), m.objects.User.live);
    assert.ok(await count("SELECT count(*) FROM core.audit WHERE action = 'imported'") > 100);
    // the catalog: the export's products with their prices
    const products = await count('SELECT count(*) FROM catalog.product');
    assert.equal(products, m.objects.Product2.live);
    assert.ok(await count('SELECT count(*) FROM catalog.price WHERE amount > 0') > 0);

    // the demo logins: printed, kept with mode 0600, working
    for (const who of ['manager', 'analyst']) {
        const file = path.join(stack.dir, `${who}-password`);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600, file);
        const pw = fs.readFileSync(file, 'utf8').trim();
        const line = res.stdout.match(new RegExp(`^${who} login: (\\S+) password: (\\S+) \\(saved in `, 'm'));
        assert.ok(line, res.stdout);
        assert.equal(line[2], pw);
        const session = await canLogin(line[1], pw);
        assert.ok(session, `${who} ${line[1]} logs in`);
        assert.deepEqual(session.user.roles, [who]);
    }
    // the manager is the imported user with the most accounts (README
    // names it: the generator and the seed fix it)
    assert.match(res.stdout, /^manager login: b\.vlasov2@kedr-demo\.ru /m);
    const mgr = await stack.rows(`SELECT u.login, (SELECT count(*) FROM clients.counterparty c
        WHERE c.manager_id = u.id) AS n FROM core."user" u WHERE u.active AND u.ext ? 'salesforce_id'`);
    assert.equal(mgr.length, 1);
    assert.equal(mgr[0].n, await count(`SELECT max(n) FROM (SELECT count(*) n FROM clients.counterparty
        GROUP BY manager_id) q`));

    // a second run (a second `make run`) changes nothing
    const before = await count('SELECT count(*) FROM core.audit');
    res = await run(process.execPath, [path.join(ROOT, 'tools/demo.mjs'), stack.dir]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '');
    assert.equal(await count('SELECT count(*) FROM core.audit'), before, 'loaded once');
    assert.equal(await count('SELECT count(*) FROM catalog.product'), products);
    // and the import alone, run again on the same export, changes nothing either
    res = await stack.kedr(['migrate', 'salesforce', path.join(stack.dir, 'demo-sf'), '--json']);
    assert.equal(res.code, 0, res.stderr);
    for (const o of Object.values(JSON.parse(res.stdout).objects)) {
        assert.equal(o.created ?? 0, 0);
        assert.equal(o.updated ?? 0, 0);
    }
});
