// tests/lib/encodings.js -- the bytes other programs write a CSV file in:
// Windows-1251 (Russian Excel's "CSV (разделители - запятые)") and UTF-16
// with its BOM (Excel's "Unicode text": little-endian; big-endian from
// other tools).

// Windows-1251 bytes of a text in Russian and ASCII.
export function cp1251(text) {
    return Buffer.from([...text].map((ch) => {
        const c = ch.codePointAt(0);
        if (c < 0x80) return c;
        if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
        if (c === 0x401) return 0xa8;
        if (c === 0x451) return 0xb8;
        throw new Error(`not in the test's cp1251 table: ${ch}`);
    }));
}

// UTF-16 bytes with the BOM, little- or big-endian.
export function utf16(text, { bigEndian = false } = {}) {
    const b = Buffer.from('\ufeff' + text.replace(/^\ufeff/, ''), 'utf16le');
    if (bigEndian) b.swap16();
    return b;
}
