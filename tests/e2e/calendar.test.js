// Browser tests of the calendar component (www/js/ui/calendar.js,
// kedr.ui.calendar) through the test module t_desk's calendar
// (/t_desk/calendar): FullCalendar loaded only there, in Russian, with the
// cards on the day they were
// created (events from the page's callback); month/week and previous/next
// navigation; an event opens its record; a drag the page refuses puts the
// event back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_desk'] });
const api = await apiSession(stack, 'admin', admin);
const hola = (await api.call('POST', '/t_desk/cards', { lane: 'later', title: 'Hola' })).json;
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

const cal = page.locator('.calendar');
const title = () => cal.getByRole('heading').textContent();
const event = (text) => cal.getByText(text, { exact: true });

test('the calendar loads FullCalendar only when opened and shows the cards on their day', async () => {
    const vendorRequests = [];
    page.on('request', (r) => {
        if (r.url().includes('/vendor/')) vendorRequests.push(new URL(r.url()).pathname.replace(/^\/v\/[0-9a-f]+/, ''));
    });
    await page.goto('/t_desk/calendar');
    await event('Hola').waitFor();
    assert.ok(vendorRequests.includes('/vendor/fullcalendar/global.js'), vendorRequests.join(' '));
    assert.ok(vendorRequests.includes('/vendor/fullcalendar/theme.css'), 'its stylesheet, not injected styles');
    assert.ok(!vendorRequests.some((p) => p.includes('/sortable/') || p.includes('/chart/')), 'no other library');
    for (const text of ['Написать письмо', 'Ship it']) await event(text).waitFor();
    // this month, in Russian, today's cell holding the three
    const month = new Intl.DateTimeFormat('ru-RU', { month: 'long', year: 'numeric', timeZone: 'Europe/Moscow' })
        .format(new Date());
    assert.equal(await title(), month);
    assert.ok(await cal.getByRole('button', { name: 'Сегодня' }).isDisabled(), 'showing today already');
    await shot(page, 'month');
    checkPage(page);
});

test('previous, next, today and the week view navigate, fetching the events of each range', async () => {
    const month = await title();
    await cal.getByRole('button', { name: 'След' }).click();
    await page.waitForFunction((m) => document.querySelector('.calendar [role=heading]').textContent !== m, month);
    assert.equal(await event('Hola').count(), 0, 'next month: no cards yet');
    await shot(page, 'next-month');
    await cal.getByRole('button', { name: 'Сегодня' }).click();
    await event('Hola').waitFor();
    assert.equal(await title(), month);

    await cal.getByRole('tab', { name: 'Неделя' }).click();
    assert.equal(await cal.getByRole('tab', { name: 'Неделя' }).getAttribute('aria-selected'), 'true');
    // a week: seven days with their dates, the all-day row, the hours
    await cal.getByText('Весь день').waitFor();
    assert.equal(await cal.getByRole('columnheader').count(), 7);
    await event('Hola').waitFor();
    await shot(page, 'week');
    await cal.getByRole('button', { name: 'Пред' }).click();
    await page.waitForFunction(() => !document.querySelector('.calendar').textContent.includes('Hola'));
    await cal.getByRole('button', { name: 'Сегодня' }).click();
    await event('Hola').waitFor();
    await cal.getByRole('tab', { name: 'Месяц' }).click();
    await page.waitForFunction((m) => document.querySelector('.calendar [role=heading]').textContent === m, month);
    checkPage(page);
});

test('a card dragged to another day is refused and put back; a click opens it', async () => {
    const before = await event('Hola').boundingBox();
    await page.mouse.move(before.x + 10, before.y + before.height / 2);
    await page.mouse.down();
    await page.mouse.move(before.x + 30, before.y + before.height / 2 + 20, { steps: 5 });
    await page.mouse.move(before.x + 10 + (before.width > 100 ? 160 : 150), before.y + 130, { steps: 20 });
    await page.mouse.up();
    await page.locator('.toast-error', { hasText: 'Дату создания «Hola» изменить нельзя' }).waitFor();
    await shot(page, 'refused');
    const after = await event('Hola').boundingBox();
    assert.ok(Math.abs(after.x - before.x) < 2 && Math.abs(after.y - before.y) < 2,
        `back in its place: ${JSON.stringify({ before, after })}`);

    await event('Hola').click();
    await page.waitForURL(`**/t_desk/${hola.id}`);
    await page.getByRole('heading', { name: 'Hola' }).waitFor();
    checkPage(page);
});
