// hello's API test: the example module on a stack of its own, enabled,
// with its config group.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['hello'],
    workers: 5, // more than nginx keeps idle (see Stack.checkWorkers)
    groups: { hello: { greeting: 'Здравствуй, тест' } },
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const H = '/api/v1/hello';

test('hello is enabled, migrated and listed by health', async () => {
    const res = await stack.get('/api/v1/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.modules, [{ name: 'hello', version: '1.0.0' }]);
    assert.equal(await stack.psql(
        "SELECT string_agg(name, ',') FROM core.migration WHERE module = 'hello'"), '0001_greeting.sql');
});

test('GET /greeting answers the greeting of its config group', async () => {
    const res = await stack.get(`${H}/greeting`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json; charset=utf-8/);
    assert.deepEqual(res.json, { greeting: 'Здравствуй, тест' });
});

test('GET /greetings lists the seeded greetings in id order (the list protocol)', async () => {
    const res = await stack.get(`${H}/greetings`);
    assert.equal(res.status, 200);
    assert.deepEqual([res.json.total, res.json.next], [2, null]);
    assert.deepEqual(res.json.items.map(({ lang, text, version }) => ({ lang, text, version })), [
        { lang: 'ru', text: 'Привет, мир', version: 1 },
        { lang: 'en', text: 'Hello, world', version: 1 },
    ]);
    assert.ok(res.json.items[0].id < res.json.items[1].id);
    assert.deepEqual((await stack.get(`${H}/greetings?lang=en`)).json.items.map((g) => g.text), ['Hello, world']);
    assert.deepEqual((await stack.get(`${H}/greetings?q=мир`)).json.items.map((g) => g.lang), ['ru']);
    assertError(await stack.get(`${H}/greetings?colour=red`), 422, 'validation', 'colour');
});

test('GET /greetings/:id answers one greeting', async () => {
    const list = (await stack.get(`${H}/greetings`)).json.items;
    for (const g of list) {
        const res = await stack.get(`${H}/greetings/${g.id}`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.json, g);
    }
});

test('GET /greetings/:id of a missing or malformed id is 404', async () => {
    assertError(await stack.get(`${H}/greetings/999999999`), 404, 'not_found');
    for (const id of ['abc', '1x', '12345678901234567890', '-1']) {
        const res = await stack.get(`${H}/greetings/${id}`);
        assertError(res, 404, 'not_found');
        assert.equal(res.json.error.message, 'no such greeting', id);
    }
});

test('POST /greetings without a session is 401 and writes nothing', async () => {
    let res = await stack.post(`${H}/greetings`, { lang: 'de', text: 'Hallo' });
    assertError(res, 401, 'unauthenticated');
    // authentication comes before input validation
    res = await stack.post(`${H}/greetings`, { lang: 'deu', text: '', bogus: 1 });
    assertError(res, 401, 'unauthenticated');
    assert.equal(res.json.error.fields, undefined);
    assert.equal(await stack.psql('SELECT count(*) FROM hello.greeting'), '2');
    assert.equal(await stack.psql('SELECT count(*) FROM hello.stat'), '0');
});

test('other methods on hello routes are 405', async () => {
    const res = await stack.request('PUT', `${H}/greetings/1`);
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET, HEAD, PATCH, DELETE');
});

test('a writer creates, updates with the version, and deletes a greeting', async () => {
    const admin = await stack.loginAdmin();
    let res = await admin.post(`${H}/greetings`, { lang: 'de', text: 'Hallo' });
    assert.equal(res.status, 201, res.text);
    const g = res.json;
    assert.deepEqual({ lang: g.lang, text: g.text, version: g.version }, { lang: 'de', text: 'Hallo', version: 1 });
    assert.equal(await stack.psql("SELECT created FROM hello.stat WHERE lang = 'de'"), '1', 'the hook counted it');
    assertError(await admin.post(`${H}/greetings`, { lang: 'DE', text: ' ' }), 422, 'validation', 'text');
    assertError(await admin.post(`${H}/greetings`, { lang: 'D1', text: 'x' }), 422, 'validation', 'lang');

    res = await admin.patch(`${H}/greetings/${g.id}`, { version: g.version, text: 'Guten Tag' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ lang: res.json.lang, text: res.json.text, version: res.json.version },
        { lang: 'de', text: 'Guten Tag', version: 2 });
    assertError(await admin.patch(`${H}/greetings/${g.id}`, { version: 1, text: 'stale' }), 409, 'conflict', 'version');

    const audit = (await admin.get(`/api/v1/audit?entity=hello.greeting&id=${g.id}`)).json;
    assert.deepEqual(audit.map((a) => a.action), ['updated', 'created']);

    assertError(await admin.delete(`${H}/greetings/${g.id}?version=1`), 409, 'conflict', 'version');
    res = await admin.delete(`${H}/greetings/${g.id}?version=2`);
    assert.equal(res.status, 204, res.text);
    assertError(await stack.get(`${H}/greetings/${g.id}`), 404, 'not_found');
    assertError(await stack.request('DELETE', `${H}/greetings/${g.id}`), 401, 'unauthenticated');
});

// What hello declares, as the core shows it (the core's own tests of
// these routes use the test modules; these are hello's declarations).
test('hello declares its permission, menu entry and entity: modules, permissions, meta, search', async () => {
    const admin = await stack.loginAdmin();
    let res = await admin.get('/api/v1/modules');
    assert.equal(res.status, 200, res.text);
    const hello = res.json.find((m) => m.name === 'hello');
    assert.equal(hello.state, 'enabled');
    assert.equal(hello.version, '1.0.0');
    assert.deepEqual(hello.permissions.map((p) => p.name), ['hello.write']);
    assert.deepEqual(hello.ui, [{ path: '/hello', label_ru: 'Привет', label_en: 'Hello', permission: null }]);
    res = await admin.get('/api/v1/permissions');
    assert.deepEqual(res.json.find((b) => b.module === 'hello').permissions,
        [{ name: 'hello.write', label_ru: 'Добавлять приветствия', label_en: 'Add greetings' }]);
    // the entity: read by everyone, written with hello.write, its pages at /hello
    res = await admin.get('/api/v1/meta');
    const e = res.json.items.find((x) => x.entity === 'hello.greeting');
    assert.deepEqual({ path: e.path, ui: e.ui, search: e.search, mine: e.mine, perm_write: e.perm_write },
        { path: '/api/v1/hello/greetings', ui: '/hello', search: true, mine: false, perm_write: true });
    assertError(await admin.get(`${H}/greetings?mine=true`), 422, 'validation', 'mine');
    const g = (await admin.post(`${H}/greetings`, { lang: 'en', text: 'Zephyr hello' })).json;
    res = await admin.get('/api/v1/search?q=zephyr');
    const group = res.json.groups.find((x) => x.entity === 'hello.greeting');
    assert.deepEqual(group.items.map((i) => [i.id, i.title, i.url]), [[g.id, 'Zephyr hello', `/hello/${g.id}`]]);
    assert.equal(group.ui, '/hello');
    // each write audited under the entity's name
    assert.equal(await stack.psql(`SELECT count(*) FROM core.audit WHERE entity = 'hello.greeting'
        AND entity_id = '${g.id}' AND action = 'created'`), '1');
});
