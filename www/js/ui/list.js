// list.js -- the list view: server-side paging, sorting, filters, a
// search box with debounce, a column chooser, the row count, and export
// buttons.  Its state lives in the URL query (q, sort, order, offset,
// limit and each filter), so a list can be linked, reloaded and walked
// with the back button.
//
//   listView({
//     key: 'users',                         // remembers chosen columns
//     url: '/users',                        // GET, answers {items, total}
//     columns: [{key: 'login', label: t('users.login'), sort: true, link: (row) => `/admin/users/${row.id}`},
//               {key: 'created_at', label: ..., type: 'datetime', hidden: true}],
//     filters: [{name: 'active', label: ..., type: 'select', options: [{value: 'true', label: ...}]}],
//     search: true, exportUrl: '/users/export', actions: [button],
//     query: ctx.query,                     // the page's URL query (state)
//     entity: 'clients.counterparty',       // a views menu: saved views, "My records" (mine=true)
//     rowActions: (row) => [{label, run(row), danger}],  // buttons per row; a "⋯" menu on phones
//   }) -> {el, reload()}
//
// Filter types: text (default), date, number, select (options), reference
// (search(q) -> [{value, label, hint}] and resolve(value) -> label for a
// value from the URL: a type-ahead pick of a record, a user).
// Column types: text (default), number, money, date, datetime, bool,
// list (array joined); or render(row) -> node/string.
// A `fetch(params)` option replaces the GET for APIs of another shape;
// localSource(load, {searchKeys, filter}) serves a small array API
// (roles, tokens, modules) with the same paging, sorting and search.
// keyset: true speaks the kit's list protocol (core/kedr.h): sort as
// "col" / "-col", pages by the answer's `next` cursor behind a "show
// more" button (how many rows are shown stays in the URL as `shown`).

import { h, replace, id, debounce } from '../dom.js';
import { translator, formatDate, formatDateTime, formatNumber, formatMoney } from '../i18n.js';
import { api, apiUrl, ApiError } from '../api.js';
import { setQuery } from '../router.js';
import { errorMessage } from '../errors.js';
import { emptyState, skeleton, errorState, toast } from './feedback.js';
import { referenceField } from './form.js';
import { viewsMenu, popoverEvents } from './views.js';

const t = translator('core');
const PAGE_SIZES = [25, 50, 100];

function cellValue(col, row) {
    if (col.render) return col.render(row);
    const v = row[col.key];
    switch (col.type) {
    case 'number': return formatNumber(v);
    case 'money': return formatMoney(v, col.currency);
    case 'date': return formatDate(v);
    case 'datetime': return formatDateTime(v);
    case 'bool': return v ? t('yes') : t('no');
    case 'list': return Array.isArray(v) ? v.join(', ') : v ?? '';
    default: return v ?? '';
    }
}

function loadColumns(key, columns) {
    try {
        const saved = JSON.parse(localStorage.getItem(`kedr.cols.${key}`) || 'null');
        if (Array.isArray(saved)) return new Set(saved.filter((k) => columns.some((c) => c.key === k)));
    } catch {
        /* fall through to the defaults */
    }
    return new Set(columns.filter((c) => !c.hidden).map((c) => c.key));
}

