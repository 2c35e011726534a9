// admin/users.js -- users: the list, the new-user form, the user's page
// (profile, password, API tokens they created, history).

import { h, replace } from '../dom.js';
import { translator, pick, formatDateTime, formatPhone } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { navigate } from '../router.js';
import { setTitle } from '../shell.js';
import { listView, localSource } from '../ui/list.js';
import { recordForm } from '../ui/form.js';
import { recordPage, historyList } from '../ui/record.js';
import { skeleton, errorState } from '../ui/feedback.js';
import { errorMessage } from '../errors.js';
import { adminStyles } from './style.js';

const t = translator('core');

// Role names -> labels in the person's language.
async function loadRoles() {
    try {
        return await api.get('/roles');
    } catch {
        return [];
    }
}

function roleLabels(roles) {
    const m = new Map(roles.map((r) => [r.name, pick(r, 'label') || r.name]));
    return (names) => (names || []).map((n) => m.get(n) || n).join(', ');
}

const LOGIN_RE = /^[A-Za-z0-9._@-]+$/;

// Region names typed or pasted: split on commas, semicolons and new lines.
const splitRegions = (text) => text.split(/[,;\n]/).map((x) => x.trim()).filter(Boolean);

// The user's regions as chips: type a name and press Enter (or a comma)
// to add it, the chip's × or Backspace in the empty input to remove.  A
// name still in the input when the form is saved counts too.
function regionsField() {
    return {
        name: 'regions', label: t('users.regions'), type: 'custom', wide: true,
        validate: (v) => (v.some((x) => [...x].length > 200) ? t('users.region_long') : null),
        make: ({ id, describedBy, onChange }) => {
            let chips = [];
            const list = h('ul', { class: 'chips-list' });
            const input = h('input', { id, type: 'text', autocomplete: 'off', 'aria-describedby': `${id}-help ${describedBy}`,
                placeholder: t('users.region_ph') });
            const err = h('p', { id: `${id}-err`, class: 'field-error', hidden: true });
            const el = h('div', { class: 'field field-wide field-regions', dataset: { field: 'regions' } },
                h('label', { for: id, text: t('users.regions') }),
                h('div', { class: 'chips-input' }, list, input),
                h('p', { id: `${id}-help`, class: 'help', text: t('users.regions_help') }),
                err);
            const render = () => replace(list, chips.map((name) => h('li', { class: 'chip-item' },
                h('span', { text: name }),
                h('button', { type: 'button', class: 'chip-remove', text: '×',
                    'aria-label': t('users.region_remove', { name }),
                    onclick: () => {
                        remove(name);
                        input.focus();
                    } }))));
            const add = (text) => {
                const before = chips.length;
                for (const name of splitRegions(text)) if (!chips.includes(name)) chips.push(name);
                render();
                return chips.length !== before;
            };
            const remove = (name) => {
                chips = chips.filter((x) => x !== name);
                render();
                onChange();
            };
            input.addEventListener('keydown', (ev) => {
                if ((ev.key === 'Enter' || ev.key === ',') && input.value.trim()) {
                    ev.preventDefault();
                    add(input.value);
                    input.value = '';
                    onChange();
                } else if (ev.key === 'Enter') {
                    ev.preventDefault(); // an empty Enter adds nothing and does not submit
                } else if (ev.key === 'Backspace' && input.value === '' && chips.length) {
                    remove(chips[chips.length - 1]);
                }
            });
            input.addEventListener('input', () => {
                if (/[,;\n]/.test(input.value)) {
                    const parts = input.value.split(/[,;\n]/);
                    const rest = parts.pop();
                    add(parts.join(','));
                    input.value = rest.trimStart();
                }
                onChange();
            });
            input.addEventListener('blur', () => {
                if (input.value.trim() && add(input.value)) onChange();
                input.value = '';
            });
            return {
                el,
                get: () => {
                    const out = [...chips];
                    for (const name of splitRegions(input.value)) if (!out.includes(name)) out.push(name);
                    return out;
                },
                set: (v) => {
                    chips = [...(v || [])];
                    input.value = '';
                    render();
                },
                focus: () => input.focus(),
                error: (msg) => {
                    err.textContent = msg || '';
                    err.hidden = !msg;
                    el.classList.toggle('has-error', !!msg);
                    if (msg) input.setAttribute('aria-invalid', 'true');
                    else input.removeAttribute('aria-invalid');
                },
            };
        },
    };
}

// A bad region ("regions[2]") is the regions field's error.
async function withRegions(call) {
    try {
        return await call();
    } catch (err) {
        if (err instanceof ApiError && Object.keys(err.fields).some((k) => k.startsWith('regions['))) {
            const fields = {};
            for (const [k, v] of Object.entries(err.fields)) {
                if (k.startsWith('regions[')) fields.regions = t('users.region_long');
                else fields[k] = v;
            }
            err.fields = fields;
        }
        throw err;
    }
}


