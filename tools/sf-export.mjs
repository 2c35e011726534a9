#!/usr/bin/env node
// tools/sf-export.mjs -- write a sample Salesforce weekly data export (the
// CSVs of tools/sfgen/sfgen.mjs and DIR/manifest.json with the numbers a
// correct `kedr migrate salesforce` must report).  See
// docs/sf-export-generator.md.

import { generate, DEFAULT_DIRT, DEFAULT_FORMAT, DEFAULT_DELTA } from './sfgen/sfgen.mjs';

const USAGE = `usage: node tools/sf-export.mjs DIR [options]
  --scale N            1 = about 600,000 rows (default 0.001)
  --seed S             any string (default 1); same options + seed = same bytes
  --encoding E         utf8 | utf8-bom | cp1251 | latin1 (default utf8)
  --crlf               CRLF line ends (default LF)
  --bool STYLE         mixed | 01 | truefalse | TRUEFALSE (default mixed: one style per file)
  --datetime STYLE     mixed | space | iso
  --date STYLE         mixed | plain | midnight ("YYYY-MM-DD 00:00:00")
  --no-final-newline O the object whose file lacks its last line end (default Pricebook2; '' none)
  --excel OBJ,OBJ      files re-saved by Excel: BOM (utf8), CRLF, TRUE/FALSE, minimal quoting
                       (default Store__c; '' none)
  --zip                also pack the CSVs as WE_<org>_1.ZIP
  --delta PREV         next week's export of the export in PREV (its manifest's options)
  --change R --add R --remove R --touch R
                       the weekly rates of the first export (a delta takes them from its manifest;
                       default ${DEFAULT_DELTA.change}/${DEFAULT_DELTA.add}/${DEFAULT_DELTA.remove}/${DEFAULT_DELTA.touch})
  --clean              every dirt rate 0 (then --<kind>-rate to switch some on)
  --<kind>-rate R      a dirt rate, kinds: ${Object.keys(DEFAULT_DIRT).join(', ')}
                       (e.g. --id15-rate 0.5, --bad-inn-rate 0.05; 0 switches it off)`;

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
    console.log(USAGE);
    process.exit(args.length ? 0 : 2);
}
const opts = { dir: null, dirt: {}, format: {}, deltaRates: {}, log: (s) => console.error(s) };
const kebab = (k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const dirtFlags = Object.fromEntries(Object.keys(DEFAULT_DIRT).map((k) => [`--${kebab(k)}-rate`, k]));
const num = (s, flag) => {
    const v = Number(s);
    if (s === undefined || !Number.isFinite(v) || v < 0) { console.error(`${flag}: not a number: ${s}`); process.exit(2); }
    return v;
};
for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => args[++i];
    if (a === '--scale') opts.scale = num(val(), a);
    else if (a === '--seed') opts.seed = val();
    else if (a === '--encoding') opts.format.encoding = val();
    else if (a === '--crlf') opts.format.crlf = true;
    else if (a === '--bool' || a === '--datetime' || a === '--date') opts.format[a.slice(2)] = val();
    else if (a === '--no-final-newline') opts.format.noFinalNewline = val();
    else if (a === '--excel') opts.format.excel = val();
    else if (a === '--zip') opts.format.zip = true;
    else if (a === '--delta') opts.delta = val();
    else if (a === '--change' || a === '--add' || a === '--remove' || a === '--touch') opts.deltaRates[a.slice(2)] = num(val(), a);
    else if (a === '--clean') for (const k of Object.keys(DEFAULT_DIRT)) { if (!(k in opts.dirt)) opts.dirt[k] = 0; }
    else if (dirtFlags[a]) opts.dirt[dirtFlags[a]] = num(val(), a);
    else if (a.startsWith('-')) { console.error(`unknown option ${a}\n${USAGE}`); process.exit(2); }
    else if (!opts.dir) opts.dir = a;
    else { console.error(USAGE); process.exit(2); }
}
if (!opts.dir) { console.error(USAGE); process.exit(2); }
if (opts.delta) {
    // a delta continues the previous export: only the formats may change
    opts.formatOverride = opts.format;
    if (Object.keys(opts.dirt).length || Object.keys(opts.deltaRates).length || opts.scale !== undefined || opts.seed !== undefined) {
        // week N replays weeks 2..N-1 with the same rates to stay identical
        console.error('--delta takes seed, scale, dirt and the weekly rates from the previous manifest');
        process.exit(2);
    }
}
for (const k of Object.keys(opts.format)) if (!(k in DEFAULT_FORMAT)) throw new Error(k);

try {
    const m = generate(opts);
    const mb = Object.values(m.files).reduce((a, f) => a + f.bytes, 0) / 1048576;
    console.log(`${opts.dir}: week ${m.week}, ${m.totalRows} rows in ${Object.keys(m.files).length} files, ` +
        `${mb.toFixed(1)} MiB, ${m.seconds.toFixed(2)} s, ${m.rowsPerSecond} rows/s`);
} catch (e) {
    console.error(`sf-export: ${e.message}`);
    process.exit(1);
}
