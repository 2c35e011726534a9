// admin/tokens.js -- API tokens for integrations: the list, a new token
// (its secret shown once), revoking.

import { h, replace, id as newId } from '../dom.js';
import { translator, pick } from '../i18n.js';
import { api } from '../api.js';
import { setTitle } from '../shell.js';
import { session } from '../session.js';
import { listView, localSource } from '../ui/list.js';
import { recordForm } from '../ui/form.js';
import { toast, dialog, confirmDialog } from '../ui/feedback.js';
import { errorMessage } from '../errors.js';
import { tokenState } from './users.js';

const t = translator('core');

// The permissions a token may get: the catalogue when the person may
// read it, else the names they hold (nobody hands out more than that).
async function permissionOptions() {
    try {
        const cat = await api.get('/permissions');
        return cat.flatMap((b) => b.permissions.map((p) => ({ value: p.name, label: `${pick(p, 'label') || p.name}`,
            module: b.module })))
            .filter((o) => session.permissions.has('*') || session.permissions.has(o.value));
    } catch {
        return [...session.permissions].filter((p) => p !== '*').sort().map((p) => ({ value: p, label: p }));
    }
}

async function newToken(onCreated) {
    const options = await permissionOptions();
    let created = null;
    let close = () => {};
    const form = recordForm({
        label: t('tokens.new'),
        columns: 1,
        guard: false,
        savedMessage: false,
        fields: [
            { name: 'name', label: t('tokens.name'), type: 'text', required: true, maxLength: 200,
                help: t('tokens.name_help') },
            { name: 'permissions', label: t('tokens.permissions'), type: 'multiselect', required: true, options },
            { name: 'expires_at', label: t('tokens.expires'), type: 'date', help: t('tokens.expires_help'),
                min: new Date(Date.now() + 86400000).toISOString().slice(0, 10) },
        ],
        value: { permissions: [] },
        submitLabel: t('tokens.create'),
        extraButtons: [h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => close() })],
        submit: async (data) => {
            const body = { name: data.name, permissions: data.permissions };
            if (data.expires_at) body.expires_at = `${data.expires_at}T23:59:59Z`;
            created = await api.post('/tokens', body);
            return {};
        },
        onSaved: () => close(),
    });
    await dialog({ title: t('tokens.new'), body: [form.el], className: 'dialog-wide', onOpen: (c) => {
        close = c;
        form.focus();
    } });
    if (created) {
        await showSecret(created);
        onCreated();
    }
}

// The secret, once: a read-only field to select and a copy button.
async function showSecret(tok) {
    const fid = newId('secret');
    const input = h('input', { id: fid, type: 'text', readonly: true, value: tok.token, class: 'secret', spellcheck: 'false' });
    const copy = h('button', { type: 'button', class: 'btn', text: t('tokens.copy'), onclick: async () => {
        try {
            await navigator.clipboard.writeText(tok.token);
            toast(t('tokens.copied'));
        } catch {
            input.select();
        }
    } });
    setTimeout(() => input.select(), 0);
    await dialog({
        title: t('tokens.created', { name: tok.name }),
        message: t('tokens.once'),
        body: [h('div', { class: 'field' }, h('label', { for: fid, text: t('tokens.secret') }),
            h('div', { class: 'secret-row' }, input, copy))],
        buttons: [{ label: t('tokens.done'), value: true, kind: 'primary' }],
    });
}

export default function tokensPage(ctx) {
    setTitle(t('nav.tokens'));
    let list;
    const revoke = async (row) => {
        if (!(await confirmDialog({ title: t('tokens.revoke_q', { name: row.name }), message: t('tokens.revoke_text'),
            ok: t('tokens.revoke'), danger: true }))) return;
        try {
            await api.del(`/tokens/${row.id}`);
            toast(t('tokens.revoked_ok', { name: row.name }));
            list.reload();
        } catch (err) {
            toast(errorMessage(err), { kind: 'error' });
        }
    };
    list = listView({
        key: 'tokens', title: t('nav.tokens'), query: ctx.query,
        fetch: localSource(() => api.get('/tokens'), {
            searchKeys: ['name', 'created_by_login'],
            filter: (r, p) => !p.state || (p.state === 'active' ? r.active : !r.active),
        }),
        filters: [{ name: 'state', label: t('tokens.state'), type: 'select', options: [
            { value: 'active', label: t('tokens.active') }, { value: 'inactive', label: t('tokens.inactive') }] }],
        columns: [
            { key: 'name', label: t('tokens.name'), required: true, sort: true },
            { key: 'active', label: t('tokens.state'), render: tokenState },
            { key: 'permissions', label: t('tokens.permissions'), type: 'list' },
            // what it may do now: its own permissions that its owner still holds
            { key: 'effective_permissions', label: t('tokens.effective'), type: 'list' },
            { key: 'created_by_login', label: t('tokens.created_by'), sort: true },
            { key: 'created_at', label: t('created_at'), type: 'datetime', sort: true },
            { key: 'expires_at', label: t('tokens.expires'), type: 'datetime', sort: true },
            { key: 'last_used_at', label: t('tokens.last_used'), type: 'datetime', sort: true },
            { key: 'actions', label: t('actions'), required: true, render: (r) => (r.revoked_at ? ''
                : h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', text: t('tokens.revoke'),
                    'aria-label': t('tokens.revoke_named', { name: r.name }), onclick: () => revoke(r) })) },
        ],
        empty: t('tokens.empty'),
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('nav.tokens') }),
            h('div', { class: 'page-actions' }, h('button', { type: 'button', class: 'btn btn-primary', text: t('tokens.new'),
                onclick: () => newToken(() => list.reload()) }))),
        h('p', { class: 'muted page-intro', text: t('tokens.intro') }),
        list.el);
}
