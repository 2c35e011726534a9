// `kedr migrate salesforce DIR` (issue 7) against a real stack: a small
// export from tools/sfgen/sfgen.mjs (fixed seed), its counts checked against
// the generator's manifest; a dry run writes nothing, a second run of the
// same export changes nothing, next week's export updates exactly the
// changed rows, and the report lists every rejected orphan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, run, KEDR, ROOT } from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';
import { readExport } from '../lib/sfread.mjs';
import { id18 } from '../../tools/sfgen/sfdata.mjs';

const stack = await startStack({ enabled: ['catalog', 'clients'] });
const MAPPING = path.join(ROOT, 'conf/import/salesforce.conf');
const w1 = path.join(stack.dir, 'sf-week1');
const w2 = path.join(stack.dir, 'sf-week2');
// weekly rates above the defaults, so that week 2 changes, touches, adds
// and deletes some accounts even at this scale
const m1 = generate({
    dir: w1, scale: 0.002, seed: 'import-test',
    deltaRates: { change: 0.05, add: 0.03, remove: 0.02, touch: 0.03 },
});

async function migrateSf(dir, ...args) {
    const res = await stack.kedr(['migrate', 'salesforce', dir, '--mapping', MAPPING, '--json', ...args]);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).objects;
}
const count = async (sql) => Number(await stack.psql(sql));

// What a first import of an export must report, from its manifest.
function expectFirst(o, m) {
    const U = m.objects.User, A = m.objects.Account, C = m.objects.Contact;
    const cc = m.cleaned.contacts;
    assert.equal(o.User.read, U.rows);
    assert.equal(o.User.created, U.live);
    assert.equal(o.Account.read, A.rows);
    assert.equal(o.Account.dropped_deleted, A.deleted);
    assert.equal(o.Account.merged, A.duplicates.mergedAway);
    assert.equal(o.Account.created, A.liveAfterMerge);
    assert.equal(o.Account.rejected, 0);
    assert.equal(o.Account.cleared.inn, A.inn.invalid);
    assert.equal(o.Account.cleared.kpp, A.kpp.invalid);
    assert.equal(o.Account.cleared.kind ?? 0, A.picklistUnknown.Type);
    assert.equal(o.Contact.read, C.rows);
    assert.equal(o.Contact.dropped_deleted, C.deleted);
    assert.equal(o.Contact.rejected, cc.orphans + cc.toDeletedAccount);
    assert.equal(o.Contact.created, C.live - cc.orphans - cc.toDeletedAccount);
    assert.equal(o.Contact.cleared.email, C.emails.invalid);
    const S = m.objects.Store__c, cs = m.cleaned.stores;
    assert.equal(o.Store__c.read, S.rows);
    assert.equal(o.Store__c.dropped_deleted, S.deleted);
    assert.equal(o.Store__c.rejected, cs.orphans + cs.toDeletedAccount);
    assert.equal(o.Store__c.created, S.live - cs.orphans - cs.toDeletedAccount);
    assert.equal(o.Store__c.cleared.format ?? 0, S.picklistUnknown.Format__c);
    // the catalog: products, the price books as price types (the standard
    // one is the base type, taken over), their entries as prices; an
    // entry of a deleted product is rejected
    const P = m.objects.Product2, B = m.objects.Pricebook2, E = m.objects.PricebookEntry;
    assert.equal(o.Product2.read, P.rows);
    assert.equal(o.Product2.dropped_deleted, P.deleted);
    assert.equal(o.Product2.created, P.live);
    assert.equal(o.Product2.rejected, 0);
    assert.equal(o.Pricebook2.read, B.rows);
    assert.equal(o.Pricebook2.merged, 1);
    assert.equal(o.Pricebook2.created, B.live - 1);
    assert.equal(o.PricebookEntry.read, E.rows);
    assert.equal(o.PricebookEntry.dropped_deleted, E.deleted);
    assert.equal(o.PricebookEntry.rejected, entryOrphans(m));
    assert.equal(o.PricebookEntry.created, E.live - entryOrphans(m));
}