function userFields(roles, { creating }) {
    const fields = [
        { name: 'login', label: t('users.login'), type: 'text', required: creating, readonly: !creating, maxLength: 64,
            pattern: LOGIN_RE, patternMessage: t('users.login_format'), code: true, autocomplete: 'off',
            help: creating ? t('users.login_help') : null },
        { name: 'full_name', label: t('users.full_name'), type: 'text', maxLength: 200, autocomplete: 'off' },
        { name: 'email', label: t('users.email'), type: 'email', maxLength: 254, autocomplete: 'off' },
        { name: 'phone', label: t('users.phone'), type: 'phone', maxLength: 32, autocomplete: 'off' },
        { name: 'locale', label: t('users.locale'), type: 'select', required: true,
            options: [{ value: 'ru', label: t('lang.ru') }, { value: 'en', label: t('lang.en') }] },
        { name: 'counterparty_id', label: t('users.counterparty'), type: 'number', min: 1,
            help: t('users.counterparty_help') },
        { name: 'roles', label: t('users.roles'), type: 'multiselect', wide: true,
            options: roles.map((r) => ({ value: r.name, label: (pick(r, 'label') || r.name) +
                (r.own_only ? ` (${t('roles.own_only_short').toLocaleLowerCase()})` : '') })) },
        regionsField(),
    ];
    if (creating) {
        fields.push({ name: 'password', label: t('users.password'), type: 'password', autocomplete: 'new-password',
            help: t('users.password_help') });
    } else {
        fields.push({ name: 'active', label: t('users.active'), type: 'checkbox', help: t('users.active_help') });
    }
    return fields;
}

