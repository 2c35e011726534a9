// admin/roles.js -- roles: the list, the matrix of every role's
// permissions grouped by module, a role's page (its permissions, its
// users, its history) and the new-role form.

import { h, replace, id as newId } from '../dom.js';
import { translator, pick } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { navigate, addGuard } from '../router.js';
import { setTitle } from '../shell.js';
import { session } from '../session.js';
import { listView, localSource } from '../ui/list.js';
import { recordForm } from '../ui/form.js';
import { recordPage, historyList } from '../ui/record.js';
import { toast, skeleton, errorState, emptyState } from '../ui/feedback.js';
import { errorMessage, fieldMessage } from '../errors.js';

const t = translator('core');

// A module's name for people: the core's own label, else the module's
// first menu entry ("Привет" for hello), else its name.
function moduleLabel(name) {
    if (!name) return '';
    if (t.has(`roles.module.${name}`)) return t(`roles.module.${name}`);
    const ui = session.modules.find((m) => m.name === name)?.ui?.[0];
    return ui ? `${pick(ui, 'label')} (${name})` : name;
}

// The permission catalogue plus any permission a role holds that no
// enabled module declares any more (kept, shown apart).
function catalogue(perms, held = []) {
    const known = new Set(perms.flatMap((b) => b.permissions.map((p) => p.name)));
    const other = [...new Set(held)].filter((p) => p !== '*' && !known.has(p));
    const out = perms.map((b) => ({ module: b.module, permissions: b.permissions }));
    if (other.length) {
        out.push({ module: '', permissions: other.map((name) => ({ name, label_ru: name, label_en: name })) });
    }
    return out;
}

// The permission matrix of one role, as a form field: a fieldset per
// module with a "whole module" box, and "all permissions" ('*') on top.
function permissionField(perms, held) {
    return {
        name: 'permissions', label: t('roles.permissions'), type: 'custom', wide: true,
        make: ({ id, describedBy, onChange }) => {
            const boxes = new Map(); // permission -> input
            const groupBoxes = [];
            const allId = newId('all');
            const all = h('input', { id: allId, type: 'checkbox', dataset: { perm: '*' } });
            const groups = catalogue(perms, held).map((b) => {
                const gid = newId('grp');
                const gbox = h('input', { id: gid, type: 'checkbox', class: 'group-box',
                    'aria-label': t('roles.whole_module', { module: moduleLabel(b.module) || t('roles.other') }) });
                const items = b.permissions.map((p) => {
                    const pid = newId('perm');
                    const box = h('input', { id: pid, type: 'checkbox', value: p.name, dataset: { perm: p.name } });
                    boxes.set(p.name, box);
                    box.addEventListener('change', () => {
                        sync();
                        onChange();
                    });
                    return h('div', { class: 'perm-row' }, box,
                        h('label', { for: pid }, h('span', { text: pick(p, 'label') || p.name }),
                            h('code', { class: 'perm-code', text: p.name })));
                });
                const g = { gbox, names: b.permissions.map((p) => p.name) };
                groupBoxes.push(g);
                gbox.addEventListener('change', () => {
                    for (const n of g.names) boxes.get(n).checked = gbox.checked;
                    sync();
                    onChange();
                });
                return h('fieldset', { class: 'perm-group', dataset: { module: b.module } },
                    h('legend', null, gbox, h('label', { for: gid, text: moduleLabel(b.module) || t('roles.other') }),
                        h('span', { class: 'perm-count' })),
                    h('div', { class: 'perm-list' }, items));
            });
            // what the boxes held before "all" was ticked, restored when
            // it is unticked ("all" shows every box ticked)
            let before = new Set();
            function sync() {
                const star = all.checked;
                if (star) for (const box of boxes.values()) box.checked = true;
                for (const g of groupBoxes) {
                    const n = g.names.filter((x) => boxes.get(x).checked).length;
                    g.gbox.checked = star || (n === g.names.length && n > 0);
                    g.gbox.indeterminate = !star && n > 0 && n < g.names.length;
                    g.gbox.disabled = star;
                    g.gbox.closest('fieldset').querySelector('.perm-count').textContent =
                        star ? t('roles.count_all') : t('roles.count', { n, total: g.names.length });
                }
                for (const box of boxes.values()) box.disabled = star;
                el.classList.toggle('perm-star', star);
            }
            all.addEventListener('change', () => {
                if (all.checked) before = new Set([...boxes].filter(([, b]) => b.checked).map(([n]) => n));
                else for (const [n, b] of boxes) b.checked = before.has(n);
                sync();
                onChange();
            });
            const err = h('p', { id: `${id}-err`, class: 'field-error', hidden: true });
            const el = h('div', { class: 'field field-wide perm-matrix', dataset: { field: 'permissions' },
                'aria-describedby': describedBy },
            h('div', { class: 'perm-all' }, all, h('label', { for: allId },
                h('strong', { text: t('roles.all_perms') }), h('span', { class: 'muted', text: t('roles.all_perms_help') }))),
            groups.length ? h('div', { class: 'perm-groups' }, groups) : emptyState(t('roles.no_perms')),
            err);
            return {
                el,
                get: () => (all.checked ? ['*'] : [...boxes].filter(([, b]) => b.checked).map(([n]) => n).sort()),
                set: (v) => {
                    const set = new Set(v || []);
                    all.checked = set.has('*');
                    before = new Set([...set].filter((n) => n !== '*'));
                    for (const [n, b] of boxes) b.checked = set.has(n);
                    sync();
                },
                focus: () => all.focus(),
                error: (msg) => {
                    err.textContent = msg || '';
                    err.hidden = !msg;
                    el.classList.toggle('has-error', !!msg);
                },
            };
        },
    };
}

