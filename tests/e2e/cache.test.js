// Browser test of the static files' caching (nginx.conf.example, location
// /v/; tools/www-stamp.sh): the page names its files under /v/<stamp>/,
// nginx serves them with a year's `immutable` Cache-Control, so a reload
// asks the server for the page and the API only -- no revalidation of the
// shell's, a module's or a vendored library's files.  Counted in nginx's
// own access log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, newPage, login, shot, checkPage } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
const ACCESS = path.join(stack.dir, 'log', 'nginx-access.log');
const page = await newPage(browser, stack);

const size = () => fs.statSync(ACCESS).size;
// The requests nginx logged after `mark`: [{method, path, status}].
function requestsSince(mark) {
    const text = fs.readFileSync(ACCESS).subarray(mark).toString('utf8');
    return [...text.matchAll(/"(\w+) (\S+) HTTP\/[\d.]+" (\d{3})/g)]
        .map(([, method, p, status]) => ({ method, path: p, status: Number(status) }));
}
const isApi = (r) => r.path.startsWith('/api/');

test('the page is revalidated; the files it names are stamped and immutable', async () => {
    const headers = new Map();
    page.on('response', (res) => headers.set(new URL(res.url()).pathname, res.headers()['cache-control']));
    const mark = size();
    await login(page, 'admin', admin);
    await page.goto('/t_desk/board');
    await page.locator('.kanban-card').first().waitFor();
    await page.waitForLoadState('networkidle');
    const statics = requestsSince(mark).filter((r) => !isApi(r));
    const stamp = statics.find((r) => r.path.startsWith('/v/'))?.path.split('/')[2];
    assert.match(stamp || '', /^[0-9a-f]{12}$/, 'the files are under /v/<stamp>/');
    // every file of the shell, of t_desk and of SortableJS came stamped; only
    // the pages themselves (app.html under their URLs) did not
    const unstamped = statics.filter((r) => !r.path.startsWith(`/v/${stamp}/`));
    assert.deepEqual(unstamped.map((r) => r.path), ['/login', '/t_desk/board'], 'only the pages are unstamped');
    for (const p of [`/v/${stamp}/js/app.js`, `/v/${stamp}/css/kedr.css`, `/v/${stamp}/m/t_desk/index.js`,
        `/v/${stamp}/m/t_desk/board.js`, `/v/${stamp}/vendor/sortable/Sortable.min.js`, `/v/${stamp}/css/components.css`]) {
        assert.ok(statics.some((r) => r.path === p && r.status === 200), `${p} loaded`);
        assert.equal(headers.get(p), 'public, max-age=31536000, immutable', p);
    }
    assert.equal(headers.get('/t_desk/board'), 'no-cache');
    checkPage(page);
});

test('a reload asks for the page and the API only: no static file is revalidated', async () => {
    const mark = size();
    await page.reload();
    await page.locator('.kanban-card').first().waitFor();
    await page.waitForLoadState('networkidle');
    const all = requestsSince(mark);
    const statics = all.filter((r) => !isApi(r));
    console.log(`# reload: ${all.length} requests, ${statics.length} static: ${statics.map((r) => `${r.path} ${r.status}`).join(', ')}`);
    assert.deepEqual(statics.map((r) => r.path), ['/t_desk/board'], 'only the page itself');
    assert.ok([200, 304].includes(statics[0].status));
    assert.ok(all.some(isApi), 'the API is asked as before');
    await shot(page, 'reloaded');
    checkPage(page);
});

test('a stamped path serves the file; dot files and paths without a stamp are refused', async () => {
    const res = await fetch(`${stack.url}/v/0123456789ab/js/app.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', 'the security headers stay');
    assert.equal((await fetch(`${stack.url}/v/0123456789ab/.gitignore`)).status, 403);
    assert.equal((await fetch(`${stack.url}/v/0123456789ab/js/missing.js`)).status, 404);
    assert.equal((await fetch(`${stack.url}/v/nostamp`)).status, 404);
});
