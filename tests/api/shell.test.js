// The shell's server side (issue 13): the global search over every
// declared entity (each through its own list's WHERE: permission,
// own-only scope, search), the list protocol's mine=true, saved views
// (own only, checked as list queries, audited), recent records, and the
// list of the user's entities (GET /api/v1/meta).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.js';
import { assertError, ok } from '../lib/assert.js';

const stack = await startStack({
    enabled: ['t_kit', 't_desk', 'catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const admin = await stack.loginAdmin();
const PW = `Shell-Test-${process.pid}`;
const W = '/api/v1/t_kit/widgets';

const created = (client, path, body) => ok(client.post(path, body), 201);

async function login(name, roles, extra = {}) {
    const res = await admin.post('/api/v1/users', { login: name, password: PW, roles, ...extra });
    assert.equal(res.status, 201, res.text);
    return stack.login(name, PW);
}

let res = await admin.post('/api/v1/roles', {
    name: 'shell_own', label_ru: 'Свои изделия', permissions: ['t_kit.read', 't_kit.write'], own_only: true,
});
assert.equal(res.status, 201, res.text);
res = await admin.post('/api/v1/roles', {
    name: 'shell_all', label_ru: 'Все изделия', permissions: ['t_kit.read', 't_kit.write'],
});
assert.equal(res.status, 201, res.text);
const own = await login('shellown', ['shell_own']);
const wide = await login('shellwide', ['shell_all']);
const none = await login('shellnone', []);

await created(admin, W, { name: 'Zephyr admin', code: 'ZA-1' });
await created(admin, W, { name: 'Zephyr second', code: 'ZA-2' });
const ownW = await created(own, W, { name: 'Zephyr own', code: 'ZO-1' });
const wideW = await created(wide, W, { name: 'Zephyr wide', code: 'ZW-1' });
await created(admin, '/api/v1/t_kit/shelves', { name: 'Zephyr shelf' });
const card = await created(admin, '/api/v1/t_desk/cards', { lane: 'todo', title: 'Zephyr card' });

const group = (body, entity) => body.groups.find((g) => g.entity === entity);
const titles = (g) => (g ? g.items.map((i) => i.title) : []);

test('the global search groups each readable entity\'s matches, as its list finds them', async () => {
    res = await admin.get('/api/v1/search?q=zephyr');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.q, 'zephyr');
    const w = group(res.json, 't_kit.widget');
    // the list's own order (its default sort) and its search (name, code)
    const list = (await admin.get(`${W}?q=zephyr&limit=5`)).json.items.map((x) => x.name);
    assert.deepEqual(titles(w), list);
    assert.equal(w.label, 'Изделия');
    assert.equal(w.more, false);
    const first = w.items[0];
    assert.deepEqual(Object.keys(first).sort(), ['entity', 'id', 'label', 'subtitle', 'title', 'url']);
    assert.equal(first.entity, 't_kit.widget');
    assert.equal(first.url, `/t_kit/widgets/${first.id}`, 'no ui declared: /<module><path>/<id>');
    assert.equal(group(res.json, 't_kit.shelf'), undefined, 'a list without a search is not searched');
    const g = group(res.json, 't_desk.card');
    assert.deepEqual(g.items.map((i) => [i.id, i.title, i.subtitle, i.url]),
        [[card.id, 'Zephyr card', null, `/t_desk/${card.id}`]], 'the entity\'s declared ui page');
    assert.equal(g.ui, '/t_desk');

    // a word in the second search column (code) finds it too; every word must match
    assert.deepEqual(titles(group((await admin.get('/api/v1/search?q=ZO-1')).json, 't_kit.widget')), ['Zephyr own']);
    assert.equal(group((await admin.get('/api/v1/search?q=zephyr%20nothing')).json, 't_kit.widget'), undefined);
});

test('the global search keeps each list\'s limit, own-only scope and permission', async () => {
    res = await admin.get('/api/v1/search?q=zephyr&limit=2');
    const w = group(res.json, 't_kit.widget');
    assert.equal(w.items.length, 2);
    assert.equal(w.more, true);

    // own-only: the same rows the user's list shows, nobody else's
    res = await own.get('/api/v1/search?q=zephyr');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(titles(group(res.json, 't_kit.widget')), ['Zephyr own']);
    assert.deepEqual(titles(group(res.json, 't_kit.widget')),
        (await own.get(`${W}?q=zephyr`)).json.items.map((x) => x.name));
    assert.equal(group(res.json, 't_kit.shelf'), undefined);
    // a wide role sees all of them
    assert.equal(group((await wide.get('/api/v1/search?q=zephyr')).json, 't_kit.widget').items.length, 4);
    // no permission: no group at all (the public cards still show)
    res = await none.get('/api/v1/search?q=zephyr');
    assert.equal(res.status, 200, res.text);
    assert.equal(group(res.json, 't_kit.widget'), undefined);
    assert.ok(group(res.json, 't_desk.card'));
});

test('the global search refuses bad input, naming the field, and anonymous and portal callers', async () => {
    assertError(await admin.get('/api/v1/search'), 422, 'validation', 'q');
    assertError(await admin.get('/api/v1/search?q=%20%20'), 422, 'validation', 'q');
    assertError(await admin.get(`/api/v1/search?q=${'я'.repeat(201)}`), 422, 'validation', 'q');
    assert.equal((await admin.get(`/api/v1/search?q=${'я'.repeat(200)}`)).status, 200);
    for (const l of ['0', '21', 'x', '-1']) assertError(await admin.get(`/api/v1/search?q=a&limit=${l}`), 422, 'validation', 'limit');
    // LIKE's wildcards are plain characters
    assert.equal(group((await admin.get('/api/v1/search?q=%25')).json, 't_kit.widget'), undefined);
    assert.equal((await stack.get('/api/v1/search?q=zephyr')).status, 401);

    const dist = await admin.post('/api/v1/clients/counterparties', { kind: 'distributor', name: 'Стена поиска' });
    assert.equal(dist.status, 201, dist.text);
    const portal = await login('shell.portal', ['distributor'], { counterparty_id: dist.json.id });
    assertError(await portal.get('/api/v1/search?q=zephyr'), 403, 'forbidden');
});

test('mine=true applies the entity\'s owner whatever the scope; 422 on an entity without one', async () => {
    const names = async (c, qs) => {
        const r = await c.get(`${W}?${qs}`);
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((x) => x.name);
    };
    assert.deepEqual(await names(wide, 'q=zephyr&mine=true'), ['Zephyr wide']);
    assert.deepEqual(await names(own, 'q=zephyr&mine=true'), ['Zephyr own']);
    assert.equal((await names(wide, 'q=zephyr&mine=false')).length, 4);
    assert.equal((await wide.get(`${W}/export?q=zephyr&mine=true`)).text.includes('Zephyr admin'), false);
    assertError(await wide.get(`${W}?mine=yes`), 422, 'validation', 'mine');
    assertError(await admin.get('/api/v1/t_desk/cards?mine=true'), 422, 'validation', 'mine');
    assert.equal((await admin.get('/api/v1/t_desk/cards?mine=true')).json.error.fields.mine, 'this list has no owner');
    assert.ok(wideW.id && ownW.id);
});

test('saved views: own only, checked as list queries, audited', async () => {
    res = await wide.post('/api/v1/views', { entity: 't_kit.widget', name: ' Мои зефиры ', query: 'q=zephyr&mine=true&sort=-name&_cols=name,code' });
    assert.equal(res.status, 201, res.text);
    const v = res.json;
    assert.equal(v.name, 'Мои зефиры');
    assert.equal(v.position, 1);
    const v2 = await created(wide, '/api/v1/views', { entity: 't_kit.widget', name: 'Все', query: '' });
    assert.equal(v2.position, 2);
    await created(wide, '/api/v1/views', { entity: 't_desk.card', name: 'To do', query: 'lane=todo' });

    res = await wide.get('/api/v1/views?entity=t_kit.widget');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((x) => x.name), ['Мои зефиры', 'Все']);
    assert.equal(res.json.items[0].label, 'Изделия');
    assert.equal(res.json.items[0].ui, '/t_kit/widgets');
    assert.equal((await wide.get('/api/v1/views')).json.items.length, 3);

    // the name is the user's own per list
    assertError(await wide.post('/api/v1/views', { entity: 't_kit.widget', name: 'Все' }), 409, 'conflict', 'name');
    await created(own, '/api/v1/views', { entity: 't_kit.widget', name: 'Все' });
    // bad input names the field; the query is checked as the list checks it
    assertError(await wide.post('/api/v1/views', { entity: 't_kit.widget', name: '' }), 422, 'validation', 'name');
    assertError(await wide.post('/api/v1/views', { entity: 't_kit.widget', name: 'x'.repeat(101) }), 422, 'validation', 'name');
    assertError(await wide.post('/api/v1/views', { entity: 'nope.nope', name: 'x' }), 422, 'validation', 'entity');
    assertError(await none.post('/api/v1/views', { entity: 't_kit.widget', name: 'x' }), 422, 'validation', 'entity');
    for (const [query, why] of [['sort=weightless', 'sort: '], ['qty.gte=many', 'qty.gte: '], ['nope=1', 'nope: '],
        ['mine=maybe', 'mine: '], ['_format=csv', '_format: '], ['after=abc', 'after: '], ['attr.nope=1', ''],
        ['q=%E0%A4%A', 'does not decode']]) {
        res = await wide.post('/api/v1/views', { entity: 't_kit.widget', name: 'bad', query });
        assertError(res, 422, 'validation', 'query');
        assert.ok(res.json.error.fields.query.includes(why), `${query}: ${res.text}`);
    }
    assertError(await wide.post('/api/v1/views', { entity: 't_kit.widget', name: 'bad', query: 'attr.nope=1' }), 422, 'validation', 'attr.nope');
    assertError(await wide.post('/api/v1/views', { entity: 't_desk.card', name: 'bad', query: 'mine=true' }), 422, 'validation', 'query');
    assert.equal((await wide.get('/api/v1/views?entity=t_kit.widget')).json.items.length, 2, 'nothing half-written');

    // another user can neither see nor change it
    assert.deepEqual((await own.get('/api/v1/views?entity=t_kit.widget')).json.items.map((x) => x.name), ['Все']);
    assertError(await own.patch(`/api/v1/views/${v.id}`, { name: 'stolen' }), 404, 'not_found');
    assertError(await own.delete(`/api/v1/views/${v.id}`), 404, 'not_found');

    res = await wide.patch(`/api/v1/views/${v.id}`, { name: 'Зефиры', query: 'q=zephyr', position: 5 });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.name, res.json.query, res.json.position], ['Зефиры', 'q=zephyr', 5]);
    assertError(await wide.patch(`/api/v1/views/${v.id}`, { query: 'sort=nope' }), 422, 'validation', 'query');
    assertError(await wide.patch(`/api/v1/views/${v.id}`, { name: 'Все' }), 409, 'conflict', 'name');
    assertError(await wide.patch(`/api/v1/views/${v.id}`, { entity: 't_desk.card' }), 422, 'validation', 'entity');
    assert.equal((await wide.delete(`/api/v1/views/${v.id}`)).status, 204);
    assertError(await wide.delete(`/api/v1/views/${v.id}`), 404, 'not_found');

    const audit = (await admin.get(`/api/v1/audit?entity=core.saved_view&id=${v.id}`)).json;
    assert.deepEqual(audit.map((a) => a.action).sort(), ['created', 'deleted', 'updated']);
});

