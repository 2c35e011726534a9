// clients' API test (issue 6, first step): counterparties (requisites
// checked: INN/KPP/OGRN vectors; CRUD, paging, sort, search by name
// fragment and by INN, filters, optimistic locking, deactivation),
// duplicates (INN+KPP 409 with the existing id, similar names), contacts
// (E.164 phones, e-mails, links to counterparties, reports-to tree built
// by PostgreSQL), served-by distributors, merge, permissions and the
// audit trail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../../../tests/lib/stack.js';
import { assertError, ok } from '../../../tests/lib/assert.js';

const stack = await startStack({
    enabled: ['catalog', 'clients'],
    security: { argon2_ops: 1, argon2_mem_kib: 8192 },
});
const C = '/api/v1/clients';
const PW = 'Clients-Test-Password-1';
const admin = await stack.loginAdmin();

const cp = (body) => ok(admin.post(`${C}/counterparties`, body), 201);
const contact = (body) => ok(admin.post(`${C}/contacts`, body), 201);

test('clients is enabled, migrated and declares its permissions', async () => {
    const health = await ok(stack.get('/api/v1/health'));
    assert.ok(health.modules.some((m) => m.name === 'clients'), JSON.stringify(health.modules));
    assert.equal(await stack.psql(
        "SELECT string_agg(name, ',' ORDER BY name) FROM core.migration WHERE module = 'clients'"),
        '0001_clients.sql,0002_outlets.sql,0003_attrs.sql,0004_scope.sql,0005_audit_visible.sql,0006_search.sql,' +
        '0007_search_words.sql,0008_merge_fields.sql,0012_scope_index.sql');
    const text = JSON.stringify(await ok(admin.get('/api/v1/permissions')));
    for (const p of ['clients.read', 'clients.write', 'clients.merge', 'clients.export']) {
        assert.ok(text.includes(p), text);
    }
    assert.ok(text.includes('Объединять дубликаты'), text);
});

test('INN, KPP and OGRN: valid public vectors pass, wrong ones are 422 naming the field', async () => {
    // Сбербанк: INN 7707083893, KPP 773601001, OGRN 1027700132195
    const sber = await cp({ kind: 'end_customer', name: 'Сбербанк', inn: '7707083893',
        kpp: '773601001', ogrn: '1027700132195' });
    assert.equal(sber.inn, '7707083893');
    assert.equal(sber.status, 'prospect');
    assert.equal(sber.version, 1);
    // a person (individual entrepreneur): 12-digit INN, 15-digit OGRNIP
    const ip = await cp({ kind: 'installer', name: 'ИП Иванов', inn: '500100732259',
        ogrn: '304500116000157' });
    assert.equal(ip.inn, '500100732259');
    // a KPP with letters in positions 5-6
    await cp({ kind: 'partner', name: 'Партнёр с буквенным КПП', inn: '7736050003', kpp: '7736AB001' });

    const bad = [
        [{ inn: '7707083894' }, 'inn', /checksum/],
        [{ inn: '500100732258' }, 'inn', /checksum/],
        [{ inn: '77070838' }, 'inn', /10 digits/],
        [{ inn: '77070838AB' }, 'inn', /10 digits/],
        [{ inn: '7707083893', kpp: '77360100' }, 'kpp', /9 characters/],
        [{ inn: '7707083893', kpp: '7736ab001' }, 'kpp', /9 characters/],
        [{ ogrn: '1027700132196' }, 'ogrn', /checksum/],
        [{ ogrn: '304500116000158' }, 'ogrn', /OGRNIP/],
        [{ ogrn: '12345' }, 'ogrn', /13 digits/],
        [{ inn: '500100732259', kpp: '773601001' }, 'kpp', /12-digit/],
        [{ kpp: '773601001' }, 'inn', /required/],
    ];
    for (const [extra, field, msg] of bad) {
        const res = await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'Плохие реквизиты', ...extra });
        assertError(res, 422, 'validation', field);
        assert.match(res.json.error.fields[field], msg, JSON.stringify(extra));
    }
    const kind = await admin.post(`${C}/counterparties`, { kind: 'friend', name: 'X', abc: 'D', status: 'gone' });
    assertError(kind, 422, 'validation', 'kind');
    assert.ok(kind.json.error.fields.abc && kind.json.error.fields.status, kind.text);
    assertError(await admin.post(`${C}/counterparties`, { name: 'Без вида' }), 422, 'validation', 'kind');
    assertError(await admin.post(`${C}/counterparties`, { kind: 'partner', name: 'X', typo: 1 }), 422, 'validation', 'typo');
    assert.equal(await stack.psql("SELECT count(*) FROM clients.counterparty WHERE name = 'Плохие реквизиты'"), '0');
});

