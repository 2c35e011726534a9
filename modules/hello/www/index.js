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
    const { entityList, entityScreens, recordForm, skeleton, errorState } = kedr.ui;
    const langLabel = (l) => (l === 'ru' || l === 'en' ? t(`lang.${l}`) : l);
    const lang = { lang: { render: (r) => langLabel(r.lang) } };

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
        let list;
        try {
            greeting = (await kedr.api.get('/hello/greeting')).greeting;
            list = await entityList({ entity: 'hello.greeting', base: '/hello', query: ctx.query, columns: lang });
        } catch (err) {
            replace(ctx.main, errorState(kedr.errorMessage(err)));
            return;
        }
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
