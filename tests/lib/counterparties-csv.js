// A generated counterparties CSV for the import's big-file test and bench
// (modules/clients/tests/import-job.test.js, bench/import-rate.mjs):
// `rows` counterparties, each with a kind, a unique name, a region, a
// phone and two tags.
export function counterpartiesCsv(rows) {
    const kinds = ['end_customer', 'installer', 'partner', 'distributor'];
    const parts = ['Тип;Название;Регион;Телефоны;Метки\r\n'];
    for (let i = 1; i <= rows; i++) {
        parts.push(`${kinds[i % 4]};Контрагент ${i};Регион ${i % 85};+7 495 ${String(1000000 + i).slice(-7)};`
            + `метка${i % 10}, партия\r\n`);
    }
    return parts.join('');
}