// "Only their own records": a user whose every role has it sees only
// the clients they manage or in their regions; '*' sees everything.
function ownOnlyField() {
    return {
        name: 'own_only', label: t('roles.own_only'), type: 'checkbox', wide: true, help: t('roles.own_only_help'),
        validate: (v, data) => (v && (data.permissions || []).includes('*') ? t('roles.own_only_star') : null),
    };
}

async function loadPerms() {
    return api.get('/permissions');
}

const NAME_RE = /^[a-z][a-z0-9_]*$/;

export async function listPage(ctx) {
    setTitle(t('nav.roles'));
    const view = ctx.query.get('view') === 'matrix' ? 'matrix' : 'list';
    const tabsId = newId('view');
    const switcher = h('div', { class: 'seg', role: 'group', 'aria-label': t('roles.view'), id: tabsId },
        h('a', { class: 'seg-btn', href: '/admin/roles', 'aria-current': view === 'list' ? 'page' : null, text: t('roles.view_list') }),
        h('a', { class: 'seg-btn', href: '/admin/roles?view=matrix', 'aria-current': view === 'matrix' ? 'page' : null,
            text: t('roles.view_matrix') }));
    const head = h('div', { class: 'page-head' }, h('h1', { text: t('nav.roles') }),
        h('div', { class: 'page-actions' }, switcher,
            h('a', { class: 'btn btn-primary', href: '/admin/roles/new', text: t('roles.new') })));
    if (view === 'matrix') {
        replace(ctx.main, head, skeleton(8));
        return matrixView(ctx, head);
    }
    const list = listView({
        key: 'roles', title: t('nav.roles'), query: ctx.query, sort: 'id',
        fetch: localSource(() => api.get('/roles'), { searchKeys: ['name', 'label_ru', 'label_en'] }),
        columns: [
            { key: 'label', label: t('roles.label'), required: true, link: (r) => `/admin/roles/${r.id}`,
                render: (r) => pick(r, 'label') || r.name },
            { key: 'name', label: t('roles.name'), sort: true, render: (r) => h('code', { text: r.name }) },
            { key: 'users', label: t('roles.users'), type: 'number', sort: true },
            { key: 'permissions', label: t('roles.permissions'), render: (r) => (r.permissions.includes('*')
                ? t('roles.count_all') : t('roles.perm_count', { n: r.permissions.length })) },
            { key: 'own_only', label: t('roles.own_only'), sort: true, render: (r) => (r.own_only
                ? h('span', { class: 'badge badge-warn', text: t('roles.own_only_short') }) : '') },
            { key: 'builtin', label: t('roles.builtin'), type: 'bool', hidden: true },
            { key: 'updated_at', label: t('updated_at'), type: 'datetime', hidden: true, sort: true },
        ],
    });
    replace(ctx.main, head, list.el);
}

