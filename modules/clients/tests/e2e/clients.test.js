// Browser tests of the clients pages (issue 6): the counterparty list
// (search by name and INN; issue 13: words in any order, legal forms
// aside, one letter off, the end of an INN), the new-counterparty form (similar names
// while typing, a bad INN at the field, a duplicate INN+KPP with a link to
// the existing record), the card (header, contacts as a tree, adding a
// contact, the conflict on a stale save, distributors, history), the
// contact page, merging a duplicate (issue 13: field by field on a
// screen of the records side by side, undone from the toast), the holding and the manager picked by
// search, lists of phones and tags (a bad element shown at its row),
// extra attributes in the form, the card and the list filter, export and
// import (where the API has them), and the phone layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

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
const anna = await post(`${C}/contacts`, { last_name: 'Сидорова', first_name: 'Анна', reports_to: boss.id, decision_role: 'influencer',
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

test('the search box finds what people type: «кристалл ооо» finds ООО «Кристалл»', async () => {
    await post(`${C}/counterparties`, { kind: 'end_customer', name: 'ООО «Кристалл»', inn: inn10('779876543') });
    await page.goto('/clients');
    await page.getByRole('searchbox').fill('кристалл ооо');
    await waitText(page, '.list-count', '1');
    assert.match(await page.locator('.list tbody tr').first().textContent(), /ООО «Кристалл»/);
    // one letter off, and the end of the INN
    await page.getByRole('searchbox').fill('кристолл');
    await waitText(page, '.list tbody', 'ООО «Кристалл»');
    await page.getByRole('searchbox').fill(inn10('779876543').slice(-5));
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'ООО «Кристалл»');
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
    await waitText(page, '.cl-tree', '+7 (495) 123-45-67');
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
    await page.waitForFunction(() => document.querySelector('input[name=segment]')?.value === 'Жильё');

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
    await waitText(page, '.cl-contact-view', '+7 (916) 555-44-33');
    await shot(page, 'contact', { fullPage: true });
    checkPage(page);
});

test('the contact page: reports-to by search, links to counterparties added and removed', async () => {
    await page.goto(`/clients/contacts/${anna.id}`);
    const form = page.locator('.cl-contact-form');
    const boss = form.getByRole('combobox', { name: 'Руководитель' });
    await page.waitForFunction(() => document.querySelector('[data-field=reports_to] input')?.value === 'Петров Пётр');
    await boss.fill('Кузн');
    await page.getByRole('option', { name: /Кузнецов Иван/ }).click();
    // link her to the distributor too, as a consultant
    await form.getByRole('combobox', { name: 'Связать с контрагентом' }).fill('Электро');
    await page.getByRole('option', { name: /Электро-Дистрибуция/ }).click();
    await form.getByLabel('Должность: Электро-Дистрибуция').fill('Консультант');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Контакт сохранён');
    await waitText(page, '.cl-contact-view', 'Кузнецов Иван');
    await waitText(page, '.cl-contact-view .cl-links', 'Электро-Дистрибуция · Консультант');
    let c = (await api.call('GET', `${C}/contacts/${anna.id}`)).json;
    assert.deepEqual(c.links.map((l) => [l.counterparty_id, l.position]).sort(),
        [[holding.id, 'Главный инженер'], [dist.id, 'Консультант']].sort());
    await shot(page, 'contact-links', { fullPage: true });
    // and unlink her again
    await form.getByRole('button', { name: 'Убрать Электро-Дистрибуция' }).click();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.locator('.cl-contact-view .cl-links', { hasText: 'Электро-Дистрибуция' }).waitFor({ state: 'detached' });
    c = (await api.call('GET', `${C}/contacts/${anna.id}`)).json;
    assert.deepEqual(c.links.map((l) => l.counterparty_id), [holding.id]);
    // the list of every contact, from the clients' section links
    await page.goto('/clients');
    await page.getByRole('navigation', { name: 'Разделы клиентов' }).getByRole('link', { name: 'Контакты' }).click();
    await page.waitForURL('**/clients/contacts');
    await page.getByRole('searchbox').fill('Сидор');
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'ГК Стройинвест, Главный инженер');
    await shot(page, 'contact-list');
    checkPage(page);
});

