// `kedr migrate salesforce --mapping FILE`: nothing about an org's custom
// objects and fields is built into Kedr.  A copy of the shipped mapping
// with the custom fields renamed (INN__c -> TaxNumber__c, Region__c ->
// District__c, Format__c -> Type__c with another value map) and the
// stores' file named Outlets.csv imports an export whose headers say the
// same, with the manifest's counts and the values where they belong (the
// object keeps its API name Store__c; the last test renames it too).  Then
// orphans = "attach": the contacts and stores whose account is not in the
// export go to a holding account instead of the rejects; a holding that is
// not in the export fails the object and writes nothing of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, ROOT } from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';
import { innValid } from '../../tools/sfgen/sfdata.mjs';

const stack = await startStack({ enabled: ['catalog', 'clients'] });
const dir = path.join(stack.dir, 'sf');
const m = generate({ dir, scale: 0.002, seed: 'import-mapping' });
const count = async (sql) => Number(await stack.psql(sql));

// the org's names: the stores' file, the custom fields
const OUTLETS = 'Outlets.csv';
const RENAMED = {
    'Account.csv': { INN__c: 'TaxNumber__c' },
    'Store__c.csv': { Region__c: 'District__c', Format__c: 'Type__c' },
};
// Type__c's values onto the outlet formats: another map than Format__c's
const TYPE_VALUES = {
    Hypermarket: 'showroom', Supermarket: 'online', DIY: 'electrical_shop',
    Specialist: 'diy', Kiosk: 'diy', Online: 'chain_store',
};

// A file's header line with `names` renamed (the rest of the bytes as they
// are: a BOM, CRLF, quoting).
function renameHeader(file, names, to = file) {
    const buf = fs.readFileSync(path.join(dir, file));
    const nl = buf.indexOf(0x0a);
    let header = buf.subarray(0, nl).toString('utf8');
    for (const [from, into] of Object.entries(names))
        header = header.replace(new RegExp(`(^|[",\\uFEFF])${from}(?=[",\\r]|$)`), `$1${into}`);
    fs.writeFileSync(path.join(dir, to), Buffer.concat([Buffer.from(header, 'utf8'), buf.subarray(nl)]));
    if (to !== file) fs.unlinkSync(path.join(dir, file));
}
renameHeader('Account.csv', RENAMED['Account.csv']);
renameHeader('Store__c.csv', RENAMED['Store__c.csv'], OUTLETS);

// The shipped mapping with the same names; `extra` edits the text further.
function mapping(name, extra = (s) => s) {
    let s = fs.readFileSync(path.join(ROOT, 'conf/import/salesforce.conf'), 'utf8');
    s = s.replace('file = "Store__c.csv";', `file = "${OUTLETS}";`);
    s = s.replace('from = "INN__c";', 'from = "TaxNumber__c";');
    const store = s.indexOf(`file = "${OUTLETS}"`);
    const head = s.slice(0, store);
    let tail = s.slice(store);
    tail = tail.replace('from = "Region__c";', 'from = "District__c";');
    tail = tail.replace(/\{ from = "Format__c";[^}]*\}/s, `{ from = "Type__c"; to = "format"; type = "picklist";
              values = ( ${Object.entries(TYPE_VALUES).map(([k, v]) => `["${k}", "${v}"]`).join(', ')} );
              unknown = "report"; }`);
    s = extra(head + tail);
    assert.ok(!/INN__c|"Format__c"|Store__c\.csv/.test(s.replace(/#.*$/gm, '')), 'every name replaced');
    const file = path.join(stack.dir, name);
    fs.writeFileSync(file, s);
    return file;
}

// A strict RFC 4180 reader (the generator's files), rows as objects.
function readCsv(file) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/^\uFEFF/, '');
    const rows = [];
    let row = [], cell = '', quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
            else cell += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') { row.push(cell); cell = ''; }
        else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n') i++;
            row.push(cell); rows.push(row); row = []; cell = '';
        } else cell += c;
    }
    if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
    const [header, ...data] = rows;
    return data.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}
const live = (r) => !/^(1|true)$/i.test(r.IsDeleted ?? '');

async function migrateSf(map, ...args) {
    const res = await stack.kedr(['migrate', 'salesforce', dir, '--mapping', map, '--json', ...args]);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).objects;
}

const A = m.objects.Account, C = m.objects.Contact, S = m.objects.Store__c;
const cc = m.cleaned.contacts, cs = m.cleaned.stores;
let firstRejected;

