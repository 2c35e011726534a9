// Browser test of a list on a phone (390×844; www/js/ui/list.js): the first
// record is on the first screen because the filters and the list's actions
// collapse behind one button; Tab never walks through what is hidden; on a
// laptop the toolbar is as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const api = await apiSession(stack, 'admin', admin);
for (let i = 1; i <= 5; i++) {
    const r = await api.call('POST', '/clients/counterparties', { kind: i % 2 ? 'partner' : 'installer',
        name: `Телефон ${i}`, region: 'Тверь' });
    assert.equal(r.status, 201);
}
const PHONE = { width: 390, height: 844 };
const phone = await newPage(browser, stack, { viewport: PHONE, isMobile: true, hasTouch: true });
await login(phone, 'admin', admin);

const toggle = (page) => page.getByRole('button', { name: /^Фильтры/ });
const kind = (page) => page.locator('.filter-box', { hasText: 'Тип' }).locator('select');

// Tab `n` times from `start`, answering what got the focus each time.
async function tabWalk(page, start, n) {
    await start.focus();
    const seen = [];
    for (let i = 0; i < n; i++) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(() => {
            const e = document.activeElement;
            return { text: (e.textContent || e.getAttribute('aria-label') || e.tagName).trim().slice(0, 40),
                visible: e.checkVisibility(), inMore: Boolean(e.closest('.list-more')) };
        }));
    }
    return seen;
}

test('on a phone the first record is on the first screen, filters behind one button', async () => {
    await phone.goto('/clients');
    const first = phone.locator('.list tbody tr').first();
    await first.waitFor();
    const box = await first.boundingBox();
    assert.ok(box.y + Math.min(box.height, 100) <= PHONE.height,
        `the first record starts at ${Math.round(box.y)} px of ${PHONE.height}`);
    assert.ok(await toggle(phone).isVisible());
    assert.equal(await toggle(phone).getAttribute('aria-expanded'), 'false');
    assert.equal(await kind(phone).isVisible(), false, 'the filters are collapsed');
    assert.equal(await phone.getByRole('link', { name: /CSV/ }).first().isVisible(), false, 'so are the actions');
    await shot(phone, 'collapsed');

    // Tab from the search: the button, then the list -- nothing hidden
    const walk = await tabWalk(phone, phone.getByRole('searchbox'), 6);
    assert.equal(walk[0].text, 'Фильтры и действия');
    for (const w of walk) {
        assert.ok(w.visible, `Tab reached a hidden element: ${JSON.stringify(w)}`);
        assert.ok(!w.inMore, `Tab went into the collapsed filters: ${JSON.stringify(w)}`);
    }
    checkPage(phone);
});

test('the button opens the filters; a filter in use is counted on it', async () => {
    await toggle(phone).click();
    assert.equal(await toggle(phone).getAttribute('aria-expanded'), 'true');
    await kind(phone).selectOption('partner');
    await waitText(phone, '.list-count', '3');
    await shot(phone, 'open');
    const walk = await tabWalk(phone, toggle(phone), 2);
    assert.ok(walk.every((w) => w.visible && w.inMore), 'open: Tab goes through the filters');
    await toggle(phone).click();
    assert.equal(await kind(phone).isVisible(), false);
    assert.equal((await toggle(phone).textContent()).trim(), 'Фильтры (1) и действия');
    // the filter is kept on reload, and counted
    await phone.reload();
    await waitText(phone, '.list-count', '3');
    assert.equal((await toggle(phone).textContent()).trim(), 'Фильтры (1) и действия');
    checkPage(phone);
});

test('on a laptop the filters and actions stay in the toolbar, no button', async () => {
    const page = await newPage(browser, stack);
    await login(page, 'admin', admin);
    await page.goto('/clients');
    await page.locator('.list tbody tr').first().waitFor();
    assert.equal(await toggle(page).isVisible(), false);
    assert.ok(await kind(page).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Загрузить CSV' }).isVisible());
    const walk = await tabWalk(page, page.getByRole('searchbox'), 1);
    assert.equal(walk[0].inMore, true, 'Tab goes from the search to the first filter');
    checkPage(page);
    await page.context().close();
});
