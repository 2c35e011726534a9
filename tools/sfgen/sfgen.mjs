// tools/sfgen/sfgen.mjs -- a realistic Salesforce weekly data export of a
// Russian manufacturer's org, with dirt injected at known, seeded rates,
// and a manifest of the exact numbers a correct importer must report.
//
//   import { generate } from './sfgen.mjs';
//   const manifest = generate({ dir, scale: 0.001, seed: 'demo' });
//   generate({ dir: dir2, delta: dir });        // next week's export
//
// Everything is a function of (seed, scale, dirt, format, week): no clock,
// no Math.random, so the same options give the same bytes.  Rows are
// formatted and written one at a time (a 1 MiB buffer per file), so scale
// 1 (about 600,000 rows) takes constant memory apart from a few flags per
// row.  The manifest's definitions are in README.md ("Migrating from
// Salesforce -- sample exports"); tests/api/sfgen.test.js recounts them.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
    Rng, Sampler, makeId, NULL_ID, innComplete, innValid, kppValid, ogrnComplete,
    phoneE164, emailValid, PHONE_FORMS, PHONE_FORM_NAMES, BAD_PHONE_FORMS,
    cp1251Encode, cp1251Can, mojibake, translit,
    SURNAMES, MALE, FEMALE, PATRONYMICS, femaleSurname, PLACES, STREETS, ORG_WORDS, ORG_FORMS,
} from './sfdata.mjs';

export const DEFAULT_DIRT = {
    whitespace: 0.02,   // leading/trailing/doubled spaces or a tab in one text field
    deleted: 0.01,      // IsDeleted = true
    badPhone: 0.01,     // a phone no rule makes E.164 of
    badEmail: 0.01,
    badInn: 0.01,       // INN with a wrong check digit (accounts)
    badKpp: 0.005,      // KPP of the wrong length or with a Cyrillic letter
    duplicate: 0.02,    // an account repeating an earlier one's INN+KPP
    orphan: 0.005,      // contact/store whose account id is in no file
    nullLookup: 0.05,   // contact without an account
    nullAaa: 0.1,       // share of null lookups written 000000000000000AAA instead of ""
    picklist: 0.005,    // a value outside the picklist's values
    multiline: 0.05,    // Description with newlines and "quotes"
    mojibake: 0.005,    // a text field double-encoded (UTF-8 read as cp1251/latin1)
    id15: 0.1,          // share of lookup values in the 15-character form
};

export const DEFAULT_FORMAT = {
    encoding: 'utf8',   // utf8 | utf8-bom | cp1251 | latin1
    crlf: false,
    bool: 'mixed',      // mixed (one style per file, rotating) | 01 | truefalse | TRUEFALSE
    datetime: 'mixed',  // mixed | space ("2024-03-05 12:34:56") | iso ("2024-03-05T12:34:56.000Z")
    date: 'mixed',      // mixed | plain ("2024-03-05") | midnight ("2024-03-05 00:00:00")
    noFinalNewline: 'Pricebook2', // the object whose file lacks the last line end ('' for none)
    // files opened and saved again in Excel ("CSV UTF-8"): a BOM (UTF-8
    // exports), CRLF, TRUE/FALSE, and quotes only where a value needs them
    excel: ['Store__c'],
    zip: false,
};

// per week: rows deleted, changed (LastModifiedDate and SystemModstamp
// move), touched (only SystemModstamp moves: a system update such as a
// roll-up recalculation), and new rows as a share of the first week's
export const DEFAULT_DELTA = { change: 0.02, add: 0.01, remove: 0.005, touch: 0.005 };

const DAY = 86400000;
const START = Date.UTC(2016, 0, 11, 6, 0, 0);          // the org's first record
const EXPORT1 = Date.UTC(2026, 10, 20, 3, 0, 0);       // week 1's export (a Friday night)

// --- the objects ----------------------------------------------------------
// Field suffixes: :b boolean, :t datetime, :d date, :r lookup, :p phone,
// :e e-mail, :k picklist (values in PICKLISTS), none: text/number.

const AUDIT = ['CreatedDate:t', 'CreatedById:r', 'LastModifiedDate:t', 'LastModifiedById:r', 'SystemModstamp:t'];

export const PICKLISTS = {
    'Account.Type': ['Distributor', 'Customer', 'Prospect', 'Partner', 'Other'],
    'Account.Industry': ['Retail', 'Construction', 'Manufacturing', 'Wholesale', 'Agriculture', 'Energy', 'Other'],
    'Account.Segment__c': ['A', 'B', 'C', 'Key account'],
    'Contact.Decision_Role__c': ['Decision Maker', 'Influencer', 'Buyer', 'User', 'Gatekeeper'],
    'Store__c.Format__c': ['Hypermarket', 'Supermarket', 'DIY', 'Specialist', 'Kiosk', 'Online'],
    'Product2.Family': ['Инструмент', 'Крепёж', 'Электрика', 'Сантехника', 'Краски', 'Садовая техника'],
    'Campaign.Type': ['Conference', 'Webinar', 'Trade Show', 'Email', 'Advertisement', 'Promotion'],
    'Campaign.Status': ['Planned', 'In Progress', 'Completed', 'Aborted'],
    'Opportunity.StageName': ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
    'Case.Status': ['New', 'Working', 'Escalated', 'Closed'],
    'Case.Origin': ['Phone', 'Email', 'Web', 'Portal'],
    'Case.Priority': ['High', 'Medium', 'Low'],
    'Event.Type': ['Meeting', 'Call', 'Visit', 'Other'],
    'Task.Status': ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
    'Task.Priority': ['High', 'Normal', 'Low'],
};

// Values an org's admin once removed from a picklist but rows still hold.
const UNKNOWN_PICK = ['Дилер (старый)', 'VIP', 'N/A', 'Test', 'Архив', 'Closed - Duplicate'];

