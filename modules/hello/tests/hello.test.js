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

test('GET /greetings lists the seeded greetings in id order', async () => {
    const res = await stack.get(`${H}/greetings`);
    assert.equal(res.status, 200);
    assert.equal(res.json.length, 2);
    assert.deepEqual(res.json.map(({ lang, text, version }) => ({ lang, text, version })), [
        { lang: 'ru', text: 'Привет, мир', version: 1 },
        { lang: 'en', text: 'Hello, world', version: 1 },
    ]);
    assert.ok(res.json[0].id < res.json[1].id);
});

test('GET /greetings/:id answers one greeting', async () => {
    const list = (await stack.get(`${H}/greetings`)).json;
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
    const res = await stack.request('DELETE', `${H}/greetings/1`);
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
});
