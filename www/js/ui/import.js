// import.js -- the import dialog of a list: pick a CSV file, check it
// (POST <url>?dry_run=true with the file as the body, text/csv), read the
// report row by row with each row's errors, then import it for real.
//
//   importDialog({url: '/clients/counterparties/import', title: t('import_cp'),
//                 labels: {name: t('name'), inn: t('inn')},   // field names in row errors
//                 message: (m) => ...,                         // a server message in the person's language
//                 onDone: (report) => list.reload()})
//
// The report: {rows, ok, failed, dry_run, results: [{row, ok, result} |
// {row, ok: false, fields: {name: message}, error}]}.  An import is
// written whole or not at all (a bad row: 422 with the same report, shown
// the same way), so "Import" waits for a check without errors.
//
// A big file (more rows than the server's import_job_rows) is answered 202
// {job}: the dialog then shows a progress bar fed by GET /jobs/:id every
// JOB_POLL_MS until the job ends, and its result is the same report.

import { h, replace, id as newId } from '../dom.js';
import { translator } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { errorMessage, fieldMessage } from '../errors.js';
import { dialog, toast } from './feedback.js';
import { componentCss } from './style.js';

const t = translator('core');
const SHOW_ROWS = 500;
const JOB_POLL_MS = 500;

// The report inside an answer or an error's body, if there is one.
function reportOf(x) {
    if (!x || typeof x !== 'object') return null;
    if (Array.isArray(x.results)) return x;
    return reportOf(x.report) || reportOf(x.error);
}

export function importDialog({ url, title, labels = {}, message = fieldMessage, onDone, maxBytes = 20 << 20 }) {
    componentCss();
    const fid = newId('imp');
    let file = null;
    let checked = false;
    const input = h('input', { id: fid, type: 'file', accept: '.csv,text/csv', class: 'import-file' });
    const status = h('p', { class: 'import-status', role: 'status', 'aria-live': 'polite' });
    const out = h('div', { class: 'import-report' });
    const bar = h('progress', { class: 'import-progress', max: '1', value: '0', hidden: true,
        'aria-label': t('import.progress_label') });
    const checkBtn = h('button', { type: 'button', class: 'btn', text: t('import.check'), disabled: true });
    const runBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t('import.run'), disabled: true });

    // "phones[0]" is the phones column; "attr.x" and "attrs.x" an attribute
    const fieldLabel = (k) => labels[k] || labels[k.replace(/\[\d+\]$/, '')] || labels[k.replace(/^attr\./, 'attrs.')] || k;
    function show(rep, { done }) {
        const results = rep.results || [];
        const summary = t(done ? 'import.done' : 'import.preview', { n: rep.rows ?? results.length, ok: rep.ok ?? 0,
            failed: rep.failed ?? 0 });
        status.textContent = summary;
        const rows = results.slice(0, SHOW_ROWS).map((r) => {
            const problems = r.ok ? [] : Object.entries(r.fields || {}).map(([k, m]) => `${fieldLabel(k)}: ${message(m)}`);
            if (!r.ok && r.error && !problems.length) problems.push(message(r.error));
            const res = r.result;
            const what = r.ok && res ? (res.name || res.full_name || (res.id ? `#${res.id}` : '')) : '';
            return h('tr', { class: r.ok ? 'import-ok' : 'import-bad', dataset: { row: String(r.row) } },
                h('th', { scope: 'row', class: 'col-number', text: String(r.row) }),
                h('td', null, h('span', { class: ['badge', r.ok ? 'badge-ok' : 'badge-error'],
                    text: r.ok ? t('import.row_ok') : t('import.row_bad') })),
                h('td', null, problems.length ? h('ul', { class: 'import-problems' }, problems.map((p) => h('li', { text: p })))
                    : what));
        });
        replace(out, results.length ? h('div', { class: 'table-wrap import-table' }, h('table', { class: 'table' },
            h('caption', { class: 'sr-only', text: summary }),
            h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('import.row') }),
                h('th', { scope: 'col', text: t('import.state') }), h('th', { scope: 'col', text: t('import.details') }))),
            h('tbody', null, rows))) : null,
        results.length > SHOW_ROWS ? h('p', { class: 'muted', text: t('import.more', { n: results.length - SHOW_ROWS }) }) : null);
    }

    // Follow a queued import until it ends: its report, or an error
    // carrying it (a failed row) as a refused request would.
    async function followJob(job) {
        bar.hidden = false;
        try {
            for (;;) {
                const { done = 0, total = 0 } = job.progress || {};
                bar.max = String(total || 1);
                bar.value = String(done);
                status.textContent = t(job.state === 'queued' ? 'import.queued' : 'import.running',
                    { done, total });
                if (job.state === 'done') return job.result;
                if (job.state === 'failed') {
                    throw new ApiError(job.status || 500, job.result || { error: { message: job.error } });
                }
                await new Promise((r) => setTimeout(r, JOB_POLL_MS));
                job = await api.get(`/jobs/${job.id}`);
            }
        } finally {
            bar.hidden = true;
        }
    }

    async function send(dryRun) {
        checkBtn.disabled = true;
        runBtn.disabled = true;
        status.textContent = t('loading');
        out.setAttribute('aria-busy', 'true');
        try {
            // the file's bytes as they are: the server detects UTF-8 or
            // Windows-1251 (Russian Excel's CSV), which the browser would
            // garble decoding everything as UTF-8
            let rep = await api.postRaw(url, file, 'text/csv', { query: dryRun ? { dry_run: 'true' } : undefined });
            if (rep && rep.job) rep = await followJob(rep.job);
            show(rep, { done: !dryRun });
            checked = dryRun;
            return rep;
        } catch (err) {
            const rep = reportOf(err.body);
            if (rep) show(rep, { done: false });
            else {
                // the file as a whole: a header the list does not know, too large
                status.textContent = errorMessage(err);
                const fields = Object.entries(err.fields || {});
                replace(out, fields.length ? h('ul', { class: 'import-problems' },
                    fields.map(([k, m]) => h('li', { text: `${fieldLabel(k)}: ${message(m)}` }))) : null);
            }
            checked = false;
            return null;
        } finally {
            out.removeAttribute('aria-busy');
            checkBtn.disabled = !file;
        }
    }

    input.addEventListener('change', () => {
        file = input.files[0] || null;
        checked = false;
        runBtn.disabled = true;
        replace(out);
        if (file && file.size > maxBytes) {
            status.textContent = t('upload.too_big', { max: `${Math.round(maxBytes / 1048576)} MB` });
            file = null;
        } else status.textContent = file ? file.name : '';
        checkBtn.disabled = !file;
    });
    checkBtn.addEventListener('click', async () => {
        const rep = await send(true);
        // an import is written whole or not at all: only a clean file goes
        runBtn.disabled = !(rep && rep.ok > 0 && !rep.failed);
        if (rep && rep.failed) status.textContent += ` ${t('import.fix_first')}`;
    });
    runBtn.addEventListener('click', async () => {
        if (!checked) return;
        const rep = await send(false);
        if (rep) {
            toast(t('import.imported', { n: rep.ok ?? 0 }));
            onDone?.(rep);
            runBtn.hidden = true;
            checkBtn.hidden = true;
        }
    });

    return dialog({
        title: title || t('import.title'),
        message: t('import.help'),
        className: 'import-dialog',
        body: [
            h('div', { class: 'import-pick' }, h('label', { for: fid, text: t('import.file') }), input),
            h('div', { class: 'import-actions' }, checkBtn, runBtn),
            status, bar, out,
        ],
        buttons: [{ label: t('close'), value: false }],
        onOpen: () => input.focus(),
    });
}
