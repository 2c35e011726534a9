// upload.js -- file upload with a progress bar per file.
//
//   uploadBox({url: '/clients/5/files', accept: '.pdf,image/*', multiple: true,
//              maxBytes: 10 << 20, onUploaded: (json, file) => ...})
//
// Each file goes as multipart/form-data (field `file`) by XMLHttpRequest,
// the one browser API that reports upload progress, with the CSRF
// header; errors come back in the server's one shape.  Drop files on the
// box or pick them with the button (keyboard: it is a real file input).

import { h, id as newId } from '../dom.js';
import { translator, formatNumber } from '../i18n.js';
import { apiUrl, csrfHeader, ApiError, apiEvents } from '../api.js';
import { errorMessage } from '../errors.js';

const t = translator('core');

function size(bytes) {
    if (bytes < 1024) return t('upload.bytes', { n: bytes });
    if (bytes < 1024 * 1024) return t('upload.kb', { n: formatNumber(bytes / 1024, { maximumFractionDigits: 0 }) });
    return t('upload.mb', { n: formatNumber(bytes / 1048576, { maximumFractionDigits: 1 }) });
}

function send(url, file, field, onProgress) {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', url);
        for (const [k, v] of Object.entries(csrfHeader())) xhr.setRequestHeader(k, v);
        xhr.setRequestHeader('Accept', 'application/json');
        xhr.upload.addEventListener('progress', (ev) => {
            if (ev.lengthComputable) onProgress(ev.loaded / ev.total);
        });
        xhr.addEventListener('load', () => {
            let body = null;
            try {
                body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
            } catch {
                body = null;
            }
            if (xhr.status >= 200 && xhr.status < 300) resolve(body);
            else {
                const headers = { get: (n) => xhr.getResponseHeader(n) };
                const err = new ApiError(xhr.status, body, headers);
                if (xhr.status === 401) apiEvents.dispatchEvent(new CustomEvent('unauthenticated', { detail: err }));
                reject(err);
            }
        });
        xhr.addEventListener('error', () => reject(new ApiError(0, null, null)));
        const fd = new FormData();
        fd.append(field, file, file.name);
        xhr.send(fd);
    });
}

export function uploadBox(opts) {
    const inputId = newId('upload');
    const input = h('input', { id: inputId, type: 'file', class: 'upload-input', accept: opts.accept || null,
        multiple: opts.multiple || null });
    const list = h('ul', { class: 'upload-list', 'aria-live': 'polite' });
    const zone = h('div', { class: 'upload-zone' },
        input,
        h('label', { for: inputId, class: 'btn', text: opts.label || t('upload.choose') }),
        h('span', { class: 'muted', text: t('upload.drop') }));
    const el = h('div', { class: 'upload' }, zone, list);

    async function one(file) {
        const bar = h('progress', { max: '100', value: '0', 'aria-label': t('upload.progress', { name: file.name }) });
        const status = h('span', { class: 'upload-status', text: size(file.size) });
        const item = h('li', { class: 'upload-item' }, h('span', { class: 'upload-name', text: file.name }), bar, status);
        list.append(item);
        if (opts.maxBytes && file.size > opts.maxBytes) {
            item.classList.add('upload-failed');
            status.textContent = t('upload.too_big', { max: size(opts.maxBytes) });
            bar.remove();
            return;
        }
        try {
            const res = await send(apiUrl(opts.url), file, opts.field || 'file', (p) => {
                bar.value = Math.round(p * 100);
                status.textContent = `${Math.round(p * 100)} %`;
            });
            bar.value = 100;
            item.classList.add('upload-done');
            status.textContent = t('upload.done');
            opts.onUploaded?.(res, file);
        } catch (err) {
            item.classList.add('upload-failed');
            status.textContent = errorMessage(err);
        }
    }

    function take(files) {
        for (const f of files) one(f);
    }
    input.addEventListener('change', () => {
        take([...input.files]);
        input.value = '';
    });
    zone.addEventListener('dragover', (ev) => {
        ev.preventDefault();
        zone.classList.add('upload-over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('upload-over'));
    zone.addEventListener('drop', (ev) => {
        ev.preventDefault();
        zone.classList.remove('upload-over');
        take([...ev.dataTransfer.files].slice(0, opts.multiple ? undefined : 1));
    });
    return { el };
}
