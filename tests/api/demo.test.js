// The demo data `make run` loads (tools/demo.mjs) goes through the API, so
// this test keeps it loadable as the modules' APIs change: it loads once,
// leaves a marker, and a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, run, ROOT } from '../lib/stack.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});

test('tools/demo.mjs loads a catalog and a client base once', async () => {
    let res = await run(process.execPath, [path.join(ROOT, 'tools/demo.mjs'), stack.dir]);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    assert.match(res.stdout, /demo data loaded \(catalog, clients\)/);
    assert.ok(fs.existsSync(path.join(stack.dir, 'demo-loaded')));
    const count = async (sql) => Number(await stack.psql(sql));
    assert.equal(await count('SELECT count(*) FROM catalog.product'), 8);
    assert.equal(await count("SELECT count(*) FROM catalog.price WHERE amount > 0"), 8);
    assert.equal(await count("SELECT count(*) FROM clients.counterparty WHERE kind = 'distributor'"), 3);
    assert.equal(await count('SELECT count(*) FROM clients.counterparty'), 8);
    assert.equal(await count('SELECT count(*) FROM clients.contact WHERE reports_to IS NOT NULL'), 5);
    // written through the API: audited like anything a user enters
    assert.ok(await count("SELECT count(*) FROM core.audit WHERE entity LIKE 'clients.%'") >= 18);

    res = await run(process.execPath, [path.join(ROOT, 'tools/demo.mjs'), stack.dir]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(await count('SELECT count(*) FROM clients.counterparty'), 8, 'loaded once');
});
