// calendar.js -- /hello/calendar: the greetings on the day each was
// created, by month or week.  A greeting's creation date is history, so
// dragging one is refused (the calendar puts it back).

import { helloStrings, pageNav } from './shared.js';

// The browser's own date of an instant: a greeting made at 23:30 is on
// that day, as a day-long event (a timed one an hour long would reach
// into the next day).
const localDay = (ts) => {
    const d = new Date(ts);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export default async function calendarPage(ctx, kedr) {
    const t = helloStrings(kedr);
    const { h, replace } = kedr.dom;
    const { calendar, toast } = kedr.ui;
    kedr.setTitle(t('calendar'));
    const cal = await calendar({
        label: t('calendar'),
        view: ctx.query.get('view') === 'week' ? 'week' : 'month',
        events: async () => (await kedr.api.get('/hello/greetings?limit=500')).items.map((g) => ({
            id: g.id, title: g.text, start: localDay(g.created_at), allDay: true, href: `/hello/${g.id}` })),
        onMove: ({ event }) => {
            toast(t('calendar_refused', { text: event.title }), { kind: 'error' });
            return false;
        },
    });
    replace(ctx.main,
        h('div', { class: 'page-head' }, h('h1', { text: t('calendar') })),
        pageNav(kedr, t, 'calendar'),
        cal.el);
    cal.render();
    return () => cal.destroy();
}
