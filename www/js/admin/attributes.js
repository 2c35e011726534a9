// admin/attributes.js -- extra attributes: the fields an administrator
// adds to a module's records (counterparties, contacts, outlets) without
// a schema change (GET/POST /api/v1/attributes, PATCH /attributes/:id).
// Per entity: the list (deactivate, activate), the new-field form (the
// name checked at the field, a list's values with Russian and English
// labels) and a field's page (labels, required, values, order, active;
// the 409 of a stale version; history).

import { h, replace, id as newId } from '../dom.js';
import { translator, pick, defineStrings } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { navigate } from '../router.js';
import { setTitle } from '../shell.js';
import { session } from '../session.js';
import { listView, localSource } from '../ui/list.js';
import { recordForm } from '../ui/form.js';
import { recordPage, historyList } from '../ui/record.js';
import { toast, confirmDialog, skeleton, errorState, emptyState } from '../ui/feedback.js';
import { errorMessage } from '../errors.js';
import { adminStyles } from './style.js';
import strings from './attributes.strings.js';

defineStrings('core', strings);
const t = translator('core');

// The records that take extra attributes come from the metadata (GET
// /api/v1/meta: every entity a module declares with KEDR_ENTITY_ATTRS),
// labelled by it; an entity the server has definitions for but the
// metadata does not name is still shown, by its label here or its code.
const metaLabels = new Map();
const TYPES = ['text', 'number', 'date', 'boolean', 'list'];
const NAME_RE = /^[a-z][a-z0-9_]*$/;
const BASE = '/admin/attributes';


export function entityLabel(entity) {
    if (metaLabels.has(entity)) return metaLabels.get(entity);
    return t.has(`attrs.entity.${entity}`) ? t(`attrs.entity.${entity}`) : entity;
}

const typeLabel = (type) => (t.has(`attrs.type.${type}`) ? t(`attrs.type.${type}`) : type);

// The entities of enabled modules: those the metadata says take
// attributes, then any other the server holds definitions for.
function entitiesOf({ defs, meta }) {
    const mods = new Set(session.modules.map((m) => m.name));
    const enabled = (e) => mods.has(e.split('.')[0]);
    const out = [];
    for (const m of meta) {
        metaLabels.set(m.entity, m.label);
        if (m.attrs && enabled(m.entity)) out.push(m.entity);
    }
    for (const d of defs) if (!out.includes(d.entity) && enabled(d.entity)) out.push(d.entity);
    return out;
}

const loadAll = async () => {
    const [defs, meta] = await Promise.all([api.get('/attributes', { query: { all: 'true' } }), api.get('/meta')]);
    return { defs, meta: meta.items };
};

// The server's errors in the person's terms: a list value's problem
// ("options[2]") at the values editor, a taken name at the name.
function explain(err) {
    if (!(err instanceof ApiError)) return err;
    const fields = {};
    for (const [k, v] of Object.entries(err.fields)) {
        const m = /^options\[(\d+)\]/.exec(k);
        if (m) fields.options = fields.options || t('attrs.option_bad', { n: Number(m[1]) + 1 });
        else if (k === 'name' && err.status === 409) fields.name = t('attrs.name_taken');
        else fields[k] = v;
    }
    err.fields = fields;
    return err;
}

