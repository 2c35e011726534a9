// Browser tests of the clients pages (issue 6): the counterparty list
// (search by name and INN), the new-counterparty form (similar names
// while typing, a bad INN at the field, a duplicate INN+KPP with a link to
// the existing record), the card (header, contacts as a tree, adding a
// contact, the conflict on a stale save, distributors, history), the
// contact page, merging a duplicate, and the phone layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

// A 10-digit INN with its check digit from nine digits.
function inn10(nine) {
    const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const d = [...nine].map(Number);
    return nine + String((w.reduce((s, x, i) => s + x * d[i], 0) % 11) % 10);
}

async function post(p, body) {
    const r = await api.call('POST', p, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
}

const C = '/clients';
const holdingInn = inn10('770123456');
const holding = await post(`${C}/counterparties`, { kind: 'developer', name: 'ГК Стройинвест', inn: holdingInn, kpp: '770101001',
    region: 'Москва', status: 'active' });
const dist = await post(`${C}/counterparties`, { kind: 'distributor', name: 'Электро-Дистрибуция', inn: inn10('500987654') });
const boss = await post(`${C}/contacts`, { last_name: 'Петров', first_name: 'Пётр', phones: ['8 (495) 123-45-67'],
    links: [{ counterparty_id: holding.id, position: 'Директор' }] });
await post(`${C}/contacts`, { last_name: 'Сидорова', first_name: 'Анна', reports_to: boss.id, decision_role: 'influencer',
    emails: ['anna@stroy.example'], links: [{ counterparty_id: holding.id, position: 'Главный инженер', department: 'ПТО' }] });

test('the list from the menu: search by name and by INN', async () => {
    // the menu entry (declared in clients.c); by URL if it is not there
    const entry = page.locator('#nav').getByRole('link', { name: 'Клиенты', exact: true });
    if (await entry.count()) await entry.click();
    else await page.goto('/clients');
    await page.waitForURL('**/clients');
    await waitText(page, '.list-count', '2');
    await shot(page, 'list');
    await page.getByRole('searchbox').fill('строй');
    await waitText(page, '.list-count', '1');
    assert.match(await page.locator('.list tbody tr').first().textContent(), /ГК Стройинвест/);
    await page.getByRole('searchbox').fill(holdingInn.slice(0, 6));
    await page.waitForURL(new RegExp(`q=${holdingInn.slice(0, 6)}`));
    await waitText(page, '.list tbody', 'ГК Стройинвест');
    assert.equal(await page.locator('.list tbody tr').count(), 1);
    // the kind filter
    await page.getByRole('searchbox').fill('');
    await page.locator('.filter-box', { hasText: 'Тип' }).locator('select').selectOption('distributor');
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'Электро-Дистрибуция');
    checkPage(page);
});

test('a new counterparty: similar names, a bad INN at the field, a duplicate INN+KPP with a link', async () => {
    await page.goto('/clients');
    await page.getByRole('link', { name: 'Новый контрагент' }).click();
    await page.waitForURL('**/clients/new');
    await page.locator('input[name=name]').fill('Стройинвест');
    await waitText(page, '.cl-similar', 'ГК Стройинвест');
    // a wrong check digit: the server's 422, in Russian, at the field
    await page.getByLabel('ИНН').fill(holdingInn.slice(0, 9) + String((Number(holdingInn[9]) + 1) % 10));
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await waitText(page, '[data-field=inn] .field-error', 'контрольная сумма');
    await page.getByLabel('ИНН').fill(holdingInn);
    await page.getByLabel('КПП').fill('770101001');
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await waitText(page, '.cl-dup', 'ГК Стройинвест');
    assert.equal(await page.locator('.cl-dup a').getAttribute('href'), `/clients/${holding.id}`);
    await shot(page, 'duplicate', { fullPage: true });
    // a branch (another KPP) is allowed
    await page.getByLabel('КПП').fill('772501001');
    await page.getByLabel('Телефоны', { exact: true }).fill('8 912 345-67-89');
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await page.waitForURL(/\/clients\/\d+$/);
    await waitText(page, '.record-title h1', 'Стройинвест');
    await waitText(page, '.record-title', '772501001');
    checkPage(page);
});