function pageHead(title, ...actions) {
    return h('div', { class: 'page-head' }, h('h1', { text: title }),
        actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export async function listPage(ctx) {
    setTitle(t('nav.users'));
    const roles = await loadRoles();
    const labels = roleLabels(roles);
    const list = listView({
        key: 'users',
        title: t('nav.users'),
        url: '/users',
        query: ctx.query,
        searchPlaceholder: t('users.search_ph'),
        columns: [
            { key: 'login', label: t('users.login'), required: true, link: (r) => `/admin/users/${r.id}`,
                sort: true },
            { key: 'full_name', label: t('users.full_name'), sort: true },
            { key: 'email', label: t('users.email'), sort: true },
            { key: 'phone', label: t('users.phone'), hidden: true, render: (r) => formatPhone(r.phone) },
            { key: 'roles', label: t('users.roles'), render: (r) => labels(r.roles) },
            { key: 'regions', label: t('users.regions'), render: (r) => (r.regions || []).join(', ') },
            { key: 'active', label: t('users.status'), sort: true, render: (r) => h('span', {
                class: ['badge', r.active ? 'badge-ok' : 'badge-muted'],
                text: r.active ? t('users.active_state') : t('users.inactive_state') }) },
            { key: 'locale', label: t('users.locale'), hidden: true, render: (r) => t(`lang.${r.locale}`) },
            { key: 'password_changed_at', label: t('users.password_changed'), type: 'datetime', hidden: true },
            { key: 'created_at', label: t('created_at'), type: 'datetime', hidden: true, sort: true },
            { key: 'updated_at', label: t('updated_at'), type: 'datetime', hidden: true, sort: true },
        ],
        filters: [{ name: 'active', label: t('users.status'), options: [
            { value: 'true', label: t('users.active_state') }, { value: 'false', label: t('users.inactive_state') }],
        type: 'select' }],
        empty: t('users.empty'),
    });
    replace(ctx.main,
        pageHead(t('nav.users'), h('a', { class: 'btn btn-primary', href: '/admin/users/new', text: t('users.new') })),
        list.el);
}

export async function createPage(ctx) {
    adminStyles();
    setTitle(t('users.new'));
    replace(ctx.main, skeleton(6));
    const roles = await loadRoles();
    const form = recordForm({
        label: t('users.new'),
        fields: userFields(roles, { creating: true }),
        value: { locale: 'ru', roles: [], regions: [] },
        submitLabel: t('users.create'),
        cancelHref: '/admin/users',
        savedMessage: t('users.created'),
        submit: (data) => {
            const body = { ...data };
            if (!body.password) delete body.password;
            return withRegions(() => api.post('/users', body));
        },
        onSaved: (user) => navigate(`/admin/users/${user.id}`, { replace: true, force: true }),
    });
    replace(ctx.main,
        h('a', { class: 'back-link', href: '/admin/users' }, h('span', { 'aria-hidden': 'true', text: '← ' }), t('nav.users')),
        pageHead(t('users.new')),
        h('div', { class: 'card' }, form.el));
    form.focus();
}

export async function userPage(ctx) {
    const id = ctx.params.id;
    adminStyles();
    replace(ctx.main, skeleton(8));
    let user;
    let roles;
    try {
        [user, roles] = await Promise.all([api.get(`/users/${encodeURIComponent(id)}`), loadRoles()]);
    } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
            setTitle(t('notfound.title'));
            replace(ctx.main, h('h1', { text: t('users.not_found') }),
                h('p', null, h('a', { href: '/admin/users', text: t('nav.users') })));
            return;
        }
        replace(ctx.main, errorState(errorMessage(err)));
        return;
    }
    const labels = roleLabels(roles);
    const title = () => user.full_name || user.login;
    setTitle(title());

    const form = recordForm({
        label: t('users.profile'),
        fields: userFields(roles, { creating: false }),
        value: user,
        submit: (data) => withRegions(() => api.patch(`/users/${user.id}`, data)),
        reload: () => api.get(`/users/${user.id}`),
        onSaved: (saved) => {
            user = saved;
            refreshHead();
        },
        onReloaded: (fresh) => {
            user = fresh;
            refreshHead();
        },
    });

    const passwordForm = recordForm({
        label: t('users.set_password'),
        columns: 1,
        fields: [{ name: 'password', label: t('users.new_password'), type: 'password', required: true,
            autocomplete: 'new-password', help: t('users.password_set_help') }],
        value: {},
        submitLabel: t('users.set_password'),
        savedMessage: t('users.password_set'),
        submit: async (data) => {
            await api.post(`/users/${user.id}/password`, { password: data.password });
            return {};
        },
        onSaved: () => passwordForm.setValue({}),
    });

    const page = recordPage({
        title: title(),
        subtitle: user.login,
        back: { href: '/admin/users', label: t('nav.users') },
        badges: badges(),
        query: ctx.query,
        tabs: [
            { id: 'profile', label: t('users.profile'), render: (p) => p.append(h('div', { class: 'card' }, form.el)) },
            { id: 'password', label: t('users.password'), render: (p) => p.append(h('div', { class: 'card card-narrow' },
                h('p', { class: 'muted', text: user.has_password
                    ? t('users.password_changed_at', { at: formatDateTime(user.password_changed_at) || '—' })
                    : t('users.no_password') }),
                passwordForm.el)) },
            { id: 'tokens', label: t('nav.tokens'), render: (p) => p.append(listView({
                key: 'user-tokens', noUrl: true, search: false, title: t('users.tokens_of'),
                fetch: localSource(async () => (await api.get('/tokens')).filter((x) => x.created_by === user.id)),
                columns: [
                    { key: 'name', label: t('tokens.name'), required: true },
                    { key: 'active', label: t('tokens.state'), render: (r) => tokenState(r) },
                    { key: 'created_at', label: t('created_at'), type: 'datetime' },
                    { key: 'last_used_at', label: t('tokens.last_used'), type: 'datetime' },
                ],
                empty: t('users.no_tokens'),
            }).el) },
            { id: 'history', label: t('tab.history'), render: (p) => p.append(historyList({
                entity: 'core.user', id: String(user.id), labels: fieldLabels() })) },
        ],
    });
    replace(ctx.main, page.el);

    function badges() {
        const b = [{ text: user.active ? t('users.active_state') : t('users.inactive_state'),
            kind: user.active ? 'ok' : 'muted' }];
        if (user.roles?.length) b.push({ text: labels(user.roles), kind: 'info' });
        return b;
    }
    function refreshHead() {
        setTitle(title());
        const head = page.el.querySelector('.record-title');
        head.querySelector('h1').textContent = title();
        const badgeBox = head.querySelector('.badges');
        if (badgeBox) {
            replace(badgeBox, badges().map((x) => h('span', { class: ['badge', `badge-${x.kind}`], text: x.text })));
        }
    }
}

export function tokenState(r) {
    if (r.revoked_at) return h('span', { class: 'badge badge-muted', text: t('tokens.revoked') });
    if (!r.active) return h('span', { class: 'badge badge-warn', text: t('tokens.expired') });
    if (!r.owner_active) return h('span', { class: 'badge badge-warn', text: t('tokens.owner_inactive') });
    return h('span', { class: 'badge badge-ok', text: t('tokens.active') });
}

export function fieldLabels() {
    return {
        login: t('users.login'), full_name: t('users.full_name'), email: t('users.email'), phone: t('users.phone'),
        locale: t('users.locale'), roles: t('users.roles'), active: t('users.active'),
        counterparty_id: t('users.counterparty'), regions: t('users.regions'), has_password: t('users.has_password'),
        password_changed_at: t('users.password_changed'), sessions_ended: t('users.sessions_ended'),
    };
}

// Used by the audit screen to name what a user id is.
export async function userSearch(q) {
    const res = await api.get('/users', { query: { q, limit: 10 } });
    return res.items.map((u) => ({ value: String(u.id), label: u.full_name || u.login, hint: u.login }));
}
