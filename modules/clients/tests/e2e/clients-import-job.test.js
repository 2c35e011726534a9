// The import dialog with a file over server.import_job_rows (issue 12
// item 11): the check and the import are answered 202 with a job, the
// dialog shows a progress bar fed by GET /api/v1/jobs/:id, then the same
// report as for a small file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, login, shot, checkPage, waitText } from '../../../../tests/e2e/lib.js';

const { stack, browser, admin } = await setup({ enabled: ['catalog', 'clients'], importJobRows: 50 });
const page = await newPage(browser, stack);
await login(page, 'admin', admin);
const N = 600;

test('a big file: a progress bar while the job runs, then the report', async () => {
    let body = 'Тип;Название;Регион\r\n';
    for (let i = 1; i <= N; i++) body += `partner;Большой файл ${i};Тверь\r\n`;
    const jobs = [];
    page.on('response', (res) => {
        if (/\/api\/v1\/clients\/counterparties\/import/.test(res.url())) jobs.push(res.status());
    });
    await page.goto('/clients');
    await page.getByRole('button', { name: 'Загрузить CSV' }).click();
    const dlg = page.locator('dialog.import-dialog');
    await dlg.getByLabel('Файл CSV').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(body) });

    await dlg.getByRole('button', { name: 'Проверить' }).click();
    const bar = dlg.locator('progress.import-progress');
    await bar.waitFor({ state: 'visible' });
    assert.equal(await bar.getAttribute('max'), String(N), 'the bar counts the file\'s rows');
    await waitText(page, '.import-status', /в очереди|Обработано строк/);
    await shot(page, 'import-job-progress');
    await waitText(page, '.import-status', `Проверка: строк ${N}`, { timeout: 60000 });
    await waitText(page, '.import-status', 'с ошибками 0');
    assert.equal(await bar.isHidden(), true, 'the bar goes when the job ends');

    await dlg.getByRole('button', { name: 'Загрузить', exact: true }).click();
    await bar.waitFor({ state: 'visible' });
    await waitText(page, '.import-status', `Загружено: строк ${N}`, { timeout: 60000 });
    await waitText(page, '.toast', `Загружено ${N} записей`);
    await shot(page, 'import-job-done');
    assert.deepEqual(jobs, [202, 202], 'both the check and the import went through a job');
    assert.equal(await stack.psql("SELECT count(*) FROM clients.counterparty WHERE name LIKE 'Большой файл %'"), String(N));
    checkPage(page);
});
