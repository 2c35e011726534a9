// /t_desk/board: the cards as a kanban board, a column per lane.  The
// placement is kept in this browser (localStorage); a card whose lane is
// "done" is refused anywhere else.

import { cards, deskStrings, laneLabel, LANES } from './index.js';

const STORE = 'kedr.t_desk.board';

function stored() {
    try {
        return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch {
        return {};
    }
}

export default async function boardPage(ctx, kedr) {
    const t = deskStrings(kedr);
    const { h, replace } = kedr.dom;
    const { kanban, toast } = kedr.ui;
    kedr.setTitle(t('board'));
    const list = await cards(kedr);
    const done = new Set(list.filter((c) => c.lane === 'done').map((c) => c.id));
    const placed = stored();
    const board = await kanban({
        label: t('board'),
        columns: [...new Set([...LANES, ...list.map((c) => c.lane)])].map((l) => ({ id: l, title: laneLabel(t, l) })),
        cards: list.map((c) => ({ id: c.id, column: placed[c.id] || c.lane, title: c.title, href: `/t_desk/${c.id}` })),
        onMove: ({ card, to }) => {
            if (done.has(card.id) && to !== 'done') {
                toast(t('board_refused', { text: card.title }), { kind: 'error' });
                return false;
            }
            localStorage.setItem(STORE, JSON.stringify({ ...stored(), [card.id]: to }));
            return true;
        },
    });
    replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('board') })), board.el);
}
