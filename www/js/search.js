// search.js -- the top bar's global search: one box ("/" focuses it)
// over every module that declares a search (GET /api/v1/search, which
// runs each list's own search in the user's scope).  The answers drop
// down grouped by entity; arrows move, Enter opens the highlighted one
// (the first when none is), Escape closes; each group ends with a link to
// its whole list filtered by the same words (<ui>?q=).
//
// An ARIA combobox: the input owns a listbox whose options are links, so
// a click, a middle click and the router's link handling all work.

import { h, replace, id, debounce } from './dom.js';
import { translator } from './i18n.js';
import { api } from './api.js';
import { navigate } from './router.js';

const t = translator('core');
const MIN_CHARS = 2;

// Whether a key press belongs to a field the person is typing in.
function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

export function globalSearch() {
    const inputId = id('gs');
    const listId = id('gsl');
    const input = h('input', { id: inputId, type: 'search', class: 'gsearch-input', placeholder: t('search.ph'),
        autocomplete: 'off', spellcheck: 'false', role: 'combobox', 'aria-autocomplete': 'list',
        'aria-expanded': 'false', 'aria-controls': listId, 'aria-keyshortcuts': '/' });
    const pop = h('div', { id: listId, class: 'gsearch-pop', role: 'listbox', 'aria-label': t('search.results'),
        hidden: true });
    const el = h('div', { class: 'gsearch', role: 'search' },
        h('label', { for: inputId, class: 'sr-only', text: t('search.label') }), input, pop);
    let seq = 0;
    let active = -1;

    const options = () => [...pop.querySelectorAll('[role=option]')];
    const open = (yes) => {
        pop.hidden = !yes;
        input.setAttribute('aria-expanded', String(yes));
        if (!yes) mark(-1);
    };
    function mark(i) {
        const opts = options();
        active = i;
        opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
        if (i >= 0 && opts[i]) {
            input.setAttribute('aria-activedescendant', opts[i].id);
            opts[i].scrollIntoView({ block: 'nearest' });
        } else input.removeAttribute('aria-activedescendant');
    }
    // options are links reached through the input, never by Tab
    const option = (href, ...children) => h('a', { id: id('gso'), role: 'option', class: 'gsearch-opt', href,
        tabindex: '-1', 'aria-selected': 'false', onclick: () => close() }, ...children);

    function render(q, res) {
        const groups = res.groups || [];
        if (!groups.length) {
            replace(pop, h('p', { class: 'gsearch-note', role: 'status', text: t('search.none') }));
            return;
        }
        replace(pop, groups.map((g) => {
            const hid = id('gsg');
            return h('div', { role: 'group', class: 'gsearch-group', 'aria-labelledby': hid },
                h('div', { id: hid, class: 'gsearch-head', role: 'presentation', text: g.label }),
                g.items.map((it) => option(it.url,
                    h('span', { class: 'gsearch-title', text: it.title || `#${it.id}` }),
                    it.subtitle ? h('span', { class: 'gsearch-sub', text: it.subtitle }) : null)),
                option(`${g.ui}?q=${encodeURIComponent(q)}`,
                    h('span', { class: 'gsearch-all', text: t('search.all', { label: g.label }) })));
        }));
    }

    async function run() {
        const q = input.value.trim();
        const my = ++seq;
        if (q.length < MIN_CHARS) {
            open(false);
            return;
        }
        replace(pop, h('p', { class: 'gsearch-note', text: t('search.loading') }));
        open(true);
        pop.setAttribute('aria-busy', 'true');
        try {
            const res = await api.get('/search', { query: { q } });
            if (my !== seq) return;
            render(q, res);
            mark(-1);
        } catch {
            if (my !== seq) return;
            replace(pop, h('p', { class: 'gsearch-note', role: 'alert', text: t('search.failed') }));
        } finally {
            if (my === seq) pop.removeAttribute('aria-busy');
        }
    }
    const later = debounce(run, 250);

    function close() {
        seq++;
        later.cancel();
        open(false);
    }

    input.addEventListener('input', later);
    input.addEventListener('focus', () => {
        if (input.value.trim().length >= MIN_CHARS && pop.hidden && pop.childNodes.length) open(true);
    });
    input.addEventListener('keydown', (ev) => {
        const opts = options();
        if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
            ev.preventDefault();
            if (pop.hidden) {
                run();
                return;
            }
            if (!opts.length) return;
            const step = ev.key === 'ArrowDown' ? 1 : -1;
            mark(active < 0 ? (step > 0 ? 0 : opts.length - 1) : (active + step + opts.length) % opts.length);
        } else if (ev.key === 'Enter') {
            ev.preventDefault();
            later.cancel();
            const target = opts[active >= 0 ? active : 0];
            if (target && !pop.hidden) {
                close();
                input.blur();
                navigate(target.getAttribute('href'));
            } else run();
        } else if (ev.key === 'Escape') {
            // the first Escape closes the list and keeps the words (a
            // search field would clear itself); the next one clears them
            if (!pop.hidden) {
                ev.preventDefault();
                ev.stopPropagation();
                close();
            } else if (input.value) {
                ev.preventDefault();
                input.value = '';
            }
        }
    });
    el.addEventListener('focusout', (ev) => {
        if (!el.contains(ev.relatedTarget)) setTimeout(() => {
            if (!el.contains(document.activeElement)) open(false);
        }, 150);
    });
    const onKey = (ev) => {
        if (!el.isConnected) {
            document.removeEventListener('keydown', onKey); // a rebuilt top bar has its own
            return;
        }
        if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) return;
        ev.preventDefault();
        input.focus();
        input.select();
    };
    document.addEventListener('keydown', onKey);
    window.addEventListener('kedr:rendered', close);
    return el;
}
