// A module made by tools/new-module works in the browser with no
// JavaScript written (issue 13): the shell draws its list, record page and
// form from the entity's declaration (www/js/ui/entity.js).  The test makes
// modules/projects_demo, builds it, enables it on a stack of its own and
// walks it as a person would; then removes every file it made, also when
// a step fails.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, run } from '../lib/stack.js';
import { setup, newPage, login, shot, checkPage, waitText, textOf, apiSession } from './lib.js';

const NAME = 'projects_demo';
const DIR = path.join(ROOT, 'modules', NAME);
const BUILD = path.join(ROOT, process.env.B || 'build');
assert.ok(!fs.existsSync(DIR), `modules/${NAME} exists already: not this test's to make or remove`);

function cleanup() {
    for (const p of [DIR, path.join(BUILD, 'modules', `${NAME}.so`), path.join(BUILD, 'modules', `${NAME}.d`),
        path.join(BUILD, 'modules', NAME), path.join(ROOT, 'www', 'm', NAME)]) {
        fs.rmSync(p, { recursive: true, force: true });
    }
}
after(cleanup);

let made;
try {
    made = await run(path.join(ROOT, 'tools/new-module'), [NAME]);
    assert.equal(made.code, 0, made.stderr);
    const built = await run('make', ['build'], { timeout: 300000 });
    assert.equal(built.code, 0, built.stderr);
} catch (err) {
    cleanup();
    throw err;
}
assert.ok(!fs.existsSync(path.join(DIR, 'www')), 'no JavaScript of its own');

const { stack, browser, admin } = await setup({ enabled: [NAME] });
const api = await apiSession(stack, 'admin', admin);
const page = await newPage(browser, stack);
await login(page, 'admin', admin);
const rows = () => page.locator('.list tbody tr');
const firstRow = () => rows().first().locator('th');

test('tools/new-module refuses a bad name and a module that exists', async () => {
    for (const bad of ['Projects', '1st', 'a-b', '', 'users', 'meta']) {
        const res = await run(path.join(ROOT, 'tools/new-module'), [bad]);
        assert.equal(res.code, 2, `${bad}: ${res.stderr}`);
        assert.match(res.stderr, /usage: tools\/new-module NAME/);
    }
    const again = await run(path.join(ROOT, 'tools/new-module'), [NAME]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /modules\/projects_demo exists already/);
    assert.ok(fs.existsSync(path.join(DIR, `${NAME}.c`)), 'the first one left as it was');
});

test('the menu entry opens the list, empty at first', async () => {
    await page.locator('#nav').getByRole('link', { name: NAME }).click();
    await page.waitForURL(`**/${NAME}`);
    await waitText(page, 'h1', 'Записи');
    await waitText(page, '.list', 'Записей пока нет.');
    await shot(page, 'empty');
    checkPage(page);
});

test('a record created through the form: a required field first', async () => {
    await page.locator('.page-head').getByRole('link', { name: 'Создать' }).click();
    await page.waitForURL(`**/${NAME}/new`);
    await waitText(page, 'h1', 'Записи: новая запись');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '[data-field=title] .field-error', 'Обязательное поле');
    await shot(page, 'required');
    await page.getByLabel('Название').fill('Первый проект');
    await page.getByLabel('Срок').fill('2026-05-01');
    await page.getByLabel('Телефон').fill('84951234567');
    // the server's check (amount >= 0, declared in the module) at its field
    await page.getByLabel('Сумма').fill('-5');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.locator('[data-field=amount] .field-error').waitFor();
    assert.notEqual(await textOf(page, '[data-field=amount] .field-error'), '');
    assert.match(page.url(), new RegExp(`/${NAME}/new$`));
    await shot(page, 'server-error');
    await page.getByLabel('Сумма').fill('1500');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(new RegExp(`/${NAME}/\\d+$`));
    await waitText(page, 'h1', 'Первый проект');
    // the phone as people read it, in the highlights and among all fields
    await waitText(page, '.entity-highlights', '+7 (495) 123-45-67');
    assert.equal(await textOf(page, '.entity-fields dd[data-field=phone]'), '+7 (495) 123-45-67');
    assert.equal(await textOf(page, '.entity-fields dd[data-field=done]'), 'Нет');
    await shot(page, 'record');
    checkPage(page);
});

