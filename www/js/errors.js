// errors.js -- what to tell a person about a failed request.
//
// The server's messages are English and technical; the UI says each
// error in the person's language, by status and code, and translates the
// field messages it knows ("is required" -> "обязательное поле").

import { ApiError } from './api.js';
import { translator } from './i18n.js';

const t = translator('core');

export function errorMessage(err) {
    if (!(err instanceof ApiError)) {
        console.error(err);
        return t('error.unexpected');
    }
    switch (err.status) {
    case 0: return t('error.network');
    case 400: return t('error.bad_request');
    case 401: return t('error.unauthenticated');
    case 403: return t('error.forbidden');
    case 404: return t('error.not_found');
    case 409: return t('error.conflict');
    case 413: return t('error.too_large');
    case 422: return t('error.validation');
    case 429: return err.retryAfter ? t('error.throttled_for', { min: Math.max(1, Math.ceil(err.retryAfter / 60)) })
        : t('error.throttled');
    case 502: case 503: case 504: return t('error.unavailable');
    default: return t('error.server', { status: String(err.status) });
    }
}

// Server messages with a quoted value: unknown permission "x.y".
const QUOTED = /^(unknown permission|unknown role|you do not hold) "(.*)"$/;

// A server field message in the person's language when the table knows
// it ("srv.is required"), otherwise as the server said it (in English).
export function fieldMessage(msg) {
    if (!msg) return '';
    const m = QUOTED.exec(msg);
    const key = `srv.${m ? m[1] : msg}`;
    if (!t.hasHere(key)) return msg;
    return m ? t(key, { x: m[2] }) : t(key);
}
