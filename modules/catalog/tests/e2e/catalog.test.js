// Browser tests of the catalog pages (issue 6): the menu entry, the group
// tree (mouse and keyboard) beside the product list (search, filter by a
// group with its subgroups), the product record page (details form with
// the 409 conflict, prices over time, history), the new-product form, a
// user with only catalog.read (no edit controls), and the phone layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog'] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

async function post(p, body) {
    const r = await api.call('POST', p, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
}

const brand = await post('/catalog/groups', { name: 'Легранд' });
const series = await post('/catalog/groups', { name: 'Этика', parent_id: brand.id });
const other = await post('/catalog/groups', { name: 'Шнайдер' });
const frame = await post('/catalog/products', { sku: 'LG-774420', name: 'Рамка одноместная белая', group_id: series.id,
    attributes: { цвет: 'белый' }, ext: { mdm: 'M-100' } });
await post('/catalog/products', { sku: 'SE-100', name: 'Розетка с заземлением', group_id: other.id });
await post('/catalog/products', { sku: 'LG-000001', name: 'Выключатель одноклавишный', group_id: brand.id });

const rows = () => page.locator('.cat-list tbody tr');

test('the catalog from the menu: the tree beside the list, a group with its subgroups, search', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Каталог', exact: true }).click();
    await page.waitForURL('**/catalog');
    await page.getByRole('tree').waitFor();
    await waitText(page, '.list-count', '3');
    await shot(page, 'list');

    // the brand: its own product and its series' one
    await page.locator(`[role=treeitem][data-id="${brand.id}"] .cat-name`).first().click();
    await page.waitForURL(/group=\d+/);
    await waitText(page, '.list-count', '2');
    assert.equal(await rows().count(), 2);

    // the keyboard: open the brand, go down to the series, select it
    const brandItem = page.locator(`[role=treeitem][data-id="${brand.id}"]`);
    assert.equal(await brandItem.getAttribute('aria-expanded'), 'false');
    await brandItem.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await brandItem.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitText(page, '.list-count', '1');
    assert.equal(await page.locator(`[role=treeitem][data-id="${series.id}"]`).getAttribute('aria-selected'), 'true');
    await waitText(page, '.cat-list tbody', 'LG-774420');
    await shot(page, 'group');

    // back to all products, then the search
    await page.locator('[role=treeitem][data-id=""] .cat-name').click();
    await waitText(page, '.list-count', '3');
    await page.getByRole('searchbox').fill('рамка');
    await waitText(page, '.list-count', '1');
    await page.waitForURL(/q=/);
    assert.match(await rows().first().textContent(), /Рамка одноместная белая/);
    await shot(page, 'search');
    checkPage(page);
});

test('the product page: header, prices over time, history, the conflict on a stale save', async () => {
    await page.getByRole('link', { name: 'Рамка одноместная белая' }).click();
    await page.waitForURL(`**/catalog/products/${frame.id}`);
    await waitText(page, '.record-title h1', 'Рамка одноместная белая');
    await waitText(page, '.record-title', 'LG-774420');
    await waitText(page, '.record-title', 'Легранд › Этика');
    await shot(page, 'product');

    // prices: two of the base type, the newest first, in roubles
    await page.getByRole('tab', { name: 'Цены' }).click();
    await waitText(page, '.cat-prices', 'Цен пока нет');
    const add = page.locator('form.form', { hasText: 'Добавить цену' });
    await add.getByLabel('Цена, ₽').fill('1234,5');
    await add.getByLabel('Действует с').fill('2024-03-01');
    await add.getByRole('button', { name: 'Добавить цену' }).click();
    await waitText(page, '.toast', 'Цена добавлена');
    await waitText(page, '.cat-price-type', '1 234,50 ₽');
    await add.getByLabel('Цена, ₽').fill('1300');
    await add.getByLabel('Действует с').fill('2025-01-15');
    await add.getByRole('button', { name: 'Добавить цену' }).click();
    await waitText(page, '.cat-price-type', '1 300,00 ₽');
    const priceRows = page.locator('.cat-price-type[data-type=base] tbody tr');
    assert.equal(await priceRows.count(), 2);
    assert.match(await priceRows.nth(0).textContent(), /15 янв\. 2025.*1\s300,00\s₽.*действует/);
    assert.match(await priceRows.nth(1).textContent(), /1 мар\. 2024.*1\s234,50\s₽/);
    await shot(page, 'prices', { fullPage: true });

    // the details: save, then a stale save gets the conflict panel
    await page.getByRole('tab', { name: 'Карточка' }).click();
    await page.getByLabel('Название').fill('Рамка одноместная белая матовая');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Товар сохранён');
    await waitText(page, '.record-title h1', 'матовая');
    const cur = (await api.call('GET', `/catalog/products/${frame.id}`)).json;
    assert.equal((await api.call('PATCH', `/catalog/products/${frame.id}`, { version: cur.version, unit: 'компл' })).status, 200);
    await page.getByLabel('Ед. изм.').fill('уп');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'conflict', { fullPage: true });
    await page.locator('.form-alert').getByRole('button').first().click();
    await page.waitForFunction(() => document.querySelector('input[name=unit]').value === 'компл');
    // another group: the header follows
    await page.getByLabel('Группа').selectOption(String(brand.id));
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.locator('.record-title .muted', { hasText: /LG-774420 · Легранд$/ }).waitFor();

    // history: the creation and the two edits
    await page.getByRole('tab', { name: 'История' }).click();
    await page.locator('.history-item').nth(2).waitFor();
    await shot(page, 'history', { fullPage: true });
    checkPage(page);
});

