// tools/sfgen/sfdata.mjs -- the pieces of a Salesforce export that are not
// about any one object: a seeded PRNG, Salesforce ids with their case-suffix
// checksum, Russian requisites (INN, KPP, OGRN) with their check digits,
// phones in the forms people write them, text encodings (cp1251, latin1,
// mojibake) and the Russian name lists.  Used by tools/sfgen/sfgen.mjs and
// by its tests; no dependencies.

// --- seeded PRNG ----------------------------------------------------------

// cyrb128: four 32-bit words from a string, the seed of sfc32.
export function hash128(str) {
    let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
    for (let i = 0; i < str.length; i++) {
        const k = str.charCodeAt(i);
        h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
        h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
        h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
        h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

// sfc32: small, fast, and the same numbers on every machine.
export class Rng {
    constructor(key) {
        [this.a, this.b, this.c, this.d] = hash128(String(key));
        for (let i = 0; i < 12; i++) this.u32();
    }
    u32() {
        let { a, b, c, d } = this;
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        this.a = a; this.b = b; this.c = c; this.d = d;
        return t >>> 0;
    }
    next() { return this.u32() / 4294967296; }            // [0, 1)
    int(n) { return Math.floor(this.next() * n); }        // [0, n)
    range(lo, hi) { return lo + this.int(hi - lo + 1); }  // [lo, hi]
    chance(p) { return this.next() < p; }
    pick(a) { return a[this.int(a.length)]; }
    digits(n) { let s = ''; for (let i = 0; i < n; i++) s += this.int(10); return s; }
}

// Exact-count sampling in one pass (Knuth's algorithm S): of `n` rows
// offered in order, exactly `k` are taken, each set of k equally likely.
export class Sampler {
    constructor(rng, k, n) { this.rng = rng; this.k = Math.min(k, n); this.n = n; this.seen = 0; }
    take() {
        const left = this.n - this.seen++;
        if (left <= 0 || this.k <= 0) return false;
        if (this.rng.next() * left < this.k) { this.k--; return true; }
        return false;
    }
}

// --- Salesforce ids -------------------------------------------------------

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

// The 3-character case-insensitive suffix that makes a 15-character id
// an 18-character one: for each 5-character chunk, a bit per upper-case
// letter (first character = lowest bit), mapped to A-Z0-5.
export function idSuffix(id15) {
    let s = '';
    for (let c = 0; c < 3; c++) {
        let bits = 0;
        for (let i = 0; i < 5; i++) {
            const ch = id15.charCodeAt(c * 5 + i);
            if (ch >= 65 && ch <= 90) bits |= 1 << i;
        }
        s += SUFFIX[bits];
    }
    return s;
}

export function id18(id15) {
    if (id15.length === 18) return id15;
    if (id15.length !== 15) throw new Error(`not a Salesforce id: ${id15}`);
    return id15 + idSuffix(id15);
}

export const NULL_ID = '000000000000000AAA';

// The `i`-th id of an object with key prefix `prefix` (pod "5I", then the
// reserved "0", then a 9-character base-62 number spread by a multiplier
// so that neighbours differ in case as real ids do).
export function makeId(prefix, i) {
    let v = i * 7919 + 104729, body = '';
    for (let k = 0; k < 9; k++) { body = B62[v % 62] + body; v = Math.floor(v / 62); }
    return id18(prefix + '5I0' + body);
}

// --- Russian requisites ---------------------------------------------------

const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function innDigit(s, w) {
    let sum = 0;
    for (let i = 0; i < w.length; i++) sum += (s.charCodeAt(i) - 48) * w[i];
    return String(sum % 11 % 10);
}

// A valid INN from its first 9 (organisation) or 10 (person) digits.
export function innComplete(head) {
    if (head.length === 9) return head + innDigit(head, W10);
    const s = head + innDigit(head, W11);
    return s + innDigit(s, W12);
}

export function innValid(inn) {
    if (/^\d{10}$/.test(inn)) return innDigit(inn, W10) === inn[9];
    if (/^\d{12}$/.test(inn)) return innDigit(inn, W11) === inn[10] && innDigit(inn, W12) === inn[11];
    return false;
}

// KPP: 4 digits (tax office), 2 digits or capital Latin letters (reason),
// 3 digits (number) -- the rule of lib/ru.c.
export function kppValid(kpp) { return /^\d{4}[0-9A-Z]{2}\d{3}$/.test(kpp); }

// OGRN (13 digits, check = first 12 mod 11 mod 10) and OGRNIP (15 digits,
// check = first 14 mod 13 mod 10); 14 digits fit a double exactly.
export function ogrnComplete(head) {
    const m = head.length === 12 ? 11 : 13;
    return head + String(Number(head) % m % 10);
}

export function ogrnValid(s) {
    if (!/^(\d{13}|\d{15})$/.test(s)) return false;
    return ogrnComplete(s.slice(0, -1)) === s;
}

// --- phones and e-mails ---------------------------------------------------

// Phone to E.164 by the rules of lib/ru.c: digits with spaces,
// dashes, dots and brackets; "+" only first; 8/7 + 10 digits or 10 digits
// (first >= 3) are Russian; "+7" needs exactly 11 digits.
export function phoneE164(s) {
    let d = '', plus = false;
    for (const ch of s) {
        if (ch >= '0' && ch <= '9') d += ch;
        else if (ch === '+' && d === '' && !plus) plus = true;
        else if (!' -().\t'.includes(ch)) return null;
    }
    if (plus) {
        if (d[0] === '7' && d.length !== 11) return null;
        if (d.length < 8 || d.length > 15 || d[0] === '0') return null;
        return '+' + d;
    }
    if (d.length === 11 && (d[0] === '8' || d[0] === '7')) return '+7' + d.slice(1);
    if (d.length === 10 && d[0] >= '3') return '+7' + d;
    return null;
}

// E-mail check of lib/ru.c: one "@" not first, no spaces or
// specials, a dot in the domain neither first nor last.
export function emailValid(s) {
    const at = s.indexOf('@');
    if (at <= 0 || s.length > 254 || s.indexOf('@', at + 1) >= 0) return false;
    if (/[\x00-\x20<>(),;:"[\]\\]/.test(s)) return false;
    const dot = s.lastIndexOf('.');
    return dot > at + 1 && dot < s.length - 1;
}

// The written forms of a valid Russian number (10 national digits).
export const PHONE_FORMS = {
    'plus7-spaces': (a, b, c, d) => `+7 ${a} ${b} ${c} ${d}`,
    '8-brackets': (a, b, c, d) => `8 (${a}) ${b}-${c}-${d}`,
    'national-dashes': (a, b, c, d) => `${a}-${b}-${c}-${d}`,
    '8-digits': (a, b, c, d) => `8${a}${b}${c}${d}`,
    'e164': (a, b, c, d) => `+7${a}${b}${c}${d}`,
    'plus7-brackets': (a, b, c, d) => `+7 (${a}) ${b}-${c}-${d}`,
    '8-dashes': (a, b, c, d) => `8-${a}-${b}-${c}-${d}`,
    '7-spaces': (a, b, c, d) => `7 ${a} ${b}${c}${d}`,
};
export const PHONE_FORM_NAMES = Object.keys(PHONE_FORMS);

// Numbers no importer can make E.164 of: a 7-digit local number, one
// digit short after +7, one digit too many after 8.
export const BAD_PHONE_FORMS = [
    (a, b, c, d) => `${b}-${c}-${d}`,
    (a, b, c, d) => `+7 ${a} ${b} ${c} ${d.slice(0, 1)}`,
    (a, b, c, d) => `8 (${a}) ${b}-${c}-${d}5`,
];

// --- encodings ------------------------------------------------------------

const CP1251_DEC = new TextDecoder('windows-1251').decode(Uint8Array.from({ length: 256 }, (_, i) => i));
const CP1251_ENC = new Map();
for (let i = 0; i < 256; i++) CP1251_ENC.set(CP1251_DEC.charCodeAt(i), i);

export function cp1251Decode(buf) {
    let s = '';
    for (let i = 0; i < buf.length; i++) s += CP1251_DEC[buf[i]];
    return s;
}

// cp1251 bytes of `s`; a character cp1251 lacks throws (the generator
// writes none, so this is a bug check, not a fallback).
export function cp1251Encode(s) {
    const out = Buffer.allocUnsafe(s.length);
    for (let i = 0; i < s.length; i++) {
        const b = CP1251_ENC.get(s.charCodeAt(i));
        if (b === undefined) throw new Error(`not in cp1251: U+${s.charCodeAt(i).toString(16)} in ${JSON.stringify(s.slice(0, 60))}`);
        out[i] = b;
    }
    return out;
}

export function cp1251Can(s) {
    for (let i = 0; i < s.length; i++) if (!CP1251_ENC.has(s.charCodeAt(i))) return false;
    return true;
}

// Mojibake: the UTF-8 bytes of `s` read as cp1251 or latin1 text.
export function mojibake(s, kind) {
    const b = Buffer.from(s, 'utf8');
    return kind === 'cp1251' ? cp1251Decode(b) : b.toString('latin1');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Whether a field is mojibake, and what it was: its text encoded back by
// cp1251 (or latin1) is valid UTF-8 with at least one non-ASCII character.
// Returns {kind, repaired} or null.
export function detectMojibake(s) {
    if (!/[\u0080-\uffff]/.test(s)) return null;
    for (const kind of ['cp1251', 'latin1']) {
        let bytes;
        if (kind === 'cp1251') {
            if (!cp1251Can(s)) continue;
            bytes = cp1251Encode(s);
        } else {
            if (/[^\u0000-\u00ff]/.test(s)) continue;
            bytes = Buffer.from(s, 'latin1');
        }
        try {
            const t = strictUtf8.decode(bytes);
            if (/[\u0080-\uffff]/.test(t) && t !== s) return { kind, repaired: t };
        } catch { /* not UTF-8: not this kind */ }
    }
    return null;
}

// Russian to Latin letters (for --encoding latin1, which has no Cyrillic)
// plus the few punctuation marks latin1 lacks.
const TR = {
    а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k',
    л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts',
    ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', '№': 'No', '—': '-', '–': '-',
};
export function translit(s) {
    if (!/[^\u0000-\u00ff]/.test(s)) return s;
    let o = '';
    for (const ch of s) {
        const lo = ch.toLowerCase();
        const t = TR[lo];
        if (t === undefined) o += ch;
        else if (lo !== ch) o += t.charAt(0).toUpperCase() + t.slice(1);
        else o += t;
    }
    return o;
}

// --- Russian names and places ---------------------------------------------

export const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов',
    'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов',
    'Степанов', 'Николаев', 'Орлов', 'Андреев', 'Макаров', 'Никитин', 'Захаров', 'Зайцев', 'Соловьёв', 'Борисов',
    'Яковлев', 'Григорьев', 'Романов', 'Воробьёв', 'Сергеев', 'Кузьмин', 'Фролов', 'Александров', 'Дмитриев',
    'Королёв', 'Гусев', 'Киселёв', 'Ильин', 'Максимов', 'Поляков', 'Сорокин', 'Виноградов', 'Ковалёв', 'Белов',
    'Медведев', 'Антонов', 'Тарасов', 'Жуков', 'Баранов', 'Филиппов', 'Комаров', 'Давыдов', 'Беляев', 'Герасимов',
    'Богданов', 'Осипов', 'Сидоров', 'Матвеев', 'Титов', 'Марков', 'Миронов', 'Крылов', 'Куликов', 'Карпов',
    'Власов', 'Мельников', 'Денисов', 'Гаврилов', 'Тихонов', 'Казаков', 'Афанасьев', 'Данилов', 'Савельев',
    'Тимофеев', 'Фомин', 'Чернов', 'Абрамов', 'Мартынов', 'Ефимов', 'Федотов', 'Щербаков', 'Назаров', 'Калинин',
    'Исаев', 'Чернышёв', 'Быков', 'Маслов', 'Родионов', 'Коновалов', 'Лазарев', 'Воронин', 'Климов', 'Филатов'];
export const MALE = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Максим', 'Евгений', 'Иван', 'Михаил',
    'Артём', 'Николай', 'Владимир', 'Павел', 'Роман', 'Олег', 'Игорь', 'Юрий', 'Виктор', 'Константин', 'Денис',
    'Антон', 'Илья', 'Кирилл', 'Вадим', 'Пётр', 'Григорий', 'Фёдор', 'Борис', 'Геннадий', 'Василий'];
export const FEMALE = ['Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Светлана', 'Анна', 'Мария', 'Екатерина',
    'Юлия', 'Марина', 'Людмила', 'Галина', 'Анастасия', 'Дарья', 'Ксения', 'Виктория', 'Надежда', 'Валентина',
    'Алёна', 'Евгения', 'Оксана', 'Полина', 'Вера', 'Любовь', 'Софья', 'Кристина', 'Алина', 'Яна', 'Лариса'];
// Patronymics from the male names: [masculine, feminine]
export const PATRONYMICS = [['Александрович', 'Александровна'], ['Сергеевич', 'Сергеевна'], ['Дмитриевич', 'Дмитриевна'],
    ['Андреевич', 'Андреевна'], ['Алексеевич', 'Алексеевна'], ['Максимович', 'Максимовна'], ['Евгеньевич', 'Евгеньевна'],
    ['Иванович', 'Ивановна'], ['Михайлович', 'Михайловна'], ['Николаевич', 'Николаевна'], ['Владимирович', 'Владимировна'],
    ['Павлович', 'Павловна'], ['Романович', 'Романовна'], ['Олегович', 'Олеговна'], ['Игоревич', 'Игоревна'],
    ['Юрьевич', 'Юрьевна'], ['Викторович', 'Викторовна'], ['Константинович', 'Константиновна'], ['Петрович', 'Петровна'],
    ['Григорьевич', 'Григорьевна'], ['Фёдорович', 'Фёдоровна'], ['Борисович', 'Борисовна'], ['Васильевич', 'Васильевна'],
    ['Анатольевич', 'Анатольевна'], ['Геннадьевич', 'Геннадьевна'], ['Валерьевич', 'Валерьевна']];

export function femaleSurname(s) {
    if (/(ов|ев|ёв|ин|ын)$/.test(s)) return s + 'а';
    if (/ий$/.test(s)) return s.slice(0, -2) + 'ая';
    return s;
}

// [region, city, INN/KPP region code, phone area code, postal code prefix]
export const PLACES = [
    ['Москва', 'Москва', '77', '495', '1'], ['Москва', 'Москва', '77', '499', '1'],
    ['Санкт-Петербург', 'Санкт-Петербург', '78', '812', '19'], ['Московская область', 'Химки', '50', '498', '141'],
    ['Московская область', 'Подольск', '50', '496', '142'], ['Свердловская область', 'Екатеринбург', '66', '343', '620'],
    ['Новосибирская область', 'Новосибирск', '54', '383', '630'], ['Республика Татарстан', 'Казань', '16', '843', '420'],
    ['Краснодарский край', 'Краснодар', '23', '861', '350'], ['Краснодарский край', 'Сочи', '23', '862', '354'],
    ['Нижегородская область', 'Нижний Новгород', '52', '831', '603'], ['Самарская область', 'Самара', '63', '846', '443'],
    ['Ростовская область', 'Ростов-на-Дону', '61', '863', '344'], ['Челябинская область', 'Челябинск', '74', '351', '454'],
    ['Республика Башкортостан', 'Уфа', '02', '347', '450'], ['Пермский край', 'Пермь', '59', '342', '614'],
    ['Воронежская область', 'Воронеж', '36', '473', '394'], ['Красноярский край', 'Красноярск', '24', '391', '660'],
    ['Тюменская область', 'Тюмень', '72', '345', '625'], ['Омская область', 'Омск', '55', '381', '644'],
    ['Волгоградская область', 'Волгоград', '34', '844', '400'], ['Иркутская область', 'Иркутск', '38', '395', '664'],
    ['Приморский край', 'Владивосток', '25', '423', '690'], ['Ярославская область', 'Ярославль', '76', '485', '150'],
];
export const STREETS = ['ул. Ленина', 'ул. Мира', 'ул. Советская', 'пр-т Победы', 'ул. Гагарина', 'ул. Садовая',
    'ул. Московская', 'ул. Заводская', 'ул. Пушкина', 'ул. Лесная', 'ш. Энтузиастов', 'ул. Кирова', 'наб. Речная',
    'ул. Строителей', 'пр-т Мира', 'ул. Промышленная', 'Складской пр.', 'ул. Набережная', 'ул. Октябрьская'];
export const ORG_WORDS = ['Ромашка', 'Стройторг', 'ТехноСнаб', 'Вектор', 'Альянс', 'Гранит', 'Меридиан', 'Северный ветер',
    'Уралхимснаб', 'ПромИнвест', 'Сибирь-Трейд', 'Волга-Сервис', 'Дом и Сад', 'Мастер', 'Эталон', 'Квадрат',
    'Профи', 'Континент', 'Лидер', 'Стандарт', 'Прогресс', 'Гарант', 'Радуга', 'Атлант', 'Орион', 'Феникс',
    'Импульс', 'Капитал', 'Технолайн', 'Новый дом', 'Ремстрой', 'Электромир', 'Теплолюкс', 'Агроснаб', 'Кристалл'];
export const ORG_FORMS = ['ООО', 'ООО', 'ООО', 'ООО', 'АО', 'ПАО', 'ЗАО'];
