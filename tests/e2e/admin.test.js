// Browser tests of the admin screens and the shared components they use:
// a user created through the form (client checks, the server's field
// errors shown at the field), the same record edited in two tabs (the
// second save gets the conflict and reloads), the unsaved-changes guard,
// the role permission matrix, API tokens (the secret shown once), the
// audit trail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, textOf } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
const page = await newPage(browser, stack);
await login(page, 'admin', admin);
let userId;

test('create a user: client checks, then the server\'s errors at the field', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Пользователи', exact: true }).click();
    await page.getByRole('link', { name: 'Новый пользователь' }).click();
    await page.waitForURL('**/admin/users/new');
    const form = page.locator('form.form');
    // nothing filled: the browser-side check stops it at the login
    await form.getByRole('button', { name: 'Создать пользователя' }).click();
    await waitText(page, '[data-field=login] .field-error', 'Обязательное поле');
    assert.equal(await page.getByLabel('Логин').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'login', 'focus goes to the first bad field');
    await page.getByLabel('Логин').fill('петров');
    await page.getByLabel('E-mail').fill('not-an-address');
    await form.getByRole('button', { name: 'Создать пользователя' }).click();
    await waitText(page, '[data-field=login] .field-error', 'Только латинские буквы');
    await waitText(page, '[data-field=email] .field-error', 'name@example.ru');
    await shot(page, 'user-new-client-errors', { fullPage: true });

    // what only the server knows: the password may not be the login
    await page.getByLabel('Логин').fill('petrov.ivan');
    await page.getByLabel('ФИО').fill('Петров Иван Сергеевич');
    await page.getByLabel('E-mail').fill('petrov@example.ru');
    await page.getByLabel('Телефон').fill('+7 912 345-67-89');
    await page.getByLabel('Менеджер').check();
    await page.getByLabel('Пароль').fill('petrov.ivan');
    assert.equal(await page.locator('[data-field=login] .field-error').isVisible(), false,
        'a corrected field loses its error');
    await form.getByRole('button', { name: 'Создать пользователя' }).click();
    await waitText(page, '[data-field=password] .field-error', 'Пароль не должен совпадать с логином');
    assert.equal(await page.getByLabel('Пароль').getAttribute('aria-invalid'), 'true');
    await waitText(page, '.form-alert', 'Исправьте отмеченные поля');
    await shot(page, 'user-new-server-error', { fullPage: true });

    // a login that exists: 409 naming the field
    await page.getByLabel('Логин').fill('ADMIN');
    await page.getByLabel('Пароль').fill('a-good-password-1');
    await form.getByRole('button', { name: 'Создать пользователя' }).click();
    await waitText(page, '[data-field=login] .field-error', 'Пользователь с таким логином уже есть');

    // regions as chips: Enter and commas add, × removes
    const regions = page.getByLabel('Регионы', { exact: true });
    await regions.fill('Москва');
    await regions.press('Enter');
    await regions.pressSequentially('Тула, Калуга,');
    const chips = page.locator('[data-field=regions] .chip-item');
    assert.deepEqual(await chips.allTextContents(), ['Москва×', 'Тула×', 'Калуга×']);
    await page.getByRole('button', { name: 'Убрать регион «Тула»' }).click();
    assert.equal(await page.evaluate(() => document.activeElement.id), await regions.getAttribute('id'),
        'the focus goes back to the input');
    await regions.fill('Тверь');
    await regions.press('Backspace');
    await regions.press('Backspace');
    await regions.press('Backspace');
    await regions.press('Backspace');
    await regions.press('Backspace');
    await regions.press('Backspace'); // the empty input: the last chip goes
    assert.deepEqual(await chips.allTextContents(), ['Москва×'], 'Backspace in the empty input removed Калуга');
    await regions.fill('Калуга'); // left in the input: saved too
    await shot(page, 'user-new-regions', { fullPage: true });

    await page.getByLabel('Логин').fill('petrov.ivan');
    await form.getByRole('button', { name: 'Создать пользователя' }).click();
    await page.waitForURL(/\/admin\/users\/\d+$/);
    userId = Number(new URL(page.url()).pathname.split('/').pop());
    await waitText(page, 'h1', 'Петров Иван Сергеевич');
    await waitText(page, '.toast', 'Пользователь создан');
    await waitText(page, '.badges', 'Менеджер');
    assert.deepEqual(await page.locator('[data-field=regions] .chip-item span').allTextContents(), ['Калуга', 'Москва'],
        'the server keeps them sorted');
    assert.deepEqual((await stack.rows("SELECT regions FROM core.\"user\" WHERE login = 'petrov.ivan'"))[0].regions,
        ['Калуга', 'Москва']);
    await shot(page, 'user-page');
    checkPage(page);
});

