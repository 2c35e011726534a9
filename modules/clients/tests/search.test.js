// clients' one search box and keyset paging (issue 6): `q` on GET
// /counterparties finds a name or legal-name fragment (any case, ё = е
// both ways), the start of an INN, a phone in any written form, an
// e-mail (any case) of the counterparty or of a contact linked to it,
// and a linked contact's name; every other filter and the own-only scope
// still apply, and the export of the same filter finds the same records.
// `after=<cursor>` pages through a list by its sort key (ties broken by
// id), answering `next`; a cursor that is not one of the list is 422.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const PW = 'Search-Clients-Password-1';
const admin = await stack.loginAdmin();

const cp = (body) => ok(admin.post(`${C}/counterparties`, body), 201);
const enc = encodeURIComponent;

// the ids a search finds, sorted
async function found(q, extra = '', client = admin) {
    const l = await ok(client.get(`${C}/counterparties?q=${enc(q)}&limit=500${extra}`));
    assert.equal(l.total, l.items.length, 'total counts what the page holds');
    return l.items.map((c) => c.id).sort((a, b) => a - b);
}
const ids = (...recs) => recs.map((r) => r.id).sort((a, b) => a - b);

// an own-only manager in region "Тула"
await ok(admin.post('/api/v1/roles', {
    name: 'search_rep', label_ru: 'Свои', own_only: true, permissions: ['clients.read', 'clients.export'],
}), 201);
const repUser = await ok(admin.post('/api/v1/users', {
    login: 'search_rep1', password: PW, roles: ['search_rep'], regions: ['Тула'],
}), 201);
const rep = await stack.login('search_rep1', PW);

const elka = await cp({ kind: 'end_customer', name: 'Ёлочный Базар', region: 'Тула' });
const elka2 = await cp({ kind: 'installer', name: 'Елочка Монтаж', legal_name: 'ООО «ЗЕЛЁНАЯ ЕЛЬ»', region: 'Псков' });
const legal = await cp({ kind: 'partner', name: 'Плюс', legal_name: 'АО «Ёжик и партнёры»', region: 'Тула' });
const phoned = await cp({
    kind: 'end_customer', name: 'Телефонная Компания', region: 'Тула',
    phones: ['8 (495) 123-45-67'], emails: ['Office@Phone-Co.RU'], inn: '7707083893', kpp: '773601001',
});
const viaContact = await cp({ kind: 'developer', name: 'Стройдом', region: 'Псков', manager_id: repUser.id });
const other = await cp({ kind: 'developer', name: 'Посторонний', region: 'Псков' });
await ok(admin.post(`${C}/contacts`, {
    last_name: 'Семёнов', first_name: 'Пётр', phones: ['+7 912 345-67-89'], emails: ['P.Semenov@Stroydom.ru'],
    links: [{ counterparty_id: viaContact.id, position: 'Директор' }],
}), 201);
await ok(admin.post(`${C}/contacts`, { last_name: 'Неприкаянный', phones: ['+7 913 000-00-01'] }), 201);

test('a name fragment: any case, ё = е both ways, the legal name too', async () => {
    assert.deepEqual(await found('елоч'), ids(elka, elka2));
    assert.deepEqual(await found('ЁЛОЧ'), ids(elka, elka2));
    assert.deepEqual(await found('ёлочный'), ids(elka));
    assert.deepEqual(await found('Елочный'), ids(elka));
    assert.deepEqual(await found('зеленая ель'), ids(elka2), 'the legal name, ё in the record');
    assert.deepEqual(await found('ЕЖИК И'), ids(legal), 'the legal name, ё in the record, е in q');
    assert.deepEqual(await found('Ёжик'), ids(legal));
    // wildcards are text
    assert.deepEqual(await found('%'), []);
    assert.deepEqual(await found('Ёлочный_Базар'), []);
    // the name and the legal name are not one string (АО, a legal form,
    // would not count: the words of each are searched, see below)
    assert.deepEqual(await found('Плюс Ёжик'), []);
});

