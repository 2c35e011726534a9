// /t_desk/stats: how many cards each lane holds, as a bar chart.

import { cards, deskStrings, laneLabel } from './index.js';

export default async function statsPage(ctx, kedr) {
    const t = deskStrings(kedr);
    const { h, replace } = kedr.dom;
    kedr.setTitle(t('stats'));
    const per = new Map();
    for (const c of await cards(kedr)) per.set(c.lane, (per.get(c.lane) || 0) + 1);
    const lanes = [...per.keys()].sort();
    const c = await kedr.ui.chart({
        type: 'bar',
        label: t('stats'),
        labels: lanes.map((l) => laneLabel(t, l)),
        datasets: [{ label: t('stats_count'), data: lanes.map((l) => per.get(l)) }],
        integer: true,
    });
    replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('stats') })),
        h('section', { class: 'card' }, c.el));
    return () => c.destroy();
}
