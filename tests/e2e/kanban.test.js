// Browser tests of the kanban component (www/js/ui/kanban.js, kedr.ui.kanban)
// through the test module t_desk's board (/t_desk/board): SortableJS loaded
// only there, a card dragged to another column with the mouse stays there
// after a reload, a move the page refuses puts the card back, and Alt+arrow
// moves a card from the keyboard.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
const api = await apiSession(stack, 'admin', admin);
const salut = (await api.call('POST', '/t_desk/cards', { lane: 'todo', title: 'Salut' })).json;
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

const card = (text) => page.locator('.kanban-card', { hasText: text });
const column = (lane) => page.locator(`.kanban-list[data-column="${lane}"]`);
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

test('the board loads SortableJS only when opened, a column per lane', async () => {
    const vendorRequests = [];
    page.on('request', (r) => {
        if (r.url().includes('/vendor/')) vendorRequests.push(new URL(r.url()).pathname.replace(/^\/v\/[0-9a-f]+/, ''));
    });
    await page.goto('/t_desk');
    await page.locator('main').getByText('Salut').first().waitFor();
    assert.deepEqual(vendorRequests, [], 'the list page loads no vendored library');
    await page.goto('/t_desk/board');
    await card('Salut').waitFor();
    assert.deepEqual(vendorRequests, ['/vendor/sortable/Sortable.min.js']);
    assert.equal(await columnOf('Написать письмо'), 'todo');
    assert.equal(await columnOf('Ship it'), 'done');
    assert.equal(await columnOf('Salut'), 'todo');
    assert.equal(await card('Salut').getByRole('link').getAttribute('href'), `/t_desk/${salut.id}`);
    assert.equal(await page.locator('.kanban-column[data-column="todo"] .kanban-count').textContent(), '2');
    await shot(page, 'board');
    checkPage(page);
});

test('a card dragged to another column stays there after a reload', async () => {
    await drag(card('Salut'), column('done'));
    await page.waitForFunction(() => document.querySelector('.kanban-list[data-column="done"]').textContent.includes('Salut'));
    assert.equal(await page.locator('.kanban-column[data-column="done"] .kanban-count').textContent(), '2');
    assert.match(await page.locator('.kanban [aria-live]').textContent(), /«Salut» перемещена в колонку «готово»/);
    await shot(page, 'dragged');
    await page.reload();
    await card('Salut').waitFor();
    assert.equal(await columnOf('Salut'), 'done');
    assert.equal(await columnOf('Написать письмо'), 'todo');
    checkPage(page);
});

test('a move the page refuses puts the card back, with the reason', async () => {
    await drag(card('Ship it'), column('todo'));
    await page.locator('.toast-error', { hasText: 'уже готова' }).waitFor();
    assert.equal(await columnOf('Ship it'), 'done');
    assert.equal(await page.locator('.kanban-column[data-column="todo"] .kanban-count').textContent(), '1');
    await shot(page, 'refused');
    await page.reload();
    await card('Ship it').waitFor();
    assert.equal(await columnOf('Ship it'), 'done');
    checkPage(page);
});

test('Alt+arrow moves the focused card between columns from the keyboard', async () => {
    await card('Salut').focus();
    await page.keyboard.press('Alt+ArrowLeft');
    await page.waitForFunction(() => document.querySelector('.kanban-list[data-column="todo"]').textContent.includes('Salut'));
    assert.equal(await card('Salut').evaluate((li) => li === document.activeElement), true, 'focus stays on the card');
    // the first column: Alt+← goes nowhere
    await page.keyboard.press('Alt+ArrowLeft');
    assert.equal(await columnOf('Salut'), 'todo');
    await page.reload();
    await card('Salut').waitFor();
    assert.equal(await columnOf('Salut'), 'todo');
    // refused from the keyboard too
    await card('Ship it').focus();
    await page.keyboard.press('Alt+ArrowLeft');
    await page.locator('.toast-error', { hasText: 'уже готова' }).last().waitFor();
    assert.equal(await columnOf('Ship it'), 'done');
    checkPage(page);
});
