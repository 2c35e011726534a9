// `kedr migrate salesforce` on the export as Salesforce delivers it: the
// WE_00D…_1.ZIP file itself, and a folder holding only that zip, count
// exactly what the unzipped folder counts (dry runs: nothing written, the
// counts of a real run).  A damaged zip, or damaged data of a member,
// fails with the zip's (and the member's) name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, ROOT } from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';

const stack = await startStack({ enabled: ['catalog', 'clients'] });
const MAPPING = path.join(ROOT, 'conf/import/salesforce.conf');
const dir = path.join(stack.dir, 'sf');
const m = generate({ dir, scale: 0.002, seed: 'import-zip', format: { zip: true } });
const zip = path.join(dir, m.zip);
const run = (...args) =>
    stack.kedr(['migrate', 'salesforce', ...args, '--mapping', MAPPING, '--json', '--dry-run']);

// a folder holding only `file` (a copy of the zip, perhaps damaged)
function zipOnly(name, bytes) {
    const d = path.join(stack.dir, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, m.zip), bytes);
    return d;
}

const counts = (res) => {
    assert.equal(res.code, 0, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.equal(doc.dry_run, true);
    // the counts, not the time each object took
    for (const o of Object.values(doc.objects))
        delete o.seconds;
    return doc.objects;
};

test('the .ZIP file and a folder of it count what the folder of CSVs counts', async () => {
    assert.match(m.zip, /^WE_00D\w+_1\.ZIP$/);
    const plain = counts(await run(dir));
    assert.equal(plain.Account.read, m.objects.Account.rows);
    assert.equal(plain.Contact.read, m.objects.Contact.rows);
    assert.ok(plain.PricebookEntry.read > 0);

    const fromZip = counts(await run(zip));
    assert.deepEqual(fromZip, plain);

    const folder = zipOnly('zip-only', fs.readFileSync(zip));
    assert.deepEqual(fs.readdirSync(folder), [m.zip]);
    const fromFolder = counts(await run(folder));
    assert.deepEqual(fromFolder, plain);
});

test('a truncated zip is refused with its name', async () => {
    const whole = fs.readFileSync(zip);
    const cut = path.join(stack.dir, 'cut.zip');
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    let res = await run(cut);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^kedr migrate: cannot read ".*cut\.zip": Not a zip archive$/m);

    // in a folder: the objects fail, none is "not found"
    res = await run(zipOnly('cut', whole.subarray(0, whole.length >> 1)));
    assert.equal(res.code, 1);
    assert.match(res.stderr, /kedr migrate: cannot read ".*\/cut\/WE_\w+\.ZIP": /);
    assert.doesNotMatch(res.stderr, /skipped/);
});

test('damaged data of a member fails its object, naming the zip and the member', async () => {
    const bytes = Buffer.from(fs.readFileSync(zip));
    // the local header of Account.csv (sfgen writes no extra fields)
    const at = bytes.indexOf('Account.csv') - 30;
    assert.equal(bytes.readUInt32LE(at), 0x04034b50);
    const comp = bytes.readUInt32LE(at + 18);
    const data = at + 30 + bytes.readUInt16LE(at + 26);
    for (let i = 0; i < 16; i++) bytes[data + (comp >> 1) + i] ^= 0x5a;

    const res = await run(zipOnly('damaged', bytes));
    assert.equal(res.code, 1);
    assert.match(res.stderr,
        /^kedr migrate: cannot read "Account\.csv" in ".*\/damaged\/WE_\w+\.ZIP": .+$/m);
    assert.match(res.stderr, /Account\.csv:\d+: /, 'the CSV error too');
    assert.doesNotMatch(res.stderr, /Contact:/, 'the run stops there');
});
