// tests/e2e/lib.js -- the browser side of the e2e tests: Debian's
// chromium driven by playwright-core, a Kedr stack per test file
// (tests/lib/stack.js), screenshots, and a few helpers.
//
//   const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
//   const page = await newPage(browser);
//   await login(page, stack, 'admin', admin);
//   await shot(page, 'home');                  // build/e2e-shots/<file>-home.png
//
// Every page records console errors and failed requests; checkPage(page)
// fails the test when the page logged an error (a CSP violation, an
// uncaught exception, a missing module file).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { chromium } from 'playwright-core';
import { startStack, ROOT } from '../lib/stack.js';

export const CHROMIUM = process.env.KEDR_CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.KEDR_E2E_SHOTS || path.join(ROOT, process.env.B || 'build', 'e2e-shots');
// Headless chromium, fresh profile (a temporary one per launch), nothing
// that phones home.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    '--disable-features=Translate,MediaRouter', '--lang=ru-RU'];

// Fast password hashing for the test stack (argon2 at its cheapest).
const SECURITY = { argon2_ops: 1, argon2_mem_kib: 8192 };

let shotPrefix = 'e2e';

export async function setup(opts = {}) {
    shotPrefix = opts.prefix || path.basename(process.argv[1] || 'e2e', '.test.js');
    fs.mkdirSync(SHOTS, { recursive: true });
    const groups = { ...(opts.groups || {}), security: { ...SECURITY, ...(opts.groups?.security || {}) } };
    const stack = await startStack({ ...opts, groups });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    after(() => browser.close());
    const admin = fs.readFileSync(path.join(stack.dir, 'admin-password'), 'utf8').trim();
    return { stack, browser, admin };
}

const errors = new WeakMap();

// A page in a new context (its own cookies and storage).
export async function newPage(browser, stack, { viewport = { width: 1280, height: 800 }, ...ctxOpts } = {}) {
    const context = await browser.newContext({ baseURL: stack.url, viewport, locale: 'ru-RU',
        timezoneId: 'Europe/Moscow', ...ctxOpts });
    return watch(await context.newPage());
}

// Record a page's console errors and uncaught exceptions.
export function watch(page) {
    const list = [];
    errors.set(page, list);
    page.on('console', (m) => {
        if (m.type() !== 'error') return;
        const text = m.text();
        // a 401/403/404/409/422 the page handles is logged by chromium as
        // a failed resource; those are expected, the rest is not
        if (/Failed to load resource: the server responded with a status of (401|403|404|409|422|429)/.test(text)) return;
        list.push(text);
    });
    page.on('pageerror', (e) => list.push(`uncaught: ${e.message}`));
    return page;
}

export function checkPage(page) {
    const list = errors.get(page) || [];
    assert.deepEqual(list, [], `the page logged errors:\n${list.join('\n')}`);
}

// A screenshot: build/e2e-shots/<test file>-<name>.png
export async function shot(page, name, opts = {}) {
    const file = path.join(SHOTS, `${shotPrefix}-${name}.png`);
    // let toasts and transitions settle
    await page.waitForTimeout(opts.wait ?? 150);
    await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
    return file;
}

// Log in through the login page (wherever the page is now).
export async function login(page, loginName, password, { expectUrl } = {}) {
    if (!/\/login/.test(page.url())) await page.goto('/login');
    await page.getByLabel('Логин').or(page.getByLabel('Login', { exact: true })).fill(loginName);
    await page.getByLabel('Пароль').or(page.getByLabel('Password')).fill(password);
    await page.locator('form.login-form button[type=submit]').click();
    await page.locator('.layout-app').waitFor();
    if (expectUrl) await page.waitForURL(expectUrl);
}

// The text of the first element matching `selector`, once it is visible.
export async function textOf(page, selector) {
    const loc = page.locator(selector).first();
    await loc.waitFor();
    return (await loc.textContent()).trim();
}

// Wait until an element matching `selector` shows `text`.
export async function waitText(page, selector, text, { timeout = 10000 } = {}) {
    await page.locator(selector, { hasText: text }).first().waitFor({ timeout });
}

// The API as a person with a session: log in with fetch, then call with
// the cookie and the CSRF token.
export async function apiSession(stack, loginName, password) {
    const res = await fetch(`${stack.url}/api/v1/session`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: loginName, password }) });
    assert.equal(res.status, 201, `API login of ${loginName}`);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const doc = await res.json();
    const call = async (method, p, body) => {
        const r = await fetch(`${stack.url}/api/v1${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body),
            headers: { Cookie: cookie, 'X-CSRF-Token': doc.csrf_token, 'Content-Type': 'application/json' } });
        const text = await r.text();
        return { status: r.status, json: text ? JSON.parse(text) : null };
    };
    return { cookie, csrf: doc.csrf_token, call };
}
