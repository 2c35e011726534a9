// modules/clients/www/index.js -- the clients pages (issue 6): the
// counterparty list (filters, extra attributes, CSV/XLSX export, CSV
// import), the new-counterparty form (similar names offered while typing,
// the INN+KPP duplicate with a link to the existing record), the
// counterparty card (requisites with the holding, the manager, lists of
// phones, e-mails and tags; the contact structure as a tree; outlets;
// serving distributors; history; merging duplicates), the contact list
// and the contact page (reports-to, links to counterparties).  Outlets
// and their assortment are in outlets.js.
// `make` installs this folder as www/m/clients/; the shell imports it the
// first time someone opens /clients (the menu entry declared in clients.c).

import strings from './strings.js';
import { A, helpers, recordCodec } from './shared.js';
import registerOutlets from './outlets.js';

const KINDS = ['distributor', 'end_customer', 'installer', 'design_institute', 'developer', 'retail_chain', 'partner', 'competitor'];
const STATUSES = ['prospect', 'active', 'inactive'];
const ROLES = ['decision_maker', 'influencer', 'approver', 'user', 'gatekeeper', 'other'];
const STATUS_BADGE = { prospect: 'info', active: 'ok', inactive: 'muted' };
const CP = 'clients.counterparty';
const CONTACT = 'clients.contact';