test('the start of an INN, a phone in any written form, an e-mail in any case', async () => {
    assert.deepEqual(await found('770708'), ids(phoned));
    assert.deepEqual(await found('7707083893'), ids(phoned));
    assert.deepEqual(await found('07083893'), ids(phoned), 'the end too (issue 13)');
    assert.deepEqual(await found('708389'), [], 'not the middle');
    for (const p of ['8 (495) 123-45-67', '+7 495 1234567', '4951234567', '7-495-123-45-67']) {
        assert.deepEqual(await found(p), ids(phoned), p);
    }
    assert.deepEqual(await found('office@phone-co.ru'), ids(phoned));
    assert.deepEqual(await found('OFFICE@PHONE-CO.RU'), ids(phoned));
    assert.deepEqual(await found('office@phone-co'), [], 'an e-mail is matched whole');
});

// issue 13: what people type.  Legal forms, quotes and punctuation do not
// matter, nor does the order of the words; the end of an INN and part of
// a phone match; a word one letter off still finds the record.
test('words in any order, legal forms and quotes aside, a typo, the end of an INN, part of a phone', async () => {
    const kr = await cp({ kind: 'end_customer', name: 'ООО «Кристалл»', region: 'Омск' });
    const krLegal = await cp({
        kind: 'installer', name: 'Северный Бриз', legal_name: 'Закрытое акционерное общество "Бриз-Монтаж"',
        region: 'Омск', inn: '7728168971', phones: ['+7 (812) 555-98-76'],
    });
    const ip = await cp({ kind: 'partner', name: 'ИП Ёлкин Сергей Петрович', region: 'Омск' });
    const pao = await cp({ kind: 'developer', name: 'ПАО "Газ-Сервис"', region: 'Омск' });
    for (const q of ['ооо кристалл', 'кристалл ооо', 'ООО «Кристалл»', 'ООО "Кристалл"', 'Кристалл', 'кристалл, ООО',
        '«Кристалл»', 'Общество с ограниченной ответственностью Кристалл', 'АО Кристалл', 'кристал', 'КРИСТОЛЛ',
        'кристаллл', 'ооо кристолл']) {
        assert.deepEqual(await found(q), ids(kr), q);
    }
    for (const q of ['бриз монтаж', 'монтаж бриз', 'ЗАО Бриз-Монтаж', 'бриз-монтаж зао', 'монтаж бриз акционерное общество',
        'северный бриз', 'бриз северный', 'северный бриз ооо', 'сверный бриз']) {
        assert.deepEqual(await found(q), ids(krLegal), q);
    }
    for (const q of ['ип елкин', 'елкин сергей', 'сергей ёлкин ип', 'Индивидуальный предприниматель Ёлкин', 'петрович елкин']) {
        assert.deepEqual(await found(q), ids(ip), q);
    }
    for (const q of ['газ сервис', 'сервис газ пао', 'ПАО «Газ-Сервис»', 'газсервис пао']) {
        assert.deepEqual(await found(q), ids(pao), q);
    }
    // every word must be there: one word more finds nothing
    assert.deepEqual(await found('кристалл бриз'), []);
    assert.deepEqual(await found('северный кристалл'), []);
    // one letter off in the middle of a word; two letters off is another word
    assert.deepEqual(await found('петрвич'), ids(ip));
    assert.deepEqual(await found('северныи бриз'), ids(krLegal));
    assert.deepEqual(await found('ёлочный'), ids(elka));
    // a short word one letter off is another word, not a typo
    assert.deepEqual(await found('бруз'), []);
    // only legal forms and punctuation: nothing to look for by words
    assert.deepEqual(await found('ЗАО «»'), []);
    // the end of an INN (four digits or more), the start as before
    for (const q of ['8971', '68971', '7728168971', '772816']) assert.deepEqual(await found(q), ids(krLegal), q);
    assert.deepEqual(await found('971'), [], 'three digits are too few');
    // part of a phone, four digits or more, written any way
    for (const q of ['9876', '555-98-76', '(812) 555', '812 555 98 76', '8125559876', '+7 812 555-98-76']) {
        assert.deepEqual(await found(q), ids(krLegal), q);
    }
    assert.deepEqual(await found('555-98-77'), []);
    // best match first unless another sort is asked for: the records
    // holding the box as a fragment, by name, then the others; words one
    // letter off only when nothing matches as typed, by word similarity
    // (pg_trgm)
    const near = await cp({ kind: 'partner', name: 'Кристаллы Сибири', region: 'Омск' });
    const typo = await cp({ kind: 'partner', name: 'Кристолл-Инвест', region: 'Омск' });
    const byRelevance = async (q, extra = '') =>
        (await ok(admin.get(`${C}/counterparties?q=${enc(q)}${extra}`))).items.map((c) => c.id);
    assert.deepEqual(await byRelevance('кристалл'), [near.id, kr.id], 'fragments by name; the typo only without them');
    assert.deepEqual(await byRelevance('сибири кристаллы'), [near.id]);
    assert.deepEqual(await byRelevance('кристолл'), [typo.id], 'the record as typed');
    assert.deepEqual(await byRelevance('кристалл ооо'), [kr.id, near.id], 'found by words: the best similarity first');
    assert.ok((await byRelevance('кристелл')).includes(typo.id), 'one letter off, nothing as typed');
    assert.deepEqual(await byRelevance('кристалл сибирь'), [near.id], 'the best similarity first');
    assert.deepEqual(await byRelevance('кристалл', '&sort=-name'), [kr.id, near.id], 'by name when asked');
    // the relevance order pages with its cursor like any other
    const p1 = await ok(admin.get(`${C}/counterparties?q=${enc('кристалл')}&limit=1`));
    assert.deepEqual(p1.items.map((c) => c.id), [near.id]);
    const p2 = await ok(admin.get(`${C}/counterparties?q=${enc('кристалл')}&limit=1&after=${p1.next}`));
    assert.deepEqual(p2.items.map((c) => c.id), [kr.id]);
    assert.equal(p2.next, null);
});