test('a mapping of renamed custom fields and file imports what the manifest says', async () => {
    const o = await migrateSf(mapping('renamed.conf'));
    assert.equal(o.Account.read, A.rows);
    assert.equal(o.Account.created, A.liveAfterMerge);
    assert.equal(o.Account.merged, A.duplicates.mergedAway);
    assert.equal(o.Account.cleared.inn, A.inn.invalid, 'TaxNumber__c read as an INN');
    assert.equal(o.Contact.rejected, cc.orphans + cc.toDeletedAccount);
    assert.equal(o.Contact.attached, 0);
    assert.equal(o.Store__c.read, S.rows);
    assert.equal(o.Store__c.dropped_deleted, S.deleted);
    assert.equal(o.Store__c.rejected, cs.orphans + cs.toDeletedAccount);
    assert.equal(o.Store__c.created, S.live - cs.orphans - cs.toDeletedAccount);
    assert.equal(o.Store__c.cleared.format ?? 0, S.picklistUnknown.Format__c);
    assert.equal(await count('SELECT count(*) FROM clients.outlet'), cs.attached);
    firstRejected = { Contact: o.Contact.rejected, Store__c: o.Store__c.rejected };

    // an INN from TaxNumber__c
    const acc = readCsv('Account.csv').find((r) => live(r) && innValid(r.TaxNumber__c));
    assert.ok(acc);
    assert.equal(await stack.psql(`SELECT c.inn FROM core.import_map m JOIN clients.counterparty c
                                   ON c.id = m.local_id WHERE m.object = 'Account'
                                   AND m.ext_id = '${acc.Id}'`), acc.TaxNumber__c);
    // every outlet's format through Type__c's map (an unknown value: the
    // default), its region from District__c first in the address
    const stores = new Map(readCsv(OUTLETS).map((r) => [r.Id, r]));
    const outlets = await stack.rows(`SELECT ext->>'salesforce_id' AS id, format, address FROM clients.outlet`);
    assert.equal(outlets.length, cs.attached);
    let regions = 0;
    for (const x of outlets) {
        const r = stores.get(x.id);
        assert.ok(r, x.id);
        assert.equal(x.format, TYPE_VALUES[r.Type__c] ?? 'chain_store', `${x.id} ${r.Type__c}`);
        const region = r.District__c.trim().replace(/\s+/g, ' ');
        if (region !== '' && /^[\p{L}\d .-]+$/u.test(region)) {
            assert.ok(x.address.startsWith(`${region}, `), `${x.id}: ${x.address} from ${region}`);
            regions++;
        }
    }
    assert.ok(regions > 0);
    assert.ok(outlets.some((x) => x.format === 'showroom'), 'a Hypermarket is a showroom in this org');
});

// the holding: a live account of the export, and its record
const holding = readCsv('Account.csv').find(live).Id;
const holdingId = () => stack.psql(`SELECT local_id FROM core.import_map WHERE object = 'Account'
                                    AND ext_id = '${holding}'`);