export function listView(opts) {
    const { columns, filters = [], search = true, actions = [] } = opts;
    const q = opts.query || new URLSearchParams();
    const prefix = opts.prefix || ''; // for two lists on one page
    const qp = (k) => q.get(prefix + k);
    const state = {
        q: qp('q') || '',
        sort: qp('sort') || opts.sort || '',
        order: qp('order') === 'desc' ? 'desc' : (qp('order') === 'asc' ? 'asc' : opts.order || 'asc'),
        offset: Math.max(0, Number(qp('offset')) || 0),
        shown: Math.min(500, Math.max(0, Number(qp('shown')) || 0)), // keyset: rows shown
        next: null, // keyset: the cursor of the page after the shown rows
        limit: PAGE_SIZES.includes(Number(qp('limit'))) ? Number(qp('limit')) : opts.limit || PAGE_SIZES[0],
        filters: Object.fromEntries(filters.map((f) => [f.name, qp(f.name) ?? f.default ?? ''])),
        mine: qp('mine') === 'true',
    };
    const visible = loadColumns(opts.key || 'list', columns);
    if (qp('cols')) { // a view opened: its columns, remembered as the person's choice
        const cols = qp('cols').split(',').filter((k) => columns.some((c) => c.key === k));
        if (cols.length) {
            visible.clear();
            for (const k of cols) visible.add(k);
            saveColumns();
        }
    }
    function saveColumns() {
        try {
            localStorage.setItem(`kedr.cols.${opts.key || 'list'}`, JSON.stringify([...visible]));
        } catch {
            /* not remembered */
        }
    }
    let seq = 0;
    let lastTotal = 0;
    const captionId = id('list');

    const el = h('section', { class: 'list', 'aria-labelledby': opts.labelledBy || captionId });
    const countEl = h('p', { class: 'list-count', role: 'status', 'aria-live': 'polite' });
    const body = h('div', { class: 'list-body' });
    const pager = h('nav', { class: 'pager', 'aria-label': t('list.paging') });

    // --- toolbar ---
    // The search, then everything else in `more`: on a phone `more`
    // collapses behind one button so the first record shows on the first
    // screen (hidden with display: none, so Tab never reaches it); on a
    // wider screen the button is hidden and `more` lays out in the row.
    const tools = h('div', { class: 'list-tools' });
    const more = h('div', { class: 'list-more', id: id('more') });
    const moreBtn = h('button', { type: 'button', class: 'btn btn-small list-more-toggle', 'aria-expanded': 'false',
        'aria-controls': more.id, text: t('list.more') });
    moreBtn.addEventListener('click', () => {
        const open = moreBtn.getAttribute('aria-expanded') !== 'true';
        moreBtn.setAttribute('aria-expanded', String(open));
        more.classList.toggle('open', open);
    });
    if (search) {
        const sid = id('search');
        const input = h('input', { id: sid, type: 'search', class: 'search', value: state.q,
            placeholder: opts.searchPlaceholder || t('list.search_ph'), autocomplete: 'off' });
        const run = debounce(() => {
            state.q = input.value.trim();
            state.offset = 0;
            load();
        }, 300);
        input.addEventListener('input', run);
        input.addEventListener('keydown', (ev) => {
            if (ev.key === 'Enter') {
                ev.preventDefault();
                run.cancel();
                state.q = input.value.trim();
                state.offset = 0;
                load();
            }
        });
        tools.append(h('div', { class: 'search-box' },
            h('label', { for: sid, class: 'sr-only', text: t('list.search') }), input));
    }
    for (const f of filters) {
        const fid = id('flt');
        let control;
        if (f.type === 'reference') {
            const r = referenceField({ ...f, type: 'reference', placeholder: f.any || t('list.any'),
                display: (v, rec) => rec.label ?? '' }, (v) => {
                state.filters[f.name] = v ?? '';
                state.offset = 0;
                load();
            });
            const v0 = state.filters[f.name];
            if (v0 !== '') {
                r.set(v0, {});
                Promise.resolve(f.resolve ? f.resolve(v0) : v0).then((label) => r.set(v0, { label }),
                    () => {});
            }
            more.append(h('div', { class: 'filter-box filter-ref' }, r.el));
            continue;
        }
        if (f.type === 'select') {
            control = h('select', { id: fid, class: 'filter' },
                h('option', { value: '', text: f.any || t('list.any') }),
                f.options.map((o) => h('option', { value: o.value, text: o.label, selected: state.filters[f.name] === o.value })));
        } else {
            control = h('input', { id: fid, class: 'filter', type: f.type || 'text', value: state.filters[f.name] });
        }
        control.addEventListener('change', () => {
            state.filters[f.name] = control.value;
            state.offset = 0;
            load();
        });
        more.append(h('div', { class: 'filter-box' }, h('label', { for: fid, text: f.label }), control));
    }
    more.append(h('div', { class: 'list-tools-spacer' }));
    more.append(columnChooser());
    const exportLinks = [];
    if (opts.exportUrl) {
        for (const fmt of ['csv', 'xlsx']) {
            const a = h('a', { class: 'btn btn-small', download: '', dataset: { export: fmt }, text: fmt.toUpperCase(),
                title: t('list.export', { fmt: fmt.toUpperCase() }),
                'aria-label': t('list.export', { fmt: fmt.toUpperCase() }) });
            a.addEventListener('click', (ev) => {
                if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
                ev.preventDefault();
                exportFile(a.href, fmt.toUpperCase()).catch((err) => toast(errorMessage(err), { kind: 'error' }));
            });
            exportLinks.push([a, fmt]);
            more.append(a);
        }
    }
    for (const a of actions) more.append(a);
    const views = opts.entity ? viewsMenu({ entity: opts.entity, mine: opts.mine, current: viewQuery }) : null;
    tools.append(moreBtn, more);
    if (views) tools.insertBefore(views.el, moreBtn);

    el.append(
        h('h2', { id: captionId, class: 'sr-only', text: opts.title || t('list.title') }),
        tools, countEl, body, pager);

    function params() {
        const p = opts.keyset ? { limit: Math.max(state.limit, state.shown) } : { limit: state.limit, offset: state.offset };
        if (state.q) p.q = state.q;
        if (state.sort && opts.keyset) p.sort = (state.order === 'desc' ? '-' : '') + state.sort;
        else if (state.sort) {
            p.sort = state.sort;
            p.order = state.order;
        }
        for (const [k, v] of Object.entries(state.filters)) if (v !== '') p[k] = v;
        if (state.mine) p.mine = 'true';
        return p;
    }

    // The state as a list-protocol query string (a saved view): the
    // search, filters, "mine", sort as -col, page size, columns shown.
    function viewQuery() {
        const p = new URLSearchParams();
        if (state.q) p.set('q', state.q);
        for (const f of filters) if (state.filters[f.name] !== '') p.set(f.name, state.filters[f.name]);
        if (state.mine) p.set('mine', 'true');
        const byDefault = state.sort === (opts.sort || '') && state.order === (opts.order || 'asc');
        if (state.sort && !byDefault) p.set('sort', `${state.order === 'desc' ? '-' : ''}${state.sort}`);
        if (state.limit !== (opts.limit || PAGE_SIZES[0])) p.set('limit', String(state.limit));
        const def = columns.filter((c) => !c.hidden).map((c) => c.key);
        const cur = columns.filter((c) => visible.has(c.key)).map((c) => c.key);
        if (cur.join(',') !== def.join(',')) p.set('_cols', cur.join(','));
        return p.toString();
    }

    // The collapse button counts the filters in use, so a phone user sees
    // the list is filtered without opening it.
    function markFilters() {
        const n = filters.filter((f) => state.filters[f.name] !== (f.default ?? '')).length;
        moreBtn.textContent = n ? t('list.more_n', { n }) : t('list.more');
    }

    function syncUrl() {
        markFilters();
        if (opts.noUrl) return;
        const p = {};
        p[`${prefix}q`] = state.q;
        // the default order stays out of the URL; the default column in the
        // other direction does not (back from a card restores it)
        const byDefault = state.sort === (opts.sort || '') && state.order === (opts.order || 'asc');
        p[`${prefix}sort`] = state.sort && !byDefault ? state.sort : '';
        p[`${prefix}order`] = state.sort && !byDefault ? state.order : '';
        p[`${prefix}offset`] = state.offset || '';
        p[`${prefix}shown`] = state.shown > state.limit ? state.shown : '';
        p[`${prefix}limit`] = state.limit !== (opts.limit || PAGE_SIZES[0]) ? state.limit : '';
        for (const f of filters) p[prefix + f.name] = state.filters[f.name] !== (f.default ?? '') ? state.filters[f.name] : '';
        p[`${prefix}mine`] = state.mine ? 'true' : '';
        p[`${prefix}cols`] = '';
        setQuery(p);
        views?.mark();
    }

    function columnChooser() {
        const popId = id('cols');
        const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-controls': popId,
            text: t('list.columns') });
        const pop = h('fieldset', { id: popId, class: 'popover col-chooser', hidden: true },
            h('legend', { text: t('list.columns_legend') }),
            columns.map((c) => {
                const cid = id('col');
                const box = h('input', { id: cid, type: 'checkbox', checked: visible.has(c.key),
                    disabled: c.required || false });
                box.addEventListener('change', () => {
                    if (box.checked) visible.add(c.key);
                    else visible.delete(c.key);
                    saveColumns();
                    renderRows(lastRows);
                    views?.mark();
                });
                return h('div', { class: 'check-row' }, box, h('label', { for: cid, text: c.label }));
            }));
        const toggle = (open) => {
            pop.hidden = !open;
            btn.setAttribute('aria-expanded', String(open));
            if (open) pop.querySelector('input:not(:disabled)')?.focus();
        };
        popoverEvents(btn, pop, '.col-wrap', toggle);
        return h('div', { class: 'col-wrap' }, btn, pop);
    }

    let lastRows = [];

    function renderRows(rows) {
        lastRows = rows;
        const cols = columns.filter((c) => visible.has(c.key) || c.required);
        const head = h('tr', null, cols.map((c) => {
            const sorted = state.sort === c.key;
            const th = h('th', { scope: 'col', class: [c.type && `col-${c.type}`],
                'aria-sort': sorted ? (state.order === 'asc' ? 'ascending' : 'descending') : null });
            if (c.sort) {
                th.append(h('button', { type: 'button', class: 'sort-btn', onclick: () => {
                    if (state.sort === c.key) state.order = state.order === 'asc' ? 'desc' : 'asc';
                    else {
                        state.sort = c.key;
                        state.order = 'asc';
                    }
                    state.offset = 0;
                    load();
                } }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true',
                    text: sorted ? (state.order === 'asc' ? '▲' : '▼') : '↕' })));
            } else th.textContent = c.label;
            return th;
        }));
        const trs = rows.map((row) => h('tr', { dataset: { id: row.id ?? '' } }, cols.map((c, i) => {
            let v = cellValue(c, row);
            if (c.link && (i === 0 || c.linkAlways)) {
                const href = c.link(row);
                if (href) v = h('a', { href }, v === '' ? t('list.open') : v);
            }
            return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: [c.type && `col-${c.type}`],
                'data-label': c.label }, v);
        }), opts.rowActions ? rowActionsCell(row) : null));
        if (opts.rowActions) head.append(h('th', { scope: 'col', class: 'row-actions' }, h('span', { class: 'sr-only', text: t('list.actions') })));
        replace(body, h('div', { class: 'table-wrap' },
            h('table', { class: 'table' },
                h('caption', { class: 'sr-only', text: opts.title || t('list.title') }),
                h('thead', null, head), h('tbody', null, trs))));
    }

    // keyset: the rows so far and a button for the page after them
    function renderMore(total) {
        const btn = h('button', { type: 'button', class: 'btn btn-small list-show-more', text: t('list.show_more'),
            onclick: async () => {
                btn.disabled = true;
                try {
                    const res = await api.get(opts.url, { query: { ...params(), limit: state.limit, after: state.next } });
                    state.next = res.next;
                    renderRows(lastRows.concat(res.items));
                    state.shown = lastRows.length;
                    syncUrl();
                    renderMore(total);
                } catch (err) {
                    btn.disabled = false;
                    countEl.textContent = errorMessage(err);
                }
            } });
        replace(pager, h('span', { class: 'pager-range', text: t('list.range', { from: 1, to: lastRows.length, total }) }),
            state.next ? btn : null);
        pager.hidden = !state.next && total <= state.limit;
    }

    // A row's actions: buttons in the row on a wide screen, a "⋯" menu on
    // a phone (the other one is display: none, so Tab never reaches it).
    function rowActionsCell(row) {
        const acts = opts.rowActions(row) || [];
        if (!acts.length) return h('td', { class: 'row-actions' });
        const btn = (a, extra = {}) => h('button', { type: 'button', class: ['btn btn-small', a.danger && 'btn-danger'],
            onclick: () => a.run(row), ...extra }, a.label);
        const menuId = id('rowm');
        const menuBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-haspopup': 'menu',
            'aria-expanded': 'false', 'aria-controls': menuId, 'aria-label': t('list.row_menu'), text: '⋯' });
        const menu = h('ul', { id: menuId, role: 'menu', hidden: true },
            acts.map((a) => h('li', { role: 'none' }, btn(a, { role: 'menuitem', tabindex: '-1', class: 'menu-item',
                onclick: () => {
                    close();
                    a.run(row);
                } }))));
        const items = () => [...menu.querySelectorAll('[role=menuitem]')];
        function close() {
            menu.hidden = true;
            menuBtn.setAttribute('aria-expanded', 'false');
        }
        menuBtn.addEventListener('click', () => {
            const on = menu.hidden;
            menu.hidden = !on;
            menuBtn.setAttribute('aria-expanded', String(on));
            if (on) items()[0]?.focus();
        });
        menu.addEventListener('keydown', (ev) => {
            const list = items();
            const i = list.indexOf(document.activeElement);
            if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
                ev.preventDefault();
                list[(i + (ev.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length]?.focus();
            } else if (ev.key === 'Escape') {
                ev.stopPropagation();
                close();
                menuBtn.focus();
            } else if (ev.key === 'Tab') close();
        });
        menu.addEventListener('focusout', (ev) => {
            if (!menu.contains(ev.relatedTarget) && ev.relatedTarget !== menuBtn) close();
        });
        return h('td', { class: 'row-actions', 'data-label': t('list.actions') },
            h('span', { class: 'row-actions-inline' }, acts.map((a) => btn(a))),
            h('span', { class: 'row-actions-menu' }, menuBtn, menu));
    }

    function renderPager(total) {
        if (opts.keyset) {
            renderMore(total);
            return;
        }
        const from = total ? state.offset + 1 : 0;
        const to = Math.min(state.offset + state.limit, total);
        const sizeId = id('psize');
        const size = h('select', { id: sizeId, class: 'filter' },
            PAGE_SIZES.map((n) => h('option', { value: String(n), text: String(n), selected: n === state.limit })));
        size.addEventListener('change', () => {
            state.limit = Number(size.value);
            state.offset = 0;
            load();
        });
        replace(pager,
            h('span', { class: 'pager-range', text: t('list.range', { from, to, total }) }),
            h('div', { class: 'pager-size' }, h('label', { for: sizeId, text: t('list.per_page') }), size),
            h('button', { type: 'button', class: 'btn btn-small', text: t('list.prev'), disabled: state.offset === 0,
                onclick: () => {
                    state.offset = Math.max(0, state.offset - state.limit);
                    load();
                } }),
            h('button', { type: 'button', class: 'btn btn-small', text: t('list.next'),
                disabled: state.offset + state.limit >= total,
                onclick: () => {
                    state.offset += state.limit;
                    load();
                } }));
        pager.hidden = total <= PAGE_SIZES[0] && state.offset === 0;
    }

    let loads = 0;

    async function load() {
        const my = ++seq;
        if (opts.keyset && loads++) state.shown = 0; // a new query starts at its first page
        syncUrl();
        for (const [a, fmt] of exportLinks) {
            // the whole filtered list, not one page of it
            a.href = apiUrl(opts.exportUrl, { ...params(), limit: undefined, offset: undefined, _format: fmt });
        }
        body.setAttribute('aria-busy', 'true');
        if (!lastRows.length) replace(body, skeleton(6));
        else body.classList.add('list-loading');
        try {
            const res = opts.fetch ? await opts.fetch(params()) : await api.get(opts.url, { query: params() });
            if (my !== seq) return;
            const items = Array.isArray(res) ? res : res.items || [];
            const total = Array.isArray(res) ? items.length : res.total ?? items.length;
            lastTotal = total;
            if (opts.keyset) state.next = res.next;
            if (!items.length && state.offset > 0 && total > 0) {
                state.offset = Math.max(0, (Math.ceil(total / state.limit) - 1) * state.limit);
                load();
                return;
            }
            countEl.textContent = t('list.count', { n: total });
            if (!items.length) {
                lastRows = [];
                const filtered = state.q || Object.values(state.filters).some((v) => v !== '');
                replace(body, emptyState(filtered ? t('list.none_found') : opts.empty || t('list.empty'),
                    filtered ? null : opts.emptyAction));
            } else {
                renderRows(items);
            }
            renderPager(total);
        } catch (err) {
            if (my !== seq || err.name === 'AbortError') return;
            lastRows = [];
            countEl.textContent = '';
            replace(body, errorState(errorMessage(err), load));
        } finally {
            if (my === seq) {
                body.removeAttribute('aria-busy');
                body.classList.remove('list-loading');
            }
        }
    }

    load();
    return { el, reload: load, total: () => lastTotal };
}