export default function register(kedr) {
    const t = kedr.strings(strings);
    kedr.css('clients.css');
    const { h, replace, append, debounce } = kedr.dom;
    const { listView, recordForm, recordPage, historyList, emptyState, skeleton, errorState, toast, dialog, confirmDialog } = kedr.ui;
    const { treeView, referenceField, userSearch, userLabel, resolveUsers, localSearch } = kedr.ui;
    const { attrDefs, attrFields, attrsToForm, attrsFromForm, attrFilters, attrColumns, attrRows, attrLabels, attrFormat } = kedr.ui;
    const { localiseErrors, cpSearch, cpName, sectionNav, listTools } = helpers(kedr, t);
    const canWrite = () => kedr.can('clients.write');

    const kindOptions = KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }));
    const statusOptions = STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }));
    const roleOptions = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));
    const kindLabel = (k) => (k ? t(`kind.${k}`) : '');
    const statusLabel = (s) => (s ? t(`status.${s}`) : '');
    const back = (href, label) => h('a', { class: 'back-link', href }, h('span', { 'aria-hidden': 'true', text: '← ' }), label);
    const dl = (rows) => h('dl', { class: 'cl-dl' }, rows.map(([k, v]) => [h('dt', { text: k }),
        h('dd', { class: 'cl-pre' }, v === null || v === undefined || v === '' ? t('none') : v)]));

    const cpToForm = (c, defs) => recordCodec(kedr, defs).toForm(c);
    const cpFromForm = (d, opts) => recordCodec(kedr, []).fromForm(d, opts);

    // A 409 on the INN: the body's `duplicate` {id, name} links to the
    // record that has it.
    function showDuplicate(err, box) {
        const d = err instanceof kedr.ApiError && err.status === 409 ? err.body?.duplicate : null;
        const m = !d && err instanceof kedr.ApiError && err.status === 409 && /counterparty (\d+)/.exec(err.fields?.inn || '');
        const dupId = d?.id ?? (m ? Number(m[1]) : null);
        if (!dupId) {
            box.hidden = true;
            return;
        }
        replace(box, h('p', null, t('duplicate'), ' ',
            h('a', { href: `/clients/${dupId}`, class: 'cl-dup-link', text: d?.name || `#${dupId}` })));
        box.hidden = false;
    }

    const cpFields = (defs, selfId) => [
        { name: 'name', label: t('name'), type: 'text', required: true, maxLength: 500, wide: true },
        { name: 'kind', label: t('kind'), type: 'select', required: true, options: kindOptions },
        { name: 'status', label: t('status'), type: 'select', required: true, options: statusOptions },
        { name: 'legal_name', label: t('legal_name'), type: 'text', maxLength: 1000, wide: true },
        { name: 'inn', label: t('inn'), type: 'text', code: true, maxLength: 12, pattern: /^\d{10}(\d{2})?$/,
            patternMessage: t('srv.must be 10 digits (organisation) or 12 digits (person)'), autocomplete: 'off' },
        { name: 'kpp', label: t('kpp'), type: 'text', code: true, maxLength: 9, autocomplete: 'off' },
        { name: 'ogrn', label: t('ogrn'), type: 'text', code: true, maxLength: 15, autocomplete: 'off' },
        { name: 'parent_id', label: t('parent'), type: 'reference', help: t('parent_help'),
            search: cpSearch({ exclude: (x) => x === selfId }), display: (v, rec) => rec.parent?.name || `#${v}` },
        { name: 'manager_id', label: t('manager'), type: 'reference', search: userSearch(),
            display: (v, rec) => userLabel(v, rec.manager) },
        { name: 'region', label: t('region'), type: 'text', maxLength: 200 },
        { name: 'segment', label: t('segment'), type: 'text', maxLength: 200 },
        { name: 'abc', label: t('abc'), type: 'select', options: ['A', 'B', 'C'].map((x) => ({ value: x, label: x })) },
        { name: 'address', label: t('address'), type: 'textarea', rows: 2, wide: true },
        { name: 'phones', label: t('phones'), type: 'strings', input: 'tel', addLabel: t('add_phone') },
        { name: 'emails', label: t('emails'), type: 'strings', input: 'email', addLabel: t('add_email') },
        { name: 'site', label: t('site'), type: 'text', maxLength: 500 },
        { name: 'tags', label: t('tags'), type: 'strings', addLabel: t('add_tag'), maxLength: 100 },
        ...attrFields(defs),
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
        const defs = await attrDefs(CP);
        const newBtn = canWrite()
            ? h('a', { class: 'btn btn-primary btn-small', href: '/clients/new', text: t('new_cp'), dataset: { action: 'new' } })
            : null;
        let list = null;
        const tools = listTools({ path: 'counterparties', title: t('import_cp'), labels: fieldLabels(defs), reload: () => list.reload() });
        list = listView({
            key: 'clients.counterparties', title: t('counterparties'), query: ctx.query, search: true,
            searchPlaceholder: t('search_ph'), sort: 'name', order: 'asc', keyset: true,
            url: `${A}/counterparties`,
            exportUrl: tools.exportUrl,
            filters: [
                { name: 'kind', label: t('kind'), type: 'select', options: kindOptions },
                { name: 'status', label: t('status'), type: 'select', options: statusOptions },
                { name: 'manager_id', label: t('manager'), type: 'reference', search: userSearch(),
                    resolve: async (v) => {
                        await resolveUsers([v]);
                        return userLabel(v);
                    } },
                { name: 'distributor_id', label: t('served_by'), type: 'reference', search: cpSearch({ kind: 'distributor' }),
                    resolve: cpName },
                ...attrFilters(defs),
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
                { key: 'updated_at', label: t('updated_at'), type: 'datetime', hidden: true },
                ...attrColumns(defs),
            ],
            actions: [...tools.actions, newBtn].filter(Boolean),
            empty: t('empty'),
        });
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('title') })), sectionNav('counterparties'), list.el);
    });

    // Labels of a counterparty's fields (history, import report).
    function fieldLabels(defs) {
        return { ...Object.fromEntries(cpFields(defs).map((f) => [f.name, f.label])), parent: t('parent'),
            distributors: t('distributors'), ext: t('ext'), merged_into: t('merged_into'), merged_from: t('merged_from'),
            ...attrLabels(defs) };
    }

    // --- /clients/new ---
    kedr.route('/clients/new', async (ctx) => {
        kedr.setTitle(t('new_cp'));
        if (!canWrite()) {
            replace(ctx.main, back('/clients', t('title')), emptyState(t('no_write')));
            return;
        }
        const defs = await attrDefs(CP);
        const similar = similarBox(null);
        const dup = h('div', { class: 'form-alert form-alert-error cl-dup', role: 'alert', hidden: true });
        const form = recordForm({
            label: t('new_cp'),
            fields: cpFields(defs, null),
            value: cpToForm({ name: ctx.query.get('name') || '', kind: 'end_customer', status: 'prospect', phones: [], emails: [],
                tags: [] }, defs),
            submitLabel: t('create'),
            savedMessage: t('created'),
            cancelHref: '/clients',
            onChange: (d) => similar.onChange(d),
            submit: async (data) => {
                dup.hidden = true;
                try {
                    return cpToForm(await kedr.api.post(`${A}/counterparties`, cpFromForm(data, { create: true })), defs);
                } catch (err) {
                    showDuplicate(err, dup);
                    throw localiseErrors(err);
                }
            },
            onSaved: (c) => kedr.navigate(`/clients/${c.id}`),
        });
        form.field('name').el.after(similar.el);
        replace(ctx.main, back('/clients', t('title')),
            h('div', { class: 'page-head' }, h('h1', { text: t('new_cp') })),
            h('section', { class: 'card' }, dup, form.el));
        form.focus();
    });

    // --- /clients/contacts: every contact ---
    kedr.route('/clients/contacts', async (ctx) => {
        kedr.setTitle(t('contacts'));
        const defs = await attrDefs(CONTACT);
        let list = null;
        const tools = listTools({ path: 'contacts', title: t('import_contacts'), labels: contactLabels(defs),
            reload: () => list.reload() });
        list = listView({
            key: 'clients.contacts', title: t('contacts'), query: ctx.query, search: true,
            searchPlaceholder: t('contact_search_ph'), url: `${A}/contacts`, exportUrl: tools.exportUrl,
            sort: 'full_name', order: 'asc', keyset: true,
            filters: [
                { name: 'counterparty_id', label: t('counterparty'), type: 'reference', search: cpSearch(),
                    resolve: (v) => kedr.api.get(`${A}/counterparties/${encodeURIComponent(v)}`).then((c) => c.name) },
                { name: 'active', label: t('active'), type: 'select', options: [{ value: 'true', label: t('active_yes') },
                    { value: 'false', label: t('active_no') }] },
                ...attrFilters(defs),
            ],
            columns: [
                { key: 'full_name', label: t('name'), sort: true, required: true, link: (r) => `/clients/contacts/${r.id}`,
                    linkAlways: true },
                { key: 'links', label: t('works_with'), render: (r) => (r.links || []).map((l) =>
                    [l.name, l.position].filter(Boolean).join(', ')).join('; ') },
                { key: 'phones', label: t('phones'), type: 'list' },
                { key: 'emails', label: t('emails'), type: 'list' },
                { key: 'decision_role', label: t('decision_role'), hidden: true,
                    render: (r) => (r.decision_role ? t(`role.${r.decision_role}`) : '') },
                ...attrColumns(defs),
            ],
            actions: tools.actions,
            empty: t('contacts_empty'),
        });
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('title') })), sectionNav('contacts'), list.el);
    });

    function contactLabels(defs) {
        return { last_name: t('last_name'), first_name: t('first_name'), middle_name: t('middle_name'), full_name: t('name'),
            phones: t('phones'), emails: t('emails'), reports_to: t('reports_to'), decision_role: t('decision_role'),
            links: t('works_with'), active: t('active'), ...attrLabels(defs) };
    }

    // The links of a contact to counterparties, edited in its form: one row
    // a counterparty (position, department, remove), and a search that
    // adds one.
    function linksField(label) {
        return { name: 'links', label, type: 'custom', wide: true, make: ({ id: fid, onChange }) => {
            let rows = [];
            const body = h('div', { class: 'cl-links-edit' });
            const err = h('p', { class: 'field-error', id: `${fid}-err`, hidden: true });
            const found = new Map(); // counterparty id -> name, from the searches
            const search = cpSearch({ exclude: (x) => rows.some((r) => r.counterparty_id === x) });
            const picker = referenceField({ name: 'link_add', label: t('add_link'),
                search: async (q) => {
                    const res = await search(q);
                    res.forEach((o) => found.set(o.value, o.label));
                    return res;
                },
                display: () => '' }, (v) => {
                if (v === null || v === undefined) return;
                rows = [...rows, { counterparty_id: v, name: found.get(v) || `#${v}`, position: '', department: '' }];
                picker.set(null, {});
                draw();
                onChange();
                body.querySelector(`[data-cp="${v}"] input`)?.focus();
            });
            function draw() {
                replace(body, rows.length ? h('ul', { class: 'cl-plain cl-link-rows' }, rows.map((r, i) => {
                    const pos = h('input', { type: 'text', value: r.position || '', maxlength: 300,
                        'aria-label': `${t('position')}: ${r.name}`, placeholder: t('position'),
                        oninput: () => { rows[i] = { ...rows[i], position: pos.value }; onChange(); } });
                    const dep = h('input', { type: 'text', value: r.department || '', maxlength: 300,
                        'aria-label': `${t('department')}: ${r.name}`, placeholder: t('department'),
                        oninput: () => { rows[i] = { ...rows[i], department: dep.value }; onChange(); } });
                    return h('li', { class: 'cl-link-row', dataset: { cp: String(r.counterparty_id) } },
                        h('a', { href: `/clients/${r.counterparty_id}`, class: 'cl-link-name', text: r.name }), pos, dep,
                        h('button', { type: 'button', class: 'btn btn-small', text: t('remove'), 'aria-label': t('remove_x', { x: r.name }),
                            onclick: () => {
                                rows = rows.filter((x) => x !== rows[i]);
                                draw();
                                onChange();
                                picker.focus();
                            } }));
                })) : h('p', { class: 'muted', text: t('no_links') }));
            }
            const el = h('fieldset', { class: 'field field-wide cl-links-field', dataset: { field: 'links' } },
                h('legend', { text: label }), body, h('div', { class: 'cl-link-add' }, picker.el), err);
            return {
                el,
                get: () => rows.map((r) => ({ counterparty_id: r.counterparty_id, position: r.position?.trim() || null,
                    department: r.department?.trim() || null })),
                set: (v) => {
                    rows = (v || []).map((r) => ({ ...r }));
                    draw();
                },
                focus: () => (body.querySelector('input') || picker.el.querySelector('input'))?.focus(),
                error: (m) => {
                    err.textContent = m || '';
                    err.hidden = !m;
                    el.classList.toggle('has-error', !!m);
                },
            };
        } };
    }

    // --- /clients/contacts/:id: the contact page ---
    kedr.route('/clients/contacts/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let c;
        let boss = null;
        let defs = [];
        try {
            [c, defs] = await Promise.all([kedr.api.get(`${A}/contacts/${id}`), attrDefs(CONTACT)]);
            if (c.reports_to) boss = await kedr.api.get(`${A}/contacts/${c.reports_to}`).catch(() => null);
        } catch (err) {
            kedr.setTitle(t('contact_not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('contact_not_found'), h('a', { href: '/clients', text: t('title') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(c.full_name);
        const firstLink = () => (c.links || [])[0];
        const subtitle = () => [firstLink()?.position, firstLink()?.name].filter(Boolean).join(' · ');
        const labels = contactLabels(defs);
        const page = recordPage({
            title: c.full_name,
            subtitle: subtitle(),
            back: firstLink() ? { href: `/clients/${firstLink().counterparty_id}?tab=contacts`, label: firstLink().name }
                : { href: '/clients/contacts', label: t('contacts') },
            badges: c.active === false ? [{ text: t('status.inactive'), kind: 'muted' }] : [],
            query: ctx.query,
            tabs: [
                { id: 'contact', label: t('tab_contact'), render: (panel) => details(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: CONTACT, id: String(c.id), labels, format: { ...attrFormat(defs),
                        decision_role: (v) => t(`role.${v}`) } })) },
            ],
        });
        replace(ctx.main, page.el);

        function view() {
            return h('section', { class: 'card cl-contact-view' }, dl([
                [t('phones'), (c.phones || []).length ? h('ul', { class: 'cl-plain' }, c.phones.map((p) =>
                    h('li', null, h('a', { href: `tel:${p}`, class: 'cl-phone', text: kedr.fmt.phone(p) })))) : null],
                [t('emails'), (c.emails || []).length ? h('ul', { class: 'cl-plain' }, c.emails.map((e) =>
                    h('li', null, h('a', { href: `mailto:${e}`, text: e })))) : null],
                [t('decision_role'), c.decision_role ? t(`role.${c.decision_role}`) : null],
                [t('reports_to'), boss ? h('a', { href: `/clients/contacts/${boss.id}`, text: boss.full_name }) : null],
                [t('works_with'), (c.links || []).length ? h('ul', { class: 'cl-plain cl-links' }, c.links.map((l) => h('li', null,
                    h('a', { href: `/clients/${l.counterparty_id}`, text: l.name }),
                    [l.position, l.department].some(Boolean)
                        ? h('span', { class: 'muted', text: ` · ${[l.position, l.department].filter(Boolean).join(', ')}` }) : null)))
                    : t('no_links')],
                ...attrRows(defs, c.attrs),
            ]));
        }

        function details(panel) {
            const box = h('div', { class: 'cl-contact' }, view());
            panel.append(box);
            if (!canWrite()) return;
            const toForm = (x) => ({ ...x, ...attrsToForm(x, defs), boss_name: boss?.full_name });
            const links = linksField(t('works_with'));
            const form = recordForm({
                label: t('tab_contact'),
                fields: [
                    { name: 'last_name', label: t('last_name'), type: 'text', required: true, maxLength: 200 },
                    { name: 'first_name', label: t('first_name'), type: 'text', maxLength: 200 },
                    { name: 'middle_name', label: t('middle_name'), type: 'text', maxLength: 200 },
                    { name: 'decision_role', label: t('decision_role'), type: 'select', options: roleOptions },
                    { name: 'reports_to', label: t('reports_to'), type: 'reference',
                        search: async (q) => (await kedr.api.get(`${A}/contacts`, { query: { q, limit: 10,
                            counterparty_id: q ? undefined : firstLink()?.counterparty_id } })).items
                            .filter((x) => x.id !== c.id)
                            .map((x) => ({ value: x.id, label: x.full_name, hint: (x.links || [])[0]?.name || '' })),
                        display: (v, rec) => rec.boss_name || `#${v}` },
                    { name: 'active', label: t('active'), type: 'checkbox' },
                    { name: 'phones', label: t('phones'), type: 'strings', input: 'tel', addLabel: t('add_phone') },
                    { name: 'emails', label: t('emails'), type: 'strings', input: 'email', addLabel: t('add_email') },
                    links,
                    ...attrFields(defs),
                ],
                value: toForm(c),
                submitLabel: t('save'),
                savedMessage: t('contact_saved'),
                submit: async (data) => {
                    const body = { ...data };
                    const attrs = attrsFromForm(body, { create: false });
                    if (attrs !== undefined) body.attrs = attrs;
                    // blank is no value (a role is one of its options or none)
                    for (const k of ['first_name', 'middle_name', 'decision_role']) if (body[k] === '') body[k] = null;
                    try {
                        const saved = await kedr.api.patch(`${A}/contacts/${id}`, body);
                        boss = saved.reports_to ? await kedr.api.get(`${A}/contacts/${saved.reports_to}`).catch(() => null) : null;
                        return toForm(saved);
                    } catch (err) {
                        throw localiseErrors(err);
                    }
                },
                reload: async () => {
                    const x = await kedr.api.get(`${A}/contacts/${id}`);
                    boss = x.reports_to ? await kedr.api.get(`${A}/contacts/${x.reports_to}`).catch(() => null) : null;
                    return toForm(x);
                },
                onSaved: async () => {
                    c = await kedr.api.get(`${A}/contacts/${id}`);
                    page.el.querySelector('.record-title h1').textContent = c.full_name;
                    page.el.querySelector('.record-title .muted')?.replaceChildren(subtitle());
                    kedr.setTitle(c.full_name);
                    replace(box, view());
                },
            });
            panel.append(h('section', { class: 'card cl-contact-form' }, form.el));
        }
    });

    registerOutlets(kedr, t);

    // --- /clients/:id: the counterparty card ---
    kedr.route('/clients/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let p;
        let defs = [];
        try {
            [p, defs] = await Promise.all([kedr.api.get(`${A}/counterparties/${id}`), attrDefs(CP)]);
            await resolveUsers([p.manager_id]);
        } catch (err) {
            kedr.setTitle(t('not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('not_found'), h('a', { href: '/clients', text: t('title') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(p.name);
        const labels = fieldLabels(defs);
        const subtitle = () => [kindLabel(p.kind), p.inn && `${t('inn')} ${p.inn}${p.kpp ? ` / ${t('kpp')} ${p.kpp}` : ''}`, p.region]
            .filter(Boolean).join(' · ');
        const badges = () => [{ text: statusLabel(p.status), kind: STATUS_BADGE[p.status] || 'muted' },
            p.abc ? { text: `ABC: ${p.abc}`, kind: 'info' } : null,
            p.merged_into ? { text: t('merged'), kind: 'warn' } : null].filter(Boolean);
        const live = !p.merged_into;
        const mergeBtn = !kedr.can('clients.merge') ? null : live
            ? h('button', { type: 'button', class: 'btn btn-small', text: t('merge'), onclick: () => mergeDialog() })
            : h('button', { type: 'button', class: 'btn btn-small', text: t('unmerge'), onclick: () => unmerge() });
        let detailsForm = null;
        let holdingBox = null;

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
                { id: 'outlets', label: t('tab_outlets'), render: (panel) => outletsTab(panel) },
                { id: 'distributors', label: t('tab_distributors'), render: (panel) => distributors(panel) },
                { id: 'related', label: t('tab_related'), render: (panel) => related(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: CP, id: String(p.id), labels, format: { ...attrFormat(defs), kind: kindLabel, status: statusLabel,
                        manager_id: (v) => userLabel(v) }, actions: { merged: t('action_merged'), unmerged: t('action_unmerged') } })) },
            ],
        });
        replace(ctx.main, page.el);

        function refreshHead() {
            page.el.querySelector('.record-title h1').textContent = p.name;
            page.el.querySelector('.record-title .muted').textContent = subtitle();
            const b = page.el.querySelector('.record-title .badges');
            if (b) replace(b, badges().map((x) => h('span', { class: ['badge', `badge-${x.kind}`], text: x.text })));
            kedr.setTitle(p.name);
            if (holdingBox) replace(holdingBox, ...holding());
        }

        // The holding: its parent and the members under this one.
        function holding() {
            if (!p.parent && !(p.children || []).length) return [];
            return [h('dl', { class: 'cl-dl' },
                p.parent ? [h('dt', { text: t('parent') }), h('dd', null, h('a', { href: `/clients/${p.parent.id}`, text: p.parent.name }))] : null,
                (p.children || []).length ? [h('dt', { text: t('children') }), h('dd', null, h('ul', { class: 'cl-plain' },
                    p.children.map((x) => h('li', null, h('a', { href: `/clients/${x.id}`, text: x.name })))))] : null)];
        }

        function requisites(panel) {
            const editable = canWrite() && live;
            holdingBox = h('section', { class: 'card cl-holding', 'aria-label': t('parent') }, ...holding());
            if (!editable) {
                const v = cpToForm(p, defs);
                append(panel, [h('section', { class: 'card' }, dl([
                    ...cpFields([], p.id).map((f) => {
                        let val = v[f.name];
                        if (f.name === 'kind') val = kindLabel(val);
                        if (f.name === 'status') val = statusLabel(val);
                        if (f.name === 'parent_id') val = p.parent?.name;
                        if (f.name === 'manager_id') val = userLabel(p.manager_id, p.manager);
                        if (Array.isArray(val)) val = val.join('\n');
                        return [f.label, val];
                    }),
                    ...attrRows(defs, p.attrs)])), holdingBox]);
                return;
            }
            const similar = similarBox(p.id, p.name);
            const dup = h('div', { class: 'form-alert form-alert-error cl-dup', role: 'alert', hidden: true });
            const sync = (rec) => {
                p = { ...p, ...rec };
                for (const k of Object.keys(p)) if (k.startsWith('attrs.')) delete p[k];
                refreshHead();
            };
            const codec = recordCodec(kedr, defs);
            detailsForm = recordForm({
                label: t('tab_requisites'),
                fields: cpFields(defs, p.id),
                value: cpToForm(p, defs),
                submitLabel: t('save'),
                savedMessage: t('saved'),
                onChange: (d) => similar.onChange(d),
                submit: async (data) => {
                    dup.hidden = true;
                    try {
                        return await codec.load(kedr.api.patch(`${A}/counterparties/${id}`, codec.fromForm(data, { create: false })));
                    } catch (err) {
                        showDuplicate(err, dup);
                        throw localiseErrors(err);
                    }
                },
                reload: () => codec.load(kedr.api.get(`${A}/counterparties/${id}`)),
                onReloaded: sync,
                onSaved: sync,
            });
            detailsForm.field('name').el.after(similar.el);
            append(panel, [h('section', { class: 'card' }, dup, detailsForm.el), holdingBox]);
        }

        // The contact structure: a tree by reports_to from /contacts/tree.
        async function contacts(panel) {
            const treeBox = h('section', { class: 'card cl-tree-box', 'aria-label': t('structure') }, skeleton(3));
            const wrap = h('div', { class: 'cl-contacts' }, treeBox);
            panel.append(wrap);
            let flat = [];
            const person = (c) => h('div', { class: ['cl-person', c.active === false && 'cl-inactive'] },
                h('a', { href: `/clients/contacts/${c.id}`, class: 'cl-person-name', text: c.full_name }),
                c.position || c.department ? h('span', { class: 'muted', text: [c.position, c.department].filter(Boolean).join(', ') }) : null,
                c.decision_role ? h('span', { class: 'badge badge-info', text: t(`role.${c.decision_role}`) }) : null,
                (c.phones || []).length ? h('a', { class: 'cl-phone', href: `tel:${c.phones[0]}`, text: kedr.fmt.phone(c.phones[0]) }) : null);
            async function load() {
                let tree;
                try {
                    tree = await kedr.api.get(`${A}/counterparties/${id}/contacts/tree`);
                } catch (err) {
                    replace(treeBox, errorState(kedr.errorMessage(err), load));
                    return;
                }
                flat = [];
                const walk = (n) => {
                    flat.push(n);
                    (n.children || []).forEach(walk);
                };
                tree.forEach(walk);
                replace(treeBox, tree.length
                    ? [h('h2', { text: t('structure') }), treeView({ items: tree, label: t('structure'), render: person,
                        className: 'cl-tree' }).el]
                    : emptyState(t('contacts_empty')));
            }
            await load();
            if (!canWrite() || !live) return;
            const blank = { last_name: '', first_name: '', middle_name: '', position: '', department: '', phones: [], emails: [],
                reports_to: null, decision_role: null };
            const addForm = recordForm({
                label: t('add_contact'),
                columns: 1,
                guard: false,
                fields: [
                    { name: 'last_name', label: t('last_name'), type: 'text', required: true, maxLength: 200 },
                    { name: 'first_name', label: t('first_name'), type: 'text', maxLength: 200 },
                    { name: 'middle_name', label: t('middle_name'), type: 'text', maxLength: 200 },
                    { name: 'position', label: t('position'), type: 'text', maxLength: 300 },
                    { name: 'department', label: t('department'), type: 'text', maxLength: 300 },
                    // the tree changes after each addition: the search reads the current one
                    { name: 'reports_to', label: t('reports_to'), type: 'reference',
                        search: localSearch(() => flat, { label: (x) => x.full_name, hint: (x) => x.position || '' }),
                        display: (v) => flat.find((x) => x.id === v)?.full_name || `#${v}` },
                    { name: 'decision_role', label: t('decision_role'), type: 'select', options: roleOptions },
                    { name: 'phones', label: t('phones'), type: 'strings', input: 'tel', addLabel: t('add_phone') },
                    { name: 'emails', label: t('emails'), type: 'strings', input: 'email', addLabel: t('add_email') },
                ],
                value: blank,
                submitLabel: t('add_contact'),
                savedMessage: t('contact_added'),
                submit: async (d) => {
                    const body = { last_name: d.last_name, first_name: d.first_name || null, middle_name: d.middle_name || null,
                        reports_to: d.reports_to, decision_role: d.decision_role || null, phones: d.phones, emails: d.emails,
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

        // Undo the merge of this (merged) record, from the audit row the
        // merge wrote (POST .../unmerge).
        async function unmerge() {
            if (!await confirmDialog({ title: t('unmerge'), message: t('unmerge_confirm', { x: p.name }), ok: t('unmerge') })) return;
            try {
                await kedr.api.post(`${A}/counterparties/${id}/unmerge`, { version: p.version });
                toast(t('unmerged'));
            } catch (err) {
                toast(kedr.errorMessage(err), { kind: 'error' });
            }
            kedr.navigate(`/clients/${p.id}`, { replace: true, force: true });
        }

        // What other modules keep about this counterparty: the registry
        // GET .../related fills from their hooks (clients_related.c).
        async function related(panel) {
            const box = h('section', { class: 'card cl-related' }, skeleton(2));
            panel.append(box);
            let entries;
            try {
                entries = await kedr.api.get(`${A}/counterparties/${id}/related`);
            } catch (err) {
                replace(box, errorState(kedr.errorMessage(err), () => { box.remove(); related(panel); }));
                return;
            }
            if (!entries.length) {
                replace(box, emptyState(t('related_empty')));
                return;
            }
            const en = kedr.locale() === 'en';
            replace(box, ...entries.map((e) => h('div', { class: 'cl-related-entry', dataset: { module: e.module, key: e.key } },
                h('h2', null, en ? e.label_en : e.label_ru, ' ', h('span', { class: 'badge', text: String(e.count) })),
                e.items && e.items.length ? h('ul', { class: 'cl-related-items' }, e.items.map((it) => h('li', null,
                    it.path ? h('a', { href: it.path, text: it.title }) : it.title))) : null,
                e.path ? h('a', { href: e.path, text: t('related_all', { n: e.count }) }) : null)));
        }

        // The outlets this counterparty owns, and a new one.
        function outletsTab(panel) {
            const newBtn = canWrite() && live ? h('a', { class: 'btn btn-primary btn-small', href: `/clients/outlets/new?owner_id=${p.id}`,
                text: t('new_outlet'), dataset: { action: 'new-outlet' } }) : null;
            const list = listView({
                key: 'clients.cp-outlets', title: t('outlets'), prefix: 'o_', noUrl: true, search: true, keyset: true,
                searchPlaceholder: t('outlet_search_ph'),
                url: `${A}/outlets?owner_id=${p.id}`, // the kit's list: "show more" by its next
                columns: [
                    { key: 'name', label: t('name'), required: true, link: (r) => `/clients/outlets/${r.id}`, linkAlways: true },
                    { key: 'format', label: t('format'), render: (r) => (r.format ? t(`format.${r.format}`) : '') },
                    { key: 'address', label: t('address') },
                    { key: 'checked_at', label: t('checked_at'), type: 'date' },
                    { key: 'active', label: t('active'), type: 'bool', hidden: true },
                ],
                actions: newBtn ? [newBtn] : [],
                empty: t('outlets_empty'),
            });
            panel.append(list.el);
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
                    // the distributors bump the version: the requisites form saves against it
                    if (detailsForm && !detailsForm.isDirty()) detailsForm.setValue(cpToForm(p, defs));
                    else detailsForm?.setVersion(p.version);
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

        // The fields a merge chooses between (POST .../merge `keep`), in the
        // order shown; lists may keep both records' values.  KPP and OGRN
        // follow the INN (requisites of one record).
        const MERGE_FIELDS = [['name'], ['legal_name'], ['kind'], ['inn'], ['region'], ['address'], ['segment'],
            ['abc'], ['manager_id'], ['site'], ['phones', true], ['emails', true], ['tags', true],
            ['distributors', true]];
        const mergeText = (f, r) => {
            const v = r[f];
            if (f === 'kind') return kindLabel(v);
            if (f === 'manager_id') return v ? userLabel(v, r.manager) : '';
            if (f === 'inn') return [v, r.kpp, r.ogrn].filter(Boolean).join(' / ');
            if (f === 'distributors') return (v || []).map((d) => d.name).join(', ');
            return Array.isArray(v) ? v.join(', ') : v ?? '';
        };
        const mergeEmpty = (f, r) => mergeText(f, r) === '';

        // The merge screen: the records side by side, a row per field
        // whose values differ, a radio per record (and «both» for lists),
        // chosen as the server would by default: this record's value when
        // it has one, else the first duplicate's; lists united.  Resolves
        // the `keep` choices, or null when cancelled.
        async function mergeFields(dups) {
            const recs = [p, ...dups];
            await resolveUsers(recs.map((r) => r.manager_id).filter(Boolean));
            const rows = [];
            const inputs = {};
            for (const [f, list] of MERGE_FIELDS) {
                const texts = recs.map((r) => mergeText(f, r));
                if (texts.every((x) => x === texts[0])) continue;
                const name = `cl-keep-${f}`;
                const first = recs.find((r) => !mergeEmpty(f, r)) ?? p;
                const radio = (value, label, checked) => {
                    const rid = `${name}-${value}`;
                    const input = h('input', { type: 'radio', name, id: rid, value: String(value), checked });
                    (inputs[f] ||= []).push(input);
                    return h('td', {}, h('label', { for: rid, class: 'check-row' }, input,
                        h('span', { text: label || t('merge_empty') })));
                };
                rows.push(h('tr', {}, h('th', { scope: 'row', text: f === 'manager_id' ? t('manager') : t(f) }),
                    recs.map((r, i) => radio(r.id, texts[i], !list && r === first)),
                    list ? radio('both', t('merge_both'), true) : h('td')));
            }
            const table = h('table', { class: 'cl-merge-fields' },
                h('thead', {}, h('tr', {}, h('th', { text: t('merge_field') }),
                    recs.map((r, i) => h('th', { scope: 'col', text: i === 0 ? t('merge_this', { x: r.name }) : r.name })),
                    h('th'))),
                h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: recs.length + 2, text: t('merge_same') }))));
            const ok = await dialog({
                title: t('merge_title', { x: p.name }),
                message: t('merge_fields_help'),
                className: 'cl-merge-screen',
                body: [h('div', { class: 'table-wrap' }, table)],
                buttons: [{ label: t('cancel'), value: false }, { label: t('merge_btn'), value: true, kind: 'primary' }],
            });
            if (!ok) return null;
            const keep = {};
            for (const [f, list] of Object.entries(inputs)) {
                const v = list.find((x) => x.checked)?.value;
                if (v) keep[f] = v === 'both' ? 'both' : Number(v);
            }
            return keep;
        }

        // Right after a merge: the card of the survivor, and a toast that
        // offers to undo it (POST .../unmerge of each merged record).
        function undoToast(from) {
            const el = toast(t('merged_ok'), { timeout: 15000 });
            const undo = h('button', { type: 'button', class: 'btn btn-small toast-action', text: t('merge_undo'),
                onclick: async () => {
                    undo.disabled = true;
                    try {
                        for (const x of from) {
                            const rec = await kedr.api.get(`${A}/counterparties/${x}`);
                            await kedr.api.post(`${A}/counterparties/${x}/unmerge`, { version: rec.version });
                        }
                    } catch (err) {
                        toast(kedr.errorMessage(err), { kind: 'error' });
                        return;
                    }
                    el.remove();
                    toast(t('unmerged'));
                    kedr.navigate(`/clients/${p.id}`, { replace: true, force: true });
                } });
            el.insertBefore(undo, el.lastChild);
        }

        // Merge: search duplicates, tick them, choose field by field
        // (mergeFields); the card reloads with the undo offered.
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
                    buttons: [{ label: t('cancel'), value: false }, { label: t('merge_next'), value: true, kind: 'primary' }],
                    onOpen: () => input.focus(),
                });
                if (!ok) return;
                if (picked.size) break;
                note.hidden = false;
            }
            const dups = await Promise.all([...picked.keys()].map((x) => kedr.api.get(`${A}/counterparties/${x}`)));
            const keep = await mergeFields(dups);
            if (!keep) return;
            const from = dups.map((d) => d.id);
            try {
                await kedr.api.post(`${A}/counterparties/${id}/merge`, { version: p.version, from, keep });
            } catch (err) {
                toast(kedr.errorMessage(err), { kind: 'error' });
                return;
            }
            undoToast(from);
            kedr.navigate(`/clients/${p.id}?tab=contacts`, { replace: true, force: true });
        }
    });
}