// The values of a list attribute as a form field: a row per value (code,
// Russian label, English label), move up/down, remove, add.  `locked`:
// values already saved keep their code (records hold it).
function optionsField({ locked = [], isList }) {
    let rows = [];
    const ed = {
        name: 'options', label: t('attrs.options'), type: 'custom', wide: true,
        validate: (v, data) => {
            if (!isList(data)) return null;
            if (!rows.some((r) => !r.empty())) return t('attrs.options_empty');
            const seen = new Set();
            for (const [i, r] of rows.entries()) {
                if (r.empty()) continue;
                const o = r.get();
                if (!o.value || !o.label_ru) return t('attrs.option_bad', { n: i + 1 });
                if (seen.has(o.value)) return t('attrs.option_dup', { value: o.value });
                seen.add(o.value);
            }
            return null;
        },
        make: ({ id, describedBy, onChange }) => {
            const body = h('tbody');
            const err = h('p', { id: `${id}-err`, class: 'field-error', hidden: true });
            const help = h('p', { id: `${id}-help`, class: 'help', text: t('attrs.options_help') });
            const titleId = newId('opts');
            const renumber = () => rows.forEach((r, i) => r.label(i + 1, rows.length));
            const move = (r, by) => {
                const i = rows.indexOf(r);
                const j = i + by;
                if (j < 0 || j >= rows.length) return;
                rows.splice(i, 1);
                rows.splice(j, 0, r);
                body.replaceChildren(...rows.map((x) => x.tr));
                renumber();
                r.focusMove(by);
                onChange();
            };
            const addRow = (o = {}) => {
                const lock = !!o.value && locked.includes(o.value);
                const input = (name, v, extra = {}) => h('input', { type: 'text', value: v ?? '', class: `opt-${name}`,
                    maxlength: '200', autocomplete: 'off', oninput: onChange, ...extra });
                const value = input('value', o.value, { readonly: lock || null, spellcheck: 'false', autocapitalize: 'none' });
                const ru = input('label_ru', o.label_ru);
                const en = input('label_en', o.label_en);
                const up = h('button', { type: 'button', class: 'btn btn-small btn-icon', text: '↑' });
                const down = h('button', { type: 'button', class: 'btn btn-small btn-icon', text: '↓' });
                const del = h('button', { type: 'button', class: 'btn btn-small btn-icon', text: '×' });
                const r = {
                    tr: h('tr', null, h('td', { 'data-label': t('attrs.opt_value') }, value),
                        h('td', { 'data-label': t('attrs.label_ru') }, ru), h('td', { 'data-label': t('attrs.label_en') }, en),
                        h('td', { class: 'opt-buttons' }, up, down, del)),
                    get: () => ({ value: value.value.trim(), label_ru: ru.value.trim(), label_en: en.value.trim() }),
                    empty: () => !value.value.trim() && !ru.value.trim() && !en.value.trim(),
                    focus: () => (lock || (value.value.trim() && !ru.value.trim()) ? ru : value).focus(),
                    // on an error: the inputs a filled row misses
                    mark: (on) => {
                        const partial = on && !r.empty();
                        for (const x of [value, ru]) {
                            if (partial && !x.value.trim()) x.setAttribute('aria-invalid', 'true');
                            else x.removeAttribute('aria-invalid');
                        }
                    },
                    // after a move: the same arrow, or the other one at an end
                    focusMove: (by) => {
                        const same = by < 0 ? up : down;
                        (same.disabled ? (by < 0 ? down : up) : same).focus();
                    },
                    label: (n, total) => {
                        value.setAttribute('aria-label', t('attrs.opt_value_n', { n }));
                        ru.setAttribute('aria-label', t('attrs.opt_ru_n', { n }));
                        en.setAttribute('aria-label', t('attrs.opt_en_n', { n }));
                        up.setAttribute('aria-label', t('attrs.opt_up', { n }));
                        down.setAttribute('aria-label', t('attrs.opt_down', { n }));
                        del.setAttribute('aria-label', t('attrs.opt_remove', { n }));
                        up.disabled = n === 1;
                        down.disabled = n === total;
                    },
                };
                up.addEventListener('click', () => move(r, -1));
                down.addEventListener('click', () => move(r, 1));
                del.addEventListener('click', () => {
                    const i = rows.indexOf(r);
                    rows.splice(i, 1);
                    r.tr.remove();
                    if (!rows.length) addRow();
                    renumber();
                    (rows[i] || rows[i - 1]).focus();
                    onChange();
                });
                rows.push(r);
                body.append(r.tr);
                renumber();
                return r;
            };
            const add = h('button', { type: 'button', class: 'btn btn-small', text: t('attrs.opt_add'),
                onclick: () => {
                    addRow().focus();
                    onChange();
                } });
            const el = h('div', { class: 'field field-wide attr-options', dataset: { field: 'options' },
                role: 'group', 'aria-labelledby': titleId, 'aria-describedby': describedBy },
            h('span', { id: titleId, class: 'field-label', text: t('attrs.options') }),
            help,
            h('div', { class: 'table-wrap' }, h('table', { class: 'table opt-table' },
                h('thead', null, h('tr', null,
                    h('th', { scope: 'col', text: t('attrs.opt_value') }),
                    h('th', { scope: 'col', text: t('attrs.label_ru') }),
                    h('th', { scope: 'col', text: t('attrs.label_en') }),
                    h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('actions') })))),
                body)),
            h('div', null, add),
            err);
            return {
                el,
                get: () => rows.filter((r) => !r.empty()).map((r) => r.get()),
                set: (v) => {
                    rows = [];
                    body.replaceChildren();
                    for (const o of v || []) addRow(o);
                    if (!rows.length) addRow();
                },
                focus: () => (rows.find((r) => !r.empty() && (!r.get().value || !r.get().label_ru)) || rows[0])?.focus(),
                error: (msg) => {
                    err.textContent = msg || '';
                    err.hidden = !msg;
                    el.classList.toggle('has-error', !!msg);
                    for (const r of rows) r.mark(!!msg);
                },
            };
        },
    };
    return ed;
}

