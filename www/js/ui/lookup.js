// lookup.js -- search functions for recordForm's 'reference' fields that
// every module needs: a core user (the responsible manager) and a pick
// from a list the page already holds (a refreshable select: the list
// changes, the field searches the current one).
//
//   {name: 'manager_id', type: 'reference', label: t('manager'),
//    search: userSearch(), display: (id, rec) => userLabel(id, rec.manager)}
//   await resolveUsers([ids])            // before display, names of the ids
//   {name: 'reports_to', type: 'reference', search: localSearch(() => contacts, {label: (c) => c.full_name})}
//
// Users come from GET /api/v1/users/lookup?q=&ids=&limit= ([{id, login,
// full_name}], any signed-in employee); names once seen are remembered
// for the page's lifetime.

import { api } from '../api.js';
import { session } from '../session.js';

const names = new Map(); // user id -> {id, login, full_name}

function remember(u) {
    if (u && u.id !== undefined && u.id !== null) names.set(Number(u.id), u);
}

const userOption = (u) => ({ value: u.id, label: u.full_name || u.login,
    hint: u.full_name && u.login !== u.full_name ? u.login : '' });

// The search of a user reference: (q) -> [{value, label, hint}].
export function userSearch({ limit = 10 } = {}) {
    return async (q) => {
        const rows = await api.get('/users/lookup', { query: { q, limit } });
        rows.forEach(remember);
        return rows.map(userOption);
    };
}

// Learn the names of user ids not seen yet (GET /users/lookup?ids=1,2);
// ids it cannot name (a user since disabled) stay "#id".
export async function resolveUsers(ids) {
    if (session.user) remember(session.user);
    const todo = [...new Set(ids.filter((x) => x !== null && x !== undefined).map(Number))].filter((x) => !names.has(x));
    if (!todo.length) return;
    try {
        (await api.get('/users/lookup', { query: { ids: todo.join(','), limit: todo.length } })).forEach(remember);
    } catch {
        /* shown by their ids */
    }
}

// A user's name for display; `known` is a {id, full_name|name, login}
// the record brought along, if any.
export function userLabel(uid, known) {
    if (uid === null || uid === undefined) return '';
    if (known && (known.full_name || known.name || known.login)) return known.full_name || known.name || known.login;
    const u = names.get(Number(uid));
    return u ? u.full_name || u.login : `#${uid}`;
}

// The search of a reference over a list in memory: list() -> the rows
// now; label(row) and hint(row) the text; exclude(row) leaves rows out.
export function localSearch(list, { label = (r) => r.name, hint = () => '', value = (r) => r.id, exclude = () => false,
    limit = 20 } = {}) {
    return async (q) => {
        const s = (q || '').toLocaleLowerCase();
        return list().filter((r) => !exclude(r) && (!s || label(r).toLocaleLowerCase().includes(s)))
            .slice(0, limit).map((r) => ({ value: value(r), label: label(r), hint: hint(r) }));
    };
}
