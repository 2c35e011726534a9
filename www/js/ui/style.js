// style.js -- the stylesheet of the components loaded on demand (tree,
// list-of-strings field, import dialog, extra attributes): css/components.css,
// linked once by the first of them that renders, so the first page does
// not carry it.

let linked = false;

export function componentCss() {
    if (linked || document.querySelector('link[data-components-css]')) {
        linked = true;
        return;
    }
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('../../css/components.css', import.meta.url).pathname;
    link.dataset.componentsCss = '';
    document.head.append(link);
    linked = true;
}