test('the holding and the manager picked by search, tags and phones as lists; the history names them', async () => {
    const parent = await post(`${C}/counterparties`, { kind: 'developer', name: 'Холдинг Альфа' });
    const pw = 'Manager-pass-1';
    const r = await api.call('POST', '/users', { login: 'maria', full_name: 'Мария Менеджерова', roles: ['manager'], password: pw });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const maria = r.json;
    await page.goto(`/clients/${holding.id}`);
    await page.getByRole('combobox', { name: 'Холдинг' }).fill('Альфа');
    await page.getByRole('option', { name: /Холдинг Альфа/ }).click();
    await page.getByRole('combobox', { name: 'Менеджер' }).fill('Мария');
    await page.getByRole('option', { name: /Мария Менеджерова/ }).click();
    await page.getByLabel('Теги', { exact: true }).fill('ключевой');
    await page.getByRole('button', { name: 'Добавить тег' }).click();
    await page.getByLabel('Теги 2', { exact: true }).fill('стройка');
    // a second phone that is no phone: the server's 422 at that row
    await page.getByLabel('Телефоны', { exact: true }).fill('+7 495 000-00-01');
    await page.getByRole('button', { name: 'Добавить телефон' }).click();
    await page.getByLabel('Телефоны 2', { exact: true }).fill('12ab');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '[data-field=phones] .strlist-row:nth-child(2) .field-error', 'Это не номер телефона');
    await shot(page, 'phone-error', { fullPage: true });
    await page.getByRole('button', { name: 'Удалить «12ab»' }).click();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Контрагент сохранён');
    await waitText(page, '.cl-holding', 'Холдинг Альфа');
    const cur = (await api.call('GET', `${C}/counterparties/${holding.id}`)).json;
    assert.equal(cur.parent_id, parent.id);
    assert.equal(cur.manager_id, maria.id);
    assert.deepEqual(cur.tags, ['ключевой', 'стройка']);
    assert.deepEqual(cur.phones, ['+74950000001']);

    // after a reload the pickers show names, not ids
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-field=manager_id] input')?.value === 'Мария Менеджерова');
    assert.equal(await page.locator('[data-field=parent_id] input').inputValue(), 'Холдинг Альфа');
    assert.equal(await page.getByLabel('Теги 2', { exact: true }).inputValue(), 'стройка');
    await shot(page, 'card-holding-manager', { fullPage: true });
    // the parent lists it as a member
    await page.goto(`/clients/${parent.id}`);
    await waitText(page, '.cl-holding', 'ГК Стройинвест');
    // the history says who the manager is, not an id
    await page.goto(`/clients/${holding.id}?tab=history`);
    await waitText(page, '.history-item', 'Мария Менеджерова');
    // the list filters by the manager
    await page.goto('/clients');
    await page.locator('.filter-box', { hasText: 'Менеджер' }).getByRole('combobox').fill('Мари');
    await page.getByRole('option', { name: /Мария Менеджерова/ }).click();
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'ГК Стройинвест');
    checkPage(page);
});