test('counterparties: create, read, patch with version (409 stale), deactivate, audit trail', async () => {
    const parent = await cp({ kind: 'distributor', name: 'Холдинг ЭлектроСнаб' });
    const mgr = await ok(admin.post('/api/v1/users', { login: 'mgr1', password: PW, roles: ['manager'] }), 201);
    const c = await cp({
        kind: 'distributor', name: '  ЭлектроСнаб Север ', legal_name: 'ООО «ЭлектроСнаб Север»',
        parent_id: parent.id, region: 'Санкт-Петербург',
        address: 'Невский пр., 1', segment: 'B2B', abc: 'A', status: 'active', manager_id: mgr.id,
        phones: ['8 (812) 123-45-67', '+7 812 1234567'], emails: ['info@es-sever.ru'],
        site: 'https://es-sever.ru', tags: ['ключевой', 'север'], ext: { salesforce: '001A000001', c1: 'ЦБ-0001' },
    });
    assert.equal(c.name, 'ЭлектроСнаб Север', 'trimmed');
    assert.deepEqual(c.phones, ['+78121234567'], 'normalised and deduplicated');
    assert.deepEqual(c.tags, ['ключевой', 'север']);
    assert.equal(c.parent.id, parent.id);
    assert.equal(c.ext.salesforce, '001A000001');
    assert.equal(c.manager_id, mgr.id);

    const got = await ok(admin.get(`${C}/counterparties/${c.id}`));
    assert.equal(got.name, c.name);
    const p = await ok(admin.get(`${C}/counterparties/${parent.id}`));
    assert.deepEqual(p.children.map((x) => x.id), [c.id]);

    // edit: members left out keep their value, null clears
    const u = await ok(admin.patch(`${C}/counterparties/${c.id}`, { version: 1, region: 'Ленинградская обл.', site: null }));
    assert.equal(u.version, 2);
    assert.equal(u.region, 'Ленинградская обл.');
    assert.equal(u.site, null);
    assert.equal(u.address, 'Невский пр., 1');
    // a stale version is 409 naming it, and changes nothing
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 1, region: 'X' }), 409, 'conflict', 'version');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { region: 'X' }), 422, 'validation', 'version');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, name: '' }), 422, 'validation', 'name');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, status: null }), 422, 'validation', 'status');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, phones: ['12345'] }), 422, 'validation', 'phones[0]');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, emails: ['no-at-sign'] }), 422, 'validation', 'emails[0]');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, manager_id: 999999 }), 422, 'validation', 'manager_id');
    assertError(await admin.patch(`${C}/counterparties/${c.id}`, { version: 2, parent_id: 999999 }), 422, 'validation', 'parent_id');
    // the holding structure cannot become a loop
    assertError(await admin.patch(`${C}/counterparties/${parent.id}`, { version: 1, parent_id: c.id }), 422, 'validation', 'parent_id');
    assert.equal(await stack.psql(`SELECT region FROM clients.counterparty WHERE id = ${c.id}`), 'Ленинградская обл.');
    assertError(await admin.get(`${C}/counterparties/99999999`), 404, 'not_found');
    assertError(await admin.patch(`${C}/counterparties/99999999`, { version: 1 }), 404, 'not_found');

    // DELETE deactivates (other records refer to counterparties)
    assertError(await admin.delete(`${C}/counterparties/${c.id}?version=1`), 409, 'conflict', 'version');
    const d = await ok(admin.delete(`${C}/counterparties/${c.id}?version=2`));
    assert.equal(d.status, 'inactive');
    assert.equal(d.version, 3);

    // the audit trail: created, updated, deactivated, with old and new
    const hist = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${c.id}`));
    assert.deepEqual(hist.map((h) => h.action).reverse(), ['created', 'updated', 'updated']);
    const upd = hist[1];
    const old = upd.old ?? upd.old_value;
    const neu = upd.new ?? upd.new_value;
    assert.equal(old.region, 'Санкт-Петербург', JSON.stringify(upd));
    assert.equal(neu.region, 'Ленинградская обл.');
});

test('list: search by name fragment and INN, filters, sort, paging', async () => {
    const names = ['Ромашка Электро', 'Альфа Свет', 'Яблоко Монтаж', 'Ёлка Кабель'];
    const made = [];
    for (const [i, name] of names.entries()) {
        made.push(await cp({ kind: i % 2 ? 'installer' : 'retail_chain', name, region: i < 2 ? 'Тверь' : 'Омск',
            tags: i === 0 ? ['list-test'] : [], status: 'active' }));
    }
    const tver = await ok(admin.get(`${C}/counterparties?region=${encodeURIComponent('Тверь')}`));
    assert.deepEqual(tver.items.map((x) => x.name).sort(), ['Альфа Свет', 'Ромашка Электро']);
    assert.equal(tver.total, 2);
    assert.equal(tver.total_exact, true);
    // total is counted up to 1,000 unless total=exact is asked
    const exact = await ok(admin.get(`${C}/counterparties?region=${encodeURIComponent('Тверь')}&total=exact&limit=1`));
    assert.equal(exact.total, 2);
    assert.equal(exact.total_exact, true);
    assert.equal((await admin.get(`${C}/counterparties?total=some`)).status, 422);
    const q = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('машк')}`));
    assert.deepEqual(q.items.map((x) => x.id), [made[0].id]);
    const byInn = await ok(admin.get(`${C}/counterparties?q=770708`));
    assert.deepEqual(byInn.items.map((x) => x.inn), ['7707083893']);
    const exactInn = await ok(admin.get(`${C}/counterparties?inn=500100732259`));
    assert.equal(exactInn.items.length, 1);
    const tag = await ok(admin.get(`${C}/counterparties?tag=list-test`));
    assert.deepEqual(tag.items.map((x) => x.id), [made[0].id]);
    const inst = await ok(admin.get(`${C}/counterparties?kind=installer&region=${encodeURIComponent('Омск')}`));
    assert.deepEqual(inst.items.map((x) => x.name), ['Ёлка Кабель']);
    // Russian alphabetical order, both ways, and paging
    const omsk = encodeURIComponent('Омск');
    const asc = await ok(admin.get(`${C}/counterparties?region=${omsk}&sort=name`));
    assert.deepEqual(asc.items.map((x) => x.name), ['Ёлка Кабель', 'Яблоко Монтаж']);
    const desc = await ok(admin.get(`${C}/counterparties?region=${omsk}&sort=-name&limit=1`));
    assert.deepEqual(desc.items.map((x) => x.name), ['Яблоко Монтаж']);
    assert.equal(desc.total, 2);
    const page2 = await ok(admin.get(`${C}/counterparties?region=${omsk}&sort=-name&limit=1&after=${desc.next}`));
    assert.deepEqual(page2.items.map((x) => x.name), ['Ёлка Кабель']);
    assert.equal(page2.next, null);
    const byId = await ok(admin.get(`${C}/counterparties?sort=-id&limit=1`));
    assert.ok(byId.items[0].id >= made[3].id);
    assertError(await admin.get(`${C}/counterparties?sort=password`), 422, 'validation', 'sort');
    assertError(await admin.get(`${C}/counterparties?order=desc`), 422, 'validation', 'order');
    assertError(await admin.get(`${C}/counterparties?kind=friend`), 422, 'validation', 'kind');
    assertError(await admin.get(`${C}/counterparties?limit=-1`), 422, 'validation', 'limit');
});