const attach = (id) => (s) => s
    .replace(/(\{ from = "AccountId"; to = "counterparty_sf_id"; type = "ref";\s*ref = "Account";)/,
        `$1 orphans = "attach"; holding = "${id}";`)
    .replace(/(\{ from = "Account__c"; to = "counterparty_sf_id"; type = "ref";\s*ref = "Account";)/,
        `$1 orphans = "attach"; holding = "${id}";`);

test('a holding that is not in the export fails the object and writes nothing of it', async () => {
    const map = mapping('absent.conf', attach('001000000000ZZZ'));
    assert.equal(fs.readFileSync(map, 'utf8').replace(/#.*$/gm, '').match(/orphans = "attach"/g).length, 2);
    const before = {
        contacts: await count('SELECT count(*) FROM clients.contact'),
        map: await count("SELECT count(*) FROM core.import_map WHERE object = 'Contact'"),
        audit: await count("SELECT count(*) FROM core.audit WHERE entity = 'clients.contact'"),
    };
    const res = await stack.kedr(['migrate', 'salesforce', dir, '--mapping', map, '--json']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^kedr migrate: Contact: holding 001000000000ZZZ\w{3} of AccountId is not imported$/m);
    assert.equal(await count('SELECT count(*) FROM clients.contact'), before.contacts);
    assert.equal(await count("SELECT count(*) FROM core.import_map WHERE object = 'Contact'"), before.map);
    assert.equal(await count("SELECT count(*) FROM core.audit WHERE entity = 'clients.contact'"), before.audit);
});

test('orphans = "attach": contacts and stores of missing accounts go to the holding', async () => {
    const map = mapping('attach.conf', attach(holding));
    const want = { Contact: cc.orphans + cc.toDeletedAccount, Store__c: cs.orphans + cs.toDeletedAccount };
    assert.ok(want.Contact > 0 && want.Store__c > 0);

    const contactsBefore = await count('SELECT count(*) FROM clients.contact');
    const dry = await migrateSf(map, '--dry-run');
    assert.equal(dry.Contact.attached, want.Contact);
    assert.equal(dry.Store__c.attached, want.Store__c);
    assert.equal(await count('SELECT count(*) FROM clients.contact'), contactsBefore, 'a dry run writes nothing');

    const report = path.join(stack.dir, 'attach.csv');
    const linkedBefore = await count(`SELECT count(*) FROM clients.contact_link
                                      WHERE counterparty_id = ${await holdingId()}`);
    const outletsBefore = await count(`SELECT count(*) FROM clients.outlet WHERE owner_id = ${await holdingId()}`);
    const o = await migrateSf(map, '--report', report);
    for (const name of ['Contact', 'Store__c']) {
        assert.equal(o[name].attached, want[name], name);
        assert.equal(o[name].rejected, firstRejected[name] - want[name], name);
        // the rows rejected the first time come in now
        assert.equal(o[name].created, want[name], name);
    }
    assert.equal(o.Account.attached, 0);
    const hid = await holdingId();
    assert.equal(await count(`SELECT count(*) FROM clients.contact_link WHERE counterparty_id = ${hid}`),
        linkedBefore + want.Contact);
    assert.equal(await count(`SELECT count(*) FROM clients.outlet WHERE owner_id = ${hid}`),
        outletsBefore + want.Store__c);
    assert.equal(await count('SELECT count(*) FROM clients.contact_link'), cc.attached + want.Contact);
    assert.equal(await count('SELECT count(*) FROM clients.outlet'), cs.attached + want.Store__c);

    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    const attached = (file) => lines.filter((l) => l.startsWith(`${file},`) && l.includes(',attached,'));
    assert.equal(attached('Contact.csv').length, want.Contact);
    assert.equal(attached(OUTLETS).length, want.Store__c);
    const reason = `the account is not in the export; attached to ${holding}`;
    for (const l of attached('Contact.csv'))
        assert.equal(l.replace(/^Contact\.csv,\d+,003\w{15},/, ''), `counterparty_sf_id,attached,${reason}`);
    for (const l of attached(OUTLETS))
        assert.match(l, new RegExp(`^Outlets\\.csv,\\d+,a0X\\w{15},counterparty_sf_id,attached,${reason}$`));
    // each reported contact is linked to the holding
    const ids = attached('Contact.csv').map((l) => `'${l.split(',')[2]}'`).join(',');
    assert.equal(await count(`SELECT count(*) FROM clients.contact_link l JOIN clients.contact c
                              ON c.id = l.contact_id WHERE c.ext->>'salesforce_id' IN (${ids})
                              AND l.counterparty_id = ${hid}`), want.Contact);
    assert.ok(!lines.some((l) => /,rejected,the account is not in the export$/.test(l)), 'no orphan rejected');
});

// The custom object's own name: migrators are found by the mapping's
// target (clients.outlet), and keep core.import_map under the name the
// mapping gives the object.  A dry run: the stores are in Kedr already as
// Store__c, so as Outlet__c every one of them is new.
test('the custom object renamed (Outlet__c) finds its migrator and its own map', async () => {
    const map = mapping('outlet.conf', (s) => s.replace('object = "Store__c";', 'object = "Outlet__c";'));
    const o = await migrateSf(map, '--dry-run');
    assert.equal(o.Outlet__c.skipped, undefined, o.Outlet__c.skipped);
    assert.equal(o.Outlet__c.read, S.rows);
    assert.equal(o.Outlet__c.rejected, cs.orphans + cs.toDeletedAccount);
    assert.equal(o.Outlet__c.created, S.live - cs.orphans - cs.toDeletedAccount);
    assert.equal(o.Outlet__c.unchanged, 0);
    assert.equal(o.Account.created, 0, 'the other objects as before');
});