function backLink(href, label) {
    return h('a', { class: 'back-link', href }, h('span', { 'aria-hidden': 'true', text: '← ' }), label);
}

function stateBadge(a) {
    return h('span', { class: ['badge', a.active ? 'badge-ok' : 'badge-muted'],
        text: a.active ? t('attrs.active_state') : t('attrs.inactive_state') });
}

// Deactivate (after asking) or activate an attribute from its list row.
async function setActive(a, active, done) {
    const label = pick(a, 'label') || a.name;
    if (!active && !(await confirmDialog({ title: t('attrs.deactivate_q', { label }), message: t('attrs.deactivate_text'),
        ok: t('attrs.deactivate'), danger: true }))) return;
    try {
        await api.patch(`/attributes/${a.id}`, { version: a.version, active });
        toast(active ? t('attrs.activated', { label }) : t('attrs.deactivated', { label }));
    } catch (err) {
        toast(err instanceof ApiError && err.status === 409 ? t('attrs.stale') : errorMessage(err), { kind: 'error' });
    }
    done();
}

export async function listPage(ctx) {
    adminStyles();
    setTitle(t('nav.attributes'));
    replace(ctx.main, skeleton(6));
    let all;
    try {
        all = await loadAll();
    } catch (err) {
        replace(ctx.main, h('h1', { text: t('nav.attributes') }), errorState(errorMessage(err)));
        return;
    }
    const entities = entitiesOf(all);
    if (!entities.length) {
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.attributes') })),
            emptyState(t('attrs.no_entities')));
        return;
    }
    const entity = entities.includes(ctx.query.get('entity')) ? ctx.query.get('entity') : entities[0];
    const count = (e) => all.defs.filter((a) => a.entity === e).length;
    const switcher = h('nav', { class: 'seg seg-wrap', 'aria-label': t('attrs.entity') },
        entities.map((e) => h('a', { class: 'seg-btn', href: `${BASE}?entity=${encodeURIComponent(e)}`,
            'aria-current': e === entity ? 'page' : null, dataset: { entity: e } },
        entityLabel(e), h('span', { class: 'seg-count', text: ` ${count(e)}` }))));
    const list = listView({
        key: 'attributes', title: t('attrs.of_entity', { entity: entityLabel(entity) }), query: ctx.query, sort: 'sort',
        searchPlaceholder: t('attrs.search_ph'),
        fetch: localSource(() => api.get('/attributes', { query: { entity, all: 'true' } }),
            { searchKeys: ['name', 'label_ru', 'label_en'],
                filter: (a, p) => !p.active || String(a.active) === p.active }),
        filters: [{ name: 'active', label: t('attrs.state'), type: 'select', options: [
            { value: 'true', label: t('attrs.active_state') }, { value: 'false', label: t('attrs.inactive_state') }] }],
        columns: [
            { key: 'label', label: t('attrs.label'), required: true, link: (a) => `${BASE}/${a.id}`,
                render: (a) => pick(a, 'label') || a.name },
            { key: 'name', label: t('attrs.name'), sort: true, render: (a) => h('code', { text: a.name }) },
            { key: 'type', label: t('attrs.type'), sort: true, render: (a) => (a.type === 'list'
                ? `${typeLabel(a.type)}: ${a.options.map((o) => pick(o, 'label') || o.value).join(', ')}` : typeLabel(a.type)) },
            { key: 'required', label: t('attrs.required_short'), type: 'bool', sort: true },
            { key: 'sort', label: t('attrs.sort'), type: 'number', sort: true },
            { key: 'active', label: t('attrs.state'), sort: true, render: stateBadge },
            { key: 'updated_at', label: t('updated_at'), type: 'datetime', hidden: true, sort: true },
            { key: 'toggle', label: t('actions'), render: (a) => h('button', {
                type: 'button', class: ['btn', 'btn-small', a.active && 'btn-danger-outline'],
                'aria-label': t(a.active ? 'attrs.deactivate_named' : 'attrs.activate_named', { label: pick(a, 'label') || a.name }),
                text: a.active ? t('attrs.deactivate') : t('attrs.activate'),
                onclick: () => setActive(a, !a.active, async () => {
                    all = await loadAll().catch(() => all);
                    for (const e of entities) {
                        const c = switcher.querySelector(`[data-entity="${e}"] .seg-count`);
                        if (c) c.textContent = ` ${count(e)}`;
                    }
                    list.reload();
                }),
            }) },
        ],
        empty: t('attrs.empty'),
        emptyAction: h('a', { class: 'btn btn-primary', href: `${BASE}/new?entity=${encodeURIComponent(entity)}`,
            text: t('attrs.new') }),
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('nav.attributes') }),
            h('div', { class: 'page-actions' },
                h('a', { class: 'btn btn-primary', href: `${BASE}/new?entity=${encodeURIComponent(entity)}`, text: t('attrs.new') }))),
        h('p', { class: 'muted page-intro', text: t('attrs.intro') }),
        switcher,
        list.el);
}