test('a new product through the form', async () => {
    await page.goto(`/catalog?group=${other.id}`);
    await page.getByRole('link', { name: 'Новый товар' }).click();
    await page.waitForURL(`**/catalog/products/new?group=${other.id}`);
    await page.getByLabel('Артикул').fill('SE-200');
    await page.getByLabel('Название').fill('Выключатель двухклавишный');
    assert.equal(await page.getByLabel('Группа').inputValue(), String(other.id));
    await shot(page, 'new');
    await page.getByRole('button', { name: 'Создать товар' }).click();
    await page.waitForURL(/\/catalog\/products\/\d+$/);
    await waitText(page, '.record-title h1', 'Выключатель двухклавишный');
    await waitText(page, '.record-title', 'Шнайдер');
    checkPage(page);
});

test('the groups: a new one under the selected node, rename and move, the conflict, delete', async () => {
    const group = (name) => stack.rows(`SELECT id, parent_id, name, kind, sort, version FROM catalog.product_group WHERE name = '${name}'`);
    const node = (id) => page.locator(`[role=treeitem][data-id="${id}"]`);
    await page.goto(`/catalog?group=${brand.id}`);
    const actions = page.getByRole('group', { name: 'Действия с группой' });
    await actions.waitFor();

    // a series under the brand: the name is checked at the field
    await actions.getByRole('button', { name: 'Новая группа в «Легранд»' }).click();
    let dlg = page.getByRole('dialog', { name: 'Новая группа в «Легранд»' });
    await dlg.waitFor();
    assert.equal(await dlg.getByLabel('Входит в').inputValue(), String(brand.id));
    await dlg.getByRole('button', { name: 'Создать группу' }).click();
    await waitText(dlg, '[data-field=name] .field-error', 'Обязательное поле');
    await dlg.getByLabel('Название').fill('Этика');
    await dlg.getByRole('button', { name: 'Создать группу' }).click();
    await waitText(dlg, '[data-field=name] .field-error', 'Здесь уже есть группа с таким названием');
    await shot(page, 'group-new-taken');
    await dlg.getByLabel('Название').fill('Квинтэла');
    await dlg.getByRole('button', { name: 'Создать группу' }).click();
    await waitText(page, '.toast', 'Группа «Квинтэла» создана');
    const [q] = await group('Квинтэла');
    assert.equal(q.parent_id, brand.id);
    assert.equal(q.kind, 'series', 'the kind follows the depth');
    await page.waitForURL(`**/catalog?group=${q.id}`);
    assert.equal(await node(q.id).getAttribute('aria-selected'), 'true');
    assert.equal(await node(q.id).getAttribute('aria-level'), '2');

    // a group under it
    await actions.getByRole('button', { name: 'Новая группа в «Квинтэла»' }).click();
    dlg = page.getByRole('dialog', { name: 'Новая группа в «Квинтэла»' });
    await dlg.getByLabel('Название').fill('Рамки');
    await dlg.getByLabel('Код группы').fill('GR-FRAMES-Q');
    await dlg.getByRole('button', { name: 'Создать группу' }).click();
    await waitText(page, '.toast', 'Группа «Рамки» создана');
    const [frames] = await group('Рамки');
    assert.equal(frames.kind, 'group');
    await page.waitForURL(`**/catalog?group=${frames.id}`);

    // rename and move it under another brand; it cannot go under itself
    await actions.getByRole('button', { name: 'Изменить группу «Рамки»' }).click();
    dlg = page.getByRole('dialog', { name: 'Изменить группу' });
    const parentOptions = await dlg.getByLabel('Входит в').locator('option').allTextContents();
    assert.ok(!parentOptions.some((o) => o.includes('Рамки')), 'not under itself');
    assert.equal(await dlg.getByLabel('Уровень').inputValue(), 'group');
    await dlg.getByLabel('Название').fill('Рамки и суппорты');
    await dlg.getByLabel('Входит в').selectOption(String(other.id));
    await shot(page, 'group-edit');
    await dlg.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Группа «Рамки и суппорты» сохранена');
    await waitText(page, `[role=treeitem][data-id="${other.id}"]`, 'Рамки и суппорты');
    assert.equal((await group('Рамки и суппорты'))[0].parent_id, other.id);
    assert.equal(await node(frames.id).getAttribute('aria-selected'), 'true');

    // someone else changes it meanwhile: the dialog says so and reloads
    const cur = (await api.call('GET', `/catalog/groups/${frames.id}`)).json;
    assert.equal((await api.call('PATCH', `/catalog/groups/${frames.id}`, { version: cur.version, sort: 7 })).status, 200);
    await actions.getByRole('button', { name: 'Изменить группу «Рамки и суппорты»' }).click();
    dlg = page.getByRole('dialog', { name: 'Изменить группу' });
    await dlg.getByLabel('Название').fill('Рамки (устар.)');
    await dlg.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(dlg, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'group-conflict');
    await dlg.getByRole('button', { name: 'Загрузить свежую версию' }).click();
    await page.waitForFunction(() => document.querySelector('dialog input[name=sort]').value === '7');
    assert.equal(await dlg.getByLabel('Название').inputValue(), 'Рамки и суппорты');
    await dlg.getByRole('button', { name: 'Отмена' }).click();
    await dlg.waitFor({ state: 'detached' });

    // a group with products is not deleted
    await node(brand.id).locator('.cat-name').first().click();
    await actions.getByRole('button', { name: 'Удалить группу «Легранд»' }).click();
    await page.getByRole('dialog', { name: 'Удалить группу «Легранд»?' }).getByRole('button', { name: 'Удалить' }).click();
    await waitText(page, '.toast', 'В группе «Легранд» есть подгруппы или товары');
    assert.equal((await group('Легранд')).length, 1);

    // an empty one is; the parent is selected after it
    await page.goto(`/catalog?group=${frames.id}`);
    await actions.getByRole('button', { name: 'Удалить группу «Рамки и суппорты»' }).click();
    await page.getByRole('dialog', { name: 'Удалить группу «Рамки и суппорты»?' }).getByRole('button', { name: 'Удалить' }).click();
    await waitText(page, '.toast', 'Группа «Рамки и суппорты» удалена');
    await page.waitForURL(`**/catalog?group=${other.id}`);
    assert.equal(await node(frames.id).count(), 0);
    assert.equal((await group('Рамки и суппорты')).length, 0);

    // a stale delete: the tree reloads, the second try goes through
    await page.goto(`/catalog?group=${q.id}`);
    await actions.waitFor();
    assert.equal((await api.call('PATCH', `/catalog/groups/${q.id}`, { version: q.version, sort: 3 })).status, 200);
    await actions.getByRole('button', { name: 'Удалить группу «Квинтэла»' }).click();
    await page.getByRole('dialog', { name: 'Удалить группу «Квинтэла»?' }).getByRole('button', { name: 'Удалить' }).click();
    await waitText(page, '.toast', 'Группу только что изменил другой пользователь');
    await actions.getByRole('button', { name: 'Удалить группу «Квинтэла»' }).click();
    await page.getByRole('dialog', { name: 'Удалить группу «Квинтэла»?' }).getByRole('button', { name: 'Удалить' }).click();
    await waitText(page, '.toast', 'Группа «Квинтэла» удалена');
    await page.waitForURL(`**/catalog?group=${brand.id}`);

    // at the root: a new brand; nothing to edit or delete
    await page.locator('[role=treeitem][data-id=""] .cat-name').click();
    assert.equal(await actions.getByRole('button', { name: 'Изменить группу' }).isDisabled(), true);
    await actions.getByRole('button', { name: 'Новая группа верхнего уровня' }).click();
    dlg = page.getByRole('dialog', { name: 'Новая группа' });
    assert.equal(await dlg.getByLabel('Входит в').inputValue(), '');
    await dlg.getByLabel('Название').fill('ABB');
    await dlg.getByRole('button', { name: 'Создать группу' }).click();
    await waitText(page, '.toast', 'Группа «ABB» создана');
    assert.equal((await group('ABB'))[0].kind, 'brand');
    await shot(page, 'groups-after');
    checkPage(page);
});

