// The list's export links (www/js/ui/list.js) over server.export_job_rows:
// a big export is a job (202): the list shows its progress in a toast and
// downloads the file when the job is done; a small one is saved at once.
// On the kit's test module t_kit, with the threshold at 3 rows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, checkPage, waitText, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_kit'], exportJobRows: 3 });
const api = await apiSession(stack, 'admin', admin);
const NAMES = ['Альфа', 'Бета', 'Гамма', 'Дельта', 'Эпсилон'];
for (const name of NAMES) {
    const r = await api.call('POST', '/t_kit/widgets', { name, qty: 1 });
    assert.equal(r.status, 201, JSON.stringify(r.json));
}

const page = await newPage(browser, stack, { acceptDownloads: true });
await login(page, 'admin', admin);

async function downloadText(click) {
    if (!(await page.locator('a[data-export=csv]').isVisible())) await page.locator('.list-more-toggle').click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), click()]);
    const text = (await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b))).toString('utf8');
    return { name: download.suggestedFilename(), text };
}

test('a big list: the export is a job, followed, then downloaded', async () => {
    await page.goto('/t_kit/widgets');
    await waitText(page, '.list-count', '5');
    const { name, text } = await downloadText(() => page.locator('a[data-export=csv]').click());
    assert.match(name, /\.csv$/);
    for (const n of NAMES) assert.ok(text.includes(n), `${n} in the file`);
    await waitText(page, '.toasts', 'Выгрузка CSV готова');
    const jobs = await api.call('GET', '/jobs');
    assert.equal(jobs.json[0].state, 'done');
    assert.match(jobs.json[0].uri, /^\/api\/v1\/t_kit\/widgets\/export\?/);
    checkPage(page);
});

test('a small list: the file at once, no job', async () => {
    const before = (await api.call('GET', '/jobs')).json.length;
    await page.goto('/t_kit/widgets?q=' + encodeURIComponent('Бета'));
    await waitText(page, '.list-count', '1');
    const { text } = await downloadText(() => page.locator('a[data-export=csv]').click());
    assert.ok(text.includes('Бета') && !text.includes('Гамма'), text);
    assert.equal((await api.call('GET', '/jobs')).json.length, before);
    checkPage(page);
});
