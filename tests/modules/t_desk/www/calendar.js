// /t_desk/calendar: the cards on the day each was created, by month or
// week; a creation date is history, so a drag is refused.

import { cards, deskStrings } from './index.js';

// The browser's own date of an instant, as a day-long event.
const localDay = (ts) => {
    const d = new Date(ts);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export default async function calendarPage(ctx, kedr) {
    const t = deskStrings(kedr);
    const { h, replace } = kedr.dom;
    const { calendar, toast } = kedr.ui;
    kedr.setTitle(t('calendar'));
    const cal = await calendar({
        label: t('calendar'),
        view: ctx.query.get('view') === 'week' ? 'week' : 'month',
        events: async () => (await cards(kedr)).map((c) => ({
            id: c.id, title: c.title, start: localDay(c.created_at), allDay: true, href: `/t_desk/${c.id}` })),
        onMove: ({ event }) => {
            toast(t('calendar_refused', { text: event.title }), { kind: 'error' });
            return false;
        },
    });
    replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: t('calendar') })), cal.el);
    cal.render();
    return () => cal.destroy();
}
