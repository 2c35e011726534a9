-- bench/clients-data.sql -- the data set of bench/clients.sh (issue 6):
-- 65,000 counterparties, 150,000 contacts, 100,000 outlets, 20,000
-- products, straight into the schemas with generate_series.  Names are
-- built from small Russian word lists so that trigram search has real
-- text to chew on; INNs are unique 10-digit strings (not valid check
-- digits: the module checks those, SQL does not).
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.42);

CREATE TEMP TABLE w_pre (i int, v text);
INSERT INTO w_pre SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'ООО','АО','ПАО','ЗАО','ИП','ГК','ТД','ТК']) v;
CREATE TEMP TABLE w_a (i int, v text);
INSERT INTO w_a SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Строй','Электро','Свет','Техно','Энерго','Монтаж','Пром','Инвест',
  'Сиб','Урал','Волга','Нева','Агро','Мега','Альфа','Вектор','Гранд',
  'Север','Юг','Восток','Запад','Центр','Кабель','Люкс']) v;
CREATE TEMP TABLE w_b (i int, v text);
INSERT INTO w_b SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'снаб','сервис','комплект','торг','маркет','групп','систем','проект',
  'ресурс','трейд','строй','мастер','холдинг','логистик','дом','лайн']) v;
CREATE TEMP TABLE w_city (i int, v text);
INSERT INTO w_city SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Москва','Санкт-Петербург','Новосибирск','Екатеринбург','Казань',
  'Нижний Новгород','Самара','Ростов-на-Дону','Краснодар','Воронеж',
  'Пермь','Уфа','Тюмень','Иркутск','Томск','Омск']) v;
CREATE TEMP TABLE w_last (i int, v text);
INSERT INTO w_last SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Иванов','Смирнов','Кузнецов','Попов','Васильев','Петров','Соколов',
  'Михайлов','Новиков','Фёдоров','Морозов','Волков','Алексеев','Лебедев',
  'Семёнов','Егоров','Павлов','Козлов','Степанов','Николаев']) v;
CREATE TEMP TABLE w_first (i int, v text);
INSERT INTO w_first SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Александр','Сергей','Дмитрий','Андрей','Алексей','Максим','Иван',
  'Михаил','Николай','Владимир','Олег','Павел']) v;
CREATE TEMP TABLE w_mid (i int, v text);
INSERT INTO w_mid SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Александрович','Сергеевич','Дмитриевич','Андреевич','Иванович',
  'Петрович','Николаевич','Владимирович']) v;
CREATE TEMP TABLE w_shop (i int, v text);
INSERT INTO w_shop SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Магазин','Салон','Гипермаркет','Склад','Павильон','Шоурум',
  'Точка','Отдел']) v;
CREATE TEMP TABLE w_street (i int, v text);
INSERT INTO w_street SELECT row_number() OVER (), v FROM unnest(ARRAY[
  'Ленина','Мира','Садовая','Советская','Гагарина','Пушкина','Лесная',
  'Заводская','Строителей','Победы','Молодёжная','Центральная']) v;

-- counterparties: 65,000; the first 500 are distributors
INSERT INTO clients.counterparty (kind, name, legal_name, inn, kpp, region,
    status, abc, tags)
SELECT CASE WHEN g <= 500 THEN 'distributor'
            ELSE (ARRAY['end_customer','installer','design_institute',
                        'developer','retail_chain','partner'])[1 + g % 6] END,
       nm || ' №' || g,
       p.v || ' «' || nm || '»',
       lpad((1000000000 + g * 7919)::text, 10, '0'),
       CASE WHEN p.v = 'ИП' THEN NULL ELSE '7701' || '01' || '001' END,
       c.v,
       (ARRAY['prospect','active','active','inactive'])[1 + g % 4],
       (ARRAY['A','B','C'])[1 + g % 3],
       CASE WHEN g % 10 = 0 THEN ARRAY['vip'] ELSE '{}' END
  FROM generate_series(1, 65000) g
  CROSS JOIN LATERAL (SELECT a.v || b.v AS nm FROM w_a a, w_b b
                       WHERE a.i = 1 + (g * 7 + g / 11) % 24
                         AND b.i = 1 + (g * 13 + g / 5) % 16) n
  JOIN w_pre p ON p.i = 1 + g % 8
  JOIN w_city c ON c.i = 1 + (g / 3) % 16;

-- counterparties served by distributors (one each)
INSERT INTO clients.counterparty_distributor (counterparty_id,
    distributor_id, main)
SELECT g, 1 + g % 500, true FROM generate_series(501, 65000) g;

-- contacts: 150,000, each linked to one counterparty
INSERT INTO clients.contact (last_name, first_name, middle_name,
    decision_role, phones)
SELECT l.v, f.v, m.v,
       (ARRAY['decision_maker','influencer','approver','user','gatekeeper',
              'other'])[1 + g % 6],
       ARRAY['+7495' || lpad(g::text, 7, '0')]
  FROM generate_series(1, 150000) g
  JOIN w_last l ON l.i = 1 + g % 20
  JOIN w_first f ON f.i = 1 + (g / 20) % 12
  JOIN w_mid m ON m.i = 1 + (g / 7) % 8;
INSERT INTO clients.contact_link (contact_id, counterparty_id, position)
SELECT g, 1 + g % 65000, 'Менеджер' FROM generate_series(1, 150000) g;

-- catalog: 50 groups, 20,000 products
INSERT INTO catalog.product_group (name)
SELECT 'Группа ' || g FROM generate_series(1, 50) g;
INSERT INTO catalog.product (sku, name, group_id)
SELECT 'SKU-' || lpad(g::text, 6, '0'),
       (ARRAY['Кабель','Автомат','Розетка','Выключатель','Светильник',
              'Лампа','Щит','Провод'])[1 + g % 8] || ' модель ' || g,
       (SELECT min(id) FROM catalog.product_group) + g % 50
  FROM generate_series(1, 20000) g;

-- outlets: 100,000, owned by counterparties 501.., each supplied by one
-- distributor (about 200 outlets per distributor)
INSERT INTO clients.outlet (owner_id, name, format, address)
SELECT 501 + g % 64500,
       s.v || ' ' || a.v || b.v || ' ' || g,
       (ARRAY['diy','electrical_shop','chain_store','showroom','online'])[1 + g % 5],
       c.v || ', ул. ' || st.v || ', ' || (1 + g % 150)
  FROM generate_series(1, 100000) g
  JOIN w_shop s ON s.i = 1 + g % 8
  JOIN w_a a ON a.i = 1 + (g / 8) % 24
  JOIN w_b b ON b.i = 1 + (g / 3) % 16
  JOIN w_city c ON c.i = 1 + (g / 5) % 16
  JOIN w_street st ON st.i = 1 + g % 12;
INSERT INTO clients.outlet_distributor (outlet_id, distributor_id)
SELECT g, 1 + g % 500 FROM generate_series(1, 100000) g;
COMMIT;
-- VACUUM, not only ANALYZE: freshly inserted rows sit in the GIN
-- (trigram) indexes' pending lists until a vacuum merges them, and every
-- search scans those lists in full -- a state autovacuum ends within a
-- minute of a bulk load, which the benchmark should not measure
VACUUM ANALYZE clients.counterparty, clients.counterparty_distributor,
    clients.contact, clients.contact_link, clients.outlet,
    clients.outlet_distributor, catalog.product_group, catalog.product;
