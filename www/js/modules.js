// modules.js -- loading a module's UI on demand, and the registration API
// it gets.
//
// The server lists the enabled modules in the session document, each with
// its entry script "m/<name>/index.js" (installed by `make` from
// modules/<name>/www/) and its menu entries.  The menu is built from that
// list alone; a module's script is imported only when the person first
// opens one of its pages.  The script's default export receives `kedr`:
//
//   export default function register(kedr) {
//       const t = kedr.strings({ ru: {...}, en: {...} });
//       kedr.route('/hello', async (ctx) => { ... render into ctx.main ... });
//       kedr.route('/hello/:id', () => import('./greeting.js'));   // lazily
//   }
//
// See README.md "Module pages" for the whole API.

import { h, replace, append, debounce, id } from './dom.js';
import { route, navigate, addGuard, setQuery } from './router.js';
import { api, ApiError, apiUrl } from './api.js';
import { defineStrings, translator, getLocale, pick, formatDate, formatDateTime, formatNumber,
    formatMoney, formatPhone } from './i18n.js';
import { session, can } from './session.js';
import { addMenu, setTitle } from './shell.js';
import { toast, confirmDialog, dialog, emptyState, skeleton, errorState } from './ui/feedback.js';
import { errorMessage, fieldMessage } from './errors.js';

const loaded = new Map(); // module name -> Promise
const panels = new Map(); // "<module>.<id>" -> home panel

// The home page's panels the loaded modules registered, in their order.
export function homePanels() {
    return [...panels.values()].sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
}

// The enabled module owning a path: one whose menu path is the path or a
// prefix of it ("/hello" owns "/hello" and "/hello/5").
export function moduleForPath(path) {
    for (const m of session.modules) {
        for (const u of m.ui || []) {
            const p = u.path.replace(/\/$/, '');
            if (path === p || path.startsWith(`${p}/`)) return m;
        }
    }
    return null;
}

export function isLoaded(name) {
    return loaded.has(name);
}

// Import a module's script once and let it register; rejects when the
// script is missing or throws.  A module without a script of its own
// (no www/index.js) gets the generic screens of its declared entities.
export function loadModule(m) {
    if (!loaded.has(m.name)) {
        const p = (async () => {
            if (!m.script) {
                await genericScreens(m);
                return;
            }
            const [ui, mod] = await Promise.all([components(), import(new URL(`../${m.script}`, import.meta.url).href)]);
            if (typeof mod.default !== 'function') throw new Error(`${m.script}: no default export`);
            await mod.default(registrationApi(m, ui));
        })();
        p.catch(() => loaded.delete(m.name));
        loaded.set(m.name, p);
    }
    return loaded.get(m.name);
}

// Each menu entry of a module without pages of its own, routed to the
// list, record and form screens of the entity whose path is the entry's
// (or lies under it).
async function genericScreens(m) {
    const entity = await import('./ui/entity.js');
    const items = (await entity.entityIndex()).filter((e) => e.module === m.name);
    for (const u of m.ui || []) {
        const base = u.path.replace(/\/$/, '');
        const e = items.find((x) => x.path === base) || items.find((x) => x.path.startsWith(`${base}/`));
        if (e) entity.entityScreens((pattern, view) => route(pattern, async () => view), { entity: e.entity, base });
    }
}

