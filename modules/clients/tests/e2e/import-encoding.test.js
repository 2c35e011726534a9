// Browser test of the import dialog (www/js/ui/import.js) with a CSV saved
// by Russian Excel: Windows-1251 bytes, not UTF-8.  The dialog sends the
// file's bytes as they are and the server detects the encoding (core/csv.c);
// decoding it in the browser as UTF-8 turned every Cyrillic letter into
// U+FFFD.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'] });
const page = await newPage(browser, stack);
await login(page, 'admin', admin);

// Windows-1251, as Excel writes it: А..я at 0xC0..0xFF, Ё 0xA8, ё 0xB8,
// « 0xAB, » 0xBB, № 0xB9; ASCII as is.
function cp1251(text) {
    const special = { Ё: 0xa8, ё: 0xb8, '«': 0xab, '»': 0xbb, '№': 0xb9 };
    return Buffer.from([...text].map((ch) => {
        const c = ch.codePointAt(0);
        if (c < 0x80) return c;
        if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
        if (special[ch] !== undefined) return special[ch];
        throw new Error(`no Windows-1251 byte for ${ch}`);
    }));
}

test('a Windows-1251 CSV from Excel imports with its Cyrillic intact', async () => {
    const csv = 'Тип;Название;Регион\r\npartner;ООО «Ёлка и Ко»;Тверь\r\ninstaller;ИП Щукин;Вологда\r\n';
    const bytes = cp1251(csv);
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the file is not UTF-8');
    await page.goto('/clients');
    await page.getByRole('button', { name: 'Загрузить CSV' }).click();
    const dlg = page.locator('dialog.import-dialog');
    await dlg.getByLabel('Файл CSV').setInputFiles({ name: 'excel.csv', mimeType: 'text/csv', buffer: bytes });
    await dlg.getByRole('button', { name: 'Проверить' }).click();
    await waitText(page, '.import-status', 'Проверка: строк 2');
    await waitText(page, '.import-status', 'с ошибками 0');
    await dlg.getByRole('button', { name: 'Загрузить', exact: true }).click();
    await waitText(page, '.import-status', 'Загружено: строк 2');
    await shot(page, 'cp1251-done');
    assert.equal(await stack.psql("SELECT string_agg(name || '/' || region, ', ' ORDER BY name) FROM clients.counterparty"
        + " WHERE kind IN ('partner', 'installer')"), 'ИП Щукин/Вологда, ООО «Ёлка и Ко»/Тверь');
    await page.keyboard.press('Escape');
    await waitText(page, '.list tbody', 'ООО «Ёлка и Ко»');
    checkPage(page);
});