export async function createPage(ctx) {
    adminStyles();
    setTitle(t('attrs.new'));
    replace(ctx.main, skeleton(6));
    let entities;
    try {
        entities = entitiesOf(await loadAll());
    } catch (err) {
        replace(ctx.main, errorState(errorMessage(err)));
        return;
    }
    const entity = entities.includes(ctx.query.get('entity')) ? ctx.query.get('entity') : entities[0];
    const back = `${BASE}${entity ? `?entity=${encodeURIComponent(entity)}` : ''}`;
    if (!entities.length) {
        replace(ctx.main, backLink(BASE, t('nav.attributes')), h('h1', { text: t('attrs.new') }),
            emptyState(t('attrs.no_entities')));
        return;
    }
    const isList = (data) => data.type === 'list';
    const form = recordForm({
        label: t('attrs.new'),
        fields: [
            { name: 'entity', label: t('attrs.entity'), type: 'select', required: true,
                options: entities.map((e) => ({ value: e, label: entityLabel(e) })) },
            { name: 'type', label: t('attrs.type'), type: 'select', required: true, help: t('attrs.type_help'),
                options: TYPES.map((x) => ({ value: x, label: typeLabel(x) })) },
            { name: 'label_ru', label: t('attrs.label_ru'), type: 'text', required: true, maxLength: 200 },
            { name: 'label_en', label: t('attrs.label_en'), type: 'text', maxLength: 200 },
            { name: 'name', label: t('attrs.name'), type: 'text', required: true, maxLength: 48, code: true,
                autocomplete: 'off', pattern: NAME_RE, patternMessage: t('attrs.name_format'), help: t('attrs.name_help') },
            { name: 'sort', label: t('attrs.sort'), type: 'number', min: -100000, max: 100000, help: t('attrs.sort_help'),
                validate: (v) => (typeof v === 'number' && !Number.isInteger(v) ? t('attrs.whole_number') : null) },
            { name: 'required', label: t('attrs.required'), type: 'checkbox', wide: true, help: t('attrs.required_help') },
            optionsField({ isList }),
        ],
        value: { entity, type: 'text', sort: 0, required: false, options: [] },
        submitLabel: t('attrs.create'),
        cancelHref: back,
        savedMessage: t('attrs.created'),
        onChange: (data) => showOptions(isList(data)),
        submit: async (data) => {
            const body = { ...data };
            if (!isList(body)) delete body.options;
            if (body.sort === null) delete body.sort;
            if (!body.label_en) delete body.label_en;
            try {
                return await api.post('/attributes', body);
            } catch (err) {
                throw explain(err);
            }
        },
        onSaved: (a) => navigate(`${BASE}?entity=${encodeURIComponent(a.entity)}`, { replace: true, force: true }),
    });
    const showOptions = (on) => {
        form.field('options').el.hidden = !on;
    };
    showOptions(false);
    replace(ctx.main, backLink(back, t('nav.attributes')),
        h('div', { class: 'page-head' }, h('h1', { text: t('attrs.new') })),
        h('div', { class: 'card' }, form.el));
    form.focus();
}

