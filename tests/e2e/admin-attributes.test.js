// Browser tests of the extra-attributes screen: the menu entry for
// holders of core.attributes.manage, the list per record type, the
// new-field form (the code checked at the field in the browser and by the
// server, a list's values with their labels), editing with the 409 of a
// stale version, deactivating and activating, a phone, English.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

const defs = () => stack.rows('SELECT entity, name, type, label_ru, label_en, required, options, sort, active ' +
    'FROM core.attribute_def ORDER BY id');
const submit = () => page.locator('form.form').getByRole('button', { name: 'Создать поле' }).click();

test('the menu entry, the record types, an empty list', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Дополнительные поля', exact: true }).click();
    await page.waitForURL('**/admin/attributes');
    await waitText(page, 'h1', 'Дополнительные поля');
    const types = page.getByRole('navigation', { name: 'Тип записи' });
    for (const name of ['Контрагенты', 'Контакты', 'Торговые точки']) await types.getByRole('link', { name }).waitFor();
    assert.equal(await types.getByRole('link', { name: /Контрагенты/ }).getAttribute('aria-current'), 'page');
    await waitText(page, '.empty', 'Дополнительных полей пока нет');
    await shot(page, 'empty');
    checkPage(page);
});

test('a new number field: the code is checked at the field, in the browser and by the server', async () => {
    await page.getByRole('link', { name: 'Новое поле' }).first().click();
    await page.waitForURL('**/admin/attributes/new?entity=clients.counterparty');
    assert.equal(await page.getByRole('combobox', { name: 'Тип записи' }).inputValue(), 'clients.counterparty');
    assert.equal(await page.getByRole('group', { name: 'Значения списка' }).isVisible(), false,
        'no list values for a text field');
    await submit();
    await waitText(page, '[data-field=label_ru] .field-error', 'Обязательное поле');
    await waitText(page, '[data-field=name] .field-error', 'Обязательное поле');

    await page.getByLabel('Тип значения').selectOption({ label: 'Число' });
    await page.getByLabel('Название (рус.)').fill('Площадь магазина');
    await page.getByLabel('Название (англ.)').fill('Store area');
    await page.getByLabel('Код поля').fill('Store-Area');
    await submit();
    await waitText(page, '[data-field=name] .field-error', 'Строчные латинские буквы, цифры и _');
    assert.equal(await page.getByLabel('Код поля').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'name', 'focus goes to the bad field');
    await shot(page, 'new-bad-code', { fullPage: true });

    await page.getByLabel('Код поля').fill('store_area');
    await page.getByLabel('Обязательное (без него запись не сохранить)').check();
    await submit();
    await page.waitForURL('**/admin/attributes?entity=clients.counterparty');
    await waitText(page, '.toast', 'Поле создано');
    const row = page.getByRole('row', { name: /Площадь магазина/ });
    await row.waitFor();
    assert.match(await row.textContent(), /store_area.*Число.*да.*включено/);

    // the same code again: the server's 409 at the field
    await page.getByRole('link', { name: 'Новое поле' }).first().click();
    await page.getByLabel('Название (рус.)').fill('Площадь (дубль)');
    await page.getByLabel('Код поля').fill('store_area');
    await submit();
    await waitText(page, '[data-field=name] .field-error', 'уже есть поле с таким кодом');
    await shot(page, 'new-taken-code', { fullPage: true });
    checkPage(page);
});