export const OBJECTS = [
    {
        name: 'User', prefix: '005', count: 150, min: 3, noDelete: true,
        fields: ['Id', 'Username', 'LastName', 'FirstName', 'MiddleName', 'Name', 'CompanyName', 'Department', 'Title',
            'City', 'Email:e', 'Phone:p', 'MobilePhone:p', 'Alias', 'IsActive:b', 'TimeZoneSidKey', 'LocaleSidKey',
            'LanguageLocaleKey', 'ManagerId:r', ...AUDIT],
        dirt: { whitespace: ['LastName', 'Title'] },
        mutable: ['Title', 'MobilePhone', 'IsActive'],
        gen: genUser,
    },
    {
        name: 'Account', prefix: '001', count: 65000, min: 40,
        fields: ['Id', 'IsDeleted:b', 'MasterRecordId:r', 'Name', 'Type:k', 'ParentId:r', 'BillingStreet', 'BillingCity',
            'BillingState', 'BillingPostalCode', 'BillingCountry', 'ShippingStreet', 'ShippingCity', 'ShippingState',
            'ShippingPostalCode', 'ShippingCountry', 'Phone:p', 'Fax:p', 'Website', 'Industry:k', 'NumberOfEmployees',
            'Description', 'OwnerId:r', ...AUDIT, 'LastActivityDate:d', 'INN__c', 'KPP__c', 'OGRN__c', 'Region__c',
            'Email__c:e', 'Is_Distributor__c:b', 'Segment__c:k'],
        dirt: {
            whitespace: ['Name', 'BillingCity', 'BillingStreet'], badPhone: ['Phone'], badEmail: ['Email__c'],
            picklist: ['Industry', 'Segment__c'], multiline: ['Description'], mojibake: ['Name', 'BillingCity'],
        },
        mutable: ['Phone', 'Description', 'Segment__c', 'Email__c', 'NumberOfEmployees'],
        gen: genAccount,
    },
    {
        name: 'Contact', prefix: '003', count: 150000, min: 60,
        fields: ['Id', 'IsDeleted:b', 'MasterRecordId:r', 'AccountId:r', 'LastName', 'FirstName', 'Salutation', 'MiddleName',
            'Name', 'MailingStreet', 'MailingCity', 'MailingState', 'MailingPostalCode', 'MailingCountry', 'Phone:p',
            'MobilePhone:p', 'Email:e', 'Title', 'Department', 'ReportsToId:r', 'Birthdate:d', 'Description', 'OwnerId:r',
            'HasOptedOutOfEmail:b', 'DoNotCall:b', ...AUDIT, 'LastActivityDate:d', 'Decision_Role__c:k', 'Consent__c:b'],
        dirt: {
            whitespace: ['LastName', 'FirstName', 'Title'], badPhone: ['Phone', 'MobilePhone'], badEmail: ['Email'],
            picklist: ['Decision_Role__c'], multiline: ['Description'], mojibake: ['LastName', 'FirstName', 'Title'],
        },
        mutable: ['Title', 'Phone', 'Email', 'Department'],
        gen: genContact,
    },
    {
        name: 'Store__c', prefix: 'a0X', count: 100000, min: 40,
        fields: ['Id', 'OwnerId:r', 'IsDeleted:b', 'Name', ...AUDIT, 'LastActivityDate:d', 'Account__c:r', 'Address__c',
            'City__c', 'Region__c', 'Format__c:k', 'Area__c', 'Phone__c:p', 'Is_Active__c:b'],
        dirt: {
            whitespace: ['Name', 'Address__c'], badPhone: ['Phone__c'], picklist: ['Format__c'],
            mojibake: ['Name', 'City__c'],
        },
        mutable: ['Format__c', 'Phone__c', 'Area__c', 'Is_Active__c'],
        gen: genStore,
    },
    {
        name: 'Product2', prefix: '01t', count: 20000, min: 10,
        fields: ['Id', 'Name', 'ProductCode', 'Description', 'IsActive:b', ...AUDIT, 'Family:k', 'IsDeleted:b',
            'QuantityUnitOfMeasure', 'StockKeepingUnit'],
        dirt: { whitespace: ['Name'], picklist: ['Family'], multiline: ['Description'] },
        mutable: ['Description', 'IsActive'],
        gen: genProduct,
    },
    {
        name: 'Pricebook2', prefix: '01s', count: 2, min: 2, fixed: true,
        fields: ['Id', 'IsDeleted:b', 'Name', ...AUDIT, 'IsActive:b', 'IsArchived:b', 'Description', 'IsStandard:b'],
        dirt: {},
        mutable: ['Description'],
        gen: genPricebook,
    },
    {
        name: 'PricebookEntry', prefix: '01u', count: 40000, min: 20, per: ['Product2', 2],
        fields: ['Id', 'Name', 'Pricebook2Id:r', 'Product2Id:r', 'UnitPrice', 'IsActive:b', 'UseStandardPrice:b', ...AUDIT,
            'ProductCode', 'IsDeleted:b'],
        dirt: {},
        mutable: ['UnitPrice'],
        gen: genPricebookEntry,
    },
    {
        name: 'Campaign', prefix: '701', count: 50, min: 3,
        fields: ['Id', 'IsDeleted:b', 'Name', 'ParentId:r', 'Type:k', 'Status:k', 'StartDate:d', 'EndDate:d', 'BudgetedCost',
            'ActualCost', 'IsActive:b', 'Description', 'OwnerId:r', ...AUDIT],
        dirt: { picklist: ['Type'] },
        mutable: ['Status', 'ActualCost'],
        gen: genCampaign,
    },
    {
        name: 'Opportunity', prefix: '006', count: 30000, min: 20,
        fields: ['Id', 'IsDeleted:b', 'AccountId:r', 'Name', 'Description', 'StageName:k', 'Amount', 'Probability',
            'CloseDate:d', 'Type', 'LeadSource', 'IsClosed:b', 'IsWon:b', 'CampaignId:r', 'OwnerId:r', 'Pricebook2Id:r',
            ...AUDIT],
        dirt: { whitespace: ['Name'], picklist: ['StageName'], multiline: ['Description'] },
        mutable: ['Amount', 'CloseDate'],
        gen: genOpportunity,
    },
    {
        name: 'OpportunityLineItem', prefix: '00k', count: 60000, min: 30,
        fields: ['Id', 'OpportunityId:r', 'SortOrder', 'PricebookEntryId:r', 'Product2Id:r', 'Name', 'Quantity',
            'TotalPrice', 'UnitPrice', 'ServiceDate:d', 'Description', ...AUDIT, 'IsDeleted:b'],
        dirt: {},
        mutable: ['Quantity'],
        gen: genLineItem,
    },
    {
        name: 'Case', prefix: '500', count: 25000, min: 15,
        fields: ['Id', 'IsDeleted:b', 'CaseNumber', 'ContactId:r', 'AccountId:r', 'Type', 'Status:k', 'Reason', 'Origin:k',
            'Subject', 'Priority:k', 'Description', 'IsClosed:b', 'ClosedDate:t', 'OwnerId:r', ...AUDIT],
        dirt: { whitespace: ['Subject'], picklist: ['Status'], multiline: ['Description'] },
        mutable: ['Priority', 'Reason'],
        gen: genCase,
    },
    {
        name: 'Event', prefix: '00U', count: 50000, min: 20,
        fields: ['Id', 'WhoId:r', 'WhatId:r', 'Subject', 'Location', 'IsAllDayEvent:b', 'ActivityDateTime:t',
            'ActivityDate:d', 'DurationInMinutes', 'StartDateTime:t', 'EndDateTime:t', 'Description', 'AccountId:r',
            'OwnerId:r', 'Type:k', ...AUDIT, 'IsDeleted:b'],
        dirt: { multiline: ['Description'] },
        mutable: ['Location', 'Subject'],
        gen: genEvent,
    },
    {
        name: 'Task', prefix: '00T', count: 60000, min: 20,
        fields: ['Id', 'WhoId:r', 'WhatId:r', 'Subject', 'ActivityDate:d', 'Status:k', 'Priority:k', 'OwnerId:r',
            'Description', 'Type', 'IsDeleted:b', 'AccountId:r', 'IsClosed:b', ...AUDIT],
        dirt: { picklist: ['Status'], multiline: ['Description'] },
        mutable: ['Priority', 'Subject'],
        gen: genTask,
    },
];
for (const o of OBJECTS) {
    o.cols = o.fields.map((f) => { const [name, t = ''] = f.split(':'); return { name, t }; });
    o.header = o.cols.map((c) => c.name);
}
export const OBJECT_BY_NAME = Object.fromEntries(OBJECTS.map((o) => [o.name, o]));

// Rows of each object at a scale (a rate times the base count, at least
// the object's minimum; line items follow their parent's count exactly).
export function counts(scale) {
    const n = {};
    for (const o of OBJECTS) {
        if (o.fixed) n[o.name] = o.count;
        else if (o.per) n[o.name] = n[o.per[0]] * o.per[1];
        else n[o.name] = Math.max(o.min, Math.round(o.count * scale));
    }
    return n;
}

// How many of n rows a rate picks: round(rate*n), but at least one when
// the rate is not 0 and the object has 20 rows or more (so a tiny export
// still holds every kind of dirt).
export function pickCount(rate, n) {
    const k = Math.round(rate * n);
    return k === 0 && rate > 0 && n >= 20 ? 1 : k;
}

// --- row generators -------------------------------------------------------
// Each returns {field: value} of a clean row; lookups are {t, i} (target
// object and index), {t, orphan} or null; times are milliseconds.

function person(r) {
    const female = r.chance(0.45);
    const last = r.pick(SURNAMES);
    const pat = r.pick(PATRONYMICS);
    return {
        female, last: female ? femaleSurname(last) : last,
        first: r.pick(female ? FEMALE : MALE), middle: pat[female ? 1 : 0],
    };
}