test('the same record edited in two tabs: the second save gets the conflict', async () => {
    const tab2 = await page.context().newPage();
    await page.goto(`/admin/users/${userId}`);
    await tab2.goto(`/admin/users/${userId}`);
    await page.getByLabel('ФИО').waitFor();
    await tab2.getByLabel('ФИО').waitFor();

    await page.getByLabel('ФИО').fill('Петров Иван');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Сохранено');
    await waitText(page, 'h1', 'Петров Иван');

    await tab2.getByLabel('Телефон').fill('+7 900 000-00-00');
    await tab2.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(tab2, '.form-alert', 'Запись изменил другой пользователь');
    await shot(tab2, 'user-conflict');
    await tab2.getByRole('button', { name: 'Загрузить свежую версию' }).click();
    await waitText(tab2, '.toast', 'Загружена свежая версия');
    assert.equal(await tab2.getByLabel('ФИО').inputValue(), 'Петров Иван');
    assert.equal(await tab2.getByLabel('Телефон').inputValue(), '+7 912 345-67-89', 'the other tab\'s edit is gone');
    // now the save goes through
    await tab2.getByLabel('Телефон').fill('+7 900 000-00-00');
    await tab2.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(tab2, '.toast', 'Сохранено');
    checkPage(tab2);
    await tab2.close();
});

