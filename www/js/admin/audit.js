// admin/audit.js -- the audit trail: pick a kind of record (and
// optionally one record, found by type-ahead), see who changed what.
// The search is in the URL (?entity=core.user&id=5).

import { h, replace } from '../dom.js';
import { translator } from '../i18n.js';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { setTitle } from '../shell.js';
import { session } from '../session.js';
import { recordForm } from '../ui/form.js';
import { historyList } from '../ui/record.js';
import { emptyState } from '../ui/feedback.js';
import { userSearch, fieldLabels } from './users.js';

const t = translator('core');

// Kinds of records the core audits, and how to search each one.
const ENTITIES = {
    'core.user': { search: userSearch, label: 'audit.entity.user', fields: fieldLabels,
        name: async (id) => {
            const u = await api.get(`/users/${id}`);
            return u.full_name || u.login;
        } },
    'core.role': { label: 'audit.entity.role',
        fields: () => ({ name: t('roles.name'), label_ru: t('roles.label_ru'), label_en: t('roles.label_en'),
            permissions: t('roles.permissions'), users: t('roles.users'), builtin: t('roles.builtin') }),
        search: async (q) => (await api.get('/roles'))
            .filter((r) => `${r.name} ${r.label_ru} ${r.label_en}`.toLowerCase().includes(q.toLowerCase()))
            .map((r) => ({ value: String(r.id), label: r.label_ru || r.name, hint: r.name })),
        name: async (id) => (await api.get(`/roles/${id}`)).name },
    'core.api_token': { label: 'audit.entity.token',
        fields: () => ({ name: t('tokens.name'), permissions: t('tokens.permissions'), expires_at: t('tokens.expires'),
            last_used_at: t('tokens.last_used'), revoked_at: t('tokens.revoked'), active: t('tokens.state'),
            created_by_login: t('tokens.created_by'), effective_permissions: t('tokens.effective'),
            owner_active: t('tokens.owner_active') }),
        search: async (q) => (await api.get('/tokens'))
            .filter((x) => x.name.toLowerCase().includes(q.toLowerCase()))
            .map((x) => ({ value: String(x.id), label: x.name })),
        name: async (id) => (await api.get('/tokens')).find((x) => String(x.id) === String(id))?.name || id },
};

export default async function auditPage(ctx) {
    setTitle(t('nav.audit'));
    const entity = ctx.query.get('entity') || '';
    const id = ctx.query.get('id') || '';
    const known = ENTITIES[entity];
    let idLabel = id;
    if (known && id) {
        try {
            idLabel = await known.name(id);
        } catch {
            idLabel = `#${id}`;
        }
    }
    // entities of the enabled modules: "<module>.<thing>" typed by hand
    const options = Object.entries(ENTITIES).map(([value, e]) => ({ value, label: t(e.label) }));
    if (entity && !known) options.push({ value: entity, label: entity });
    const form = recordForm({
        label: t('audit.search'),
        guard: false,
        savedMessage: false,
        fields: [
            { name: 'entity', label: t('audit.entity'), type: 'select', placeholder: t('audit.pick_entity'), options,
                validate: (v, d) => (!v && !d.other ? t('form.required') : null) },
            { name: 'other', label: t('audit.other_entity'), type: 'text', code: true, placeholder: 'hello.greeting',
                help: t('audit.other_help', { modules: session.modules.map((m) => m.name).join(', ') || '—' }),
                pattern: /^[a-z][a-z0-9_]*\.[a-z0-9_.]+$/ },
            { name: 'id', label: t('audit.record'), type: 'reference', placeholder: t('audit.any_record'),
                search: (q) => (ENTITIES[form.getValue().entity]?.search || (async () => (q ? [{ value: q, label: `#${q}` }] : [])))(q),
                display: () => idLabel },
        ],
        value: { entity: known ? entity : (entity ? entity : ''), id: id || null },
        submitLabel: t('audit.show'),
        submit: async (data) => {
            const ent = data.other || data.entity;
            await navigate(`/admin/audit?${new URLSearchParams({ entity: ent, ...(data.id ? { id: data.id } : {}) })}`);
            return null;
        },
    });
    const results = entity ? historyList({ entity, id: id || undefined, labels: known?.fields?.() || {} })
        : emptyState(t('audit.pick'));
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('nav.audit') })),
        h('div', { class: 'card card-search' }, form.el),
        entity ? h('h2', { class: 'section-title', text: id ? t('audit.of_record', { entity, id: idLabel })
            : t('audit.of_entity', { entity }) }) : null,
        results);
}
