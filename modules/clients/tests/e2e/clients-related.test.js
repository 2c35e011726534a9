// The counterparty card's "Related records" tab: what other modules keep
// about the counterparty, from the registry GET .../related fills from
// their hooks (modules/clients/clients_related.c).  t_core stands in for
// a later module: its items named "cp-<id> ..." are about counterparty
// <id>.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients', 't_base', 't_core'] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

async function post(p, body) {
    const r = await api.call('POST', p, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
}

const lonely = await post('/clients/counterparties', { kind: 'end_customer', name: 'Одинокий клиент' });
const known = await post('/clients/counterparties', { kind: 'end_customer', name: 'Известный клиент' });
await post('/t_core/items', { name: `cp-${known.id} заявка А` });
await post('/t_core/items', { name: `cp-${known.id} заявка Б` });

test('the related tab lists other modules\' records, or says there are none', async () => {
    await page.goto(`/clients/${lonely.id}`);
    await page.getByRole('tab', { name: 'Связанные записи' }).click();
    await waitText(page, '.tab-panel:not([hidden])', 'Другие разделы пока ничего не знают');

    await page.goto(`/clients/${known.id}?tab=related`);
    const entry = page.locator('.cl-related-entry[data-module="t_core"]');
    await entry.waitFor();
    assert.match(await entry.locator('h2').innerText(), /Элементы\s+2/);
    assert.deepEqual(await entry.locator('.cl-related-items li').allInnerTexts(),
        [`cp-${known.id} заявка А`, `cp-${known.id} заявка Б`]);
    assert.equal(await entry.getByRole('link', { name: 'Все: 2' }).getAttribute('href'), '/t_core/items');
    await shot(page, 'related');
    checkPage(page);
});
