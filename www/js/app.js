// app.js -- the entry point: language, session, frame, routes.

import { h, replace } from './dom.js';
import { defineStrings, translator, setLocale, storedLocale } from './i18n.js';
import strings from './strings.js';
import { apiEvents } from './api.js';
import { session, loadSession, logout, forget, can, saveLocale } from './session.js';
import { route, match, navigate, render, setResolver, setFallbacks, setConfirmLeave, canLeave, start }
    from './router.js';
import { initShell, layout, layoutKind, showBanner, hideBanner, setTitle, loginUrl, ADMIN_SCREENS }
    from './shell.js';
import { loginView, safeNext } from './login.js';
import { moduleForPath, loadModule } from './modules.js';
import { confirmDialog, toast, errorState } from './ui/feedback.js';
import { errorMessage } from './errors.js';

defineStrings('core', strings);
const t = translator('core');
setLocale(storedLocale() || 'ru');

// --- routes of the shell itself -------------------------------------

route('/', () => import('./views/home.js'));
route('/admin/users', () => import('./admin/users.js'), 'listPage');
route('/admin/users/new', () => import('./admin/users.js'), 'createPage');
route('/admin/users/:id', () => import('./admin/users.js'), 'userPage');
route('/admin/roles', () => import('./admin/roles.js'), 'listPage');
route('/admin/roles/new', () => import('./admin/roles.js'), 'createPage');
route('/admin/roles/:id', () => import('./admin/roles.js'), 'rolePage');
route('/admin/attributes', () => import('./admin/attributes.js'), 'listPage');
route('/admin/attributes/new', () => import('./admin/attributes.js'), 'createPage');
route('/admin/attributes/:id', () => import('./admin/attributes.js'), 'attributePage');
route('/admin/tokens', () => import('./admin/tokens.js'));
route('/admin/modules', () => import('./admin/modules.js'));
route('/admin/audit', () => import('./admin/audit.js'));

// --- the pages every app has -----------------------------------------

function messagePage(ctx, { code, title, text, action }) {
    setTitle(title);
    replace(ctx.main,
        h('div', { class: 'message-page' },
            code ? h('p', { class: 'message-code', 'aria-hidden': 'true', text: code }) : null,
            h('h1', { tabindex: '-1', text: title }),
            h('p', { text }),
            action || h('a', { class: 'btn btn-primary', href: '/', text: t('nav.home') })));
}

function notFound(ctx) {
    messagePage(ctx, { code: '404', title: t('notfound.title'), text: t('notfound.text') });
}

function forbidden(ctx) {
    messagePage(ctx, { code: '403', title: t('forbidden.title'), text: t('forbidden.text') });
}

function failed(ctx, err) {
    setTitle(t('error.title'));
    replace(ctx.main, h('h1', { tabindex: '-1', text: t('error.title') }),
        errorState(errorMessage(err), () => render()));
}

setFallbacks({ notFound, error: failed });
setConfirmLeave(() => confirmDialog({
    title: t('unsaved.title'), message: t('unsaved.text'), ok: t('unsaved.leave'), cancel: t('unsaved.stay'),
    danger: true,
}));

// --- session and routing ---------------------------------------------

let notice = null; // a message for the login page ("the session ended")

// A logged-in user's language is theirs (saved on the server); the
// browser's remembered choice serves the login page.
async function afterLogin(next) {
    setLocale(session.user.locale || storedLocale() || 'ru');
    layout('app', { force: true });
    await navigate(safeNext(next), { replace: true, force: true });
}

function onLocale(loc) {
    (async () => {
        if (!(await canLeave())) return;
        setLocale(loc, { remember: true });
        if (session.user && session.user.locale !== loc) {
            try {
                await saveLocale(loc);
            } catch (err) {
                toast(errorMessage(err), { kind: 'error' });
            }
        }
        layout(layoutKind() || 'bare', { force: true });
        render();
    })();
}

async function onLogout(everywhere) {
    if (!(await canLeave())) return;
    if (everywhere && !(await confirmDialog({ title: t('user.logout_all'), message: t('user.logout_all_q'),
        ok: t('user.logout_all'), danger: true }))) return;
    try {
        await logout(everywhere);
    } catch (err) {
        if (err.status !== 401) toast(errorMessage(err), { kind: 'error' });
    }
    notice = null;
    layout('bare');
    navigate('/login', { replace: true, force: true });
}

initShell({ onLocale, onLogout });

// Which view a URL gets before the route table: the login page, a
// redirect to it, the 403 page, or nothing (the route table decides, after
// loading the module that owns the path).
setResolver(async (url) => {
    const path = url.pathname;
    if (path === '/login') {
        if (session.user) return { redirect: safeNext(url.searchParams.get('next')) };
        layout('bare');
        return loginView({ onLoggedIn: afterLogin, onLocale, notice: () => notice });
    }
    if (!session.user) return { redirect: loginUrl() };
    layout('app');
    const admin = ADMIN_SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
    if (admin && !can(admin.perm)) return forbidden;
    if (!match(path)) {
        const m = moduleForPath(path);
        if (m) {
            try {
                await loadModule(m);
            } catch (err) {
                console.error(err);
                return (ctx) => messagePage(ctx, { title: t('module.failed'), text: t('module.failed_text',
                    { name: m.name }) });
            }
        }
    }
    return null;
});

// Any request answering 401: the session ended (idle or absolute expiry,
// logged out elsewhere).  Back to the login page, then back here.
apiEvents.addEventListener('unauthenticated', () => {
    if (!session.user) return;
    forget();
    notice = t('session.expired');
    const to = loginUrl();
    layout('bare');
    navigate(to, { replace: true, force: true });
});
apiEvents.addEventListener('unavailable', (ev) => {
    const err = ev.detail;
    showBanner(err.status === 0 ? t('error.network') : t('error.unavailable'), () => render());
});
apiEvents.addEventListener('available', hideBanner);

// Move focus to the new page's heading, so screen readers announce it.
window.addEventListener('kedr:rendered', () => {
    if (document.activeElement && document.activeElement !== document.body &&
        document.getElementById('main')?.contains(document.activeElement)) return;
    if (document.activeElement?.closest('.gsearch')) return; // typing in the top bar's search
    if (layoutKind() === 'bare') return;
    const h1 = document.querySelector('#main h1');
    if (h1) {
        if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
    }
});

async function boot() {
    try {
        await loadSession();
    } catch (err) {
        layout('bare');
        const main = document.getElementById('main');
        replace(main, h('div', { class: 'login-card' },
            h('h1', { class: 'login-title', text: t('app.name') }),
            errorState(errorMessage(err), () => location.reload())));
        return;
    }
    if (session.user) setLocale(session.user.locale || storedLocale() || 'ru');
    layout(session.user ? 'app' : 'bare');
    await start();
    document.documentElement.classList.add('ready');
}

boot();
