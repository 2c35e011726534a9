// t_desk's pages: a list of its own, the record page and form the shell
// draws from the declaration (kedr.ui.entityScreens), a home panel, and a
// page per shared component, each imported when first opened -- what the
// core's browser tests drive.

import strings from './strings.js';

// The lanes every board shows, in order; a card's own lane joins them.
export const LANES = ['todo', 'done'];

export const deskStrings = (kedr) => kedr.strings(strings);
export const laneLabel = (t, l) => (LANES.includes(l) ? t(`lane.${l}`) : l);
export const cards = async (kedr) => (await kedr.api.get('/t_desk/cards?limit=500')).items;

// /t_desk: the cards in a list of the page's own (kedr.ui.listView: its
// search, sort, views menu and row actions), deleting with an undo.
function listPage(kedr, t) {
    const { h, replace } = kedr.dom;
    const { listView, localSource, toast } = kedr.ui;
    return (ctx) => {
        kedr.setTitle(t('list'));
        const remove = async (c) => {
            try {
                await kedr.api.del(`/t_desk/cards/${c.id}`, { query: { version: c.version } });
            } catch (err) {
                toast(kedr.errorMessage(err), { kind: 'error' });
                return;
            }
            list.reload();
            toast(t('deleted'), { action: { label: t('undo'), run: async () => {
                await kedr.api.post('/t_desk/cards', { lane: c.lane, title: c.title });
                list.reload();
            } } });
        };
        const list = listView({
            key: 't_desk', title: t('list'), query: ctx.query, search: true, sort: 'id', order: 'desc',
            entity: 't_desk.card',
            rowActions: kedr.can('t_desk.write') ? () => [{ label: t('delete'), danger: true, run: remove }] : null,
            fetch: localSource(() => cards(kedr), { searchKeys: ['title'] }),
            columns: [
                { key: 'id', label: t('number'), type: 'number', sort: true, required: true, link: (r) => `/t_desk/${r.id}` },
                { key: 'title', label: t('title'), sort: true },
                { key: 'lane', label: t('lane'), sort: true, render: (r) => laneLabel(t, r.lane) },
            ],
            empty: t('empty'),
        });
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('list') })), list.el);
    };
}

export default function register(kedr) {
    const t = deskStrings(kedr);
    const { h } = kedr.dom;
    // a panel of the home page: the configured motto and the count
    kedr.homePanel({
        id: 'motto', title: t('panel.title'), order: 50,
        render: async (el) => {
            const [m, list] = await Promise.all([kedr.api.get('/t_desk/motto'),
                kedr.api.get('/t_desk/cards', { query: { limit: 1, total: 'exact' } })]);
            el.append(h('p', { text: m.motto }), h('p', { class: 'muted' }, t('panel.count', { n: list.total }), ' · ',
                h('a', { href: '/t_desk', text: t('panel.open') })));
        },
    });
    // before /t_desk/:id, which would take "board" for an id
    kedr.route('/t_desk/board', () => import('./board.js'));
    kedr.route('/t_desk/calendar', () => import('./calendar.js'));
    kedr.route('/t_desk/stats', () => import('./stats.js'));
    // a card's record page and form: the shell's, from the declaration
    kedr.ui.entityScreens((pattern, view) => pattern !== '/t_desk' && kedr.route(pattern, view),
        { entity: 't_desk.card', base: '/t_desk' });
    kedr.route('/t_desk', listPage(kedr, t));
}