test('duplicates: INN+KPP is 409 with the existing id; similar names are offered', async () => {
    const a = await cp({ kind: 'developer', name: 'ГК Стройинвест', inn: '7710140679', kpp: '771001001' });
    const dup = await admin.post(`${C}/counterparties`, { kind: 'developer', name: 'Стройинвест (дубль)',
        inn: '7710140679', kpp: '771001001' });
    assertError(dup, 409, 'conflict', 'inn');
    assert.equal(dup.json.duplicate.id, a.id, dup.text);
    assert.equal(dup.json.duplicate.link, `/api/v1/clients/counterparties/${a.id}`);
    // the kit's 409: the duplicate's name in `duplicate`, its id in the message
    assert.equal(dup.json.duplicate.name, 'ГК Стройинвест');
    assert.equal(dup.json.duplicate.visible, true);
    assert.match(dup.json.error.message, new RegExp(`inn: ${a.id}$`));
    // another KPP of the same INN is a branch: allowed
    const branch = await cp({ kind: 'developer', name: 'ГК Стройинвест, филиал', inn: '7710140679', kpp: '771002001' });
    // changing a record to an existing INN+KPP is 409 too, and changes nothing
    const chg = await admin.patch(`${C}/counterparties/${branch.id}`, { version: 1, kpp: '771001001' });
    assertError(chg, 409, 'conflict', 'inn');
    assert.equal(chg.json.duplicate.id, a.id);
    assert.equal(await stack.psql(`SELECT kpp FROM clients.counterparty WHERE id = ${branch.id}`), '771002001');
    // saving a record with its own INN+KPP is no duplicate
    await ok(admin.patch(`${C}/counterparties/${a.id}`, { version: 1, inn: '7710140679', kpp: '771001001', abc: 'B' }));

    const sim = await ok(admin.get(`${C}/counterparties/similar?name=${encodeURIComponent('Стройинвест ГК')}`));
    assert.ok(sim.length >= 2, JSON.stringify(sim));
    assert.ok(sim.some((x) => x.id === a.id));
    assert.ok(sim[0].similarity >= sim[sim.length - 1].similarity);
    assert.ok(sim[0].similarity > 0.3 && sim[0].similarity <= 1);
    const none = await ok(admin.get(`${C}/counterparties/similar?name=${encodeURIComponent('Абсолютно другое')}`));
    assert.ok(!none.some((x) => x.id === a.id));
    assertError(await admin.get(`${C}/counterparties/similar`), 422, 'validation', 'name');
});

test('E.164: Russian phone forms are normalised, invalid ones are 422 naming the element', async () => {
    const cases = [
        ['8 (495) 123-45-67', '+74951234567'],
        ['+7 495 1234567', '+74951234567'],
        ['495 123 45 67', '+74951234567'],
        ['8-912-345-67-89', '+79123456789'],
        ['7 (912) 345 67 89', '+79123456789'],
        ['+7(912)345-67-89', '+79123456789'],
        ['+44 20 7946 0958', '+442079460958'],
    ];
    for (const [input, e164] of cases) {
        const p = await contact({ last_name: 'Телефонов', phones: [input] });
        assert.deepEqual(p.phones, [e164], input);
    }
    for (const bad of ['12345', '8 495 123', '+7 495 12345678', 'звонить секретарю', '8 (495) 123-45-6x']) {
        const res = await admin.post(`${C}/contacts`, { last_name: 'Ошибкин', phones: ['+7 495 1234567', bad] });
        assertError(res, 422, 'validation', 'phones[1]');
        assert.match(res.json.error.fields['phones[1]'], /phone/);
    }
    assertError(await admin.post(`${C}/contacts`, { last_name: 'Ошибкин', emails: ['a@b'] }), 422, 'validation', 'emails[0]');
    assert.equal(await stack.psql("SELECT count(*) FROM clients.contact WHERE last_name = 'Ошибкин'"), '0');
});

