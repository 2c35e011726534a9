// kanban.js -- a board of columns and cards (stages of a project, tickets
// of a helpdesk): drag a card to another column (SortableJS), or move it
// with the keyboard; the page decides whether the move stands.
//
//   const board = await kanban({
//       label: t('board'),
//       columns: [{ id: 'ru', title: 'Русский' }, ...],
//       cards: [{ id: 5, column: 'ru', title: 'Привет', href: '/hello/5' }, ...],
//       render: (card) => optional extra content of a card,
//       onMove: async ({ card, from, to, index }) => false to refuse,
//   });
//   main.append(board.el);
//
// onMove runs after the card moved on screen; when it returns false or
// throws, the card goes back where it was (an error is shown as a toast).
// Keyboard: each card is focusable; Alt+← / Alt+→ move it to the previous
// or next column, Alt+↑ / Alt+↓ within its column.  The move is announced
// to screen readers.  board.cards() is the current placement,
// [{id, column}] in order.

import { h, append } from '../dom.js';
import { translator, formatNumber } from '../i18n.js';
import { toast } from './feedback.js';
import { errorMessage } from '../errors.js';
import { componentCss } from './style.js';
import { vendor } from './vendor.js';

const t = translator('core');

export async function kanban({ label, columns, cards = [], render, onMove, readonly = false }) {
    componentCss();
    const Sortable = readonly ? null : await vendor('sortable');
    const byId = new Map(cards.map((c) => [String(c.id), c]));
    const lists = new Map(); // column id -> <ul>
    const counts = new Map(); // column id -> count element
    const live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    const colTitle = (colId) => columns.find((c) => String(c.id) === colId)?.title ?? colId;

    function cardEl(card) {
        const title = card.href ? h('a', { href: card.href, text: card.title, tabindex: '-1' })
            : h('span', { text: card.title });
        const li = h('li', { class: 'kanban-card', tabindex: '0', dataset: { id: String(card.id) },
            'aria-keyshortcuts': readonly ? undefined : 'Alt+ArrowLeft Alt+ArrowRight Alt+ArrowUp Alt+ArrowDown' },
        h('div', { class: 'kanban-card-title' }, title));
        if (render) append(li, render(card));
        return li;
    }

    function recount() {
        for (const [colId, ul] of lists) counts.get(colId).textContent = formatNumber(ul.children.length);
    }

    // Put card element `li` at `index` of column `colId` (the DOM only).
    function place(li, colId, index) {
        const ul = lists.get(colId);
        const ref = [...ul.children].filter((x) => x !== li)[index] || null;
        ul.insertBefore(li, ref);
        recount();
    }

    // Ask the page about a move already shown; undo it when refused.
    async function settle(li, from, fromIndex, to, index) {
        const card = byId.get(li.dataset.id);
        let ok = true;
        if (onMove) {
            try {
                ok = (await onMove({ card, from, to, index })) !== false;
            } catch (err) {
                ok = false;
                toast(errorMessage(err), { kind: 'error' });
            }
        }
        if (ok) {
            card.column = to;
            live.textContent = t('kanban.moved', { card: card.title, column: colTitle(to) });
        } else {
            place(li, from, fromIndex);
            live.textContent = t('kanban.refused', { card: card.title });
        }
        return ok;
    }

    const el = h('div', { class: 'kanban', role: 'group', 'aria-label': label });
    for (const col of columns) {
        const colId = String(col.id);
        const ul = h('ul', { class: 'kanban-list', dataset: { column: colId }, 'aria-label': col.title });
        const count = h('span', { class: 'kanban-count' });
        lists.set(colId, ul);
        counts.set(colId, count);
        el.append(h('section', { class: 'kanban-column', dataset: { column: colId } },
            h('h3', { class: 'kanban-column-title' }, h('span', { text: col.title }), count), ul));
    }
    for (const card of cards) {
        const ul = lists.get(String(card.column));
        if (ul) ul.append(cardEl(card));
    }
    el.append(live);
    recount();

    if (!readonly) {
        for (const ul of lists.values()) {
            Sortable.create(ul, {
                group: 'kanban',
                animation: 150,
                draggable: '.kanban-card',
                ghostClass: 'kanban-ghost',
                onEnd: (ev) => {
                    if (ev.from === ev.to && ev.oldIndex === ev.newIndex) return;
                    recount();
                    settle(ev.item, ev.from.dataset.column, ev.oldIndex, ev.to.dataset.column, ev.newIndex);
                },
            });
        }
        el.addEventListener('keydown', (ev) => {
            const li = ev.target.closest?.('.kanban-card');
            if (!li || !ev.altKey || !ev.key.startsWith('Arrow')) return;
            ev.preventDefault();
            move(li.dataset.id, ev.key);
        });
    }

    // Move a card by the keyboard: `key` is an arrow key's name.
    async function move(cardId, key) {
        const li = el.querySelector(`.kanban-card[data-id="${CSS.escape(String(cardId))}"]`);
        const from = li.parentElement.dataset.column;
        const fromIndex = [...li.parentElement.children].indexOf(li);
        const ids = columns.map((c) => String(c.id));
        let to = from;
        let index = fromIndex;
        if (key === 'ArrowLeft' || key === 'ArrowRight') {
            to = ids[ids.indexOf(from) + (key === 'ArrowLeft' ? -1 : 1)];
            if (to === undefined) return false;
            index = lists.get(to).children.length;
        } else {
            index = fromIndex + (key === 'ArrowUp' ? -1 : 1);
            if (index < 0 || index >= li.parentElement.children.length) return false;
        }
        place(li, to, index);
        li.focus();
        const ok = await settle(li, from, fromIndex, to, index);
        li.focus();
        return ok;
    }

    return {
        el,
        cards: () => [...lists].flatMap(([colId, ul]) => [...ul.children].map((li) => ({ id: li.dataset.id, column: colId }))),
    };
}
