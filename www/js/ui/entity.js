// entity.js -- screens from an entity's declaration: a module that declares
// an entity on the kit (core/kedr.h, struct kedr_entity) gets a list, a
// record page and a create/edit form with no JavaScript of its own.  All
// of it is read from GET /api/v1/meta/<module>.<entity> (labels in the
// user's language, what they may do) and GET /api/v1/meta (every entity
// the user may see, for the links between them).
//
//   // a module's own index.js may reuse them with a few overrides:
//   kedr.ui.entityScreens(kedr.route, { entity: 'mymod.thing', base: '/mymod/things' });
//   kedr.route('/mymod', async (ctx) => {          // a page of its own around the list
//       const list = await kedr.ui.entityList({ entity: 'mymod.thing', base: '/mymod/things', query: ctx.query });
//       kedr.dom.replace(ctx.main, kedr.dom.h('h1', { text: 'Things' }), list.el);
//   });
//
// The shell itself routes the menu entries of a module without a
// www/index.js here (modules.js).  Options of each page: entity, base (the
// UI path of the list; records at base/:id, base/new, base/:id/edit),
// `columns` ({name: {hidden, render(row)}}) to adjust the list, and
// `tabs` to add tabs to the record page.  Column `options` ([{value,
// label}] in the metadata) become selects and labels; a column named
// *phone* is shown as +7 (495) 123-45-67; owner_id/created_by name a user.

import { h, replace } from '../dom.js';
import { defineStrings, translator, onLocaleChange, formatDate, formatDateTime, formatNumber, formatMoney, formatPhone }
    from '../i18n.js';
import { api } from '../api.js';
import { session } from '../session.js';
import { navigate, returnUrl } from '../router.js';
import { setTitle } from '../shell.js';
import { errorMessage } from '../errors.js';
import { listView } from './list.js';
import { recordForm } from './form.js';
import { recordPage, historyList } from './record.js';
import { attrDefs, attrFields, attrsToForm, attrsFromForm, attrRows, attrLabels, attrFormat, attrColumns,
    attrFilters } from './attrs.js';
import { userLabel, resolveUsers } from './lookup.js';
import { toast, confirmDialog, emptyState, skeleton, errorState } from './feedback.js';
import { componentCss } from './style.js';
import strings from './entity.strings.js';

defineStrings('entity', strings);
const t = translator('entity');

// --- the declarations, cached per language ----------------------------

const metas = new Map(); // "module.entity" -> Promise<meta>
let index = null; // Promise<[{entity, module, name, path, label, ...}]>
onLocaleChange(() => {
    metas.clear();
    index = null;
});

function once(map, key, load) {
    if (!map.has(key)) {
        const p = load();
        p.catch(() => map.delete(key));
        map.set(key, p);
    }
    return map.get(key);
}

// The declaration of one entity (GET /api/v1/meta/<entity>).
export function entityMeta(entity) {
    return once(metas, entity, () => api.get(`/meta/${encodeURIComponent(entity)}`));
}

// Every entity the user may see (GET /api/v1/meta), each `path` made
// relative to /api/v1 like the UI paths it is matched against.
export function entityIndex() {
    if (!index) {
        index = api.get('/meta').then((r) => r.items.map((x) => ({ ...x, path: apiPath(x) })));
        index.catch(() => { index = null; });
    }
    return index;
}

// The API path of an entity's records, relative to /api/v1.
const apiPath = (meta) => meta.path.replace(/^\/api\/v1/, '');

// The UI path of an entity's screens: the menu entry of its module that
// is its path or a prefix of it, else its own path.
export function entityBase(item) {
    const m = session.modules.find((x) => x.name === item.module);
    const ui = (m?.ui || []).map((u) => u.path.replace(/\/$/, ''))
        .filter((p) => item.path === p || item.path.startsWith(`${p}/`))
        .sort((a, b) => b.length - a.length)[0];
    return ui || item.path;
}

// The column that names a record: the first searchable text column, else
// the first required one, else the first text column.
function titleColumn(meta) {
    const text = meta.columns.filter((c) => c.type === 'string');
    return (text.find((c) => c.searchable) || text.find((c) => c.required) || text[0])?.name;
}

export function recordName(meta, rec) {
    const k = titleColumn(meta);
    return (k && rec[k]) || `#${rec.id}`;
}