test('contacts: links with position, edits with version, search, and the tree built by PostgreSQL', async () => {
    const firm = await cp({ kind: 'design_institute', name: 'Проектный институт Гипро' });
    const other = await cp({ kind: 'developer', name: 'Девелопер Плюс' });
    const boss = await contact({ last_name: 'Петров', first_name: 'Пётр', middle_name: 'Петрович',
        emails: ['Petrov@gipro.ru'], phones: ['8 (495) 765-43-21'], decision_role: 'decision_maker',
        birthday: '1970-05-17', consent: true,
        links: [{ counterparty_id: firm.id, position: 'Главный инженер', department: 'Дирекция' },
            { counterparty_id: other.id, position: 'Консультант' }] });
    assert.equal(boss.full_name, 'Петров Пётр Петрович');
    assert.equal(boss.birthday, '1970-05-17');
    assert.equal(boss.consent, true);
    assert.match(boss.consent_at, /^\d{4}-\d{2}-\d{2}$/, 'consent date set');
    assert.deepEqual(boss.links.map((l) => [l.counterparty_id, l.position]),
        [[firm.id, 'Главный инженер'], [other.id, 'Консультант']]);
    const gip = await contact({ last_name: 'Сидоров', first_name: 'Иван', reports_to: boss.id,
        links: [{ counterparty_id: firm.id, position: 'ГИП', department: 'Электрика' }] });
    const eng = await contact({ last_name: 'Алексеева', first_name: 'Анна', reports_to: gip.id,
        links: [{ counterparty_id: firm.id, position: 'Инженер' }] });
    const eng2 = await contact({ last_name: 'Борисов', reports_to: gip.id,
        links: [{ counterparty_id: firm.id, position: 'Инженер' }] });

    const tree = await ok(admin.get(`${C}/counterparties/${firm.id}/contacts/tree`));
    assert.equal(tree.length, 1, JSON.stringify(tree));
    assert.equal(tree[0].id, boss.id);
    assert.equal(tree[0].position, 'Главный инженер');
    assert.equal(tree[0].children[0].id, gip.id);
    assert.deepEqual(tree[0].children[0].children.map((x) => x.id), [eng.id, eng2.id], 'Russian order');
    assert.deepEqual(tree[0].children[0].children[0].children, []);
    // at the other counterparty only the boss is linked: a root alone
    const tree2 = await ok(admin.get(`${C}/counterparties/${other.id}/contacts/tree`));
    assert.deepEqual(tree2.map((x) => [x.id, x.children.length]), [[boss.id, 0]]);
    assertError(await admin.get(`${C}/counterparties/99999999/contacts/tree`), 404, 'not_found');

    // reports-to cannot loop
    assertError(await admin.patch(`${C}/contacts/${boss.id}`, { version: 1, reports_to: eng.id }), 422, 'validation', 'reports_to');
    assertError(await admin.patch(`${C}/contacts/${boss.id}`, { version: 1, links: [{ counterparty_id: 99999999 }] }), 422, 'validation', 'links');
    assertError(await admin.post(`${C}/contacts`, { last_name: 'Двойной', links: [{ counterparty_id: firm.id }, { counterparty_id: firm.id }] }), 422, 'validation', 'links[1]');
    // edit: links replaced as a whole, others kept; stale version 409
    const u = await ok(admin.patch(`${C}/contacts/${boss.id}`, { version: 1, first_name: 'Павел',
        links: [{ counterparty_id: firm.id, position: 'Технический директор', department: 'Дирекция' }] }));
    assert.equal(u.version, 2);
    assert.equal(u.full_name, 'Петров Павел Петрович');
    assert.deepEqual(u.links.map((l) => [l.counterparty_id, l.position]), [[firm.id, 'Технический директор']]);
    assert.deepEqual(u.phones, ['+74957654321']);
    assertError(await admin.patch(`${C}/contacts/${boss.id}`, { version: 1, first_name: 'X' }), 409, 'conflict', 'version');
    const off = await ok(admin.patch(`${C}/contacts/${boss.id}`, { version: 2, consent: false, active: false }));
    assert.equal(off.consent, false);
    assert.equal(off.active, false);

    // search: name fragment, phone in any written form, e-mail; by counterparty
    const byName = await ok(admin.get(`${C}/contacts?q=${encodeURIComponent('сидор')}`));
    assert.deepEqual(byName.items.map((x) => x.id), [gip.id]);
    const byPhone = await ok(admin.get(`${C}/contacts?q=${encodeURIComponent('8 495 765-43-21')}`));
    assert.deepEqual(byPhone.items.map((x) => x.id), [boss.id]);
    const byMail = await ok(admin.get(`${C}/contacts?q=petrov@gipro.ru`));
    assert.deepEqual(byMail.items.map((x) => x.id), [boss.id]);
    const atFirm = await ok(admin.get(`${C}/contacts?counterparty_id=${firm.id}&active=true`));
    assert.deepEqual(atFirm.items.map((x) => x.id), [eng.id, eng2.id, gip.id]);
    const one = await ok(admin.get(`${C}/contacts/${gip.id}`));
    assert.equal(one.reports_to, boss.id);
    assertError(await admin.get(`${C}/contacts/99999999`), 404, 'not_found');

    const hist = await ok(admin.get(`/api/v1/audit?entity=clients.contact&id=${boss.id}`));
    assert.deepEqual(hist.map((h) => h.action).reverse(), ['created', 'updated', 'updated']);

    // DELETE (the kit's): one others report to is kept (409); a leaf goes with its links, audited
    const cur = await ok(admin.get(`${C}/contacts/${boss.id}`));
    assertError(await admin.request('DELETE', `${C}/contacts/${boss.id}?version=${cur.version}`), 409, 'conflict');
    const leaf = await contact({ last_name: 'Удаляемый', links: [{ counterparty_id: firm.id }] });
    assert.equal((await admin.request('DELETE', `${C}/contacts/${leaf.id}?version=${leaf.version}`)).status, 204);
    assertError(await admin.get(`${C}/contacts/${leaf.id}`), 404, 'not_found');
    assert.equal(await stack.psql(`SELECT count(*) FROM clients.contact_link WHERE contact_id = ${leaf.id}`), '0');
    const gone = await ok(admin.get(`/api/v1/audit?entity=clients.contact&id=${leaf.id}`));
    assert.equal(gone[0].action, 'deleted');
    assert.equal(gone[0].old.links[0].counterparty_id, firm.id, 'the audit keeps the links it had');
});

