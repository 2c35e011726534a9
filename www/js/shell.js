// shell.js -- the page frame: top bar, menu, user menu, the "server
// unavailable" banner, and the bare frame of the login page.
//
// The menu is built from the session: the modules the server lists (it
// shows only enabled modules, and only the entries the user may see),
// then the administration screens the user's permissions allow.

import { h, replace, id } from './dom.js';
import { translator, pick, getLocale, LOCALES } from './i18n.js';
import { session, can } from './session.js';
import { here } from './router.js';
import { globalSearch } from './search.js';

const t = translator('core');

// The administration screens: path, permission, label key.
export const ADMIN_SCREENS = [
    { path: '/admin/users', perm: 'core.users.manage', label: 'nav.users' },
    { path: '/admin/roles', perm: 'core.roles.manage', label: 'nav.roles' },
    { path: '/admin/attributes', perm: 'core.attributes.manage', label: 'nav.attributes' },
    { path: '/admin/tokens', perm: 'core.tokens.manage', label: 'nav.tokens' },
    { path: '/admin/modules', perm: 'core.modules.read', label: 'nav.modules' },
    { path: '/admin/audit', perm: 'core.audit.read', label: 'nav.audit' },
];

let kind = null; // 'app' | 'bare'
let handlers = {};
const extraMenu = new Map(); // module name -> [{path, label_ru, label_en}]
let nav;
let navToggle;
let userBtn;
let userMenu;
let banner;

// handlers: {onLocale(loc), onLogout(everywhere)}
export function initShell(h_) {
    handlers = h_;
    document.addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') {
            closeUserMenu();
            if (document.body.classList.contains('nav-open')) {
                closeNav();
                navToggle?.focus();
            }
        }
    });
    document.addEventListener('click', (ev) => {
        if (userMenu && !userMenu.hidden && !ev.target.closest('.usermenu')) closeUserMenu();
    });
    window.addEventListener('kedr:rendered', () => {
        markCurrent();
        closeNav();
    });
}

export function layoutKind() {
    return kind;
}

// Build the frame: 'app' (menu and top bar) or 'bare' (login page).
export function layout(next, { force = false } = {}) {
    if (kind === next && !force && document.getElementById('main')) return;
    kind = next;
    const app = document.getElementById('app');
    banner = h('div', { class: 'banner', role: 'alert', hidden: true });
    const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
    if (next === 'bare') {
        replace(app, banner, main);
        app.className = 'layout-bare';
        nav = userBtn = userMenu = navToggle = null;
        return;
    }
    app.className = 'layout-app';
    navToggle = h('button', {
        type: 'button', class: 'nav-toggle', 'aria-controls': 'nav', 'aria-expanded': 'false',
        onclick: () => (document.body.classList.contains('nav-open') ? closeNav() : openNav()),
    }, h('span', { class: 'burger', 'aria-hidden': 'true' }), h('span', { class: 'sr-only', text: t('nav.menu') }));
    nav = h('nav', { id: 'nav', class: 'sidenav', 'aria-label': t('nav.main'),
        onclick: (ev) => {
            if (ev.target.closest('a')) closeNav();
        } });
    const backdrop = h('div', { class: 'nav-backdrop', onclick: closeNav });
    replace(app,
        h('a', { class: 'skip-link', href: '#main', text: t('nav.skip'),
            onclick: (ev) => {
                ev.preventDefault();
                document.getElementById('main').focus();
            } }),
        h('header', { class: 'topbar' },
            navToggle,
            h('a', { class: 'brand', href: '/' },
                h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: 'К' }),
                h('span', { class: 'brand-name', text: t('app.name') })),
            session.user?.counterparty_id ? null : globalSearch(), // portal users: the API refuses them
            h('div', { class: 'topbar-spacer' }),
            buildUserMenu()),
        banner,
        h('div', { class: 'body' }, nav, backdrop, main));
    renderNav();
}

// Rebuild the menu (after a language switch or a module adding entries).
export function renderNav() {
    if (!nav) return;
    const groups = [];
    const top = [navLink('/', t('nav.home'))];
    for (const m of session.modules) {
        const items = [...(m.ui || []), ...(extraMenu.get(m.name) || [])];
        for (const u of items) top.push(navLink(u.path, pick(u, 'label') || m.name, m.name));
    }
    groups.push(h('ul', { class: 'menu' }, top));
    const admin = ADMIN_SCREENS.filter((s) => can(s.perm));
    if (admin.length) {
        const hid = id('nav');
        groups.push(h('h2', { class: 'menu-heading', id: hid, text: t('nav.admin') }),
            h('ul', { class: 'menu', 'aria-labelledby': hid }, admin.map((s) => navLink(s.path, t(s.label)))));
    }
    replace(nav, groups);
    markCurrent();
}

export function addMenu(moduleName, items) {
    extraMenu.set(moduleName, [...(extraMenu.get(moduleName) || []), ...items]);
    renderNav();
}

function navLink(path, label, module) {
    return h('li', null, h('a', { href: path, class: 'menu-link', dataset: module ? { module } : {}, text: label }));
}