test('the list: the record, a filter, sorting', async () => {
    assert.equal((await api.call('POST', `/${NAME}/items`, { title: 'Второй', amount: 10, done: true })).status, 201);
    await page.locator('.back-link').click();
    await page.waitForURL(`**/${NAME}`);
    await waitText(page, '.list-count', '2');
    await waitText(page, '.list tbody', 'Первый проект');
    // a range filter of a number column
    const from = page.locator('.filter-box', { hasText: 'Сумма: от' }).locator('input');
    await from.fill('100');
    await from.dispatchEvent('change');
    await waitText(page, '.list-count', '1 запись');
    assert.equal((await firstRow().textContent()).trim(), 'Первый проект');
    assert.match(page.url(), /amount\.gte=100/);
    await from.fill('');
    await from.dispatchEvent('change');
    await waitText(page, '.list-count', '2');
    // a yes/no filter
    await page.locator('.filter-box', { hasText: 'Готово' }).locator('select').selectOption('true');
    await waitText(page, '.list-count', '1 запись');
    assert.equal((await firstRow().textContent()).trim(), 'Второй');
    await page.locator('.filter-box', { hasText: 'Готово' }).locator('select').selectOption('');
    await waitText(page, '.list-count', '2');
    // by amount, up then down
    const sortBtn = page.locator('.list thead').getByRole('button', { name: /Сумма/ });
    await sortBtn.click();
    await page.locator('.list thead th[aria-sort="ascending"]', { hasText: 'Сумма' }).waitFor();
    await waitText(page, '.list tbody tr:first-child', 'Второй');
    await sortBtn.click();
    await page.locator('.list thead th[aria-sort="descending"]', { hasText: 'Сумма' }).waitFor();
    await waitText(page, '.list tbody tr:first-child', 'Первый проект');
    assert.match(page.url(), /sort=amount&order=desc/);
    await shot(page, 'list');
    checkPage(page);
});

test('the card, edited; a stale version is a clear conflict', async () => {
    const listUrl = page.url();
    await rows().filter({ hasText: 'Первый проект' }).getByRole('link').first().click();
    await page.waitForURL(new RegExp(`/${NAME}/\\d+$`));
    const id = page.url().split('/').pop();
    await page.getByRole('link', { name: 'Изменить' }).click();
    await page.waitForURL(`**/${NAME}/${id}/edit`);
    await page.getByLabel('Примечание').fill('Позвонить в понедельник');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(new RegExp(`/${NAME}/${id}$`));
    await waitText(page, '.entity-fields dd[data-field=note]', 'Позвонить в понедельник');

    // someone else saves meanwhile: the form says so and offers a reload
    await page.getByRole('link', { name: 'Изменить' }).click();
    await page.waitForURL(`**/${NAME}/${id}/edit`);
    const cur = (await api.call('GET', `/${NAME}/items/${id}`)).json;
    assert.equal((await api.call('PATCH', `/${NAME}/items/${id}`, { version: cur.version, amount: 1600 })).status, 200);
    await page.getByLabel('Сумма').fill('1700');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.form-alert', 'Запись изменил другой пользователь');
    await shot(page, 'conflict');
    await page.getByRole('button', { name: 'Загрузить свежую версию' }).click();
    await waitText(page, '.toast', 'Загружена свежая версия записи');
    assert.equal(await page.getByLabel('Сумма').inputValue(), '1600');
    await page.getByLabel('Сумма').fill('1700');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(new RegExp(`/${NAME}/${id}$`));
    await waitText(page, '.entity-fields dd[data-field=amount]', /1\s?700/);

    // back returns to the list as it was left (sorted by amount, down)
    await page.locator('.back-link').click();
    await page.waitForURL(listUrl);
    await page.locator('.list thead th[aria-sort="descending"]', { hasText: 'Сумма' }).waitFor();
    await page.goBack();
    checkPage(page);
});

