// api.js -- the one way the UI talks to the server.
//
//   import { api, ApiError } from './api.js';
//   const users = await api.get('/users', { query: { q: 'ivan', limit: 25 } });
//   await api.patch(`/users/${id}`, { full_name, version });
//
// Paths are relative to /api/v1.  The client:
//   - sends JSON and the X-CSRF-Token header on unsafe methods;
//   - turns the server's one error shape {"error":{code,message,fields}}
//     into an ApiError (status, code, message, fields, retryAfter, and
//     `body`: the whole answer, for members beside "error" such as a
//     duplicate's {"duplicate": {id, name}} or an import's report);
//   - sends a file's text as it is with api.postRaw(path, text, type)
//     (a CSV to import) instead of JSON;
//   - retries only safe methods (GET, HEAD), once, on a network failure
//     or a 502/503/504; never a POST, PATCH, PUT or DELETE;
//   - reports 401 (the session ended) and 503/502/504 (the server or its
//     database is down) as events on `apiEvents`, so the shell can send
//     the person to the login page or show the banner; a later success
//     reports 'available'.

export const BASE = '/api/v1';

export class ApiError extends Error {
    constructor(status, body, headers) {
        const e = (body && body.error) || {};
        super(e.message || `HTTP ${status}`);
        this.name = 'ApiError';
        this.status = status;
        this.code = e.code || (status === 0 ? 'network' : 'http');
        this.fields = e.fields || {};
        this.body = body || null;
        const ra = headers?.get?.('Retry-After');
        this.retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : null;
        this.requestId = headers?.get?.('X-Request-Id') || null;
    }
}

export const apiEvents = new EventTarget();

let csrfToken = null;

export function setCsrfToken(token) {
    csrfToken = token || null;
}

export function csrfHeader() {
    return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

const SAFE = new Set(['GET', 'HEAD']);
const UNAVAILABLE = new Set([502, 503, 504]);

function emit(type, detail) {
    apiEvents.dispatchEvent(new CustomEvent(type, { detail }));
}

// The URL of an API path with a query object (empty values left out).
export function apiUrl(path, query) {
    let url = BASE + path;
    if (query) {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(query)) {
            if (v === undefined || v === null || v === '') continue;
            if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
            else qs.append(k, String(v));
        }
        const s = qs.toString();
        if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    return url;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function once(method, url, body, signal, raw) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', signal };
    if (raw) {
        headers['Content-Type'] = raw.type;
        init.body = raw.data;
    } else if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    if (!SAFE.has(method)) Object.assign(headers, csrfHeader());
    let res;
    try {
        res = await fetch(url, init);
    } catch (err) {
        if (err.name === 'AbortError') throw err;
        return { status: 0, data: null, headers: null };
    }
    let data = null;
    const text = await res.text();
    if (text && /json/.test(res.headers.get('Content-Type') || '')) {
        try {
            data = JSON.parse(text);
        } catch {
            data = null;
        }
    }
    return { status: res.status, data, headers: res.headers };
}

// request(method, path, {body, query, signal, quiet, raw})
//   quiet: do not report 401 as "session ended" (the login calls);
//   raw: {data, type} sent as the body instead of JSON (a CSV file).
export async function request(method, path, { body, query, signal, quiet = false, raw } = {}) {
    method = method.toUpperCase();
    const url = apiUrl(path, query);
    let r = await once(method, url, body, signal, raw);
    if (SAFE.has(method) && (r.status === 0 || UNAVAILABLE.has(r.status))) {
        await sleep(400);
        r = await once(method, url, body, signal, raw);
    }
    if (r.status >= 200 && r.status < 300) {
        emit('available');
        return r.data;
    }
    const err = new ApiError(r.status, r.data, r.headers);
    if (r.status === 0 || UNAVAILABLE.has(r.status)) {
        emit('unavailable', err);
    } else {
        emit('available');
        if (r.status === 401 && !quiet) emit('unauthenticated', err);
    }
    throw err;
}

export const api = {
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
    patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
    put: (path, body, opts = {}) => request('PUT', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
    // POST a file or text as it is: postRaw('/x/import', file, 'text/csv')
    postRaw: (path, data, type, opts = {}) => request('POST', path, { ...opts, raw: { data, type } }),
};