test('the card: contacts as a tree, add a contact, a stale save, distributors, history', async () => {
    await page.goto(`/clients/${holding.id}`);
    await waitText(page, '.record-title h1', 'ГК Стройинвест');
    await waitText(page, '.record-title', `ИНН ${holdingInn}`);
    await waitText(page, '.record-title .badge', 'Активный');
    await shot(page, 'card');

    await page.getByRole('tab', { name: 'Контакты' }).click();
    const bossNode = page.locator(`.tree-node[data-id="${boss.id}"]`);
    await bossNode.locator('.tree-children .cl-person', { hasText: 'Сидорова Анна' }).waitFor();
    // the tree folds a branch with its button, and unfolds it again
    await bossNode.getByRole('button', { expanded: true }).first().click();
    assert.equal(await bossNode.locator('.tree-children').first().isHidden(), true);
    await bossNode.getByRole('button', { expanded: false }).first().click();
    await waitText(page, '.cl-tree', '+74951234567');
    // add a contact reporting to the director
    const add = page.locator('.cl-add-contact');
    await add.getByLabel('Фамилия').fill('Кузнецов');
    await add.getByLabel('Имя').fill('Иван');
    await add.getByLabel('Должность').fill('Снабженец');
    await add.getByRole('combobox', { name: 'Руководитель' }).fill('Пет');
    await page.getByRole('option', { name: /Петров Пётр/ }).click();
    await add.getByLabel('Телефоны', { exact: true }).fill('+7 (912) 000-11-22');
    await add.getByRole('button', { name: 'Добавить контакт' }).click();
    await waitText(page, '.toast', 'Контакт добавлен');
    await bossNode.locator('.tree-children', { hasText: 'Кузнецов Иван' }).waitFor();
    await shot(page, 'contacts', { fullPage: true });

    // the requisites: a save, then a stale one gets the conflict panel
    await page.getByRole('tab', { name: 'Реквизиты' }).click();
    await page.getByLabel('Регион').fill('Московская область');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Контрагент сохранён');
    await waitText(page, '.record-title', 'Московская область');
    const cur = (await api.call('GET', `${C}/counterparties/${holding.id}`)).json;
    assert.equal((await api.call('PATCH', `${C}/counterparties/${holding.id}`, { version: cur.version, segment: 'Жильё' })).status, 200);
    await page.getByLabel('ABC').selectOption('A');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'conflict', { fullPage: true });
    await page.locator('.form-alert').getByRole('button').first().click();
    await page.waitForFunction(() => document.querySelector('input[name=segment]').value === 'Жильё');

    // distributors: add one, it is the main one
    await page.getByRole('tab', { name: 'Дистрибьюторы' }).click();
    await waitText(page, '.cl-distributors', 'Дистрибьюторов нет');
    const ref = page.locator('.cl-add-distributor').getByRole('combobox', { name: 'Дистрибьютор' });
    await ref.fill('Электро');
    await page.getByRole('option', { name: /Электро-Дистрибуция/ }).click();
    await page.locator('.cl-add-distributor').getByRole('button', { name: 'Добавить' }).click();
    await waitText(page, '.cl-distributors', 'основной');
    await waitText(page, '.cl-distributors', 'Электро-Дистрибуция');
    await shot(page, 'distributors');
    // the distributors bumped the version: the requisites form still saves
    await page.getByRole('tab', { name: 'Реквизиты' }).click();
    await page.getByLabel('ABC').selectOption('B');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.record-title .badges', 'ABC: B');

    await page.getByRole('tab', { name: 'История' }).click();
    await page.locator('.history-item').nth(3).waitFor();
    await shot(page, 'history', { fullPage: true });
    checkPage(page);
});

test('the contact page: phones in E.164, the counterparty, reports-to; edit', async () => {
    await page.goto(`/clients/${holding.id}?tab=contacts`);
    await page.getByRole('link', { name: 'Сидорова Анна' }).click();
    await page.waitForURL(/\/clients\/contacts\/\d+$/);
    await waitText(page, '.record-title h1', 'Сидорова Анна');
    await waitText(page, '.cl-contact-view', 'Петров Пётр');
    await waitText(page, '.cl-contact-view', 'anna@stroy.example');
    assert.equal(await page.locator('.cl-contact-view a', { hasText: 'ГК Стройинвест' }).getAttribute('href'), `/clients/${holding.id}`);
    await page.locator('.cl-contact-form').getByLabel('Телефоны', { exact: true }).fill('8 (916) 555-44-33');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.cl-contact-view', '+79165554433');
    await shot(page, 'contact', { fullPage: true });
    checkPage(page);
});

test('merge a duplicate into the card', async () => {
    const dup = await post(`${C}/counterparties`, { kind: 'developer', name: 'Стройинвест ГК (дубль)' });
    await post(`${C}/contacts`, { last_name: 'Орлов', links: [{ counterparty_id: dup.id }] });
    await page.goto(`/clients/${holding.id}`);
    await page.getByRole('button', { name: 'Объединить дубликаты' }).click();
    const dlg = page.locator('dialog.cl-merge');
    await dlg.getByRole('searchbox').fill('дубль');
    await dlg.getByLabel(/Стройинвест ГК \(дубль\)/).check();
    await shot(page, 'merge');
    await dlg.getByRole('button', { name: 'Объединить' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Объединить' }).click();
    await waitText(page, '.toast', 'Записи объединены');
    await waitText(page, '.cl-tree', 'Орлов');
    const merged = (await api.call('GET', `${C}/counterparties/${dup.id}`)).json;
    assert.equal(merged.merged_into, holding.id);
    checkPage(page);
});

test('on a phone the card and its tree fit', async () => {
    const mp = await newPage(browser, stack, { viewport: { width: 390, height: 800 } });
    await login(mp, 'admin', admin);
    await mp.goto(`/clients/${holding.id}?tab=contacts`);
    await waitText(mp, '.cl-tree', 'Сидорова Анна');
    const overflow = await mp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow} px)`);
    await shot(mp, 'phone', { fullPage: true });
    await mp.goto(`/clients/${holding.id}`);
    await waitText(mp, '.record-title h1', 'ГК Стройинвест');
    await shot(mp, 'phone-card');
    checkPage(mp);
    await mp.context().close();
});