// The shared components, loaded with the first module that needs them:
// every one a module page uses is here, so no module imports a shell file
// by path (the shell's files may move; kedr.ui stays).  The kanban,
// calendar and chart load their library (www/vendor/) only when drawn.
async function components() {
    const [list, form, record, upload, tree, attrs, lookup, imp, strlist, kanban, calendar, chart, entity] = await Promise.all([
        import('./ui/list.js'), import('./ui/form.js'), import('./ui/record.js'), import('./ui/upload.js'),
        import('./ui/tree.js'), import('./ui/attrs.js'), import('./ui/lookup.js'), import('./ui/import.js'),
        import('./ui/strlist.js'), import('./ui/kanban.js'), import('./ui/calendar.js'), import('./ui/chart.js'),
        import('./ui/entity.js')]);
    return Object.freeze({
        listView: list.listView,
        localSource: list.localSource,
        recordForm: form.recordForm,
        referenceField: form.referenceField,
        recordPage: record.recordPage,
        historyList: record.historyList,
        upload: upload.uploadBox,
        importDialog: imp.importDialog,
        treeView: tree.treeView,
        strList: strlist.strList,
        // extra attributes of an entity (admin-defined fields)
        attrDefs: attrs.attrDefs,
        attrFields: attrs.attrFields,
        attrsToForm: attrs.attrsToForm,
        attrsFromForm: attrs.attrsFromForm,
        attrFilters: attrs.attrFilters,
        attrColumns: attrs.attrColumns,
        attrRows: attrs.attrRows,
        attrLabels: attrs.attrLabels,
        attrFormat: attrs.attrFormat,
        // pickers of users and of local lists
        userSearch: lookup.userSearch,
        userLabel: lookup.userLabel,
        resolveUsers: lookup.resolveUsers,
        localSearch: lookup.localSearch,
        kanban: kanban.kanban,
        calendar: calendar.calendar,
        chart: chart.chart,
        // screens from an entity's declaration (GET /api/v1/meta/<entity>)
        entityScreens: entity.entityScreens,
        entityList: entity.entityList,
        entityListPage: entity.entityListPage,
        entityRecordPage: entity.entityRecordPage,
        entityFormPage: entity.entityFormPage,
        entityMeta: entity.entityMeta,
        entityIndex: entity.entityIndex,
        toast, confirmDialog, dialog, emptyState, skeleton, errorState,
    });
}

function registrationApi(m, ui) {
    const prefixes = (m.ui || []).map((u) => u.path.replace(/\/$/, ''));
    const kedr = Object.freeze({
        name: m.name,
        version: m.version,
        // A page of this module: route(pattern, view), or a page in its own
        // file, imported when first opened: route(pattern, () => import('./x.js'))
        // -- a function of no parameters is such a loader, and the file's
        // default export is the view.  A view is called as view(ctx, kedr)
        // (the page's file gets this API without importing the shell).
        // The path must lie under one of the module's menu paths, so the
        // shell knows whom to load for it.
        route(pattern, view) {
            if (!prefixes.some((p) => pattern === p || pattern.startsWith(`${p}/`))) {
                console.warn(`module ${m.name}: route ${pattern} is outside its paths ${prefixes.join(', ')}`);
            }
            route(pattern, async () => {
                const fn = view.length === 0 ? (await view()).default : view;
                if (typeof fn !== 'function') throw new Error(`module ${m.name}: route ${pattern}: no default export`);
                return (ctx) => fn(ctx, kedr);
            });
        },
        // More menu entries under the module's own: [{path, label_ru, label_en}].
        menu(items) {
            addMenu(m.name, items);
        },
        // A panel of the home page: {id, title, order, render(el)}; render
        // fills `el` (a section under the title) and may be async.  Panels
        // show in `order` (default 100), after the recent records and views.
        homePanel({ id: pid, title, order = 100, render }) {
            if (typeof render !== 'function' || !pid || !title) {
                console.warn(`module ${m.name}: homePanel needs id, title and render`);
                return;
            }
            panels.set(`${m.name}.${pid}`, { id: `${m.name}.${pid}`, module: m.name, title, order, render });
        },
        // A stylesheet of the module's own folder: css('hello.css') links
        // m/hello/hello.css once (a <link>: the CSP allows no inline style),
        // beside the shell's files (under the same /v/<stamp>/).
        css(file) {
            const href = new URL(`../m/${m.name}/${file}`, import.meta.url).pathname;
            if (!document.querySelector(`link[data-module-css="${href}"]`)) {
                document.head.append(h('link', { rel: 'stylesheet', href, dataset: { moduleCss: href } }));
            }
        },
        // The module's string table; returns its t().
        strings(table) {
            defineStrings(m.name, table);
            return translator(m.name);
        },
        locale: getLocale,
        user: () => session.user,
        can,
        api,
        ApiError,
        apiUrl,
        navigate,
        setQuery,
        addGuard,
        setTitle,
        errorMessage,
        fieldMessage,
        fmt: { date: formatDate, dateTime: formatDateTime, number: formatNumber, money: formatMoney, phone: formatPhone,
            pick },
        dom: { h, replace, append, debounce, id },
        ui,
    });
    return kedr;
}