// a phone by the column's rule (ABI 1.5), or by its name
const isPhone = (c) => c.rule === 'phone' || (c.type === 'string' && /phone/.test(c.name));
// a core user's id (the kit's references are to declared entities; users
// are the core's): the owner or the author of a record
const isUser = (c) => c.type === 'int' && !c.ref && /^(owner_id|created_by|updated_by|manager_id)$/.test(c.name);

// --- references: a record's name by its id, cached per page view -------

const names = new Map(); // "entity#id" -> Promise<string>

function refName(entity, id) {
    return once(names, `${entity}#${id}`, async () => {
        const meta = await entityMeta(entity);
        const name = recordName(meta, await api.get(`${apiPath(meta)}/${encodeURIComponent(id)}`, { quiet: true }));
        known.set(`${entity}#${id}`, name);
        return name;
    }).catch(() => `#${id}`);
}

// A name already fetched (the history's values are formatted at once).
const known = new Map(); // "entity#id" -> name
function cachedName(entity, id) {
    return known.get(`${entity}#${id}`);
}

async function refHref(entity, id) {
    const item = (await entityIndex()).find((e) => e.entity === entity);
    return item ? `${entityBase(item)}/${id}` : null;
}

// A reference shown by the referenced record's name, linked to its page.
function refLink(entity, id) {
    const a = h('a', { class: 'ref-link', text: `#${id}` });
    Promise.all([refName(entity, id), refHref(entity, id)]).then(([name, href]) => {
        a.textContent = name;
        if (href) a.href = href;
    });
    return a;
}

// --- values --------------------------------------------------------------

// One value of a column as a person reads it (text; a reference is a
// node, see refLink).
function showValue(c, v) {
    if (v === null || v === undefined || v === '') return '';
    // a list (ABI 1.5): its elements, phones formatted
    if (c.list && Array.isArray(v)) return v.map((x) => (isPhone(c) ? formatPhone(x) : String(x))).join(', ');
    const o = (c.options || []).find((x) => String(x.value) === String(v));
    if (o) return o.label;
    switch (c.type) {
    case 'int':
        if (isUser(c)) return userLabel(v);
        return c.ref ? (cachedName(c.ref, v) ?? `#${v}`) : formatNumber(v);
    case 'number': return formatNumber(v, { maximumFractionDigits: 10 });
    case 'money': return formatMoney(v);
    case 'date': return formatDate(v);
    case 'bool': return v ? t('yes') : t('no');
    default:
        if (isPhone(c)) return formatPhone(v);
        return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) ? formatDateTime(v) : String(v);
    }
}

function cell(c, v) {
    if (v === null || v === undefined) return showValue(c, v);
    if (c.list && Array.isArray(v)) {
        return h('span', { class: 'entity-chips' },
            ...v.map((x) => h('span', { class: 'entity-chip', text: isPhone(c) ? formatPhone(x) : String(x) })));
    }
    if (c.ref) return refLink(c.ref, v);
    if (isUser(c)) {
        const span = h('span', { text: userLabel(v) });
        resolveUsers([v]).then(() => { span.textContent = userLabel(v); });
        return span;
    }
    return showValue(c, v);
}

// --- the list ------------------------------------------------------------

function listColumns(meta, base, over = {}) {
    const title = titleColumn(meta);
    const cols = [...meta.columns].sort((a, b) => (b.name === title) - (a.name === title));
    return cols.map((c, i) => ({
        key: c.name,
        label: c.label,
        sort: c.sortable,
        required: i === 0,
        hidden: i >= 6,
        type: { int: c.ref ? undefined : 'number', number: 'number', money: 'money', date: 'date' }[c.type],
        link: i === 0 ? (r) => `${base}/${r.id}` : undefined,
        render: (r) => cell(c, r[c.name]),
        ...(over[c.name] || {}),
    }));
}

function refSearch(c) {
    return async (q) => {
        const meta = await entityMeta(c.ref);
        const query = { limit: 20 };
        if (meta.search && q) query.q = q;
        const rows = (await api.get(apiPath(meta), { query })).items;
        const out = rows.map((r) => ({ value: r.id, label: recordName(meta, r) }));
        return meta.search || !q ? out : out.filter((o) => o.label.toLowerCase().includes(q.toLowerCase()));
    };
}

const yesNo = () => [{ value: 'true', label: t('yes') }, { value: 'false', label: t('no') }];