// A fetch() for an API that answers a whole (small) array: the search,
// filters, sorting and paging happen here.  load() -> Promise<array>;
// searchKeys: the fields the search box looks in; filter(row, params)
// -> bool for the list's filters.
export function localSource(load, { searchKeys = [], filter } = {}) {
    return async (p) => {
        let rows = await load();
        if (p.q) {
            const q = p.q.toLocaleLowerCase();
            rows = rows.filter((r) => searchKeys.some((k) => String(r[k] ?? '').toLocaleLowerCase().includes(q)));
        }
        if (filter) rows = rows.filter((r) => filter(r, p));
        if (p.sort) {
            const dir = p.order === 'desc' ? -1 : 1;
            const coll = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
            rows = [...rows].sort((a, b) => {
                const x = a[p.sort];
                const y = b[p.sort];
                if (x === y) return 0;
                if (x === null || x === undefined) return 1;
                if (y === null || y === undefined) return -1;
                return dir * (typeof x === 'number' && typeof y === 'number' ? x - y : coll.compare(String(x), String(y)));
            });
        }
        return { items: rows.slice(p.offset, p.offset + p.limit), total: rows.length };
    };
}

// ---------------------------------------------------------------------
// An export link's click.  A small export is the file itself, saved as
// it comes; a big one (more rows than the server's export_job_rows) is
// answered 202 {job}: a toast follows GET /jobs/:id every EXPORT_POLL_MS,
// and when the job is done its file (GET /jobs/:id/file, the owner's)
// is downloaded.
// ---------------------------------------------------------------------
const EXPORT_POLL_MS = 1000;

