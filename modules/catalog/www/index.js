// modules/catalog/www/index.js -- the catalog's pages (issue 6): the group
// tree beside the product list (with the groups' editing: a new brand,
// series or group under the selected node, rename, move, delete an empty
// one), the product record page (details form, prices over time, history)
// and the new-product form.  `make` installs
// this folder as www/m/catalog/; the shell imports it the first time
// someone opens /catalog (the menu entry declared in catalog.c).

import strings from './strings.js';

export default function register(kedr) {
    const t = kedr.strings(strings);
    kedr.css('catalog.css');
    const { h, replace, append } = kedr.dom;
    const { listView, recordForm, recordPage, historyList, emptyState, skeleton, errorState } = kedr.ui;
    const C = '/catalog';

    // --- the group tree (WAI-ARIA tree: arrows, Home/End, Enter/Space) ---
    //
    // groups: the tree from GET /groups; selected: a group id or '';
    // onSelect(id, name) when the person picks a node.
    function groupTree(groups, selected, onSelect) {
        const expanded = new Set();
        // open the way to the selected group
        const parents = new Map();
        const names = new Map();
        const totals = new Map(); // products in a group and its subgroups, as the list counts them
        const walk = (nodes, parent) => {
            let sum = 0;
            for (const g of nodes) {
                parents.set(String(g.id), parent);
                names.set(String(g.id), g.name);
                const n = (g.products || 0) + walk(g.children || [], String(g.id));
                totals.set(String(g.id), n);
                sum += n;
            }
            return sum;
        };
        walk(groups, null);
        for (let p = parents.get(String(selected)); p; p = parents.get(p)) expanded.add(p);

        const ul = h('ul', { role: 'tree', class: 'cat-tree', 'aria-label': t('groups') });

        function item(g, level) {
            const gid = g ? String(g.id) : '';
            const kids = g?.children || [];
            const open = expanded.has(gid);
            const li = h('li', { role: 'treeitem', class: 'cat-node', tabindex: '-1', dataset: { id: gid },
                'aria-level': String(level), 'aria-selected': String(gid === String(selected ?? '')),
                'aria-expanded': kids.length ? String(open) : null });
            const toggle = kids.length
                ? h('span', { class: 'cat-toggle', 'aria-hidden': 'true', text: open ? '▾' : '▸' })
                : h('span', { class: 'cat-toggle cat-leaf', 'aria-hidden': 'true' });
            li.append(h('div', { class: 'cat-row' }, toggle,
                h('span', { class: 'cat-name', text: g ? g.name : t('all_products') }),
                g && totals.get(gid) ? h('span', { class: 'cat-count', text: kedr.fmt.number(totals.get(gid)),
                    'aria-label': t('products_n', { n: totals.get(gid) }) }) : null));
            if (kids.length) {
                li.append(h('ul', { role: 'group', class: 'cat-children', hidden: !open },
                    kids.map((k) => item(k, level + 1))));
            }
            return li;
        }

        append(ul, [item(null, 1), groups.map((g) => item(g, 1))]);
        if (!groups.length) ul.append(h('li', { role: 'none', class: 'muted cat-empty', text: t('no_groups') }));

        const visibleItems = () => [...ul.querySelectorAll('[role=treeitem]')].filter((x) => !x.closest('[hidden]'));
        const focusItem = (li) => {
            if (!li) return;
            for (const x of ul.querySelectorAll('[role=treeitem]')) x.tabIndex = -1;
            li.tabIndex = 0;
            li.focus();
        };
        const setOpen = (li, open) => {
            if (!li.hasAttribute('aria-expanded')) return;
            li.setAttribute('aria-expanded', String(open));
            li.querySelector(':scope > ul').hidden = !open;
            li.querySelector(':scope > .cat-row > .cat-toggle').textContent = open ? '▾' : '▸';
        };
        const select = (li) => {
            for (const x of ul.querySelectorAll('[aria-selected=true]')) x.setAttribute('aria-selected', 'false');
            li.setAttribute('aria-selected', 'true');
            focusItem(li);
            onSelect(li.dataset.id, li.dataset.id ? names.get(li.dataset.id) : '');
        };
        (ul.querySelector('[aria-selected=true]') || ul.querySelector('[role=treeitem]')).tabIndex = 0;

        ul.addEventListener('click', (ev) => {
            const li = ev.target.closest('[role=treeitem]');
            if (!li) return;
            if (ev.target.closest('.cat-toggle') && li.hasAttribute('aria-expanded')) {
                setOpen(li, li.getAttribute('aria-expanded') !== 'true');
                focusItem(li);
            } else select(li);
        });
        ul.addEventListener('keydown', (ev) => {
            const li = ev.target.closest('[role=treeitem]');
            if (!li) return;
            const all = visibleItems();
            const i = all.indexOf(li);
            const isOpen = li.getAttribute('aria-expanded') === 'true';
            switch (ev.key) {
            case 'ArrowDown': focusItem(all[i + 1]); break;
            case 'ArrowUp': focusItem(all[i - 1]); break;
            case 'Home': focusItem(all[0]); break;
            case 'End': focusItem(all[all.length - 1]); break;
            case 'ArrowRight':
                if (li.hasAttribute('aria-expanded') && !isOpen) setOpen(li, true);
                else if (isOpen) focusItem(li.querySelector(':scope > ul > [role=treeitem]'));
                break;
            case 'ArrowLeft':
                if (isOpen) setOpen(li, false);
                else focusItem(li.parentElement.closest('[role=treeitem]'));
                break;
            case 'Enter':
            case ' ':
                select(li);
                break;
            default: return;
            }
            ev.preventDefault();
        });
        return { el: ul, name: (gid) => names.get(String(gid)) || '' };
    }

    // The product list's fetch.  The list view pages by offset, the API by
    // keyset (sort=name or -name; after=the `next` of the page before):
    // the cursors of the pages seen are kept by offset, and a page further
    // on is reached by walking from the nearest one before it.
    const productSource = (groupId) => {
        const cursors = new Map();
        return async (p) => {
            const { offset = 0, order, ...query } = p;
            if (p.sort) query.sort = order === 'desc' ? `-${p.sort}` : p.sort;
            if (groupId) query.group_id = groupId;
            const key = JSON.stringify(query);
            let at = 0;
            let after = null;
            for (let o = offset; o > 0; o -= p.limit) {
                if (cursors.has(`${key}|${o}`)) {
                    at = o;
                    after = cursors.get(`${key}|${o}`);
                    break;
                }
            }
            for (;;) {
                const res = await kedr.api.get(`${C}/products`, { query: after ? { ...query, after } : query });
                if (res.next) cursors.set(`${key}|${at + p.limit}`, res.next);
                if (at >= offset) return res;
                if (!res.next) return { items: [], total: res.total };
                at += p.limit;
                after = res.next;
            }
        };
    };

    // --- editing the groups ---------------------------------------------

    const KINDS = ['brand', 'series', 'group'];

    // The server's findings in the person's words, at their fields.
    function explainGroupError(err) {
        if (!(err instanceof kedr.ApiError)) return err;
        const known = [
            ['name', /^a group with this name exists here/, 'name_taken'],
            ['code', /^is used by/, 'code_taken'],
            ['parent_id', /^must not be the group itself/, 'parent_inside'],
            ['parent_id', /^no such group/, 'parent_gone'],
        ];
        const fields = { ...err.fields };
        for (const [field, re, key] of known) if (re.test(fields[field] || '')) fields[field] = t(key);
        err.fields = fields;
        return err;
    }

    // The new-group or edit-group dialog.  group: the group to edit (from
    // the tree: its version is the one the person saw), or null for a new
    // one under `parent`.  Resolves the saved group, or null.
    async function groupDialog({ group, parent, flat }) {
        // a group never moves under itself: leave out its subtree
        const skip = new Set();
        if (group) {
            const walk = (g) => {
                skip.add(g.id);
                for (const c of g.children || []) walk(c);
            };
            walk(group);
        }
        const parents = flat.filter((g) => !skip.has(g.id))
            .map((g) => ({ value: g.id, label: `${'\u2003'.repeat(g.depth || 0)}${g.name}` }));
        let saved = null;
        let close = () => {};
        const title = group ? t('group_edit') : (parent ? t('group_new_in', { name: parent.name }) : t('group_new'));
        const form = recordForm({
            label: title,
            guard: false,
            savedMessage: false,
            fields: [
                { name: 'name', label: t('group_name'), type: 'text', required: true, maxLength: 200, wide: true },
                { name: 'parent_id', label: t('parent'), type: 'select', options: parents, placeholder: t('parent_root'),
                    wide: true },
                { name: 'kind', label: t('kind'), type: 'select', placeholder: group ? null : t('kind_auto'),
                    required: !!group, options: KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })) },
                { name: 'sort', label: t('sort'), type: 'number', min: -2147483648, max: 2147483647, help: t('sort_help') },
                { name: 'code', label: t('code'), type: 'text', maxLength: 100, code: true, autocomplete: 'off',
                    help: t('code_help'), wide: true },
            ],
            value: group ? { ...group } : { parent_id: parent ? parent.id : null, kind: null, sort: 0, code: '' },
            submitLabel: group ? t('save') : t('group_create'),
            extraButtons: [h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => close() })],
            submit: async (data) => {
                const body = { ...data, code: data.code || null };
                if (!body.kind) delete body.kind;
                if (body.sort === null) delete body.sort;
                try {
                    saved = group ? await kedr.api.patch(`${C}/groups/${group.id}`, body)
                        : await kedr.api.post(`${C}/groups`, body);
                } catch (err) {
                    throw explainGroupError(err);
                }
                return saved;
            },
            reload: group ? () => kedr.api.get(`${C}/groups/${group.id}`) : undefined,
            onSaved: () => close(),
        });
        await kedr.ui.dialog({ title, body: [form.el], className: 'dialog-wide cat-group-dialog', onOpen: (c) => {
            close = c;
            form.focus();
        } });
        return saved;
    }

    // Delete an empty group (after asking).  Resolves true when deleted,
    // 'stale' when someone changed it meanwhile.
    async function deleteGroup(group) {
        const ok = await kedr.ui.confirmDialog({ title: t('delete_q', { name: group.name }), message: t('delete_text'),
            ok: t('delete'), danger: true });
        if (!ok) return false;
        try {
            await kedr.api.del(`${C}/groups/${group.id}`, { query: { version: group.version } });
        } catch (err) {
            if (err instanceof kedr.ApiError && err.status === 409) {
                const stale = !!err.fields?.version;
                kedr.ui.toast(stale ? t('group_stale') : t('delete_not_empty', { name: group.name }), { kind: 'error' });
                return stale ? 'stale' : false;
            }
            kedr.ui.toast(kedr.errorMessage(err), { kind: 'error' });
            return false;
        }
        kedr.ui.toast(t('group_deleted', { name: group.name }));
        return true;
    }

    // The catalog page again, on `groupId`, the list's search and sort kept.
    function showGroup(groupId) {
        const u = new URL(window.location.href);
        if (groupId) u.searchParams.set('group', groupId);
        else u.searchParams.delete('group');
        u.searchParams.delete('offset');
        return kedr.navigate(u.pathname + u.search, { replace: true, force: true });
    }

    // /catalog: the tree beside the list
    kedr.route('/catalog', async (ctx) => {
        kedr.setTitle(t('title'));
        replace(ctx.main, skeleton(6));
        let groups;
        try {
            groups = await kedr.api.get(`${C}/groups`);
        } catch (err) {
            replace(ctx.main, errorState(kedr.errorMessage(err)));
            return;
        }
        let groupId = ctx.query.get('group') || '';
        const listBox = h('div', { class: 'cat-list' });
        const selName = h('span', { class: 'cat-selected' });
        // on a phone the tree folds above the list
        const box = h('details', { class: 'card cat-tree-box', open: !window.matchMedia('(max-width: 899px)').matches },
            h('summary', { class: 'cat-summary' }, h('span', { class: 'cat-summary-title', text: t('groups') }), selName));

        const newBtn = kedr.can('catalog.write')
            ? h('a', { class: 'btn btn-primary btn-small', href: `/catalog/products/new${groupId ? `?group=${groupId}` : ''}`,
                text: t('new_product'), dataset: { action: 'new' } })
            : null;

        function showList(query) {
            const list = listView({
                key: 'catalog.products', title: t('products'), query, search: true,
                searchPlaceholder: t('search_ph'), sort: 'name', order: 'asc',
                fetch: productSource(groupId),
                filters: [{ name: 'active', label: t('state'), type: 'select',
                    options: [{ value: 'true', label: t('state.active') }, { value: 'false', label: t('state.inactive') }] }],
                columns: [
                    { key: 'sku', label: t('sku'), sort: true, required: true, link: (r) => `/catalog/products/${r.id}` },
                    { key: 'name', label: t('name'), sort: true, link: (r) => `/catalog/products/${r.id}`, linkAlways: true },
                    { key: 'group', label: t('group'), render: (r) => r.group?.name || '' },
                    { key: 'unit', label: t('unit') },
                    { key: 'active', label: t('active'), type: 'bool' },
                    { key: 'updated_at', label: t('updated_at'), type: 'datetime', hidden: true },
                ],
                actions: newBtn ? [newBtn] : [],
                empty: t('empty'),
            });
            replace(listBox, list.el);
        }

        // the groups by id, and their parents, for the editing buttons
        const byId = new Map();
        const parentOf = new Map();
        const index = (nodes, parent) => {
            for (const g of nodes) {
                byId.set(String(g.id), g);
                parentOf.set(String(g.id), parent);
                index(g.children || [], g);
            }
        };
        index(groups, null);
        if (groupId && !byId.has(String(groupId))) groupId = '';

        // New group (under the selected node), edit, delete
        const actions = kedr.can('catalog.write') ? groupActions() : null;
        function groupActions() {
            const add = h('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'group-new' } });
            const edit = h('button', { type: 'button', class: 'btn btn-small', text: t('edit'), dataset: { action: 'group-edit' } });
            const del = h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', text: t('delete'),
                dataset: { action: 'group-delete' } });
            const flatGroups = () => kedr.api.get(`${C}/groups`, { query: { flat: 'true' } });
            const run = async (fn) => {
                try {
                    await fn();
                } catch (err) {
                    kedr.ui.toast(kedr.errorMessage(err), { kind: 'error' });
                }
            };
            add.addEventListener('click', () => run(async () => {
                const parent = groupId ? byId.get(String(groupId)) : null;
                const g = await groupDialog({ group: null, parent, flat: await flatGroups() });
                if (g) {
                    kedr.ui.toast(t('group_created', { name: g.name }));
                    await showGroup(g.id);
                }
            }));
            edit.addEventListener('click', () => run(async () => {
                const g = await groupDialog({ group: byId.get(String(groupId)), flat: await flatGroups() });
                if (g) {
                    kedr.ui.toast(t('group_saved', { name: g.name }));
                    await showGroup(g.id);
                }
            }));
            del.addEventListener('click', () => run(async () => {
                const g = byId.get(String(groupId));
                const done = await deleteGroup(g);
                if (done === true) await showGroup(parentOf.get(String(g.id))?.id || '');
                else if (done === 'stale') await showGroup(g.id);
            }));
            const update = () => {
                const g = groupId ? byId.get(String(groupId)) : null;
                add.textContent = t('group_add');
                add.setAttribute('aria-label', g ? t('group_new_in', { name: g.name }) : t('group_new_root'));
                edit.disabled = del.disabled = !g;
                edit.setAttribute('aria-label', g ? t('group_edit_named', { name: g.name }) : t('group_edit'));
                del.setAttribute('aria-label', g ? t('group_delete_named', { name: g.name }) : t('group_delete'));
            };
            update();
            return { el: h('div', { class: 'cat-group-actions', role: 'group', 'aria-label': t('group_actions') }, add, edit, del),
                update };
        }

        const tree = groupTree(groups, groupId, (id, name) => {
            groupId = id;
            selName.textContent = name ? `: ${name}` : '';
            if (newBtn) newBtn.href = `/catalog/products/new${id ? `?group=${id}` : ''}`;
            actions?.update();
            kedr.setQuery({ group: id, offset: '' });
            showList(new URLSearchParams(window.location.search));
        });
        selName.textContent = groupId && tree.name(groupId) ? `: ${tree.name(groupId)}` : '';
        if (actions) box.append(actions.el);
        box.append(tree.el);
        showList(ctx.query);
        replace(ctx.main,
            h('div', { class: 'page-head' }, h('h1', { text: t('title') })),
            h('div', { class: 'cat-layout' }, box, listBox));
    });

    // The groups as select options, indented by depth.
    async function groupOptions() {
        const flat = await kedr.api.get(`${C}/groups`, { query: { flat: 'true' } });
        return flat.map((g) => ({ value: g.id, label: `${'\u2003'.repeat(g.depth || 0)}${g.name}` }));
    }

    const productFields = (options, readonly) => [
        { name: 'sku', label: t('sku'), type: 'text', required: true, maxLength: 100, readonly },
        { name: 'name', label: t('name'), type: 'text', required: true, maxLength: 500, readonly, wide: true },
        { name: 'group_id', label: t('group'), type: 'select', options, placeholder: t('no_group'), readonly },
        { name: 'unit', label: t('unit'), type: 'text', required: true, maxLength: 20, readonly },
        { name: 'active', label: t('active'), type: 'checkbox', readonly },
    ];

    // /catalog/products/new
    kedr.route('/catalog/products/new', async (ctx) => {
        kedr.setTitle(t('new_product'));
        const back = h('a', { class: 'back-link', href: '/catalog' }, h('span', { 'aria-hidden': 'true', text: '← ' }), t('title'));
        if (!kedr.can('catalog.write')) {
            replace(ctx.main, back, emptyState(t('no_write')));
            return;
        }
        replace(ctx.main, skeleton(4));
        let options;
        try {
            options = await groupOptions();
        } catch (err) {
            replace(ctx.main, errorState(kedr.errorMessage(err)));
            return;
        }
        const g = Number(ctx.query.get('group')) || null;
        const form = recordForm({
            label: t('new_product'),
            fields: productFields(options, false),
            value: { sku: '', name: '', group_id: options.some((o) => o.value === g) ? g : null, unit: 'шт', active: true },
            submitLabel: t('create'),
            savedMessage: t('created'),
            cancelHref: '/catalog',
            submit: (data) => kedr.api.post(`${C}/products`, data),
            onSaved: (p) => kedr.navigate(`/catalog/products/${p.id}`),
        });
        replace(ctx.main, back,
            h('div', { class: 'page-head' }, h('h1', { text: t('new_product') })),
            h('section', { class: 'card' }, form.el));
        form.focus();
    });

    // /catalog/products/:id: the record page
    kedr.route('/catalog/products/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let p;
        let path = [];
        let options = [];
        try {
            p = await kedr.api.get(`${C}/products/${id}`);
            [path, options] = await Promise.all([
                p.group_id ? kedr.api.get(`${C}/groups/${p.group_id}`).then((g) => g.path || []) : [],
                kedr.can('catalog.write') ? groupOptions() : [],
            ]);
        } catch (err) {
            kedr.setTitle(t('not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('not_found'), h('a', { href: '/catalog', text: t('title') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(`${p.sku} ${p.name}`);
        const canWrite = kedr.can('catalog.write');
        const labels = { sku: t('sku'), name: t('name'), group: t('group'), group_id: t('group_id'), unit: t('unit'), active: t('active'),
            attributes: t('attributes'), ext: t('ext') };
        const pathText = () => (path.length ? path.map((g) => g.name).join(' › ') : t('no_group'));
        let groupPath = pathText();
        const subtitle = () => `${t('sku')}: ${p.sku} · ${groupPath}`;

        const page = recordPage({
            title: p.name,
            subtitle: subtitle(),
            back: { href: p.group_id ? `/catalog?group=${p.group_id}` : '/catalog', label: t('title') },
            badges: p.active ? [] : [{ text: t('inactive'), kind: 'muted' }],
            query: ctx.query,
            tabs: [
                { id: 'details', label: t('tab_details'), render: (panel) => details(panel) },
                { id: 'prices', label: t('tab_prices'), render: (panel) => prices(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: 'catalog.product', id: String(p.id), labels })) },
            ],
        });
        replace(ctx.main, page.el);

        function extras() {
            const attrs = Object.entries(p.attributes || {});
            const ext = Object.entries(p.ext || {});
            if (!attrs.length && !ext.length) return null;
            const dl = (rows) => h('dl', { class: 'cat-dl' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: String(v) })]));
            return h('section', { class: 'card cat-extras' },
                attrs.length ? [h('h2', { text: t('attributes') }), dl(attrs)] : null,
                ext.length ? [h('h2', { text: t('ext') }), dl(ext)] : null);
        }

        function details(panel) {
            if (!canWrite) {
                append(panel, [h('section', { class: 'card' }, h('dl', { class: 'cat-dl' },
                    h('dt', { text: t('sku') }), h('dd', { text: p.sku }),
                    h('dt', { text: t('name') }), h('dd', { text: p.name }),
                    h('dt', { text: t('group') }), h('dd', { text: groupPath }),
                    h('dt', { text: t('unit') }), h('dd', { text: p.unit }),
                    h('dt', { text: t('active') }), h('dd', { text: p.active ? t('state.active') : t('state.inactive') }),
                    h('dt', { text: t('version') }), h('dd', { text: kedr.fmt.number(p.version) }))), extras()]);
                return;
            }
            const form = recordForm({
                label: t('tab_details'),
                fields: productFields(options, false),
                value: p,
                submitLabel: t('save'),
                savedMessage: t('saved'),
                submit: (data) => kedr.api.patch(`${C}/products/${id}`, data),
                reload: () => kedr.api.get(`${C}/products/${id}`),
                onSaved: async (saved) => {
                    const groupChanged = saved.group_id !== p.group_id;
                    p = { ...p, ...saved };
                    if (groupChanged) {
                        path = p.group_id ? (await kedr.api.get(`${C}/groups/${p.group_id}`)).path || [] : [];
                        groupPath = pathText();
                    }
                    page.el.querySelector('.record-title h1').textContent = p.name;
                    page.el.querySelector('.record-title .muted').textContent = subtitle();
                    kedr.setTitle(`${p.sku} ${p.name}`);
                },
            });
            append(panel, [h('section', { class: 'card' }, form.el), extras()]);
        }

        async function prices(panel) {
            const listBox = h('div', { class: 'cat-prices' }, skeleton(3));
            const wrap = h('div', { class: 'cat-prices-wrap' }, listBox);
            panel.append(wrap);
            const types = (await kedr.api.get(`${C}/price-types`, { query: { active: 'true', limit: '500' } })).items;
            const typeName = (code) => {
                const pt = types.find((x) => x.code === code);
                return pt ? (kedr.locale() === 'en' && pt.name_en ? pt.name_en : pt.name) : code;
            };
            async function load() {
                let rows;
                try {
                    rows = await kedr.api.get(`${C}/products/${id}/prices`);
                } catch (err) {
                    replace(listBox, errorState(kedr.errorMessage(err), load));
                    return;
                }
                if (!rows.length) {
                    replace(listBox, emptyState(t('prices_empty')));
                    return;
                }
                const byType = new Map();
                for (const r of rows) {
                    if (!byType.has(r.type)) byType.set(r.type, []);
                    byType.get(r.type).push(r);
                }
                replace(listBox, [...byType].map(([code, list]) => h('section', { class: 'card cat-price-type', dataset: { type: code } },
                    h('h2', { text: typeName(code) }),
                    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
                        h('caption', { class: 'sr-only', text: t('price_history', { type: typeName(code) }) }),
                        h('thead', null, h('tr', null,
                            h('th', { scope: 'col', text: t('valid_from') }),
                            h('th', { scope: 'col', class: 'col-money', text: t('amount') }),
                            h('th', { scope: 'col', text: '' }))),
                        h('tbody', null, list.map((r) => h('tr', { class: r.current ? 'cat-current' : null, dataset: { id: String(r.id) } },
                            h('th', { scope: 'row', 'data-label': t('valid_from'), text: kedr.fmt.date(r.valid_from) }),
                            h('td', { class: 'col-money', 'data-label': t('amount'), text: kedr.fmt.money(r.amount, r.currency) }),
                            h('td', null, r.current ? h('span', { class: 'badge badge-ok', text: t('current') }) : null)))))))));
            }
            await load();
            if (!canWrite) return;
            const today = new Date();
            const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
            const blank = { type: types[0]?.code ?? null, amount: '', valid_from: iso };
            const form = recordForm({
                label: t('add_price'),
                columns: 1,
                guard: false,
                fields: [
                    { name: 'type', label: t('price_type'), type: 'select', required: true,
                        options: types.map((x) => ({ value: x.code, label: typeName(x.code) })) },
                    { name: 'amount', label: `${t('amount')}, ₽`, type: 'money', required: true },
                    { name: 'valid_from', label: t('valid_from'), type: 'date', required: true },
                ],
                value: blank,
                submitLabel: t('add_price_btn'),
                savedMessage: t('price_added'),
                submit: (data) => kedr.api.post(`${C}/products/${id}/prices`, { ...data, currency: 'RUB' }),
                onSaved: () => {
                    form.setValue(blank);
                    load();
                },
            });
            wrap.append(h('section', { class: 'card cat-add-price' }, h('h2', { text: t('add_price') }), form.el));
        }
    });
}
