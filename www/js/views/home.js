// home.js -- the start page: a greeting and a tile per menu entry.

import { h, replace } from '../dom.js';
import { translator, pick, formatDate } from '../i18n.js';
import { session, can } from '../session.js';
import { setTitle, ADMIN_SCREENS } from '../shell.js';
import { emptyState } from '../ui/feedback.js';

const t = translator('core');

export default function home(ctx) {
    setTitle(t('nav.home'));
    const user = session.user;
    const tiles = [];
    for (const m of session.modules) {
        for (const u of m.ui || []) {
            tiles.push(h('li', null, h('a', { class: 'tile', href: u.path },
                h('span', { class: 'tile-title', text: pick(u, 'label') || m.name }),
                h('span', { class: 'tile-sub', text: t('home.module', { name: m.name, version: m.version }) }))));
        }
    }
    for (const s of ADMIN_SCREENS.filter((x) => can(x.perm))) {
        tiles.push(h('li', null, h('a', { class: 'tile tile-admin', href: s.path },
            h('span', { class: 'tile-title', text: t(s.label) }),
            h('span', { class: 'tile-sub', text: t(`${s.label}_hint`) }))));
    }
    replace(ctx.main,
        h('div', { class: 'page-head' },
            h('div', null,
                h('h1', { text: t('home.hello', { name: user.full_name || user.login }) }),
                h('p', { class: 'muted', text: formatDate(new Date(), 'full') }))),
        tiles.length ? h('ul', { class: 'tiles', 'aria-label': t('home.sections') }, tiles)
            : emptyState(t('home.empty')));
}
