// tests/lib/sfread.mjs -- read a generated Salesforce export back
// (tools/sfgen/sfgen.mjs), strictly: every file as RFC 4180 in the form its
// manifest entry says (quoting, line end, encoding, BOM, final newline),
// asserting as it goes.  Used by the generator's own test and by the
// import tests that compare Kedr's records with the files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// Strict RFC 4180: every field quoted (Salesforce) or quoted only when it
// must be (Excel), "" inside, one line end throughout, nothing between a
// closing quote and the next separator.
export function parseCsv(text, lineEnd, quoting = 'all') {
    const rows = [];
    let i = 0, row = [];
    const eol = lineEnd === 'CRLF' ? '\r\n' : '\n';
    let finalNewline = false;
    while (i < text.length) {
        let v = '';
        if (quoting === 'minimal' && text[i] !== '"') {
            let j = i;
            while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
            v = text.slice(i, j);
            assert.ok(!v.includes('"') && !/^[ \t]|[ \t]$/.test(v), `bare field ${JSON.stringify(v)}`);
            i = j;
        } else {
            assert.equal(text[i], '"', `field not quoted at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
            i++;
            for (;;) {
                const q = text.indexOf('"', i);
                assert.ok(q >= 0, 'unterminated quoted field');
                v += text.slice(i, q);
                if (text[q + 1] === '"') { v += '"'; i = q + 2; continue; }
                i = q + 1;
                break;
            }
        }
        row.push(v);
        if (i === text.length) { rows.push(row); break; }
        if (text[i] === ',') { i++; continue; }
        assert.equal(text.slice(i, i + eol.length), eol, `bad line end at ${i}: ${JSON.stringify(text.slice(i - 10, i + 10))}`);
        i += eol.length;
        rows.push(row);
        row = [];
        if (i === text.length) finalNewline = true;
    }
    for (const r of rows) assert.equal(r.length, rows[0].length, 'every row has the header\'s field count');
    return { header: rows[0], rows: rows.slice(1), finalNewline };
}

export function decode(buf, f) {
    const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
    assert.equal(bom, f.bom, 'BOM as the manifest says');
    if (f.encoding === 'cp1251') return new TextDecoder('windows-1251').decode(buf);
    if (f.encoding === 'latin1') return buf.toString('latin1');
    return new TextDecoder('utf-8', { fatal: true }).decode(bom ? buf.subarray(3) : buf);
}

// Read an export back: {object: {header, rows: [{field: value}], file}}.
export function readExport(d, manifest) {
    const out = {};
    for (const [name, f] of Object.entries(manifest.files)) {
        const p = parseCsv(decode(fs.readFileSync(path.join(d, name)), f), f.lineEnd, f.quoting);
        assert.deepEqual(p.header, f.header, `${name}: header`);
        assert.equal(p.finalNewline, f.finalNewline, `${name}: final newline`);
        out[f.object] = { file: f, header: p.header, raw: p.rows, rows: p.rows.map((r) => Object.fromEntries(r.map((v, k) => [p.header[k], v]))) };
    }
    return out;
}

