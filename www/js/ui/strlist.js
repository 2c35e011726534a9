// strlist.js -- a list-of-strings field: phones, e-mails, tags.  One
// input a value, a remove button on each, an "add" button; empty rows are
// left out of the value.  A recordForm field of type 'strings':
//
//   {name: 'phones', label: t('phones'), type: 'strings', input: 'tel', addLabel: t('add_phone')}
//
// or alone: strList({id, label, input, describedBy, onChange}) -> {el, get, set, focus,
// error, itemError(i, msg)} (the server names a bad element "phones[1]").

import { h } from '../dom.js';
import { translator } from '../i18n.js';
import { componentCss } from './style.js';

const t = translator('core');

const INPUT = {
    tel: { type: 'tel', inputmode: 'tel', autocomplete: 'off' },
    email: { type: 'email', inputmode: 'email', autocapitalize: 'none', spellcheck: 'false' },
    text: { type: 'text' },
};

export function strList({ id, label, input = 'text', describedBy, onChange, readonly = false, addLabel, maxLength }) {
    componentCss();
    const rows = h('ul', { class: 'strlist-rows', role: 'list' });
    const add = h('button', { type: 'button', class: 'btn btn-small strlist-add', hidden: readonly || null,
        text: addLabel || t('strlist.add') });
    const group = h('div', { class: 'strlist' }, rows, add);

    // The first input is the one the field's <label for=id> names; the
    // others are "Phones 2", "Phones 3".
    function relabel() {
        [...rows.querySelectorAll('input')].forEach((inp, i) => {
            const err = inp.closest('li').querySelector('.strlist-error');
            inp.id = i === 0 ? id : `${id}-${i + 1}`;
            err.id = `${inp.id}-item-err`;
            inp.setAttribute('aria-describedby', [i === 0 ? describedBy : null, err.id].filter(Boolean).join(' '));
            if (i === 0) inp.removeAttribute('aria-label');
            else inp.setAttribute('aria-label', `${label} ${i + 1}`);
        });
    }

    function row(value) {
        const inp = h('input', { ...INPUT[input] || INPUT.text, class: 'strlist-input', value: value ?? '',
            readonly: readonly || null, maxlength: maxLength || null });
        const err = h('p', { class: 'field-error strlist-error', hidden: true });
        const li = h('li', { class: 'strlist-row' }, h('div', { class: 'strlist-line' }, inp,
            readonly ? null : h('button', { type: 'button', class: 'btn btn-small strlist-remove', text: '×',
                'aria-label': t('strlist.remove', { x: value || label }),
                onclick: () => {
                    const next = li.nextElementSibling || li.previousElementSibling;
                    li.remove();
                    if (!rows.children.length) row('');
                    relabel();
                    next?.querySelector('input')?.focus();
                    onChange?.();
                } })), err);
        inp.addEventListener('input', () => {
            li.querySelector('.strlist-remove')?.setAttribute('aria-label', t('strlist.remove', { x: inp.value || label }));
            onChange?.();
        });
        inp.addEventListener('keydown', (ev) => {
            if (ev.key === 'Enter') {
                // Enter adds the next value instead of submitting the form
                ev.preventDefault();
                if (inp.value.trim()) addRow();
            }
        });
        rows.append(li);
        relabel();
        return inp;
    }
    function addRow() {
        const last = rows.lastElementChild?.querySelector('input');
        if (last && !last.value.trim()) {
            last.focus();
            return;
        }
        row('').focus();
    }
    add.addEventListener('click', addRow);

    const inputs = () => [...rows.querySelectorAll('input')];
    function set(v) {
        rows.replaceChildren();
        const list = Array.isArray(v) ? v : [];
        for (const x of list) row(x);
        if (!list.length) row('');
    }
    set([]);
    return {
        el: group,
        get: () => inputs().map((i) => i.value.trim()).filter(Boolean),
        set,
        focus: () => inputs()[0]?.focus(),
        error(msg) {
            group.classList.toggle('has-error', !!msg);
            if (!msg) for (const e of rows.querySelectorAll('.strlist-error')) e.hidden = true;
        },
        // The element `i` of the value (empty rows do not count).
        itemError(i, msg) {
            const filled = inputs().filter((x) => x.value.trim());
            const inp = filled[i] || inputs()[0];
            const e = inp.closest('li').querySelector('.strlist-error');
            e.textContent = msg;
            e.hidden = false;
            inp.setAttribute('aria-invalid', 'true');
            group.classList.add('has-error');
        },
    };
}
