// Browser test of «← Клиенты» on a record page (www/js/ui/record.js,
// router.js returnUrl): back from a counterparty's card, the list is as
// the person left it -- its search, filter, sort and page -- not reset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const api = await apiSession(stack, 'admin', admin);
for (let i = 1; i <= 60; i++) {
    const r = await api.call('POST', '/clients/counterparties', { kind: i % 2 ? 'partner' : 'installer',
        name: `Возврат ${String(i).padStart(2, '0')}`, region: 'Тверь' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
}
const page = await newPage(browser, stack);
await login(page, 'admin', admin);
const firstRow = () => page.locator('.list tbody tr').first();

test('back from a card returns to the list with its search, filter, sort and page', async () => {
    await page.goto('/clients');
    await page.getByRole('searchbox').fill('Возврат');
    await page.locator('.filter-box', { hasText: 'Тип' }).locator('select').selectOption('partner');
    await waitText(page, '.list-count', '30');
    // by name, descending, then the second page (25 a page)
    const nameSort = page.locator('.list thead').getByRole('button', { name: /Название/ });
    for (let i = 0; i < 3 && (await page.locator('.list thead th[aria-sort="descending"]', { hasText: 'Название' }).count()) === 0; i++) {
        await nameSort.click();
        await page.waitForTimeout(300);
    }
    await waitText(page, '.list tbody tr:first-child', 'Возврат 59');
    // the next page under the first (the kit's keyset paging: "show more")
    await page.getByRole('button', { name: 'Показать ещё' }).click();
    await page.waitForURL(/shown=30/);
    await waitText(page, '.list tbody tr:nth-child(26)', 'Возврат 09');
    const listUrl = page.url();
    const firstName = (await firstRow().textContent()).trim();
    const lastName = (await page.locator('.list tbody tr:nth-child(30)').textContent()).trim();
    await shot(page, 'list-before');

    await firstRow().getByRole('link').first().click();
    await page.waitForURL(/\/clients\/\d+/);
    await page.locator('.back-link', { hasText: 'Клиенты' }).click();
    await page.waitForURL(listUrl);
    assert.equal(page.url(), listUrl, 'the same query');
    assert.equal(await page.getByRole('searchbox').inputValue(), 'Возврат');
    assert.equal(await page.locator('.filter-box', { hasText: 'Тип' }).locator('select').inputValue(), 'partner');
    await waitText(page, '.list-count', '30');
    assert.equal((await firstRow().textContent()).trim(), firstName, 'the same rows, in the same order');
    assert.equal((await page.locator('.list tbody tr:nth-child(30)').textContent()).trim(), lastName,
        'as many rows as were shown');
    await shot(page, 'list-after');
    checkPage(page);
});

test('a card opened directly links back to the whole list', async () => {
    const fresh = await newPage(browser, stack);
    await login(fresh, 'admin', admin);
    const id = (await api.call('GET', '/clients/counterparties?q=Возврат&limit=1')).json.items[0].id;
    await fresh.goto(`/clients/${id}`);
    assert.equal(await fresh.locator('.back-link', { hasText: 'Клиенты' }).getAttribute('href'), '/clients');
    checkPage(fresh);
    await fresh.context().close();
});