const putDistributors = (client, id, list, q = '') =>
    client.request('PUT', `${C}/counterparties/${id}/distributors${q}`, { json: list });

test('served-by distributors: replaced as a whole, one main, only distributors', async () => {
    const d1 = await cp({ kind: 'distributor', name: 'Дистрибьютор Один' });
    const d2 = await cp({ kind: 'distributor', name: 'Дистрибьютор Два' });
    const shop = await cp({ kind: 'retail_chain', name: 'Сеть Магазинов Свет' });
    // the only one becomes main
    let s = await ok(putDistributors(admin, shop.id, [{ distributor_id: d1.id }]));
    assert.deepEqual(s.distributors.map((x) => [x.distributor_id, x.main]), [[d1.id, true]]);
    assert.equal(s.version, 2);
    s = await ok(putDistributors(admin, shop.id,
        [{ distributor_id: d1.id, main: false }, { distributor_id: d2.id, main: true }], '?version=2'));
    assert.deepEqual(s.distributors.map((x) => [x.distributor_id, x.main]), [[d2.id, true], [d1.id, false]]);
    assertError(await putDistributors(admin, shop.id, [{ distributor_id: d1.id }], '?version=2'), 409, 'conflict', 'version');
    assertError(await putDistributors(admin, shop.id,
        [{ distributor_id: d1.id, main: true }, { distributor_id: d2.id, main: true }]), 422, 'validation', 'distributors');
    assertError(await putDistributors(admin, shop.id,
        [{ distributor_id: d1.id }, { distributor_id: d2.id }]), 422, 'validation', 'distributors');
    const notDist = await putDistributors(admin, shop.id, [{ distributor_id: d1.id, main: true }, { distributor_id: shop.id }]);
    assertError(notDist, 422, 'validation', 'distributors[1]');
    assertError(await putDistributors(admin, shop.id, [{ distributor_id: 99999999 }]), 422, 'validation', 'distributors[0]');
    assertError(await putDistributors(admin, shop.id, { distributor_id: d1.id }), 422, 'validation', 'distributors');
    const served = await ok(admin.get(`${C}/counterparties?distributor_id=${d1.id}`));
    assert.deepEqual(served.items.map((x) => x.id), [shop.id]);
    assert.deepEqual((await ok(admin.get(`${C}/counterparties/${shop.id}/distributors`))).map((x) => x.distributor_id), [d2.id, d1.id]);
    s = await ok(putDistributors(admin, shop.id, []));
    assert.deepEqual(s.distributors, []);
    const hist = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${shop.id}`));
    assert.equal(hist.length, 4);
});

test('merge: contacts, children and distributor links move to the survivor; audited; merged ones are marked', async () => {
    const dist = await cp({ kind: 'distributor', name: 'Дистрибьютор Слияния' });
    const keep = await cp({ kind: 'installer', name: 'Монтажник Главный', inn: '7728168971' });
    const dupA = await cp({ kind: 'installer', name: 'Монтажник Главный (копия)' });
    const dupB = await cp({ kind: 'installer', name: 'Монтажник Главный, дубль' });
    const child = await cp({ kind: 'installer', name: 'Монтажник Филиал', parent_id: dupA.id });
    await ok(putDistributors(admin, dupB.id, [{ distributor_id: dist.id }]));
    const both = await contact({ last_name: 'Общий', links: [{ counterparty_id: keep.id, position: 'Директор' },
        { counterparty_id: dupA.id, position: 'Директор (старое)' }] });
    const onlyA = await contact({ last_name: 'Только-А', links: [{ counterparty_id: dupA.id, position: 'Снабженец' }] });

    assertError(await admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 9, from: [dupA.id] }), 409, 'conflict', 'version');
    assertError(await admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 1, from: [keep.id] }), 422, 'validation', 'from[0]');
    assertError(await admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 1, from: [dupA.id, 99999999] }), 422, 'validation', 'from[1]');
    assertError(await admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 1, from: [] }), 422, 'validation', 'from');

    const m = await ok(admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 1, from: [dupA.id, dupB.id] }));
    assert.equal(m.id, keep.id);
    assert.equal(m.version, 2);
    assert.deepEqual(m.distributors.map((x) => x.distributor_id), [dist.id]);
    for (const id of [dupA.id, dupB.id]) {
        const g = await ok(admin.get(`${C}/counterparties/${id}`));
        assert.equal(g.merged_into, keep.id);
        assert.equal(g.status, 'inactive');
    }
    assert.equal((await ok(admin.get(`${C}/counterparties/${child.id}`))).parent_id, keep.id);
    const b = await ok(admin.get(`${C}/contacts/${both.id}`));
    assert.deepEqual(b.links.map((l) => [l.counterparty_id, l.position]), [[keep.id, 'Директор']]);
    const a = await ok(admin.get(`${C}/contacts/${onlyA.id}`));
    assert.deepEqual(a.links.map((l) => [l.counterparty_id, l.position]), [[keep.id, 'Снабженец']]);
    const tree = await ok(admin.get(`${C}/counterparties/${keep.id}/contacts/tree`));
    assert.equal(tree.length, 2);
    // merged records leave the list and the similar candidates; they cannot be edited or merged again
    const list = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('Монтажник Главный')}`));
    assert.deepEqual(list.items.map((x) => x.id), [keep.id]);
    assertError(await admin.patch(`${C}/counterparties/${dupA.id}`, { version: 2, name: 'X' }), 409, 'conflict');
    assertError(await admin.post(`${C}/counterparties/${keep.id}/merge`, { version: 2, from: [dupA.id] }), 422, 'validation', 'from[0]');
    // audited on both sides: what the merged one had, so it can be undone
    const ha = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${dupA.id}`));
    assert.equal(ha[0].action, 'merged');
    const old = ha[0].old ?? ha[0].old_value;
    assert.deepEqual(old.child_ids, [child.id]);
    assert.deepEqual(old.contact_links.map((l) => l.contact_id).sort(), [both.id, onlyA.id].sort());
    const hk = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${keep.id}`));
    assert.equal(hk[0].action, 'merged');
    assert.deepEqual((hk[0].new ?? hk[0].new_value).merged_from, [dupA.id, dupB.id]);
    // clients.merge is its own permission: clients.write is not enough
    await ok(admin.post('/api/v1/roles', {
        name: 'clients_writer', label_ru: 'Клиенты (запись)', label_en: 'Clients (write)',
        permissions: ['clients.read', 'clients.write'],
    }), 201);
    await ok(admin.post('/api/v1/users', { login: 'writer', password: PW, roles: ['clients_writer'] }), 201);
    const w = await stack.login('writer', PW);
    await ok(w.post(`${C}/counterparties`, { kind: 'partner', name: 'Писатель может' }), 201);
    assertError(await w.post(`${C}/counterparties/${keep.id}/merge`, { version: 2, from: [dupB.id] }), 403, 'forbidden');
});

