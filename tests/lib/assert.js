// The two assertions every API test makes, in one place (tests/api and
// modules/*/tests import them from here):
//
//   assertError(res, status, code, ...fields)  the response is an error in
//     the one shape: that status, JSON, {"error": {"code", "message", ...}}
//     with a non-empty message, and each field given named in
//     error.fields;
//   await ok(res, status = 200)  the response (or a promise of one) has
//     that status; resolves its JSON body.

import assert from 'node:assert/strict';

export function assertError(res, status, code, ...fields) {
    assert.equal(res.status, status, `status of ${res.text}`);
    assert.match(res.headers.get('content-type') || '', /^application\/json/, res.text);
    assert.ok(res.json && typeof res.json.error === 'object', `error shape: ${res.text}`);
    assert.equal(res.json.error.code, code, res.text);
    assert.equal(typeof res.json.error.message, 'string', res.text);
    assert.ok(res.json.error.message.length > 0, res.text);
    for (const f of fields) {
        if (f === undefined || f === null) continue;
        assert.ok(res.json.error.fields?.[f] !== undefined, `field "${f}" named: ${res.text}`);
    }
}

export async function ok(res, status = 200) {
    const r = await res;
    assert.equal(r.status, status, `${status} expected: ${r.text}`);
    return r.json;
}