export async function attributePage(ctx) {
    adminStyles();
    replace(ctx.main, skeleton(6));
    const id = String(ctx.params.id);
    const load = async () => {
        const a = (await loadAll()).defs.find((x) => String(x.id) === id);
        if (!a) throw new ApiError(404, null, null);
        return { ...a, entity_label: entityLabel(a.entity), type_label: typeLabel(a.type) };
    };
    let a;
    try {
        a = await load();
    } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
            setTitle(t('notfound.title'));
            replace(ctx.main, h('h1', { text: t('attrs.not_found') }),
                h('p', null, h('a', { href: BASE, text: t('nav.attributes') })));
            return;
        }
        replace(ctx.main, errorState(errorMessage(err)));
        return;
    }
    const title = () => pick(a, 'label') || a.name;
    setTitle(title());
    const isList = () => a.type === 'list';
    const fields = [
        { name: 'entity_label', label: t('attrs.entity'), type: 'text', readonly: true },
        { name: 'type_label', label: t('attrs.type'), type: 'text', readonly: true },
        { name: 'name', label: t('attrs.name'), type: 'text', readonly: true, code: true, help: t('attrs.name_fixed') },
        { name: 'sort', label: t('attrs.sort'), type: 'number', required: true, min: -100000, max: 100000,
            help: t('attrs.sort_help'),
            validate: (v) => (typeof v === 'number' && !Number.isInteger(v) ? t('attrs.whole_number') : null) },
        { name: 'label_ru', label: t('attrs.label_ru'), type: 'text', required: true, maxLength: 200 },
        { name: 'label_en', label: t('attrs.label_en'), type: 'text', maxLength: 200 },
        { name: 'required', label: t('attrs.required'), type: 'checkbox', help: t('attrs.required_help') },
        { name: 'active', label: t('attrs.active'), type: 'checkbox', help: t('attrs.active_help') },
    ];
    if (isList()) fields.push(optionsField({ locked: a.options.map((o) => o.value), isList }));
    const form = recordForm({
        label: t('attrs.field'),
        fields,
        value: a,
        submit: async (data) => {
            try {
                return await api.patch(`/attributes/${a.id}`, data);
            } catch (err) {
                throw explain(err);
            }
        },
        reload: load,
        onSaved: (saved) => {
            a = { ...a, ...saved };
            refresh();
        },
        onReloaded: (fresh) => {
            a = fresh;
            refresh();
        },
    });
    const page = recordPage({
        title: title(),
        subtitle: `${entityLabel(a.entity)} · ${a.name}`,
        back: { href: `${BASE}?entity=${encodeURIComponent(a.entity)}`, label: t('nav.attributes') },
        badges: [{ text: a.active ? t('attrs.active_state') : t('attrs.inactive_state'), kind: a.active ? 'ok' : 'muted' }],
        query: ctx.query,
        tabs: [
            { id: 'field', label: t('attrs.field'), render: (p) => p.append(h('div', { class: 'card' }, form.el)) },
            { id: 'history', label: t('tab.history'), render: (p) => p.append(historyList({
                entity: 'core.attribute_def', id: String(a.id),
                labels: { label_ru: t('attrs.label_ru'), label_en: t('attrs.label_en'), required: t('attrs.required_short'),
                    options: t('attrs.options'), sort: t('attrs.sort'), active: t('attrs.state'), name: t('attrs.name'),
                    type: t('attrs.type'), entity: t('attrs.entity') } })) },
        ],
    });
    replace(ctx.main, page.el);

    function refresh() {
        setTitle(title());
        const head = page.el.querySelector('.record-title');
        head.querySelector('h1').textContent = title();
        const badges = head.querySelector('.badges');
        if (badges) replace(badges, stateBadge(a));
    }
}
