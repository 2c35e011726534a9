// Browser tests of the hello example's own pages (the shell's components
// themselves are tested by the core, tests/e2e/, on the test module
// t_desk): the page with the configured greeting, the list and the form,
// the record page with its history; what a user without hello.write sees;
// the home panel; the board's rule (a greeting written in Cyrillic is not
// filed under English), the calendar and the statistics of greetings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['hello'] });
const api = await apiSession(stack, 'admin', admin);
const ANALYST_PW = 'analyst-pass-2024';
{
    const r = await api.call('POST', '/users', { login: 'analyst1', full_name: 'Анна Аналитик', roles: ['analyst'],
        password: ANALYST_PW });
    assert.equal(r.status, 201, JSON.stringify(r.json));
}
const hi = (await api.call('POST', '/hello/greetings', { lang: 'ru', text: 'Здравствуйте из 1С' })).json;
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

test('hello\'s page: loaded on demand, a form and a record page', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Привет' }).click();
    await page.waitForURL('**/hello');
    await waitText(page, '.hello-big', 'Привет');
    await waitText(page, 'table', 'Здравствуйте из 1С');
    await page.getByRole('textbox', { name: 'Текст' }).fill('Добрый день');
    await page.getByRole('button', { name: 'Добавить' }).click();
    await waitText(page, '.toast', 'Приветствие добавлено');
    await waitText(page, 'table', 'Добрый день');
    await shot(page, 'hello', { fullPage: true });
    await page.getByRole('row', { name: /Добрый день/ }).getByRole('link').click();
    await waitText(page, 'h1', 'Добрый день');
    await page.getByRole('tab', { name: 'История' }).click();
    await waitText(page, '.history-item', 'admin');
    assert.equal((await page.locator('.history-item .badge').first().textContent()).trim(), 'создание');
    await shot(page, 'hello-record');
    checkPage(page);
});

test('the home panel: the greeting of the day and how many are kept', async () => {
    await page.goto('/');
    const panel = page.getByRole('region', { name: 'Приветствие дня' });
    await panel.getByRole('link', { name: 'Все приветствия' }).waitFor();
    await panel.getByText(/сохранённ/).waitFor();
    await waitText(page, '.hello-big', 'Привет');
    checkPage(page);
});

test('without hello.write: the page reads, the form is not offered', async () => {
    const p = await newPage(browser, stack);
    await login(p, 'analyst1', ANALYST_PW);
    // hello's page needs no permission
    await p.locator('#nav').getByRole('link', { name: 'Привет' }).click();
    await waitText(p, 'h1', 'Привет');
    await waitText(p, '.hello-big', 'Привет');
    await waitText(p, 'main', 'Добавлять приветствия может пользователь с правом hello.write.');
    assert.equal(await p.getByRole('button', { name: 'Добавить' }).count(), 0);
    checkPage(p);
    await p.context().close();
});

test('the board files a greeting by language and refuses Cyrillic under English', async () => {
    await page.goto('/hello');
    await page.locator('.hello-pages').getByRole('link', { name: 'Доска' }).click();
    await page.waitForURL('**/hello/board');
    const card = (text) => page.locator('.kanban-card', { hasText: text });
    await card('Здравствуйте из 1С').waitFor();
    const columnOf = (text) => card(text).evaluate((li) => li.parentElement.dataset.column);
    assert.equal(await columnOf('Здравствуйте из 1С'), 'ru');
    assert.equal(await columnOf('Hello, world'), 'en');
    assert.equal(await card('Здравствуйте из 1С').getByRole('link').getAttribute('href'), `/hello/${hi.id}`);
    await card('Здравствуйте из 1С').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.locator('.toast-error', { hasText: 'кириллицей' }).waitFor();
    assert.equal(await columnOf('Здравствуйте из 1С'), 'ru');
    checkPage(page);
});

test('the calendar shows the greetings on their day; the statistics count them per language', async () => {
    await page.goto('/hello/calendar');
    await page.locator('.calendar').getByText('Здравствуйте из 1С', { exact: true }).waitFor();
    await page.locator('.hello-pages').getByRole('link', { name: 'Статистика' }).click();
    await page.waitForURL('**/hello/stats');
    await page.locator('.chart canvas').waitFor();
    const s = await page.locator('.chart canvas').evaluate((canvas) => {
        const c = window.Chart.getChart(canvas);
        return { labels: c.data.labels, data: c.data.datasets.map((d) => d.data), label: c.data.datasets[0].label };
    });
    // the migration's two, the one above and the one the form added
    assert.deepEqual(s.labels, ['английский', 'русский']);
    assert.deepEqual(s.data, [[1, 3]]);
    assert.equal(s.label, 'Приветствий');
    checkPage(page);
});
