// modules/clients/www/outlets.js -- outlets (shops): the list with its
// filters (owner, supplying distributor, format, manager, active, extra
// attributes; search; export and import), the new-outlet form (from the
// list or from a counterparty's card), and the outlet page: requisites
// with the 409 conflict panel, coordinates with a map link, supplying
// distributors, the assortment grid (assortment.js) and history.

import { A, helpers, recordCodec } from './shared.js';
import { assortmentGrid } from './assortment.js';

const FORMATS = ['diy', 'electrical_shop', 'chain_store', 'showroom', 'online'];
const OUTLET = 'clients.outlet';

// A map of the point: Yandex Maps, which the office uses.
export const mapUrl = (lat, lon) => `https://yandex.ru/maps/?pt=${lon},${lat}&z=17&l=map`;

export default function registerOutlets(kedr, t) {
    const { h, replace, append } = kedr.dom;
    const { listView, recordForm, recordPage, historyList, emptyState, skeleton, errorState, toast } = kedr.ui;
    const { attrDefs, attrFields, attrFilters, attrColumns, attrRows, attrLabels, attrFormat } = kedr.ui;
    const { userSearch, userLabel, resolveUsers } = kedr.ui;
    const { localiseErrors, cpSearch, cpName, sectionNav, listTools } = helpers(kedr, t);
    const canWrite = () => kedr.can('clients.write');
    const formatOptions = FORMATS.map((f) => ({ value: f, label: t(`format.${f}`) }));
    const formatLabel = (f) => (f ? t(`format.${f}`) : '');
    const back = (href, label) => h('a', { class: 'back-link', href }, h('span', { 'aria-hidden': 'true', text: '← ' }), label);

    const fields = (defs) => [
        { name: 'name', label: t('name'), type: 'text', required: true, maxLength: 500, wide: true },
        { name: 'format', label: t('format'), type: 'select', required: true, options: formatOptions },
        { name: 'owner_id', label: t('owner'), type: 'reference', required: true, search: cpSearch(),
            display: (v, rec) => rec.owner?.name || `#${v}` },
        { name: 'address', label: t('address'), type: 'textarea', rows: 2, wide: true },
        { name: 'lat', label: t('lat'), type: 'number', min: -90, max: 90, help: t('coords_help'),
            validate: (v, d) => ((v === null) !== (d.lon === null) ? t('coords_pair') : null) },
        { name: 'lon', label: t('lon'), type: 'number', min: -180, max: 180,
            validate: (v, d) => ((v === null) !== (d.lat === null) ? t('coords_pair') : null) },
        { name: 'area', label: t('area'), type: 'number', min: 0 },
        { name: 'manager_id', label: t('retail_manager'), type: 'reference', search: userSearch(),
            display: (v, rec) => userLabel(v, rec.manager) },
        { name: 'active', label: t('outlet_active'), type: 'checkbox' },
        ...attrFields(defs),
    ];
    const labels = (defs) => ({ ...Object.fromEntries(fields(defs).map((f) => [f.name, f.label])), owner: t('owner'),
        distributors: t('distributors'), checked_at: t('checked_at'), 'assortment.checked_at': t('checked_at'),
        'assortment.groups': t('as_groups'), 'assortment.products': t('as_products'),
        characteristics: t('characteristics'), ...attrLabels(defs) });
    // A group of the assortment in the history: "Этюд (35,5 %, 12)".
    const groupText = (g) => {
        const n = [g.shelf_share !== null && g.shelf_share !== undefined ? `${kedr.fmt.number(Number(g.shelf_share))} %` : null,
            g.facings !== null && g.facings !== undefined ? t('facings_n', { n: g.facings }) : null].filter(Boolean);
        return n.length ? `${g.name} (${n.join(', ')})` : g.name;
    };
    const historyFormat = (defs) => ({ ...attrFormat(defs), format: formatLabel, manager_id: (v) => userLabel(v),
        'assortment.groups': (v) => (v.length ? v.map(groupText).join('; ') : t('none')),
        'assortment.products': (v) => (v.length ? v.map((p) => `${p.sku} ${p.name}`).join('; ') : t('none')) });
    const toForm = (o, defs) => recordCodec(kedr, defs).toForm(o);
    const fromForm = (d, opts) => recordCodec(kedr, []).fromForm(d, opts);

    // Standing in the shop: the phone's position into the coordinates.
    function locateButton(f) {
        const note = h('p', { class: 'help cl-locate-note', role: 'status' });
        const btn = h('button', { type: 'button', class: 'btn btn-small cl-locate', text: t('locate'), onclick: () => {
            note.textContent = t('locating');
            btn.disabled = true;
            navigator.geolocation.getCurrentPosition((pos) => {
                btn.disabled = false;
                f.field('lat').set(Math.round(pos.coords.latitude * 1e6) / 1e6);
                f.field('lon').set(Math.round(pos.coords.longitude * 1e6) / 1e6);
                f.el.classList.add('is-dirty');
                note.textContent = t('located');
            }, (err) => {
                btn.disabled = false;
                note.textContent = t('locate_failed', { x: err.message || String(err.code) });
            }, { enableHighAccuracy: true, timeout: 15000 });
        } });
        return h('div', { class: 'field field-wide cl-locate-box', hidden: !('geolocation' in navigator) }, btn, note);
    }

    // --- /clients/outlets: the list ---
    kedr.route('/clients/outlets', async (ctx) => {
        kedr.setTitle(t('outlets'));
        const defs = await attrDefs(OUTLET);
        let list = null;
        const tools = listTools({ path: 'outlets', title: t('import_outlets'), labels: labels(defs), reload: () => list.reload() });
        const newBtn = canWrite() ? h('a', { class: 'btn btn-primary btn-small', href: '/clients/outlets/new', text: t('new_outlet'),
            dataset: { action: 'new' } }) : null;
        list = listView({
            key: 'clients.outlets', title: t('outlets'), query: ctx.query, search: true, searchPlaceholder: t('outlet_search_ph'),
            url: `${A}/outlets`, exportUrl: tools.exportUrl, sort: 'name', keyset: true,
            filters: [
                { name: 'owner_id', label: t('owner'), type: 'reference', search: cpSearch(), resolve: cpName },
                { name: 'distributor_id', label: t('distributor'), type: 'reference', search: cpSearch({ kind: 'distributor' }),
                    resolve: cpName },
                { name: 'format', label: t('format'), type: 'select', options: formatOptions },
                { name: 'manager_id', label: t('retail_manager'), type: 'reference', search: userSearch(),
                    resolve: async (v) => {
                        await resolveUsers([v]);
                        return userLabel(v);
                    } },
                { name: 'active', label: t('active'), type: 'select', default: 'true',
                    options: [{ value: 'true', label: t('active_yes') }, { value: 'false', label: t('active_no') }] },
                ...attrFilters(defs),
            ],
            columns: [
                { key: 'name', label: t('name'), sort: true, required: true, link: (r) => `/clients/outlets/${r.id}`, linkAlways: true },
                { key: 'owner', label: t('owner'), render: (r) => (r.owner ? h('a', { href: `/clients/${r.owner.id}`, text: r.owner.name }) : '') },
                { key: 'format', label: t('format'), sort: true, render: (r) => formatLabel(r.format) },
                { key: 'address', label: t('address'), sort: true },
                { key: 'distributors', label: t('distributors'), render: (r) => (r.distributors || []).map((d) => d.name).join(', ') },
                { key: 'checked_at', label: t('checked_at'), type: 'date', sort: true },
                { key: 'area', label: t('area'), type: 'number', hidden: true },
                { key: 'updated_at', label: t('updated_at'), type: 'datetime', sort: true, hidden: true },
                ...attrColumns(defs),
            ],
            actions: [...tools.actions, newBtn].filter(Boolean),
            empty: t('outlets_empty'),
        });
        // a retail manager's own outlets, one tap away
        const me = kedr.user();
        const mine = me ? h('a', { class: 'btn btn-small cl-mine', href: `/clients/outlets?manager_id=${me.id}`,
            'aria-current': ctx.query.get('manager_id') === String(me.id) ? 'page' : null, text: t('my_outlets') }) : null;
        replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('title') })),
            h('div', { class: 'cl-nav-row' }, sectionNav('outlets'), mine), list.el);
    });

    // --- /clients/outlets/new[?owner_id=] ---
    kedr.route('/clients/outlets/new', async (ctx) => {
        kedr.setTitle(t('new_outlet'));
        const ownerId = Number(ctx.query.get('owner_id')) || null;
        const backLink = ownerId ? back(`/clients/${ownerId}?tab=outlets`, t('owner')) : back('/clients/outlets', t('outlets'));
        if (!canWrite()) {
            replace(ctx.main, backLink, emptyState(t('no_write')));
            return;
        }
        const [defs, owner] = await Promise.all([attrDefs(OUTLET),
            ownerId ? kedr.api.get(`${A}/counterparties/${ownerId}`).catch(() => null) : null]);
        if (owner) replace(backLink, h('span', { 'aria-hidden': 'true', text: '← ' }), owner.name);
        const form = recordForm({
            label: t('new_outlet'),
            fields: fields(defs),
            value: toForm({ name: '', format: null, owner_id: owner ? owner.id : null, owner, active: true }, defs),
            submitLabel: t('create_outlet'),
            savedMessage: t('outlet_created'),
            cancelHref: owner ? `/clients/${owner.id}?tab=outlets` : '/clients/outlets',
            submit: async (data) => {
                try {
                    return await kedr.api.post(`${A}/outlets`, fromForm(data, { create: true }));
                } catch (err) {
                    throw localiseErrors(err);
                }
            },
            onSaved: (o) => kedr.navigate(`/clients/outlets/${o.id}`),
        });
        form.field('lon').el.after(locateButton(form));
        replace(ctx.main, backLink, h('div', { class: 'page-head' }, h('h1', { text: t('new_outlet') })),
            h('section', { class: 'card' }, form.el));
        form.focus();
    });

    // --- /clients/outlets/:id: the outlet page ---
    kedr.route('/clients/outlets/:id', async (ctx) => {
        replace(ctx.main, skeleton(4));
        const id = encodeURIComponent(ctx.params.id);
        let o;
        let defs;
        try {
            [o, defs] = await Promise.all([kedr.api.get(`${A}/outlets/${id}`), attrDefs(OUTLET)]);
            await resolveUsers([o.manager_id]);
        } catch (err) {
            kedr.setTitle(t('outlet_not_found'));
            replace(ctx.main, err.status === 404 ? emptyState(t('outlet_not_found'), h('a', { href: '/clients/outlets', text: t('outlets') }))
                : errorState(kedr.errorMessage(err)));
            return;
        }
        kedr.setTitle(o.name);
        let form = null;
        let viewBox = null;
        let grid = null; // the assortment grid, once its tab opened
        const subtitle = () => [formatLabel(o.format), o.owner?.name, o.address].filter(Boolean).join(' · ');
        const badges = () => (o.active === false ? [{ text: t('outlet_inactive'), kind: 'muted' }] : []);
        // The outlet moved on (distributors, assortment): the requisites
        // form saves against the new version.
        function moved(rec) {
            o = { ...o, ...rec };
            grid?.setVersion(o.version);
            if (form && !form.isDirty()) form.setValue(toForm(o, defs));
            else form?.setVersion(o.version);
            if (viewBox) replace(viewBox, view());
        }
        const page = recordPage({
            title: o.name,
            subtitle: subtitle(),
            back: o.owner ? { href: `/clients/${o.owner.id}?tab=outlets`, label: o.owner.name } : { href: '/clients/outlets', label: t('outlets') },
            badges: badges(),
            query: ctx.query,
            tabs: [
                { id: 'outlet', label: t('tab_outlet'), render: (panel) => requisites(panel) },
                { id: 'assortment', label: t('tab_assortment'), render: (panel) => {
                    grid = assortmentGrid(kedr, t, { panel, outletId: o.id, editable: canWrite(),
                        onSaved: (a) => moved({ version: a.version, checked_at: a.checked_at }) });
                } },
                { id: 'distributors', label: t('tab_distributors'), render: (panel) => distributors(panel) },
                { id: 'history', label: t('tab_history'), render: (panel) => panel.append(historyList({
                    entity: OUTLET, id: String(o.id), labels: labels(defs), format: historyFormat(defs),
                    actions: { assortment_updated: t('action_assortment') } })) },
            ],
        });
        replace(ctx.main, page.el);

        function refreshHead() {
            page.el.querySelector('.record-title h1').textContent = o.name;
            page.el.querySelector('.record-title .muted').textContent = subtitle();
            kedr.setTitle(o.name);
        }

        // What a person in the shop needs first: the address, the point on
        // the map, who supplies it, when the assortment was last checked.
        function view() {
            const coords = o.lat !== null && o.lat !== undefined && o.lon !== null && o.lon !== undefined;
            const rows = [
                [t('owner'), o.owner ? h('a', { href: `/clients/${o.owner.id}`, text: o.owner.name }) : null],
                [t('format'), formatLabel(o.format)],
                [t('address'), o.address],
                [t('coords'), coords ? h('span', null, `${kedr.fmt.number(Number(o.lat), { maximumFractionDigits: 6 })}, `
                    + `${kedr.fmt.number(Number(o.lon), { maximumFractionDigits: 6 })} `,
                h('a', { href: mapUrl(o.lat, o.lon), target: '_blank', rel: 'noopener', class: 'cl-map-link', dataset: { external: '' },
                    text: t('on_map') })) : null],
                [t('area'), o.area !== null && o.area !== undefined ? t('area_m2', { n: kedr.fmt.number(Number(o.area)) }) : null],
                [t('retail_manager'), o.manager_id ? userLabel(o.manager_id, o.manager) : null],
                [t('distributors'), (o.distributors || []).map((d) => d.name).join(', ')],
                [t('checked_at'), o.checked_at ? kedr.fmt.date(o.checked_at) : t('never_checked')],
                ...attrRows(defs, o.attrs),
            ];
            return h('dl', { class: 'cl-dl' }, rows.map(([k, v]) => [h('dt', { text: k }),
                h('dd', { class: 'cl-pre' }, v === null || v === undefined || v === '' ? t('none') : v)]));
        }

        function requisites(panel) {
            viewBox = h('section', { class: 'card cl-outlet-view' }, view());
            panel.append(viewBox);
            if (!canWrite()) return;
            const sync = (rec) => {
                o = { ...o, ...rec };
                for (const k of Object.keys(o)) if (k.startsWith('attrs.')) delete o[k];
                grid?.setVersion(o.version);
                refreshHead();
                replace(page.el.querySelector('.record-title .badges') || h('p'),
                    ...badges().map((x) => h('span', { class: ['badge', `badge-${x.kind}`], text: x.text })));
                replace(viewBox, view());
            };
            const codec = recordCodec(kedr, defs);
            form = recordForm({
                label: t('tab_outlet'),
                fields: fields(defs),
                value: toForm(o, defs),
                submitLabel: t('save'),
                savedMessage: t('outlet_saved'),
                submit: async (data) => {
                    try {
                        return await codec.load(kedr.api.patch(`${A}/outlets/${id}`, codec.fromForm(data, { create: false })));
                    } catch (err) {
                        throw localiseErrors(err);
                    }
                },
                reload: () => codec.load(kedr.api.get(`${A}/outlets/${id}`)),
                onReloaded: sync,
                onSaved: sync,
            });
            form.field('lon').el.after(locateButton(form));
            append(panel, [h('section', { class: 'card cl-outlet-form' }, h('h2', { class: 'cl-h2', text: t('edit_outlet') }), form.el)]);
        }

        // The distributors supplying the outlet: remove, add (PUT the set).
        async function distributors(panel) {
            const box = h('section', { class: 'card cl-distributors' }, skeleton(2));
            panel.append(box);
            const editable = canWrite();
            let rows = o.distributors || [];
            async function save(next) {
                try {
                    const saved = await kedr.api.put(`${A}/outlets/${id}/distributors`,
                        next.map((r) => ({ distributor_id: r.distributor_id })), { query: { version: o.version } });
                    moved(saved);
                    rows = saved.distributors || next;
                    toast(t('distributors_saved'));
                } catch (err) {
                    toast(kedr.errorMessage(err), { kind: 'error' });
                    if (err.status === 409 || err.status === 422) {
                        const fresh = await kedr.api.get(`${A}/outlets/${id}`);
                        moved(fresh);
                        rows = fresh.distributors || [];
                    }
                }
                render();
            }
            function render() {
                replace(box, h('h2', { text: t('supplied_by') }), rows.length ? h('ul', { class: 'cl-plain cl-dist-list' },
                    rows.map((r) => h('li', { class: 'cl-dist-row', dataset: { id: String(r.distributor_id) } },
                        h('a', { href: `/clients/${r.distributor_id}`, text: r.name }),
                        editable ? h('button', { type: 'button', class: 'btn btn-small', text: t('remove'),
                            'aria-label': t('remove_x', { x: r.name }),
                            onclick: () => save(rows.filter((x) => x !== r)) }) : null)))
                    : emptyState(t('distributors_empty')));
            }
            render();
            if (!editable) return;
            const addForm = recordForm({
                label: t('add_distributor'), columns: 1, guard: false, savedMessage: false, submitLabel: t('add'),
                fields: [{ name: 'distributor_id', label: t('distributor'), type: 'reference', required: true,
                    search: cpSearch({ kind: 'distributor', exclude: (x) => rows.some((r) => r.distributor_id === x) }) }],
                value: { distributor_id: null },
                submit: async (d) => {
                    await save([...rows, { distributor_id: d.distributor_id }]);
                    return null;
                },
                onSaved: () => addForm.setValue({ distributor_id: null }),
            });
            panel.append(h('section', { class: 'card cl-add-distributor' }, h('h2', { text: t('add_distributor') }), addForm.el));
        }
    });
}