function listFilters(meta) {
    const out = [];
    for (const c of meta.columns.filter((x) => x.filterable)) {
        if (c.options) {
            out.push({ name: c.name, label: c.label, type: 'select',
                options: c.options.map((o) => ({ value: String(o.value), label: o.label })) });
        }
        else if (c.type === 'bool') {
            out.push({ name: c.name, label: c.label, type: 'select', options: yesNo() });
        } else if (c.ref) {
            out.push({ name: c.name, label: c.label, type: 'reference', search: refSearch(c),
                resolve: (v) => refName(c.ref, v) });
        } else if (c.type === 'string' || c.list) out.push({ name: c.name, label: c.label });
        else {
            const type = c.type === 'date' ? 'date' : 'number';
            out.push({ name: `${c.name}.gte`, label: t('from', { label: c.label }), type },
                { name: `${c.name}.lte`, label: t('to', { label: c.label }), type });
        }
    }
    // the module's own filters (an "archived" toggle, a group with its subgroups)
    for (const f of meta.filters.filter((x) => x.label)) {
        out.push(f.type === 'bool' ? { name: f.field, label: f.label, type: 'select', options: yesNo() }
            : { name: f.field, label: f.label, type: { date: 'date', int: 'number', number: 'number' }[f.type] });
    }
    return out;
}

function notFoundOr(ctx, err, base, meta) {
    setTitle(t('not_found'));
    replace(ctx.main, err.status === 404 ? emptyState(t('not_found'), h('a', { href: base, text: meta?.label || base }))
        : errorState(errorMessage(err)));
}

async function attrsOf(meta) {
    return meta.attributes?.length ? attrDefs(meta.audit || meta.entity) : [];
}

// The list of an entity as a component: {el, reload(), meta}.  `columns`
// adjusts columns by name ({lang: {render: (row) => ...}}).
export async function entityList({ entity, base, query, columns: over, actions = [], emptyAction = null }) {
    const meta = await entityMeta(entity);
    const defs = await attrsOf(meta);
    const list = listView({
        key: `entity.${entity}.${session.user?.id ?? ''}`,
        title: meta.label,
        url: apiPath(meta),
        exportUrl: meta.columns.some((c) => c.exported) ? `${apiPath(meta)}/export` : null,
        keyset: true,
        search: meta.search,
        query,
        columns: [...listColumns(meta, base, over), ...attrColumns(defs)],
        filters: [...listFilters(meta), ...attrFilters(defs)],
        empty: t('empty'),
        emptyAction,
        actions,
    });
    return { ...list, meta };
}

// GET base: the list of an entity, with its heading and "create".
export async function entityListPage(ctx, { entity, base, columns, actions }) {
    replace(ctx.main, skeleton(6));
    let list;
    try {
        const meta = await entityMeta(entity);
        const create = () => (meta.permissions.write
            ? h('a', { class: 'btn btn-primary', href: `${base}/new`, text: t('create') }) : null);
        list = await entityList({ entity, base, query: ctx.query, columns, actions, emptyAction: create() });
        setTitle(meta.label);
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: meta.label }), create()), list.el);
    } catch (err) {
        notFoundOr(ctx, err, '/', null);
    }
}

// --- the record page -----------------------------------------------------

function fieldList(rec, cols) {
    return h('dl', { class: 'entity-fields' }, cols.map((c) => [
        h('dt', { text: c.label }),
        h('dd', { dataset: { field: c.name } }, cell(c, rec[c.name]) || '—')]));
}

function actionButtons(meta, rec, base, render) {
    const out = [];
    const url = `${apiPath(meta)}/${rec.id}`;
    const run = async (fn, message) => {
        try {
            await fn();
            toast(message);
            await render();
        } catch (err) {
            toast(errorMessage(err), { kind: 'error' });
        }
    };
    if (meta.permissions.write) {
        out.push(h('a', { class: 'btn', href: `${base}/${rec.id}/edit`, text: t('edit') }));
        if (meta.archive && rec.active !== false) {
            out.push(h('button', { type: 'button', class: 'btn', text: t('archive'),
                onclick: () => run(() => api.post(`${url}/archive`, { version: rec.version }), t('archived')) }));
        } else if (meta.archive) {
            out.push(h('button', { type: 'button', class: 'btn', text: t('restore'),
                onclick: () => run(() => api.post(`${url}/restore`, { version: rec.version }), t('restored')) }));
        }
    }
    // (a DELETE that archives, ABI 1.5: the archive button above says it)
    if (meta.permissions.delete && !meta.delete_archives) {
        out.push(h('button', { type: 'button', class: 'btn btn-danger', text: t('delete'), onclick: async () => {
            if (!(await confirmDialog({ title: t('delete_title'), message: t('delete_q', { name: recordName(meta, rec) }),
                ok: t('delete'), danger: true }))) return;
            try {
                await api.del(url, { query: { version: rec.version } });
                toast(t('deleted'));
                navigate(returnUrl(base));
            } catch (err) {
                toast(errorMessage(err), { kind: 'error' });
            }
        } }));
    }
    return out;
}

