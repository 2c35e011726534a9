// bench/day.mjs -- an open-model load of a working day: USERS people who
// log in once and then move through the clients and catalog screens with
// think times, at RATE requests per second on average.  Run by
// bench/day.sh, which sets up the stack, the data and the users; alone:
//
//   node bench/day.mjs --base URL --password PW [--users 150]
//        [--rate 35] [--seconds 60] [--login-prefix day] [--editors N]
//        [--skip route,route]
//
// Open model: every user's next action is scheduled at the *scheduled*
// time of their previous one plus an exponential think time, whatever
// the server did meanwhile, so the arrivals are a Poisson process of the
// set rate (the sum of 150 independent exponential streams), and a slow
// answer never slows the arrivals down.  Each request's latency runs
// from its scheduled time to its last byte: time spent queueing behind
// the generator or the server counts (no coordinated omission).  An
// action is one screen event and may send several requests at once (a
// card asks for the record, its related records and its contacts).
//
// Prints one line per route: count, p50, p99, max (ms), errors; then a
// JSON line with the same figures for the caller.

import http from 'node:http';

// ---------------------------------------------------------------------
// The mix: one table, adjust it here.  `entity` is looked up with
// GET /api/v1/meta/<entity> when the kit serves it (path, sorts, search);
// `path` is the fallback for an entity that is not on the kit yet.
// Each action has a weight (its share of actions) and the requests it
// sends; {id} is one of the records this user has seen in a list, {q}
// a search word of the entity, {next} the list's next-page cursor.
// ---------------------------------------------------------------------
const ENTITIES = {
    counterparty: {
        entity: 'clients.counterparty',
        path: '/api/v1/clients/counterparties',
        q: ['строй', 'техно', 'энерго', 'снаб', 'монтаж', 'кабель', 'свет', 'маркет',
            'ооо энергоснаб', 'сервис альфа'],
        edit: (rec, n) => ({ segment: `day-${n % 7}` }),
    },
    contact: {
        entity: 'clients.contact',
        path: '/api/v1/clients/contacts',
        q: ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Петров', 'Соколов', 'Сергей', 'Ольга'],
        edit: (rec, n) => ({ decision_role: n % 2 ? 'user' : 'influencer' }),
    },
    outlet: {
        entity: 'clients.outlet',
        path: '/api/v1/clients/outlets',
        q: ['магазин', 'Москва', 'центр', 'Казань'],
        edit: (rec, n) => ({ area: 50 + (n % 400) }),
    },
    product: {
        entity: 'catalog.product',
        path: '/api/v1/catalog/products',
        q: ['кабель', 'лампа', 'провод', 'щит', 'автомат'],
        edit: null,
    },
    group: { entity: 'catalog.product_group', path: '/api/v1/catalog/groups', q: [], edit: null },
    price_type: { entity: 'catalog.price_type', path: '/api/v1/catalog/price-types', q: [], edit: null },
};

// weight: actions per 1,000; reqs: [route name, entity, kind]
// kinds: list, next, search, get, sub:<suffix>, edit, export, meta, session
const ACTIONS = [
    { weight: 150, reqs: [['cp.list', 'counterparty', 'list']] },
    { weight: 40, reqs: [['cp.next', 'counterparty', 'next']] },
    { weight: 110, reqs: [['cp.search', 'counterparty', 'search']] },
    { weight: 40, reqs: [['cp.search_inn', 'counterparty', 'search_inn']] },
    {
        weight: 120, reqs: [
            ['cp.get', 'counterparty', 'get'],
            ['cp.related', 'counterparty', 'sub:/related'],
            ['cp.contacts_tree', 'counterparty', 'sub:/contacts/tree'],
        ],
    },
    { weight: 30, reqs: [['cp.edit', 'counterparty', 'edit']] },
    { weight: 4, reqs: [['cp.export', 'counterparty', 'export']] },
    { weight: 70, reqs: [['contact.list', 'contact', 'list']] },
    { weight: 50, reqs: [['contact.search', 'contact', 'search']] },
    { weight: 60, reqs: [['contact.get', 'contact', 'get']] },
    { weight: 15, reqs: [['contact.edit', 'contact', 'edit']] },
    { weight: 3, reqs: [['contact.export', 'contact', 'export']] },
    { weight: 60, reqs: [['outlet.list', 'outlet', 'list']] },
    { weight: 20, reqs: [['outlet.search', 'outlet', 'search']] },
    {
        weight: 40, reqs: [
            ['outlet.get', 'outlet', 'get'],
            ['outlet.distributors', 'outlet', 'sub:/distributors'],
        ],
    },
    { weight: 10, reqs: [['outlet.edit', 'outlet', 'edit']] },
    { weight: 3, reqs: [['outlet.export', 'outlet', 'export']] },
    { weight: 50, reqs: [['product.list', 'product', 'list'], ['group.list', 'group', 'list']] },
    { weight: 35, reqs: [['product.search', 'product', 'search']] },
    {
        weight: 30, reqs: [
            ['product.get', 'product', 'get'],
            ['product.prices', 'product', 'sub:/prices'],
        ],
    },
    { weight: 10, reqs: [['price_type.list', 'price_type', 'list']] },
    { weight: 30, reqs: [['session', null, 'session']] },
    { weight: 20, reqs: [['meta', 'counterparty', 'meta']] },
];

