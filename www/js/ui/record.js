// record.js -- the record page: a header (title, badges, actions), tabs
// (rendered when first opened; the open tab is in the URL as ?tab=), the
// related lists a tab may hold, and the history tab fed by the audit API.
//
//   recordPage({
//     title: user.full_name, subtitle: user.login, back: {href: '/admin/users', label: t('nav.users')},
//     badges: [{text: t('users.inactive'), kind: 'muted'}], actions: [button],
//     tabs: [{id: 'main', label: t('tab.main'), render: (panel) => panel.append(form.el)},
//            {id: 'history', label: t('tab.history'), render: (panel) => panel.append(historyList({entity, id}))}],
//     query: ctx.query,
//     recent: {entity: 'hello.greeting', id: g.id},   // listed on the home page's recent records
//   }) -> {el, select(tabId)}

import { h, replace, id as newId } from '../dom.js';
import { translator, formatDate, formatDateTime, formatNumber } from '../i18n.js';
import { api } from '../api.js';
import { setQuery, returnUrl } from '../router.js';
import { errorMessage } from '../errors.js';
import { emptyState, skeleton, errorState } from './feedback.js';

const t = translator('core');

export function recordPage(opts) {
    const tabs = opts.tabs || [];
    const tablist = h('div', { role: 'tablist', class: 'tabs', 'aria-label': opts.title });
    const panels = h('div', { class: 'tab-panels' });
    const items = tabs.map((tab) => {
        const tid = newId('tab');
        const pid = newId('panel');
        const btn = h('button', { type: 'button', role: 'tab', id: tid, class: 'tab', 'aria-selected': 'false',
            'aria-controls': pid, tabindex: '-1', dataset: { tab: tab.id } }, tab.label,
        tab.count !== undefined ? h('span', { class: 'tab-count', text: String(tab.count) }) : null);
        const panel = h('div', { role: 'tabpanel', id: pid, class: 'tab-panel', 'aria-labelledby': tid, hidden: true,
            tabindex: '0' });
        tablist.append(btn);
        panels.append(panel);
        return { tab, btn, panel, rendered: false };
    });

    function select(tabId, { focus = false, url = true } = {}) {
        const it = items.find((x) => x.tab.id === tabId) || items[0];
        if (!it) return;
        for (const x of items) {
            const on = x === it;
            x.btn.setAttribute('aria-selected', String(on));
            x.btn.tabIndex = on ? 0 : -1;
            x.panel.hidden = !on;
        }
        if (!it.rendered) {
            it.rendered = true;
            Promise.resolve(it.tab.render(it.panel)).catch((err) => replace(it.panel, errorState(errorMessage(err))));
        }
        if (focus) it.btn.focus();
        if (url && !opts.noUrl) setQuery({ tab: it === items[0] ? '' : it.tab.id });
    }

    tablist.addEventListener('click', (ev) => {
        const b = ev.target.closest('[role=tab]');
        if (b) select(b.dataset.tab);
    });
    tablist.addEventListener('keydown', (ev) => {
        const i = items.findIndex((x) => x.btn === document.activeElement);
        if (i < 0) return;
        let j = null;
        if (ev.key === 'ArrowRight') j = (i + 1) % items.length;
        else if (ev.key === 'ArrowLeft') j = (i - 1 + items.length) % items.length;
        else if (ev.key === 'Home') j = 0;
        else if (ev.key === 'End') j = items.length - 1;
        if (j !== null) {
            ev.preventDefault();
            select(items[j].tab.id, { focus: true });
        }
    });

    const el = h('article', { class: 'record' },
        // back to the list as it was left (filters, search, sort, page)
        opts.back ? h('a', { class: 'back-link', href: returnUrl(opts.back.href) }, h('span', { 'aria-hidden': 'true', text: '← ' }),
            opts.back.label) : null,
        h('header', { class: 'record-head' },
            h('div', { class: 'record-title' },
                h('h1', { text: opts.title }),
                opts.subtitle ? h('p', { class: 'muted', text: opts.subtitle }) : null,
                (opts.badges || []).length ? h('p', { class: 'badges' },
                    opts.badges.map((b) => h('span', { class: ['badge', b.kind && `badge-${b.kind}`], text: b.text }))) : null),
            (opts.actions || []).length ? h('div', { class: 'record-actions' }, opts.actions) : null),
        items.length > 1 ? tablist : null,
        panels);
    select(opts.query?.get('tab') || items[0]?.tab.id, { url: false });
    if (opts.recent) rememberRecent(opts.recent.entity, opts.recent.id, opts.title);
    return { el, select };
}

// The card just opened, for the home page's recent records (a failure
// costs nothing but the entry).
function rememberRecent(entity, id, title) {
    const text = String(title ?? '').trim().slice(0, 200) || `#${id}`;
    api.post('/recent', { entity, id: Number(id), title: text, url: location.pathname }, { quiet: true })
        .catch(() => {});
}

const plain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

const named = (x) => plain(x) && ('name' in x || 'full_name' in x);