test('merge a duplicate field by field: its phone reaches the card, a value chosen, undone from the toast', async () => {
    const dup = await post(`${C}/counterparties`, { kind: 'developer', name: 'Стройинвест ГК (дубль)', region: 'Тула',
        phones: ['+7 495 765-43-21'] });
    await post(`${C}/contacts`, { last_name: 'Орлов', links: [{ counterparty_id: dup.id }] });
    const before = (await api.call('GET', `${C}/counterparties/${holding.id}`)).json;
    await page.goto(`/clients/${holding.id}`);
    await page.getByRole('button', { name: 'Объединить дубликаты' }).click();
    const dlg = page.locator('dialog.cl-merge');
    await dlg.getByRole('searchbox').fill('дубль');
    await dlg.getByLabel(/Стройинвест ГК \(дубль\)/).check();
    await dlg.getByRole('button', { name: 'Далее' }).click();

    // the records side by side, a choice per field that differs
    const screen = page.locator('dialog.cl-merge-screen');
    await waitText(screen, 'thead', 'Стройинвест ГК (дубль)');
    const row = (label) => screen.locator('tbody tr', { has: page.getByRole('rowheader', { name: label, exact: true }) });
    // by default: this record's name and region, the phones of both
    assert.equal(await row('Название').getByRole('radio', { name: 'ГК Стройинвест', exact: true }).isChecked(), true);
    assert.equal(await row('Регион').getByRole('radio', { name: before.region, exact: true }).isChecked(), true);
    assert.equal(await row('Телефоны').getByRole('radio', { name: 'Оба' }).isChecked(), true);
    assert.equal(await row('Холдинг').count(), 0, 'not a field a merge chooses');
    await row('Регион').getByRole('radio', { name: 'Тула', exact: true }).check();
    await shot(page, 'merge-fields');
    await screen.getByRole('button', { name: 'Объединить' }).click();
    await waitText(page, '.toast', 'Записи объединены');
    await waitText(page, '.cl-tree', 'Орлов');
    const merged = (await api.call('GET', `${C}/counterparties/${holding.id}`)).json;
    assert.equal(merged.region, 'Тула');
    assert.ok(merged.phones.includes('+74957654321'), JSON.stringify(merged.phones));
    assert.equal((await api.call('GET', `${C}/counterparties/${dup.id}`)).json.merged_into, holding.id);

    // undo right away, from the toast: both records as they were
    await page.locator('.toast', { hasText: 'Записи объединены' }).getByRole('button', { name: 'Отменить' }).click();
    await waitText(page, '.toast', 'Объединение отменено');
    const back = (await api.call('GET', `${C}/counterparties/${dup.id}`)).json;
    assert.equal(back.merged_into, null);
    const after = (await api.call('GET', `${C}/counterparties/${holding.id}`)).json;
    assert.equal(after.region, before.region);
    assert.deepEqual(after.phones, before.phones);

    // merged again (the defaults), and undone from the merged record's card: Орлов is its contact again
    await page.goto(`/clients/${holding.id}`);
    await page.getByRole('button', { name: 'Объединить дубликаты' }).click();
    await dlg.getByRole('searchbox').fill('дубль');
    await dlg.getByLabel(/Стройинвест ГК \(дубль\)/).check();
    await dlg.getByRole('button', { name: 'Далее' }).click();
    await screen.getByRole('button', { name: 'Объединить' }).click();
    await waitText(page, '.toast', 'Записи объединены');
    await page.goto(`/clients/${dup.id}?tab=history`);
    await waitText(page, '.tab-panel:not([hidden])', 'объединение');
    await page.getByRole('button', { name: 'Отменить объединение' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Отменить объединение' }).click();
    await waitText(page, '.toast', 'Объединение отменено');
    await page.getByRole('tab', { name: 'Контакты' }).click();
    await waitText(page, '.cl-tree', 'Орлов');
    assert.equal((await api.call('GET', `${C}/counterparties/${dup.id}`)).json.merged_into, null);
    assert.equal(await page.getByRole('button', { name: 'Объединить дубликаты' }).count(), 1);
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
    // the requisites with their lookups and lists fit too
    await mp.locator('[data-field=tags] .strlist-row').first().waitFor();
    const wide = await mp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `no horizontal scroll on the requisites (${wide} px)`);
    await shot(mp, 'phone-card');
    await shot(mp, 'phone-card-full', { fullPage: true });
    checkPage(mp);
    await mp.context().close();
});

test('export the list as CSV and check an import with a bad row', async () => {
    await page.goto('/clients?q=' + encodeURIComponent('Стройинвест'));
    await waitText(page, '.list tbody', 'ГК Стройинвест');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export=csv]').click()]);
    const csv = await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString('utf8'));
    const lines = csv.replace(/^\ufeff/, '').trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, csv);
    assert.match(lines.slice(1).join('\n'), /ГК Стройинвест/);
    assert.doesNotMatch(lines.slice(1).join('\n'), /Электро-Дистрибуция/, 'the export follows the search');

    await page.getByRole('button', { name: 'Загрузить CSV' }).click();
    const dlg = page.locator('dialog.import-dialog');
    const good = inn10('771234567');
    const file = (rows) => ({ name: 'clients.csv', mimeType: 'text/csv',
        buffer: Buffer.from(`Тип;Название;ИНН\r\n${rows.join('\r\n')}\r\n`) });
    const bad = inn10('771234568').slice(0, 9) + String((Number(inn10('771234568')[9]) + 1) % 10);
    await dlg.getByLabel('Файл CSV').setInputFiles(file([`end_customer;Импорт Первый;${good}`, `end_customer;Импорт Второй;${bad}`]));
    await dlg.getByRole('button', { name: 'Проверить' }).click();
    await waitText(page, '.import-status', 'с ошибками 1');
    // the bad row says which column and why, in Russian
    await waitText(page, '.import-bad[data-row="3"]', 'ИНН: Неверная контрольная сумма');
    assert.equal(await dlg.getByRole('button', { name: 'Загрузить', exact: true }).isDisabled(), true, 'a file with errors is not imported');
    await shot(page, 'import-preview');
    // the corrected file imports
    await dlg.getByLabel('Файл CSV').setInputFiles(file([`end_customer;Импорт Первый;${good}`, 'end_customer;Импорт Второй;']));
    await dlg.getByRole('button', { name: 'Проверить' }).click();
    await waitText(page, '.import-status', 'с ошибками 0');
    await dlg.getByRole('button', { name: 'Загрузить', exact: true }).click();
    await waitText(page, '.import-status', 'Загружено');
    await waitText(page, '.toast', 'Загружено 2 записи');
    await dlg.getByRole('button', { name: 'Закрыть' }).click();
    const found = (await api.call('GET', `${C}/counterparties?q=${encodeURIComponent('Импорт')}`)).json;
    assert.deepEqual(found.items.map((x) => x.name).sort(), ['Импорт Второй', 'Импорт Первый']);
    checkPage(page);
});

