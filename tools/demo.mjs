// tools/demo.mjs -- demo data for `make run`, loaded once through the API
// (so it is validated, audited and versioned like anything a user enters).
//
//   node tools/demo.mjs DIR      DIR: the stack's directory (var for make run)
//
// Logs in as admin with DIR/admin-password and creates a small catalog
// (brand, series, groups, products with prices) and a client base
// (distributors, end customers with valid requisites, contacts), then
// writes DIR/demo-loaded so a second `make run` leaves the data alone.
// Modules that are not enabled are skipped.

import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node tools/demo.mjs DIR');
    process.exit(2);
}
const marker = path.join(dir, 'demo-loaded');
if (fs.existsSync(marker)) process.exit(0);

const env = Object.fromEntries(fs.readFileSync(path.join(dir, 'run/stack.env'), 'utf8')
    .split('\n').map((l) => l.match(/^([A-Z_]+)=(.*)$/)).filter(Boolean)
    .map(([, k, v]) => [k, v.replace(/^'(.*)'$/, '$1')]));
const base = `http://127.0.0.1:${env.PORT}`;
const password = fs.readFileSync(path.join(dir, 'admin-password'), 'utf8').trim();

let cookie = '';
let csrf = '';

async function call(method, url, body) {
    const res = await fetch(base + '/api/v1' + url, {
        method,
        headers: {
            'Content-Type': 'application/json',
            ...(cookie ? { Cookie: cookie } : {}),
            ...(csrf && method !== 'GET' ? { 'X-CSRF-Token': csrf } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return { res, json };
}

// A valid 10-digit INN from 9 digits (the official check digit).
function inn10(nine) {
    const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const d = [...nine].map(Number);
    const c = (d.reduce((s, x, i) => s + x * w[i], 0) % 11) % 10;
    return nine + c;
}

const login = await call('POST', '/session', { login: 'admin', password });
cookie = login.res.headers.get('set-cookie').split(';')[0];
csrf = login.json.csrf_token;
const enabled = new Set(login.json.modules.map((m) => m.name));

if (enabled.has('catalog')) {
    const brand = (await call('POST', '/catalog/groups', { name: 'Кедр Электро', code: 'KEDR' })).json;
    const series = (await call('POST', '/catalog/groups', { name: 'Этюд', code: 'ETUD', parent_id: brand.id })).json;
    const groups = {};
    for (const [code, name] of [['ETUD-SOCK', 'Розетки'], ['ETUD-SW', 'Выключатели'], ['ETUD-FR', 'Рамки']]) {
        groups[code] = (await call('POST', '/catalog/groups', { name, code, parent_id: series.id })).json;
    }
    const products = [
        ['ET-1001', 'Розетка с заземлением, белая', 'ETUD-SOCK', '245.00'],
        ['ET-1002', 'Розетка с заземлением и шторками, белая', 'ETUD-SOCK', '289.00'],
        ['ET-1003', 'Розетка USB A+C, белая', 'ETUD-SOCK', '1490.00'],
        ['ET-2001', 'Выключатель одноклавишный, белый', 'ETUD-SW', '198.00'],
        ['ET-2002', 'Выключатель двухклавишный, белый', 'ETUD-SW', '254.00'],
        ['ET-2003', 'Выключатель проходной, белый', 'ETUD-SW', '312.00'],
        ['ET-3001', 'Рамка одноместная, белая', 'ETUD-FR', '89.00'],
        ['ET-3002', 'Рамка двухместная, белая', 'ETUD-FR', '156.00'],
    ];
    for (const [sku, name, group, amount] of products) {
        const p = (await call('POST', '/catalog/products', {
            sku, name, group_id: groups[group].id, unit: 'шт', attributes: { цвет: 'белый' },
        })).json;
        await call('POST', `/catalog/products/${p.id}/prices`, { type: 'base', amount, valid_from: '2026-01-01' });
    }
}

if (enabled.has('clients')) {
    const distributors = [];
    for (const [i, name, region] of [[1, 'ЭлектроОпт', 'Москва'], [2, 'Сибирь-Электро', 'Новосибирск'],
        [3, 'Волга Свет', 'Самара']]) {
        distributors.push((await call('POST', '/clients/counterparties', {
            kind: 'distributor', name, legal_name: `ООО «${name}»`, inn: inn10(`77${String(i).padStart(2, '0')}12345`),
            kpp: '770101001', region, status: 'active', abc: 'A',
        })).json);
    }
    const customers = [
        ['Строймаркет «Дом»', 'retail_chain', 'Москва'], ['Монтаж-Сервис', 'installer', 'Москва'],
        ['Проектный институт «Энергопроект»', 'design_institute', 'Самара'],
        ['ГК «Новые кварталы»', 'developer', 'Новосибирск'], ['Электрика у дома', 'end_customer', 'Самара'],
    ];
    for (const [k, [name, kind, region]] of customers.entries()) {
        const c = (await call('POST', '/clients/counterparties', {
            kind, name, legal_name: `ООО «${name.replace(/[«»]/g, '')}»`, inn: inn10(`50${k}${k}123456`.slice(0, 9)),
            region, status: k % 2 ? 'prospect' : 'active', abc: 'B',
        })).json;
        const dist = distributors[k % distributors.length];
        await call('PUT', `/clients/counterparties/${c.id}/distributors`, [{ distributor_id: dist.id, main: true }]);
        const head = (await call('POST', '/clients/contacts', {
            last_name: ['Иванов', 'Петрова', 'Сидоров', 'Кузнецова', 'Смирнов'][k], first_name: 'Алексей',
            phones: [`8 (495) 123-45-${String(60 + k)}`], links: [{ counterparty_id: c.id, position: 'Директор' }],
        })).json;
        await call('POST', '/clients/contacts', {
            last_name: 'Морозова', first_name: 'Ольга', reports_to: head.id,
            phones: [`+7 912 345-67-${String(10 + k)}`], links: [{ counterparty_id: c.id, position: 'Закупщик' }],
        });
    }
}

fs.writeFileSync(marker, new Date().toISOString() + '\n');
console.log(`demo data loaded (${[...enabled].filter((m) => ['catalog', 'clients'].includes(m)).join(', ') || 'no demo modules'})`);