// aria-current on the menu entry whose path is the longest prefix of here.
function markCurrent() {
    if (!nav) return;
    const path = location.pathname;
    let best = null;
    let bestLen = -1;
    for (const a of nav.querySelectorAll('a.menu-link')) {
        a.removeAttribute('aria-current');
        const p = a.getAttribute('href');
        const hit = p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`);
        if (hit && p.length > bestLen) {
            best = a;
            bestLen = p.length;
        }
    }
    if (best) best.setAttribute('aria-current', 'page');
}

function openNav() {
    document.body.classList.add('nav-open');
    navToggle?.setAttribute('aria-expanded', 'true');
    nav?.querySelector('a')?.focus();
}

function closeNav() {
    document.body.classList.remove('nav-open');
    navToggle?.setAttribute('aria-expanded', 'false');
}

function initials(user) {
    const src = (user.full_name || user.login || '?').trim();
    const parts = src.split(/\s+/).filter(Boolean);
    return ((parts[0]?.[0] || '') + (parts[1]?.[0] || '')).toUpperCase() || '?';
}

function buildUserMenu() {
    const user = session.user || {};
    const menuId = id('um');
    userBtn = h('button', {
        type: 'button', class: 'user-btn', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
        'aria-controls': menuId,
        onclick: () => (userMenu.hidden ? openUserMenu() : closeUserMenu()),
        onkeydown: (ev) => {
            if (ev.key === 'ArrowDown' || ev.key === 'Enter' || ev.key === ' ') {
                ev.preventDefault();
                openUserMenu();
            }
        },
    },
    h('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(user) }),
    h('span', { class: 'user-name', text: user.full_name || user.login || '' }),
    h('span', { class: 'sr-only', text: t('user.menu') }),
    h('span', { class: 'caret', 'aria-hidden': 'true', text: '▾' }));

    const item = (label, onclick, extra = {}) => h('li', { role: 'none' },
        h('button', { type: 'button', role: 'menuitem', tabindex: '-1', class: 'menu-item', onclick, ...extra }, label));
    const langs = LOCALES.map((loc) => h('li', { role: 'none' },
        h('button', {
            type: 'button', role: 'menuitemradio', tabindex: '-1', class: 'menu-item',
            'aria-checked': loc === getLocale() ? 'true' : 'false', lang: loc,
            dataset: { locale: loc },
            onclick: () => {
                closeUserMenu();
                handlers.onLocale(loc);
            },
        }, h('span', { class: 'check', 'aria-hidden': 'true', text: loc === getLocale() ? '✓' : '' }),
        t(`lang.${loc}`))));
    userMenu = h('ul', { id: menuId, role: 'menu', class: 'user-menu', 'aria-label': t('user.menu'), hidden: true,
        onkeydown: menuKeys },
    h('li', { role: 'none', class: 'menu-who' },
        h('span', { class: 'who-name', text: user.full_name || user.login || '' }),
        h('span', { class: 'who-login', text: user.login || '' })),
    h('li', { role: 'separator', class: 'menu-sep' }),
    h('li', { role: 'none', class: 'menu-label', text: t('user.language') }),
    langs,
    h('li', { role: 'separator', class: 'menu-sep' }),
    item(t('user.logout'), () => {
        closeUserMenu();
        handlers.onLogout(false);
    }, { dataset: { action: 'logout' } }),
    item(t('user.logout_all'), () => {
        closeUserMenu();
        handlers.onLogout(true);
    }, { dataset: { action: 'logout-all' } }));
    return h('div', { class: 'usermenu' }, userBtn, userMenu);
}

function menuItems() {
    return [...userMenu.querySelectorAll('[role^=menuitem]')];
}

function openUserMenu() {
    userMenu.hidden = false;
    userBtn.setAttribute('aria-expanded', 'true');
    menuItems()[0]?.focus();
}

function closeUserMenu() {
    if (!userMenu || userMenu.hidden) return;
    const hadFocus = userMenu.contains(document.activeElement);
    userMenu.hidden = true;
    userBtn.setAttribute('aria-expanded', 'false');
    if (hadFocus) userBtn.focus();
}

function menuKeys(ev) {
    const items = menuItems();
    const i = items.indexOf(document.activeElement);
    let next = null;
    if (ev.key === 'ArrowDown') next = items[(i + 1) % items.length];
    else if (ev.key === 'ArrowUp') next = items[(i - 1 + items.length) % items.length];
    else if (ev.key === 'Home') next = items[0];
    else if (ev.key === 'End') next = items[items.length - 1];
    else if (ev.key === 'Tab') closeUserMenu();
    if (next) {
        ev.preventDefault();
        next.focus();
    }
}

// The banner under the top bar: shown while the server (or its database)
// does not answer; hidden again by the next successful request.
export function showBanner(message, retry) {
    if (!banner) return;
    replace(banner, h('span', { text: message }),
        retry ? h('button', { type: 'button', class: 'btn btn-small', text: t('retry'), onclick: retry }) : null);
    banner.hidden = false;
}

export function hideBanner() {
    if (banner) banner.hidden = true;
}

// The page title: "<title> — Кедр".
export function setTitle(title) {
    document.title = title ? `${title} — ${t('app.name')}` : t('app.name');
}

// The login URL that brings the person back here afterwards.
export function loginUrl() {
    const next = here();
    return next === '/' || next.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
