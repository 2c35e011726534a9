// attrs.js -- extra attributes an administrator defines for a module's
// records (core: GET /api/v1/attributes?entity=...), in forms, cards,
// list filters, list columns and the history.  A record carries them as
// `attrs` {name: value}; the server's 422 names "attrs.<name>", which is
// the name of the form field here, so the error shows at the field.
//
//   const defs = await attrDefs('clients.counterparty');
//   recordForm({fields: [...mine, ...attrFields(defs)],
//               value: {...rec, ...attrsToForm(rec, defs)},
//               submit: (d) => api.patch(url, {...withoutAttrs(d), attrs: attrsFromForm(d, defs)})});
//   listView({filters: [...mine, ...attrFilters(defs)], columns: [...mine, ...attrColumns(defs)]});
//   attrRows(defs, rec.attrs) -> [[label, text]] for a read-only card
//   historyList({labels: {...attrLabels(defs)}, format: {...attrFormat(defs)}})
//
// Types: text, number, date, boolean, list (options [{value, label_ru,
// label_en}]).  Only active definitions are offered; values of others stay
// as they are.

import { api } from '../api.js';
import { translator, pick, formatDate, formatNumber } from '../i18n.js';

const t = translator('core');
const cache = new Map(); // entity -> {at, promise}
const FRESH_MS = 30000;

// The active definitions of an entity in their order (cached 30 s: a
// card and its list share one request).  A failure answers [] (the
// record still opens without them) unless `strict`.
export async function attrDefs(entity, { strict = false } = {}) {
    const c = cache.get(entity);
    if (c && Date.now() - c.at < FRESH_MS) return c.promise;
    const promise = api.get('/attributes', { query: { entity } })
        .then((rows) => rows.filter((d) => d.active !== false)
            .sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || a.name.localeCompare(b.name)));
    cache.set(entity, { at: Date.now(), promise });
    try {
        return await promise;
    } catch (err) {
        cache.delete(entity);
        if (strict) throw err;
        return [];
    }
}

export const attrLabel = (d) => pick(d, 'label') || d.name;

const optionLabel = (d, v) => {
    const o = (d.options || []).find((x) => x.value === v);
    return o ? pick(o, 'label') || o.value : String(v);
};

// A value as text: a list's option label, yes/no, a date, a number.
export function attrText(d, v) {
    if (v === null || v === undefined || v === '') return '';
    switch (d.type) {
    case 'list': return optionLabel(d, v);
    case 'boolean': return v ? t('yes') : t('no');
    case 'date': return formatDate(v);
    case 'number': return typeof v === 'number' ? formatNumber(v) : String(v);
    default: return String(v);
    }
}

// recordForm fields, named "attrs.<name>".
export function attrFields(defs, { readonly = false } = {}) {
    return defs.map((d) => {
        const f = { name: `attrs.${d.name}`, label: attrLabel(d), required: !!d.required && d.type !== 'boolean', readonly,
            attr: d };
        switch (d.type) {
        case 'number': return { ...f, type: 'number' };
        case 'date': return { ...f, type: 'date' };
        case 'boolean': return { ...f, type: 'checkbox' };
        case 'list': return { ...f, type: 'select', options: (d.options || []).map((o) => ({ value: o.value,
            label: pick(o, 'label') || o.value })) };
        default: return { ...f, type: 'text', maxLength: 2000 };
        }
    });
}

// The form's values of a record's attributes.
export function attrsToForm(rec, defs) {
    const a = (rec && rec.attrs) || {};
    return Object.fromEntries(defs.map((d) => [`attrs.${d.name}`, a[d.name] ?? (d.type === 'boolean' ? false : null)]));
}

// The form's "attrs.*" members as an `attrs` object, removed from `data`.
// A cleared value is null on an update (it clears it) and left out on a
// create; undefined when the form has none.
export function attrsFromForm(data, { create = false } = {}) {
    let out;
    for (const k of Object.keys(data)) {
        if (!k.startsWith('attrs.')) continue;
        const v = data[k];
        delete data[k];
        out = out || {};
        if (v === null || v === undefined || v === '') {
            if (!create) out[k.slice(6)] = null;
        } else out[k.slice(6)] = v;
    }
    return out;
}

// List filters "attr.<name>" (the API's attr.<name>=value).
export function attrFilters(defs) {
    return defs.map((d) => {
        const f = { name: `attr.${d.name}`, label: attrLabel(d) };
        if (d.type === 'list') return { ...f, type: 'select', options: (d.options || []).map((o) => ({ value: o.value,
            label: pick(o, 'label') || o.value })) };
        if (d.type === 'boolean') return { ...f, type: 'select', options: [{ value: 'true', label: t('yes') },
            { value: 'false', label: t('no') }] };
        if (d.type === 'date') return { ...f, type: 'date' };
        return { ...f, type: 'text' };
    });
}

// List columns (hidden at first; the column chooser shows them).
export function attrColumns(defs) {
    return defs.map((d) => ({ key: `attr.${d.name}`, label: attrLabel(d), hidden: true,
        type: d.type === 'number' ? 'number' : undefined, render: (r) => attrText(d, r.attrs?.[d.name]) }));
}

// [label, text] pairs for a read-only view (empty values left out).
export function attrRows(defs, attrs) {
    return defs.map((d) => [attrLabel(d), attrText(d, attrs?.[d.name])]).filter(([, v]) => v !== '');
}

// History labels and value formats for "attrs.<name>".
export function attrLabels(defs) {
    return Object.fromEntries(defs.map((d) => [`attrs.${d.name}`, attrLabel(d)]));
}

export function attrFormat(defs) {
    return Object.fromEntries(defs.map((d) => [`attrs.${d.name}`, (v) => attrText(d, v)]));
}
