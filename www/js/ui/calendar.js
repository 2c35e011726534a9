// calendar.js -- a month/week calendar of events (meetings, deadlines):
// FullCalendar, in the person's language, events from a callback, drag
// an event to another day or time with a callback that may refuse.
//
//   const cal = await calendar({
//       label: t('calendar'),
//       view: 'month',                       // or 'week'
//       events: async ({ start, end }) => [{ id, title, start, end, allDay, href }],
//       onMove: async ({ event, start, end }) => false to refuse,
//   });
//   main.append(cal.el);                     // then cal.render()
//
// events() is called for each range shown (start inclusive, end exclusive,
// as Date); an event with href opens that page.  Without onMove the events
// cannot be dragged.  cal.calendar is FullCalendar's own object
// (navigation: cal.calendar.next(), .prev(), .changeView(...)).

import { h } from '../dom.js';
import { getLocale, translator } from '../i18n.js';
import { toast } from './feedback.js';
import { errorMessage } from '../errors.js';
import { vendor } from './vendor.js';
import { navigate } from '../router.js';

const t = translator('core');
const VIEWS = { month: 'dayGridMonth', week: 'timeGridWeek' };

export async function calendar({ label, view = 'month', events, onMove, height = 'auto' }) {
    const FullCalendar = await vendor('fullcalendar');
    const el = h('div', { class: 'calendar', role: 'region', 'aria-label': label });
    const cal = new FullCalendar.Calendar(el, {
        locale: getLocale() === 'ru' ? 'ru' : 'en',
        initialView: VIEWS[view] || VIEWS.month,
        headerToolbar: { start: 'prev,next today', center: 'title', end: `${VIEWS.month},${VIEWS.week}` },
        height,
        editable: Boolean(onMove),
        events: (info, success, failure) => {
            Promise.resolve(events({ start: info.start, end: info.end })).then((list) => success(list.map((e) => ({
                id: String(e.id), title: e.title, start: e.start, end: e.end, allDay: e.allDay,
                url: e.href, extendedProps: { source: e } })))).catch((err) => {
                toast(`${t('calendar.failed')}: ${errorMessage(err)}`, { kind: 'error' });
                failure(err);
            });
        },
        // the shell's router opens an event's page, not a full reload
        eventClick: (info) => {
            if (!info.event.url) return;
            info.jsEvent.preventDefault();
            navigate(info.event.url);
        },
        eventDrop: async (info) => {
            let ok;
            try {
                ok = (await onMove({ event: info.event.extendedProps.source, start: info.event.start,
                    end: info.event.end })) !== false;
            } catch (err) {
                ok = false;
                toast(errorMessage(err), { kind: 'error' });
            }
            if (!ok) info.revert();
        },
    });
    return { el, calendar: cal, render: () => cal.render(), refetch: () => cal.refetchEvents(),
        destroy: () => cal.destroy() };
}