test('a list field: its values with Russian and English labels', async () => {
    await page.goto('/admin/attributes/new?entity=clients.outlet');
    assert.equal(await page.getByRole('combobox', { name: 'Тип записи' }).inputValue(), 'clients.outlet');
    await page.getByLabel('Тип значения').selectOption({ label: 'Список значений' });
    const values = page.getByRole('group', { name: 'Значения списка' });
    await values.waitFor();
    await page.getByLabel('Название (рус.)').fill('Канал продаж');
    await page.getByLabel('Код поля').fill('channel');
    await submit();
    await waitText(page, '[data-field=options] .field-error', 'Добавьте хотя бы одно значение');

    await values.getByLabel('Код значения 1').fill('retail');
    await values.getByLabel('Название значения 1 (рус.)').fill('Розница');
    await values.getByLabel('Название значения 1 (англ.)').fill('Retail');
    await values.getByRole('button', { name: '+ Добавить значение' }).click();
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Код значения 2',
        'a new row takes the focus');
    await page.keyboard.type('horeca');
    await values.getByLabel('Название значения 2 (рус.)').fill('Кафе и рестораны');
    await values.getByLabel('Название значения 2 (англ.)').fill('HoReCa');
    await values.getByRole('button', { name: '+ Добавить значение' }).click();
    await values.getByLabel('Название значения 3 (рус.)').fill('Без кода');
    await submit();
    await waitText(page, '[data-field=options] .field-error', 'Значение 3: нужны код и название');
    await shot(page, 'new-list-error', { fullPage: true });
    await values.getByRole('button', { name: 'Удалить значение 3' }).click();
    await values.getByRole('button', { name: 'Поднять значение 2' }).click();
    assert.equal(await values.getByLabel('Код значения 1').inputValue(), 'horeca');
    await shot(page, 'new-list', { fullPage: true });
    await submit();
    await page.waitForURL('**/admin/attributes?entity=clients.outlet');
    await waitText(page, 'table', 'Список значений: Кафе и рестораны, Розница');
    await shot(page, 'list-outlets');
    const d = (await defs()).find((x) => x.name === 'channel');
    assert.deepEqual(d.options, [{ value: 'horeca', label_ru: 'Кафе и рестораны', label_en: 'HoReCa' },
        { value: 'retail', label_ru: 'Розница', label_en: 'Retail' }]);
    assert.equal(d.entity, 'clients.outlet');
    checkPage(page);
});

test('a field\'s page: edit, then the conflict of a stale version', async () => {
    await page.goto('/admin/attributes?entity=clients.counterparty');
    await page.getByRole('link', { name: 'Площадь магазина' }).click();
    await page.waitForURL(/\/admin\/attributes\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    await waitText(page, '.record-title h1', 'Площадь магазина');
    assert.equal(await page.getByLabel('Код поля').inputValue(), 'store_area');
    assert.equal(await page.getByLabel('Код поля').getAttribute('readonly'), '');
    await page.getByLabel('Название (рус.)').fill('Площадь торгового зала');
    await page.getByLabel('Порядок').fill('10');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Сохранено');
    await waitText(page, '.record-title h1', 'Площадь торгового зала');

    // someone else saves meanwhile
    const cur = (await api.call('GET', '/attributes?entity=clients.counterparty&all=true')).json.find((x) => x.id === id);
    assert.equal((await api.call('PATCH', `/attributes/${id}`, { version: cur.version, label_en: 'Sales floor area' })).status, 200);
    await page.getByLabel('Обязательное (без него запись не сохранить)').uncheck();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'conflict', { fullPage: true });
    await page.getByRole('button', { name: 'Загрузить свежую версию' }).click();
    await waitText(page, '.toast', 'Загружена свежая версия');
    assert.equal(await page.getByLabel('Название (англ.)').inputValue(), 'Sales floor area');
    assert.equal(await page.getByLabel('Обязательное (без него запись не сохранить)').isChecked(), true);
    await page.getByLabel('Обязательное (без него запись не сохранить)').uncheck();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Сохранено');
    const d = (await defs()).find((x) => x.name === 'store_area');
    assert.equal(d.required, false);
    assert.equal(d.label_ru, 'Площадь торгового зала');
    assert.equal(d.sort, 10);

    await page.getByRole('tab', { name: 'История' }).click();
    await page.locator('.history-item').nth(3).waitFor();
    checkPage(page);
});