// issue 13: a box of digits runs the number arms only, a box of words
// the name arms only; what each kind can match is still found
test('the kind of box picks the arms: a number in a name, an INN, a phone, words', async () => {
    const plant = await cp({ kind: 'partner', name: 'Завод 2000', region: 'Омск', inn: '5401234566' });
    assert.deepEqual(await found('2000'), ids(plant), 'digits: the fragment of the name');
    assert.deepEqual(await found('завод 2000'), ids(plant), 'words and digits: the name');
    assert.deepEqual(await found('2000 завод'), ids(plant), 'in another order');
    assert.deepEqual(await found('54012'), ids(plant), 'the start of the INN');
    assert.deepEqual(await found('234566'), ids(plant), 'its end');
    // the export of each kind selects what the list does
    for (const q of ['2000', 'завод']) {
        const res = await admin.get(`${C}/counterparties/export?q=${enc(q)}`);
        assert.equal(res.status, 200, res.text);
        const rows = res.text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
        assert.deepEqual(rows.map((l) => Number(l.split(';')[0])), ids(plant), q);
    }
});

test('a linked contact: name fragment (ё = е), phone in any form, e-mail in any case', async () => {
    assert.deepEqual(await found('семенов'), ids(viaContact));
    assert.deepEqual(await found('СЕМЁНОВ ПЕТР'), ids(viaContact));
    for (const p of ['8 (912) 345-67-89', '+7 912 3456789', '9123456789']) {
        assert.deepEqual(await found(p), ids(viaContact), p);
    }
    assert.deepEqual(await found('p.semenov@stroydom.RU'), ids(viaContact));
    // a contact linked to nobody finds nothing
    assert.deepEqual(await found('Неприкаянный'), []);
    assert.deepEqual(await found('+7 913 000-00-01'), []);
});

