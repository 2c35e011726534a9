// home.js -- the working page: a greeting, the records the person opened
// last (GET /api/v1/recent, fed by recordPage's `recent`), their saved
// views (GET /api/v1/views), then the panels modules add from their
// www/index.js (kedr.homePanel).  Every enabled module's script is loaded
// here so its panels can register; a module that fails to load just
// shows none.  Module versions are on the modules screen, not here.

import { h, replace } from '../dom.js';
import { translator, formatDate, formatDateTime } from '../i18n.js';
import { session } from '../session.js';
import { api } from '../api.js';
import { setTitle } from '../shell.js';
import { loadModule, homePanels } from '../modules.js';
import { emptyState, skeleton, errorState } from '../ui/feedback.js';
import { errorMessage } from '../errors.js';
import { viewUrl } from '../ui/views.js';

const t = translator('core');

// A panel: a card with a heading; fill(body) may be async.
function panel(pid, title, fill) {
    const hid = `panel-${pid.replace(/[^a-z0-9_-]/gi, '-')}`;
    const body = h('div', { class: 'desk-body' }, skeleton(3));
    const el = h('section', { class: 'card desk-panel', 'aria-labelledby': hid, dataset: { panel: pid } },
        h('h2', { id: hid, text: title }), body);
    Promise.resolve()
        .then(() => {
            const inner = h('div');
            return Promise.resolve(fill(inner)).then(() => replace(body, ...inner.childNodes));
        })
        .catch((err) => replace(body, errorState(err?.status !== undefined ? errorMessage(err) : t('home.panel_failed'))));
    return el;
}

async function recent(el) {
    const { items } = await api.get('/recent', { query: { limit: 10 } });
    if (!items.length) {
        el.append(h('p', { class: 'muted', text: t('home.recent_none') }));
        return;
    }
    el.append(h('ul', { class: 'desk-list' }, items.map((r) => h('li', null,
        h('a', { href: r.url, text: r.title }),
        h('span', { class: 'muted', title: formatDateTime(r.opened_at), text: r.label })))));
}

async function views(el) {
    const { items } = await api.get('/views');
    if (!items.length) {
        el.append(h('p', { class: 'muted', text: t('home.views_none') }));
        return;
    }
    el.append(h('ul', { class: 'desk-list' }, items.map((v) => h('li', null,
        h('a', { href: viewUrl(v.ui, v.query), text: v.name }),
        h('span', { class: 'muted', text: v.label })))));
}

export default function home(ctx) {
    setTitle(t('nav.home'));
    const user = session.user;
    const head = h('div', { class: 'page-head' },
        h('div', null,
            h('h1', { text: t('home.hello', { name: user.full_name || user.login }) }),
            h('p', { class: 'muted', text: formatDate(new Date(), 'full') })));
    if (!session.modules.length) {
        replace(ctx.main, head, emptyState(t('home.empty')));
        return;
    }
    const desk = h('div', { class: 'desk', role: 'region', 'aria-label': t('home.panels') },
        panel('recent', t('home.recent'), recent),
        panel('views', t('home.views'), views));
    replace(ctx.main, head, desk);
    // the modules' panels, once their scripts have registered them (the
    // page counts as shown without waiting for them)
    Promise.allSettled(session.modules.map((m) => loadModule(m))).then(() => {
        if (!desk.isConnected) return;
        for (const p of homePanels()) desk.append(panel(p.id, p.title, (el) => p.render(el)));
    });
}