test('the history speaks the labels, not the column names', async () => {
    await page.waitForURL(new RegExp(`/${NAME}/\\d+$`));
    await page.getByRole('tab', { name: 'История' }).click();
    await waitText(page, '.history-item', 'создание');
    await waitText(page, '.history-item', 'изменение');
    const fields = await page.locator('.history .diff tbody th').allTextContents();
    assert.ok(fields.includes('Примечание') && fields.includes('Сумма') && fields.includes('Название'), fields.join(', '));
    for (const raw of ['note', 'amount', 'title', 'phone', 'attrs']) assert.ok(!fields.includes(raw), `raw "${raw}" shown`);
    await waitText(page, '.history .diff', 'Позвонить в понедельник');
    await waitText(page, '.history .diff', '+7 (495) 123-45-67');
    await shot(page, 'history', { fullPage: true });
    checkPage(page);
});

test('a long list pages by its cursor: "show more", kept in the URL', async () => {
    for (let i = 1; i <= 25; i++) {
        const r = await api.call('POST', `/${NAME}/items`, { title: `Пакет ${String(i).padStart(2, '0')}`, amount: i });
        assert.equal(r.status, 201);
    }
    await page.goto(`/${NAME}?sort=title`);
    await waitText(page, '.list-count', '27 записей');
    await waitText(page, '.pager-range', '1–25 из 27');
    assert.equal(await rows().count(), 25);
    await page.getByRole('button', { name: 'Показать ещё' }).click();
    await waitText(page, '.pager-range', '1–27 из 27');
    assert.equal(await rows().count(), 27);
    assert.equal(await page.getByRole('button', { name: 'Показать ещё' }).count(), 0);
    assert.match(page.url(), /shown=27/);
    // a reload (or back from a card) shows as many rows again
    await page.reload();
    await waitText(page, '.pager-range', '1–27 из 27');
    assert.equal(await rows().count(), 27);
    checkPage(page);
});

test('CSV export of the list as shown', async () => {
    await page.goto(`/${NAME}?done=false&q=${encodeURIComponent('Первый')}`);
    await waitText(page, '.list-count', '1 запись');
    const [download] = await Promise.all([page.waitForEvent('download'),
        page.locator('a[data-export=csv]').click()]);
    const text = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    assert.match(lines[0], /Название/);
    assert.equal(lines.length, 2, text);
    assert.match(lines[1], /Первый проект/);
    checkPage(page);
});

test('archive, restore and delete from the card, as the buttons say', async () => {
    await page.goto(`/${NAME}?q=${encodeURIComponent('Второй')}`);
    await waitText(page, '.list-count', '1 запись');
    await rows().first().getByRole('link').first().click();
    await waitText(page, 'h1', 'Второй');
    await page.getByRole('button', { name: 'В архив' }).click();
    await waitText(page, '.record-head .badge', 'В архиве');
    await page.goto(`/${NAME}?archived=true`);
    await waitText(page, '.list-count', '1 запись');
    assert.equal((await firstRow().textContent()).trim(), 'Второй');
    await rows().first().getByRole('link').first().click();
    await page.getByRole('button', { name: 'Вернуть из архива' }).click();
    await page.getByRole('button', { name: 'В архив' }).waitFor();
    assert.equal(await page.locator('.record-head .badge').count(), 0);
    await page.locator('.record-actions').getByRole('button', { name: 'Удалить' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Удалить' }).click();
    await page.waitForURL(new RegExp(`/${NAME}(\\?|$)`));
    await page.goto(`/${NAME}?q=${encodeURIComponent('Второй')}`);
    await waitText(page, '.list', 'Ничего не найдено');
    checkPage(page);
    await page.context().close();
});
