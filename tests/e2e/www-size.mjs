// www-size.mjs -- the first page's weight: index.html, the stylesheets it
// links and the static import graph of its module scripts (dynamic
// import() is lazy and not counted), in uncompressed bytes.
//
//   node tests/e2e/www-size.mjs [--json]      (make www-size)
//
// The budget is 200 KB of JS and CSS (issue: the web application shell);
// exits 1 over it, or when index.html's <link rel="modulepreload"> list
// is not exactly that import graph.  The e2e tests measure the same in
// the browser.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WWW = path.join(ROOT, 'www');
export const BUDGET = 200 * 1024;

// Static imports: `import ... from '...'`, `import '...'`, `export ... from '...'`.
const STATIC_RE = /^\s*(?:import|export)\s[^'"()]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

function resolve(from, spec) {
    if (spec.startsWith('/')) return path.join(WWW, spec);
    return path.resolve(path.dirname(from), spec);
}

export function firstPage() {
    const html = fs.readFileSync(path.join(WWW, 'index.html'), 'utf8');
    const files = new Map();
    const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
    const js = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]);
    for (const c of css) files.set(path.join(WWW, c), 'css');
    const todo = js.map((s) => path.join(WWW, s));
    while (todo.length) {
        const f = todo.pop();
        if (files.has(f)) continue;
        files.set(f, 'js');
        const src = fs.readFileSync(f, 'utf8');
        for (const m of src.matchAll(STATIC_RE)) todo.push(resolve(f, m[1] || m[2]));
    }
    const preloaded = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)]
        .map((m) => path.join(WWW, m[1]));
    const jsFiles = [...files].filter(([, k]) => k === 'js').map(([f]) => f);
    const missing = jsFiles.filter((f) => !preloaded.includes(f)).map((f) => path.relative(WWW, f));
    const extra = preloaded.filter((f) => !files.has(f)).map((f) => path.relative(WWW, f));
    const list = [...files].map(([f, kind]) => ({ file: path.relative(WWW, f), kind, bytes: fs.statSync(f).size }));
    const sum = (k) => list.filter((x) => !k || x.kind === k).reduce((a, x) => a + x.bytes, 0);
    return { files: list.sort((a, b) => b.bytes - a.bytes), js: sum('js'), css: sum('css'), total: sum(),
        html: Buffer.byteLength(html), preload: { missing, extra } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const r = firstPage();
    if (process.argv.includes('--json')) {
        console.log(JSON.stringify(r, null, 2));
    } else {
        for (const f of r.files) console.log(`${String(f.bytes).padStart(8)}  ${f.file}`);
        console.log(`first page: JS ${r.js} B + CSS ${r.css} B = ${r.total} B (${(r.total / 1024).toFixed(1)} KB;`
            + ` budget ${BUDGET / 1024} KB); index.html ${r.html} B`);
        if (r.preload.missing.length) console.log(`not preloaded by index.html: ${r.preload.missing.join(' ')}`);
        if (r.preload.extra.length) console.log(`preloaded but not imported: ${r.preload.extra.join(' ')}`);
    }
    process.exit(r.total > BUDGET || r.preload.missing.length || r.preload.extra.length ? 1 : 0);
}
