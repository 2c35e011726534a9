// admin/modules.js -- every module found on the module path: state,
// version, why it was refused, what it requires, its menu entries.

import { h, replace } from '../dom.js';
import { translator, pick } from '../i18n.js';
import { api } from '../api.js';
import { setTitle } from '../shell.js';
import { listView, localSource } from '../ui/list.js';

const t = translator('core');

const STATE_KIND = { enabled: 'ok', disabled: 'muted', refused: 'error' };

export default function modulesPage(ctx) {
    setTitle(t('nav.modules'));
    const list = listView({
        key: 'modules', title: t('nav.modules'), query: ctx.query, sort: 'name',
        fetch: localSource(() => api.get('/modules'), {
            searchKeys: ['name', 'why'],
            filter: (r, p) => !p.state || r.state === p.state,
        }),
        filters: [{ name: 'state', label: t('modules.state'), type: 'select',
            options: ['enabled', 'disabled', 'refused'].map((s) => ({ value: s, label: t(`modules.${s}`) })) }],
        columns: [
            { key: 'name', label: t('modules.name'), required: true, sort: true, render: (r) => h('code', { text: r.name }) },
            { key: 'state', label: t('modules.state'), sort: true, render: (r) => h('span', {
                class: ['badge', `badge-${STATE_KIND[r.state] || 'muted'}`], text: t(`modules.${r.state}`) }) },
            { key: 'version', label: t('modules.version'), sort: true },
            { key: 'why', label: t('modules.why') },
            { key: 'requires', label: t('modules.requires'), type: 'list' },
            { key: 'ui', label: t('modules.pages'), render: (r) => (r.ui || []).map((u) => (r.state === 'enabled'
                ? h('a', { href: u.path, class: 'chip', text: pick(u, 'label') || u.path })
                : h('span', { class: 'chip', text: pick(u, 'label') || u.path }))) },
            { key: 'permissions', label: t('modules.permissions'), hidden: true,
                render: (r) => (r.permissions || []).map((p) => p.name).join(', ') },
        ],
        empty: t('modules.empty'),
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('nav.modules') })),
        h('p', { class: 'muted page-intro', text: t('modules.intro') }),
        list.el);
}
