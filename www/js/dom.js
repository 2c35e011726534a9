// dom.js -- building elements without HTML strings.
//
//   h('button', {class: 'btn', type: 'button', onclick: save}, t('save'))
//
// Text always goes in as text nodes (never parsed), so nothing a user or
// the server typed can become markup, and the strict CSP (no inline
// scripts or style attributes) holds.

// Properties set as DOM properties rather than attributes.
const PROPS = new Set(['value', 'checked', 'selected', 'indeterminate', 'defaultValue']);

let uid = 0;

// A fresh id for label/aria wiring: id('f') -> "f-12".
export function id(prefix = 'k') {
    uid += 1;
    return `${prefix}-${uid}`;
}

// Create an element.  props: class (string or array), text, on<event>
// (a function), dataset (object), value/checked/... (properties), any
// other key is an attribute (true -> present, false/null -> absent).
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
        for (const [k, v] of Object.entries(props)) {
            if (v === undefined || v === null || v === false) continue;
            if (k === 'class') {
                el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
            } else if (k === 'text') {
                el.textContent = String(v);
            } else if (k === 'dataset') {
                Object.assign(el.dataset, v);
            } else if (k.startsWith('on') && typeof v === 'function') {
                el.addEventListener(k.slice(2).toLowerCase(), v);
            } else if (PROPS.has(k)) {
                el[k] = v;
            } else {
                el.setAttribute(k, v === true ? '' : String(v));
            }
        }
    }
    append(el, children);
    return el;
}

// Append children: nodes, strings/numbers (as text), arrays, null (skipped).
export function append(el, children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        if (Array.isArray(c)) append(el, c);
        else if (c instanceof Node) el.appendChild(c);
        else el.appendChild(document.createTextNode(String(c)));
    }
    return el;
}

// Remove every child, then append the given ones.
export function replace(el, ...children) {
    el.replaceChildren();
    return append(el, children);
}

// A debounced function: runs fn once `ms` after the last call.
export function debounce(fn, ms) {
    let timer = null;
    const d = (...args) => {
        clearTimeout(timer);
        timer = setTimeout(() => fn(...args), ms);
    };
    d.cancel = () => clearTimeout(timer);
    return d;
}

// Visually hidden text for screen readers.
export function srOnly(text) {
    return h('span', { class: 'sr-only', text });
}