test('deactivate (after asking) and activate again', async () => {
    await page.goto('/admin/attributes?entity=clients.counterparty');
    await page.getByRole('button', { name: 'Отключить поле «Площадь торгового зала»' }).click();
    const dlg = page.getByRole('dialog', { name: 'Отключить поле «Площадь торгового зала»?' });
    await dlg.waitFor();
    await shot(page, 'deactivate-confirm');
    await dlg.getByRole('button', { name: 'Отключить' }).click();
    await waitText(page, '.toast', 'Поле «Площадь торгового зала» отключено');
    await waitText(page, 'table', 'отключено');
    assert.equal((await defs()).find((x) => x.name === 'store_area').active, false);
    // an inactive field is no more in the forms' list
    assert.equal((await api.call('GET', '/attributes?entity=clients.counterparty')).json.length, 0);
    await shot(page, 'deactivated');

    // a stale row: someone activated it meanwhile
    const cur = (await api.call('GET', '/attributes?entity=clients.counterparty&all=true')).json[0];
    assert.equal((await api.call('PATCH', `/attributes/${cur.id}`, { version: cur.version, sort: 5 })).status, 200);
    await page.getByRole('button', { name: 'Включить поле «Площадь торгового зала»' }).click();
    await waitText(page, '.toast', 'изменил другой пользователь');
    await page.getByRole('button', { name: 'Включить поле «Площадь торгового зала»' }).click();
    await waitText(page, '.toast', 'Поле «Площадь торгового зала» включено');
    await page.getByRole('button', { name: 'Отключить поле «Площадь торгового зала»' }).waitFor();
    assert.equal((await defs()).find((x) => x.name === 'store_area').active, true);
    checkPage(page);
});

test('without core.attributes.manage: no menu entry, the page is refused', async () => {
    const pw = 'Manager-Password-1';
    assert.equal((await api.call('POST', '/users', { login: 'manager1', password: pw, roles: ['manager'] })).status, 201);
    const mp = await newPage(browser, stack);
    await login(mp, 'manager1', pw);
    assert.equal(await mp.locator('#nav').getByRole('link', { name: 'Дополнительные поля' }).count(), 0);
    await mp.goto('/admin/attributes');
    await waitText(mp, 'h1', 'Нет доступа');
    checkPage(mp);
    await mp.context().close();
});

test('on a phone: the record types wrap, the values editor scrolls sideways', async () => {
    const mp = await newPage(browser, stack, { viewport: { width: 390, height: 800 } });
    await login(mp, 'admin', admin);
    await mp.goto('/admin/attributes?entity=clients.outlet');
    await waitText(mp, '.list', 'Канал продаж');
    const width = await mp.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page fits the phone (${width} px)`);
    await shot(mp, 'phone-list', { fullPage: true });
    await mp.getByRole('link', { name: 'Канал продаж' }).click();
    await mp.getByRole('group', { name: 'Значения списка' }).waitFor();
    assert.equal(await mp.getByLabel('Код значения 1').getAttribute('readonly'), '', 'a saved value keeps its code');
    assert.ok(await mp.evaluate(() => document.documentElement.scrollWidth) <= 390);
    await shot(mp, 'phone-field', { fullPage: true });
    checkPage(mp);
    await mp.context().close();
});

test('in English', async () => {
    const ep = await newPage(browser, stack);
    await login(ep, 'admin', admin);
    await ep.goto('/admin/attributes?entity=clients.outlet');
    await ep.getByRole('button', { name: /Меню пользователя/ }).click();
    await ep.getByRole('menuitemradio', { name: 'English' }).click();
    await waitText(ep, 'h1', 'Extra fields');
    await ep.getByRole('navigation', { name: 'Record type' }).getByRole('link', { name: /Outlets/ }).waitFor();
    await waitText(ep, 'table', 'List of values: HoReCa, Retail');
    await shot(ep, 'en');
    // back to Russian for whoever logs in next
    await ep.getByRole('button', { name: /User menu/ }).click();
    await ep.getByRole('menuitemradio', { name: 'Русский' }).click();
    await waitText(ep, 'h1', 'Дополнительные поля');
    checkPage(ep);
    await ep.context().close();
});