test('extra attributes: in the form with its checks, on the card, a definition made required meanwhile, the list filter', async () => {
    const attr = async (body) => {
        const r = await api.call('POST', '/attributes', { entity: 'clients.counterparty', ...body });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        return r.json;
    };
    await attr({ name: 'store_area', type: 'number', label_ru: 'Площадь магазина', label_en: 'Store area', required: true, sort: 1 });
    await attr({ name: 'channel', type: 'list', label_ru: 'Канал', label_en: 'Channel', sort: 2,
        options: [{ value: 'retail', label_ru: 'Розница', label_en: 'Retail' }, { value: 'b2b', label_ru: 'Проекты', label_en: 'Projects' }] });
    const opened = await attr({ name: 'opened_on', type: 'date', label_ru: 'Дата открытия', label_en: 'Opened on', sort: 3 });

    await page.goto('/clients/new');
    await page.locator('input[name=name]').fill('Магазин Лампочка');
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await waitText(page, '[data-field="attrs.store_area"] .field-error', 'Обязательное поле');
    await page.getByLabel('Площадь магазина').fill('много');
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await waitText(page, '[data-field="attrs.store_area"] .field-error', 'число');
    await page.getByLabel('Площадь магазина').fill('85');
    await page.getByLabel('Канал').selectOption('retail');
    await shot(page, 'attrs-form', { fullPage: true });
    await page.getByRole('button', { name: 'Создать контрагента' }).click();
    await page.waitForURL(/\/clients\/\d+$/);
    const id = Number(page.url().split('/').pop());
    const rec = (await api.call('GET', `${C}/counterparties/${id}`)).json;
    assert.deepEqual(rec.attrs, { store_area: 85, channel: 'retail' });
    assert.equal(await page.getByLabel('Площадь магазина').inputValue(), '85');

    // an administrator makes "opened on" required while the card is open:
    // the server's 422 lands at that field
    const pr = await api.call('PATCH', `/attributes/${opened.id}`, { version: opened.version, required: true });
    assert.equal(pr.status, 200, JSON.stringify(pr.json));
    await page.getByLabel('Регион').fill('Тверь');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '[data-field="attrs.opened_on"] .field-error', 'Обязательное поле');
    await page.getByLabel('Дата открытия').fill('2024-03-01');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 200),
        page.getByRole('button', { name: 'Сохранить' }).click()]);
    await waitText(page, '.toast', 'Контрагент сохранён');
    assert.equal((await api.call('GET', `${C}/counterparties/${id}`)).json.attrs.opened_on, '2024-03-01');

    // the list filters by an attribute
    await page.goto('/clients');
    await page.locator('.filter-box', { hasText: 'Канал' }).locator('select').selectOption('retail');
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'Магазин Лампочка');
    assert.match(page.url(), /attr\.channel=retail/);
    checkPage(page);
});