const LAT = { а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya' };
const latinCache = new Map();
function latin(s) {
    let v = latinCache.get(s);
    if (v === undefined) {
        v = s.toLowerCase().replace(/[а-яё]/g, (c) => LAT[c]).replace(/[^a-z0-9]+/g, '');
        if (latinCache.size < 10000) latinCache.set(s, v);
    }
    return v;
}

function phoneParts(r, area) {
    const a = area || r.pick(['903', '905', '910', '915', '916', '925', '926', '929', '951', '962', '977', '985', '999']);
    return [a, r.digits(3), r.digits(2), r.digits(2)];
}

function phone(r, area) {
    const p = phoneParts(r, area);
    return PHONE_FORMS[r.pick(PHONE_FORM_NAMES)](...p);
}

const DOMAINS = ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru', 'list.ru', 'inbox.ru', 'rambler.ru'];

function place(r) { return r.pick(PLACES); }
function street(r) { return `${r.pick(STREETS)}, д. ${r.range(1, 150)}${r.chance(0.2) ? `, стр. ${r.range(1, 9)}` : ''}`; }
function postal(r, pl) { return (pl[4] + r.digits(6)).slice(0, 6); }

const DESC = ['Работаем по договору поставки', 'Оплата с отсрочкой 30 дней', 'Доставка по вторникам и четвергам',
    'Закупки через тендерную площадку', 'Контакт по закупкам сменился в прошлом году', 'Просили прайс на новую серию',
    'Самовывоз со склада в Подольске', 'Интересуются садовой техникой', 'Сезонный спрос, пик в апреле'];

function description(r) { return r.chance(0.4) ? r.pick(DESC) : ''; }

// A multi-line description with quotes (written as "" in the file).
function multiline(r) {
    return `Договор поставки № ${r.range(1, 400)}/${r.range(2018, 2026)}\nКонтакт по закупкам: "${r.pick(SURNAMES)} ${r.pick(MALE)[0]}."\n${r.pick(DESC)}`;
}

function pickUser(c, r) { return { t: 'User', i: r.int(c.n.User) }; }
function pickAny(c, r, t) { return { t, i: r.int(c.n[t]) }; }

function genUser(c, i, r) {
    const p = person(r);
    const login = `${latin(p.first)[0]}.${latin(p.last)}${i}`;
    const pl = place(r);
    return {
        Username: `${login}@kedr-demo.ru`, LastName: p.last, FirstName: p.first, MiddleName: p.middle,
        Name: `${p.first} ${p.last}`, CompanyName: 'АО «Кедр-Инструмент»',
        Department: r.pick(['Продажи', 'Сервис', 'Маркетинг', 'Логистика', 'Продажи дистрибьюторам']),
        Title: r.pick(['Менеджер по продажам', 'Региональный менеджер', 'Руководитель отдела', 'Специалист сервиса', 'Маркетолог']),
        City: pl[1], Email: `${login}@kedr-demo.ru`, Phone: phone(r, pl[3]), MobilePhone: phone(r),
        Alias: latin(p.last).slice(0, 8), IsActive: r.chance(0.9), TimeZoneSidKey: 'Europe/Moscow',
        LocaleSidKey: 'ru_RU', LanguageLocaleKey: 'ru', ManagerId: i > 0 && r.chance(0.8) ? { t: 'User', i: r.int(Math.min(i, 10)) } : null,
        OwnerId: null, CreatedById: { t: 'User', i: 0 }, LastModifiedById: { t: 'User', i: 0 },
    };
}

function companyName(r, kind) {
    if (kind === 'ip') {
        const p = person(r);
        return `ИП ${p.last} ${p.first[0]}.${p.middle[0]}.`;
    }
    const w = r.pick(ORG_WORDS);
    return `${r.pick(ORG_FORMS)} «${w}${r.chance(0.5) ? '' : ` ${r.pick(['Групп', 'Плюс', 'М', 'Центр', 'Регион', '+', 'Опт'])}`}»`;
}

function genAccount(c, i, r) {
    const distributor = i < c.nDistributors;
    const ip = !distributor && r.chance(0.15);
    const pl = place(r);
    const st = street(r);
    // unique INN: region, a tax office, the row number spread over 5 (6) digits
    const serial = String((i * 7919 + 31) % (ip ? 1000000 : 100000)).padStart(ip ? 6 : 5, '0');
    const office = String(10 + (Math.floor(i / 100000) * 7 + r.int(30)) % 90).padStart(2, '0');
    const inn = innComplete(pl[2] + office + serial);
    const kpp = ip ? '' : `${inn.slice(0, 4)}${r.chance(0.9) ? '01' : '43'}001`;
    const ogrn = ip ? ogrnComplete(`3${r.range(16, 25)}${pl[2]}${r.digits(9)}`) : ogrnComplete(`1${pad(r.range(2, 25))}${pl[2]}${r.digits(7)}`);
    const name = distributor ? `ООО «${r.pick(ORG_WORDS)}-Дистрибуция»` : companyName(r, ip ? 'ip' : 'org');
    const site = ip || r.chance(0.4) ? '' : `www.${latin(name.replace(/^\S+\s/, ''))}.ru`;
    return {
        Name: name, Type: distributor ? 'Distributor' : r.pick(['Customer', 'Customer', 'Customer', 'Prospect', 'Partner', 'Other']),
        ParentId: !distributor && i > c.nDistributors && r.chance(0.08) ? { t: 'Account', i: r.int(i) } : null,
        MasterRecordId: null,
        BillingStreet: st, BillingCity: pl[1], BillingState: pl[0], BillingPostalCode: postal(r, pl), BillingCountry: 'Россия',
        ShippingStreet: r.chance(0.5) ? st : '', ShippingCity: r.chance(0.5) ? pl[1] : '', ShippingState: '',
        ShippingPostalCode: '', ShippingCountry: '',
        Phone: phone(r, pl[3]), Fax: r.chance(0.1) ? phone(r, pl[3]) : '', Website: site,
        Industry: r.pick(PICKLISTS['Account.Industry']), NumberOfEmployees: ip ? r.range(1, 15) : r.range(5, 2500),
        Description: description(r), LastActivityDate: r.chance(0.6) ? c.dateSince(r) : null,
        INN__c: inn, KPP__c: kpp, OGRN__c: ogrn, Region__c: pl[0],
        Email__c: r.chance(0.7) ? `${r.pick(['info', 'office', 'zakaz', 'sales', 'buh'])}@${site ? site.slice(4) : r.pick(DOMAINS)}` : '',
        Is_Distributor__c: distributor, Segment__c: r.chance(0.8) ? r.pick(PICKLISTS['Account.Segment__c']) : '',
    };
}

const TITLES = ['Генеральный директор', 'Коммерческий директор', 'Менеджер по закупкам', 'Главный бухгалтер',
    'Начальник отдела снабжения', 'Товаровед', 'Директор магазина', 'Специалист по закупкам', 'Заместитель директора'];

function genContact(c, i, r) {
    const p = person(r);
    const pl = place(r);
    const login = `${latin(p.first)[0]}.${latin(p.last)}`;
    return {
        AccountId: { t: 'Account', i: r.int(c.n.Account) },
        LastName: p.last, FirstName: p.first, Salutation: p.female ? 'Г-жа' : 'Г-н', MiddleName: p.middle,
        Name: `${p.first} ${p.last}`,
        MailingStreet: r.chance(0.3) ? street(r) : '', MailingCity: pl[1], MailingState: pl[0],
        MailingPostalCode: r.chance(0.3) ? postal(r, pl) : '', MailingCountry: 'Россия',
        Phone: r.chance(0.8) ? phone(r, pl[3]) : '', MobilePhone: r.chance(0.6) ? phone(r) : '',
        Email: r.chance(0.75) ? `${login}${r.chance(0.3) ? r.range(1, 99) : ''}@${r.pick(DOMAINS)}` : '',
        Title: r.pick(TITLES), Department: r.chance(0.5) ? r.pick(['Закупки', 'Бухгалтерия', 'Руководство', 'Склад', 'Маркетинг']) : '',
        ReportsToId: i > 0 && r.chance(0.25) ? { t: 'Contact', i: Math.max(0, i - 1 - r.int(20)) } : null,
        Birthdate: r.chance(0.3) ? Date.UTC(r.range(1960, 2000), r.int(12), r.range(1, 28)) : null,
        Description: description(r), HasOptedOutOfEmail: r.chance(0.05), DoNotCall: r.chance(0.03),
        LastActivityDate: r.chance(0.5) ? c.dateSince(r) : null,
        Decision_Role__c: r.chance(0.7) ? r.pick(PICKLISTS['Contact.Decision_Role__c']) : '', Consent__c: r.chance(0.6),
    };
}

function genStore(c, i, r) {
    const pl = place(r);
    return {
        Name: `${r.pick(['Магазин', 'Строймаркет', 'Точка', 'Гипермаркет', 'Павильон'])} «${r.pick(ORG_WORDS)}» № ${r.range(1, 300)}`,
        LastActivityDate: r.chance(0.3) ? c.dateSince(r) : null,
        Account__c: { t: 'Account', i: r.int(c.n.Account) }, Address__c: street(r), City__c: pl[1], Region__c: pl[0],
        Format__c: r.pick(PICKLISTS['Store__c.Format__c']), Area__c: r.range(12, 12000), Phone__c: r.chance(0.7) ? phone(r, pl[3]) : '',
        Is_Active__c: r.chance(0.92),
    };
}

const PRODUCT_KINDS = [['Дрель ударная', 'Инструмент'], ['Шуруповёрт аккумуляторный', 'Инструмент'], ['Болгарка', 'Инструмент'],
    ['Саморез по дереву', 'Крепёж'], ['Дюбель-гвоздь', 'Крепёж'], ['Анкерный болт', 'Крепёж'], ['Кабель ВВГнг', 'Электрика'],
    ['Автоматический выключатель', 'Электрика'], ['Розетка двойная', 'Электрика'], ['Смеситель для кухни', 'Сантехника'],
    ['Полипропиленовая труба', 'Сантехника'], ['Эмаль ПФ-115', 'Краски'], ['Грунтовка глубокого проникновения', 'Краски'],
    ['Триммер бензиновый', 'Садовая техника'], ['Газонокосилка электрическая', 'Садовая техника']];

function genProduct(c, i, r) {
    const [kind, family] = PRODUCT_KINDS[i % PRODUCT_KINDS.length];
    const code = `KD-${String(100000 + i)}`;
    return {
        Name: `${kind} «Кедр» ${r.pick(['Про', 'Мастер', 'Эконом', 'Макс', 'Лайт'])} ${r.range(10, 999)}`,
        ProductCode: code, Description: description(r), IsActive: r.chance(0.93), Family: family,
        QuantityUnitOfMeasure: family === 'Крепёж' ? 'упак' : family === 'Электрика' && i % 3 === 0 ? 'м' : 'шт', StockKeepingUnit: code,
    };
}

function genPricebook(c, i, r) {
    return i === 0
        ? { Name: 'Standard Price Book', IsActive: true, IsArchived: false, Description: 'Базовые цены', IsStandard: true }
        : { Name: 'Дистрибьюторский прайс', IsActive: true, IsArchived: false, Description: 'Цены для дистрибьюторов', IsStandard: false };
}

function price(i) { return 150 + ((i * 7919) % 40000); }

function genPricebookEntry(c, i, r) {
    const prod = Math.floor(i / 2), book = i % 2;
    // list prices move: an entry (and each week's change of it) is the
    // product's price plus 0, 5 or 10 %
    const base = Math.round(price(prod) * (1 + r.int(3) * 0.05));
    return {
        Name: `Позиция ${prod + 1}`, Pricebook2Id: { t: 'Pricebook2', i: book }, Product2Id: { t: 'Product2', i: prod },
        UnitPrice: book === 0 ? `${base}.00` : `${Math.round(base * 0.8)}.00`, IsActive: true, UseStandardPrice: false,
        ProductCode: `KD-${String(100000 + prod)}`,
    };
}

function genCampaign(c, i, r) {
    const start = c.soonDate(r, 60);
    return {
        Name: `${r.pick(['Весенний сезон', 'Выставка «Стройэкспо»', 'Вебинар для дилеров', 'Рассылка: новинки', 'Акция «Садовая»'])} ${new Date(start).getUTCFullYear()}`,
        ParentId: i > 3 && r.chance(0.2) ? { t: 'Campaign', i: r.int(i) } : null,
        Type: r.pick(PICKLISTS['Campaign.Type']), Status: r.pick(PICKLISTS['Campaign.Status']), StartDate: start,
        EndDate: start + r.range(1, 60) * DAY, BudgetedCost: `${r.range(5, 500) * 1000}.00`, ActualCost: `${r.range(5, 500) * 1000}.00`,
        IsActive: r.chance(0.3), Description: description(r),
    };
}

function genOpportunity(c, i, r) {
    const stage = r.pick(PICKLISTS['Opportunity.StageName']);
    const closed = stage.startsWith('Closed');
    return {
        AccountId: { t: 'Account', i: r.int(c.n.Account) },
        Name: `${r.pick(['Поставка', 'Оснащение', 'Тендер', 'Проект'])} ${r.pick(['инструмента', 'крепежа', 'электрики', 'склада', 'сети магазинов'])} ${r.range(1, 999)}`,
        Description: description(r), StageName: stage, Amount: `${r.range(10, 5000) * 1000}.00`,
        Probability: closed ? (stage === 'Closed Won' ? 100 : 0) : r.pick([10, 20, 40, 60, 80]), CloseDate: c.soonDate(r, 180),
        Type: r.pick(['New Business', 'Existing Business']), LeadSource: r.pick(['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show', '']),
        IsClosed: closed, IsWon: stage === 'Closed Won',
        CampaignId: r.chance(0.2) ? pickAny(c, r, 'Campaign') : null, Pricebook2Id: { t: 'Pricebook2', i: r.int(2) },
    };
}

function genLineItem(c, i, r) {
    const e = r.int(c.n.PricebookEntry);
    const q = r.range(1, 200);
    const p = Math.floor(e / 2) % 2 ? Math.round(price(Math.floor(e / 2)) * 0.8) : price(Math.floor(e / 2));
    return {
        OpportunityId: { t: 'Opportunity', i: Math.floor(i / 2) % c.n.Opportunity }, SortOrder: (i % 2) + 1,
        PricebookEntryId: { t: 'PricebookEntry', i: e }, Product2Id: { t: 'Product2', i: Math.floor(e / 2) },
        Name: `Позиция ${Math.floor(e / 2) + 1}`, Quantity: q, UnitPrice: `${p}.00`, TotalPrice: `${p * q}.00`,
        ServiceDate: r.chance(0.3) ? c.soonDate(r, 90) : null, Description: '',
    };
}

function genCase(c, i, r) {
    const status = r.pick(PICKLISTS['Case.Status']);
    const closed = status === 'Closed';
    return {
        CaseNumber: String(i + 1).padStart(8, '0'), ContactId: r.chance(0.8) ? pickAny(c, r, 'Contact') : null,
        AccountId: pickAny(c, r, 'Account'), Type: r.pick(['Рекламация', 'Вопрос', 'Гарантия', 'Доставка']), Status: status,
        Reason: r.pick(['Брак', 'Недовложение', 'Консультация', 'Сроки поставки']), Origin: r.pick(PICKLISTS['Case.Origin']),
        Subject: r.pick(['Не работает шуруповёрт', 'Пришла не та позиция', 'Запрос сертификата', 'Задержка отгрузки', 'Возврат товара']),
        Priority: r.pick(PICKLISTS['Case.Priority']), Description: description(r), IsClosed: closed,
        ClosedDate: closed ? Math.min(c.soon(r, 20), c.until - 3600000) : null,
    };
}

function genEvent(c, i, r) {
    const start = c.soon(r, 30);
    const dur = r.pick([30, 60, 90, 120]);
    const allDay = r.chance(0.05);
    const acc = pickAny(c, r, 'Account');
    return {
        WhoId: r.chance(0.7) ? pickAny(c, r, 'Contact') : null,
        WhatId: r.chance(0.7) ? acc : pickAny(c, r, 'Opportunity'),
        Subject: r.pick(['Встреча', 'Визит в магазин', 'Переговоры', 'Презентация новинок', 'Звонок']), Location: r.chance(0.5) ? r.pick(PLACES)[1] : '',
        IsAllDayEvent: allDay, ActivityDateTime: allDay ? null : start, ActivityDate: start - (start % DAY),
        DurationInMinutes: allDay ? 1440 : dur, StartDateTime: start, EndDateTime: start + dur * 60000, Description: description(r),
        AccountId: acc, Type: r.pick(PICKLISTS['Event.Type']),
    };
}

function genTask(c, i, r) {
    const status = r.pick(PICKLISTS['Task.Status']);
    return {
        WhoId: r.chance(0.6) ? pickAny(c, r, 'Contact') : null, WhatId: r.chance(0.6) ? pickAny(c, r, 'Account') : pickAny(c, r, 'Opportunity'),
        Subject: r.pick(['Позвонить', 'Отправить КП', 'Согласовать договор', 'Выставить счёт', 'Напомнить об оплате']),
        ActivityDate: c.soonDate(r, 14), Status: status, Priority: r.pick(PICKLISTS['Task.Priority']), Description: description(r),
        Type: r.pick(['Call', 'Email', 'Other']), AccountId: pickAny(c, r, 'Account'), IsClosed: status === 'Completed',
    };
}

// --- formatting -----------------------------------------------------------

function pad(n, w = 2) { return String(n).padStart(w, '0'); }
function iso(t) { return new Date(t).toISOString(); }      // YYYY-MM-DDTHH:MM:SS.000Z

const BOOL = { '01': ['1', '0'], truefalse: ['true', 'false'], TRUEFALSE: ['TRUE', 'FALSE'] };

// Per-file styles: a fixed style, or (mixed) rotating through the styles
// by file so every style is in every export.
function fileStyles(format, k, seedRot) {
    const rot = (list, opt) => (opt === 'mixed' ? list[(k + seedRot) % list.length] : opt);
    return {
        bool: rot(['01', 'truefalse', 'TRUEFALSE'], format.bool),
        datetime: rot(['space', 'iso'], format.datetime),
        date: rot(['plain', 'midnight'], format.date),
    };
}

// A buffered file writer that encodes as the export asks.
class Out {
    constructor(file, encoding, bom) {
        this.fd = fs.openSync(file, 'w');
        this.enc = encoding;
        this.buf = '';
        this.bytes = 0;
        if (bom) this.raw(Buffer.from([0xef, 0xbb, 0xbf]));
    }
    raw(b) { fs.writeSync(this.fd, b); this.bytes += b.length; }
    write(s) { this.buf += s; if (this.buf.length > 1 << 20) this.flush(); }
    flush() {
        if (!this.buf) return;
        const s = this.buf;
        this.buf = '';
        this.raw(this.enc === 'cp1251' ? cp1251Encode(s) : Buffer.from(s, this.enc === 'latin1' ? 'latin1' : 'utf8'));
    }
    close() { this.flush(); fs.closeSync(this.fd); }
}

const WS_RE = /^[ \t]|[ \t]$|[ \t]{2}/;

// The ways whitespace gets in: doubled inner spaces, padding, a tab.
function dirtyWhitespace(v, r) {
    v = String(v);
    switch (r.int(4)) {
    case 0: return ` ${v}`;
    case 1: return `${v}  `;
    case 2: return v.includes(' ') ? v.replace(' ', '   ') : `${v} \t`;
    default: return `\t${v} `;
    }
}

// --- the generator --------------------------------------------------------

function newStats(o) {
    const s = {
        rows: 0, deleted: 0, live: 0, whitespaceRows: 0, multilineFields: 0, mojibakeFields: 0,
        mojibakeByKind: { cp1251: 0, latin1: 0 },
    };
    if (o.cols.some((c) => c.t === 'p')) s.phones = { total: 0, valid: 0, invalid: 0, byForm: {} };
    if (o.cols.some((c) => c.t === 'e')) s.emails = { total: 0, invalid: 0 };
    if (o.cols.some((c) => c.t === 'k')) s.picklistUnknown = Object.fromEntries(o.cols.filter((c) => c.t === 'k').map((c) => [c.name, 0]));
    s.lookups = Object.fromEntries(o.cols.filter((c) => c.t === 'r').map((c) => [c.name,
        { null: 0, nullEmpty: 0, nullAaa: 0, id15: 0, orphan: 0, toDeleted: 0, toLive: 0, toMergedAway: 0 }]));
    return s;
}

function classifyPhone(v) {
    for (const f of PHONE_FORM_NAMES) {
        const re = PHONE_RE[f];
        if (re.test(v)) return f;
    }
    return 'other';
}
const PHONE_RE = Object.fromEntries(PHONE_FORM_NAMES.map((f) => {
    const sample = PHONE_FORMS[f]('AAA', 'BBB', 'CC', 'DD');
    const re = sample.replace(/[()+.]/g, '\\$&').replace(/AAA|BBB/g, '\\d{3}').replace(/CC|DD/g, '\\d{2}');
    return [f, new RegExp(`^${re}$`)];
}));

/**
 * Write a Salesforce export into opts.dir and return its manifest (also
 * written as dir/manifest.json).
 *   scale   1 = about 600,000 rows; 0.001 = a few hundred
 *   seed    any string or number
 *   dirt    rates overriding DEFAULT_DIRT (0 switches a kind off)
 *   format  overriding DEFAULT_FORMAT
 *   delta   a previous export's directory: write the next week of the same
 *           org (seed, scale, dirt and format are taken from its manifest)
 *   deltaRates  overriding DEFAULT_DELTA (change, add, remove per week)
 *   log     a function for progress lines
 */
export function generate(opts) {
    const t0 = process.hrtime.bigint();
    let { dir, scale = 0.001, seed = 1, dirt = {}, format = {}, week = 1, deltaRates = {} } = opts;
    if (opts.delta) {
        const prev = JSON.parse(fs.readFileSync(path.join(opts.delta, 'manifest.json'), 'utf8'));
        ({ scale, seed } = prev);
        dirt = prev.dirt;
        format = { ...prev.format, ...opts.formatOverride };
        deltaRates = prev.deltaRates;
        week = prev.week + 1;
    }
    dirt = { ...DEFAULT_DIRT, ...dirt };
    format = { ...DEFAULT_FORMAT, ...format };
    deltaRates = { ...DEFAULT_DELTA, ...deltaRates };
    const oneOf = (k, list) => { if (!list.includes(format[k])) throw new Error(`${k}: ${format[k]} is not one of ${list.join(', ')}`); };
    oneOf('encoding', ['utf8', 'utf8-bom', 'cp1251', 'latin1']);
    oneOf('bool', ['mixed', '01', 'truefalse', 'TRUEFALSE']);
    oneOf('datetime', ['mixed', 'space', 'iso']);
    oneOf('date', ['mixed', 'plain', 'midnight']);
    if (typeof format.excel === 'string') format.excel = format.excel.split(',').filter(Boolean);
    for (const x of format.excel) if (!OBJECT_BY_NAME[x]) throw new Error(`excel: no object ${x}`);
    for (const [k, v] of [...Object.entries(dirt), ...Object.entries(deltaRates)]) {
        if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`rate ${k}: ${v} is not between 0 and 1`);
    }
    for (const k of Object.keys(dirt)) if (!(k in DEFAULT_DIRT)) throw new Error(`unknown kind of dirt: ${k}`);
    fs.mkdirSync(dir, { recursive: true });
    const log = opts.log || (() => {});
    const S = String(seed);
    const exportAt = EXPORT1 + (week - 1) * 7 * DAY;
    const seedRot = new Rng(`${S}|styles`).int(6);
    // picklist values as the file holds them (latin1 files: transliterated)
    const picks = Object.fromEntries(Object.entries(PICKLISTS).map(([k, v]) =>
        [k, format.encoding === 'latin1' ? v.map(translit) : v]));

    const base = counts(scale);
    // rows added by the delta weeks 2..week, per object and week
    const added = {};
    for (const o of OBJECTS) {
        added[o.name] = [];
        for (let w = 2; w <= week; w++) {
            added[o.name][w] = o.fixed ? 0 : o.per ? added[o.per[0]][w] * o.per[1] : pickCount(deltaRates.add, base[o.name]);
        }
    }
    const total = (name) => base[name] + added[name].reduce((a, b) => a + (b || 0), 0);
    // rows of each object as of week w: a row picks its lookups among the
    // rows that existed when it was written, so later weeks never move them
    const nAt = [];
    for (let w = 1; w <= week; w++) {
        nAt[w] = {};
        for (const o of OBJECTS) nAt[w][o.name] = base[o.name] + added[o.name].slice(0, w + 1).reduce((a, b) => a + (b || 0), 0);
    }

    const ctx = {
        n: {}, nDistributors: Math.max(2, Math.round(100 * scale)),
        // dates before the export of the week the row was written in
        until: EXPORT1,
        created: START,
        // a day from the row's creation to the export (LastActivityDate)
        dateSince: (r) => { const d0 = Math.floor(ctx.created / DAY); return (d0 + r.int(Math.max(1, Math.floor(ctx.until / DAY) - d0))) * DAY; },
        // a time (date) within `days` after the row's creation: meetings,
        // due dates, close dates (may lie after the export: planned)
        soon: (r, days) => ctx.created + 60000 * r.int(days * 1440),
        soonDate: (r, days) => (Math.floor(ctx.created / DAY) + r.int(days)) * DAY,
    };
    const final = {};     // per object: {deleted: Uint8Array, mergedAway: Set}
    const manifest = {
        generator: 'kedr tools/sfgen/sfgen.mjs 1', doc: 'README.md: Migrating from Salesforce -- sample exports', seed: S, scale, week, exportedAt: new Date(exportAt).toISOString(),
        dirt, format, deltaRates, picklists: picks, objects: {}, files: {}, delta: null,
    };
    const deltaInfo = {};
    let allRows = 0;

    OBJECTS.forEach((o, k) => {
        const nBase = base[o.name], nAll = total(o.name);
        const styles = fileStyles(format, k, seedRot);
        const excel = format.excel.includes(o.name);
        if (excel) styles.bool = 'TRUEFALSE';
        const eol = excel || format.crlf ? '\r\n' : '\n';
        const bom = format.encoding === 'utf8-bom' || (excel && format.encoding === 'utf8');
        const fileName = `${o.name}.csv`;
        const out = new Out(path.join(dir, fileName), format.encoding, bom);
        // Salesforce quotes every value; Excel only those with a quote,
        // a comma, a line break or edge spaces
        const quote = excel
            ? (s) => (/[",\r\n]|^[ \t]|[ \t]$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
            : (s) => `"${s.includes('"') ? s.replace(/"/g, '""') : s}"`;
        out.write(o.header.map(quote).join(','));
        const st = newStats(o);
        const deleted = new Uint8Array(nAll);
        final[o.name] = { deleted, mergedAway: new Set() };   // self-references point back only
        const dInfo = { changed: [], touched: [], added: [], deleted: [] };
        // week 1: exactly pickCount(rate, rows) deleted rows, then each
        // other kind on exactly pickCount(rate, live rows) live rows; a kind
        // a row cannot take (a duplicate of a distributor, a bad INN on a
        // duplicate, mojibake of an ASCII value) passes to the next row
        const canDelete = !o.noDelete && !o.fixed;
        const kDeleted = canDelete ? pickCount(dirt.deleted, nBase) : 0;
        const samplers = { deleted: new Sampler(new Rng(`${S}|${o.name}|dirt|deleted`), kDeleted, nBase) };
        for (const kind of DIRT_KINDS) {
            samplers[kind] = new Sampler(new Rng(`${S}|${o.name}|dirt|${kind}`), pickCount(dirt[kind], nBase - kDeleted), nBase - kDeleted);
        }
        const pending = Object.fromEntries(DIRT_KINDS.map((k) => [k, 0]));
        const dupSources = [];                // accounts another may copy
        const dupKeys = new Map();            // INN/KPP -> live rows
        let distributors = 0;                 // live accounts of type Distributor
        const lastRow = nAll - 1;

        for (let i = 0; i < nAll; i++) {
            const isNew = i >= nBase;
            let bornWeek = 1;
            if (isNew) {
                let acc = nBase;
                for (let w = 2; w <= week; w++) { acc += added[o.name][w]; if (i < acc) { bornWeek = w; break; } }
            }
            const r = new Rng(`${S}|${o.name}|${i}`);
            // created first (ids grow with time, as Salesforce's do), so
            // that a row's own dates can follow it
            const tr = new Rng(`${S}|${o.name}|${i}|t`);
            const created = isNew
                ? EXPORT1 + (bornWeek - 2) * 7 * DAY + 1000 * tr.int(7 * 86400 - 600)
                : START + Math.floor(((i + tr.next()) / nBase) * (EXPORT1 - DAY - START) / 1000) * 1000;
            ctx.n = nAt[bornWeek];
            ctx.until = EXPORT1 + (bornWeek - 1) * 7 * DAY;
            ctx.created = created;
            const row = o.gen(ctx, i, r);
            const horizon = isNew ? EXPORT1 + (bornWeek - 1) * 7 * DAY : EXPORT1;
            row.Id = cachedId(o.name, i);
            row.CreatedDate = created;
            row.LastModifiedDate = created + Math.floor(r.next() * r.next() * (horizon - 300000 - created) / 1000) * 1000;
            row.SystemModstamp = row.LastModifiedDate + 1000 * r.int(120);
            if (!('OwnerId' in row) && o.header.includes('OwnerId')) row.OwnerId = pickUser(ctx, r);
            if (!row.CreatedById) row.CreatedById = pickUser(ctx, r);
            if (!row.LastModifiedById) row.LastModifiedById = pickUser(ctx, r);
            row.IsDeleted = false;

            // dirt: exact counts over the first week's rows, the rates as
            // chances for rows the later weeks add
            const dr = new Rng(`${S}|${o.name}|${i}|dirt`);
            const has = (kind) => (isNew ? dr.chance(dirt[kind]) : samplers[kind].take());
            const D = {};
            if (canDelete && has('deleted')) row.IsDeleted = true;
            for (const kind of DIRT_KINDS) {
                D[kind] = false;
                if (row.IsDeleted) continue;
                if (has(kind)) D[kind] = true;
                else if (pending[kind] > 0) { pending[kind]--; D[kind] = true; }
            }
            const df = o.dirt;
            if (o.name === 'Account') {
                if (!row.IsDeleted) applyAccountDirt(row, D, dr, i < ctx.nDistributors, dupSources, pending);
            }
            if (o.name === 'Contact' || o.name === 'Store__c') {
                const f = o.name === 'Contact' ? 'AccountId' : 'Account__c';
                if (D.orphan) row[f] = { t: 'Account', orphan: 1e7 + i };
                if (D.orphan && D.nullLookup) pending.nullLookup++;
                else if (o.name === 'Contact' && D.nullLookup) row[f] = null;
            }
            if (df.badPhone && D.badPhone) {
                const f = dr.pick(df.badPhone);
                row[f] = dr.pick(BAD_PHONE_FORMS)(...phoneParts(dr, '495'));
            }
            if (df.badEmail && D.badEmail) {
                const f = df.badEmail[0];
                const u = `${latin(dr.pick(SURNAMES))}`;
                row[f] = dr.pick([`${u}@mail`, `${u}.mail.ru`, `${u}@@mail.ru`, `${u} @mail.ru`, `${u}@mail.ru;${u}2@mail.ru`]);
            }
            if (df.picklist && D.picklist) row[dr.pick(df.picklist)] = dr.pick(UNKNOWN_PICK);
            if (df.multiline && D.multiline) row[df.multiline[0]] = multiline(dr);
            if (df.whitespace && D.whitespace) {
                const f = dr.pick(df.whitespace);
                if (row[f] !== '' && row[f] != null) row[f] = dirtyWhitespace(row[f], dr);
            }
            const mojiField = df.mojibake && D.mojibake ? df.mojibake : null;

            // the later weeks: changes, deletions (rows of the week they were added on)
            for (let w = Math.max(2, bornWeek + 1); w <= week; w++) {
                if (row.IsDeleted) break;
                const wr = new Rng(`${S}|${o.name}|${i}|week${w}`);
                ctx.n = nAt[w];
                ctx.until = EXPORT1 + (w - 1) * 7 * DAY;
                const p = wr.next();
                const at = EXPORT1 + (w - 2) * 7 * DAY + 1000 * wr.int(7 * 86400 - 600);
                if (!o.noDelete && !o.fixed && p < deltaRates.remove) {
                    row.IsDeleted = true;
                    row.LastModifiedDate = at;
                    row.SystemModstamp = at;
                    if (w === week) dInfo.deleted.push(row.Id);
                } else if (p < deltaRates.remove + deltaRates.change) {
                    const alt = o.gen(ctx, i, wr);
                    const n = 1 + wr.int(2);
                    for (let m = 0; m < n; m++) { const f = wr.pick(o.mutable); row[f] = alt[f]; }
                    row.LastModifiedDate = at;
                    row.SystemModstamp = at + 1000 * wr.int(60);
                    row.LastModifiedById = pickUser(ctx, wr);
                    if (w === week) dInfo.changed.push(row.Id);
                } else if (p < deltaRates.remove + deltaRates.change + deltaRates.touch) {
                    row.SystemModstamp = Math.max(at, row.SystemModstamp + 1000);
                    if (w === week) dInfo.touched.push(row.Id);
                }
            }
            if (isNew && bornWeek === week) dInfo.added.push(row.Id);
            deleted[i] = row.IsDeleted ? 1 : 0;

            // format and count
            const fr = new Rng(`${S}|${o.name}|${i}|fmt`);
            const live = !row.IsDeleted;
            st.rows++;
            if (live) st.live++; else st.deleted++;
            let mojiDone = false;
            let wsRow = false;
            let line = '';
            for (let ci = 0; ci < o.cols.length; ci++) {
                const col = o.cols[ci];
                let v = row[col.name];
                let s;
                switch (col.t) {
                case 'b': s = v == null ? '' : BOOL[styles.bool][v ? 0 : 1]; break;
                case 't': s = v == null ? '' : styles.datetime === 'iso' ? iso(v) : `${iso(v).slice(0, 10)} ${iso(v).slice(11, 19)}`; break;
                case 'd': s = v == null ? '' : styles.date === 'midnight' ? `${iso(v).slice(0, 10)} 00:00:00` : iso(v).slice(0, 10); break;
                case 'r': s = fmtRef(v, fr, dirt, live ? st.lookups[col.name] : null, final); break;
                default: s = v == null ? '' : String(v);
                }
                if (col.t !== 'r' && col.t !== 'b' && col.t !== 't' && col.t !== 'd') {
                    if (format.encoding === 'latin1') s = translit(s);
                    if (mojiField && !mojiDone && mojiField.includes(col.name) && s !== '') {
                        const m = mojify(s, format.encoding, fr);
                        if (m) { s = m.text; mojiDone = true; if (live) { st.mojibakeFields++; st.mojibakeByKind[m.kind]++; } }
                    }
                    if (live) {
                        if (!wsRow && WS_RE.test(s)) wsRow = true;
                        if (s.includes('\n')) st.multilineFields++;
                        if (s !== '' && col.t === 'p') {
                            st.phones.total++;
                            if (phoneE164(s)) { st.phones.valid++; const f = classifyPhone(s); st.phones.byForm[f] = (st.phones.byForm[f] || 0) + 1; }
                            else st.phones.invalid++;
                        } else if (s !== '' && col.t === 'e') {
                            st.emails.total++;
                            if (!emailValid(s)) st.emails.invalid++;
                        } else if (s !== '' && col.t === 'k' && !picks[`${o.name}.${col.name}`].includes(s)) {
                            st.picklistUnknown[col.name]++;
                        }
                    }
                }
                line += (ci ? ',' : '') + quote(s);
            }
            if (mojiField && !mojiDone) pending.mojibake++;
            if (live && wsRow) st.whitespaceRows++;
            if (live && o.name === 'Account') {
                const key = `${row.INN__c}/${row.KPP__c}`;
                if (row.INN__c) {
                    const g = dupKeys.get(key);
                    const rec = { i, id: row.Id, lmd: row.LastModifiedDate, sms: row.SystemModstamp };
                    if (g) g.push(rec); else dupKeys.set(key, [rec]);
                }
                st.inn = st.inn || { total: 0, invalid: 0 };
                st.kpp = st.kpp || { total: 0, invalid: 0 };
                if (row.INN__c) { st.inn.total++; if (!innValid(row.INN__c)) st.inn.invalid++; }
                if (row.Type === 'Distributor') distributors++;
                if (row.KPP__c) { st.kpp.total++; if (!kppValid(row.KPP__c)) st.kpp.invalid++; }
            }
            out.write(eol + line);
            if (i === lastRow && format.noFinalNewline !== o.name) out.write(eol);
        }
        if (nAll === 0 && format.noFinalNewline !== o.name) out.write(eol);
        out.close();
        allRows += nAll;

        if (o.name === 'Account') {
            let groups = 0, rowsInGroups = 0, merged = 0;
            for (const g of dupKeys.values()) {
                if (g.length < 2) continue;
                groups++;
                rowsInGroups += g.length;
                merged += g.length - 1;
                g.sort((a, b) => b.lmd - a.lmd || b.sms - a.sms || (a.id < b.id ? 1 : -1));
                for (const x of g.slice(1)) final.Account.mergedAway.add(x.i);
            }
            st.duplicates = { groups, rowsInGroups, mergedAway: merged };
            st.liveAfterMerge = st.live - merged;
            st.distributors = distributors;
        }
        // self-references cannot know the merges while the file is written
        for (const f of SELF_REFS[o.name] || []) delete st.lookups[f].toMergedAway;
        manifest.objects[o.name] = st;
        manifest.files[fileName] = {
            object: o.name, rows: nAll, bytes: out.bytes, encoding: format.encoding,
            bom, lineEnd: eol === '\r\n' ? 'CRLF' : 'LF', quoting: excel ? 'minimal' : 'all', excel,
            finalNewline: format.noFinalNewline !== o.name, bool: styles.bool, datetime: styles.datetime,
            date: styles.date, header: o.header,
        };
        if (week > 1) deltaInfo[o.name] = { changed: dInfo.changed.length, touched: dInfo.touched.length, added: dInfo.added.length, deleted: dInfo.deleted.length, ids: dInfo };
        log(`${fileName}: ${nAll} rows`);
    });

    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    manifest.totalRows = allRows;
    // what a correct import leaves, in short (all derived from objects.*)
    const O = manifest.objects;
    const att = (l) => ({ attached: l.toLive, toMergedAway: l.toMergedAway, toDeletedAccount: l.toDeleted, orphans: l.orphan, withoutAccount: l.null });
    manifest.cleaned = {
        accounts: { live: O.Account.live, mergedAway: O.Account.duplicates.mergedAway, afterMerge: O.Account.liveAfterMerge, badInn: O.Account.inn.invalid, badKpp: O.Account.kpp.invalid },
        contacts: { live: O.Contact.live, ...att(O.Contact.lookups.AccountId) },
        stores: { live: O.Store__c.live, ...att(O.Store__c.lookups.Account__c) },
    };
    if (week > 1) manifest.delta = { previousWeek: week - 1, objects: deltaInfo };
    for (const k of Object.keys(idCache)) delete idCache[k];
    if (format.zip) manifest.zip = zipExport(dir, Object.keys(manifest.files), S);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    manifest.seconds = secs;
    manifest.rowsPerSecond = Math.round(allRows / secs);
    return manifest;
}

// Lookups to rows of their own file (always to an earlier row).
const SELF_REFS = {
    User: ['ManagerId'], Account: ['ParentId', 'MasterRecordId'], Contact: ['ReportsToId', 'MasterRecordId'],
    Campaign: ['ParentId'],
};

const idCache = {};
function cachedId(t, i) {
    const c = idCache[t] || (idCache[t] = []);
    return c[i] || (c[i] = makeId(OBJECT_BY_NAME[t].prefix, i));
}

function fmtRef(v, fr, dirt, s, final) {
    const aaa = fr.next() < dirt.nullAaa;      // drawn for every lookup: stable bytes
    const short = fr.next() < dirt.id15;
    if (v == null) {
        if (s) { s.null++; if (aaa) s.nullAaa++; else s.nullEmpty++; }
        return aaa ? NULL_ID : '';
    }
    const id = v.orphan != null ? makeId(OBJECT_BY_NAME[v.t].prefix, v.orphan) : cachedId(v.t, v.i);
    if (s) {
        if (short) s.id15++;
        if (v.orphan != null) s.orphan++;
        else if (final[v.t].deleted[v.i]) s.toDeleted++;
        else { s.toLive++; if (final[v.t].mergedAway.has(v.i)) s.toMergedAway++; }
    }
    return short ? id.slice(0, 15) : id;
}

const DIRT_KINDS = ['whitespace', 'badPhone', 'badEmail', 'badInn', 'badKpp', 'duplicate', 'orphan',
    'nullLookup', 'picklist', 'multiline', 'mojibake'];

function applyAccountDirt(row, D, dr, distributor, dupSources, pending) {
    if (D.duplicate && (distributor || !dupSources.length)) { D.duplicate = false; pending.duplicate++; }
    if (D.duplicate) {
        if (D.badInn) { D.badInn = false; pending.badInn++; }
        if (D.badKpp) { D.badKpp = false; pending.badKpp++; }
        const src = dupSources[dr.int(dupSources.length)];
        row.INN__c = src.inn;
        row.KPP__c = src.kpp;
        row.OGRN__c = src.ogrn;
        // the same company typed again: other quotes, case or nothing changed
        row.Name = dr.pick([src.name, src.name.replace(/[«»]/g, '"'), src.name.toUpperCase(), src.name.replace('ООО', 'Общество с ограниченной ответственностью')]);
        row.Type = 'Customer';
        row.Is_Distributor__c = false;
        return;
    }
    if (D.badInn) {
        const s = row.INN__c;
        const last = (Number(s[s.length - 1]) + 1 + dr.int(8)) % 10;
        row.INN__c = s.slice(0, -1) + last;
    }
    if (D.badKpp) {
        // a sole proprietor (no KPP) gets one, of 8 digits
        const k = row.KPP__c || `${row.INN__c.slice(0, 4)}01001`;
        row.KPP__c = row.KPP__c ? dr.pick([k.slice(0, 8), `${k}0`, k.replace(/0/g, 'О')]) : k.slice(0, 8);
    }
    if (!D.badInn && !D.badKpp) dupSources.push({ inn: row.INN__c, kpp: row.KPP__c, ogrn: row.OGRN__c, name: row.Name });
}

// The field as mojibake, when the file's encoding can hold the result:
// cp1251 kind (not for latin1 files), latin1 kind (not for cp1251 files).
// A result with U+0098 (cp1251 has no character at 0x98) is not used.
function mojify(s, encoding, fr) {
    const kinds = encoding === 'cp1251' ? ['cp1251'] : encoding === 'latin1' ? ['latin1'] : fr.chance(0.5) ? ['cp1251', 'latin1'] : ['latin1', 'cp1251'];
    if (!/[^\u0000-\u007f]/.test(s)) return null;
    for (const kind of kinds) {
        const t = mojibake(s, kind);
        if (kind === 'cp1251' && t.includes('\u0098')) continue;
        if (encoding === 'cp1251' && !cp1251Can(t)) continue;
        return { kind, text: t };
    }
    return null;
}

// CRC-32 of the ZIP format: zlib's own where node has it (20.15+), else a
// table (Debian 12's node 18).
let crcTable = null;
function crc32(buf) {
    if (zlib.crc32) return zlib.crc32(buf);
    if (!crcTable) {
        crcTable = new Int32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            crcTable[n] = c;
        }
    }
    let c = -1;
    for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
}

// A ZIP of the export's CSVs, named as Salesforce names its weekly export
// files (WE_<org id>_1.ZIP); deflated, with a fixed timestamp so the bytes
// are reproducible.  The CSVs stay beside it.
function zipExport(dir, files, seed) {
    const name = `WE_00D5I000000${makeId('00D', new Rng(`${seed}|org`).int(1e6)).slice(-8, -3)}_1.ZIP`;
    const parts = [], central = [];
    let off = 0;
    const DOS_TIME = 0x1800, DOS_DATE = ((2026 - 1980) << 9) | (11 << 5) | 20;
    for (const f of files) {
        const data = fs.readFileSync(path.join(dir, f));
        const comp = zlib.deflateRawSync(data, { level: 6 });
        const crc = crc32(data);
        const nameB = Buffer.from(f);
        const h = Buffer.alloc(30);
        h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0x0800, 6); h.writeUInt16LE(8, 8);
        h.writeUInt16LE(DOS_TIME, 10); h.writeUInt16LE(DOS_DATE, 12); h.writeUInt32LE(crc, 14);
        h.writeUInt32LE(comp.length, 18); h.writeUInt32LE(data.length, 22); h.writeUInt16LE(nameB.length, 26);
        const c = Buffer.alloc(46);
        c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x0800, 8);
        c.writeUInt16LE(8, 10); c.writeUInt16LE(DOS_TIME, 12); c.writeUInt16LE(DOS_DATE, 14); c.writeUInt32LE(crc, 16);
        c.writeUInt32LE(comp.length, 20); c.writeUInt32LE(data.length, 24); c.writeUInt16LE(nameB.length, 28);
        c.writeUInt32LE(off, 42);
        parts.push(h, nameB, comp);
        central.push(c, nameB);
        off += 30 + nameB.length + comp.length;
    }
    const cd = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
    fs.writeFileSync(path.join(dir, name), Buffer.concat([...parts, cd, end]));
    return name;
}
