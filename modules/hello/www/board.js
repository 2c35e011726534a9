// board.js -- /hello/board: the greetings as a kanban board, a column per
// language; dragging a card (or Alt+arrow on it) changes its language.
// Loaded on first visit (kedr.route with a loader).
//
// hello has no update route yet (it gets one with the resource kit), so
// the board keeps its placement in this browser (localStorage) and the
// page reads it back on reload; the callback refuses to file a greeting
// written in Cyrillic under English.

import { helloStrings, langLabel, pageNav } from './shared.js';

const STORE = 'kedr.hello.board';

function stored() {
    try {
        return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch {
        return {};
    }
}

export default async function boardPage(ctx, kedr) {
    const t = helloStrings(kedr);
    const { h, replace } = kedr.dom;
    const { kanban, skeleton, errorState, toast } = kedr.ui;
    kedr.setTitle(t('board'));
    replace(ctx.main, skeleton(4));
    let list;
    try {
        list = (await kedr.api.get('/hello/greetings?limit=500')).items;
    } catch (err) {
        replace(ctx.main, errorState(kedr.errorMessage(err)));
        return;
    }
    const placed = stored();
    const langs = [...new Set(['ru', 'en', ...list.map((g) => g.lang)])];
    const board = await kanban({
        label: t('board'),
        columns: langs.map((l) => ({ id: l, title: langLabel(t, l) })),
        cards: list.map((g) => ({ id: g.id, column: placed[g.id] || g.lang, title: g.text, href: `/hello/${g.id}` })),
        onMove: ({ card, to }) => {
            if (to === 'en' && /[а-яё]/i.test(card.title)) {
                toast(t('board_refused', { text: card.title }), { kind: 'error' });
                return false;
            }
            localStorage.setItem(STORE, JSON.stringify({ ...stored(), [card.id]: to }));
            return true;
        },
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('board') })),
        pageNav(kedr, t, 'board'),
        h('p', { class: 'muted page-intro', text: t('board_intro') }),
        board.el);
}
