// Browser tests of the outlet pages (issue 6): a new outlet from the
// counterparty's card, its page (the map link, supplying distributors),
// the outlet list with its filters and search, a stale save of the
// requisites from a second page (the conflict panel), and the assortment
// grid on a phone: present groups with shelf share and facings, offered
// products from the catalog search, saved and seen again after a reload,
// touch-sized controls and no horizontal scrolling.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

async function post(p, body) {
    const r = await api.call('POST', p, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
}

const C = '/clients';
const brand = await post('/catalog/groups', { name: 'Кедр Электро', code: 'KEDR' });
const series = await post('/catalog/groups', { name: 'Этюд', code: 'ETUD', parent_id: brand.id });
const sockets = await post('/catalog/groups', { name: 'Розетки Этюд', parent_id: series.id });
await post('/catalog/groups', { name: 'Чужой бренд', code: 'OTHER' });
const product = await post('/catalog/products', { sku: 'ET-101', name: 'Розетка Этюд белая', group_id: sockets.id });
await post('/catalog/products', { sku: 'ET-202', name: 'Выключатель Этюд', group_id: sockets.id });
const owner = await post(`${C}/counterparties`, { kind: 'retail_chain', name: 'Сеть Электромир' });
const dist = await post(`${C}/counterparties`, { kind: 'distributor', name: 'Дистрибьютор Север' });
await post('/attributes', { entity: 'clients.outlet', name: 'kedr_stand', type: 'boolean', label_ru: 'Стенд Кедр',
    label_en: 'Kedr stand' });
let outletId = null;

test('a new outlet from the card: the map link, a supplying distributor, the list with filters', async () => {
    await page.goto(`/clients/${owner.id}`);
    await page.getByRole('tab', { name: 'Торговые точки' }).click();
    await waitText(page, '.tab-panel:not([hidden])', 'Торговых точек пока нет');
    await page.getByRole('link', { name: 'Новая торговая точка' }).click();
    await page.waitForURL(/\/clients\/outlets\/new\?owner_id=/);
    // the owner comes filled in from the card
    await page.waitForFunction(() => document.querySelector('[data-field=owner_id] input')?.value === 'Сеть Электромир');
    await page.getByLabel('Название').fill('Электромир на Ленина');
    await page.getByLabel('Формат').selectOption('electrical_shop');
    await page.getByLabel('Адрес').fill('Тверь, пр. Ленина, 12');
    await page.getByLabel('Широта').fill('56,8587');
    await page.getByLabel('Стенд Кедр').check();
    await page.getByRole('button', { name: 'Создать точку' }).click();
    // one coordinate without the other: said at the field, nothing sent
    await waitText(page, '[data-field=lon] .field-error', 'и широту, и долготу');
    await page.getByLabel('Долгота').fill('35,9176');
    await page.getByRole('button', { name: 'Создать точку' }).click();
    await page.waitForURL(/\/clients\/outlets\/\d+$/);
    outletId = Number(page.url().split('/').pop());
    await waitText(page, '.record-title h1', 'Электромир на Ленина');
    await waitText(page, '.record-title', 'Магазин электротоваров');
    const map = page.getByRole('link', { name: 'На карте' });
    assert.match(await map.getAttribute('href'), /yandex\.ru\/maps\/\?pt=35\.9176,56\.8587/);
    await waitText(page, '.cl-outlet-view', 'Стенд Кедр');
    assert.deepEqual((await api.call('GET', `${C}/outlets/${outletId}`)).json.attrs, { kedr_stand: true });
    await shot(page, 'outlet', { fullPage: true });

    await page.getByRole('tab', { name: 'Дистрибьюторы' }).click();
    const ref = page.locator('.cl-add-distributor').getByRole('combobox', { name: 'Дистрибьютор' });
    await ref.fill('Север');
    await page.getByRole('option', { name: /Дистрибьютор Север/ }).click();
    await page.locator('.cl-add-distributor').getByRole('button', { name: 'Добавить' }).click();
    await waitText(page, '.cl-distributors', 'Дистрибьютор Север');
    const saved = (await api.call('GET', `${C}/outlets/${outletId}/distributors`)).json;
    assert.deepEqual(saved.map((d) => d.distributor_id), [dist.id]);
    // the requisites form saves after the distributors moved the version on
    await page.getByRole('tab', { name: 'Точка', exact: true }).click();
    await page.getByLabel('Площадь, м²').fill('240');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Торговая точка сохранена');
    await waitText(page, '.cl-outlet-view', '240 м²');

    // the list: a second outlet, the distributor filter, the search
    await post(`${C}/outlets`, { owner_id: owner.id, name: 'Электромир Онлайн', format: 'online' });
    await page.goto('/clients/outlets');
    await waitText(page, '.list-count', '2');
    await page.locator('.filter-box', { hasText: 'Дистрибьютор' }).getByRole('combobox').fill('Север');
    await page.getByRole('option', { name: /Дистрибьютор Север/ }).click();
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'Электромир на Ленина');
    assert.match(page.url(), new RegExp(`distributor_id=${dist.id}`));
    // the filter survives a reload, with the distributor's name
    await page.reload();
    await waitText(page, '.list-count', '1');
    await page.waitForFunction(() => [...document.querySelectorAll('.filter-ref input')].some((i) => i.value === 'Дистрибьютор Север'));
    await page.locator('.filter-box', { hasText: 'Дистрибьютор' }).getByRole('button', { name: /Очистить|Clear/ }).click();
    await waitText(page, '.list-count', '2');
    await page.getByRole('searchbox').fill('Ленина');
    await waitText(page, '.list-count', '1');
    // the extra attribute filters the list
    await page.getByRole('searchbox').fill('');
    await page.locator('.filter-box', { hasText: 'Стенд Кедр' }).locator('select').selectOption('true');
    await waitText(page, '.list-count', '1');
    await waitText(page, '.list tbody', 'Электромир на Ленина');
    await page.getByRole('searchbox').fill('Ленина');
    await page.locator('.filter-box', { hasText: 'Формат' }).locator('select').selectOption('online');
    await waitText(page, '.list', 'Ничего не найдено');
    await shot(page, 'outlet-list');
    checkPage(page);
});