// Every role against every permission: one column per role, a row per
// permission, grouped by module; saving patches the roles that changed.
async function matrixView(ctx, head) {
    let roles;
    let perms;
    try {
        [roles, perms] = await Promise.all([api.get('/roles'), loadPerms()]);
    } catch (err) {
        replace(ctx.main, head, errorState(errorMessage(err)));
        return;
    }
    const state = new Map(roles.map((r) => [r.id, new Set(r.permissions)]));
    const initial = new Map(roles.map((r) => [r.id, JSON.stringify([...r.permissions].sort())]));
    const changed = () => roles.filter((r) => JSON.stringify([...state.get(r.id)].sort()) !== initial.get(r.id));
    addGuard(() => changed().length > 0);
    const save = h('button', { type: 'button', class: 'btn btn-primary', text: t('save'), disabled: true });
    const status = h('span', { class: 'muted', role: 'status' });
    const update = () => {
        const n = changed().length;
        save.disabled = n === 0;
        status.textContent = n ? t('roles.changed', { n }) : '';
    };
    const cell = (role, perm, label) => {
        const set = state.get(role.id);
        const star = set.has('*');
        const box = h('input', { type: 'checkbox', checked: star || set.has(perm),
            disabled: star && perm !== '*', 'aria-label': `${pick(role, 'label') || role.name}: ${label}`,
            dataset: { role: role.name, perm } });
        box.addEventListener('change', () => {
            if (box.checked) set.add(perm);
            else set.delete(perm);
            if (perm === '*') {
                for (const b of table.querySelectorAll(`input[data-role="${role.name}"]`)) {
                    if (b.dataset.perm !== '*') {
                        b.disabled = box.checked;
                        b.checked = box.checked || set.has(b.dataset.perm);
                    }
                }
            }
            update();
        });
        return h('td', { class: 'matrix-cell' }, box);
    };
    const table = h('table', { class: 'table matrix' },
        h('caption', { class: 'sr-only', text: t('roles.view_matrix') }),
        h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('roles.permission') }),
            roles.map((r) => h('th', { scope: 'col', class: 'matrix-role' },
                h('a', { href: `/admin/roles/${r.id}`, text: pick(r, 'label') || r.name }),
                r.own_only ? [' ', h('span', { class: 'badge badge-warn', text: t('roles.own_only_short'),
                    title: t('roles.own_only_help') })] : null)))),
        h('tbody', null,
            h('tr', { class: 'matrix-all' }, h('th', { scope: 'row' }, h('strong', { text: t('roles.all_perms') })),
                roles.map((r) => cell(r, '*', t('roles.all_perms')))),
            catalogue(perms, roles.flatMap((r) => r.permissions)).map((b) => [
                h('tr', { class: 'matrix-group' }, h('th', { scope: 'rowgroup', colspan: String(roles.length + 1),
                    text: moduleLabel(b.module) || t('roles.other') })),
                b.permissions.map((p) => h('tr', null,
                    h('th', { scope: 'row' }, h('span', { text: pick(p, 'label') || p.name }),
                        h('code', { class: 'perm-code', text: p.name })),
                    roles.map((r) => cell(r, p.name, pick(p, 'label') || p.name)))),
            ])));
    save.addEventListener('click', async () => {
        save.disabled = true;
        let failed = 0;
        for (const r of changed()) {
            try {
                const saved = await api.patch(`/roles/${r.id}`, { version: r.version, permissions: [...state.get(r.id)].sort() });
                r.version = saved.version;
                initial.set(r.id, JSON.stringify([...saved.permissions].sort()));
            } catch (err) {
                failed++;
                const msg = err instanceof ApiError && err.status === 409 ? t('form.conflict_title')
                    : (err.fields?.permissions ? fieldMessage(err.fields.permissions) : errorMessage(err));
                toast(`${pick(r, 'label') || r.name}: ${msg}`, { kind: 'error' });
            }
        }
        if (!failed) toast(t('form.saved'));
        update();
    });
    replace(ctx.main, head,
        h('div', { class: 'matrix-bar' }, save, status),
        h('div', { class: 'table-wrap matrix-wrap' }, table));
}

export async function createPage(ctx) {
    setTitle(t('roles.new'));
    replace(ctx.main, skeleton(6));
    let perms;
    try {
        perms = await loadPerms();
    } catch (err) {
        replace(ctx.main, errorState(errorMessage(err)));
        return;
    }
    const form = recordForm({
        label: t('roles.new'),
        fields: [
            { name: 'name', label: t('roles.name'), type: 'text', required: true, maxLength: 48, code: true,
                pattern: NAME_RE, patternMessage: t('roles.name_format'), help: t('roles.name_help') },
            { name: 'label_ru', label: t('roles.label_ru'), type: 'text', maxLength: 200 },
            { name: 'label_en', label: t('roles.label_en'), type: 'text', maxLength: 200 },
            ownOnlyField(),
            permissionField(perms, []),
        ],
        value: { permissions: [], own_only: false },
        submitLabel: t('roles.create'),
        cancelHref: '/admin/roles',
        savedMessage: t('roles.created'),
        submit: (data) => api.post('/roles', data),
        onSaved: (role) => navigate(`/admin/roles/${role.id}`, { replace: true, force: true }),
    });
    replace(ctx.main,
        h('a', { class: 'back-link', href: '/admin/roles' }, h('span', { 'aria-hidden': 'true', text: '← ' }), t('nav.roles')),
        h('div', { class: 'page-head' }, h('h1', { text: t('roles.new') })),
        h('div', { class: 'card' }, form.el));
    form.focus();
}

