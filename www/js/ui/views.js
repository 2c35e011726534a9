// views.js -- a list's views menu (listView's `entity` option): "All
// records", the built-in "My records" of an entity with an owner (the
// list protocol's mine=true), the user's saved views (GET/POST/PATCH/
// DELETE /api/v1/views: open, rename, delete with undo) and "Save as a
// view…" of the current search, filters, sort and columns.
//
// A view is stored as a list-protocol query string (q, filters, mine,
// sort=-col, limit, _cols); viewUrl() turns it into the list page's own
// URL (sort + order, cols), so opening a view is following a link.

import { h, replace, id } from '../dom.js';
import { translator } from '../i18n.js';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { session } from '../session.js';
import { errorMessage, fieldMessage } from '../errors.js';
import { dialog, toast } from './feedback.js';

const t = translator('core');

let metaFor = null; // {user, promise}: GET /api/v1/meta, once per session

// The metadata of `entity` from GET /api/v1/meta, or undefined.
export async function entityMeta(entity) {
    const user = session.user?.id;
    if (!metaFor || metaFor.user !== user) {
        metaFor = { user, promise: api.get('/meta').catch(() => ({ items: [] })) };
    }
    return (await metaFor.promise).items.find((x) => x.entity === entity);
}

// A popover's events: `btn` toggles it, Escape closes it (the focus back
// on `btn`), a click outside `wrap` (a selector) closes it.
// toggle(open) shows or hides it.
export function popoverEvents(btn, pop, wrap, toggle) {
    btn.addEventListener('click', () => toggle(pop.hidden));
    pop.addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') {
            ev.stopPropagation();
            toggle(false);
            btn.focus();
        }
    });
    const onDoc = (ev) => {
        if (!pop.isConnected) document.removeEventListener('click', onDoc);
        else if (!pop.hidden && !ev.target.closest(wrap)) toggle(false);
    };
    document.addEventListener('click', onDoc);
}

// The list page `ui` opened on a view's query string.
export function viewUrl(ui, query) {
    const out = new URLSearchParams();
    for (const [k, v] of new URLSearchParams(query || '')) {
        if (k === 'sort') {
            out.set('sort', v.replace(/^-/, ''));
            out.set('order', v.startsWith('-') ? 'desc' : 'asc');
        } else if (k === '_cols') out.set('cols', v);
        else out.set(k, v);
    }
    const s = out.toString();
    return s ? `${ui}?${s}` : ui;
}

// A query string without its columns, its parameters in one order.
function canon(query) {
    const p = [...new URLSearchParams(query || '')].filter(([k]) => k !== '_cols');
    p.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new URLSearchParams(p).toString();
}

// Ask for a view's name; resolves it, or undefined when cancelled.
async function askName(title, value = '') {
    const iid = id('vname');
    const input = h('input', { id: iid, class: 'input', type: 'text', maxlength: '100', required: true, value });
    let save;
    input.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') {
            ev.preventDefault();
            save?.click();
        }
    });
    const v = await dialog({
        title,
        body: [h('div', { class: 'field' }, h('label', { for: iid, text: t('views.name') }), input)],
        buttons: [{ label: t('cancel'), value: false }, { label: t('save'), value: true, kind: 'primary' }],
        onOpen: () => {
            save = input.closest('dialog')?.querySelector('.btn-primary');
            input.focus();
            input.select();
        },
    });
    const name = input.value.trim();
    return v === true && name ? name : undefined;
}

// The views menu of entity `entity`'s list.  current() -> the list's
// state as a protocol query string; mine: whether "My records" is on.
export function viewsMenu({ entity, current, mine }) {
    const popId = id('views');
    const btn = h('button', { type: 'button', class: 'btn btn-small views-btn', 'aria-expanded': 'false',
        'aria-controls': popId, 'aria-haspopup': 'true', text: t('views.menu') });
    const pop = h('div', { id: popId, class: 'popover views-pop', hidden: true });
    const label = h('span', { class: 'views-current' });
    const wrap = h('div', { class: 'views-wrap' }, btn, label, pop);
    let views = [];
    let meta;

    const here = () => location.pathname;
    const open = (query) => navigate(viewUrl(here(), query), { force: true });

    function toggle(on) {
        pop.hidden = !on;
        btn.setAttribute('aria-expanded', String(on));
        if (on) {
            render();
            pop.querySelector('a, button')?.focus();
        }
    }

    function item(text, query, extra = []) {
        const cur = canon(query) === canon(current());
        return h('li', { class: 'views-item' },
            h('a', { href: viewUrl(here(), query), 'aria-current': cur ? 'true' : null, text,
                onclick: (ev) => {
                    ev.preventDefault();
                    toggle(false);
                    open(query);
                } }), ...extra);
    }

    function render() {
        const base = [item(t('views.all'), '')];
        if (meta?.mine) base.push(item(t('views.mine'), 'mine=true'));
        const saved = views.map((v) => item(v.name, v.query, [
            h('button', { type: 'button', class: 'btn btn-small', text: '✎', title: t('views.rename'),
                'aria-label': `${t('views.rename')}: ${v.name}`, onclick: () => rename(v) }),
            h('button', { type: 'button', class: 'btn btn-small', text: '×', title: t('views.delete'),
                'aria-label': `${t('views.delete')}: ${v.name}`, onclick: () => remove(v) }),
        ]));
        replace(pop,
            h('ul', null, base),
            saved.length ? h('p', { class: 'views-head', text: t('views.saved') }) : null,
            saved.length ? h('ul', { class: 'views-saved' }, saved) : null,
            h('button', { type: 'button', class: 'views-save', text: t('views.save'), onclick: save }));
        mark();
    }

    // the name of the view the list shows now, beside the button
    function mark() {
        const c = canon(current());
        const v = views.find((x) => canon(x.query) === c);
        label.textContent = v ? v.name : (meta?.mine && c === 'mine=true' ? t('views.mine') : '');
    }

    function failed(err) {
        const f = err?.fields?.name || err?.fields?.query;
        toast(f ? fieldMessage(f) : errorMessage(err), { kind: 'error' });
    }

    async function reload() {
        try {
            views = (await api.get('/views', { query: { entity } })).items;
        } catch {
            views = [];
        }
        if (!pop.hidden) render();
        mark();
    }

    async function save() {
        toggle(false);
        const name = await askName(t('views.save_title'));
        if (!name) return btn.focus();
        try {
            const v = await api.post('/views', { entity, name, query: current() });
            toast(t('views.saved_msg', { name: v.name }));
        } catch (err) {
            failed(err);
        }
        await reload();
        btn.focus();
    }

    async function rename(v) {
        toggle(false);
        const name = await askName(t('views.rename_title'), v.name);
        if (name && name !== v.name) {
            try {
                await api.patch(`/views/${v.id}`, { name });
            } catch (err) {
                failed(err);
            }
            await reload();
        }
        btn.focus();
    }

    async function remove(v) {
        toggle(false);
        try {
            await api.del(`/views/${v.id}`);
        } catch (err) {
            failed(err);
            return;
        }
        await reload();
        btn.focus();
        toast(t('views.deleted_msg', { name: v.name }), { action: { label: t('views.undo'), run: async () => {
            try {
                await api.post('/views', { entity, name: v.name, query: v.query, position: v.position });
            } catch (err) {
                failed(err);
            }
            await reload();
        } } });
    }

    popoverEvents(btn, pop, '.views-wrap', toggle);
    (async () => {
        meta = mine === undefined ? await entityMeta(entity) : { mine };
        await reload();
    })();
    return { el: wrap, mark };
}
