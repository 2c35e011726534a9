// chart.js -- a bar, line or pie chart from data (KPIs, counts): Chart.js,
// numbers in the person's locale (1 234,5 in Russian) on axes and in
// tooltips.
//
//   const c = await chart({
//       type: 'bar',                          // 'line', 'pie'
//       label: t('per_lang'),                 // the accessible name
//       labels: ['Русский', 'English'],
//       datasets: [{ label: t('greetings'), data: [3, 1] }],
//       format: { maximumFractionDigits: 1 },  // Intl.NumberFormat options
//       integer: true,                        // counts: whole-number steps
//   });
//   main.append(c.el);                        // c.chart is Chart.js's object
//
// The canvas draws once it is in the document; c.update(labels, datasets)
// redraws with new data; c.destroy() when the page goes away.

import { h } from '../dom.js';
import { formatNumber, intlTag } from '../i18n.js';
import { vendor } from './vendor.js';

// A palette that reads on white and apart for the colour-blind (Okabe-Ito).
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export async function chart({ type = 'bar', label, labels, datasets, format = {}, integer = false, height = 280 }) {
    const Chart = await vendor('chart');
    const canvas = h('canvas', { role: 'img', 'aria-label': label });
    const el = h('div', { class: 'chart', dataset: { chartType: type } }, canvas);
    el.style.height = `${height}px`;
    const num = (v) => formatNumber(v, format);
    const pie = type === 'pie';
    const colour = (ds, i) => (pie ? { backgroundColor: ds.data.map((_, j) => COLOURS[j % COLOURS.length]) }
        : { backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length] });
    const data = (ls, dss) => ({ labels: ls, datasets: dss.map((ds, i) => ({ ...colour(ds, i), ...ds })) });
    const c = new Chart(canvas, {
        type,
        data: data(labels, datasets),
        options: {
            locale: intlTag(),
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            scales: pie ? {} : { y: { beginAtZero: true, ticks: { precision: integer ? 0 : undefined,
                callback: (v) => num(v) } } },
            plugins: {
                legend: { display: pie || datasets.length > 1 },
                tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label ? `${ctx.dataset.label}: ` : ''}${num(ctx.parsed.y ?? ctx.parsed)}` } },
            },
        },
    });
    return {
        el,
        chart: c,
        update(ls, dss) {
            c.data = data(ls, dss);
            c.update();
        },
        destroy: () => c.destroy(),
    };
}
