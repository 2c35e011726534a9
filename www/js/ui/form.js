// form.js -- the record form: typed fields, client-side checks, the
// server's field errors shown at the field, the optimistic-lock conflict
// (409) with a reload choice, and the unsaved-changes guard.
//
//   const form = recordForm({
//     fields: [
//       {name: 'login', label: t('users.login'), type: 'text', required: true, maxLength: 64},
//       {name: 'email', label: ..., type: 'email'},
//       {name: 'roles', label: ..., type: 'multiselect', options: [{value: 'admin', label: 'Администратор'}]},
//       {name: 'manager_id', label: ..., type: 'reference', search: async (q) => [{value, label}],
//        display: (value, record) => record.manager_name},
//     ],
//     value: record,                       // its `version` is sent back on save
//     submit: (data) => api.patch(`/users/${id}`, data),
//     reload: () => api.get(`/users/${id}`),  // for the conflict's "reload"
//     onSaved: (saved) => ...,
//   });
//   ctx.main.append(form.el);
//
// Field types: text, password, number, money (decimal string), date
// (YYYY-MM-DD), select, multiselect, reference (type-ahead search),
// phone, email, checkbox, textarea.  Options: required, readonly, help,
// placeholder, min, max, minLength, maxLength, pattern (+ patternMessage),
// validate(value, data) -> message (called for empty values too), wide
// (a full row), autocomplete.
// A 'custom' field brings its own control: make({id, describedBy,
// onChange}) -> {el, get, set, focus, error} (the roles' permission matrix).
// A 'strings' field is a list of strings, one input each (phones:
// input 'tel', e-mails: 'email', tags: 'text'; addLabel for its button);
// the server's "phones[1]" lands at that element.
// Extra attributes (ui/attrs.js) are fields named "attrs.<name>", so the
// server's 422 at "attrs.<name>" shows at them.

import { h, replace, id as newId, debounce } from '../dom.js';
import { translator } from '../i18n.js';
import { ApiError } from '../api.js';
import { addGuard } from '../router.js';
import { errorMessage, fieldMessage } from '../errors.js';
import { toast } from './feedback.js';
import { strList } from './strlist.js';

const t = translator('core');

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9\s()-]{5,25}$/;
const MONEY_RE = /^-?\d{1,16}(?:[.,]\d{1,2})?$/;

