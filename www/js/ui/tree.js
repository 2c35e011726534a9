// tree.js -- a tree of records (a contact structure, a group tree):
// nested lists, each node with children behind a disclosure button
// (aria-expanded; Enter or Space folds and unfolds it), so the links and
// buttons inside stay ordinary tab stops for the keyboard.
//
//   treeView({
//     items: [{id, ..., children: [...]}],
//     label: t('structure'),                     // the tree's accessible name
//     render: (node) => [nodes...],              // one node's row
//     children: (node) => node.children,         // default
//     open: (node, depth) => depth < 2,          // unfolded at first (default: all)
//   }) -> {el, expandAll(), collapseAll(), node(id)}

import { h } from '../dom.js';
import { translator } from '../i18n.js';
import { componentCss } from './style.js';

const t = translator('core');

export function treeView({ items, label, render, children = (n) => n.children, open = () => true, className }) {
    componentCss();
    const toggles = [];
    const byId = new Map();

    function node(n, depth) {
        const kids = children(n) || [];
        const row = h('div', { class: 'tree-row' });
        const li = h('li', { class: 'tree-node', dataset: { id: String(n.id ?? '') } }, row);
        byId.set(String(n.id), li);
        if (kids.length) {
            const list = h('ul', { class: 'tree-children' }, kids.map((k) => node(k, depth + 1)));
            const btn = h('button', { type: 'button', class: 'tree-toggle', 'aria-expanded': 'true' },
                h('span', { class: 'tree-caret', 'aria-hidden': 'true' }),
                h('span', { class: 'sr-only', text: t('tree.toggle', { n: kids.length }) }));
            const set = (on) => {
                btn.setAttribute('aria-expanded', String(on));
                list.hidden = !on;
            };
            btn.addEventListener('click', () => set(btn.getAttribute('aria-expanded') !== 'true'));
            set(open(n, depth) !== false);
            toggles.push(set);
            row.append(btn);
            li.append(list);
        } else {
            row.append(h('span', { class: 'tree-leaf', 'aria-hidden': 'true' }));
        }
        row.append(h('div', { class: 'tree-content' }, render(n, depth)));
        return li;
    }

    const el = h('ul', { class: ['tree', className], 'aria-label': label || null }, items.map((n) => node(n, 0)));
    return {
        el,
        expandAll: () => toggles.forEach((s) => s(true)),
        collapseAll: () => toggles.forEach((s) => s(false)),
        node: (id) => byId.get(String(id)) || null,
    };
}