test('the search with other filters, under the own-only scope, and in the export', async () => {
    assert.deepEqual(await found('елоч', '&kind=installer'), ids(elka2));
    assert.deepEqual(await found('елоч', `&region=${enc('Тула')}`), ids(elka));
    assert.deepEqual(await found('семенов', '&kind=partner'), []);
    // the rep sees Тула and what they manage
    assert.deepEqual(await found('елоч', '', rep), ids(elka));
    assert.deepEqual(await found('9123456789', '', rep), ids(viaContact));
    assert.deepEqual(await found('Посторонний', '', rep), []);
    assert.deepEqual(await found('Посторонний'), ids(other));
    // sorting a search: every key works with q
    for (const sort of ['name', 'inn', 'region', 'id']) {
        const l = await ok(admin.get(`${C}/counterparties?q=${enc('елоч')}&sort=-${sort}`));
        assert.equal(l.items.length, 2, sort);
    }
    // the export of the same filter finds the same records
    for (const [q, client] of [['елоч', admin], ['ЕЛОЧ', rep], ['+7 912 345 67 89', admin], ['OFFICE@phone-co.ru', admin]]) {
        const res = await fetch(`${stack.url}${C}/counterparties/export?q=${enc(q)}`,
            { headers: { Cookie: `kedr_session=${client.cookie}` } });
        assert.equal(res.status, 200);
        const lines = (await res.text()).replace(/^\ufeff/, '').trim().split('\r\n').slice(1);
        const got = lines.map((l) => Number(l.split(';')[0])).sort((a, b) => a - b);
        assert.deepEqual(got, await found(q, '', client), q);
    }
});

// ---------------------------------------------------------------------
// keyset paging

// every item of `url`, `limit` a page, following `next`
async function keyset(url, limit) {
    const items = [];
    let after = null, pages = 0;
    for (;;) {
        const l = await ok(admin.get(`${url}&limit=${limit}${after ? `&after=${after}` : ''}`));
        pages++;
        assert.ok(l.items.length <= limit);
        items.push(...l.items);
        if (l.next === null) break;
        assert.equal(typeof l.next, 'string');
        assert.equal(l.items.length, limit, 'a page with a next one is full');
        after = l.next;
        assert.ok(pages < 100, 'paging ends');
    }
    return { items, pages };
}

