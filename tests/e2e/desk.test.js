// Browser tests of the working shell (issue 13): the top bar's global
// search (the "/" shortcut, arrows, Enter, the "all results" link), a
// list's views menu (save, open, rename, delete and undo), the home page
// (recent records, saved views, a module's panel, no module versions),
// a toast's action, row actions in a "⋯" menu on a phone (hidden ones
// never reached by Tab), and the attributes screen's entities read from
// the metadata.  One stack (the test modules t_desk and t_kit), one
// chromium.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk', 't_kit'] });
const api = await apiSession(stack, 'admin', admin);
const cards = [];
for (const [lane, title] of [['todo', 'Кедровая карточка'], ['done', 'Cedar card'], ['done', 'Cedar morning'], ['todo', 'Просто текст']]) {
    const r = await api.call('POST', '/t_desk/cards', { lane, title });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    cards.push(r.json);
}
{
    const r = await api.call('POST', '/t_kit/widgets', { name: 'Cedar widget', code: 'CW-1' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
}

async function loggedIn(opts) {
    const page = await newPage(browser, stack, opts);
    await page.goto('/');
    await login(page, 'admin', admin);
    return page;
}

test('global search: "/" focuses it, results grouped, arrows and Enter open one', async () => {
    const page = await loggedIn();
    const box = page.getByRole('combobox', { name: 'Поиск по всем разделам' });
    await page.getByRole('heading', { level: 1, name: /Здравствуйте/ }).waitFor();
    await page.keyboard.press('/');
    assert.equal(await box.evaluate((el) => el === document.activeElement), true, '"/" focuses the search');
    await box.pressSequentially('cedar');
    const list = page.getByRole('listbox', { name: 'Результаты поиска' });
    await list.getByRole('option', { name: /Cedar card/ }).waitFor();
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    // both entities that match, each with its group and its "all results" link
    await list.getByRole('group', { name: 'Карточки' }).waitFor();
    await list.getByRole('group', { name: 'Изделия' }).waitFor();
    assert.equal(await list.getByRole('option', { name: 'Все результаты: Карточки' }).getAttribute('href'),
        '/t_desk?q=cedar');
    await shot(page, 'search');

    // ArrowDown twice: the second option is highlighted; Enter opens it
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    const second = list.getByRole('option').nth(1);
    assert.equal(await second.getAttribute('aria-selected'), 'true');
    assert.equal(await box.getAttribute('aria-activedescendant'), await second.getAttribute('id'));
    const href = await second.getAttribute('href');
    await box.press('Enter');
    await page.waitForURL(`**${href}`);
    assert.equal(await box.getAttribute('aria-expanded'), 'false');

    // Enter with nothing highlighted opens the first; Escape closes
    await box.fill('');
    await box.pressSequentially('Кедровая');
    await list.getByRole('option', { name: /Кедровая карточка/ }).waitFor();
    await box.press('Escape');
    assert.equal(await list.isHidden(), true);
    await box.press('ArrowDown'); // reopens it, nothing highlighted
    await list.getByRole('option', { name: /Кедровая карточка/ }).waitFor();
    assert.equal(await box.getAttribute('aria-activedescendant'), null);
    await box.press('Enter');
    await page.waitForURL(`**/t_desk/${cards[0].id}`);
    await page.getByRole('heading', { level: 1, name: 'Кедровая карточка' }).waitFor();

    // nothing found says so
    await page.keyboard.press('/');
    await box.fill('');
    await box.pressSequentially('zzzqqq');
    await list.getByText('Ничего не найдено').waitFor();
    checkPage(page);
});

test('home: recent records, saved views and a module panel; no module versions', async () => {
    const page = await loggedIn();
    // open two cards: they become the recent records, newest first
    await page.goto(`/t_desk/${cards[1].id}`);
    await page.getByRole('heading', { level: 1, name: 'Cedar card' }).waitFor();
    await page.goto(`/t_desk/${cards[2].id}`);
    await page.getByRole('heading', { level: 1, name: 'Cedar morning' }).waitFor();
    const r = await api.call('POST', '/views', { entity: 't_desk.card', name: 'Кедры', query: 'q=cedar&sort=title' });
    assert.equal(r.status, 201, JSON.stringify(r.json));

    await page.goto('/');
    const recent = page.getByRole('region', { name: 'Недавние записи' });
    await recent.getByRole('link', { name: 'Cedar morning' }).waitFor();
    // (the search test opened "Кедровая карточка" before these two)
    assert.deepEqual((await recent.getByRole('link').allTextContents()).slice(0, 2), ['Cedar morning', 'Cedar card']);
    const views = page.getByRole('region', { name: 'Мои виды' });
    const link = views.getByRole('link', { name: 'Кедры' });
    assert.equal(await link.getAttribute('href'), '/t_desk?q=cedar&sort=title&order=asc');
    const panel = page.getByRole('region', { name: 'Девиз дня' });
    await panel.getByRole('link', { name: 'Все карточки' }).waitFor();
    await panel.getByText('Без спешки').waitFor();
    await panel.getByText(/карточ\S* на доске/).waitFor();
    assert.equal(await page.locator('main').getByText(/модуль t_desk/).count(), 0, 'no module versions on the home page');
    await shot(page, 'home');

    // the view opens its list as saved
    await link.click();
    await page.waitForURL('**/t_desk?q=cedar*');
    await page.locator('.list table').waitFor();
    assert.equal(await page.getByRole('searchbox', { name: 'Поиск', exact: true }).inputValue(), 'cedar');
    // the view's name is filled in once the views are loaded: wait for it, not for the element
    await page.locator('.views-current', { hasText: 'Кедры' }).waitFor();
    assert.deepEqual(await page.locator('.list tbody th').allTextContents(), [String(cards[1].id), String(cards[2].id)]);
    await api.call('DELETE', `/views/${r.json.id}`);
    checkPage(page);
});

test('views menu: save, rename, delete with undo; no "My records" without an owner', async () => {
    const page = await loggedIn();
    // start from no saved views, whatever an earlier test left behind
    for (const v of (await api.call('GET', '/views?entity=t_desk.card')).json.items) await api.call('DELETE', `/views/${v.id}`);
    await page.goto('/t_desk?q=Cedar');
    await page.locator('.list table').waitFor();
    const menuBtn = page.getByRole('button', { name: 'Виды' });
    await menuBtn.click();
    await page.getByRole('link', { name: 'Все записи' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Мои записи' }).count(), 0, 'cards have no owner');
    await page.getByRole('button', { name: 'Сохранить как вид…' }).click();
    const dlg = page.getByRole('dialog', { name: 'Сохранить вид' });
    await dlg.getByLabel('Название вида').fill('Готовые');
    await dlg.getByLabel('Название вида').press('Enter');
    await page.locator('.toast', { hasText: 'Вид «Готовые» сохранён' }).waitFor();
    await page.locator('.views-current', { hasText: 'Готовые' }).waitFor();
    let saved = (await api.call('GET', '/views?entity=t_desk.card')).json.items;
    assert.deepEqual(saved.map((v) => [v.name, v.query]), [['Готовые', 'q=Cedar']]);

    // a second name that is taken is refused with the server's reason
    await menuBtn.click();
    await page.getByRole('button', { name: 'Сохранить как вид…' }).click();
    await dlg.getByLabel('Название вида').fill('Готовые');
    await dlg.getByRole('button', { name: 'Сохранить' }).click();
    await page.locator('.toast-error').waitFor();

    // rename
    await menuBtn.click();
    await page.getByRole('button', { name: 'Переименовать: Готовые' }).click();
    const rdlg = page.getByRole('dialog', { name: 'Переименовать вид' });
    await rdlg.getByLabel('Название вида').fill('Кедровые');
    await rdlg.getByRole('button', { name: 'Сохранить' }).click();
    await page.locator('.views-current', { hasText: 'Кедровые' }).waitFor();

    // "All records" leaves the view; opening it again restores the search
    await menuBtn.click();
    await page.getByRole('link', { name: 'Все записи' }).click();
    await page.waitForURL((u) => u.pathname === '/t_desk' && !u.search.includes('q='));
    await page.locator('.list table').waitFor();
    await menuBtn.click();
    await page.getByRole('link', { name: 'Кедровые' }).click();
    await page.waitForURL('**/t_desk?q=Cedar');
    await page.locator('.views-current', { hasText: 'Кедровые' }).waitFor();

    // delete, then undo from the toast
    await menuBtn.click();
    await page.getByRole('button', { name: 'Удалить: Кедровые' }).click();
    const toast = page.locator('.toast', { hasText: 'Вид «Кедровые» удалён' });
    await toast.waitFor();
    assert.equal((await api.call('GET', '/views?entity=t_desk.card')).json.items.length, 0);
    await shot(page, 'view-deleted');
    await toast.getByRole('button', { name: 'Отменить' }).click();
    await page.locator('.views-current', { hasText: 'Кедровые' }).waitFor();
    saved = (await api.call('GET', '/views?entity=t_desk.card')).json.items;
    assert.deepEqual(saved.map((v) => v.name), ['Кедровые']);
    await api.call('DELETE', `/views/${saved[0].id}`);
    checkPage(page);
});

test('phone: row actions in a "⋯" menu, hidden buttons never reached by Tab; delete with undo', async () => {
    const r = await api.call('POST', '/t_desk/cards', { lane: 'todo', title: 'Удаляемая карточка' });
    assert.equal(r.status, 201);
    const page = await loggedIn({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto('/t_desk?q=Удаляемая');
    const row = page.locator('.list tbody tr').first();
    await row.waitFor();
    // the inline buttons are not displayed, so Tab skips them
    assert.equal(await row.locator('.row-actions-inline button').isHidden(), true);
    const more = row.getByRole('button', { name: 'Действия с записью' });
    await more.focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.closest('.row-actions-inline') !== null);
    assert.equal(focused, false, 'Tab never lands on a hidden inline action');
    await more.click();
    const item = row.getByRole('menuitem', { name: 'Удалить' });
    assert.equal(await item.evaluate((el) => el === document.activeElement), true, 'the menu takes the focus');
    await shot(page, 'row-menu');
    await item.click();
    const toast = page.locator('.toast', { hasText: 'Карточка удалена' });
    await toast.waitFor();
    await page.getByText('Ничего не найдено').waitFor();
    await toast.getByRole('button', { name: 'Отменить' }).click();
    await page.locator('.list tbody tr', { hasText: 'Удаляемая карточка' }).waitFor();
    checkPage(page);
});

test('wide screen: row actions inline, the "⋯" menu not displayed', async () => {
    const page = await loggedIn();
    await page.goto('/t_desk?q=Cedar');
    const row = page.locator('.list tbody tr').first();
    await row.waitFor();
    await row.locator('.row-actions-inline').getByRole('button', { name: 'Удалить' }).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Действия с записью' }).isHidden(), true);
    checkPage(page);
});

test('attributes screen: the entities that take attributes come from the metadata', async () => {
    const page = await loggedIn();
    await page.goto('/admin/attributes');
    const nav = page.getByRole('navigation', { name: 'Тип записи' });
    await nav.getByRole('link', { name: /Изделия/ }).waitFor();
    assert.deepEqual((await nav.getByRole('link').allTextContents()).map((s) => s.replace(/\s*\d+$/, '')), ['Изделия']);
    checkPage(page);
});