// ---------------------------------------------------------------------

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => {
    if (v.startsWith('--')) a.push([v.slice(2), all[i + 1]]);
    return a;
}, []));
const BASE = new URL(args.base || process.env.KEDR_URL || 'http://127.0.0.1:8080');
const USERS = Number(args.users || 150);
const RATE = Number(args.rate || 35);
const SECONDS = Number(args.seconds || 60);
const PASSWORD = args.password;
const PREFIX = args['login-prefix'] || 'day';
const EDITORS = Number(args.editors ?? USERS); // users 1..EDITORS may write
// routes left out of the mix (comma-separated names), with every action
// that sends one of them
const SKIP = new Set((args.skip || '').split(',').filter(Boolean));
for (let i = ACTIONS.length - 1; i >= 0; i--) {
    if (ACTIONS[i].reqs.some(([route]) => SKIP.has(route))) ACTIONS.splice(i, 1);
}
if (!PASSWORD) {
    console.error('usage: node bench/day.mjs --base URL --password PW [--users N] [--rate R] [--seconds S]');
    process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

// one HTTP request: {status, body (text), ms}
function request(method, path, { cookie, csrf, body } = {}) {
    return new Promise((resolve) => {
        const headers = { accept: 'application/json' };
        let data;
        if (cookie) headers.cookie = cookie;
        if (csrf) headers['x-csrf-token'] = csrf;
        if (body !== undefined) {
            data = Buffer.from(JSON.stringify(body));
            headers['content-type'] = 'application/json';
            headers['content-length'] = data.length;
        }
        const req = http.request({
            agent, host: BASE.hostname, port: BASE.port, method, path, headers,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({
                status: res.statusCode,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
            }));
            res.on('error', (e) => resolve({ status: 0, body: String(e) }));
        });
        req.on('error', (e) => resolve({ status: 0, body: String(e) }));
        if (data) req.write(data);
        req.end();
    });
}

const json = (t) => { try { return JSON.parse(t); } catch { return null; } };
const items = (doc) => (Array.isArray(doc) ? doc : doc && (doc.items || doc.data || doc.rows)) || [];
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const expo = (mean) => -Math.log(1 - Math.random()) * mean;

// what the meta endpoint says of each entity, when it answers
async function readMeta(cookie) {
    for (const e of Object.values(ENTITIES)) {
        const res = await request('GET', `/api/v1/meta/${e.entity}`, { cookie });
        const m = res.status === 200 ? json(res.body) : null;
        e.meta = m;
        if (m && m.path) e.path = m.path;
        e.search = m ? m.search : e.q.length > 0;
        e.sorts = m && Array.isArray(m.sorts) ? m.sorts : [];
    }
}

// list query of an entity: the default order, or (a third of the time)
// one of its declared sorts, written the one-protocol way
function listQuery(e) {
    const p = new URLSearchParams({ limit: '50' });
    if (e.sorts.length > 0 && Math.random() < 0.33) {
        const s = pick(e.sorts);
        p.set('sort', Math.random() < 0.5 ? s : `-${s}`);
    }
    return p;
}

