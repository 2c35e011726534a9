// The row rate of the kit's CSV import (POST <entity path>/import,
// core/kit_import.c) of new records:
//   node bench/kit-import-rate.mjs [ROWS [widget|shelf]]   (20000 widget)
// t_kit.widget: a unique code, a reference, an options column, own-only
// scope, audit, and t_kit's hooks, which write a row of t_kit.seen for
// each record's event and after_write (two statements a record that no
// import path can save); t_kit.shelf: the kit alone (own-only scope,
// audit, no hook).
// Starts a throw-away stack (t_kit, import_job_rows 1000, so the file runs
// as a job), uploads a generated file of new widgets and prints the job's
// rows/s from its started_at and finished_at.  B=<build dir> measures
// another build of the tree side by side.
import { startStack } from '../tests/lib/stack.js';
import { finishedJob } from './job-rate.mjs';

const n = Number(process.argv[2] ?? 20000);
const what = process.argv[3] ?? 'widget';
const stack = await startStack({
    enabled: ['t_kit'],
    importJobRows: 1000,
    maxBody: 64 << 20,
    importMaxRows: Math.max(n, 100000),
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
try {
    const admin = await stack.loginAdmin();
    const shelf = (await admin.post('/api/v1/t_kit/shelves', { name: 'Bench' })).json;
    const statuses = ['Новое', 'Готово к отгрузке', 'gone'];
    let csv = what === 'shelf' ? '\ufeffНазвание\r\n'
        : '\ufeffНазвание;Код;Количество;Цена;Срок;Готово;Полка;Статус\r\n';
    for (let i = 0; i < n; i++) {
        csv += what === 'shelf' ? `Полка ${i}\r\n`
            : `Изделие ${i};B-${i};${i % 1000};${i % 500},50;2026-0${1 + (i % 9)}-1${i % 10};` +
              `${i % 2 ? 'да' : 'нет'};${shelf.id};${statuses[i % 3]}\r\n`;
    }
    const path = what === 'shelf' ? 'shelves' : 'widgets';
    const res = await admin.request('POST', `/api/v1/t_kit/${path}/import`, {
        body: csv, headers: { 'Content-Type': 'text/csv' },
    });
    const { job, seconds: s } = await finishedJob(admin, res);
    const count = (await stack.rows(`SELECT count(*) AS n FROM t_kit.${what}`))[0].n;
    console.log(`${n} rows: ${job.state} (${job.status}), ${count} ${what} records, in ${s.toFixed(1)} s: ` +
        `${Math.round(n / s)} rows/s`);
} finally {
    await stack.stop();
}
