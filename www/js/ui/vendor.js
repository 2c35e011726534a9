// vendor.js -- the browser libraries under www/vendor/ (installed by
// `make www-vendor` from vendor/package-lock.json), loaded on demand.
//
//   const Sortable = await vendor('sortable');
//
// Each library is a classic script that defines one global; it is loaded
// once, with its stylesheets, by the first component that needs it, so the
// first page never pays for it (make www-size).  Paths are relative to this
// file, so they carry the install's stamp (/v/<stamp>/, tools/www-stamp.sh).

const at = (file) => new URL(`../../vendor/${file}`, import.meta.url).pathname;

const LIBS = {
    sortable: { scripts: [at('sortable/Sortable.min.js')], global: 'Sortable' },
    // FullCalendar v7 ships plain stylesheets instead of injecting <style>
    // (which the CSP forbids); its theme and locale register themselves
    // on the global, so they load after it.
    fullcalendar: {
        css: [at('fullcalendar/skeleton.css'), at('fullcalendar/theme.css'),
            at('fullcalendar/palette.css')],
        scripts: [at('fullcalendar/global.js'), at('fullcalendar/classic.js'),
            at('fullcalendar/ru.js')],
        global: 'FullCalendar',
    },
    chart: { scripts: [at('chart/chart.umd.min.js')], global: 'Chart' },
};

const loading = new Map(); // name -> Promise of the global

function script(src) {
    return new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = src;
        el.async = false;
        el.onload = () => resolve();
        el.onerror = () => reject(new Error(`${src}: not loaded (run make www-vendor)`));
        document.head.append(el);
    });
}

function stylesheet(href) {
    if (document.querySelector(`link[data-vendor-css="${href}"]`)) return Promise.resolve();
    return new Promise((resolve, reject) => {
        const el = document.createElement('link');
        el.rel = 'stylesheet';
        el.href = href;
        el.dataset.vendorCss = href;
        el.onload = () => resolve();
        el.onerror = () => reject(new Error(`${href}: not loaded (run make www-vendor)`));
        document.head.append(el);
    });
}

// The global of library `name` (a key of LIBS), loading it the first time.
export function vendor(name) {
    const lib = LIBS[name];
    if (!lib) return Promise.reject(new Error(`vendor: no library ${name}`));
    if (!loading.has(name)) {
        const p = (async () => {
            await Promise.all((lib.css || []).map(stylesheet));
            // in order: a theme or locale needs the library's global
            for (const src of lib.scripts) await script(src);
            return window[lib.global];
        })();
        p.catch(() => loading.delete(name));
        loading.set(name, p);
    }
    return loading.get(name);
}