async function login(n) {
    const login = `${PREFIX}${String(n).padStart(3, '0')}`;
    const res = await request('POST', '/api/v1/session', { body: { login, password: PASSWORD } });
    const set = [].concat(res.headers?.['set-cookie'] || []);
    const m = set.map((c) => /^kedr_session=([^;]*)/.exec(c)).find(Boolean);
    const doc = json(res.body);
    if (res.status !== 200 && res.status !== 201 || !m) {
        throw new Error(`login ${login}: ${res.status} ${res.body.slice(0, 200)}`);
    }
    return {
        login, cookie: `kedr_session=${m[1]}`, csrf: doc && doc.csrf_token, seen: {}, next: {}, n: 0,
        editor: n <= EDITORS,
    };
}

const stats = new Map(); // route -> {lat: [], errors, codes: {}}
function record(route, ms, status, body) {
    let s = stats.get(route);
    if (!s) stats.set(route, (s = { lat: [], errors: 0, codes: {} }));
    s.lat.push(ms);
    if (status < 200 || status >= 300) {
        s.errors++;
        s.codes[status] = (s.codes[status] || 0) + 1;
        if (s.errors <= 2) console.error(`${route}: ${status} ${String(body).slice(0, 160)}`);
    }
}

function remember(u, key, res, list = false) {
    const doc = json(res.body);
    const ids = items(doc).map((x) => x && x.id).filter((x) => x != null);
    if (ids.length > 0) {
        const seen = (u.seen[key] ||= []);
        for (const id of ids) if (seen.length < 400) seen.push(id);
    }
    if (list && doc && doc.next) u.next[key] = doc.next; // the default order's cursor
}

// the requests of one action for user u: [route, method, path, body?, after(res)]
async function plan(u, key, kind) {
    const e = key ? ENTITIES[key] : null;
    const id = e && u.seen[key] && u.seen[key].length ? pick(u.seen[key]) : null;
    switch (kind) {
    case 'list': {
        const p = listQuery(e);
        return ['GET', `${e.path}?${p}`, undefined, (r) => remember(u, key, r, !p.has('sort'))];
    }
    case 'next': {
        const p = listQuery(e);
        p.delete('sort');
        // every list speaks keyset now (clients' contacts were the last
        // on offset): without a cursor yet, the first page
        if (u.next[key]) p.set('after', u.next[key]);
        return ['GET', `${e.path}?${p}`, undefined, (r) => remember(u, key, r, true)];
    }
    case 'search': {
        const p = listQuery(e);
        p.set('q', pick(e.q));
        return ['GET', `${e.path}?${p}`, undefined, (r) => remember(u, key, r)];
    }
    case 'search_inn': {
        const p = new URLSearchParams({ limit: '50', q: String(1000000000 + 7919 * (1 + Math.floor(Math.random() * 65000))) });
        return ['GET', `${e.path}?${p}`, undefined, (r) => remember(u, key, r)];
    }
    case 'get': return id == null ? null : ['GET', `${e.path}/${id}`];
    case 'export': return ['GET', `${e.path}/export`]; // CSV, the user's own scope
    case 'meta': {
        // a screen built from the declaration: an entity the kit serves
        const served = Object.values(ENTITIES).filter((x) => x.meta);
        return served.length ? ['GET', `/api/v1/meta/${pick(served).entity}`] : null;
    }
    case 'session': return ['GET', '/api/v1/session'];
    case 'edit':
        if (id == null) return null;
        return u.editor ? ['EDIT', `${e.path}/${id}`] : ['GET', `${e.path}/${id}`];
    default:
        if (kind.startsWith('sub:')) return id == null ? null : ['GET', `${e.path}/${id}${kind.slice(4)}`];
        return null;
    }
}

// run one request; latency from `due` (the scheduled time, ms since t0)
async function fire(u, route, key, kind, due, t0) {
    const p = await plan(u, key, kind);
    if (p == null) {
        // nothing seen yet to open: the user looks at the list first
        const list = `${key === 'counterparty' ? 'cp' : key}.list`;
        return SKIP.has(list) || kind === 'meta' ? undefined : fire(u, list, key, 'list', due, t0);
    }
    const [method, path, body, after] = p;
    const opts = { cookie: u.cookie, csrf: u.csrf, body };
    let res;
    if (method === 'EDIT') {
        // open the card, then save one field with the version it showed
        const cur = await request('GET', path, opts);
        const doc = json(cur.body);
        if (cur.status !== 200 || !doc) {
            record(route, performance.now() - t0 - due, cur.status, cur.body);
            return;
        }
        const change = ENTITIES[key].edit(doc, u.n++);
        res = await request('PATCH', path, { ...opts, body: { version: doc.version, ...change } });
    } else {
        res = await request(method, path, opts);
    }
    record(route, performance.now() - t0 - due, res.status, res.body);
    if (after && res.status === 200) after(res);
}

