// stats.js -- /hello/stats: how many greetings there are per language,
// as a bar chart.

import { helloStrings, langLabel, pageNav } from './shared.js';

export default async function statsPage(ctx, kedr) {
    const t = helloStrings(kedr);
    const { h, replace } = kedr.dom;
    const { chart, skeleton, errorState } = kedr.ui;
    kedr.setTitle(t('stats'));
    replace(ctx.main, skeleton(4));
    let list;
    try {
        list = (await kedr.api.get('/hello/greetings?limit=500')).items;
    } catch (err) {
        replace(ctx.main, errorState(kedr.errorMessage(err)));
        return;
    }
    const per = new Map();
    for (const g of list) per.set(g.lang, (per.get(g.lang) || 0) + 1);
    const langs = [...per.keys()].sort();
    const c = await chart({
        type: 'bar',
        label: t('stats'),
        labels: langs.map((l) => langLabel(t, l)),
        datasets: [{ label: t('stats_count'), data: langs.map((l) => per.get(l)) }],
        integer: true,
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('stats') })),
        pageNav(kedr, t, 'stats'),
        h('section', { class: 'card' }, c.el));
    return () => c.destroy();
}
