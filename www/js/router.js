// router.js -- client-side routing with real URLs.
//
//   route('/admin/users/:id', () => import('./admin/users.js'), 'page');
//   navigate('/admin/users/5');
//
// Pages live at real paths (nginx answers every unknown path with
// index.html), so a deep link, a reload and the back button all work.
// Same-origin <a href> clicks are taken over here.  A view is
//   async function view(ctx) -> optional cleanup function
// with ctx = {main, params, query, path, signal}; `signal` aborts when
// the person leaves the page before it finished loading.
//
// Leave guards (unsaved changes): addGuard(() => isDirty) -- before any
// navigation, a dirty guard makes the router ask for confirmation.

const routes = [];
const guards = new Set();
let resolver = null;
let confirmLeave = async () => true;
let current = { url: null, cleanup: null, abort: null };
let seq = 0;
const lastUrls = new Map(); // pathname -> the path with the query it last had

// Register a path pattern (":name" segments, a trailing "*" matches the
// rest); `load` resolves the view function (or a module whose `export`
// names it).
export function route(pattern, load, exportName = 'default') {
    const keys = [];
    const src = pattern.replace(/\/$/, '').split('/').map((seg) => {
        if (seg === '*') {
            keys.push('rest');
            return '(.*)';
        }
        if (seg.startsWith(':')) {
            keys.push(seg.slice(1));
            return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/');
    routes.push({ pattern, re: new RegExp(`^${src || ''}/?$`), keys, load, exportName });
}

// The route matching a path: {route, params} or null.
export function match(path) {
    for (const r of routes) {
        const m = r.re.exec(path);
        if (!m) continue;
        const params = {};
        r.keys.forEach((k, i) => {
            try {
                params[k] = decodeURIComponent(m[i + 1] || '');
            } catch {
                params[k] = m[i + 1] || '';
            }
        });
        return { route: r, params };
    }
    return null;
}

// Resolve a view for a URL before the route table (login checks, module
// loading): resolver(url) -> view function or {redirect: url}.
export function setResolver(fn) {
    resolver = fn;
}

// How the router asks "leave with unsaved changes?": fn() -> Promise<bool>.
export function setConfirmLeave(fn) {
    confirmLeave = fn;
}

export function addGuard(isDirty) {
    guards.add(isDirty);
    return () => guards.delete(isDirty);
}

function dirty() {
    for (const g of guards) if (g()) return true;
    return false;
}

export async function canLeave() {
    if (!dirty()) return true;
    return confirmLeave();
}

// The current path with its query, as a "next" target.
export function here() {
    return location.pathname + location.search;
}

// Where a link back to a list should go: the list as the person left it
// in this tab (its filters, search, sort and page live in its query), or
// `href` itself when it carries a query or was not visited.
export function returnUrl(href) {
    const u = new URL(href, location.origin);
    if (u.search || u.origin !== location.origin) return href;
    return lastUrls.get(u.pathname.replace(/(.)\/$/, '$1')) || href;
}

function remember(pathname, url) {
    lastUrls.set(pathname.replace(/(.)\/$/, '$1'), url);
}

// Go to a URL.  replace: no new history entry; force: skip leave guards
// (the session ended: the page cannot be saved anyway).
export async function navigate(url, { replace = false, force = false } = {}) {
    if (!force && !(await canLeave())) return false;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    await render();
    return true;
}

// Update the query string of the current page without rendering again
// (list state: search, page, sort).
export function setQuery(params, { replace = true } = {}) {
    const u = new URL(location.href);
    for (const [k, v] of Object.entries(params)) {
        if (v === undefined || v === null || v === '') u.searchParams.delete(k);
        else u.searchParams.set(k, v);
    }
    const s = u.pathname + u.search;
    if (s === here()) return;
    if (replace) history.replaceState(null, '', s);
    else history.pushState(null, '', s);
    current.url = s;
    remember(u.pathname, s);
}

// Render the page for the current location into `main`.
export async function render() {
    const main = document.getElementById('main');
    const my = ++seq;
    const url = new URL(location.href);
    if (current.abort) current.abort.abort();
    if (current.cleanup) {
        try {
            current.cleanup();
        } catch (err) {
            console.error(err);
        }
    }
    guards.clear();
    const abort = new AbortController();
    current = { url: url.pathname + url.search, cleanup: null, abort };
    remember(url.pathname, current.url);

    let view = resolver ? await resolver(url) : null;
    if (my !== seq) return;
    if (view && view.redirect) {
        history.replaceState(null, '', view.redirect);
        return render();
    }
    let params = {};
    if (!view) {
        const m = match(url.pathname);
        if (m) {
            params = m.params;
            const mod = await m.route.load();
            if (my !== seq) return;
            view = typeof mod === 'function' ? mod : mod[m.route.exportName];
        }
    }
    if (!view) view = notFoundView;
    const ctx = { main: document.getElementById('main') || main, params, query: url.searchParams,
        path: url.pathname, signal: abort.signal };
    try {
        const cleanup = await view(ctx);
        if (my === seq) current.cleanup = typeof cleanup === 'function' ? cleanup : null;
        else if (typeof cleanup === 'function') cleanup();
    } catch (err) {
        if (err.name === 'AbortError' || my !== seq) return;
        if (errorView) errorView(ctx, err);
        else throw err;
    }
    if (my === seq) window.dispatchEvent(new CustomEvent('kedr:rendered', { detail: { path: url.pathname } }));
}

let notFoundView = null;
let errorView = null;

export function setFallbacks({ notFound, error }) {
    notFoundView = notFound;
    errorView = error;
}

function onClick(ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin || u.pathname.startsWith('/api/')) return;
    ev.preventDefault();
    if (u.pathname + u.search === here() && !u.hash) return;
    navigate(u.pathname + u.search + u.hash);
}

// Start: take over link clicks and the back button, render the first page.
export function start() {
    document.addEventListener('click', onClick);
    window.addEventListener('popstate', async () => {
        if (!(await canLeave())) {
            // put the page the person is still on back into the address bar
            history.pushState(null, '', current.url);
            return;
        }
        render();
    });
    window.addEventListener('beforeunload', (ev) => {
        if (dirty()) {
            ev.preventDefault();
            ev.returnValue = '';
        }
    });
    return render();
}