function pct(sorted, q) {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
    const loginStart = performance.now();
    const users = [];
    // log everyone in, a few at a time (the password hash is slow by design)
    for (let i = 1; i <= USERS; i += 10) {
        const batch = [];
        for (let n = i; n < i + 10 && n <= USERS; n++) batch.push(login(n));
        users.push(...await Promise.all(batch));
    }
    const loginMs = (performance.now() - loginStart) / USERS;
    await readMeta(users[0].cookie);
    // every user's first screen: the counterparty list (not measured)
    await Promise.all(users.map(async (u) => {
        const e = ENTITIES.counterparty;
        remember(u, 'counterparty', await request('GET', `${e.path}?limit=50`, { cookie: u.cookie }), true);
        for (const k of ['contact', 'outlet', 'product']) {
            const x = ENTITIES[k];
            if (SKIP.has(`${k}.list`)) continue;
            remember(u, k, await request('GET', `${x.path}?limit=50`, { cookie: u.cookie }), true);
        }
    }));

    // the schedule: each user's actions at exponential think times whose
    // mean makes the requested rate (requests per action averaged)
    const totalW = ACTIONS.reduce((s, a) => s + a.weight, 0);
    const reqPerAction = ACTIONS.reduce((s, a) => s + a.weight * a.reqs.length, 0) / totalW;
    const think = (USERS * reqPerAction) / RATE * 1000; // ms per user between actions
    const events = [];
    for (const u of users) {
        for (let t = expo(think); t < SECONDS * 1000; t += expo(think)) {
            let w = Math.random() * totalW;
            const a = ACTIONS.find((x) => (w -= x.weight) < 0) || ACTIONS[0];
            events.push([t, u, a]);
        }
    }
    events.sort((a, b) => a[0] - b[0]);

    const t0 = performance.now();
    const inflight = [];
    let lagMax = 0;
    for (const [t, u, a] of events) {
        const wait = t - (performance.now() - t0);
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        lagMax = Math.max(lagMax, performance.now() - t0 - t);
        for (const [route, key, kind] of a.reqs) inflight.push(fire(u, route, key, kind, t, t0));
    }
    await Promise.all(inflight);
    const wall = (performance.now() - t0) / 1000;

    const rows = [];
    let n = 0;
    let errors = 0;
    const all = [];
    for (const [route, s] of [...stats.entries()].sort()) {
        const lat = s.lat.sort((x, y) => x - y);
        all.push(...lat);
        n += lat.length;
        errors += s.errors;
        rows.push({
            route, n: lat.length, p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat[lat.length - 1],
            errors: s.errors, codes: s.codes,
        });
    }
    all.sort((x, y) => x - y);
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    console.log(`users ${USERS}, rate ${RATE} req/s asked, ${(n / SECONDS).toFixed(1)} sent over ${SECONDS}s `
        + `(wall ${wall.toFixed(1)}s), ${errors} errors, generator lag max ${f(lagMax)} ms, login ${f(loginMs)} ms/user`);
    console.log('| route | requests | p50 ms | p99 ms | max ms | errors |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
        const codes = Object.entries(r.codes).map(([c, k]) => `${k}×${c}`).join(' ');
        console.log(`| ${r.route} | ${r.n} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.errors}${codes ? ` (${codes})` : ''} |`);
    }
    console.log(`| **all** | ${n} | ${f(pct(all, 0.5))} | ${f(pct(all, 0.99))} | ${f(all[all.length - 1])} | ${errors} |`);
    console.log(`JSON ${JSON.stringify({ rate: RATE, sent: n / SECONDS, errors, p50: pct(all, 0.5), p99: pct(all, 0.99), lagMax, rows })}`);
    agent.destroy();
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
