// The shell's generic entity screens (www/js/ui/entity.js) on the kit's
// test module t_kit (tests/modules/t_kit: two entities, menu entries, no
// page of its own): a reference shown by the referenced record's name and
// linked to its page, a reference filter and a type-ahead picker over an
// entity without a search, the column chooser remembered, extra
// attributes in the form and on the card, the history with names and
// labels, the XLSX link driven by the list's query.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText, textOf, apiSession } from './lib.js';

const { stack, browser, admin } = await setup({ enabled: ['t_kit'] });
const api = await apiSession(stack, 'admin', admin);
const made = async (p, body) => {
    const r = await api.call('POST', p, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
};
assert.equal((await api.call('POST', '/attributes', { entity: 't_kit.widget', name: 'colour', type: 'text',
    label_ru: 'Цвет', label_en: 'Colour' })).status, 201);
const upper = await made('/t_kit/shelves', { name: 'Верхняя' });
const lower = await made('/t_kit/shelves', { name: 'Нижняя' });
const alpha = await made('/t_kit/widgets', { name: 'Альфа', qty: 3, shelf_id: upper.id });
await made('/t_kit/widgets', { name: 'Бета', qty: 5, shelf_id: lower.id });
await made('/t_kit/widgets', { name: 'Гамма', qty: 7 });

const page = await newPage(browser, stack);
await login(page, 'admin', admin);

test('the list: a reference by name, its filter, the column chooser remembered', async () => {
    await page.locator('#nav').getByRole('link', { name: 'Изделия' }).click();
    await page.waitForURL('**/t_kit/widgets');
    await waitText(page, '.list-count', '3');
    // the shelf is the 9th column: hidden until chosen, then remembered
    assert.equal(await page.locator('.list thead th', { hasText: 'Полка' }).count(), 0);
    await page.getByRole('button', { name: 'Столбцы' }).click();
    await page.getByRole('group', { name: 'Показывать столбцы' }).getByLabel('Полка').check();
    await page.keyboard.press('Escape');
    await page.reload();
    await page.locator('.list thead th', { hasText: 'Полка' }).waitFor();
    const alphaRow = page.locator('.list tbody tr', { hasText: 'Альфа' });
    await alphaRow.getByRole('link', { name: 'Верхняя' }).waitFor();
    assert.equal(await alphaRow.getByRole('link', { name: 'Верхняя' }).getAttribute('href'), `/t_kit/shelves/${upper.id}`);
    // the reference filter searches the shelves (which have no search of their own)
    await page.locator('.filter-box', { hasText: 'Полка' }).getByRole('combobox').fill('Ниж');
    await page.getByRole('option', { name: 'Нижняя' }).click();
    await waitText(page, '.list-count', '1 запись');
    await waitText(page, '.list tbody', 'Бета');
    assert.match(page.url(), new RegExp(`shelf_id=${lower.id}`));
    // the export links carry the same query
    const xlsx = new URL(await page.locator('a[data-export=xlsx]').getAttribute('href'), stack.url);
    assert.equal(xlsx.pathname, '/api/v1/t_kit/widgets/export');
    assert.deepEqual([xlsx.searchParams.get('_format'), xlsx.searchParams.get('shelf_id')], ['xlsx', String(lower.id)]);
    await shot(page, 'list');
    checkPage(page);
});

test('the card: the reference by name leads to the referenced record', async () => {
    await page.goto(`/t_kit/widgets/${alpha.id}`);
    await waitText(page, 'h1', 'Альфа');
    await waitText(page, '.entity-fields dd[data-field=shelf_id]', 'Верхняя');
    // the owner, a core user, by name
    await waitText(page, '.entity-fields dd[data-field=owner_id]', 'Администратор');
    await page.locator('.entity-fields dd[data-field=shelf_id]').getByRole('link').click();
    await page.waitForURL(`**/t_kit/shelves/${upper.id}`);
    await waitText(page, 'h1', 'Верхняя');
    await page.goBack();
    await waitText(page, 'h1', 'Альфа');
    checkPage(page);
});

test('the form: a type-ahead pick of another shelf and an extra attribute', async () => {
    await page.getByRole('link', { name: 'Изменить' }).click();
    await page.waitForURL(`**/t_kit/widgets/${alpha.id}/edit`);
    const combo = page.getByRole('combobox', { name: 'Полка' });
    assert.equal(await combo.inputValue(), 'Верхняя');
    await combo.fill('Ниж');
    await page.getByRole('option', { name: 'Нижняя' }).click();
    await page.getByLabel('Цвет').fill('красный');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(`**/t_kit/widgets/${alpha.id}`);
    await waitText(page, '.entity-fields dd[data-field=shelf_id]', 'Нижняя');
    await waitText(page, '.card', 'красный');
    const saved = (await api.call('GET', `/t_kit/widgets/${alpha.id}`)).json;
    assert.deepEqual([saved.shelf_id, saved.attrs.colour, saved.version], [lower.id, 'красный', 2]);
    await shot(page, 'record');
    checkPage(page);
});

test('the history: labels and names, not columns and ids', async () => {
    await page.getByRole('tab', { name: 'История' }).click();
    await waitText(page, '.history-item', 'изменение');
    const change = page.locator('.history-item', { hasText: 'изменение' });
    const fields = await change.locator('.diff tbody th').allTextContents();
    assert.deepEqual(fields.sort(), ['Полка', 'Цвет'].sort());
    await waitText(page, '.history-item .diff', 'Нижняя');
    await waitText(page, '.history-item .diff', 'Верхняя');
    await shot(page, 'history', { fullPage: true });
    checkPage(page);
});

// ABI 1.5: a list of phones edited one input each, stored as +7XXXXXXXXXX,
// shown formatted, as chips in the list
test('a list column: phones one input each in the form, formatted chips on the card and in the list', async () => {
    await page.goto('/t_kit/persons/new');
    await page.getByLabel('Имя').fill('Ёлкин Пётр');
    const phones = page.locator('.field[data-field=phones]');
    await phones.locator('input').first().fill('8 (495) 123-45-67');
    await phones.locator('.strlist-add').click();
    await phones.locator('input').nth(1).fill('+7 916 000 11 22');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(/\/t_kit\/persons\/\d+$/);
    await waitText(page, '.entity-fields dd[data-field=phones]', '+7 (495) 123-45-67');
    await waitText(page, '.entity-fields dd[data-field=phones]', '+7 (916) 000-11-22');
    const id = page.url().split('/').pop();
    const saved = (await api.call('GET', `/t_kit/persons/${id}`)).json;
    assert.deepEqual(saved.phones, ['+74951234567', '+79160001122']);
    // edited back: as people write them; a bad one is named at its input
    await page.getByRole('link', { name: 'Изменить' }).click();
    await page.waitForURL(/\/edit$/);
    await phones.locator('input').nth(1).waitFor();
    assert.deepEqual(await phones.locator('input').evaluateAll((els) => els.map((e) => e.value)),
        ['+7 (495) 123-45-67', '+7 (916) 000-11-22']);
    await phones.locator('input').nth(1).fill('никогда');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await phones.locator('.strlist-error:not([hidden])').waitFor();
    assert.match(page.url(), /\/edit$/);
    await page.goto('/t_kit/persons');
    const row = page.locator('.list tbody tr', { hasText: 'Ёлкин Пётр' });
    await row.locator('.entity-chip', { hasText: '+7 (916) 000-11-22' }).waitFor();
    await shot(page, 'list-chips');
    checkPage(page);
    await page.context().close();
});
