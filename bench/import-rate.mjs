// The row rate of a CSV import of counterparties (issue 12 item 11):
// node bench/import-rate.mjs [ROWS]   (default 100000)
// Starts a throw-away stack (clients enabled, import_job_rows 1000, so the
// file runs as a job), uploads a generated file and prints the job's
// rows/s from its started_at and finished_at.
import { startStack } from '../tests/lib/stack.js';
import { finishedJob } from './job-rate.mjs';
import { counterpartiesCsv } from '../tests/lib/counterparties-csv.js';

const n = Number(process.argv[2] ?? 100000);
const stack = await startStack({
    enabled: ['catalog', 'clients'],
    importJobRows: 1000,
    maxBody: 64 << 20,
    importMaxRows: Math.max(n, 100000),
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
try {
    const admin = await stack.loginAdmin();
    const res = await admin.request('POST', '/api/v1/clients/counterparties/import', {
        body: counterpartiesCsv(n), headers: { 'Content-Type': 'text/csv' },
    });
    const { job, seconds: s } = await finishedJob(admin, res);
    console.log(`${n} rows: ${job.state} (${job.status}) in ${s.toFixed(1)} s: ${Math.round(n / s)} rows/s`);
} finally {
    await stack.stop();
}
