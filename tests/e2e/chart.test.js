// Browser tests of the chart component (www/js/ui/chart.js, kedr.ui.chart)
// through the test module t_desk's statistics (/t_desk/stats): Chart.js
// loaded only there, a bar chart on a canvas whose data are the cards per
// lane (read
// from Chart.js's own instance), numbers in Russian format on the axis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
const api = await apiSession(stack, 'admin', admin);
for (const [lane, title] of [['done', 'Hi'], ['done', 'Good day'], ['later', 'Hallo']]) {
    assert.equal((await api.call('POST', '/t_desk/cards', { lane, title })).status, 201);
}
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

// What Chart.js holds for the page's canvas.
const chartState = () => page.locator('.chart canvas').evaluate((canvas) => {
    const c = window.Chart.getChart(canvas);
    return { type: c.config.type, labels: c.data.labels, data: c.data.datasets.map((d) => d.data),
        label: c.data.datasets[0].label, locale: c.options.locale, tick: c.scales.y.ticks.map((t) => t.label),
        width: canvas.width, height: canvas.height };
});

test('the statistics page draws the cards per lane as a bar chart', async () => {
    const vendorRequests = [];
    page.on('request', (r) => {
        if (r.url().includes('/vendor/')) vendorRequests.push(new URL(r.url()).pathname.replace(/^\/v\/[0-9a-f]+/, ''));
    });
    await page.goto('/t_desk');
    await page.locator('main').getByText('Ship it').first().waitFor();
    assert.deepEqual(vendorRequests, [], 'the list page loads no vendored library');
    await page.goto('/t_desk/stats');
    await page.locator('.chart canvas').waitFor();
    assert.deepEqual(vendorRequests, ['/vendor/chart/chart.umd.min.js']);
    const s = await chartState();
    assert.equal(s.type, 'bar');
    // by lane code: done, later, todo
    assert.deepEqual(s.labels, ['готово', 'later', 'к работе']);
    assert.deepEqual(s.data, [[3, 1, 1]]);
    assert.equal(s.label, 'Карточек');
    assert.equal(s.locale, 'ru-RU');
    assert.ok(s.width > 100 && s.height > 100, `drawn: ${s.width}×${s.height}`);
    assert.equal(await page.locator('.chart canvas').getAttribute('aria-label'), 'Статистика');
    assert.deepEqual(s.tick, ['0', '1', '2', '3'], 'counts step by whole numbers');
    await shot(page, 'bars');
    checkPage(page);
});

test('a new card shows in the chart when the page is opened again', async () => {
    assert.equal((await api.call('POST', '/t_desk/cards', { lane: 'later', title: 'Guten Tag' })).status, 201);
    await page.reload();
    await page.locator('.chart canvas').waitFor();
    assert.deepEqual((await chartState()).data, [[3, 2, 1]]);
    checkPage(page);
});

test('large numbers on the axis are in Russian format', async () => {
    // the component itself, as a module page gets it, with thousands
    const ticks = await page.evaluate(async () => {
        // beside the page's own app.js (under its stamp: the same module instances)
        const { chart } = await import(new URL('ui/chart.js', document.querySelector('script[type=module]').src).href);
        const c = await chart({ type: 'line', label: 'x', labels: ['a', 'b'], datasets: [{ label: 'n', data: [0, 12500] }] });
        document.getElementById('main').append(c.el);
        await new Promise((r) => requestAnimationFrame(r));
        c.chart.update();
        return c.chart.scales.y.ticks.map((t) => t.label);
    });
    assert.ok(ticks.includes('12\u00a0000'), ticks.join(' | '));
    await shot(page, 'line');
    checkPage(page);
});
