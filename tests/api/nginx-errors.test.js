// What nginx answers itself (nginx.conf.example): every error in kedr's
// one shape {"error":{"code","message"}} as application/json with its
// status kept -- malformed requests, request lines and headers over
// large_client_header_buffers, missing or denied static files, kedr
// unreachable -- and redirects that never reflect the client's Host
// header.  Raw sockets (node:net), since fetch() refuses to send most of
// these requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startStack } from '../lib/stack.js';

const stack = await startStack({ enabled: [] });

// Send `raw` to nginx and read the whole answer (nginx closes: every
// request here says Connection: close or is one nginx refuses).
// Resolves {status, headers (lower-case names), body, json}.
function rawRequest(raw) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(stack.port, '127.0.0.1');
        const chunks = [];
        sock.setTimeout(10000, () => sock.destroy(new Error('no answer in 10 s')));
        sock.on('data', (c) => chunks.push(c));
        sock.on('error', reject);
        sock.on('close', () => {
            const text = Buffer.concat(chunks).toString('latin1');
            const at = text.indexOf('\r\n\r\n');
            if (at < 0) return reject(new Error(`no complete answer: ${JSON.stringify(text)}`));
            const [statusLine, ...lines] = text.slice(0, at).split('\r\n');
            const headers = {};
            for (const l of lines) {
                const i = l.indexOf(':');
                headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
            }
            const body = text.slice(at + 4);
            let json;
            try {
                json = JSON.parse(body);
            } catch {
                json = undefined;
            }
            resolve({ status: Number(statusLine.split(' ')[1]), headers, body, json });
        });
        // write, not end: a half-closed client makes nginx abort a
        // request in flight to kedr (fastcgi_ignore_client_abort off)
        sock.write(raw);
    });
}

function get(target, extra = '') {
    return rawRequest(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);
}

function assertShape(res, status, code) {
    assert.equal(res.status, status, `status of ${res.body}`);
    assert.match(res.headers['content-type'] || '', /^application\/json/, `content type of ${res.body}`);
    assert.ok(res.json && typeof res.json.error === 'object', `error shape: ${res.body}`);
    assert.equal(res.json.error.code, code, res.body);
    assert.equal(typeof res.json.error.message, 'string');
    assert.ok(res.json.error.message.length > 0);
}

test('a request line over large_client_header_buffers is 414 in the error shape', async () => {
    const res = await get(`/api/v1/health?${'a'.repeat(9000)}`);
    assertShape(res, 414, 'uri_too_long');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
});

test('a header over large_client_header_buffers is 400 headers_too_large in the error shape', async () => {
    let res = await get('/api/v1/health', `X-Big: ${'b'.repeat(9000)}\r\n`);
    assertShape(res, 400, 'headers_too_large');
    // a cookie too large, the usual way to get there
    res = await get('/', `Cookie: kedr_session=${'c'.repeat(9000)}\r\n`);
    assertShape(res, 400, 'headers_too_large');
});

test('malformed requests are 400 bad_request in the error shape', async () => {
    // no Host header in HTTP/1.1
    let res = await rawRequest('GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n');
    assertShape(res, 400, 'bad_request');
    // a header line nginx cannot parse
    res = await get('/api/v1/health', 'Bad Header Line\r\n');
    assertShape(res, 400, 'bad_request');
    // a broken request line
    res = await rawRequest('GET /x HTTP/1.1 extra\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assertShape(res, 400, 'bad_request');
    // an unsupported HTTP version
    res = await rawRequest('GET / HTTP/3.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assertShape(res, 505, 'http_version');
});

test('static files: missing, denied and wrong method are JSON too; kedr\'s own errors pass through', async () => {
    assertShape(await get('/js/no-such-module.js'), 404, 'not_found');
    assertShape(await get('/.git/config'), 403, 'forbidden');
    assertShape(await rawRequest('POST /favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n'
        + 'Connection: close\r\n\r\n'), 405, 'method_not_allowed');
    // an unknown API route is kedr's 404, not nginx's
    const res = await get('/api/v1/no-such-route');
    assertShape(res, 404, 'not_found');
    assert.ok(res.headers['x-request-id']);
    // what nginx serves is untouched
    const ok = await get('/');
    assert.equal(ok.status, 200);
    assert.match(ok.headers['content-type'], /^text\/html/);
});

test('nginx\'s own 429 (login limit) is the error shape with Retry-After; other errors have none', async () => {
    assert.equal((await get('/js/no-such-module.js')).headers['retry-after'], undefined);
    // more logins at once than limit_req's burst: nginx refuses the rest
    // before kedr sees them (the body is not even JSON)
    const post = 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
        + 'Content-Length: 1\r\nConnection: close\r\n\r\nx';
    const all = await Promise.all(Array.from({ length: 40 }, () => rawRequest(post)));
    const refused = all.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, `statuses: ${all.map((r) => r.status)}`);
    for (const res of refused) {
        assertShape(res, 429, 'throttled');
        assert.equal(res.headers['retry-after'], '60');
    }
});

test('redirects are relative: the Host header is never reflected', async () => {
    // a prefix location ending in a slash redirects the path without it
    for (const p of ['/api', '/exchange']) {
        const res = await rawRequest(`GET ${p} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
        assert.equal(res.status, 301, res.body);
        assert.equal(res.headers.location, `${p}/`);
        assert.doesNotMatch(JSON.stringify(res.headers), /evil\.example/);
    }
    // with a port in Host too
    const res = await rawRequest('GET /api HTTP/1.1\r\nHost: evil.example:4443\r\nConnection: close\r\n\r\n');
    assert.equal(res.headers.location, '/api/');
});