test('merge of distributors: the counterparties they serve keep one link, main kept', async () => {
    const d1 = await cp({ kind: 'distributor', name: 'ДистрМерж Основной' });
    const d2 = await cp({ kind: 'distributor', name: 'ДистрМерж Дубль' });
    const d3 = await cp({ kind: 'distributor', name: 'ДистрМерж Третий' });
    const s1 = await cp({ kind: 'installer', name: 'Клиент Мержа 1' });
    const s2 = await cp({ kind: 'installer', name: 'Клиент Мержа 2' });
    const s3 = await cp({ kind: 'installer', name: 'Клиент Мержа 3' });
    await ok(putDistributors(admin, s1.id, [{ distributor_id: d2.id, main: true }, { distributor_id: d3.id }]));
    await ok(putDistributors(admin, s2.id, [{ distributor_id: d1.id, main: false }, { distributor_id: d2.id, main: true }]));
    await ok(putDistributors(admin, s3.id, [{ distributor_id: d1.id, main: true }, { distributor_id: d2.id, main: false }]));
    await ok(putDistributors(admin, d2.id, [{ distributor_id: d3.id }]));
    await ok(admin.post(`${C}/counterparties/${d1.id}/merge`, { version: 1, from: [d2.id] }));
    const links = async (id) => (await ok(admin.get(`${C}/counterparties/${id}/distributors`)))
        .map((x) => [x.distributor_id, x.main]);
    assert.deepEqual(await links(s1.id), [[d1.id, true], [d3.id, false]]);
    assert.deepEqual(await links(s2.id), [[d1.id, true]]);
    assert.deepEqual(await links(s3.id), [[d1.id, true]]);
    assert.deepEqual(await links(d1.id), [[d3.id, false]], 'served by what served the merged one');
    assert.deepEqual(await links(d2.id), []);
});

