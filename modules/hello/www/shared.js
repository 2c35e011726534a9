// shared.js -- what the hello pages have in common: the module's strings
// and the links between its pages.

import strings from './strings.js';

// The module's t(), defined once however many pages ask.
export function helloStrings(kedr) {
    return kedr.strings(strings);
}

// The language of a greeting, as the person reads it.
export function langLabel(t, l) {
    return l === 'ru' || l === 'en' ? t(`lang.${l}`) : l;
}

// Links to the module's pages, the current one marked.
export function pageNav(kedr, t, current) {
    const { h } = kedr.dom;
    const items = [['list', '/hello', t('title')], ['board', '/hello/board', t('board')],
        ['calendar', '/hello/calendar', t('calendar')], ['stats', '/hello/stats', t('stats')]];
    return h('nav', { class: 'seg hello-pages', 'aria-label': t('pages') }, items.map(([k, href, label]) =>
        h('a', { class: 'seg-btn', href, 'aria-current': k === current ? 'page' : null, text: label })));
}