// Entries whose product is in no file or deleted there.
const entryOrphans = (m) => m.objects.PricebookEntry.lookups.Product2Id.orphan
    + m.objects.PricebookEntry.lookups.Product2Id.toDeleted;

test('--dry-run reports what an import would do and writes nothing', async () => {
    const o = await migrateSf(w1, '--dry-run');
    expectFirst(o, m1);
    assert.equal(await count('SELECT count(*) FROM core.import_map'), 0);
    assert.equal(await count('SELECT count(*) FROM clients.counterparty'), 0);
    assert.equal(await count("SELECT count(*) FROM core.\"user\" WHERE ext ? 'salesforce_id'"), 0);
});

test("merge_duplicates = false: an export's duplicates are rejected, not merged", async () => {
    const shipped = fs.readFileSync(MAPPING, 'utf8');
    assert.match(shipped, /options = \{ merge_duplicates = true; \};/);
    const noMerge = path.join(stack.dir, 'no-merge.conf');
    fs.writeFileSync(noMerge, shipped.replace('merge_duplicates = true;', 'merge_duplicates = false;'));
    const report = path.join(stack.dir, 'no-merge.csv');
    const res = await stack.kedr(['migrate', 'salesforce', w1, '--mapping', noMerge, '--json', '--dry-run',
        '--report', report]);
    assert.equal(res.code, 0, res.stderr);
    const o = JSON.parse(res.stdout).objects;
    const A = m1.objects.Account;
    assert.equal(o.Account.merged, 0);
    assert.equal(o.Account.rejected, A.duplicates.mergedAway);
    assert.equal(o.Account.created, A.liveAfterMerge);
    const lines = fs.readFileSync(report, 'utf8').split('\n')
        .filter((l) => /^Account\.csv,\d+,001\w{15},inn,rejected,another account of the export has this INN/.test(l));
    assert.equal(lines.length, A.duplicates.mergedAway);
    // contacts of a rejected duplicate have no account to attach to
    assert.ok(o.Contact.rejected >= m1.cleaned.contacts.orphans + m1.cleaned.contacts.toDeletedAccount);
    assert.equal(await count('SELECT count(*) FROM core.import_map'), 0, 'a dry run');
});