export async function rolePage(ctx) {
    replace(ctx.main, skeleton(8));
    let role;
    let perms;
    try {
        [role, perms] = await Promise.all([api.get(`/roles/${encodeURIComponent(ctx.params.id)}`), loadPerms()]);
    } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
            setTitle(t('notfound.title'));
            replace(ctx.main, h('h1', { text: t('roles.not_found') }),
                h('p', null, h('a', { href: '/admin/roles', text: t('nav.roles') })));
            return;
        }
        replace(ctx.main, errorState(errorMessage(err)));
        return;
    }
    const title = () => pick(role, 'label') || role.name;
    setTitle(title());
    const form = recordForm({
        label: t('roles.permissions'),
        fields: [
            { name: 'name', label: t('roles.name'), type: 'text', readonly: true },
            { name: 'label_ru', label: t('roles.label_ru'), type: 'text', maxLength: 200 },
            { name: 'label_en', label: t('roles.label_en'), type: 'text', maxLength: 200 },
            ownOnlyField(),
            permissionField(perms, role.permissions),
        ],
        value: role,
        submit: (data) => api.patch(`/roles/${role.id}`, data),
        reload: () => api.get(`/roles/${role.id}`),
        onSaved: (saved) => {
            role = saved;
            refreshHead();
        },
        onReloaded: (fresh) => {
            role = fresh;
            refreshHead();
        },
    });
    const page = recordPage({
        title: title(),
        subtitle: role.name,
        back: { href: '/admin/roles', label: t('nav.roles') },
        badges: badges(),
        query: ctx.query,
        tabs: [
            { id: 'permissions', label: t('roles.permissions'), render: (p) => p.append(h('div', { class: 'card' }, form.el)) },
            { id: 'users', label: t('roles.users'), count: role.users, render: (p) => p.append(listView({
                key: 'role-users', noUrl: true, title: t('roles.users_of'),
                // the users list has no role filter: fetch the users and keep this role's
                fetch: localSource(async () => (await api.get('/users', { query: { limit: 500 } }))
                    .items.filter((u) => u.roles.includes(role.name)), { searchKeys: ['login', 'full_name', 'email'] }),
                columns: [
                    { key: 'login', label: t('users.login'), required: true, link: (u) => `/admin/users/${u.id}`, sort: true },
                    { key: 'full_name', label: t('users.full_name'), sort: true },
                    { key: 'email', label: t('users.email') },
                    { key: 'active', label: t('users.status'), render: (u) => h('span', {
                        class: ['badge', u.active ? 'badge-ok' : 'badge-muted'],
                        text: u.active ? t('users.active_state') : t('users.inactive_state') }) },
                ],
                empty: t('roles.no_users'),
            }).el) },
            { id: 'history', label: t('tab.history'), render: (p) => p.append(historyList({
                entity: 'core.role', id: String(role.id),
                labels: { label_ru: t('roles.label_ru'), label_en: t('roles.label_en'), permissions: t('roles.permissions'),
                    users: t('roles.users'), name: t('roles.name'), own_only: t('roles.own_only') } })) },
        ],
    });
    replace(ctx.main, page.el);

    function badges() {
        const b = role.builtin ? [{ text: t('roles.builtin'), kind: 'info' }] : [];
        if (role.own_only) b.push({ text: t('roles.own_only_short'), kind: 'warn' });
        return b;
    }
    function refreshHead() {
        setTitle(title());
        const head = page.el.querySelector('.record-title');
        head.querySelector('h1').textContent = title();
        let box = head.querySelector('.badges');
        if (!box) {
            box = h('p', { class: 'badges' });
            head.append(box);
        }
        replace(box, badges().map((x) => h('span', { class: ['badge', `badge-${x.kind}`], text: x.text })));
    }
}