function saveAs(href, name) {
    const a = h('a', { href, download: name || '', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
}

async function exportFile(href, fmt) {
    const res = await fetch(href, { credentials: 'same-origin' });
    if (res.status !== 202) {
        if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null), res.headers);
        const disp = res.headers.get('Content-Disposition') || '';
        const m = /filename\*=UTF-8''([^;]+)/.exec(disp);
        const url = URL.createObjectURL(await res.blob());
        saveAs(url, m ? decodeURIComponent(m[1]) : '');
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        return;
    }
    let { job } = await res.json();
    const note = toast(t('list.export_queued', { fmt }), { timeout: 24 * 3600 * 1000 });
    const text = note.querySelector('.toast-text');
    try {
        while (job.state === 'queued' || job.state === 'running') {
            await new Promise((r) => setTimeout(r, EXPORT_POLL_MS));
            job = await api.get(`/jobs/${job.id}`);
            const { done = 0, total } = job.progress || {};
            text.textContent = job.state === 'running' && total
                ? t('list.export_running', { fmt, done: formatNumber(done), total: formatNumber(total) })
                : t('list.export_queued', { fmt });
        }
    } finally {
        note.querySelector('.toast-close').click();
    }
    if (job.state !== 'done') throw new ApiError(job.status || 500, job.result || { error: { message: job.error } });
    toast(t('list.export_ready', { fmt }));
    saveAs(job.result.download, job.result.file?.name);
}