test('a first import matches the manifest; the report lists the orphans', async () => {
    const report = path.join(stack.dir, 'report.csv');
    // seven processes: every object starts as soon as the objects it
    // refers to are in (the catalog's alongside the clients'), so the
    // counts below also prove that Contact waited for Account
    const o = await migrateSf(w1, '--report', report, '--jobs', '7');
    expectFirst(o, m1);
    const A = m1.objects.Account;
    assert.equal(await count('SELECT count(*) FROM clients.counterparty'), A.liveAfterMerge);
    assert.equal(await count("SELECT count(*) FROM core.import_map WHERE object = 'Account'"), A.live);
    // merged duplicates point at their survivor
    assert.equal(await count(`SELECT count(DISTINCT local_id) FROM core.import_map
                              WHERE object = 'Account'`), A.liveAfterMerge);
    // users: inactive, no password, until an administrator invites them
    assert.equal(await count(`SELECT count(*) FROM core."user" WHERE ext ? 'salesforce_id'
                              AND NOT active AND password_hash IS NULL`), m1.objects.User.live);
    // OwnerId resolved to the imported users
    assert.equal(await count('SELECT count(*) FROM clients.counterparty WHERE manager_id IS NULL'), 0);
    assert.equal(await count("SELECT count(*) FROM clients.counterparty WHERE kind = 'distributor'"),
        A.distributors);
    // ParentId resolved in the second pass
    assert.ok(await count('SELECT count(*) FROM clients.counterparty WHERE parent_id IS NOT NULL') > 0);
    assert.equal(await count('SELECT count(*) FROM clients.contact_link'),
        m1.cleaned.contacts.attached);
    // searchable by the Salesforce id; audited as imported
    const id = await stack.psql("SELECT ext_id FROM core.import_map WHERE object = 'Account' LIMIT 1");
    assert.equal(await count(`SELECT count(*) FROM clients.counterparty WHERE ext->>'salesforce_id' = '${id}'`), 1);
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE action = 'imported'
                              AND entity = 'clients.counterparty' AND new->>'change' = 'created'`),
    A.liveAfterMerge);

    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'file,line,id,field,action,reason');
    const orphans = lines.filter((l) => l.startsWith('Contact.csv,') && l.includes(',rejected,'));
    assert.equal(orphans.length, o.Contact.rejected);
    for (const l of orphans)
        assert.match(l, /^Contact\.csv,\d+,003\w{15},counterparty_sf_id,rejected,the account is not in the export$/);
    assert.ok(lines.some((l) => /^Account\.csv,\d+,001\w{15},inn,cleared,/.test(l)), 'a cleared INN is reported');
    const storeOrphans = lines.filter((l) => l.startsWith('Store__c.csv,') && l.includes(',rejected,'));
    assert.equal(storeOrphans.length, o.Store__c.rejected);
    for (const l of storeOrphans)
        assert.match(l, /^Store__c\.csv,\d+,a0X\w{15},counterparty_sf_id,rejected,the account is not in the export$/);
    // one object's lines together, in the mapping's order, however the
    // objects' processes ran
    const files = lines.slice(1).map((l) => l.split(',')[0]).filter((f, i, a) => f !== a[i - 1]);
    assert.deepEqual(files, [...new Set(files)]);
    assert.deepEqual(files.filter((f) => ['Account.csv', 'Contact.csv', 'Store__c.csv'].includes(f)),
        ['Account.csv', 'Contact.csv', 'Store__c.csv']);

    // ReportsToId: every imported contact reports to the contact its row
    // names when that one was imported too, and to no one otherwise
    const ex = readExport(w1, m1);
    const boss = new Map();
    for (const r of ex.Contact.rows) {
        const to = r.ReportsToId && r.ReportsToId !== '000000000000000AAA'
            ? (r.ReportsToId.length === 15 ? id18(r.ReportsToId) : r.ReportsToId) : '';
        boss.set(r.Id, to);
    }
    const got = await stack.rows(`SELECT c.ext->>'salesforce_id' AS id, b.ext->>'salesforce_id' AS boss
                                  FROM clients.contact c LEFT JOIN clients.contact b ON b.id = c.reports_to`);
    const imported = new Set(got.map((g) => g.id));
    let bosses = 0;
    for (const g of got) {
        const to = boss.get(g.id);
        assert.equal(g.boss, to && imported.has(to) && to !== g.id ? to : null, g.id);
        if (g.boss) bosses++;
    }
    assert.ok(bosses > 0, 'some contacts report to another');

    // ParentId: the holding is the record the parent's row became (its
    // survivor, when it merged away)
    const parentOf = new Map(ex.Account.rows.map((r) => [r.Id,
        r.ParentId && r.ParentId !== '000000000000000AAA'
            ? (r.ParentId.length === 15 ? id18(r.ParentId) : r.ParentId) : '']));
    const accs = await stack.rows(`SELECT c.id, c.ext->>'salesforce_id' AS id18, c.parent_id,
                                   (SELECT json_object_agg(ext_id, local_id) FROM core.import_map
                                     WHERE object = 'Account') AS map
                                   FROM clients.counterparty c`);
    const amap = accs[0].map;
    let holdings = 0;
    for (const a of accs) {
        const p = parentOf.get(a.id18);
        const want = p && amap[p] !== undefined && amap[p] !== a.id ? amap[p] : null;
        assert.equal(a.parent_id, want, a.id18);
        if (want) holdings++;
    }
    assert.ok(holdings > 0, 'some accounts have a holding');

    // found by their Salesforce ids in the search boxes, in either form; a
    // duplicate's id finds the record it merged into
    const admin = await stack.loginAdmin();
    const find = async (list, q) => (await admin.get(`/api/v1/clients/${list}?q=${q}`)).json.items.map((i) => i.id);
    const [merged] = await stack.rows(`SELECT m.ext_id, m.local_id FROM core.import_map m
        JOIN clients.counterparty c ON c.id = m.local_id
        WHERE m.object = 'Account' AND c.ext->>'salesforce_id' <> m.ext_id LIMIT 1`);
    assert.ok(merged, 'a merged duplicate');
    assert.deepEqual(await find('counterparties', merged.ext_id), [merged.local_id]);
    assert.deepEqual(await find('counterparties', merged.ext_id.slice(0, 15)), [merged.local_id]);
    for (const [list, object] of [['contacts', 'Contact'], ['outlets', 'Store__c']]) {
        const [one] = await stack.rows(`SELECT ext_id, local_id FROM core.import_map
                                        WHERE object = '${object}' LIMIT 1`);
        assert.deepEqual(await find(list, one.ext_id.slice(0, 15)), [one.local_id], list);
        assert.deepEqual(await find(list, one.ext_id), [one.local_id], list);
    }
    assert.deepEqual(await find('counterparties', '001000000000000'), []);

    // stores: an owner (a store of a merged-away account is its survivor's),
    // a format the table allows, the manager from OwnerId
    const cs = m1.cleaned.stores;
    assert.equal(await count('SELECT count(*) FROM clients.outlet'), cs.attached);
    assert.equal(await count(`SELECT count(*) FROM clients.outlet o JOIN core.import_map m
                              ON m.object = 'Store__c' AND m.local_id = o.id
                              AND o.ext->>'salesforce_id' = m.ext_id`), cs.attached);
    assert.equal(await count('SELECT count(*) FROM clients.outlet WHERE manager_id IS NULL'), 0);
    assert.equal(await count(`SELECT count(*) FROM clients.outlet o JOIN clients.counterparty c
                              ON c.id = o.owner_id WHERE c.merged_into IS NOT NULL`), 0);
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE action = 'imported'
                              AND entity = 'clients.outlet' AND new->>'change' = 'created'`),
    cs.attached);

    // products under "<brand> / <Family>", SKU from ProductCode
    const P = m1.objects.Product2;
    assert.equal(await count("SELECT count(*) FROM catalog.product WHERE ext ? 'salesforce_id'"), P.live);
    assert.equal(await count(`SELECT count(*) FROM catalog.product p JOIN catalog.product_group g
                              ON g.id = p.group_id JOIN catalog.product_group b ON b.id = g.parent_id
                              WHERE b.name = 'Salesforce' AND b.parent_id IS NULL`), P.live);
    assert.equal(await count("SELECT count(*) FROM catalog.product WHERE sku !~ '^KD-'"), 0);
    // the standard price book is the base type, the other a new type
    const E = m1.objects.PricebookEntry;
    assert.equal(await count('SELECT count(*) FROM catalog.price'), E.live - entryOrphans(m1));
    assert.ok(await count(`SELECT count(*) FROM catalog.price p JOIN catalog.price_type t
                           ON t.id = p.price_type_id WHERE t.code = 'base'`) > 0);
    assert.equal(await count("SELECT count(*) FROM catalog.price_type WHERE name = 'Дистрибьюторский прайс'"), 1);
    // KD-100000: each price book's UnitPrice of it, as the file says
    // (every cell quoted, none holding a quote or a comma)
    const [head, ...rows] = fs.readFileSync(path.join(w1, 'PricebookEntry.csv'), 'utf8').trim().split(/\r?\n/)
        .map((l) => l.slice(1, -1).split('","'));
    const col = (n) => head.indexOf(n);
    const want = rows.filter((r) => r[col('ProductCode')] === 'KD-100000')
        .map((r) => Number(r[col('UnitPrice')]).toFixed(2)).sort();
    assert.equal(want.length, 2);
    assert.deepEqual((await stack.rows(`SELECT p.amount::text AS a FROM catalog.price p
                                        JOIN catalog.product d ON d.id = p.product_id
                                        WHERE d.sku = 'KD-100000'`)).map((r) => r.a).sort(), want);
});

