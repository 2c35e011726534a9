// session.js -- who is logged in: the document GET /api/v1/session
// answers, kept for the whole app.
//
//   session.user        {id, login, full_name, email, phone, locale, roles, ...}
//   session.modules     [{name, version, script, ui: [{path, label_ru, label_en}]}]
//   can('core.users.manage')

import { api, setCsrfToken, ApiError } from './api.js';

export const session = {
    user: null,
    permissions: new Set(),
    modules: [],
};

export const sessionEvents = new EventTarget();

function set(doc) {
    session.user = doc ? doc.user : null;
    session.permissions = new Set(doc ? doc.permissions : []);
    session.modules = doc ? doc.modules || [] : [];
    setCsrfToken(doc ? doc.csrf_token : null);
    sessionEvents.dispatchEvent(new Event('change'));
}

export function can(perm) {
    return session.permissions.has('*') || session.permissions.has(perm);
}

// Ask the server who we are; null when there is no session.
export async function loadSession() {
    try {
        set(await api.get('/session', { quiet: true }));
    } catch (err) {
        if (err instanceof ApiError && err.status === 401) set(null);
        else throw err;
    }
    return session.user;
}

export async function login(loginName, password) {
    set(await api.post('/session', { login: loginName, password }, { quiet: true }));
    return session.user;
}

// Save the user's own language on the server (PATCH /api/v1/session).
export async function saveLocale(locale) {
    set(await api.patch('/session', { locale }, { quiet: true }));
}

// Log out here, or everywhere (every session of this user).
export async function logout(everywhere = false) {
    try {
        await api.del(everywhere ? '/session/all' : '/session', { quiet: true });
    } finally {
        set(null);
    }
}

// The session ended on the server (a 401 from some request).
export function forget() {
    set(null);
}
