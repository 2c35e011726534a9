// The Salesforce export generator (tools/sfgen/sfgen.mjs): no server.  The
// files must be strict RFC 4180 with every value quoted, the manifest's
// numbers must equal an independent recount of the files, the same seed
// must give the same bytes, a delta must change exactly the rows it says,
// and the encodings must decode back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generate, counts, pickCount, OBJECTS } from '../../tools/sfgen/sfgen.mjs';
import {
    id18, idSuffix, makeId, innComplete, ogrnComplete, phoneE164, emailValid, detectMojibake, mojibake, Rng,
} from '../../tools/sfgen/sfdata.mjs';
import { readExport } from '../lib/sfread.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sfgen-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name) => path.join(tmp, name);

// --- independent checks ---------------------------------------------------

// INN, KPP and OGRN written again from the rules, not taken from sfdata.
function innOk(s) {
    const d = (w, n) => w.reduce((a, x, i) => a + x * Number(s[i]), 0) % 11 % 10 === Number(s[n]);
    if (/^\d{10}$/.test(s)) return d([2, 4, 10, 3, 5, 9, 4, 6, 8], 9);
    if (/^\d{12}$/.test(s)) return d([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) && d([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11);
    return false;
}
const kppOk = (s) => /^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$/.test(s);
function ogrnOk(s) {
    if (!/^(\d{13}|\d{15})$/.test(s)) return false;
    return BigInt(s.slice(0, -1)) % (s.length === 13 ? 11n : 13n) % 10n === BigInt(s.slice(-1));
}
function suffixOk(id) {
    let out = '';
    for (let c = 0; c < 3; c++) {
        let n = 0;
        for (let i = 4; i >= 0; i--) n = n * 2 + (/[A-Z]/.test(id[c * 5 + i]) ? 1 : 0);
        out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[n];
    }
    return id.slice(15) === out;
}

const TRUE = new Set(['1', 'true', 'TRUE']);
const BOOLS = new Set(['0', '1', 'true', 'false', 'TRUE', 'FALSE']);
const time = (s) => Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
const PHONE_COLS = new Set(['Phone', 'MobilePhone', 'Fax', 'Phone__c']);
const EMAIL_COLS = new Set(['Email', 'Email__c']);

// Every number of the manifest counted again from the files.
function recount(ex, manifest) {
    const ids = new Map();                       // id18 -> {object, deleted}
    for (const [obj, e] of Object.entries(ex)) {
        for (const r of e.rows) ids.set(r.Id, { object: obj, deleted: TRUE.has(r.IsDeleted ?? '0') });
    }
    // duplicates: live accounts by INN/KPP; the most recently modified stays
    const groups = new Map();
    for (const r of ex.Account.rows) {
        if (TRUE.has(r.IsDeleted) || r.INN__c === '') continue;
        const k = `${r.INN__c}/${r.KPP__c}`;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(r);
    }
    const mergedAway = new Set();
    let nGroups = 0, inGroups = 0;
    for (const g of groups.values()) {
        if (g.length < 2) continue;
        nGroups++;
        inGroups += g.length;
        g.sort((a, b) => time(b.LastModifiedDate) - time(a.LastModifiedDate) || time(b.SystemModstamp) - time(a.SystemModstamp) || (a.Id < b.Id ? 1 : -1));
        for (const x of g.slice(1)) mergedAway.add(x.Id);
    }
    const res = {};
    for (const [obj, e] of Object.entries(ex)) {
        const m = manifest.objects[obj];
        const st = { rows: e.rows.length, deleted: 0, live: 0, whitespaceRows: 0, multilineFields: 0, mojibakeFields: 0, mojibakeByKind: { cp1251: 0, latin1: 0 } };
        const lk = {};
        for (const f of Object.keys(m.lookups)) {
            lk[f] = { null: 0, nullEmpty: 0, nullAaa: 0, id15: 0, orphan: 0, toDeleted: 0, toLive: 0 };
            if ('toMergedAway' in m.lookups[f]) lk[f].toMergedAway = 0;
        }
        const picks = Object.keys(manifest.picklists).filter((k) => k.startsWith(`${obj}.`)).map((k) => k.slice(obj.length + 1));
        if (picks.length) st.picklistUnknown = Object.fromEntries(picks.map((f) => [f, 0]));
        if (e.header.some((h) => PHONE_COLS.has(h))) st.phones = { total: 0, valid: 0, invalid: 0 };
        if (e.header.some((h) => EMAIL_COLS.has(h))) st.emails = { total: 0, invalid: 0 };
        if (obj === 'Account') { st.inn = { total: 0, invalid: 0 }; st.kpp = { total: 0, invalid: 0 }; }
        for (const r of e.rows) {
            assert.ok(suffixOk(r.Id) && r.Id.length === 18, `${obj} id ${r.Id}`);
            assert.equal(r.Id.slice(0, 3), OBJECTS.find((o) => o.name === obj).prefix);
            if ('IsDeleted' in r) assert.ok(BOOLS.has(r.IsDeleted));
            const dead = TRUE.has(r.IsDeleted ?? '0');
            if (dead) { st.deleted++; continue; }
            st.live++;
            let ws = false;
            for (const [f, v] of Object.entries(r)) {
                if (/^[ \t]|[ \t]$|[ \t]{2}/.test(v)) ws = true;
                if (v.includes('\n')) st.multilineFields++;
                const mj = detectMojibake(v);
                if (mj) { st.mojibakeFields++; st.mojibakeByKind[mj.kind]++; }
                if (PHONE_COLS.has(f) && v !== '') { st.phones.total++; if (phoneE164(v)) st.phones.valid++; else st.phones.invalid++; }
                if (EMAIL_COLS.has(f) && v !== '') { st.emails.total++; if (!emailValid(v)) st.emails.invalid++; }
                if (st.picklistUnknown && f in st.picklistUnknown && v !== '' && !manifest.picklists[`${obj}.${f}`].includes(v)) st.picklistUnknown[f]++;
                if (f in lk) {
                    const l = lk[f];
                    if (v === '' || v === '000000000000000AAA') { l.null++; if (v === '') l.nullEmpty++; else l.nullAaa++; continue; }
                    assert.ok(v.length === 15 || suffixOk(v), `${obj}.${f} ${v}`);
                    if (v.length === 15) l.id15++;
                    const t = ids.get(id18(v));
                    if (!t) l.orphan++;
                    else if (t.deleted) l.toDeleted++;
                    else { l.toLive++; if ('toMergedAway' in l && mergedAway.has(id18(v))) l.toMergedAway++; }
                }
            }
            if (ws) st.whitespaceRows++;
            if (obj === 'Account') {
                if (r.INN__c) { st.inn.total++; if (!innOk(r.INN__c)) st.inn.invalid++; }
                if (r.KPP__c) { st.kpp.total++; if (!kppOk(r.KPP__c)) st.kpp.invalid++; }
            }
        }
        st.lookups = lk;
        if (obj === 'Account') {
            st.duplicates = { groups: nGroups, rowsInGroups: inGroups, mergedAway: mergedAway.size };
            st.liveAfterMerge = st.live - mergedAway.size;
        }
        res[obj] = st;
    }
    return res;
}

// The manifest's numbers for the fields the recount knows.
function pickLike(m, like) {
    if (like === null || typeof like !== 'object') return m;
    return Object.fromEntries(Object.keys(like).map((k) => [k, pickLike(m?.[k], like[k])]));
}

function checkExport(d) {
    const manifest = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
    const ex = readExport(d, manifest);
    const rc = recount(ex, manifest);
    for (const [obj, st] of Object.entries(rc)) {
        assert.deepEqual(pickLike(manifest.objects[obj], st), st, `${obj}: the manifest equals a recount of the file`);
    }
    return { manifest, ex, rc };
}

// --- the tests ------------------------------------------------------------

test('ids: the 18-character checksum of known Salesforce ids', () => {
    assert.equal(id18('001A0000006Vm9r'), '001A0000006Vm9rIAC');
    assert.equal(idSuffix('0015000000VALDt'), 'AAP');         // VALD upper: bits 0-3
    assert.equal(idSuffix('a0X5I0000000abc'), 'UAA');         // X (bit 2) and I (bit 4)
    assert.equal(idSuffix('000000000000000'), 'AAA');         // why 000000000000000AAA is the null id
    assert.equal(idSuffix('ABCDEABCDEABCDE'), '555');         // all upper: 31 -> '5'
    assert.equal(id18('001A0000006Vm9rIAC'), '001A0000006Vm9rIAC');
    assert.throws(() => id18('001A0000006Vm9'));
    for (let i = 0; i < 2000; i += 37) assert.ok(suffixOk(makeId('003', i)));
    assert.notEqual(makeId('003', 1), makeId('003', 2));
});

test('requisites: generated INN, KPP and OGRN pass the official check digits', () => {
    assert.ok(innOk('7707083893'));                  // Sberbank
    assert.ok(!innOk('7707083894'));
    assert.ok(ogrnOk('1027700132195'));              // Sberbank
    assert.equal(innComplete('770708389'), '7707083893');
    assert.equal(ogrnComplete('102770013219'), '1027700132195');
    const r = new Rng('inn');
    for (let k = 0; k < 500; k++) {
        assert.ok(innOk(innComplete(r.digits(9))));
        assert.ok(innOk(innComplete(`${r.range(10, 99)}${r.digits(8)}`)));
        assert.ok(ogrnOk(ogrnComplete(`1${r.digits(11)}`)));
        assert.ok(ogrnOk(ogrnComplete(`3${r.digits(13)}`)));
    }
    assert.equal(phoneE164('8 (495) 123-45-67'), '+74951234567');
    assert.equal(phoneE164('+7 495 123 45 67'), '+74951234567');
    assert.equal(phoneE164('495-123-45-67'), '+74951234567');
    assert.equal(phoneE164('84951234567'), '+74951234567');
    assert.equal(phoneE164('123-45-67'), null);
    assert.equal(phoneE164('+7 495 123 45 6'), null);
    assert.equal(detectMojibake('Фёдор'), null);
    assert.deepEqual(detectMojibake(mojibake('Ромашка', 'cp1251')), { kind: 'cp1251', repaired: 'Ромашка' });
    assert.deepEqual(detectMojibake(mojibake('ООО «Вектор»', 'latin1')), { kind: 'latin1', repaired: 'ООО «Вектор»' });
});

test('an export: strict CSV, valid requisites, and a manifest equal to a recount', () => {
    // SFGEN_SCALE=0.1 (SFGEN_SEED=x) node --test tests/api/sfgen.test.js checks another
    const scale = Number(process.env.SFGEN_SCALE || 0.003);
    const d = dir('base');
    const m = generate({ dir: d, scale, seed: process.env.SFGEN_SEED || 'base' });
    assert.equal(m.totalRows, Object.values(counts(scale)).reduce((a, b) => a + b, 0));
    const { ex, manifest } = checkExport(d);
    // every object's file, named as Salesforce names it
    assert.deepEqual(Object.keys(manifest.files).sort(), OBJECTS.map((o) => `${o.name}.csv`).sort());
    // week 1: the deleted rows are exactly the rate's share
    for (const o of OBJECTS) {
        if (o.noDelete || o.fixed) continue;
        assert.equal(manifest.objects[o.name].deleted, pickCount(manifest.dirt.deleted, counts(scale)[o.name]), o.name);
    }
    // week 1: each kind of dirt on exactly its rate's share of the live rows
    const a = manifest.objects.Account, c = manifest.objects.Contact, s = manifest.objects.Store__c;
    const k = (kind, st) => pickCount(manifest.dirt[kind], st.live);
    const sum = (o) => Object.values(o).reduce((x, y) => x + y, 0);
    assert.equal(a.inn.invalid, k('badInn', a));
    assert.equal(a.kpp.invalid, k('badKpp', a));
    assert.equal(a.duplicates.mergedAway, k('duplicate', a));
    assert.equal(a.duplicates.groups, a.duplicates.rowsInGroups - a.duplicates.mergedAway);
    for (const st of [a, c, s]) {
        assert.equal(st.phones.invalid, k('badPhone', st));
        assert.equal(st.whitespaceRows, k('whitespace', st));
        assert.equal(st.mojibakeFields, k('mojibake', st));
        assert.equal(sum(st.picklistUnknown), k('picklist', st));
    }
    for (const st of [a, c]) {
        assert.equal(st.emails.invalid, k('badEmail', st));
        assert.equal(st.multilineFields, k('multiline', st));
    }
    assert.equal(c.lookups.AccountId.orphan, k('orphan', c));
    assert.equal(s.lookups.Account__c.orphan, k('orphan', s));
    assert.equal(c.lookups.AccountId.null, k('nullLookup', c));
    assert.ok(a.inn.invalid > 0 && a.kpp.invalid > 0 && a.duplicates.groups > 0 && a.emails.invalid > 0 && a.phones.invalid > 0);
    assert.ok(c.lookups.AccountId.orphan > 0 && s.lookups.Account__c.orphan > 0 && c.lookups.AccountId.null > 0);
    assert.ok(c.lookups.AccountId.nullAaa + a.lookups.ParentId.nullAaa > 0 && c.lookups.AccountId.id15 > 0);
    assert.ok(a.mojibakeFields + c.mojibakeFields + s.mojibakeFields > 0);
    assert.ok(a.whitespaceRows > 0 && a.multilineFields > 0 && c.picklistUnknown.Decision_Role__c > 0);
    assert.ok(Object.keys(a.phones.byForm).length >= 6, 'phones in many written forms');
    // clean rows have valid requisites; Russian names; booleans and dates in every style
    const valid = ex.Account.rows.filter((r) => innOk(r.INN__c));
    assert.ok(valid.length >= ex.Account.rows.length - a.inn.invalid - a.deleted);
    assert.ok(valid.some((r) => r.INN__c.length === 12 && r.KPP__c === '' && r.Name.startsWith('ИП ')));
    assert.ok(valid.every((r) => r.OGRN__c === '' || ogrnOk(r.OGRN__c)));
    assert.ok(ex.Contact.rows.some((r) => /^[А-ЯЁ][а-яё]+(вич|вна|ична|ич)$/.test(r.MiddleName)));
    const styles = (k) => new Set(Object.values(manifest.files).map((f) => f[k]));
    assert.deepEqual(styles('bool'), new Set(['01', 'truefalse', 'TRUEFALSE']));
    assert.deepEqual(styles('datetime'), new Set(['space', 'iso']));
    assert.deepEqual(styles('date'), new Set(['plain', 'midnight']));
    assert.ok(ex.Contact.rows.some((r) => r.Birthdate !== '') && ex.Contact.rows.every((r) => r.Birthdate === '' ||
        (manifest.files['Contact.csv'].date === 'midnight' ? / 00:00:00$/.test(r.Birthdate) : /^\d{4}-\d\d-\d\d$/.test(r.Birthdate))));
    assert.equal(Object.values(manifest.files).filter((f) => !f.finalNewline).length, 1);
    // the multi-line descriptions hold quotes (written as "")
    assert.ok(ex.Account.rows.some((r) => r.Description.includes('\n') && r.Description.includes('"')));
    assert.match(fs.readFileSync(path.join(d, 'Account.csv'), 'utf8'), /""/);
    // distributors; each contact's lookups resolve in 18 characters
    assert.equal(ex.Account.rows.filter((r) => r.Type === 'Distributor' && !TRUE.has(r.IsDeleted)).length, a.distributors);
    assert.ok(a.distributors >= 2);
    assert.equal(manifest.cleaned.accounts.afterMerge, a.live - a.duplicates.mergedAway);
    assert.equal(manifest.cleaned.contacts.attached + manifest.cleaned.contacts.orphans + manifest.cleaned.contacts.withoutAccount +
        manifest.cleaned.contacts.toDeletedAccount, c.live);
});

test('the same seed gives the same bytes; another seed does not', () => {
    const opts = { scale: 0.002, seed: 'same', format: { crlf: true } };
    generate({ ...opts, dir: dir('s1') });
    generate({ ...opts, dir: dir('s2') });
    generate({ ...opts, seed: 'other', dir: dir('s3') });
    for (const f of fs.readdirSync(dir('s1'))) {
        assert.ok(fs.readFileSync(path.join(dir('s1'), f)).equals(fs.readFileSync(path.join(dir('s2'), f))), f);
    }
    assert.ok(!fs.readFileSync(path.join(dir('s1'), 'Account.csv')).equals(fs.readFileSync(path.join(dir('s3'), 'Account.csv'))));
    checkExport(dir('s1'));
});

test('delta: the next week changes, adds and deletes exactly the rows the manifest lists', () => {
    const w1 = dir('w1'), w2 = dir('w2'), w3 = dir('w3');
    generate({ dir: w1, scale: 0.003, seed: 'delta', deltaRates: { change: 0.05, add: 0.02, remove: 0.02, touch: 0.02 } });
    const m2 = generate({ dir: w2, delta: w1 });
    generate({ dir: w3, delta: w2 });
    assert.equal(m2.week, 2);
    for (const [prev, next] of [[w1, w2], [w2, w3]]) {
        const a = checkExport(prev), b = checkExport(next);
        assert.equal(Date.parse(b.manifest.exportedAt) - Date.parse(a.manifest.exportedAt), 7 * 86400000);
        let changedTotal = 0, touchedTotal = 0;
        for (const o of OBJECTS) {
            const d = b.manifest.delta.objects[o.name];
            const before = new Map(a.ex[o.name].raw.map((r) => [r[0], r]));
            const hdr = b.ex[o.name].header;
            const col = (n) => hdr.indexOf(n);
            const added = [], changed = [], deleted = [], touched = [];
            for (const r of b.ex[o.name].raw) {
                const old = before.get(r[0]);
                if (!old) { added.push(r[0]); continue; }
                if (JSON.stringify(old) === JSON.stringify(r)) continue;
                const wasDel = col('IsDeleted') >= 0 && TRUE.has(old[col('IsDeleted')]);
                const isDel = col('IsDeleted') >= 0 && TRUE.has(r[col('IsDeleted')]);
                assert.ok(!wasDel, `${o.name} ${r[0]}: a deleted row stays as it was`);
                assert.ok(time(r[col('SystemModstamp')]) > Date.parse(a.manifest.exportedAt), 'SystemModstamp is after the last export');
                if (r[col('LastModifiedDate')] === old[col('LastModifiedDate')]) {
                    // touched: only SystemModstamp moved
                    const o2 = [...old], r2 = [...r];
                    o2[col('SystemModstamp')] = r2[col('SystemModstamp')] = '';
                    assert.deepEqual(r2, o2, `${o.name} ${r[0]}: a touched row differs only in SystemModstamp`);
                    touched.push(r[0]);
                    continue;
                }
                assert.ok(time(r[col('LastModifiedDate')]) > time(old[col('LastModifiedDate')]), 'LastModifiedDate is newer');
                (isDel ? deleted : changed).push(r[0]);
            }
            assert.equal(b.ex[o.name].raw.length, a.ex[o.name].raw.length + added.length, `${o.name}: no row disappears`);
            assert.deepEqual(added.sort(), [...d.ids.added].sort(), `${o.name}: added`);
            assert.deepEqual(changed.sort(), [...d.ids.changed].sort(), `${o.name}: changed`);
            assert.deepEqual(deleted.sort(), [...d.ids.deleted].sort(), `${o.name}: deleted`);
            assert.deepEqual(touched.sort(), [...d.ids.touched].sort(), `${o.name}: touched`);
            assert.equal(d.added, added.length);
            changedTotal += changed.length + deleted.length;
            touchedTotal += touched.length;
            for (const id of added) assert.ok(time(b.ex[o.name].rows.find((r) => r.Id === id).CreatedDate) > Date.parse(a.manifest.exportedAt));
        }
        assert.ok(changedTotal > 0 && touchedTotal > 0);
    }
});

test('encodings: cp1251 and latin1 decode back, utf8-bom has a BOM, CRLF throughout', () => {
    const clean = { mojibake: 0 };
    generate({ dir: dir('u8'), scale: 0.002, seed: 'enc', dirt: clean });
    generate({ dir: dir('cp'), scale: 0.002, seed: 'enc', dirt: clean, format: { encoding: 'cp1251', crlf: true } });
    generate({ dir: dir('bom'), scale: 0.002, seed: 'enc', format: { encoding: 'utf8-bom' } });
    generate({ dir: dir('l1'), scale: 0.002, seed: 'enc', format: { encoding: 'latin1' } });
    generate({ dir: dir('cpm'), scale: 0.002, seed: 'enc', dirt: { mojibake: 0.2 }, format: { encoding: 'cp1251' } });
    const u8 = checkExport(dir('u8')), cp = checkExport(dir('cp'));
    for (const o of OBJECTS) assert.deepEqual(cp.ex[o.name].raw, u8.ex[o.name].raw, `${o.name}: cp1251 decodes to the UTF-8 export's text`);
    const raw = fs.readFileSync(path.join(dir('cp'), 'Contact.csv'));
    assert.ok(raw.includes(Buffer.from('"\r\n"')), 'CRLF');
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(raw), 'cp1251 bytes are not UTF-8');
    const bom = checkExport(dir('bom'));
    for (const f of Object.keys(bom.manifest.files)) assert.deepEqual([...fs.readFileSync(path.join(dir('bom'), f)).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    for (const [f, m] of Object.entries(u8.manifest.files)) {
        // UTF-8 without BOM, but for the file Excel saved again
        assert.equal(fs.readFileSync(path.join(dir('u8'), f))[0] === 0xef, m.excel, f);
        assert.equal(m.lineEnd === 'CRLF' && m.bool === 'TRUEFALSE' && m.quoting === 'minimal', m.excel, f);
    }
    assert.deepEqual(Object.entries(u8.manifest.files).filter(([, m]) => m.excel).map(([f]) => f), ['Store__c.csv']);
    assert.match(fs.readFileSync(path.join(dir('u8'), 'Store__c.csv'), 'utf8'), /\r\na0X\w{15},005\w{12}/);
    const l1 = checkExport(dir('l1'));
    assert.ok(l1.ex.Contact.rows.every((r) => !/[а-яё]/i.test(r.LastName)), 'latin1: names in Latin letters');
    assert.ok(l1.manifest.objects.Account.mojibakeByKind.latin1 > 0 && l1.manifest.objects.Account.mojibakeByKind.cp1251 === 0);
    const cpm = checkExport(dir('cpm'));
    const k = Object.values(cpm.manifest.objects).reduce((a, s) => [a[0] + s.mojibakeByKind.cp1251, a[1] + s.mojibakeByKind.latin1], [0, 0]);
    assert.ok(k[0] > 10 && k[1] === 0, 'cp1251 files: mojibake through cp1251 only');
});

test('the CLI: options, rates switched off, zip', () => {
    const d = dir('cli');
    const out = execFileSync(process.execPath, [path.join(ROOT, 'tools/sf-export.mjs'), d, '--scale', '0.001', '--seed', 'cli',
        '--clean', '--bad-inn-rate', '0.2', '--id15-rate', '1', '--zip', '--bool', 'TRUEFALSE', '--no-final-newline', ''], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(out, /rows\/s/);
    const { manifest, ex } = checkExport(d);
    const a = manifest.objects.Account;
    assert.equal(manifest.dirt.badInn, 0.2);
    assert.equal(a.deleted + a.whitespaceRows + a.kpp.invalid + a.duplicates.groups + a.emails.invalid + a.phones.invalid, 0);
    assert.equal(a.inn.invalid, pickCount(0.2, counts(0.001).Account));
    assert.equal(manifest.objects.Contact.lookups.AccountId.orphan + manifest.objects.Contact.lookups.AccountId.null, 0);
    assert.ok(ex.Contact.rows.every((r) => r.AccountId.length === 15 && r.HasOptedOutOfEmail.toUpperCase() === r.HasOptedOutOfEmail));
    assert.ok(Object.values(manifest.files).every((f) => f.finalNewline));
    // the zip holds every CSV, byte for byte
    const zip = fs.readFileSync(path.join(d, manifest.zip));
    assert.match(manifest.zip, /^WE_00D\w+_1\.ZIP$/);
    let off = 0, n = 0;
    while (zip.readUInt32LE(off) === 0x04034b50) {
        const clen = zip.readUInt32LE(off + 18), nlen = zip.readUInt16LE(off + 26);
        const name = zip.subarray(off + 30, off + 30 + nlen).toString();
        const data = zlib.inflateRawSync(zip.subarray(off + 30 + nlen, off + 30 + nlen + clen));
        assert.ok(data.equals(fs.readFileSync(path.join(d, name))), name);
        off += 30 + nlen + clen;
        n++;
    }
    assert.equal(n, OBJECTS.length);
    assert.throws(() => execFileSync(process.execPath, [path.join(ROOT, 'tools/sf-export.mjs'), d, '--bogus'], { stdio: 'ignore' }));
    assert.throws(() => generate({ dir: dir('bad'), format: { bool: 'yes' } }), /bool/);
    assert.throws(() => generate({ dir: dir('bad'), dirt: { badInn: 2 } }), /badInn/);
    assert.throws(() => generate({ dir: dir('bad'), dirt: { typo: 0.1 } }), /typo/);
});