test('a user with only catalog.read sees no edit controls', async () => {
    assert.equal((await api.call('POST', '/roles', { name: 'catalog_reader', label_ru: 'Каталог (чтение)',
        label_en: 'Catalog (read)', permissions: ['catalog.read'] })).status, 201);
    const pw = 'Reader-Password-1';
    assert.equal((await api.call('POST', '/users', { login: 'reader', password: pw, roles: ['catalog_reader'] })).status, 201);
    const rp = await newPage(browser, stack);
    await login(rp, 'reader', pw);
    await rp.locator('#nav').getByRole('link', { name: 'Каталог', exact: true }).click();
    await waitText(rp, '.list-count', '4');
    assert.equal(await rp.getByRole('link', { name: 'Новый товар' }).count(), 0);
    assert.equal(await rp.getByRole('group', { name: 'Действия с группой' }).count(), 0, 'no group editing');
    await rp.goto(`/catalog/products/${frame.id}`);
    await waitText(rp, '.record-title h1', 'матовая');
    assert.equal(await rp.locator('form').count(), 0, 'no edit form');
    await rp.getByRole('tab', { name: 'Цены' }).click();
    await waitText(rp, '.cat-price-type', '1 300,00 ₽');
    assert.equal(await rp.getByRole('button', { name: 'Добавить цену' }).count(), 0);
    await shot(rp, 'reader-prices');
    await rp.goto('/catalog/products/new');
    await waitText(rp, '.empty', 'catalog.write');
    checkPage(rp);
    await rp.context().close();
});