test('undoing a merge: the merged record lives again with what it had; the survivor keeps its own', async () => {
    const keep = await cp({ kind: 'end_customer', name: 'Откат Основной', region: 'Москва' });
    const holding = await cp({ kind: 'end_customer', name: 'Откат Холдинг' });
    const dup = await cp({ kind: 'end_customer', name: 'Откат Дубль', parent_id: holding.id, status: 'active' });
    const kid = await cp({ kind: 'end_customer', name: 'Откат Дочка', parent_id: dup.id });
    const dist = await cp({ kind: 'distributor', name: 'Откат Дистрибьютор' });
    const person = await contact({ last_name: 'Откатов', links: [{ counterparty_id: dup.id, position: 'Закупщик' }] });
    const own = await contact({ last_name: 'Основнов', links: [{ counterparty_id: keep.id }] });
    await ok(putDistributors(admin, dup.id, [{ distributor_id: dist.id, main: true }]));
    const shop = await ok(admin.post(`${C}/outlets`, { owner_id: dup.id, name: 'Откат Магазин', format: 'diy' }), 201);
    const dupNow = await ok(admin.get(`${C}/counterparties/${dup.id}`));

    assertError(await admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: dupNow.version }), 409, 'conflict');
    await ok(admin.post(`${C}/counterparties/${keep.id}/merge`, { version: keep.version, from: [dup.id] }));
    assert.equal((await ok(admin.get(`${C}/outlets/${shop.id}`))).owner_id, keep.id);
    const merged = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    assertError(await admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: merged.version + 5 }), 409, 'conflict', 'version');

    const back = await ok(admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: merged.version }));
    assert.equal(back.merged_into, null);
    assert.equal(back.status, 'active');
    assert.equal(back.parent_id, holding.id);
    assert.deepEqual(back.distributors.map((d) => [d.distributor_id, d.main]), [[dist.id, true]]);
    assert.equal((await ok(admin.get(`${C}/counterparties/${kid.id}`))).parent_id, dup.id);
    assert.equal((await ok(admin.get(`${C}/outlets/${shop.id}`))).owner_id, dup.id);
    const p = await ok(admin.get(`${C}/contacts/${person.id}`));
    assert.deepEqual(p.links.map((l) => [l.counterparty_id, l.position]).sort(),
        [[dup.id, 'Закупщик'], [keep.id, 'Закупщик']].sort(), 'the survivor keeps the link it got');
    const o = await ok(admin.get(`${C}/contacts/${own.id}`));
    assert.deepEqual(o.links.map((l) => l.counterparty_id), [keep.id]);
    // in the list again, and audited on both sides
    const l = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('Откат Дубль')}`));
    assert.deepEqual(l.items.map((c) => c.id), [dup.id]);
    const ha = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${dup.id}`));
    assert.equal(ha[0].action, 'unmerged');
    const hk = await ok(admin.get(`/api/v1/audit?entity=clients.counterparty&id=${keep.id}`));
    assert.equal(hk[0].action, 'unmerged');
    assert.deepEqual(hk[0].new.from, [dup.id]);
    // once is enough
    assertError(await admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: back.version }), 409, 'conflict');
});

// issue 13: a merge chooses field by field, and by default loses nothing.
// A 10-digit INN with its check digit from nine digits.
function inn10(nine) {
    const w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const d = [...nine].map(Number);
    return nine + String((w.reduce((s, x, i) => s + x * d[i], 0) % 11) % 10);
}
// a record as the merge compares it: without what every write changes
const fields = (c) => {
    const { version, updated_at, merged_into, status, distributors, ...rest } = c;
    return rest;
};

test('merge by default keeps every value: the duplicate\'s phone reaches the survivor; undo restores exactly', async () => {
    const keep = await cp({ kind: 'end_customer', name: 'Поле Основной', region: 'Москва', phones: ['+7 495 111-11-11'],
        emails: ['main@pole.example'], tags: ['vip'] });
    const dup = await cp({ kind: 'installer', name: 'Поле Дубль', legal_name: 'ООО «Поле»', region: 'Тула',
        address: 'Тула, ул. Дубля, 1', inn: inn10('712345678'), kpp: '710101001', site: 'pole.example',
        phones: ['8 (495) 222-22-22', '+7 495 111-11-11'], emails: ['MAIN@pole.example', 'dup@pole.example'],
        tags: ['new', 'vip'] });
    const keepBefore = await ok(admin.get(`${C}/counterparties/${keep.id}`));
    const dupBefore = await ok(admin.get(`${C}/counterparties/${dup.id}`));

    const m = await ok(admin.post(`${C}/counterparties/${keep.id}/merge`, { version: keep.version, from: [dup.id] }));
    // the survivor's own values stay; what it lacked comes from the duplicate; lists are united, its own first
    assert.equal(m.name, 'Поле Основной');
    assert.equal(m.kind, 'end_customer');
    assert.equal(m.region, 'Москва');
    assert.equal(m.legal_name, 'ООО «Поле»');
    assert.equal(m.address, 'Тула, ул. Дубля, 1');
    assert.equal(m.site, 'pole.example');
    assert.deepEqual([m.inn, m.kpp], [dup.inn, '710101001'], 'the duplicate\'s requisites, INN and KPP together');
    assert.deepEqual(m.phones, ['+74951111111', '+74952222222']);
    assert.deepEqual(m.emails, ['main@pole.example', 'dup@pole.example'], 'an e-mail once, whatever its case');
    assert.deepEqual(m.tags, ['vip', 'new']);
    // found by the duplicate's phone now
    const l = await ok(admin.get(`${C}/counterparties?q=${encodeURIComponent('+7 495 222-22-22')}`));
    assert.deepEqual(l.items.map((x) => x.id), [keep.id]);

    // undo: both records exactly as they were
    const merged = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    await ok(admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: merged.version }));
    const keepAfter = await ok(admin.get(`${C}/counterparties/${keep.id}`));
    const dupAfter = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    assert.deepEqual(fields(keepAfter), fields(keepBefore));
    assert.deepEqual(fields(dupAfter), fields(dupBefore));
    assert.equal(dupAfter.status, dupBefore.status);
});

