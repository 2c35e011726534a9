// admin/style.js -- the administration screens' own stylesheet
// (css/admin.css), linked the first time a screen needs it, so the first
// page does not carry it.

import { h } from '../dom.js';

export function adminStyles() {
    const href = new URL('../../css/admin.css', import.meta.url).pathname;
    if (!document.querySelector(`link[href="${href}"]`)) document.head.append(h('link', { rel: 'stylesheet', href }));
}