test('on a phone the tree folds above the list', async () => {
    const mp = await newPage(browser, stack, { viewport: { width: 390, height: 800 } });
    await login(mp, 'admin', admin);
    await mp.goto('/catalog');
    await waitText(mp, '.list-count', '4');
    assert.equal(await mp.locator('.cat-tree-box').getAttribute('open'), null);
    await shot(mp, 'phone');
    await mp.locator('.cat-summary').click();
    await mp.getByRole('tree').waitFor();
    await shot(mp, 'phone-tree');
    checkPage(mp);
    await mp.context().close();
});

test('in English (the admin\'s language switched last)', async () => {
    const ep = await newPage(browser, stack);
    await login(ep, 'admin', admin);
    await ep.goto(`/catalog/products/${frame.id}?tab=prices`);
    await waitText(ep, '.cat-price-type', '1 300,00 ₽');
    // the user menu's language switch renders the page again in English
    await ep.getByRole('button', { name: /Меню пользователя/ }).click();
    await ep.getByRole('menuitemradio', { name: 'English' }).click();
    await waitText(ep, '.record-title', 'SKU: LG-774420');
    await ep.getByRole('tab', { name: 'Prices' }).waitFor();
    await waitText(ep, '.cat-price-type h2', 'Base (list)');
    await waitText(ep, '.cat-price-type', '15 Jan 2025');
    await ep.getByRole('button', { name: 'Add price' }).waitFor();
    await shot(ep, 'en-prices');
    await ep.goto('/catalog');
    await ep.getByRole('treeitem', { name: /All products/ }).waitFor();
    await waitText(ep, '.list-count', '4');
    await ep.getByRole('group', { name: 'Group actions' }).getByRole('button', { name: 'New top-level group' }).click();
    const dlg = ep.getByRole('dialog', { name: 'New group' });
    await dlg.getByLabel('Level').waitFor();
    assert.match(await dlg.getByLabel('Belongs to').locator('option').first().textContent(), /top level/);
    await shot(ep, 'en-group-new');
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    checkPage(ep);
    await ep.context().close();
});