test('unsaved changes: leaving asks first', async () => {
    await page.goto(`/admin/users/${userId}`);
    await page.getByLabel('ФИО').fill('Черновик');
    await page.locator('#nav').getByRole('link', { name: 'Роли', exact: true }).click();
    const dlg = page.getByRole('dialog', { name: 'Уйти без сохранения?' });
    await dlg.waitFor();
    await shot(page, 'unsaved-guard');
    await dlg.getByRole('button', { name: 'Остаться' }).click();
    assert.match(page.url(), new RegExp(`/admin/users/${userId}$`));
    assert.equal(await page.getByLabel('ФИО').inputValue(), 'Черновик');
    await page.locator('#nav').getByRole('link', { name: 'Роли', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Уйти' }).click();
    await page.waitForURL('**/admin/roles');
});

test('the user\'s history comes from the audit trail', async () => {
    await page.goto(`/admin/users/${userId}?tab=history`);
    await waitText(page, '.history-item', 'изменение');
    const items = page.locator('.history-item');
    assert.equal(await items.count(), 3, 'created, then updated twice');
    await waitText(page, '.history-item', 'создание');
    await waitText(page, '.diff', 'Петров Иван');
    await shot(page, 'user-history', { fullPage: true });
    // the list's search and filters live in the URL
    await page.goto('/admin/users?active=true&q=petrov');
    await waitText(page, '.list-count', '1 запись');
    await page.getByRole('button', { name: 'Столбцы' }).click();
    await page.getByRole('group', { name: 'Показывать столбцы' }).getByLabel('Телефон').check();
    await waitText(page, 'table', '+7 (900) 000-00-00'); // the shell's one phone format
    await waitText(page, 'table', 'Калуга, Москва');
    await shot(page, 'users-list-columns');
    await page.keyboard.press('Escape');
});

test('a role\'s permissions, grouped by module, and the matrix of all roles', async () => {
    await page.goto('/admin/roles');
    await page.getByRole('link', { name: 'Менеджер' }).click();
    await waitText(page, 'h1', 'Менеджер');
    await page.getByLabel('Вести доску').check();
    await page.getByLabel('Читать журнал изменений').check();
    await waitText(page, '[data-module=core] .perm-count', '1 из 5');
    // own records only: its holders see their own clients and their
    // regions' (a manager is shipped so); unchecked and checked again
    const own = page.getByLabel('Только свои записи');
    assert.equal(await own.isChecked(), true);
    await own.uncheck();
    await own.check();
    await shot(page, 'role-page', { fullPage: true });
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Сохранено');
    await waitText(page, '.record-title .badges', 'Только свои');

    await page.getByRole('tab', { name: /Пользователи/ }).click();
    await waitText(page, '[role=tabpanel]:not([hidden])', 'petrov.ivan');
    await page.getByRole('tab', { name: 'История' }).click();
    await waitText(page, '[role=tabpanel]:not([hidden]) .history-item', 't_desk.write');

    await page.goto('/admin/roles?view=matrix');
    // the matrix says which roles are limited to their own records
    assert.match(await page.locator('th.matrix-role', { hasText: 'Менеджер' }).innerText(), /Только свои/);
    assert.doesNotMatch(await page.locator('th.matrix-role', { hasText: 'Поддержка' }).innerText(), /Только свои/);
    const cell = page.locator('input[data-role=support][data-perm="t_desk.write"]');
    await cell.check();
    await waitText(page, '.matrix-bar', 'Изменена 1 роль');
    await shot(page, 'roles-matrix', { fullPage: true });
    await page.locator('.matrix-bar').getByRole('button', { name: 'Сохранить' }).click();
    await waitText(page, '.toast', 'Сохранено');
    const roles = await stack.rows("SELECT name, permissions, own_only FROM core.role WHERE name IN ('manager', 'support') ORDER BY name");
    assert.deepEqual(roles, [
        { name: 'manager', permissions: ['core.audit.read', 't_desk.write'], own_only: true },
        { name: 'support', permissions: ['t_desk.write'], own_only: false },
    ]);
    await page.goto('/admin/roles');
    await waitText(page, 'table', 'Только свои');
    assert.match(await page.getByRole('row', { name: /Менеджер/ }).textContent(), /Только свои/);

    // a role holding every permission cannot be limited: said at the field
    await page.goto('/admin/roles/new');
    await page.getByLabel('Код роли').fill('all_own');
    await page.getByLabel('Все права (*)').check();
    await page.getByLabel('Только свои записи').check();
    await page.getByRole('button', { name: 'Создать роль' }).click();
    await waitText(page, '[data-field=own_only] .field-error', 'Роль со всеми правами (*) видит все записи');
    await shot(page, 'role-own-only-star', { fullPage: true });
    await page.getByLabel('Все права (*)').uncheck();
    await page.getByLabel('Вести доску').check();
    await page.getByRole('button', { name: 'Создать роль' }).click();
    await page.waitForURL(/\/admin\/roles\/\d+$/);
    await waitText(page, '.record-title .badges', 'Только свои');
    assert.deepEqual(await stack.rows("SELECT own_only, permissions FROM core.role WHERE name = 'all_own'"),
        [{ own_only: true, permissions: ['t_desk.write'] }]);
    await page.goto('/admin/roles');
    checkPage(page);
});

test('API tokens: the secret is shown once, then revoked', async () => {
    await page.goto('/admin/tokens');
    await waitText(page, 'main', 'Токенов пока нет');
    await page.getByRole('button', { name: 'Новый токен' }).click();
    const dlg = page.getByRole('dialog', { name: 'Новый токен' });
    await dlg.getByLabel('Название').fill('1С:УТ, обмен заказами');
    await dlg.getByLabel('Вести доску').check();
    await shot(page, 'token-new');
    await dlg.getByRole('button', { name: 'Создать токен' }).click();
    const secretDlg = page.getByRole('dialog', { name: /Токен «1С:УТ, обмен заказами» создан/ });
    await secretDlg.waitFor();
    const secret = await secretDlg.getByLabel('Секрет токена').inputValue();
    assert.match(secret, /^kedr_[A-Za-z0-9_-]{40,}$/);
    await shot(page, 'token-secret');
    await secretDlg.getByRole('button', { name: 'Я сохранил токен' }).click();
    await waitText(page, 'table', '1С:УТ, обмен заказами');
    assert.equal(await page.locator('main').getByText(secret).count(), 0, 'the secret is not shown again');
    // the token works
    const res = await fetch(`${stack.url}/api/v1/t_desk/cards`, { method: 'POST',
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ lane: 'todo', title: 'Здравствуйте из 1С' }) });
    assert.equal(res.status, 201);
    // its owner, and what it may do now (its own permissions its owner holds)
    await page.reload();
    const row = page.locator('tbody tr', { hasText: '1С:УТ, обмен заказами' });
    await row.waitFor();
    const head = (await page.locator('thead th').allInnerTexts()).map((x) => x.split('\n')[0].trim());
    const cells = (await row.locator('th, td').allInnerTexts()).map((x) => x.trim());
    const cell = (label) => cells[head.indexOf(label)];
    assert.equal(cell('Владелец'), 'admin');
    assert.equal(cell('Права'), 't_desk.write');
    assert.equal(cell('Действующие права'), 't_desk.write');
    await shot(page, 'tokens-list');
    await page.getByRole('button', { name: 'Отозвать токен «1С:УТ, обмен заказами»' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Отозвать' }).click();
    await waitText(page, '.toast', 'отозван');
    await waitText(page, 'table', 'отозван');

    // a token whose owner is disabled says so, and may do nothing
    const api = await stack.loginAdmin();
    const pw = `Greeter-${Date.now()}`;
    await api.post('/api/v1/roles', { name: 'greeters', permissions: ['core.users.manage', 't_desk.write'] });
    const owner = (await api.post('/api/v1/users', { login: 'greeter', roles: ['greeters'], password: pw })).json;
    const tok = await (await stack.login('greeter', pw)).post('/api/v1/tokens', { name: 'Касса', permissions: ['t_desk.write'] });
    assert.equal(tok.status, 201, tok.text);
    assert.equal((await api.patch(`/api/v1/users/${owner.id}`, { version: owner.version, active: false })).status, 200);
    await page.reload();
    const off = page.locator('tbody tr', { hasText: 'Касса' });
    await off.waitFor();
    assert.match(await off.innerText(), /владелец отключён/);
    checkPage(page);
});

test('the audit trail: pick a kind of record and one record by type-ahead', async () => {
    await page.goto('/admin/audit');
    await page.getByLabel('Что искать').selectOption('core.user');
    const combo = page.getByRole('combobox', { name: 'Запись' });
    await combo.fill('petr');
    await page.getByRole('option', { name: /Петров Иван/ }).click();
    await shot(page, 'audit-search');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(`**/admin/audit?entity=core.user&id=${userId}`);
    await waitText(page, 'h2', 'История: core.user — Петров Иван');
    await waitText(page, '.history-item', 'создание');
    await shot(page, 'audit-results', { fullPage: true });
    checkPage(page);
});