test('a second run of the same export creates and changes nothing', async () => {
    const before = await count('SELECT count(*) FROM core.audit');
    const o = await migrateSf(w1, '--jobs', '1');
    for (const name of ['User', 'Account', 'Contact', 'Store__c', 'Product2', 'Pricebook2', 'PricebookEntry']) {
        assert.equal(o[name].created, 0, name);
        assert.equal(o[name].updated, 0, name);
        assert.equal(o[name].merged, 0, name);
    }
    assert.equal(o.Product2.unchanged, m1.objects.Product2.live);
    assert.equal(o.PricebookEntry.unchanged, m1.objects.PricebookEntry.live - entryOrphans(m1));
    assert.equal(o.Store__c.unchanged, m1.cleaned.stores.attached);
    assert.equal(o.Account.unchanged, m1.objects.Account.live);
    assert.equal(await count('SELECT count(*) FROM core.audit'), before);
});

test("next week's export updates exactly the changed rows", async () => {
    const m2 = generate({ dir: w2, delta: w1 });
    const d = m2.delta.objects;
    // deletions carried over: the records that came from a row deleted
    // this week (their own row, not a survivor it merged into) archived
    const inList = (ids) => ids.map((i) => `'${i}'`).join(',') || "''";
    const ARCHIVE = {
        Account: ['clients.counterparty', "status <> 'inactive'"],
        Contact: ['clients.contact', 'active'],
        Store__c: ['clients.outlet', 'active'],
        Product2: ['catalog.product', 'active'],
    };
    const toArchive = {};
    for (const [obj, [table, live]] of Object.entries(ARCHIVE)) {
        toArchive[obj] = await count(`SELECT count(*) FROM ${table} WHERE ${live}
                                      AND ext->>'salesforce_id' IN (${inList(d[obj].ids.deleted)})`);
    }
    assert.ok(toArchive.Account > 0 && toArchive.Contact > 0 && toArchive.Store__c > 0);
    // the prices of the entries changed this week, before
    const entryPrices = async () => new Map((await stack.rows(`SELECT m.ext_id, p.id, p.amount::text,
        p.valid_from::text FROM core.import_map m JOIN catalog.price p ON p.id = m.local_id
        WHERE m.object = 'PricebookEntry' AND m.ext_id IN (${inList(d.PricebookEntry.ids.changed)})`))
        .map((p) => [p.ext_id, [p.id, p.amount, p.valid_from]]));
    const pricesBefore = await entryPrices();
    const o = await migrateSf(w2);
    for (const [obj, [table, live]] of Object.entries(ARCHIVE)) {
        assert.equal(o[obj].archived, toArchive[obj], obj);
        assert.equal(await count(`SELECT count(*) FROM ${table} WHERE ${live}
                                  AND ext->>'salesforce_id' IN (${inList(d[obj].ids.deleted)})`), 0, obj);
        assert.equal(await count(`SELECT count(*) FROM core.audit WHERE entity = '${table}'
                                  AND new->>'change' = 'archived'`), toArchive[obj], obj);
    }
    assert.ok(d.Account.changed > 0 && d.Account.touched > 0 && d.Account.deleted > 0);
    assert.equal(o.User.updated, d.User.changed);
    assert.equal(o.Account.updated, d.Account.changed);
    assert.equal(o.Account.created + o.Account.merged, d.Account.added);
    assert.equal(o.Account.dropped_deleted, m2.objects.Account.deleted);
    // a touched row (only SystemModstamp moved) is unchanged
    assert.equal(o.Contact.updated, d.Contact.changed);
    assert.equal(o.Contact.created, d.Contact.added);
    // an account deleted this week keeps its (archived) record, so its
    // contacts still attach; the orphans of week 1 are orphans again
    assert.equal(o.Contact.rejected, m1.cleaned.contacts.orphans + m1.cleaned.contacts.toDeletedAccount);
    // stores likewise: the changed ones updated, the touched ones not
    assert.ok(d.Store__c.changed > 0 && d.Store__c.touched > 0);
    assert.equal(o.Store__c.updated, d.Store__c.changed);
    assert.equal(o.Store__c.dropped_deleted, m2.objects.Store__c.deleted);
    assert.equal(o.Store__c.rejected, m1.cleaned.stores.orphans + m1.cleaned.stores.toDeletedAccount);
    assert.equal(o.Store__c.created, d.Store__c.added);
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE entity = 'clients.outlet'
                              AND new->>'change' = 'updated'`), d.Store__c.changed);
    // the catalog: the changed products and entries (a new UnitPrice)
    assert.ok(d.Product2.changed > 0 && d.PricebookEntry.changed > 0);
    assert.equal(o.Product2.updated, d.Product2.changed);
    assert.equal(o.Product2.created, d.Product2.added);
    assert.equal(o.Pricebook2.updated, d.Pricebook2.changed);
    assert.equal(o.PricebookEntry.updated, d.PricebookEntry.changed);
    assert.equal(o.PricebookEntry.created, d.PricebookEntry.added);
    assert.equal(o.PricebookEntry.rejected, entryOrphans(m1));
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE entity = 'catalog.product'
                              AND new->>'change' = 'updated'`), d.Product2.changed);
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE entity = 'catalog.price'
                              AND new->>'change' = 'updated'`), d.PricebookEntry.changed);
    // prices are history: a new amount is a new price from the day of the
    // change; the old one keeps its amount and dates
    const pricesAfter = await entryPrices();
    let moved = 0;
    for (const [entry, [oldId, oldAmount, oldFrom]] of pricesBefore) {
        const [newId, newAmount, newFrom] = pricesAfter.get(entry);
        if (newAmount === oldAmount) {
            assert.equal(newId, oldId, entry);
            continue;
        }
        moved++;
        assert.notEqual(newId, oldId, entry);
        assert.ok(newFrom > oldFrom, `${entry}: ${newFrom} after ${oldFrom}`);
        assert.equal(await stack.psql(`SELECT amount FROM catalog.price WHERE id = ${oldId}`), oldAmount);
    }
    assert.ok(moved > 0, 'some prices changed');
    // and once more: nothing
    const again = await migrateSf(w2);
    for (const name of ['User', 'Account', 'Contact', 'Store__c', 'Product2', 'Pricebook2', 'PricebookEntry']) {
        assert.equal(again[name].created, 0, name);
        assert.equal(again[name].updated, 0, name);
        assert.equal(again[name].archived, 0, name);
    }
});

test('progress: a line rewritten in place on a terminal, plain lines otherwise', async () => {
    // a terminal: `script` gives the import a pseudo-terminal
    const cmd = [KEDR, '-c', stack.conf, 'migrate', 'salesforce', w1, '--mapping', MAPPING, '--dry-run']
        .map((a) => `'${a}'`).join(' ');
    const tty = await run('script', ['-qec', cmd, '/dev/null'],
        { env: { ...process.env, KEDR_DATABASE_URL: stack.databaseUrl } });
    assert.equal(tty.code, 0, tty.stdout + tty.stderr);
    // a bar, the share, rows, rows/s (and the time left while it reads)
    assert.match(tty.stdout, /\r\x1b\[KAccount +\[[#-]{20}\] +\d+%  \d+ rows  \d+ rows\/s/);
    assert.match(tty.stdout, /Account +\[#{20}\] 100%  \d+ rows  .*  loading/);
    assert.match(tty.stdout, /Account: \d+ read, \d+ created/, 'the summary line after it');
    // a real run: the objects loading at once have a line each, the block
    // redrawn in place (cursor up over it, cleared to the end)
    const par = await run('script', ['-qec', cmd.replace(" '--dry-run'", " '--jobs' '2'"), '/dev/null'],
        { env: { ...process.env, KEDR_DATABASE_URL: stack.databaseUrl } });
    assert.equal(par.code, 0, par.stdout + par.stderr);
    assert.match(par.stdout, /(\r\x1b\[J|\n)Contact +\[[#-]{20}\] +\d+%  \d+ rows/);
    assert.match(par.stdout, /\x1b\[\d+A\r\x1b\[J/);
    assert.match(par.stdout, /Contact: \d+ read, 0 created/);
    // not a terminal (this pipe): no carriage returns, no escapes
    const res = await stack.kedr(['migrate', 'salesforce', w1, '--mapping', MAPPING, '--dry-run']);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /[\r\x1b]/);
    assert.match(res.stderr, /Account: \d+ read/);
});