// The history's labels and value formats from the declaration: what a
// person reads, not the columns' names.
function historyOpts(meta, defs) {
    const labels = { ...attrLabels(defs), active: t('in_archive') };
    const format = { ...attrFormat(defs), active: (v) => (v ? t('no') : t('yes')) };
    for (const c of meta.columns) {
        labels[c.name] = c.label;
        format[c.name] = (v) => showValue(c, v) || '—';
    }
    return { labels, format, actions: { archived: t('action.archived'), restored: t('action.restored') } };
}

// GET base/:id: one record.  `tabs` adds tabs after the main one
// ({id, label, render(panel, record, meta)}).
export async function entityRecordPage(ctx, { entity, base, tabs = [] }) {
    const render = async () => {
        let meta;
        let rec;
        let defs;
        try {
            meta = await entityMeta(entity);
            [rec, defs] = await Promise.all([api.get(`${apiPath(meta)}/${encodeURIComponent(ctx.params.id)}`),
                attrsOf(meta)]);
        } catch (err) {
            notFoundOr(ctx, err, base, meta);
            return;
        }
        const name = recordName(meta, rec);
        setTitle(name);
        componentCss();
        const key = meta.columns.filter((c) => c.name !== titleColumn(meta) && rec[c.name] !== null && rec[c.name] !== '')
            .slice(0, 4);
        const extra = attrRows(defs, rec.attrs);
        const page = recordPage({
            title: name,
            recent: { entity: meta.entity, id: rec.id },
            subtitle: t('record', { label: meta.label, id: String(rec.id) }),
            back: { href: base, label: meta.label },
            badges: rec.active === false ? [{ text: t('in_archive'), kind: 'muted' }] : [],
            actions: actionButtons(meta, rec, base, render),
            query: ctx.query,
            tabs: [
                { id: 'main', label: t('tab_main'), render: (p) => p.append(...[
                    key.length ? h('section', { class: 'card entity-highlights', 'aria-label': t('highlights') },
                        key.map((c) => h('div', { class: 'entity-highlight' },
                            h('span', { class: 'muted', text: c.label }),
                            h('strong', null, cell(c, rec[c.name]))))) : null,
                    h('section', { class: 'card entity-card', 'aria-label': t('fields') }, fieldList(rec, meta.columns)),
                    extra.length ? h('section', { class: 'card entity-card', 'aria-label': t('extra') },
                        h('h2', { class: 'section-title', text: t('extra') }),
                        h('dl', { class: 'entity-fields' }, extra.map(([l, v]) => [h('dt', { text: l }), h('dd', { text: v })])))
                        : null].filter(Boolean)) },
                ...tabs.map((x) => ({ ...x, render: (p) => x.render(p, rec, meta) })),
                { id: 'history', label: t('tab_history'), render: (p) => p.append(historyList({
                    entity: meta.audit || meta.entity, id: String(rec.id), ...historyOpts(meta, defs) })) },
            ],
        });
        replace(ctx.main, page.el);
    };
    replace(ctx.main, skeleton(6));
    await render();
}

// --- the form ------------------------------------------------------------

