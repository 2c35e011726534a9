// modules/clients/www/index.js -- the clients pages (issue 6): the
// counterparty list, the new-counterparty form (similar names offered
// while typing, the INN+KPP duplicate with a link to the existing
// record), the counterparty card (requisites, the contact structure as a
// tree, distributors, history, merging duplicates) and the contact page.
// `make` installs this folder as www/m/clients/; the shell imports it the
// first time someone opens /clients (the menu entry declared in clients.c).

import strings from './strings.js';

const KINDS = ['distributor', 'end_customer', 'installer', 'design_institute', 'developer', 'retail_chain', 'partner', 'competitor'];
const STATUSES = ['prospect', 'active', 'inactive'];
const ROLES = ['decision_maker', 'influencer', 'approver', 'user', 'gatekeeper', 'other'];
const STATUS_BADGE = { prospect: 'info', active: 'ok', inactive: 'muted' };

export default function register(kedr) {
    const t = kedr.strings(strings);
    kedr.css('clients.css');
    const { h, replace, append, debounce } = kedr.dom;
    const { listView, recordForm, recordPage, historyList, emptyState, skeleton, errorState, toast, dialog, confirmDialog } = kedr.ui;
    const A = '/clients';
    const canWrite = () => kedr.can('clients.write');

    const kindOptions = KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }));
    const statusOptions = STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }));
    const roleOptions = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));
    const kindLabel = (k) => (k ? t(`kind.${k}`) : '');
    const statusLabel = (s) => (s ? t(`status.${s}`) : '');

    // Lists in the form are text: one phone or e-mail a line, tags by commas.
    const lines = (s) => (s || '').split(/\n/).map((x) => x.trim()).filter(Boolean);
    const commas = (s) => (s || '').split(',').map((x) => x.trim()).filter(Boolean);
    const cpToForm = (c) => ({ ...c, phones: (c.phones || []).join('\n'), emails: (c.emails || []).join('\n'),
        tags: (c.tags || []).join(', ') });
    function cpFromForm(d, { create }) {
        const out = {};
        for (const [k, v] of Object.entries(d)) {
            if (k === 'phones' || k === 'emails') out[k] = lines(v);
            else if (k === 'tags') out[k] = commas(v);
            else if (v === '' || v === null) {
                if (!create) out[k] = null;
            } else out[k] = v;
        }
        return out;
    }

    // The server's messages in the person's language; "phones[1]" at the
    // phones field (line 2).
    function localiseErrors(err) {
        if (!(err instanceof kedr.ApiError) || !err.fields) return err;
        const fields = {};
        for (const [k, v] of Object.entries(err.fields)) {
            const m = /^(\w+)\[(\d+)\]$/.exec(k);
            let msg = t.hasHere(`srv.${v}`) ? t(`srv.${v}`) : kedr.fieldMessage(v);
            if (/^is used by counterparty \d+$/.test(v)) msg = t('inn_used');
            if (m) fields[m[1]] = `${fields[m[1]] ? `${fields[m[1]]}; ` : ''}${Number(m[2]) + 1}: ${msg}`;
            else fields[k] = msg;
        }
        err.fields = fields;
        return err;
    }

    // A 409 on the INN: the existing record's id is in the field message
    // ("is used by counterparty 7"; the body's `duplicate` is not kept by
    // ApiError).  Shows a link to it in `box`.
    async function showDuplicate(err, box) {
        const m = err instanceof kedr.ApiError && err.status === 409 && /counterparty (\d+)/.exec(err.fields?.inn || '');
        if (!m) {
            box.hidden = true;
            return;
        }
        let name = `#${m[1]}`;
        try {
            name = (await kedr.api.get(`${A}/counterparties/${m[1]}`)).name;
        } catch { /* the link still works */ }
        replace(box, h('p', null, t('duplicate'), ' ',
            h('a', { href: `/clients/${m[1]}`, class: 'cl-dup-link', text: name })));
        box.hidden = false;
    }

    const cpFields = () => [
        { name: 'name', label: t('name'), type: 'text', required: true, maxLength: 500, wide: true },
        { name: 'kind', label: t('kind'), type: 'select', required: true, options: kindOptions },
        { name: 'status', label: t('status'), type: 'select', required: true, options: statusOptions },
        { name: 'legal_name', label: t('legal_name'), type: 'text', maxLength: 1000, wide: true },
        { name: 'inn', label: t('inn'), type: 'text', code: true, maxLength: 12, pattern: /^\d{10}(\d{2})?$/,
            patternMessage: t('srv.must be 10 digits (organisation) or 12 digits (person)'), autocomplete: 'off' },
        { name: 'kpp', label: t('kpp'), type: 'text', code: true, maxLength: 9, autocomplete: 'off' },
        { name: 'ogrn', label: t('ogrn'), type: 'text', code: true, maxLength: 15, autocomplete: 'off' },
        { name: 'region', label: t('region'), type: 'text', maxLength: 200 },
        { name: 'segment', label: t('segment'), type: 'text', maxLength: 200 },
        { name: 'abc', label: t('abc'), type: 'select', options: ['A', 'B', 'C'].map((x) => ({ value: x, label: x })) },
        { name: 'address', label: t('address'), type: 'textarea', rows: 2, wide: true },
        { name: 'phones', label: t('phones'), type: 'textarea', rows: 2, help: t('one_per_line') },
        { name: 'emails', label: t('emails'), type: 'textarea', rows: 2, help: t('one_per_line') },
        { name: 'site', label: t('site'), type: 'text', maxLength: 500 },
        { name: 'tags', label: t('tags'), type: 'text', help: t('comma_sep') },
    ];

    // Similar names while typing (GET /similar), as links; selfId left out.
    function similarBox(selfId, name0 = '') {
        const box = h('div', { class: 'cl-similar', role: 'status', hidden: true });
        let seq = 0;
        let last = name0.trim(); // the edit form looks only once the name changes
        const look = debounce(async (name) => {
            const my = ++seq;
            let rows = [];
            if (name.length >= 3) {
                try {
                    rows = await kedr.api.get(`${A}/counterparties/similar`, { query: { name, limit: 5 } });
                } catch { rows = []; }
            }
            if (my !== seq) return;
            rows = rows.filter((r) => r.id !== selfId);
            box.hidden = !rows.length;
            replace(box, rows.length ? [h('p', { class: 'cl-similar-title', text: t('similar') }),
                h('ul', null, rows.map((r) => h('li', null,
                    h('a', { href: `/clients/${r.id}`, target: '_blank', rel: 'noopener', text: r.name }),
                    h('span', { class: 'muted', text: ` · ${[kindLabel(r.kind), r.inn && `${t('inn')} ${r.inn}`, r.region]
                        .filter(Boolean).join(' · ')}` }))))] : []);
        }, 300);
        return {
            el: box,
            onChange(d) {
                const name = (d.name || '').trim();
                if (name === last) return;
                last = name;
                look(name);
            },
        };
    }

    // --- /clients: the list ---
    kedr.route('/clients', async (ctx) => {
        kedr.setTitle(t('title'));
        const newBtn = canWrite()
            ? h('a', { class: 'btn btn-primary btn-small', href: '/clients/new', text: t('new_cp'), dataset: { action: 'new' } })
            : null;
        const list = listView({
            key: 'clients.counterparties', title: t('counterparties'), query: ctx.query, search: true,
            searchPlaceholder: t('search_ph'), sort: 'name', order: 'asc',
            url: `${A}/counterparties`,
            filters: [
                { name: 'kind', label: t('kind'), type: 'select', options: kindOptions },
                { name: 'status', label: t('status'), type: 'select', options: statusOptions },
            ],
            columns: [
                { key: 'name', label: t('name'), sort: true, required: true, link: (r) => `/clients/${r.id}`, linkAlways: true },
                { key: 'inn', label: t('inn'), sort: true },
                { key: 'kpp', label: t('kpp'), hidden: true },
                { key: 'kind', label: t('kind'), sort: true, render: (r) => kindLabel(r.kind) },
                { key: 'status', label: t('status'), sort: true,
                    render: (r) => h('span', { class: ['badge', `badge-${STATUS_BADGE[r.status] || 'muted'}`], text: statusLabel(r.status) }) },
                { key: 'region', label: t('region'), sort: true },
                { key: 'abc', label: t('abc'), sort: true, hidden: true },
                { key: 'tags', label: t('tags'), type: 'list', hidden: true },
                { key: 'updated_at', label: t('updated_at'), type: 'datetime', sort: true, hidden: true },
            ],
            actions: newBtn ? [newBtn] : [],
            empty: t('empty'),
        });
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('title') })), list.el);
    });

    // --- /clients/new ---
    kedr.route('/clients/new', async (ctx) => {
        kedr.setTitle(t('new_cp'));
        const back = h('a', { class: 'back-link', href: '/clients' }, h('span', { 'aria-hidden': 'true', text: '← ' }), t('title'));
        if (!canWrite()) {
            replace(ctx.main, back, emptyState(t('no_write')));
            return;
        }
        const similar = similarBox(null);
        const dup = h('div', { class: 'form-alert form-alert-error cl-dup', role: 'alert', hidden: true });
        const form = recordForm({
            label: t('new_cp'),
            fields: cpFields(),
            value: { name: ctx.query.get('name') || '', kind: 'end_customer', status: 'prospect', phones: '', emails: '', tags: '' },
            submitLabel: t('create'),
            savedMessage: t('created'),
            cancelHref: '/clients',
            onChange: (d) => similar.onChange(d),
            submit: async (data) => {
                dup.hidden = true;
                try {
                    return cpToForm(await kedr.api.post(`${A}/counterparties`, cpFromForm(data, { create: true })));
                } catch (err) {
                    await showDuplicate(err, dup);
                    throw localiseErrors(err);
                }
            },
            onSaved: (c) => kedr.navigate(`/clients/${c.id}`),
        });
        form.field('name').el.after(similar.el);
        replace(ctx.main, back,
            h('div', { class: 'page-head' }, h('h1', { text: t('new_cp') })),
            h('section', { class: 'card' }, dup, form.el));
        form.focus();
    });

    // --- /clients/contacts/:id: the contact page ---
    kedr.route('/clients/contacts/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let c;
        let boss = null;
        try {
            c = await kedr.api.get(`${A}/contacts/${id}`);
            if (c.reports_to) boss = await kedr.api.get(`${A}/contacts/${c.reports_to}`).catch(() => null);
        } catch (err) {
            kedr.setTitle(t('contact_not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('contact_not_found'), h('a', { href: '/clients', text: t('title') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(c.full_name);
        const firstLink = (c.links || [])[0];
        const subtitle = () => [firstLink?.position, firstLink?.name].filter(Boolean).join(' · ');
        const labels = { last_name: t('last_name'), first_name: t('first_name'), middle_name: t('middle_name'),
            full_name: t('name'), phones: t('phones'), emails: t('emails'), reports_to: t('reports_to'),
            decision_role: t('decision_role'), links: t('works_with') };
        const page = recordPage({
            title: c.full_name,
            subtitle: subtitle(),
            back: firstLink ? { href: `/clients/${firstLink.counterparty_id}?tab=contacts`, label: firstLink.name }
                : { href: '/clients', label: t('title') },
            badges: c.active === false ? [{ text: t('status.inactive'), kind: 'muted' }] : [],
            query: ctx.query,
            tabs: [
                { id: 'contact', label: t('tab_contact'), render: (panel) => details(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: 'clients.contact', id: String(c.id), labels })) },
            ],
        });
        replace(ctx.main, page.el);

        function view() {
            const dl = (rows) => h('dl', { class: 'cl-dl' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', null, v || t('none'))]));
            return h('section', { class: 'card cl-contact-view' }, dl([
                [t('phones'), (c.phones || []).length ? h('ul', { class: 'cl-plain' }, c.phones.map((p) =>
                    h('li', null, h('a', { href: `tel:${p}`, class: 'cl-phone', text: p })))) : null],
                [t('emails'), (c.emails || []).length ? h('ul', { class: 'cl-plain' }, c.emails.map((e) =>
                    h('li', null, h('a', { href: `mailto:${e}`, text: e })))) : null],
                [t('decision_role'), c.decision_role ? t(`role.${c.decision_role}`) : null],
                [t('reports_to'), boss ? h('a', { href: `/clients/contacts/${boss.id}`, text: boss.full_name }) : null],
                [t('works_with'), (c.links || []).length ? h('ul', { class: 'cl-plain cl-links' }, c.links.map((l) => h('li', null,
                    h('a', { href: `/clients/${l.counterparty_id}`, text: l.name }),
                    [l.position, l.department].some(Boolean)
                        ? h('span', { class: 'muted', text: ` · ${[l.position, l.department].filter(Boolean).join(', ')}` }) : null)))
                    : t('no_links')],
            ]));
        }

        function details(panel) {
            const box = h('div', { class: 'cl-contact' }, view());
            panel.append(box);
            if (!canWrite()) return;
            const toForm = (x) => ({ ...x, phones: (x.phones || []).join('\n'), emails: (x.emails || []).join('\n') });
            const form = recordForm({
                label: t('tab_contact'),
                fields: [
                    { name: 'last_name', label: t('last_name'), type: 'text', required: true, maxLength: 200 },
                    { name: 'first_name', label: t('first_name'), type: 'text', maxLength: 200 },
                    { name: 'middle_name', label: t('middle_name'), type: 'text', maxLength: 200 },
                    { name: 'decision_role', label: t('decision_role'), type: 'select', options: roleOptions },
                    { name: 'phones', label: t('phones'), type: 'textarea', rows: 2, help: t('one_per_line') },
                    { name: 'emails', label: t('emails'), type: 'textarea', rows: 2, help: t('one_per_line') },
                ],
                value: toForm(c),
                submitLabel: t('save'),
                savedMessage: t('contact_saved'),
                submit: async (data) => {
                    const body = { ...data, phones: lines(data.phones), emails: lines(data.emails) };
                    for (const k of ['first_name', 'middle_name']) if (body[k] === '') body[k] = null;
                    try {
                        return toForm(await kedr.api.patch(`${A}/contacts/${id}`, body));
                    } catch (err) {
                        throw localiseErrors(err);
                    }
                },
                reload: async () => toForm(await kedr.api.get(`${A}/contacts/${id}`)),
                onSaved: async () => {
                    c = await kedr.api.get(`${A}/contacts/${id}`);
                    page.el.querySelector('.record-title h1').textContent = c.full_name;
                    kedr.setTitle(c.full_name);
                    replace(box, view());
                },
            });
            panel.append(h('section', { class: 'card cl-contact-form' }, form.el));
        }
    });

    // --- /clients/:id: the counterparty card ---
    kedr.route('/clients/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let p;
        try {
            p = await kedr.api.get(`${A}/counterparties/${id}`);
        } catch (err) {
            kedr.setTitle(t('not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('not_found'), h('a', { href: '/clients', text: t('title') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(p.name);
        const labels = Object.fromEntries(cpFields().map((f) => [f.name, f.label]));
        Object.assign(labels, { parent_id: t('parent'), parent: t('parent'), distributors: t('distributors'), manager_id: t('manager'),
            ext: t('ext'), merged_into: t('merged_into'), merged_from: t('merged_from') });
        const subtitle = () => [kindLabel(p.kind), p.inn && `${t('inn')} ${p.inn}${p.kpp ? ` / ${t('kpp')} ${p.kpp}` : ''}`, p.region]
            .filter(Boolean).join(' · ');
        const badges = () => [{ text: statusLabel(p.status), kind: STATUS_BADGE[p.status] || 'muted' },
            p.abc ? { text: `ABC: ${p.abc}`, kind: 'info' } : null,
            p.merged_into ? { text: t('merged'), kind: 'warn' } : null].filter(Boolean);
        const live = !p.merged_into;
        const mergeBtn = kedr.can('clients.merge') && live
            ? h('button', { type: 'button', class: 'btn btn-small', text: t('merge'), onclick: () => mergeDialog() }) : null;
        let detailsForm = null;

        const page = recordPage({
            title: p.name,
            subtitle: subtitle(),
            back: { href: '/clients', label: t('title') },
            badges: badges(),
            actions: mergeBtn ? [mergeBtn] : [],
            query: ctx.query,
            tabs: [
                { id: 'requisites', label: t('tab_requisites'), render: (panel) => requisites(panel) },
                { id: 'contacts', label: t('tab_contacts'), render: (panel) => contacts(panel) },
                { id: 'distributors', label: t('tab_distributors'), render: (panel) => distributors(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: 'clients.counterparty', id: String(p.id), labels })) },
            ],
        });
        replace(ctx.main, page.el);

        function refreshHead() {
            page.el.querySelector('.record-title h1').textContent = p.name;
            page.el.querySelector('.record-title .muted').textContent = subtitle();
            const b = page.el.querySelector('.record-title .badges');
            if (b) replace(b, badges().map((x) => h('span', { class: ['badge', `badge-${x.kind}`], text: x.text })));
            kedr.setTitle(p.name);
        }

        function holding() {
            if (!p.parent && !(p.children || []).length) return null;
            return h('section', { class: 'card cl-holding' }, h('dl', { class: 'cl-dl' },
                p.parent ? [h('dt', { text: t('parent') }), h('dd', null, h('a', { href: `/clients/${p.parent.id}`, text: p.parent.name }))] : null,
                (p.children || []).length ? [h('dt', { text: t('children') }), h('dd', null, h('ul', { class: 'cl-plain' },
                    p.children.map((x) => h('li', null, h('a', { href: `/clients/${x.id}`, text: x.name })))))] : null));
        }

        function requisites(panel) {
            const editable = canWrite() && live;
            if (!editable) {
                const v = cpToForm(p);
                append(panel, [h('section', { class: 'card' }, h('dl', { class: 'cl-dl' }, cpFields().map((f) => {
                    let val = v[f.name];
                    if (f.name === 'kind') val = kindLabel(val);
                    if (f.name === 'status') val = statusLabel(val);
                    return [h('dt', { text: f.label }), h('dd', { class: 'cl-pre', text: val || t('none') })];
                }))), holding()]);
                return;
            }
            const similar = similarBox(p.id, p.name);
            const dup = h('div', { class: 'form-alert form-alert-error cl-dup', role: 'alert', hidden: true });
            detailsForm = recordForm({
                label: t('tab_requisites'),
                fields: cpFields(),
                value: cpToForm(p),
                submitLabel: t('save'),
                savedMessage: t('saved'),
                onChange: (d) => similar.onChange(d),
                submit: async (data) => {
                    dup.hidden = true;
                    try {
                        return cpToForm(await kedr.api.patch(`${A}/counterparties/${id}`, cpFromForm(data, { create: false })));
                    } catch (err) {
                        await showDuplicate(err, dup);
                        throw localiseErrors(err);
                    }
                },
                reload: async () => cpToForm(await kedr.api.get(`${A}/counterparties/${id}`)),
                onReloaded: (rec) => {
                    p = { ...p, ...rec, phones: lines(rec.phones), emails: lines(rec.emails), tags: commas(rec.tags) };
                    refreshHead();
                },
                onSaved: (saved) => {
                    p = { ...p, ...saved, phones: lines(saved.phones), emails: lines(saved.emails), tags: commas(saved.tags) };
                    refreshHead();
                },
            });
            detailsForm.field('name').el.after(similar.el);
            append(panel, [h('section', { class: 'card' }, dup, detailsForm.el), holding()]);
        }

        // The contact structure: nested lists from /contacts/tree.
        async function contacts(panel) {
            const treeBox = h('section', { class: 'card cl-tree-box', 'aria-label': t('structure') }, skeleton(3));
            const wrap = h('div', { class: 'cl-contacts' }, treeBox);
            panel.append(wrap);
            let flat = [];
            async function load() {
                let tree;
                try {
                    tree = await kedr.api.get(`${A}/counterparties/${id}/contacts/tree`);
                } catch (err) {
                    replace(treeBox, errorState(kedr.errorMessage(err), load));
                    return;
                }
                flat = [];
                const node = (c) => {
                    flat.push(c);
                    return h('li', { class: 'cl-node', dataset: { id: String(c.id) } },
                        h('div', { class: ['cl-person', c.active === false && 'cl-inactive'] },
                            h('a', { href: `/clients/contacts/${c.id}`, class: 'cl-person-name', text: c.full_name }),
                            c.position || c.department ? h('span', { class: 'muted', text: [c.position, c.department].filter(Boolean).join(', ') }) : null,
                            c.decision_role ? h('span', { class: 'badge badge-info', text: t(`role.${c.decision_role}`) }) : null,
                            (c.phones || []).length ? h('span', { class: 'cl-phone', text: c.phones[0] }) : null),
                        (c.children || []).length ? h('ul', { class: 'cl-tree-children' }, c.children.map(node)) : null);
                };
                replace(treeBox, tree.length
                    ? [h('h2', { text: t('structure') }), h('ul', { class: 'cl-tree' }, tree.map(node))]
                    : emptyState(t('contacts_empty')));
                if (addForm) {
                    const sel = addForm.field('reports_to').el.querySelector('select');
                    replace(sel, h('option', { value: '', text: t('none') }),
                        flat.map((c) => h('option', { value: String(c.id), text: c.full_name })));
                }
            }
            let addForm = null;
            await load();
            if (!canWrite() || !live) return;
            const blank = { last_name: '', first_name: '', middle_name: '', position: '', department: '', phones: '', emails: '',
                reports_to: null, decision_role: null };
            // reports_to options change with the tree: a select filled by load()
            const reportsField = { name: 'reports_to', label: t('reports_to'), type: 'custom', make: ({ id: fid, describedBy, onChange }) => {
                const sel = h('select', { id: fid, name: 'reports_to', 'aria-describedby': describedBy, onchange: onChange },
                    h('option', { value: '', text: t('none') }),
                    flat.map((c) => h('option', { value: String(c.id), text: c.full_name })));
                const err = h('p', { class: 'field-error', id: `${fid}-err`, hidden: true });
                const el = h('div', { class: 'field', dataset: { field: 'reports_to' } }, h('label', { for: fid, text: t('reports_to') }), sel, err);
                return { el, get: () => (sel.value ? Number(sel.value) : null), set: (v) => { sel.value = v ? String(v) : ''; },
                    focus: () => sel.focus(),
                    error: (m) => { err.textContent = m || ''; err.hidden = !m; el.classList.toggle('has-error', !!m); } };
            } };
            addForm = recordForm({
                label: t('add_contact'),
                columns: 1,
                guard: false,
                fields: [
                    { name: 'last_name', label: t('last_name'), type: 'text', required: true, maxLength: 200 },
                    { name: 'first_name', label: t('first_name'), type: 'text', maxLength: 200 },
                    { name: 'middle_name', label: t('middle_name'), type: 'text', maxLength: 200 },
                    { name: 'position', label: t('position'), type: 'text', maxLength: 300 },
                    { name: 'department', label: t('department'), type: 'text', maxLength: 300 },
                    reportsField,
                    { name: 'decision_role', label: t('decision_role'), type: 'select', options: roleOptions },
                    { name: 'phones', label: t('phones'), type: 'textarea', rows: 2, help: t('one_per_line') },
                    { name: 'emails', label: t('emails'), type: 'textarea', rows: 2, help: t('one_per_line') },
                ],
                value: blank,
                submitLabel: t('add_contact'),
                savedMessage: t('contact_added'),
                submit: async (d) => {
                    const body = { last_name: d.last_name, first_name: d.first_name || null, middle_name: d.middle_name || null,
                        reports_to: d.reports_to, decision_role: d.decision_role, phones: lines(d.phones), emails: lines(d.emails),
                        links: [{ counterparty_id: p.id, position: d.position || null, department: d.department || null }] };
                    try {
                        return await kedr.api.post(`${A}/contacts`, body);
                    } catch (err) {
                        throw localiseErrors(err);
                    }
                },
                onSaved: () => {
                    addForm.setValue(blank);
                    load();
                },
            });
            // on a phone the form folds under the tree
            wrap.append(h('details', { class: 'card cl-add-contact', open: !window.matchMedia('(max-width: 999px)').matches },
                h('summary', { class: 'cl-summary', text: t('add_contact') }), addForm.el));
        }

        // The distributors serving this counterparty; the main one first.
        async function distributors(panel) {
            const listBox = h('section', { class: 'card cl-distributors' }, skeleton(2));
            panel.append(listBox);
            let rows = [];
            const editable = canWrite() && live;
            async function save(next) {
                try {
                    const saved = await kedr.api.put(`${A}/counterparties/${id}/distributors`,
                        next.map((r) => ({ distributor_id: r.distributor_id, main: !!r.main })), { query: { version: p.version } });
                    p = { ...p, ...saved };
                    // the distributors bump the version: keep the requisites form current
                    if (detailsForm && !detailsForm.isDirty()) detailsForm.setValue(cpToForm(p));
                    toast(t('distributors_saved'));
                } catch (err) {
                    toast(kedr.errorMessage(err), { kind: 'error' });
                    if (err.status === 409) p = await kedr.api.get(`${A}/counterparties/${id}`);
                }
                await load();
            }
            function render() {
                const table = rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
                    h('caption', { class: 'sr-only', text: t('distributors') }),
                    h('tbody', null, rows.map((r) => h('tr', { dataset: { id: String(r.distributor_id) } },
                        h('th', { scope: 'row' }, h('a', { href: `/clients/${r.distributor_id}`, text: r.name })),
                        h('td', null, r.main ? h('span', { class: 'badge badge-ok', text: t('main') }) : null),
                        editable ? h('td', { class: 'cl-row-actions' },
                            r.main ? null : h('button', { type: 'button', class: 'btn btn-small', text: t('make_main'),
                                'aria-label': t('make_main_x', { x: r.name }),
                                onclick: () => save(rows.map((x) => ({ ...x, main: x === r }))) }),
                            h('button', { type: 'button', class: 'btn btn-small', text: t('remove'), 'aria-label': t('remove_x', { x: r.name }),
                                onclick: () => {
                                    const rest = rows.filter((x) => x !== r);
                                    if (rest.length && !rest.some((x) => x.main)) rest[0] = { ...rest[0], main: true };
                                    save(rest);
                                } })) : null))))) : emptyState(t('distributors_empty'));
                replace(listBox, h('h2', { text: t('distributors') }), table);
            }
            async function load() {
                try {
                    rows = await kedr.api.get(`${A}/counterparties/${id}/distributors`);
                } catch (err) {
                    replace(listBox, errorState(kedr.errorMessage(err), load));
                    return;
                }
                render();
            }
            await load();
            if (!editable) return;
            const addForm = recordForm({
                label: t('add_distributor'),
                columns: 1,
                guard: false,
                fields: [{ name: 'distributor_id', label: t('distributor'), type: 'reference', required: true,
                    search: async (q) => (await kedr.api.get(`${A}/counterparties`, { query: { q, kind: 'distributor', limit: 10 } }))
                        .items.filter((x) => x.id !== p.id && !rows.some((r) => r.distributor_id === x.id))
                        .map((x) => ({ value: x.id, label: x.name, hint: x.inn || '' })) }],
                value: { distributor_id: null },
                submitLabel: t('add'),
                savedMessage: false,
                submit: async (d) => {
                    await save([...rows, { distributor_id: d.distributor_id, main: !rows.length }]);
                    return null;
                },
                onSaved: () => addForm.setValue({ distributor_id: null }),
            });
            panel.append(h('section', { class: 'card cl-add-distributor' }, h('h2', { text: t('add_distributor') }), addForm.el));
        }

        // Merge: search duplicates, tick them, confirm; the card reloads.
        async function mergeDialog() {
            const picked = new Map(); // id -> name
            const input = h('input', { type: 'search', class: 'cl-merge-search', 'aria-label': t('merge_search'),
                placeholder: t('search_ph'), autocomplete: 'off' });
            const results = h('ul', { class: 'cl-merge-results cl-plain', 'aria-live': 'polite' });
            const note = h('p', { class: 'field-error', hidden: true, text: t('merge_pick') });
            const row = (r) => {
                const cb = h('input', { type: 'checkbox', id: `cl-m-${r.id}`, value: String(r.id), checked: picked.has(r.id),
                    onchange: () => {
                        if (cb.checked) picked.set(r.id, r.name);
                        else picked.delete(r.id);
                    } });
                return h('li', { class: 'check-row' }, cb, h('label', { for: `cl-m-${r.id}` }, r.name,
                    h('span', { class: 'muted', text: ` ${[r.inn, r.region].filter(Boolean).join(' · ')}` })));
            };
            const search = debounce(async () => {
                const q = input.value.trim();
                let items = [];
                try {
                    items = q ? (await kedr.api.get(`${A}/counterparties`, { query: { q, limit: 20 } })).items
                        : await kedr.api.get(`${A}/counterparties/similar`, { query: { name: p.name, limit: 10 } });
                } catch (err) {
                    replace(results, h('li', { class: 'field-error', text: kedr.errorMessage(err) }));
                    return;
                }
                items = items.filter((x) => x.id !== p.id && !x.merged_into);
                replace(results, items.length ? items.map(row) : h('li', { class: 'muted', text: t('nothing_found') }));
            }, 250);
            input.addEventListener('input', search);
            search();
            for (;;) {
                const ok = await dialog({
                    title: t('merge_title', { x: p.name }),
                    message: t('merge_help'),
                    className: 'cl-merge',
                    body: [input, note, results],
                    buttons: [{ label: t('cancel'), value: false }, { label: t('merge_btn'), value: true, kind: 'primary' }],
                    onOpen: () => input.focus(),
                });
                if (!ok) return;
                if (picked.size) break;
                note.hidden = false;
            }
            const names = [...picked.values()].join(', ');
            if (!await confirmDialog({ title: t('merge'), message: `${t('merge_confirm', { n: picked.size, x: p.name })} (${names})`,
                ok: t('merge_btn'), danger: true })) return;
            try {
                await kedr.api.post(`${A}/counterparties/${id}/merge`, { version: p.version, from: [...picked.keys()] });
            } catch (err) {
                toast(kedr.errorMessage(err), { kind: 'error' });
                return;
            }
            toast(t('merged_ok'));
            kedr.navigate(`/clients/${p.id}?tab=contacts`, { replace: true, force: true });
        }
    });
}
