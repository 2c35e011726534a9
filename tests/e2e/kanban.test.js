// Browser tests of the kanban component (www/js/ui/kanban.js, kedr.ui.kanban)
// through hello's board (/hello/board): SortableJS loaded only there, a card
// dragged to another column with the mouse stays there after a reload, a
// move the page refuses puts the card back, and Alt+arrow moves a card from
// the keyboard.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['hello'] });
const api = await apiSession(stack, 'admin', admin);
const salut = (await api.call('POST', '/hello/greetings', { lang: 'en', text: 'Salut' })).json;
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

const card = (text) => page.locator('.kanban-card', { hasText: text });
const column = (lang) => page.locator(`.kanban-list[data-column="${lang}"]`);
const columnOf = (text) => card(text).evaluate((li) => li.parentElement.dataset.column);

// A mouse drag in small steps, as a person does it (SortableJS needs moves
// between press and release to start and to find the target).
async function drag(from, to) {
    const a = await from.boundingBox();
    const b = await to.boundingBox();
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height - 10, { steps: 20 });
    await page.mouse.up();
}

test('the board loads SortableJS only when opened, a column per language', async () => {
    const vendorRequests = [];
    page.on('request', (r) => {
        if (r.url().includes('/vendor/')) vendorRequests.push(new URL(r.url()).pathname.replace(/^\/v\/[0-9a-f]+/, ''));
    });
    await page.goto('/hello');
    await page.locator('.hello-pages').waitFor();
    assert.deepEqual(vendorRequests, [], 'the list page loads no vendored library');
    await page.locator('.hello-pages').getByRole('link', { name: 'Доска' }).click();
    await page.waitForURL('**/hello/board');
    await card('Salut').waitFor();
    assert.deepEqual(vendorRequests, ['/vendor/sortable/Sortable.min.js']);
    assert.equal(await columnOf('Привет, мир'), 'ru');
    assert.equal(await columnOf('Hello, world'), 'en');
    assert.equal(await columnOf('Salut'), 'en');
    assert.equal(await card('Salut').getByRole('link').getAttribute('href'), `/hello/${salut.id}`);
    assert.equal(await page.locator('.kanban-column[data-column="en"] .kanban-count').textContent(), '2');
    await shot(page, 'board');
    checkPage(page);
});

test('a card dragged to another column stays there after a reload', async () => {
    await drag(card('Salut'), column('ru'));
    await page.waitForFunction(() => document.querySelector('.kanban-list[data-column="ru"]').textContent.includes('Salut'));
    assert.equal(await page.locator('.kanban-column[data-column="ru"] .kanban-count').textContent(), '2');
    assert.match(await page.locator('.kanban [aria-live]').textContent(), /«Salut» перемещена в колонку «русский»/);
    await shot(page, 'dragged');
    await page.reload();
    await card('Salut').waitFor();
    assert.equal(await columnOf('Salut'), 'ru');
    assert.equal(await columnOf('Hello, world'), 'en');
    checkPage(page);
});

test('a move the page refuses puts the card back, with the reason', async () => {
    await drag(card('Привет, мир'), column('en'));
    await page.locator('.toast-error', { hasText: 'кириллицей' }).waitFor();
    assert.equal(await columnOf('Привет, мир'), 'ru');
    assert.equal(await page.locator('.kanban-column[data-column="en"] .kanban-count').textContent(), '1');
    await shot(page, 'refused');
    await page.reload();
    await card('Привет, мир').waitFor();
    assert.equal(await columnOf('Привет, мир'), 'ru');
    checkPage(page);
});

test('Alt+arrow moves the focused card between columns from the keyboard', async () => {
    await card('Salut').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.waitForFunction(() => document.querySelector('.kanban-list[data-column="en"]').textContent.includes('Salut'));
    assert.equal(await card('Salut').evaluate((li) => li === document.activeElement), true, 'focus stays on the card');
    // the last column: Alt+→ goes nowhere
    await page.keyboard.press('Alt+ArrowRight');
    assert.equal(await columnOf('Salut'), 'en');
    await page.reload();
    await card('Salut').waitFor();
    assert.equal(await columnOf('Salut'), 'en');
    // refused from the keyboard too
    await card('Привет, мир').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.locator('.toast-error', { hasText: 'кириллицей' }).last().waitFor();
    assert.equal(await columnOf('Привет, мир'), 'ru');
    checkPage(page);
});
