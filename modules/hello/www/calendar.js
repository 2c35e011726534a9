// calendar.js -- /hello/calendar: the greetings on the day each was
// created, by month or week.  A greeting's creation date is history, so
// dragging one is refused (the calendar puts it back).

import { helloStrings, pageNav } from './shared.js';

export default async function calendarPage(ctx, kedr) {
    const t = helloStrings(kedr);
    const { h, replace } = kedr.dom;
    const { calendar, toast } = kedr.ui;
    kedr.setTitle(t('calendar'));
    const cal = await calendar({
        label: t('calendar'),
        view: ctx.query.get('view') === 'week' ? 'week' : 'month',
        events: async () => (await kedr.api.get('/hello/greetings?limit=500')).items.map((g) => ({
            id: g.id, title: g.text, start: g.created_at, href: `/hello/${g.id}` })),
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