test('keyset paging gives exactly the records of the one-page list, both orders, ties and NULLs', async () => {
    // 13 counterparties tagged "keyset": names and regions repeat, some
    // regions and INNs are NULL
    const inns = ['7736050003', '500100732259', '7710140679'];
    for (let i = 0; i < 13; i++) {
        await cp({
            kind: i % 2 ? 'partner' : 'installer', name: `Ключ ${['Б', 'А', 'Ё', 'Е'][i % 4]}`, tags: ['keyset'],
            region: i % 3 === 0 ? null : ['Тула', 'Омск'][i % 2],
            inn: i < 3 ? inns[i] : undefined, abc: i % 5 === 0 ? 'A' : undefined,
        });
    }
    for (const sort of ['name', 'region', 'inn', 'abc', 'kind', 'id']) {
        for (const sign of ['', '-']) {
            const base = `${C}/counterparties?tag=keyset&sort=${sign}${sort}`;
            const all = await ok(admin.get(`${base}&limit=500`));
            assert.equal(all.items.length, 13);
            assert.equal(all.next, null, 'one page holds all');
            const ks = await keyset(base, 4);
            assert.deepEqual(ks.items.map((c) => c.id), all.items.map((c) => c.id), `keyset ${sign}${sort}`);
            assert.equal(ks.pages, 4, 'no empty page at the end');
            // a page size that divides the list: the last full page says null
            const ks13 = await keyset(base, 13);
            assert.equal(ks13.pages, 1);
        }
    }
    // Russian alphabetical order: А, Б, Е, Ё; equal names by id
    const byName = await ok(admin.get(`${C}/counterparties?tag=keyset&limit=500`));
    const names = byName.items.map((c) => c.name);
    assert.deepEqual([...new Set(names)], ['Ключ А', 'Ключ Б', 'Ключ Е', 'Ключ Ё']);
    assert.equal(byName.total, 13);
    // with a search and a filter
    const base = `${C}/counterparties?q=${enc('ключ е')}&sort=-name`;
    const all = await ok(admin.get(`${base}&limit=500`));
    assert.equal(all.items.length, 6, 'Ё and Е are one letter to the search');
    assert.deepEqual((await keyset(base, 4)).items.map((c) => c.id), all.items.map((c) => c.id));
    const filtered = `${C}/counterparties?q=${enc('ключ')}&kind=partner&sort=region`;
    const fall = await ok(admin.get(`${filtered}&limit=500`));
    assert.equal(fall.items.length, 6);
    assert.deepEqual((await keyset(filtered, 5)).items.map((c) => c.id), fall.items.map((c) => c.id));
    // by relevance (a search without sort) too
    const rel = `${C}/counterparties?q=${enc('ключ')}`;
    const rall = await ok(admin.get(`${rel}&limit=500`));
    assert.equal(rall.items.length, 13);
    assert.deepEqual((await keyset(rel, 5)).items.map((c) => c.id), rall.items.map((c) => c.id));
});

test('keyset paging of contacts and outlets', async () => {
    const owner = await cp({ kind: 'retail_chain', name: 'Сеть Ключевая' });
    for (let i = 0; i < 7; i++) {
        await ok(admin.post(`${C}/outlets`, {
            owner_id: owner.id, name: `Точка ${i % 3}`, format: 'diy', address: i % 2 ? null : `ул. ${i % 4}`,
        }), 201);
        await ok(admin.post(`${C}/contacts`, {
            last_name: `Ключников${i % 2}`, links: [{ counterparty_id: owner.id }],
        }), 201);
    }
    for (const sort of ['name', 'address', 'checked_at', 'id']) {
        for (const order of ['asc', 'desc']) {
            const base = `${C}/outlets?owner_id=${owner.id}&sort=${order === 'desc' ? '-' : ''}${sort}`;
            const all = await ok(admin.get(`${base}&limit=500`));
            assert.equal(all.items.length, 7);
            assert.deepEqual((await keyset(base, 3)).items.map((o) => o.id), all.items.map((o) => o.id),
                `outlets ${sort} ${order}`);
        }
    }
    for (const sort of ['full_name', 'updated_at', 'id']) {
        for (const order of ['asc', 'desc']) {
            const base = `${C}/contacts?counterparty_id=${owner.id}&sort=${order === 'desc' ? '-' : ''}${sort}`;
            const all = await ok(admin.get(`${base}&limit=500`));
            assert.equal(all.items.length, 7);
            assert.deepEqual((await keyset(base, 2)).items.map((o) => o.id), all.items.map((o) => o.id),
                `contacts ${sort} ${order}`);
        }
    }
});

test('a cursor that is not one of the list is 422 naming after', async () => {
    const first = await ok(admin.get(`${C}/counterparties?tag=keyset&limit=2`));
    assert.ok(first.next);
    for (const after of ['not base64 !', first.next.slice(0, -3), 'x'.repeat(3000)]) {
        assertError(await admin.get(`${C}/counterparties?tag=keyset&limit=2&after=${enc(after)}`),
            422, 'validation', 'after');
    }
    // a cursor of another sort key
    assertError(await admin.get(`${C}/counterparties?tag=keyset&sort=region&after=${first.next}`),
        422, 'validation', 'after');
    assertError(await admin.get(`${C}/counterparties?tag=keyset&sort=-name&after=${first.next}`),
        422, 'validation', 'after');
});
