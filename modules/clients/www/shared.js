// modules/clients/www/shared.js -- what the clients pages share: the
// server's messages in the person's language, the counterparty lookup,
// the section links above each list, the export and import tools.


export const A = '/clients';

// A record in a form and back, with the extra attributes of `defs`:
// toForm(rec); fromForm(data, {create}) leaves empty optional values out
// of a new record and clears them (null) on an update; load(promise)
// waits for a record from the API, learns its manager's name, and answers
// it for the form.
export function recordCodec(kedr, defs) {
    const { attrsToForm, attrsFromForm, resolveUsers } = kedr.ui;
    const toForm = (rec) => ({ ...rec, ...attrsToForm(rec, defs) });
    return {
        toForm,
        fromForm(d, { create }) {
            const data = { ...d };
            const attrs = attrsFromForm(data, { create });
            const out = {};
            for (const [k, v] of Object.entries(data)) {
                if (v === '' || v === null) {
                    if (!create) out[k] = null;
                } else out[k] = v;
            }
            if (attrs !== undefined) out.attrs = attrs;
            return out;
        },
        async load(promise) {
            const rec = await promise;
            await resolveUsers([rec.manager_id]);
            return toForm(rec);
        },
    };
}

export function helpers(kedr, t) {
    const { importDialog } = kedr.ui;
    const { h } = kedr.dom;

    // The server's field messages in the person's language (keys kept:
    // "phones[1]" lands at that element of the list, "attrs.x" at the
    // extra attribute).
    const message = (v) => {
        if (/^is used by counterparty \d+$/.test(v)) return t('inn_used');
        return t.hasHere(`srv.${v}`) ? t(`srv.${v}`) : kedr.fieldMessage(v);
    };
    function localiseErrors(err) {
        if (!(err instanceof kedr.ApiError) || !err.fields) return err;
        const fields = {};
        for (const [k, v] of Object.entries(err.fields)) fields[k] = message(v);
        err.fields = fields;
        return err;
    }

    // A type-ahead search of live counterparties (optionally of one kind),
    // leaving out the ids exclude() names.
    const cpSearch = ({ kind, exclude = () => false } = {}) => async (q) =>
        (await kedr.api.get(`${A}/counterparties`, { query: { q, kind, limit: 10 } })).items
            .filter((x) => !x.merged_into && !exclude(x.id))
            .map((x) => ({ value: x.id, label: x.name, hint: [x.inn, x.region].filter(Boolean).join(' · ') }));

    const cpName = async (id) => (await kedr.api.get(`${A}/counterparties/${encodeURIComponent(id)}`)).name;

    // Links between the three lists of the module.
    function sectionNav(current) {
        const items = [['counterparties', '/clients', t('counterparties')], ['contacts', '/clients/contacts', t('contacts')],
            ['outlets', '/clients/outlets', t('outlets')]];
        return h('nav', { class: 'seg cl-sections', 'aria-label': t('sections') }, items.map(([k, href, label]) =>
            h('a', { class: 'seg-btn', href, 'aria-current': k === current ? 'page' : null, text: label })));
    }

    // The export links (clients.export) and the import button
    // (clients.write) of a list: {exportUrl, actions}.
    function listTools({ path, title, labels, reload }) {
        const actions = [];
        if (kedr.can('clients.write')) {
            actions.push(h('button', { type: 'button', class: 'btn btn-small', text: t('import_csv'),
                dataset: { action: 'import' },
                onclick: () => importDialog({ url: `${A}/${path}/import`, title, labels, message, onDone: () => reload() }) }));
        }
        return { exportUrl: kedr.can('clients.export') ? `${A}/${path}/export` : undefined, actions };
    }

    return { localiseErrors, cpSearch, cpName, sectionNav, listTools };
}