// Field-level changes between two versions of a record.  A member that is
// a plain object (attrs, ext, an assortment) is opened one level, so only
// its changed keys show, as "attrs.store_area" (an empty one shows
// nothing); "parent_id" is left out where "parent" {id, name} says it by
// name.
function changes(oldRow, newRow, prefix = '') {
    const keys = new Set([...Object.keys(oldRow || {}), ...Object.keys(newRow || {})]);
    const out = [];
    for (const k of keys) {
        if (['id', 'version', 'updated_at', 'created_at', 'created_by'].includes(k)) continue;
        const a = oldRow ? oldRow[k] : undefined;
        const b = newRow ? newRow[k] : undefined;
        if (JSON.stringify(a) === JSON.stringify(b)) continue;
        const base = k.endsWith('_id') ? k.slice(0, -3) : null;
        if (!prefix && base && (named(oldRow?.[base]) || named(newRow?.[base]))) continue;
        if (!prefix && (plain(a) || a == null) && (plain(b) || b == null) && (plain(a) || plain(b)) && !named(a) && !named(b)) {
            out.push(...changes(a || {}, b || {}, `${k}.`));
        } else out.push([prefix + k, a, b]);
    }
    return out;
}

// One value as a person reads it: dates and numbers in the locale, yes or
// no, a referenced record by its name, lists joined, objects as
// "key: value" pairs.
function show(v, key = '') {
    if (v === undefined || v === null || v === '') return '—';
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (typeof v === 'number') return /(^|[._])id$/.test(key) ? String(v) : formatNumber(v, { maximumFractionDigits: 10 });
    if (typeof v === 'string') {
        if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
        if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) return formatDateTime(v);
        return v;
    }
    const one = (x) => {
        if (!plain(x)) return show(x, key);
        const name = x.name ?? x.full_name ?? x.label ?? x.login;
        if (name !== undefined) return String(name);
        return Object.entries(x).map(([k, y]) => `${k}: ${show(y, k)}`).join(', ');
    };
    if (Array.isArray(v)) return v.length ? v.map(one).join('; ') : '—';
    return one(v);
}

// The changes of one audit row as a table: field, before, after; a
// creation shows only the values, a deletion only what was there.
function diffTable(r, diff, labels, format) {
    const fmt = (k, v) => (format[k] && v !== undefined && v !== null ? format[k](v) : show(v, k));
    const cols = [r.old ? 'old' : null, r.new ? 'new' : null].filter(Boolean);
    const head = cols.length === 2 ? [t('history.old'), t('history.new')] : [t('history.value')];
    return h('table', { class: ['diff', cols.length === 1 && 'diff-single'] },
        h('caption', { class: 'sr-only', text: t('history.changes') }),
        h('thead', null, h('tr', null,
            h('th', { scope: 'col', text: t('history.field') }),
            head.map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', null, diff.map(([k, a, b]) => h('tr', null,
            h('th', { scope: 'row', text: labels[k] || k }),
            r.old ? h('td', { class: r.new ? 'diff-old' : null, text: fmt(k, a) }) : null,
            r.new ? h('td', { class: r.old ? 'diff-new' : null, text: fmt(k, b) }) : null))));
}

// The history of one record (or of an entity): GET /api/v1/audit,
// newest first, with "show more" paging by id.  labels: {field: label}
// ("attrs.x" for a key inside an object member); format: {field: (value)
// -> string} for values the default display does not know (a code's
// label, a user's name); actions: {action: label} for a module's own
// audit actions ("merged", "assortment_updated").
export function historyList({ entity, id, labels = {}, format = {}, actions = {}, pageSize = 50 }) {
    const list = h('ol', { class: 'history' });
    const more = h('button', { type: 'button', class: 'btn', text: t('history.more'), hidden: true });
    const el = h('section', { class: 'history-wrap', 'aria-label': t('tab.history') }, list, more);
    let before = null;

    const actionLabel = (a) => actions[a] || (t.has(`history.action.${a}`) ? t(`history.action.${a}`) : a);

    async function page() {
        more.hidden = true;
        if (!before) replace(list, h('li', null, skeleton(3)));
        let rows;
        try {
            rows = await api.get('/audit', { query: { entity, id, before, limit: pageSize } });
        } catch (err) {
            replace(el, errorState(errorMessage(err), () => {
                replace(el, list, more);
                page();
            }));
            return;
        }
        if (!before) list.replaceChildren();
        if (!rows.length && !before) {
            replace(el, emptyState(t('history.empty')));
            return;
        }
        for (const r of rows) {
            const diff = changes(r.old, r.new);
            list.append(h('li', { class: 'history-item' },
                h('div', { class: 'history-head' },
                    h('time', { datetime: r.at, text: formatDateTime(r.at) }),
                    h('span', { class: 'history-who', text: r.user_login || (r.token_id ? t('history.token', { id: String(r.token_id) }) : t('history.system')) }),
                    h('span', { class: ['badge', `badge-${r.action}`], text: actionLabel(r.action) }),
                    id ? null : h('span', { class: 'muted', text: `${r.entity} #${r.entity_id}` })),
                diff.length ? diffTable(r, diff, labels, format) : null));
        }
        if (rows.length === pageSize) {
            before = rows[rows.length - 1].id;
            more.hidden = false;
        }
    }
    more.addEventListener('click', page);
    page();
    return el;
}