function isEmpty(v) {
    return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

// One field: its DOM and get/set/error.
function makeField(f, form) {
    const fid = newId(`f-${f.name}`);
    const errId = `${fid}-err`;
    const helpId = f.help ? `${fid}-help` : null;
    const describedBy = [helpId, errId].filter(Boolean).join(' ');
    const err = h('p', { id: errId, class: 'field-error', hidden: true });
    const help = f.help ? h('p', { id: helpId, class: 'help', text: f.help }) : null;
    const req = f.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null;
    const onChange = () => form.changed(f.name);
    let input;
    let get;
    let set;
    let wrap;
    let focusEl;

    const common = { id: fid, name: f.name, 'aria-describedby': describedBy, required: f.required || null,
        readonly: f.readonly || null, placeholder: f.placeholder || null, autocomplete: f.autocomplete || null };

    switch (f.type) {
    case 'textarea':
        input = h('textarea', { ...common, rows: String(f.rows || 4), maxlength: f.maxLength || null });
        get = () => input.value;
        set = (v) => { input.value = v ?? ''; };
        break;
    case 'checkbox':
        input = h('input', { ...common, type: 'checkbox', disabled: f.readonly || null, required: null });
        get = () => input.checked;
        set = (v) => { input.checked = !!v; };
        wrap = h('div', { class: ['field', 'field-check', f.wide && 'field-wide'], dataset: { field: f.name } },
            h('div', { class: 'check-row' }, input, h('label', { for: fid, text: f.label })), help, err);
        break;
    case 'select': {
        input = h('select', { ...common, disabled: f.readonly || null },
            f.required && !f.placeholder ? null : h('option', { value: '', text: f.placeholder || t('form.none') }),
            f.options.map((o) => h('option', { value: String(o.value), text: o.label })));
        get = () => {
            const o = f.options.find((x) => String(x.value) === input.value);
            return o ? o.value : null;
        };
        set = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
        break;
    }
    case 'multiselect': {
        const boxes = f.options.map((o) => {
            const cid = newId('ms');
            const box = h('input', { id: cid, type: 'checkbox', value: String(o.value), disabled: f.readonly || null });
            box.addEventListener('change', onChange);
            return { o, box, row: h('div', { class: 'check-row' }, box, h('label', { for: cid, text: o.label })) };
        });
        get = () => boxes.filter((b) => b.box.checked).map((b) => b.o.value);
        set = (v) => {
            const want = new Set((v || []).map(String));
            for (const b of boxes) b.box.checked = want.has(String(b.o.value));
        };
        focusEl = boxes[0]?.box;
        wrap = h('fieldset', { class: ['field', 'field-multi', f.wide && 'field-wide'], dataset: { field: f.name },
            'aria-describedby': describedBy },
        h('legend', null, f.label, req),
        h('div', { class: 'checks' }, boxes.length ? boxes.map((b) => b.row) : h('p', { class: 'muted', text: t('form.no_options') })),
        help, err);
        break;
    }
    case 'reference':
        return makeReference(f, form, { fid, errId, describedBy, err, help, req });
    case 'strings': {
        const c = strList({ id: fid, label: f.label, input: f.input, describedBy, onChange, readonly: f.readonly,
            addLabel: f.addLabel, maxLength: f.maxLength });
        wrap = h('div', { class: ['field', 'field-strings', f.wide && 'field-wide'], dataset: { field: f.name } },
            h('label', { for: fid }, f.label, req), c.el, help, err);
        return {
            f, el: wrap, get: c.get, set: c.set, focus: c.focus, itemError: c.itemError,
            error(msg) {
                err.textContent = msg || '';
                err.hidden = !msg;
                wrap.classList.toggle('has-error', !!msg);
                c.error(msg);
            },
        };
    }
    case 'custom': {
        // f.make({id, describedBy, onChange}) -> {el, get, set, focus, error}
        const c = f.make({ id: fid, describedBy, onChange });
        return { f, ...c };
    }
    case 'number':
        input = h('input', { ...common, type: 'text', inputmode: 'decimal' });
        get = () => {
            const s = input.value.trim().replace(/\s/g, '').replace(',', '.');
            if (s === '') return null;
            return Number.isFinite(Number(s)) ? Number(s) : s;
        };
        set = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
        break;
    case 'money':
        input = h('input', { ...common, type: 'text', inputmode: 'decimal', class: 'input-money' });
        get = () => {
            const s = input.value.trim().replace(/[\s\u00a0]/g, '').replace(',', '.');
            return s === '' ? null : s;
        };
        set = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
        break;
    case 'date':
        input = h('input', { ...common, type: 'date', min: f.min || null, max: f.max || null });
        get = () => input.value || null;
        set = (v) => { input.value = v ? String(v).slice(0, 10) : ''; };
        break;
    default: {
        const type = { email: 'email', phone: 'tel', password: 'password' }[f.type] || 'text';
        input = h('input', { ...common, type, maxlength: f.maxLength || null,
            inputmode: f.type === 'phone' ? 'tel' : null,
            spellcheck: f.type === 'email' || f.type === 'password' || f.code ? 'false' : null,
            autocapitalize: f.type === 'email' || f.code ? 'none' : null });
        get = () => (f.type === 'password' ? input.value : input.value.trim());
        set = (v) => { input.value = v ?? ''; };
    }
    }
    if (input) input.addEventListener(f.type === 'checkbox' || f.type === 'select' ? 'change' : 'input', onChange);
    if (!wrap) {
        wrap = h('div', { class: ['field', f.wide && 'field-wide', `field-${f.type || 'text'}`], dataset: { field: f.name } },
            h('label', { for: fid }, f.label, req), input, help, err);
    }
    return {
        f, el: wrap, get, set,
        focus: () => (focusEl || input)?.focus(),
        error(msg) {
            err.textContent = msg || '';
            err.hidden = !msg;
            wrap.classList.toggle('has-error', !!msg);
            const target = input || wrap;
            if (msg) target.setAttribute('aria-invalid', 'true');
            else target.removeAttribute('aria-invalid');
        },
    };
}

// A reference: type to search, pick from the list (ARIA combobox).
function makeReference(f, form, { fid, errId, describedBy, err, help, req }) {
    const listId = `${fid}-list`;
    let value = null;
    let label = '';
    let options = [];
    let active = -1;
    let seq = 0;
    const input = h('input', { id: fid, type: 'text', role: 'combobox', 'aria-autocomplete': 'list',
        'aria-expanded': 'false', 'aria-controls': listId, 'aria-describedby': describedBy, autocomplete: 'off',
        placeholder: f.placeholder || t('form.type_to_search'), readonly: f.readonly || null });
    const list = h('ul', { id: listId, role: 'listbox', class: 'combo-list', hidden: true,
        'aria-label': f.label });
    const clear = h('button', { type: 'button', class: 'combo-clear', 'aria-label': t('form.clear', { label: f.label }),
        text: '×', hidden: true, onclick: () => {
            pick(null);
            input.focus();
        } });

    function open(show) {
        list.hidden = !show;
        input.setAttribute('aria-expanded', String(show));
        if (!show) {
            active = -1;
            input.removeAttribute('aria-activedescendant');
        }
    }
    function pick(o) {
        value = o ? o.value : null;
        label = o ? o.label : '';
        input.value = label;
        clear.hidden = value === null || !!f.readonly;
        open(false);
        form.changed(f.name);
    }
    function highlight(i) {
        const items = [...list.children];
        items.forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
        active = i;
        if (items[i]) {
            input.setAttribute('aria-activedescendant', items[i].id);
            items[i].scrollIntoView({ block: 'nearest' });
        }
    }
    const search = debounce(async () => {
        const my = ++seq;
        const q = input.value.trim();
        let res = [];
        try {
            res = await f.search(q);
        } catch (e) {
            if (my !== seq) return;
            replace(list, h('li', { class: 'combo-empty', text: errorMessage(e) }));
            open(true);
            return;
        }
        // a late answer after the person left the field opens nothing
        if (my !== seq || document.activeElement !== input) return;
        options = res;
        replace(list, options.length ? options.map((o, i) => h('li', {
            id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', class: 'combo-option',
            onmousedown: (ev) => {
                ev.preventDefault();
                pick(o);
            },
        }, o.label, o.hint ? h('span', { class: 'combo-hint', text: o.hint }) : null))
            : h('li', { class: 'combo-empty', text: t('form.nothing_found') }));
        open(true);
    }, 250);
    input.addEventListener('input', () => {
        if (input.value.trim() === '' && value !== null) pick(null);
        search();
    });
    input.addEventListener('focus', () => {
        if (!f.readonly && value === null) search();
    });
    input.addEventListener('keydown', (ev) => {
        if (f.readonly) return;
        if (ev.key === 'ArrowDown') {
            ev.preventDefault();
            if (list.hidden) search();
            else highlight(Math.min(active + 1, options.length - 1));
        } else if (ev.key === 'ArrowUp') {
            ev.preventDefault();
            highlight(Math.max(active - 1, 0));
        } else if (ev.key === 'Enter' && !list.hidden && active >= 0) {
            ev.preventDefault();
            pick(options[active]);
        } else if (ev.key === 'Escape' && !list.hidden) {
            ev.preventDefault();
            ev.stopPropagation();
            open(false);
        }
    });
    input.addEventListener('blur', () => {
        setTimeout(() => {
            open(false);
            if (input.value !== label) input.value = label; // only a picked value counts
        }, 150);
    });
    const wrap = h('div', { class: ['field', 'field-reference', f.wide && 'field-wide'], dataset: { field: f.name } },
        h('label', { for: fid }, f.label, req),
        h('div', { class: 'combo' }, input, clear, list), help, err);
    return {
        f, el: wrap,
        get: () => value,
        set: (v, record) => {
            value = v ?? null;
            label = value === null ? '' : (f.display ? f.display(v, record || {}) : String(v));
            input.value = label;
            clear.hidden = value === null || !!f.readonly;
        },
        focus: () => input.focus(),
        error(msg) {
            err.textContent = msg || '';
            err.hidden = !msg;
            wrap.classList.toggle('has-error', !!msg);
            if (msg) input.setAttribute('aria-invalid', 'true');
            else input.removeAttribute('aria-invalid');
        },
    };
}

// A reference control outside a form (a list's filter): f as for a
// 'reference' field; onChange(value) after each pick or clear.
export function referenceField(f, onChange) {
    const fid = newId(`f-${f.name}`);
    const err = h('p', { id: `${fid}-err`, class: 'field-error', hidden: true });
    const r = makeReference(f, { changed: () => onChange(r.get()) }, { fid, errId: `${fid}-err`, describedBy: `${fid}-err`,
        err, help: null, req: null });
    return r;
}

// The client-side check of one value; a message or null.
function check(f, v, data) {
    if (f.required && (isEmpty(v) || (f.type === 'checkbox' && v !== true))) return t('form.required');
    if (isEmpty(v)) return f.validate ? f.validate(v, data) || null : null;
    if (f.type === 'email' && !EMAIL_RE.test(v)) return t('form.bad_email');
    if (f.type === 'phone' && (!PHONE_RE.test(v) || v.replace(/\D/g, '').length < 5)) return t('form.bad_phone');
    if (f.type === 'number') {
        if (typeof v !== 'number') return t('form.bad_number');
        if (f.min !== undefined && v < f.min) return t('form.too_small', { n: f.min });
        if (f.max !== undefined && v > f.max) return t('form.too_big', { n: f.max });
    }
    if (f.type === 'money' && !MONEY_RE.test(v)) return t('form.bad_money');
    if (typeof v === 'string') {
        const len = [...v].length;
        if (f.minLength && len < f.minLength) return t('form.too_short', { n: f.minLength });
        if (f.maxLength && len > f.maxLength) return t('form.too_long', { n: f.maxLength });
        if (f.pattern && !f.pattern.test(v)) return f.patternMessage || t('form.bad_format');
    }
    return f.validate ? f.validate(v, data) || null : null;
}

export function recordForm(opts) {
    const fields = [];
    let record = opts.value || {};
    let snapshot = '';
    let busy = false;
    const form = {
        changed(name) {
            const fld = fields.find((x) => x.f.name === name);
            if (fld && fld.el.classList.contains('has-error')) fld.error(null);
            el.classList.toggle('is-dirty', isDirty());
            opts.onChange?.(collect());
        },
    };
    for (const f of opts.fields) fields.push(makeField(f, form));

    const alertBox = h('div', { class: 'form-alert', role: 'alert', hidden: true });
    const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary', text: opts.submitLabel || t('save') });
    const buttons = h('div', { class: 'form-buttons' }, submitBtn,
        opts.cancelHref ? h('a', { class: 'btn', href: opts.cancelHref, text: t('cancel') }) : null,
        ...(opts.extraButtons || []));
    const el = h('form', { class: ['form', opts.columns === 1 && 'form-1col'], novalidate: true,
        'aria-label': opts.label || null },
    alertBox,
    h('div', { class: 'form-grid' }, fields.map((x) => x.el)),
    buttons);

    function collect() {
        const data = {};
        for (const x of fields) if (!x.f.readonly && !x.f.display_only) data[x.f.name] = x.get();
        return data;
    }

    function setValue(rec) {
        record = rec || {};
        for (const x of fields) x.set(record[x.f.name], record);
        for (const x of fields) x.error(null);
        alertBox.hidden = true;
        snapshot = JSON.stringify(collect());
        el.classList.remove('is-dirty');
    }

    function isDirty() {
        return !busy && JSON.stringify(collect()) !== snapshot;
    }

    function showAlert(nodes, kind = 'error') {
        replace(alertBox, ...nodes);
        alertBox.className = `form-alert form-alert-${kind}`;
        alertBox.hidden = false;
        alertBox.scrollIntoView({ block: 'nearest' });
    }

    function showConflict() {
        const reload = opts.reload ? h('button', { type: 'button', class: 'btn btn-primary', text: t('form.conflict_reload'),
            onclick: async () => {
                try {
                    setValue(await opts.reload());
                    opts.onReloaded?.(record);
                    toast(t('form.reloaded'), { kind: 'info' });
                    fields[0]?.focus();
                } catch (e) {
                    showAlert([h('p', { text: errorMessage(e) })]);
                }
            } }) : null;
        const keep = h('button', { type: 'button', class: 'btn', text: t('form.conflict_keep'), onclick: () => {
            alertBox.hidden = true;
            submitBtn.focus();
        } });
        showAlert([h('p', { class: 'form-alert-title', text: t('form.conflict_title') }),
            h('p', { text: t('form.conflict_text') }),
            h('div', { class: 'form-alert-buttons' }, reload, keep)], 'conflict');
        (reload || keep).focus();
    }

    // Server field errors at their fields; the rest in the alert box.
    function showFieldErrors(errFields) {
        let first = null;
        const other = [];
        for (const [name, msg] of Object.entries(errFields)) {
            const x = fields.find((y) => y.f.name === name);
            const item = x ? null : /^(.+)\[(\d+)\]$/.exec(name);
            const list = item && fields.find((y) => y.f.name === item[1] && y.itemError);
            if (list) {
                // one element of a list of strings: "phones[1]"
                if (!list.el.classList.contains('has-error')) list.error(null);
                list.itemError(Number(item[2]), fieldMessage(msg));
                list.el.classList.add('has-error');
                first = first || list;
            } else if (x) {
                x.error(fieldMessage(msg));
                first = first || x;
            } else other.push(`${name}: ${fieldMessage(msg)}`);
        }
        if (other.length || !first) {
            showAlert([h('p', { text: t('form.fix_errors') }), other.length ? h('ul', null, other.map((m) => h('li', { text: m }))) : null]);
        } else {
            showAlert([h('p', { text: t('form.fix_errors') })]);
        }
        first?.focus();
    }

    el.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (busy) return;
        alertBox.hidden = true;
        const data = collect();
        let first = null;
        for (const x of fields) {
            const msg = x.f.readonly ? null : check(x.f, data[x.f.name], data);
            x.error(msg);
            if (msg && !first) first = x;
        }
        if (first) {
            showAlert([h('p', { text: t('form.fix_errors') })]);
            first.focus();
            return;
        }
        if (record.version !== undefined) data.version = record.version;
        busy = true;
        submitBtn.disabled = true;
        el.setAttribute('aria-busy', 'true');
        try {
            const saved = await opts.submit(data, record);
            busy = false;
            if (saved && typeof saved === 'object') setValue({ ...record, ...saved });
            else snapshot = JSON.stringify(collect());
            el.classList.remove('is-dirty');
            if (opts.savedMessage !== false) toast(opts.savedMessage || t('form.saved'));
            await opts.onSaved?.(saved);
        } catch (err) {
            busy = false;
            if (!(err instanceof ApiError)) {
                showAlert([h('p', { text: errorMessage(err) })]);
            } else if (err.status === 422 || (err.status === 409 && Object.keys(err.fields).some((k) => k !== 'version'))) {
                // 409 naming a field: a duplicate (a login that exists)
                const { version, ...rest } = err.fields;
                showFieldErrors(Object.keys(rest).length ? rest : err.fields);
            } else if (err.status === 409 && record.version !== undefined) {
                // 409 on the version: someone saved this record meanwhile
                showConflict();
            } else if (err.status !== 401) {
                showAlert([h('p', { text: errorMessage(err) })]);
            }
        } finally {
            busy = false;
            submitBtn.disabled = false;
            el.removeAttribute('aria-busy');
        }
    });

    setValue(record);
    if (opts.guard !== false) addGuard(isDirty);
    return {
        el,
        setValue,
        isDirty,
        getValue: collect,
        record: () => record,
        field: (name) => fields.find((x) => x.f.name === name),
        focus: () => fields.find((x) => !x.f.readonly)?.focus(),
        showAlert: (msg) => showAlert([h('p', { text: msg })]),
        // Another part of the record (its distributors) was saved and moved
        // its version on: the edits here stay and save against it.
        setVersion: (v) => {
            record = { ...record, version: v };
        },
    };
}