test('a stale save from a second page gets the conflict panel', async () => {
    const other = await newPage(browser, stack);
    await login(other, 'admin', admin);
    await page.goto(`/clients/outlets/${outletId}`);
    await other.goto(`/clients/outlets/${outletId}`);
    await other.getByLabel('Адрес').fill('Тверь, пр. Ленина, 12, ТЦ «Ракета»');
    await other.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(other, '.toast', 'Торговая точка сохранена');
    await page.getByLabel('Площадь, м²').fill('250');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'outlet-conflict', { fullPage: true });
    await page.locator('.form-alert').getByRole('button').first().click();
    await page.waitForFunction(() => document.querySelector('textarea[name=address]')?.value.includes('Ракета'));
    checkPage(page);
    checkPage(other);
    await other.context().close();
});

test('on a phone: the assortment grid, saved and seen again after a reload', async () => {
    const mp = await newPage(browser, stack, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
        geolocation: { latitude: 56.859611, longitude: 35.911896 }, permissions: ['geolocation'] });
    await login(mp, 'admin', admin);
    await mp.goto(`/clients/outlets/${outletId}?tab=assortment`);
    await waitText(mp, '.as-grid', 'Ещё не проверялась');
    // in the shop: the coordinates from the phone (saving the outlet moves
    // its version on; the open grid saves against the new one after)
    await mp.getByRole('tab', { name: 'Точка', exact: true }).click();
    await mp.getByRole('button', { name: 'Взять координаты с телефона' }).click();
    await waitText(mp, '.cl-locate-note', 'сохраните точку');
    await mp.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await waitText(mp, '.toast', 'Торговая точка сохранена');
    const o = (await api.call('GET', `${C}/outlets/${outletId}`)).json;
    assert.deepEqual([Number(o.lat), Number(o.lon)], [56.859611, 35.911896]);
    await mp.getByRole('tab', { name: 'Ассортимент' }).click();
    const row = (name) => mp.locator('.as-row', { has: mp.locator('.as-name', { hasText: name }) });
    await row('Этюд').first().waitFor();
    assert.equal(await mp.locator('.as-row').count(), 4);

    // tick a series present: its numbers appear; a share over 100 is refused at the row
    await row('Этюд').first().getByRole('checkbox').check();
    await row('Этюд').first().getByLabel('Доля полки, %').fill('135');
    await row('Этюд').first().getByLabel('Фейсинги').fill('12');
    await mp.getByRole('button', { name: 'Сохранить ассортимент' }).click();
    await waitText(mp, '.as-row.has-error .field-error', 'от 0 до 100');
    await row('Этюд').first().getByLabel('Доля полки, %').fill('35,5');
    await row('Розетки Этюд').getByRole('checkbox').check();
    await row('Розетки Этюд').getByLabel('Фейсинги').fill('4');
    // an offered product from the catalog search
    await mp.getByRole('combobox', { name: 'Добавить товар' }).fill('ET-1');
    await mp.getByRole('option', { name: /Розетка Этюд белая/ }).click();
    await waitText(mp, '.as-products-list', 'ET-101');

    // touch-sized controls, and the page does not scroll sideways
    const sizes = await mp.evaluate(() => {
        const box = (el) => el.getBoundingClientRect();
        const row1 = document.querySelector('.as-row.as-on');
        return {
            label: box(row1.querySelector('.as-check label')).height,
            share: box(row1.querySelector('.as-share')).height,
            save: box(document.querySelector('.as-save')).height,
            remove: box(document.querySelector('.as-remove')).height,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
        };
    });
    for (const k of ['label', 'share', 'save', 'remove']) assert.ok(sizes[k] >= 44, `${k} is ${sizes[k]} px high`);
    assert.ok(sizes.overflow <= 0, `no horizontal scroll (${sizes.overflow} px)`);
    await shot(mp, 'assortment-phone', { fullPage: true });

    await mp.getByRole('button', { name: 'Сохранить ассортимент' }).click();
    await waitText(mp, '.toast', 'Ассортимент сохранён');
    const a = (await api.call('GET', `${C}/outlets/${outletId}/assortment`)).json;
    assert.deepEqual(a.groups.map((g) => [g.group_id, g.shelf_share === null ? null : Number(g.shelf_share), g.facings]).sort(),
        [[series.id, 35.5, 12], [sockets.id, null, 4]].sort());
    assert.deepEqual(a.products.map((p) => p.product_id), [product.id]);

    await mp.reload();
    await row('Этюд').first().waitFor();
    assert.equal(await row('Этюд').first().getByRole('checkbox').isChecked(), true);
    assert.equal(await row('Этюд').first().getByLabel('Доля полки, %').inputValue(), '35.5');
    assert.equal(await row('Кедр Электро').getByRole('checkbox').isChecked(), false);
    await waitText(mp, '.as-last', 'Последняя проверка');
    await waitText(mp, '.as-products-list', 'Розетка Этюд белая');
    // only the present ones
    await mp.getByLabel('Только те, что есть').check();
    assert.equal(await mp.locator('.as-row:visible').count(), 2);
    await shot(mp, 'assortment-phone-saved');
    // the history tells the check in words
    await mp.getByRole('tab', { name: 'История' }).click();
    await waitText(mp, '.history-item', 'Этюд (35,5 %, 12 фейсингов)');
    await waitText(mp, '.history-item .badge', 'проверка ассортимента');
    await waitText(mp, '.history-item', '56,859611');
    await shot(mp, 'outlet-history-phone', { fullPage: true });
    await mp.getByRole('tab', { name: 'Ассортимент' }).click();
    // someone else saves the assortment meanwhile: a save from here gets the conflict panel
    const now = (await api.call('GET', `${C}/outlets/${outletId}/assortment`)).json;
    assert.equal((await api.call('PUT', `${C}/outlets/${outletId}/assortment?version=${now.version}`,
        { groups: [{ group_id: series.id, shelf_share: 40, facings: 12 }] })).status, 200);
    await mp.getByLabel('Только те, что есть').uncheck();
    await row('Кедр Электро').getByRole('checkbox').check();
    await mp.getByRole('button', { name: 'Сохранить ассортимент' }).click();
    await waitText(mp, '.form-alert', 'Ассортимент уже изменил кто-то другой');
    await shot(mp, 'assortment-conflict');
    await mp.getByRole('button', { name: 'Загрузить заново' }).click();
    await waitText(mp, '.toast', 'Загружен текущий ассортимент');
    assert.equal(await row('Кедр Электро').getByRole('checkbox').isChecked(), false);
    assert.equal(await row('Этюд').first().getByLabel('Доля полки, %').inputValue(), '40');
    // the outlet list with its filters fits the phone too
    await mp.goto('/clients/outlets');
    await waitText(mp, '.list-count', '2');
    const overflow = await mp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll on the list (${overflow} px)`);
    await shot(mp, 'outlets-phone', { fullPage: true });
    // "my outlets": those whose manager is the person signed in (the
    // creator, unless another is named); one handed to nobody leaves it
    const me = (await api.call('GET', '/session')).json.user;
    assert.equal((await api.call('GET', `${C}/outlets/${outletId}`)).json.manager_id, me.id);
    const others = (await api.call('GET', `${C}/outlets?limit=100`)).json.items.filter((o) => o.id !== outletId);
    for (const o of others)
        assert.equal((await api.call('PATCH', `${C}/outlets/${o.id}`, { version: o.version, manager_id: null })).status, 200);
    await mp.getByRole('link', { name: 'Мои точки' }).click();
    await waitText(mp, '.list-count', '1');
    await waitText(mp, '.list tbody', 'Электромир на Ленина');
    await mp.waitForFunction(() => [...document.querySelectorAll('.filter-ref input')].some((i) => i.value !== ''));
    checkPage(mp);
    await mp.context().close();
});

test('a user with clients.read only: no export, import or edit controls; the outlet and its assortment read-only', async () => {
    assert.equal((await api.call('POST', '/roles', { name: 'clients_reader', label_ru: 'Клиенты (чтение)',
        label_en: 'Clients (read)', permissions: ['clients.read', 'catalog.read'] })).status, 201);
    const pw = 'Reader-Password-1';
    assert.equal((await api.call('POST', '/users', { login: 'creader', full_name: 'Читатель', password: pw,
        roles: ['clients_reader'] })).status, 201);
    const rp = await newPage(browser, stack);
    await login(rp, 'creader', pw);
    await rp.goto('/clients/outlets');
    await waitText(rp, '.list-count', '2');
    assert.equal(await rp.locator('[data-export]').count(), 0, 'no export links without clients.export');
    assert.equal(await rp.getByRole('button', { name: 'Загрузить CSV' }).count(), 0);
    assert.equal(await rp.getByRole('link', { name: 'Новая торговая точка' }).count(), 0);
    await rp.goto(`/clients/outlets/${outletId}?tab=assortment`);
    await waitText(rp, '.as-grid', 'Последняя проверка');
    assert.equal(await rp.getByRole('button', { name: 'Сохранить ассортимент' }).isVisible(), false);
    assert.equal(await rp.locator('.as-present:not([disabled])').count(), 0);
    await rp.getByRole('tab', { name: 'Точка', exact: true }).click();
    await waitText(rp, '.cl-outlet-view', 'Сеть Электромир');
    assert.equal(await rp.locator('.cl-outlet-form').count(), 0, 'no edit form');
    checkPage(rp);
    await rp.context().close();
});

test('in English (the admin\'s language switched last): the outlet, its grid and the list speak English', async () => {
    const ep = await newPage(browser, stack);
    await login(ep, 'admin', admin);
    await ep.goto(`/clients/outlets/${outletId}?tab=assortment`);
    await waitText(ep, '.as-grid', 'Последняя проверка');
    await ep.getByRole('button', { name: /Меню пользователя/ }).click();
    await ep.getByRole('menuitemradio', { name: 'English' }).click();
    await waitText(ep, '.as-grid', 'Last check');
    await ep.getByRole('button', { name: 'Save the assortment' }).waitFor();
    await waitText(ep, '.as-row', 'Shelf share, %');
    // no string table key shows itself (a missing translation)
    const keys = /\b(as|tab|outlet|format|gkind|import|strlist|tree)[._][a-z_]+\b/;
    assert.doesNotMatch(await ep.locator('#main').innerText(), keys);
    await shot(ep, 'en-assortment');
    await ep.getByRole('tab', { name: 'Outlet', exact: true }).click();
    await waitText(ep, '.cl-outlet-view', 'Electrical shop');
    await ep.goto('/clients/outlets');
    await waitText(ep, '.list-count', '2');
    await ep.getByRole('link', { name: 'New outlet' }).waitFor();
    assert.doesNotMatch(await ep.locator('#main').innerText(), keys);
    checkPage(ep);
    await ep.context().close();
});