test('recent records: the last 50 of the user, newest first, readable entities only', async () => {
    const put = (c, body) => c.post('/api/v1/recent', body);
    assert.equal((await put(wide, { entity: 't_kit.widget', id: wideW.id, title: 'Zephyr wide', url: `/t_kit/widgets/${wideW.id}` })).status, 204);
    assert.equal((await put(wide, { entity: 't_desk.card', id: card.id, title: 'Zephyr card', url: `/t_desk/${card.id}` })).status, 204);
    res = await wide.get('/api/v1/recent');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((x) => [x.entity, x.id, x.title]),
        [['t_desk.card', card.id, 'Zephyr card'], ['t_kit.widget', wideW.id, 'Zephyr wide']]);
    assert.equal(res.json.items[0].label, 'Карточки');
    // opening again moves it up, once
    await put(wide, { entity: 't_kit.widget', id: wideW.id, title: 'Zephyr wide!', url: `/t_kit/widgets/${wideW.id}` });
    res = await wide.get('/api/v1/recent');
    assert.deepEqual(res.json.items.map((x) => x.title), ['Zephyr wide!', 'Zephyr card']);
    assert.deepEqual((await own.get('/api/v1/recent')).json.items, []);

    assertError(await put(wide, { entity: 't_kit.widget', id: 1, title: 'x', url: 'https://evil.example/' }), 422, 'validation', 'url');
    assertError(await put(wide, { entity: 't_kit.widget', id: 1, title: 'x', url: '//evil.example/' }), 422, 'validation', 'url');
    assertError(await put(wide, { entity: 't_kit.widget', id: 0, title: 'x', url: '/x' }), 422, 'validation', 'id');
    assertError(await put(wide, { entity: 't_kit.widget', id: 1, title: ' ', url: '/x' }), 422, 'validation', 'title');
    assertError(await put(none, { entity: 't_kit.widget', id: 1, title: 'x', url: '/x' }), 422, 'validation', 'entity');
    assertError(await wide.get('/api/v1/recent?limit=51'), 422, 'validation', 'limit');

    for (let i = 1; i <= 55; i++) {
        assert.equal((await put(own, { entity: 't_kit.widget', id: i, title: `W${i}`, url: `/t_kit/widgets/${i}` })).status, 204);
    }
    res = await own.get('/api/v1/recent?limit=50');
    assert.equal(res.json.items.length, 50);
    assert.equal(res.json.items[0].title, 'W55');
    assert.equal(res.json.items[49].title, 'W6');
    assert.equal(await stack.psql(`SELECT count(*) FROM core.recent r JOIN core."user" u ON u.id = r.user_id
        WHERE u.login = 'shellown'`), '50');
    // a record of a list the user may not read (any more) is not shown
    await stack.psql(`INSERT INTO core.recent (user_id, entity, record_id, title, url)
        SELECT id, 't_kit.widget', 1, 'Hidden', '/t_kit/widgets/1' FROM core."user" WHERE login = 'shellnone'`);
    assert.deepEqual((await none.get('/api/v1/recent')).json.items, []);
});

test('GET /api/v1/meta lists the entities the user may read', async () => {
    res = await wide.get('/api/v1/meta');
    assert.equal(res.status, 200, res.text);
    const w = res.json.items.find((x) => x.entity === 't_kit.widget');
    assert.deepEqual(w, { entity: 't_kit.widget', module: 't_kit', name: 'widget', path: '/api/v1/t_kit/widgets',
        label: 'Изделия', ui: '/t_kit/widgets', search: true, attrs: true, archive: true, mine: true, perm_write: true });
    const g = res.json.items.find((x) => x.entity === 't_desk.card');
    assert.equal(g.perm_write, false);
    assert.equal(g.attrs, false);
    const n = (await none.get('/api/v1/meta')).json.items.map((x) => x.entity);
    assert.ok(!n.includes('t_kit.widget') && n.includes('t_desk.card'));
});
