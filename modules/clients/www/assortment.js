// modules/clients/www/assortment.js -- an outlet's assortment grid, made
// for a retail manager standing in the shop with a phone: every catalog
// group (brand, series, group) with "present" ticked, its shelf share in
// percent and its facings; the products offered to the outlet, picked
// from the catalog search; the day of the check.  One save:
// PUT /clients/outlets/:id/assortment?version=N (a stale version gets the
// conflict panel; a bad value shows at its row).

import { A } from './shared.js';

const today = () => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

// "12,5" -> 12.5; "" -> null; anything else stays a string (a mistake).
function num(s) {
    const v = String(s ?? '').trim().replace(/\s/g, '').replace(',', '.');
    if (v === '') return null;
    return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

// -> {setVersion(v)}: the outlet's version moved on by a save of another
// part of it (its requisites, its distributors); the grid saves against it.
export function assortmentGrid(kedr, t, { panel, outletId, editable, onSaved }) {
    const { h, replace, id: newId, debounce } = kedr.dom;
    const { skeleton, errorState, toast, emptyState, referenceField } = kedr.ui;
    const url = `${A}/outlets/${outletId}/assortment`;
    const box = h('section', { class: 'card as-grid', 'aria-label': t('tab_assortment') }, skeleton(5));
    panel.append(box);

    let cur;
    let catalog = [];
    let rows = []; // {id, name, kind, depth, path, present, share, facings, el...}
    let products = [];
    let dirty = false;
    let busy = false;
    kedr.addGuard(() => dirty && !busy);

    async function load() {
        try {
            const [a, groups] = await Promise.all([kedr.api.get(url),
                kedr.api.get('/catalog/groups', { query: { flat: 'true' } }).catch(() => null)]);
            cur = a;
            catalog = groups || [];
        } catch (err) {
            replace(box, errorState(kedr.errorMessage(err), load));
            return;
        }
        build();
    }

    function build() {
        const mine = new Map(cur.groups.map((g) => [g.group_id, g]));
        // the whole catalog in tree order; groups of the outlet the catalog
        // list did not give (no catalog.read) at the end
        const all = catalog.map((g) => ({ id: g.id, name: g.name, kind: g.kind, depth: g.depth || 0 }));
        for (const g of cur.groups) if (!all.some((x) => x.id === g.group_id)) all.push({ id: g.group_id, name: g.name, kind: g.kind, depth: 0 });
        rows = all.map((g) => {
            const m = mine.get(g.id);
            return { ...g, present: !!m, share: m?.shelf_share ?? null, facings: m?.facings ?? null };
        });
        products = cur.products.map((p) => ({ ...p }));
        dirty = false;
        render();
    }

    const status = h('p', { class: 'as-status', role: 'status', 'aria-live': 'polite' });
    const alertBox = h('div', { class: 'form-alert', role: 'alert', hidden: true });

    function changed() {
        dirty = true;
        status.textContent = t('as_unsaved');
        alertBox.hidden = true;
    }

    function groupRow(r) {
        const cid = newId('as');
        const err = h('p', { class: 'field-error as-error', id: `${cid}-err`, hidden: true });
        const box2 = h('input', { type: 'checkbox', id: cid, class: 'as-present', checked: r.present, disabled: !editable || null,
            'aria-describedby': `${cid}-err` });
        // each row's numbers named with their group for a screen reader
        const share = h('input', { type: 'text', inputmode: 'decimal', class: 'as-share', id: `${cid}-s`, value: r.share ?? '',
            autocomplete: 'off', readonly: !editable || null, 'aria-describedby': `${cid}-err`,
            'aria-label': `${t('as_share')}: ${r.name}` });
        const facings = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', class: 'as-facings', id: `${cid}-f`,
            value: r.facings ?? '', autocomplete: 'off', readonly: !editable || null, 'aria-describedby': `${cid}-err`,
            'aria-label': `${t('as_facings')}: ${r.name}` });
        const nums = h('div', { class: 'as-nums', hidden: !r.present },
            h('div', { class: 'as-num' }, h('label', { for: `${cid}-s`, text: t('as_share') }), share),
            h('div', { class: 'as-num' }, h('label', { for: `${cid}-f`, text: t('as_facings') }), facings));
        const li = h('li', { class: ['as-row', `as-d${Math.min(r.depth, 4)}`, r.present && 'as-on'], dataset: { group: String(r.id) } },
            h('div', { class: 'as-check' }, box2, h('label', { for: cid },
                h('span', { class: 'as-name', text: r.name }),
                r.kind ? h('span', { class: 'as-kind', text: t(`gkind.${r.kind}`) }) : null)),
            nums, err);
        box2.addEventListener('change', () => {
            r.present = box2.checked;
            nums.hidden = !r.present;
            li.classList.toggle('as-on', r.present);
            if (r.present) share.focus();
            setError(r, null);
            changed();
            counts();
        });
        share.addEventListener('input', () => {
            r.share = share.value;
            setError(r, null);
            changed();
        });
        facings.addEventListener('input', () => {
            r.facings = facings.value;
            setError(r, null);
            changed();
        });
        r.el = li;
        r.err = err;
        r.inputs = { share, facings, box: box2 };
        return li;
    }

    function setError(r, msg) {
        r.err.textContent = msg || '';
        r.err.hidden = !msg;
        r.el.classList.toggle('has-error', !!msg);
        for (const i of [r.inputs.share, r.inputs.facings]) {
            if (msg) i.setAttribute('aria-invalid', 'true');
            else i.removeAttribute('aria-invalid');
        }
    }

    const countEl = h('p', { class: 'as-count muted' });
    function counts() {
        countEl.textContent = t('as_count', { n: rows.filter((r) => r.present).length, total: rows.length });
    }

    function productList() {
        return products.length ? h('ul', { class: 'as-products-list cl-plain' }, products.map((p) => h('li', { class: 'as-product',
            dataset: { product: String(p.product_id) } },
        h('span', { class: 'as-sku', text: p.sku }), h('span', { class: 'as-pname', text: p.name }),
        editable ? h('button', { type: 'button', class: 'btn btn-small as-remove', text: '×',
            'aria-label': t('remove_x', { x: p.name }), onclick: () => {
                products = products.filter((x) => x !== p);
                changed();
                replace(prodBox, productList());
                addRef.focus();
            } }) : null)))
            : h('p', { class: 'muted', text: t('as_no_products') });
    }
    const prodBox = h('div', { class: 'as-products-box' });
    let addRef = null;

    function render() {
        const dateId = newId('as-date');
        const findId = newId('as-find');
        const onlyId = newId('as-only');
        const date = h('input', { type: 'date', id: dateId, value: today(), max: today(), disabled: !editable || null });
        date.addEventListener('change', changed);
        const find = h('input', { type: 'search', id: findId, autocomplete: 'off', placeholder: t('as_find_ph') });
        const only = h('input', { type: 'checkbox', id: onlyId });
        const list = h('ul', { class: 'as-groups', 'aria-label': t('as_groups') }, rows.map(groupRow));
        const filter = () => {
            const q = find.value.trim().toLocaleLowerCase();
            for (const r of rows) r.el.hidden = (only.checked && !r.present) || (q && !r.name.toLocaleLowerCase().includes(q));
        };
        find.addEventListener('input', debounce(filter, 150));
        only.addEventListener('change', filter);

        replace(prodBox, productList());
        const found = new Map(); // product id -> the catalog's row, from the last searches
        addRef = editable ? referenceField({ name: 'as_product', label: t('as_add_product'),
            placeholder: t('as_product_ph'),
            search: async (q) => (await kedr.api.get('/catalog/products', { query: { q, limit: 10, active: 'true' } })).items
                .filter((x) => !products.some((p) => p.product_id === x.id))
                .map((x) => {
                    found.set(x.id, x);
                    return { value: x.id, label: x.name, hint: x.sku };
                }),
            display: () => '' }, (v) => {
            if (v === null || v === undefined) return;
            const x = found.get(v);
            products = [...products, { product_id: v, name: x?.name || `#${v}`, sku: x?.sku || '' }];
            changed();
            replace(prodBox, productList());
            addRef.set(null, {});
            addRef.focus();
        }) : null;

        const save = h('button', { type: 'button', class: 'btn btn-primary as-save', text: t('as_save'), hidden: !editable,
            onclick: () => submit(date.value) });
        replace(box,
            h('div', { class: 'as-head' },
                h('h2', { text: t('tab_assortment') }),
                h('p', { class: 'as-last', text: cur.checked_at ? t('as_last', { d: kedr.fmt.date(cur.checked_at) }) : t('never_checked') })),
            alertBox,
            h('div', { class: 'as-tools' },
                editable ? h('div', { class: 'as-tool' }, h('label', { for: dateId, text: t('as_date') }), date) : null,
                h('div', { class: 'as-tool as-find' }, h('label', { for: findId, text: t('as_find') }), find),
                h('div', { class: 'as-tool check-row as-only' }, only, h('label', { for: onlyId, text: t('as_only') }))),
            countEl,
            rows.length ? list : emptyState(t('as_no_groups')),
            h('section', { class: 'as-products', 'aria-label': t('as_products') },
                h('h3', { text: t('as_products') }), prodBox, addRef ? h('div', { class: 'as-add' }, addRef.el) : null),
            h('div', { class: 'as-bar' }, status, save));
        counts();
        status.textContent = '';
    }

    async function submit(checkedAt) {
        if (busy) return;
        // the client's own checks first: a number in range at its row
        let bad = null;
        const sent = rows.filter((r) => r.present);
        for (const r of sent) {
            const s = num(r.share);
            const f = num(r.facings);
            let msg = null;
            if (s !== null && (typeof s !== 'number' || s < 0 || s > 100)) msg = t('as_bad_share');
            else if (f !== null && (typeof f !== 'number' || !Number.isInteger(f) || f < 0)) msg = t('as_bad_facings');
            setError(r, msg);
            if (msg && !bad) bad = r;
        }
        if (bad) {
            bad.inputs.share.focus();
            status.textContent = t('as_fix');
            return;
        }
        const body = { checked_at: checkedAt || today(),
            groups: sent.map((r) => ({ group_id: r.id, shelf_share: num(r.share), facings: num(r.facings) })),
            products: products.map((p) => ({ product_id: p.product_id })) };
        busy = true;
        box.setAttribute('aria-busy', 'true');
        status.textContent = t('as_saving');
        try {
            cur = await kedr.api.put(url, body, { query: { version: cur.version } });
            dirty = false;
            toast(t('as_saved'));
            status.textContent = t('as_saved');
            box.querySelector('.as-last').textContent = t('as_last', { d: kedr.fmt.date(cur.checked_at) });
            onSaved?.(cur);
        } catch (err) {
            if (err.status === 409) conflict();
            else if (err.status === 422) {
                const other = [];
                for (const [k, msg] of Object.entries(err.fields || {})) {
                    const m = /^groups\[(\d+)\]/.exec(k);
                    if (m && sent[Number(m[1])]) setError(sent[Number(m[1])], kedr.fieldMessage(msg));
                    else other.push(`${k}: ${kedr.fieldMessage(msg)}`);
                }
                status.textContent = t('as_fix');
                if (other.length) showAlert([h('p', { text: t('as_fix') }), h('ul', null, other.map((x) => h('li', { text: x })))]);
            } else {
                status.textContent = kedr.errorMessage(err);
                showAlert([h('p', { text: kedr.errorMessage(err) })]);
            }
        } finally {
            busy = false;
            box.removeAttribute('aria-busy');
        }
    }

    function showAlert(nodes, kind = 'error') {
        replace(alertBox, ...nodes);
        alertBox.className = `form-alert form-alert-${kind}`;
        alertBox.hidden = false;
        alertBox.scrollIntoView({ block: 'nearest' });
    }

    // Someone saved the assortment meanwhile: load theirs (mine is lost)
    // or keep mine on screen to compare.
    function conflict() {
        status.textContent = t('as_conflict');
        const reload = h('button', { type: 'button', class: 'btn btn-primary', text: t('as_reload'), onclick: async () => {
            try {
                cur = await kedr.api.get(url);
                build();
                toast(t('as_reloaded'), { kind: 'info' });
            } catch (e) {
                showAlert([h('p', { text: kedr.errorMessage(e) })]);
            }
        } });
        showAlert([h('p', { class: 'form-alert-title', text: t('as_conflict') }), h('p', { text: t('as_conflict_text') }),
            h('div', { class: 'form-alert-buttons' }, reload)], 'conflict');
        reload.focus();
    }

    load();
    return {
        setVersion(v) {
            if (cur && v > cur.version) cur = { ...cur, version: v };
        },
    };
}
