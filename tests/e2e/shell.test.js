// Browser tests of the shell: login and logout, the wrong-password
// message, deep links, the menu by permission, the language switch, the
// phone layout, the 404 page, session expiry, the 503 banner, and the
// first page's weight.  One stack (the test module t_desk enabled), one
// chromium.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, apiSession } from './lib.js';
import { firstPage, BUDGET } from './www-size.mjs';

// Throttling after 4 failed logins of one login in 10 s, and no slowing
// down before that (the per-address limit stays at its default, higher).
const { stack, browser, admin } = await setup({ enabled: ['t_desk'],
    groups: { security: { login_max_failures: 4, login_window: 10, login_slow_after: 1000 } } });
const ANALYST_PW = 'analyst-pass-2024';
{
    const s = await apiSession(stack, 'admin', admin);
    const r = await s.call('POST', '/users', { login: 'analyst1', full_name: 'Анна Аналитик', roles: ['analyst'],
        password: ANALYST_PW });
    assert.equal(r.status, 201, JSON.stringify(r.json));
}

test('login page: wrong password, log in, log out', async () => {
    const page = await newPage(browser, stack);
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByLabel('Логин').waitFor();
    assert.equal(await page.title(), 'Вход — Кедр');
    await shot(page, 'login');

    // an empty form is refused in the browser
    await page.getByRole('button', { name: 'Войти' }).click();
    await waitText(page, '.login-error', 'Введите логин и пароль');

    await page.getByLabel('Логин').fill('admin');
    await page.getByLabel('Пароль').fill('not-the-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await waitText(page, '.login-error', 'Неверный логин или пароль.');
    assert.equal(await page.getByLabel('Пароль').inputValue(), '', 'the wrong password is cleared');
    await shot(page, 'login-wrong-password');

    await login(page, 'admin', admin);
    await page.waitForURL((u) => u.pathname === '/');
    await waitText(page, 'h1', 'Здравствуйте, Администратор');
    const menu = await page.locator('#nav a').allTextContents();
    assert.deepEqual(menu, ['Главная', 'Доска задач', 'Пользователи', 'Роли', 'Дополнительные поля', 'API-токены', 'Модули', 'Журнал изменений']);
    await shot(page, 'home');

    await page.getByRole('button', { name: /Меню пользователя/ }).click();
    await shot(page, 'user-menu');
    await page.getByRole('menuitem', { name: 'Выйти', exact: true }).click();
    await page.waitForURL('**/login');
    // the session is gone on the server too: a deep link asks to log in
    await page.goto('/admin/users');
    await page.waitForURL('**/login?next=%2Fadmin%2Fusers');
    checkPage(page);
    await page.context().close();
});

test('log out everywhere ends the sessions of the other browsers too', async () => {
    const a = await newPage(browser, stack);
    const b = await newPage(browser, stack);
    await login(a, 'analyst1', ANALYST_PW);
    await login(b, 'analyst1', ANALYST_PW);
    await a.getByRole('button', { name: /Меню пользователя/ }).click();
    await a.getByRole('menuitem', { name: 'Выйти на всех устройствах' }).click();
    const dlg = a.getByRole('dialog', { name: 'Выйти на всех устройствах' });
    await dlg.waitFor();
    await shot(a, 'logout-everywhere');
    await dlg.getByRole('button', { name: 'Выйти на всех устройствах' }).click();
    await a.waitForURL('**/login');
    // the other browser finds out at its next request
    await b.goto('/admin/audit?entity=core.user');
    await b.waitForURL('**/login?next=%2Fadmin%2Faudit%3Fentity%3Dcore.user');
    await b.getByLabel('Логин').waitFor();
    checkPage(a);
    checkPage(b);
    await a.context().close();
    await b.context().close();
});

test('deep link after login, back button, 404', async () => {
    const page = await newPage(browser, stack);
    await page.goto('/admin/users?q=adm');
    await page.waitForURL('**/login?next=**');
    await login(page, 'admin', admin, { expectUrl: '**/admin/users?q=adm' });
    await waitText(page, 'h1', 'Пользователи');
    await waitText(page, '.list-count', '1 запись');
    assert.equal(await page.getByLabel('Поиск', { exact: true }).inputValue(), 'adm');
    await shot(page, 'users-list-deep-link');

    // a link, then back
    await page.locator('#nav').getByRole('link', { name: 'Роли', exact: true }).click();
    await page.waitForURL('**/admin/roles');
    await waitText(page, 'table', 'Администратор');
    await shot(page, 'roles-list');
    await page.goBack();
    await page.waitForURL('**/admin/users?q=adm');
    await waitText(page, '.list-count', '1 запись');

    await page.goto('/no/such/page');
    await waitText(page, 'h1', 'Страница не найдена');
    assert.equal(await page.locator('#nav').count(), 1, 'the 404 page keeps the menu');
    await shot(page, 'not-found');
    checkPage(page);
    await page.context().close();
});

test('the menu shows only what the user may use', async () => {
    const page = await newPage(browser, stack);
    await login(page, 'analyst1', ANALYST_PW);
    const menu = await page.locator('#nav a').allTextContents();
    // t_desk's page needs no permission; the analyst reads the audit trail only
    assert.deepEqual(menu, ['Главная', 'Доска задач', 'Журнал изменений']);
    assert.equal(await page.getByRole('link', { name: 'Пользователи' }).count(), 0);
    await shot(page, 'analyst-home');
    await page.goto('/admin/users');
    await waitText(page, 'h1', 'Нет доступа');
    await shot(page, 'analyst-forbidden');

    // t_desk's page: loaded on demand; without t_desk.write no row actions
    await page.locator('#nav').getByRole('link', { name: 'Доска задач' }).click();
    await waitText(page, 'h1', 'Карточки');
    await waitText(page, 'table', 'Ship it');
    assert.equal(await page.locator('.list tbody').getByRole('button', { name: 'Удалить' }).count(), 0);
    checkPage(page);
    await page.context().close();
});

test('language switch', async () => {
    const page = await newPage(browser, stack);
    await login(page, 'admin', admin);
    await page.getByRole('button', { name: /Меню пользователя/ }).click();
    await page.getByRole('menuitemradio', { name: 'English' }).click();
    await waitText(page, 'h1', 'Hello, Администратор');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.deepEqual(await page.locator('#nav a').allTextContents(),
        ['Home', 'Desk', 'Users', 'Roles', 'Extra fields', 'API tokens', 'Modules', 'Audit trail']);
    await shot(page, 'home-en');
    await page.locator('#nav').getByRole('link', { name: 'Users', exact: true }).click();
    await waitText(page, '.list-count', 'records');
    await shot(page, 'users-list-en');
    // the choice stays after a reload
    await page.reload();
    await waitText(page, 'h1', 'Users');
    // and back to Russian, from the keyboard
    await page.getByRole('button', { name: /User menu/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitemradio', { name: 'Русский' }).waitFor();
    await page.keyboard.press('ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /English$/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await waitText(page, 'h1', 'Пользователи');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    // the login page switches too
    const anon = await newPage(browser, stack);
    await anon.goto('/login');
    await anon.getByRole('button', { name: 'English' }).click();
    await anon.getByLabel('Password').waitFor();
    await shot(anon, 'login-en');
    checkPage(page);
    checkPage(anon);
    await anon.context().close();
    await page.context().close();
});

test('a phone-sized viewport renders the menu', async () => {
    const page = await newPage(browser, stack, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true,
        deviceScaleFactor: 2 });
    await page.goto('/login');
    await shot(page, 'phone-login');
    await login(page, 'admin', admin);
    const nav = page.locator('#nav');
    const toggle = page.getByRole('button', { name: 'Меню', exact: true });
    await toggle.waitFor();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.ok(!(await nav.isVisible()) || (await nav.boundingBox()).x + (await nav.boundingBox()).width <= 0,
        'the menu is off-screen until opened');
    await shot(page, 'phone-home');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await page.waitForFunction(() => document.getElementById('nav').getBoundingClientRect().x >= 0);
    const box = await nav.boundingBox();
    assert.ok(box.width >= 200 && box.width <= 360, `menu width ${box.width}`);
    const usersLink = nav.getByRole('link', { name: 'Пользователи', exact: true });
    await usersLink.waitFor();
    await shot(page, 'phone-menu-open');
    await usersLink.click();
    await page.waitForURL('**/admin/users');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the menu closes after a choice');
    await waitText(page, '.list-count', 'запис');
    // the page does not scroll sideways
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
        'no horizontal scroll on a phone');
    await shot(page, 'phone-users-list');
    await page.goto('/admin/roles/1');
    await waitText(page, 'h1', 'Администратор');
    await shot(page, 'phone-role', { fullPage: true });
    checkPage(page);
    await page.context().close();
});

test('the session ends: back to login, then back to the page', async () => {
    const page = await newPage(browser, stack);
    await login(page, 'admin', admin);
    await page.goto('/admin/roles');
    await waitText(page, 'table', 'Администратор');
    // the server forgets every session (idle expiry, logout elsewhere)
    await stack.psql('DELETE FROM core.session');
    await page.locator('#nav').getByRole('link', { name: 'Модули', exact: true }).click();
    await page.waitForURL('**/login?next=%2Fadmin%2Fmodules');
    await waitText(page, '.login-error', 'Сеанс завершён');
    await shot(page, 'session-expired');
    await login(page, 'admin', admin, { expectUrl: '**/admin/modules' });
    await waitText(page, 'table', 't_desk');
    await shot(page, 'modules');
    checkPage(page);
    await page.context().close();
});

test('the database goes away: a banner, then it comes back', async () => {
    const page = await newPage(browser, stack);
    await login(page, 'admin', admin);
    await page.goto('/admin/users');
    await waitText(page, '.list-count', 'запис');
    await stack.pgStop();
    try {
        await page.getByLabel('Поиск', { exact: true }).fill('zz');
        await waitText(page, '.banner', 'Сервер временно недоступен', { timeout: 15000 });
        await shot(page, 'banner-503');
    } finally {
        await stack.pgStart();
    }
    await page.locator('.banner').getByRole('button', { name: 'Повторить' }).click();
    await page.locator('.banner').waitFor({ state: 'hidden', timeout: 15000 });
    await page.getByLabel('Поиск', { exact: true }).fill('');
    await waitText(page, '.list-count', 'запис');
    await page.context().close();
});

test('the first page stays within 200 KB of JS and CSS', async () => {
    const page = await newPage(browser, stack);
    const sizes = [];
    page.on('response', async (res) => {
        const type = res.headers()['content-type'] || '';
        if (/javascript|css/.test(type)) {
            // the path without the install's stamp (/v/<stamp>/js/app.js)
            const url = new URL(res.url()).pathname.replace(/^\/v\/[0-9a-f]+/, '');
            sizes.push({ url, bytes: (await res.body()).length });
        }
    });
    await page.goto('/login');
    await page.getByLabel('Логин').waitFor();
    await page.waitForLoadState('networkidle');
    const total = sizes.reduce((a, s) => a + s.bytes, 0);
    const fromDisk = firstPage();
    console.log(`# first page in the browser: ${sizes.length} files, ${total} B (JS+CSS, uncompressed);`
        + ` static graph on disk: JS ${fromDisk.js} B + CSS ${fromDisk.css} B`);
    assert.ok(total > 0 && total < BUDGET, `first page ${total} B over the ${BUDGET} B budget`);
    assert.ok(fromDisk.total < BUDGET);
    assert.deepEqual(fromDisk.preload, { missing: [], extra: [] }, 'index.html preloads exactly the first page\'s modules');
    assert.ok(!sizes.some((s) => s.url.startsWith('/js/admin/') || s.url.startsWith('/m/')),
        'admin screens and module code load lazily');
    await page.context().close();
});

test('too many failed logins: the throttling message', async () => {
    const page = await newPage(browser, stack);
    await page.goto('/login');
    await page.getByLabel('Логин').fill('nobody');
    for (let i = 0; i < 4; i++) {
        await page.getByLabel('Пароль').fill(`wrong-${i}`);
        await page.getByRole('button', { name: 'Войти' }).click();
        await waitText(page, '.login-error', 'Неверный логин или пароль.');
        await page.locator('form.login-form button[type=submit]:not([disabled])').waitFor();
    }
    await page.getByLabel('Пароль').fill('wrong-again');
    await page.getByRole('button', { name: 'Войти' }).click();
    await waitText(page, '.login-error', 'Слишком много неудачных попыток входа. Попробуйте через 1 минуту.');
    await shot(page, 'login-throttled');
    checkPage(page);
    await page.context().close();
});