test('merge with a choice per field: one record\'s value, one record\'s list or both; undo restores exactly', async () => {
    const dA = await cp({ kind: 'distributor', name: 'Выбор Дистрибьютор А' });
    const dB = await cp({ kind: 'distributor', name: 'Выбор Дистрибьютор Б' });
    const keep = await cp({ kind: 'end_customer', name: 'Выбор Основной', inn: inn10('773456789'), kpp: '770101001',
        phones: ['+7 495 333-33-33'], emails: ['keep@choice.example'], tags: ['a'], attrs: {} });
    const dup = await cp({ kind: 'partner', name: 'Выбор — правильное имя', inn: inn10('774567890'), kpp: '770201001',
        phones: ['+7 495 444-44-44'], emails: ['dup@choice.example'], tags: ['b'] });
    await ok(putDistributors(admin, keep.id, [{ distributor_id: dA.id, main: true }]));
    await ok(putDistributors(admin, dup.id, [{ distributor_id: dB.id, main: true }]));
    const keepBefore = await ok(admin.get(`${C}/counterparties/${keep.id}`));
    const dupBefore = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    const merge = (keepChoice, version = keepBefore.version) =>
        admin.post(`${C}/counterparties/${keep.id}/merge`, { version, from: [dup.id], keep: keepChoice });

    // a choice must name a field a merge chooses and one of the records (or both, for a list)
    assertError(await merge(5), 422, 'validation', 'keep');
    assertError(await merge({ name: 'both' }), 422, 'validation', 'keep.name');
    assertError(await merge({ colour: keep.id }), 422, 'validation', 'keep.colour');
    assertError(await merge({ phones: dA.id }), 422, 'validation', 'keep.phones');
    assertError(await merge({ emails: 'neither' }), 422, 'validation', 'keep.emails');

    const m = await ok(merge({ name: dup.id, kind: keep.id, inn: dup.id, phones: dup.id, emails: keep.id, tags: 'both',
        distributors: dup.id }));
    assert.equal(m.name, 'Выбор — правильное имя');
    assert.equal(m.kind, 'end_customer');
    assert.deepEqual([m.inn, m.kpp], [dupBefore.inn, '770201001']);
    assert.deepEqual(m.phones, ['+74954444444']);
    assert.deepEqual(m.emails, ['keep@choice.example']);
    assert.deepEqual(m.tags, ['a', 'b']);
    assert.deepEqual(m.distributors.map((d) => [d.distributor_id, d.main]), [[dB.id, true]]);
    // the survivor's own distributors only
    const merged = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    await ok(admin.post(`${C}/counterparties/${dup.id}/unmerge`, { version: merged.version }));
    const keepAfter = await ok(admin.get(`${C}/counterparties/${keep.id}`));
    const dupAfter = await ok(admin.get(`${C}/counterparties/${dup.id}`));
    assert.deepEqual(fields(keepAfter), fields(keepBefore));
    assert.deepEqual(keepAfter.distributors.map((d) => [d.distributor_id, d.main]), [[dA.id, true]]);
    assert.deepEqual(fields(dupAfter), fields(dupBefore));
    assert.deepEqual(dupAfter.distributors.map((d) => [d.distributor_id, d.main]), [[dB.id, true]]);

    // and again keeping the survivor's distributors only
    const m2 = await ok(merge({ distributors: keep.id }, keepAfter.version));
    assert.deepEqual(m2.distributors.map((d) => [d.distributor_id, d.main]), [[dA.id, true]]);
    assert.deepEqual(m2.phones, ['+74953333333', '+74954444444'], 'the rule where nothing was chosen');
});

test('permissions: anonymous 401, clients.read may read but not write (403)', async () => {
    assertError(await stack.get(`${C}/counterparties`), 401, 'unauthenticated');
    assertError(await stack.post(`${C}/counterparties`, { kind: 'partner', name: 'X' }), 401, 'unauthenticated');
    assertError(await stack.get(`${C}/contacts`), 401, 'unauthenticated');

    const x = await cp({ kind: 'competitor', name: 'Конкурент Чтение' });
    await ok(admin.post('/api/v1/roles', {
        name: 'clients_reader', label_ru: 'Клиенты (чтение)', label_en: 'Clients (read)',
        permissions: ['clients.read'],
    }), 201);
    await ok(admin.post('/api/v1/users', { login: 'reader', password: PW, roles: ['clients_reader'] }), 201);
    const rd = await stack.login('reader', PW);
    assert.equal((await rd.get(`${C}/counterparties`)).status, 200);
    assert.equal((await rd.get(`${C}/counterparties/${x.id}`)).status, 200);
    assert.equal((await rd.get(`${C}/counterparties/similar?name=x`)).status, 200);
    assert.equal((await rd.get(`${C}/counterparties/${x.id}/contacts/tree`)).status, 200);
    assert.equal((await rd.get(`${C}/contacts`)).status, 200);
    assertError(await rd.post(`${C}/counterparties`, { kind: 'partner', name: 'Нельзя' }), 403, 'forbidden');
    assertError(await rd.patch(`${C}/counterparties/${x.id}`, { version: 1, name: 'Нельзя' }), 403, 'forbidden');
    assertError(await rd.delete(`${C}/counterparties/${x.id}`), 403, 'forbidden');
    assertError(await rd.post(`${C}/contacts`, { last_name: 'Нельзя' }), 403, 'forbidden');
    // the module's read permission opens its records' audit trail
    assert.equal((await rd.get(`/api/v1/audit?entity=clients.counterparty&id=${x.id}`)).status, 200);
    assert.equal(await stack.psql("SELECT count(*) FROM clients.counterparty WHERE name = 'Нельзя'"), '0');
});
