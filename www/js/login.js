// login.js -- the login page (/login?next=/where/the/person/was).

import { h, replace, id } from './dom.js';
import { translator, getLocale, LOCALES } from './i18n.js';
import { ApiError } from './api.js';
import { login } from './session.js';
import { errorMessage } from './errors.js';
import { setTitle } from './shell.js';

const t = translator('core');

// Only a path of this site, and never the login page itself.
export function safeNext(next) {
    if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
    if (next === '/login' || next.startsWith('/login?') || next.startsWith('/api/')) return '/';
    return next;
}

// opts: {onLoggedIn(next), onLocale(loc), notice}
export function loginView(opts) {
    return (ctx) => {
        setTitle(t('login.title'));
        const next = safeNext(ctx.query.get('next'));
        const loginId = id('login');
        const passId = id('login');
        const errId = id('login');
        const loginInput = h('input', { id: loginId, name: 'login', type: 'text', autocomplete: 'username',
            autocapitalize: 'none', spellcheck: 'false', required: true, maxlength: '64' });
        const passInput = h('input', { id: passId, name: 'password', type: 'password',
            autocomplete: 'current-password', required: true, maxlength: '1024' });
        const error = h('div', { id: errId, class: 'login-error', role: 'alert', hidden: true });
        const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', text: t('login.submit') });
        const form = h('form', { class: 'login-form', novalidate: true, 'aria-describedby': errId },
            h('div', { class: 'field' }, h('label', { for: loginId, text: t('login.login') }), loginInput),
            h('div', { class: 'field' }, h('label', { for: passId, text: t('login.password') }), passInput),
            error,
            submit);

        const showError = (msg) => {
            error.textContent = msg;
            error.hidden = false;
        };
        if (opts.notice?.()) showError(opts.notice());

        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            error.hidden = true;
            const name = loginInput.value.trim();
            if (!name || !passInput.value) {
                showError(t('login.empty'));
                (name ? passInput : loginInput).focus();
                return;
            }
            submit.disabled = true;
            submit.textContent = t('login.busy');
            try {
                await login(name, passInput.value);
                await opts.onLoggedIn(next);
            } catch (err) {
                passInput.value = '';
                if (err instanceof ApiError && err.status === 401) showError(t('login.wrong'));
                else if (err instanceof ApiError && err.status === 429) {
                    showError(err.retryAfter
                        ? t('login.throttled_for', { min: Math.max(1, Math.ceil(err.retryAfter / 60)) })
                        : t('login.throttled'));
                } else showError(errorMessage(err));
                passInput.focus();
            } finally {
                submit.disabled = false;
                submit.textContent = t('login.submit');
            }
        });

        const other = LOCALES.find((l) => l !== getLocale());
        replace(ctx.main,
            h('div', { class: 'login-card' },
                h('div', { class: 'login-brand' },
                    h('span', { class: 'brand-mark brand-mark-big', 'aria-hidden': 'true', text: 'К' }),
                    h('div', null,
                        h('h1', { class: 'login-title', text: t('app.name') }),
                        h('p', { class: 'login-sub', text: t('login.subtitle') }))),
                form,
                h('div', { class: 'login-foot' },
                    h('button', { type: 'button', class: 'link-btn', lang: other, dataset: { locale: other },
                        text: t(`lang.${other}`), onclick: () => opts.onLocale(other) }))));
        loginInput.focus();
    };
}
