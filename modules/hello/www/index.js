// modules/hello/www/index.js -- the hello module's pages: how a module
// adds pages to the shell.  `make` installs this folder as www/m/hello/;
// the shell imports this file the first time someone opens /hello (the
// menu entry the module declares in hello.c) and calls register(kedr).
// The showcase of the shared components (kanban, calendar, chart) is a
// page per file, imported when first opened; a greeting's record page and
// form are the shell's generic ones (kedr.ui.entityScreens), drawn from
// the entity's declaration in hello.c.

import strings from './strings.js';
import { pageNav } from './shared.js';

export default function register(kedr) {
    const t = kedr.strings(strings);
    kedr.css('hello.css');
    const { h, replace } = kedr.dom;
    const { entityScreens, listView, recordForm, skeleton, errorState } = kedr.ui;
    const langLabel = (l) => (l === 'ru' || l === 'en' ? t(`lang.${l}`) : l);
    const lang = { lang: { render: (r) => langLabel(r.lang) } };

    // a panel of the home page: today's configured greeting and the count
    kedr.homePanel({
        id: 'greeting', title: t('panel.title'), order: 50,
        render: async (el) => {
            const [g, list] = await Promise.all([kedr.api.get('/hello/greeting'),
                kedr.api.get('/hello/greetings', { query: { limit: 1, total: 'exact' } })]);
            el.append(h('p', { class: 'hello-big', text: g.greeting }),
                h('p', { class: 'muted' }, t('panel.count', { n: list.total }), ' · ',
                    h('a', { href: '/hello', text: t('panel.open') })));
        },
    });

    // before /hello/:id, which would take "board" for an id
    kedr.route('/hello/board', () => import('./board.js'));
    kedr.route('/hello/calendar', () => import('./calendar.js'));
    kedr.route('/hello/stats', () => import('./stats.js'));
    // a greeting's record page (/hello/:id, with its history) and its
    // form (/hello/new, /hello/:id/edit): the shell's, drawn from the
    // entity's declaration; /hello itself is the page below
    entityScreens((pattern, view) => pattern !== '/hello' && kedr.route(pattern, view),
        { entity: 'hello.greeting', base: '/hello', columns: lang });

    // /hello: the configured greeting, the stored ones, a form to add one
    kedr.route('/hello', async (ctx) => {
        kedr.setTitle(t('title'));
        replace(ctx.main, skeleton(4));
        let greeting = '';
        try {
            greeting = (await kedr.api.get('/hello/greeting')).greeting;
        } catch (err) {
            replace(ctx.main, errorState(kedr.errorMessage(err)));
            return;
        }
        // delete with an undo in the toast (the undo writes it anew)
        const remove = async (g) => {
            try {
                await kedr.api.del(`/hello/greetings/${g.id}`, { query: { version: g.version } });
            } catch (err) {
                kedr.ui.toast(kedr.errorMessage(err), { kind: 'error' });
                return;
            }
            list.reload();
            kedr.ui.toast(t('deleted'), { action: { label: t('undo'), run: async () => {
                await kedr.api.post('/hello/greetings', { lang: g.lang, text: g.text });
                list.reload();
            } } });
        };
        const list = listView({
            key: 'hello', title: t('list'), query: ctx.query, search: true, sort: 'id', order: 'desc',
            entity: 'hello.greeting',
            rowActions: kedr.can('hello.write') ? () => [{ label: t('delete'), danger: true, run: remove }] : null,
            fetch: kedr.ui.localSource(async () => (await kedr.api.get('/hello/greetings?limit=500')).items,
                { searchKeys: ['text'] }),
            columns: [
                { key: 'id', label: t('number'), type: 'number', sort: true, required: true, link: (r) => `/hello/${r.id}` },
                { key: 'text', label: t('text'), sort: true },
                { key: 'lang', label: t('lang'), sort: true, render: (r) => langLabel(r.lang) },
            ],
            empty: t('empty'),
        });
        let side;
        if (kedr.can('hello.write')) {
            const form = recordForm({
                label: t('add'),
                columns: 1,
                fields: [
                    { name: 'lang', label: t('lang'), type: 'select', required: true,
                        options: [{ value: 'ru', label: t('lang.ru') }, { value: 'en', label: t('lang.en') }] },
                    { name: 'text', label: t('text'), type: 'text', required: true, maxLength: 200 },
                ],
                value: { lang: kedr.locale(), text: '' },
                submitLabel: t('save'),
                savedMessage: t('added'),
                submit: (data) => kedr.api.post('/hello/greetings', data),
                onSaved: () => {
                    form.setValue({ lang: kedr.locale(), text: '' });
                    list.reload();
                },
            });
            side = h('section', { class: 'card card-narrow' }, h('h2', { text: t('add') }), form.el);
        } else {
            side = h('p', { class: 'muted', text: t('no_write') });
        }
        replace(ctx.main,
            h('div', { class: 'page-head' }, h('h1', { text: t('title') })),
            pageNav(kedr, t, 'list'),
            h('p', { class: 'muted page-intro', text: t('intro') }),
            h('div', { class: 'card card-narrow hello-greeting' },
                h('p', { class: 'muted', text: t('configured') }),
                h('p', { class: 'hello-big', text: greeting })),
            h('h2', { class: 'section-title', text: t('list') }),
            list.el,
            h('div', { class: 'section-title' }, side));
    });
}
