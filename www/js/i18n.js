// i18n.js -- languages, string tables and locale-aware formatting.
//
// Russian is the default, English the second language.  Every string a
// person reads goes through a table: the shell's is js/strings.js, each
// module registers its own (kedr.strings({ru: {...}, en: {...}})).
//
//   const t = translator('core');
//   t('list.count', {n: 5})        -> "5 записей" (plural forms by Intl)
//   formatMoney('1234.5')          -> "1 234,50 ₽"
//
// A value in a table is a string with {name} placeholders, or an object
// of plural forms {one, few, many, other} chosen by Intl.PluralRules on
// the `n` parameter (or the first numeric one).

export const LOCALES = ['ru', 'en'];
const STORE_KEY = 'kedr.locale';
// Intl tags: English with day-first dates, as the office reads them.
const INTL_TAG = { ru: 'ru-RU', en: 'en-GB' };

const tables = new Map(); // namespace -> {ru: {...}, en: {...}}
const listeners = new Set();
let locale = 'ru';

export function getLocale() {
    return locale;
}

export function intlTag() {
    return INTL_TAG[locale];
}

// The locale the person chose in this browser, if any.
export function storedLocale() {
    try {
        const v = localStorage.getItem(STORE_KEY);
        return LOCALES.includes(v) ? v : null;
    } catch {
        return null;
    }
}

// Switch the language; `remember` keeps the choice in this browser.
export function setLocale(next, { remember = false } = {}) {
    if (!LOCALES.includes(next)) next = 'ru';
    if (remember) {
        try {
            localStorage.setItem(STORE_KEY, next);
        } catch {
            /* private mode: the choice lasts for this page only */
        }
    }
    if (next === locale) return;
    locale = next;
    document.documentElement.lang = next;
    cache.clear();
    for (const fn of listeners) fn(next);
}

// Call fn(locale) after every language switch; returns an unsubscribe.
export function onLocaleChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
}

// Register (or extend) the table of a namespace.
export function defineStrings(ns, table) {
    const cur = tables.get(ns) || {};
    for (const loc of Object.keys(table)) cur[loc] = { ...(cur[loc] || {}), ...table[loc] };
    tables.set(ns, cur);
}

const plurals = new Map();
function pluralRule(loc) {
    if (!plurals.has(loc)) plurals.set(loc, new Intl.PluralRules(INTL_TAG[loc] || loc));
    return plurals.get(loc);
}

// Look a key up in the current language, then in Russian; a missing key
// shows itself (visible in tests and screenshots, never a blank).
export function lookup(ns, key, params) {
    const tab = tables.get(ns) || {};
    let v = tab[locale]?.[key];
    if (v === undefined) v = tab.ru?.[key];
    if (v === undefined) return key;
    if (typeof v === 'object') {
        // the count: {n}, else the first number among the parameters
        const n = Number(params?.n ?? Object.values(params || {}).find((x) => typeof x === 'number') ?? 0);
        v = v[pluralRule(locale).select(n)] ?? v.other;
    }
    if (params) {
        v = v.replace(/\{(\w+)\}/g, (m, name) => {
            if (!(name in params)) return m;
            const p = params[name];
            return typeof p === 'number' ? formatNumber(p) : String(p);
        });
    }
    return v;
}

// A t() bound to a namespace.  t.has(key): the key exists (in this
// language or in Russian); t.hasHere(key): in this language itself.
export function translator(ns) {
    const t = (key, params) => lookup(ns, key, params);
    t.has = (key) => {
        const tab = tables.get(ns) || {};
        return tab[locale]?.[key] !== undefined || tab.ru?.[key] !== undefined;
    };
    t.hasHere = (key) => (tables.get(ns) || {})[locale]?.[key] !== undefined;
    return t;
}

// "ru"/"en" labels from a pair of fields: pick(obj, 'label') reads
// obj.label_ru or obj.label_en, falling back to the other one.
export function pick(obj, base) {
    if (!obj) return '';
    const mine = obj[`${base}_${locale}`];
    return mine || obj[`${base}_ru`] || obj[`${base}_en`] || '';
}

// --- formatting (Intl) -----------------------------------------------

const cache = new Map();
function fmt(kind, opts) {
    const key = `${kind}:${JSON.stringify(opts)}`;
    if (!cache.has(key)) {
        cache.set(key, kind === 'num' ? new Intl.NumberFormat(intlTag(), opts)
            : new Intl.DateTimeFormat(intlTag(), opts));
    }
    return cache.get(key);
}

function toDate(v) {
    if (v instanceof Date) return v;
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
        // a plain date is a calendar day, not UTC midnight
        const [y, m, d] = v.split('-').map(Number);
        return new Date(y, m - 1, d);
    }
    return new Date(v);
}

// style: Intl's dateStyle (short, medium, long, full)
export function formatDate(v, style = 'medium') {
    if (v === null || v === undefined || v === '') return '';
    const d = toDate(v);
    return Number.isNaN(d.getTime()) ? String(v) : fmt('date', { dateStyle: style }).format(d);
}

export function formatDateTime(v) {
    if (v === null || v === undefined || v === '') return '';
    const d = toDate(v);
    return Number.isNaN(d.getTime()) ? String(v)
        : fmt('date', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatNumber(v, opts = {}) {
    if (v === null || v === undefined || v === '') return '';
    return fmt('num', opts).format(v);
}

// Money arrives as a decimal string ("1234.50"); Intl formats the string
// itself, so no digit is lost to floating point.
export function formatMoney(v, currency = 'RUB') {
    if (v === null || v === undefined || v === '') return '';
    return fmt('num', { style: 'currency', currency }).format(String(v));
}

// A phone as people write it: a Russian number (+7 or 8 and ten digits,
// or the ten digits alone) as "+7 (495) 123-45-67"; anything else (a
// foreign number, an extension) as it was typed.
export function formatPhone(v) {
    if (v === null || v === undefined) return '';
    const s = String(v).trim();
    if (!/^[+\d\s()-]+$/.test(s)) return s;
    let d = s.replace(/\D/g, '');
    if (d.length === 11 && /^[78]/.test(d) && (s.startsWith('+7') || s.startsWith('7') || s.startsWith('8'))) d = d.slice(1);
    else if (d.length !== 10 || s.startsWith('+')) return s;
    return `+7 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
}

// The decimal separator of the current locale ("," in Russian).
export function decimalSeparator() {
    return fmt('num', {}).formatToParts(1.5).find((p) => p.type === 'decimal')?.value || '.';
}
