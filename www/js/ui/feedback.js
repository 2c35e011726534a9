// feedback.js -- toasts, confirm dialogs, empty states, loading skeletons.
//
//   toast(t('saved'));                       toast(msg, {kind: 'error'})
//   toast(t('deleted'), {action: {label: t('undo'), run: () => restore()}})
//   if (await confirmDialog({title, message, ok: t('delete'), danger: true})) ...
//   main.append(emptyState(t('users.none'), button))
//   main.append(skeleton(5))

import { h, id, append } from '../dom.js';
import { translator } from '../i18n.js';

const t = translator('core');

let region = null;

function toastRegion() {
    if (!region || !region.isConnected) {
        region = h('div', { class: 'toasts', 'aria-live': 'polite', 'aria-relevant': 'additions' });
        document.body.append(region);
    }
    return region;
}

// A short message in the corner; errors stay until closed or 10 s.
// action: {label, run} adds a button ("Отменить" after a delete) that
// runs once and closes the toast; such a toast stays 10 s.
export function toast(message, { kind = 'ok', timeout, action } = {}) {
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': t('close'), text: '×' });
    const act = action ? h('button', { type: 'button', class: 'toast-action', text: action.label }) : null;
    const el = h('div', { class: ['toast', `toast-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
        h('span', { class: 'toast-text', text: message }), act, close);
    let gone = false;
    const remove = () => {
        if (gone) return;
        gone = true;
        el.classList.add('toast-out');
        setTimeout(() => el.remove(), 200);
    };
    close.addEventListener('click', remove);
    act?.addEventListener('click', () => {
        act.disabled = true;
        remove();
        action.run();
    });
    toastRegion().append(el);
    setTimeout(remove, timeout ?? (kind === 'error' || action ? 10000 : 4000));
    return el;
}

// A modal dialog (native <dialog>: focus stays inside, Esc cancels).
// body: extra content nodes; buttons: [{label, value, kind}];
// onOpen(close): called once shown, with a function that closes it.
// Resolves the chosen value (undefined when cancelled).
export function dialog({ title, message, body = [], buttons = [], className, onOpen }) {
    return new Promise((resolve) => {
        const titleId = id('dlg');
        const msgId = id('dlg');
        const dlg = h('dialog', { class: ['dialog', className], 'aria-labelledby': titleId,
            'aria-describedby': message ? msgId : null });
        let value;
        const btns = buttons.map((b) => h('button', {
            type: 'button',
            class: ['btn', b.kind && `btn-${b.kind}`],
            onclick: () => {
                value = b.value;
                dlg.close();
            },
        }, b.label));
        append(dlg, [
            h('h2', { id: titleId, class: 'dialog-title', text: title }),
            message ? h('p', { id: msgId, class: 'dialog-message', text: message }) : null,
            ...body,
            btns.length ? h('div', { class: 'dialog-buttons' }, btns) : null,
        ]);
        dlg.addEventListener('close', () => {
            dlg.remove();
            resolve(value);
        });
        document.body.append(dlg);
        dlg.showModal();
        const focus = buttons.findIndex((b) => b.autofocus);
        (btns[focus >= 0 ? focus : btns.length - 1] || dlg).focus();
        onOpen?.(() => dlg.close());
    });
}

// Yes or no.  Resolves true only for the OK button.
export async function confirmDialog({ title, message, ok, cancel, danger = false }) {
    const v = await dialog({
        title,
        message,
        buttons: [
            { label: cancel || t('cancel'), value: false, autofocus: danger },
            { label: ok || t('ok'), value: true, kind: danger ? 'danger' : 'primary' },
        ],
    });
    return v === true;
}

// "Nothing here yet", with an optional action (a button or a link).
export function emptyState(message, action) {
    return h('div', { class: 'empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true', text: '∅' }),
        h('p', { class: 'empty-text', text: message }),
        action || null);
}

// Grey placeholder lines while a page or list loads.
export function skeleton(lines = 4, { label } = {}) {
    const el = h('div', { class: 'skeleton', role: 'status', 'aria-busy': 'true' },
        h('span', { class: 'sr-only', text: label || t('loading') }));
    for (let i = 0; i < lines; i++) el.append(h('div', { class: ['sk-line', `sk-w${i % 4}`] }));
    return el;
}

// An inline error block with an optional retry button.
export function errorState(message, retry) {
    return h('div', { class: 'error-state', role: 'alert' },
        h('p', { text: message }),
        retry ? h('button', { type: 'button', class: 'btn', onclick: retry, text: t('retry') }) : null);
}