function formFields(meta, rec, refLabels) {
    return meta.columns.filter((c) => !c.readonly).map((c) => {
        const f = { name: c.name, label: c.label, required: c.required && c.type !== 'bool' };
        if (c.options) return { ...f, type: 'select', options: c.options };
        if (c.ref) {
            return { ...f, type: 'reference', search: refSearch(c), display: (v) => refLabels[c.name] ?? `#${v}` };
        }
        // a list (ABI 1.5): one input an element; the server's "phones[1]"
        // lands at that element
        if (c.list) {
            return { ...f, type: 'strings', input: isPhone(c) ? 'tel' : (c.rule === 'email' ? 'email' : 'text'),
                maxLength: c.item_max };
        }
        switch (c.type) {
        case 'int': case 'number': return { ...f, type: 'number' };
        case 'money': return { ...f, type: 'money' };
        case 'date': return { ...f, type: 'date' };
        case 'bool': return { ...f, type: 'checkbox' };
        default:
            if (c.max > 200) return { ...f, type: 'textarea', maxLength: c.max, wide: true, rows: 3 };
            return { ...f, type: isPhone(c) ? 'phone' : 'text', maxLength: c.max };
        }
    });
}

// A list column's phones in the form as people write them (ABI 1.5).
function listsToForm(meta, rec) {
    const out = {};
    for (const c of meta.columns.filter((x) => x.list && isPhone(x))) out[c.name] = (rec[c.name] || []).map(formatPhone);
    return out;
}

// GET base/new and base/:id/edit: the form.
export async function entityFormPage(ctx, { entity, base }) {
    replace(ctx.main, skeleton(6));
    const id = ctx.params.id;
    let meta;
    let rec = {};
    let defs;
    const refLabels = {};
    try {
        meta = await entityMeta(entity);
        defs = await attrsOf(meta);
        if (id !== undefined) {
            rec = await api.get(`${apiPath(meta)}/${encodeURIComponent(id)}`);
            await Promise.all(meta.columns.filter((c) => c.ref && rec[c.name] != null).map(async (c) => {
                refLabels[c.name] = await refName(c.ref, rec[c.name]);
            }));
        }
    } catch (err) {
        notFoundOr(ctx, err, base, meta);
        return;
    }
    const title = id === undefined ? t('new_title', { label: meta.label }) : t('edit_title', { name: recordName(meta, rec) });
    setTitle(title);
    const url = apiPath(meta);
    const form = recordForm({
        label: title,
        fields: [...formFields(meta, rec, refLabels), ...attrFields(defs)],
        value: { ...rec, ...listsToForm(meta, rec), ...attrsToForm(rec, defs) },
        cancelHref: id === undefined ? returnUrl(base) : `${base}/${id}`,
        submit: (data, was) => {
            const attrs = attrsFromForm(data, { create: id === undefined });
            if (id === undefined) {
                // what is left empty takes the column's default
                const body = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== '' && v !== null));
                return api.post(url, attrs ? { ...body, attrs } : body);
            }
            // an update sends what changed (a create-only column stays out)
            // (an empty yes/no is the unticked box: not a change)
            const bools = new Set(meta.columns.filter((c) => c.type === 'bool').map((c) => c.name));
            const norm = (k, v) => JSON.stringify(bools.has(k) ? !!v : v ?? '');
            const same = (k) => norm(k, data[k]) === norm(k, was[k]);
            const body = Object.fromEntries(Object.entries(data).filter(([k]) => k === 'version' || !same(k)));
            if (attrs) body.attrs = attrs;
            return api.patch(`${url}/${encodeURIComponent(id)}`, body);
        },
        reload: () => api.get(`${url}/${encodeURIComponent(id)}`)
            .then((r) => ({ ...r, ...listsToForm(meta, r), ...attrsToForm(r, defs) })),
        savedMessage: id === undefined ? t('created') : undefined,
        onSaved: (saved) => navigate(`${base}/${saved.id}`, { force: true }),
    });
    replace(ctx.main,
        h('a', { class: 'back-link', href: id === undefined ? returnUrl(base) : `${base}/${id}` },
            h('span', { 'aria-hidden': 'true', text: '← ' }), id === undefined ? meta.label : recordName(meta, rec)),
        h('div', { class: 'page-head' }, h('h1', { text: title })),
        h('section', { class: 'card' }, form.el));
    form.focus();
}

// base, base/new, base/:id and base/:id/edit routed to the screens above
// (before a module's own base/:id, which would take "new" for an id).
export function entityScreens(route, { entity, base, ...over }) {
    route(`${base}/new`, (ctx) => entityFormPage(ctx, { entity, base, ...over }));
    route(`${base}/:id/edit`, (ctx) => entityFormPage(ctx, { entity, base, ...over }));
    route(`${base}/:id`, (ctx) => entityRecordPage(ctx, { entity, base, ...over }));
    route(base, (ctx) => entityListPage(ctx, { entity, base, ...over }));
}
