// tests/lib/stack.js -- a throw-away Kedr stack for the API tests.
//
//   import { startStack } from '../lib/stack.js';
//   const stack = await startStack({ enabled: ['t_base', 't_core'] });
//   const res = await stack.get('/api/v1/health');
//
// startStack() makes a temporary DIR, writes DIR/kedr.conf from its options
// (socket DIR/run/kedr.sock, pid file DIR/run/kedr.pid, both module
// directories of the build on modules.path), and runs
// `tools/stack.sh up DIR --conf DIR/kedr.conf --port P`: a private
// PostgreSQL in DIR/pg (unix socket only), `kedr schema`, `kedr serve`
// and nginx on 127.0.0.1:P.  One stack per test file, shared by its tests.
//
// Teardown always runs: an after() hook of the test file, and exit and
// signal handlers of the process.  A failed test prints the tail of the
// kedr log; with KEDR_TEST_KEEP=1 the DIR (logs, data, config) is kept and
// its path printed.
//
// Node 20 built-ins only.

import { after, afterEach } from 'node:test';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.resolve(ROOT, process.env.B || 'build');
export const KEDR = process.env.KEDR_BIN || path.join(BUILD, 'kedr');
export const STACK_SH = path.join(ROOT, 'tools/stack.sh');
export const MODULE_PATH = [path.join(BUILD, 'modules'), path.join(BUILD, 'tests/modules')];
// A sanitizer report (make asan) in a stack's kedr log fails its test file.
const SANITIZER_RE = /ERROR: (?:AddressSanitizer|LeakSanitizer)|runtime error:/;

const KEEP = process.env.KEDR_TEST_KEEP === '1';
// More than nginx's upstream keepalive (see Stack.checkWorkers).
const DEFAULT_WORKERS = 5;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Poll fn() until it returns a truthy value (returned) or the deadline
// passes (throws, with the last value or error in the message).
export async function waitFor(fn, { timeout = 10000, interval = 100, what = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
        try {
            last = await fn();
            if (last) return last;
        } catch (err) {
            last = err;
        }
        if (Date.now() > deadline) {
            const detail = last instanceof Error ? last.message : JSON.stringify(last);
            throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${detail})`);
        }
        await sleep(interval);
    }
}

// A TCP port nobody listens on right now (the OS picks it).
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

// Environment for child processes: no libpq settings of the caller (they
// would point psql elsewhere), and no KEDR_DATABASE_URL unless given.
function childEnv(extra = {}) {
    // tests log in far more often than nginx.conf.example's 10 a minute
    const env = { KEDR_LOGIN_RATE: '6000r/m', ...process.env };
    for (const k of Object.keys(env)) {
        if (/^PG[A-Z]+$/.test(k) || k === 'KEDR_DATABASE_URL') delete env[k];
    }
    return { ...env, ...extra };
}

// Run a command; resolves {code, signal, stdout, stderr} whatever the exit.
export function run(cmd, args, { env, cwd = ROOT, timeout = 120000, input } = {}) {
    return new Promise((resolve) => {
        const child = execFile(cmd, args, { env: env || childEnv(), cwd, timeout, maxBuffer: 64 << 20 },
            (err, stdout, stderr) => {
                resolve({
                    code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
                    signal: err ? err.signal || null : null,
                    stdout: String(stdout),
                    stderr: String(stderr),
                });
            });
        // a command that exits (or refuses) before reading its input
        // closes the pipe: EPIPE then is its answer, not the test's error
        child.stdin.on('error', () => {});
        if (input !== undefined) child.stdin.end(input);
    });
}

// Run build/kedr with a config file: runKedr(conf, ['modules']).  `input`
// goes to its standard input (else stdin is an open, empty pipe).
export function runKedr(conf, args, { databaseUrl, timeout = 30000, input } = {}) {
    const env = childEnv(databaseUrl ? { KEDR_DATABASE_URL: databaseUrl } : {});
    return run(KEDR, ['-c', conf, ...args], { env, timeout, input });
}

// ---------------------------------------------------------------------
// kedr.conf
// ---------------------------------------------------------------------

function confValue(v) {
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
        if (!Number.isInteger(v)) return String(v);
        return Math.abs(v) > 2147483647 ? `${v}L` : String(v);
    }
    if (Array.isArray(v)) return `[ ${v.map(confValue).join(', ')} ]`;
    if (v && typeof v === 'object') return `{\n${confGroupBody(v)}}`;
    throw new Error(`kedr.conf: cannot write ${JSON.stringify(v)}`);
}

function confGroupBody(obj) {
    return Object.entries(obj)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `  ${k} = ${confValue(v)};\n`)
        .join('');
}

// The example modules (modules/<name>/, copied to start a module) are
// free to change: the core's own tests (tests/) run with them off, on the
// test modules of tests/modules/, and an example's tests
// (modules/<name>/tests/) enable it.  A core test file that enables one
// fails here, before its stack starts.
export const EXAMPLE_MODULES = ['hello'];
const TESTS_DIR = path.join(ROOT, 'tests') + path.sep;

function refuseExamples(enabled) {
    const file = path.resolve(process.argv[1] || '');
    const examples = enabled.filter((m) => EXAMPLE_MODULES.includes(m));
    if (file.startsWith(TESTS_DIR) && examples.length > 0) {
        throw new Error(`${path.relative(ROOT, file)} enables the example module(s) ${examples.join(', ')}: `
            + 'the core\'s tests use the test modules of tests/modules/ (an example\'s own tests sit in '
            + 'modules/<name>/tests/)');
    }
}

// The text of a kedr.conf for a stack in `dir`.  Options (all optional):
//   enabled [], workers 5, maxRequests 0, requestTimeout 30, maxBody,
//   importMaxRows, importJobRows (server.import_job_rows: more rows, a job),
//   exportJobRows (server.export_job_rows: an export of more rows, a job),
//   jobs true, logLevel 'info', accessLog true, statementTimeout,
//   modulePath (defaults to the build's two module directories),
//   groups { <module>: { key: value } }, security { key: value } (the
//   security group: a test stack wants argon2_ops 1, argon2_mem_kib 8192
//   to hash fast; groups.security is merged into it), extra (raw text
//   appended).  A test stack is plain HTTP on 127.0.0.1, as `make run`'s
//   is, so its security group says cookie_secure = false unless the
//   options say otherwise (cookie_secure: undefined leaves the key out,
//   for the default: Secure).
export function confText(dir, opts = {}) {
    refuseExamples(opts.enabled ?? []);
    const server = {
        listen: path.join(dir, 'run/kedr.sock'),
        workers: opts.workers ?? DEFAULT_WORKERS,
        max_requests: opts.maxRequests ?? 0,
        request_timeout: opts.requestTimeout ?? 30,
        max_body: opts.maxBody,
        import_max_rows: opts.importMaxRows,
        import_job_rows: opts.importJobRows,
        export_job_rows: opts.exportJobRows,
        jobs: opts.jobs ?? true,
        pid_file: path.join(dir, 'run/kedr.pid'),
        log_level: opts.logLevel ?? 'info',
        access_log: opts.accessLog ?? true,
    };
    const database = { url: 'dbname=kedr', statement_timeout: opts.statementTimeout };
    const modules = { path: opts.modulePath ?? MODULE_PATH, enabled: opts.enabled ?? [] };
    let text = '# written by tests/lib/stack.js\n';
    text += `server:\n{\n${confGroupBody(server)}};\n\n`;
    text += `database:\n{\n${confGroupBody(database)}};\n\n`;
    text += `modules:\n{\n${confGroupBody(modules)}};\n`;
    const security = { cookie_secure: false, ...opts.security, ...opts.groups?.security };
    text += `\nsecurity:\n{\n${confGroupBody(security)}};\n`;
    for (const [name, group] of Object.entries(opts.groups ?? {})) {
        if (name === 'security') continue;
        text += `\n${name}:\n{\n${confGroupBody(group)}};\n`;
    }
    if (opts.extra) text += `\n${opts.extra}\n`;
    return text;
}

// ---------------------------------------------------------------------
// the stack
// ---------------------------------------------------------------------

// Stacks of this process not yet stopped, for the exit handlers.
const live = new Set();

function stopAllSync() {
    for (const st of live) st.stopSync();
}

let handlersInstalled = false;
function installExitHandlers() {
    if (handlersInstalled) return;
    handlersInstalled = true;
    process.on('exit', stopAllSync);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
        process.once(sig, () => {
            stopAllSync();
            process.exit(128 + os.constants.signals[sig]);
        });
    }
}

function tail(text, lines) {
    return text.split('\n').slice(-lines - 1).join('\n');
}

// Parse DIR/run/stack.env (written by stack.sh up) with the shell itself.
function readStackEnv(dir) {
    const res = spawnSync('bash', ['-c', '. "$1" && printf "%s\\n%s" "$KEDR_DATABASE_URL" "$KEDR_URL"', 'x',
        path.join(dir, 'run/stack.env')], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`cannot read ${dir}/run/stack.env: ${res.stderr}`);
    const [databaseUrl, url] = res.stdout.split('\n');
    return { databaseUrl, url };
}

class Stack {
    constructor(dir, opts) {
        this.dir = dir;
        this.opts = opts;
        this.conf = path.join(dir, 'kedr.conf');
        this.logFile = path.join(dir, 'log/kedr.log');
        this.pidFile = path.join(dir, 'run/kedr.pid');
        this.failed = false;
        this.stopped = false;
    }

    // --- configuration ---

    // Rewrite DIR/kedr.conf from options merged over the stack's own.
    writeConf(opts = {}) {
        this.opts = { ...this.opts, ...opts };
        fs.writeFileSync(this.conf, confText(this.dir, this.opts));
    }

    // --- processes ---

    async up() {
        let lastErr;
        // The port is free when picked, but another process may take it
        // before nginx binds it: pick another and try again.
        for (let attempt = 0; attempt < 3; attempt++) {
            this.port = await freePort();
            const res = await run(STACK_SH, ['up', this.dir, '--conf', this.conf, '--port', String(this.port)],
                { timeout: 180000 });
            if (res.code === 0) {
                const env = readStackEnv(this.dir);
                this.databaseUrl = env.databaseUrl;
                this.url = `http://127.0.0.1:${this.port}`;
                return;
            }
            lastErr = new Error(`tools/stack.sh up failed (exit ${res.code}):\n${res.stderr}${res.stdout}`);
            if (!/port \d+ is already in use|nginx (did not start|does not answer)/.test(res.stderr)) break;
        }
        throw lastErr;
    }

    stackSh(...args) {
        return run(STACK_SH, [args[0], this.dir, ...args.slice(1)], { timeout: 120000 });
    }

    async pgStop() {
        const res = await this.stackSh('pg-stop');
        if (res.code !== 0) throw new Error(`stack.sh pg-stop failed: ${res.stderr}`);
    }

    async pgStart() {
        const res = await this.stackSh('pg-start');
        if (res.code !== 0) throw new Error(`stack.sh pg-start failed: ${res.stderr}`);
    }

    // The master's pid, from its pid file.
    masterPid() {
        const pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
        if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid file ${this.pidFile}`);
        return pid;
    }

    // Pids of the master's children (request workers and the jobs worker).
    childPids() {
        const master = this.masterPid();
        const pids = [];
        for (const ent of fs.readdirSync('/proc')) {
            if (!/^\d+$/.test(ent)) continue;
            let stat;
            try {
                stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8');
            } catch {
                continue;
            }
            // "pid (comm) state ppid ...": comm may hold spaces
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            if (Number(fields[1]) === master && fields[0] !== 'Z') pids.push(Number(ent));
        }
        return pids.sort((a, b) => a - b);
    }

    signal(sig) {
        process.kill(this.masterPid(), sig);
    }

    // Graceful reload: SIGHUP to the master.
    reload() {
        this.signal('SIGHUP');
    }

    // --- HTTP ---

    // fetch() against nginx; resolves {status, headers, text, json, ms}.
    async request(method, urlPath, { json, body, headers = {}, timeout = 30000 } = {}) {
        const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeout) };
        if (json !== undefined) {
            init.body = JSON.stringify(json);
            if (!Object.keys(init.headers).some((h) => h.toLowerCase() === 'content-type')) {
                init.headers['Content-Type'] = 'application/json';
            }
        } else if (body !== undefined) {
            init.body = body;
        }
        const t0 = Date.now();
        const res = await fetch(this.url + urlPath, init);
        const text = await res.text();
        let parsed;
        if (/json/.test(res.headers.get('content-type') || '') && text !== '') {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = undefined;
            }
        }
        return { status: res.status, headers: res.headers, text, json: parsed, ms: Date.now() - t0 };
    }

    get(urlPath, opts) {
        return this.request('GET', urlPath, opts);
    }

    post(urlPath, json, opts = {}) {
        return this.request('POST', urlPath, { ...opts, json });
    }

    // --- identity ---

    // The password of user "admin" that stack.sh up made (DIR/admin-password).
    adminPassword() {
        return fs.readFileSync(path.join(this.dir, 'admin-password'), 'utf8').trim();
    }

    // A Client with the given credentials (see Client).
    client(creds = {}) {
        return new Client(this, creds);
    }

    // Log in (POST /api/v1/session); resolves a Client holding the session
    // cookie and CSRF token, its login answer in client.res.  Throws
    // unless the login succeeds.  `cookie` plants a kedr_session cookie on
    // the login request itself.
    async login(login, password, { cookie } = {}) {
        const headers = cookie !== undefined ? { Cookie: `kedr_session=${cookie}` } : {};
        const res = await this.post('/api/v1/session', { login, password }, { headers });
        if (res.status !== 201) throw new Error(`login "${login}" failed: ${res.status} ${res.text}`);
        const value = sessionCookie(res);
        if (!value) throw new Error(`login "${login}": no kedr_session cookie in ${res.headers.get('set-cookie')}`);
        const c = new Client(this, { cookie: value, csrf: res.json.csrf_token });
        c.res = res;
        c.user = res.json.user;
        return c;
    }

    // A Client logged in as "admin".
    loginAdmin() {
        return this.login('admin', this.adminPassword());
    }

    // The nginx configuration stack.sh rendered for this stack.
    nginxConf() {
        return fs.readFileSync(path.join(this.dir, 'nginx/nginx.conf'), 'utf8');
    }

    // libfcgi serves a kept connection until nginx closes it, so a worker
    // is pinned to each idle connection nginx keeps (upstream `keepalive`,
    // per nginx worker process).  With no more kedr workers than that,
    // every worker can sit pinned while a new connection waits in the
    // backlog until nginx's keepalive_timeout: refuse such a stack.
    checkWorkers() {
        const conf = this.nginxConf().replace(/#.*$/gm, '');
        const keep = Number((conf.match(/^\s*keepalive\s+(\d+)\s*;/m) || [])[1] || 0);
        const procs = Number((conf.match(/^\s*worker_processes\s+(\d+)\s*;/m) || [])[1] || 1);
        const workers = this.opts.workers ?? DEFAULT_WORKERS;
        if (keep > 0 && workers <= keep * procs) {
            throw new Error(`stack: ${workers} kedr workers but nginx keeps up to ${keep * procs} idle `
                + 'connections (keepalive x worker_processes): requests would stall; use more workers');
        }
    }

    // --- database ---

    // Run SQL with psql as the role kedr on the stack's database; resolves
    // the unaligned, tuples-only output, trimmed.  Throws on an error.
    async psql(sql) {
        const res = await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', this.databaseUrl,
            '-c', sql], { timeout: 30000 });
        if (res.code !== 0) throw new Error(`psql failed: ${res.stderr}\nSQL: ${sql}`);
        return res.stdout.trim();
    }

    // The rows of a query as objects (json_agg of the query).
    async rows(sql) {
        const out = await this.psql(`SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`);
        return JSON.parse(out);
    }

    // build/kedr with this stack's config and database, from the project root.
    kedr(args, opts = {}) {
        return runKedr(this.conf, args, { databaseUrl: this.databaseUrl, ...opts });
    }

    // --- the kedr log ---

    log() {
        try {
            return fs.readFileSync(this.logFile, 'utf8');
        } catch {
            return '';
        }
    }

    // A mark for logSince(): the log's current length.
    logMark() {
        try {
            return fs.statSync(this.logFile).size;
        } catch {
            return 0;
        }
    }

    logSince(mark) {
        return Buffer.from(this.log(), 'utf8').subarray(mark).toString('utf8');
    }

    // Wait for a line matching `re` in the log (after `since`, a mark);
    // resolves the match.
    waitForLog(re, { since = 0, timeout = 10000 } = {}) {
        return waitFor(() => this.logSince(since).match(re), { timeout, what: `kedr log line ${re}` });
    }

    // The access-log lines of a request id.
    accessLines(rid) {
        const re = new RegExp(`^.* rid=${rid}(?: mod=\\S+)?: access .*$`, 'gm');
        return this.log().match(re) || [];
    }

    // --- teardown ---

    report() {
        const lines = [`kedr test stack ${this.dir} (port ${this.port}): a test failed`];
        lines.push('--- last lines of kedr.log ---', tail(this.log(), 60), '---');
        if (KEEP) {
            lines.push(`kept (KEDR_TEST_KEEP=1): ${this.dir}`,
                `restart it with: tools/stack.sh up ${this.dir} --conf ${this.conf} --port ${this.port}`);
        }
        process.stderr.write(lines.join('\n') + '\n');
    }

    stopSync() {
        if (this.stopped) return;
        this.stopped = true;
        live.delete(this);
        if (this.failed) this.report();
        const keep = KEEP && this.failed;
        spawnSync(STACK_SH, keep ? ['down', this.dir] : ['down', this.dir, '--purge'],
            { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'], timeout: 120000 });
        if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
    }

    async stop() {
        if (this.stopped) return;
        this.stopped = true;
        live.delete(this);
        await run(STACK_SH, ['down', this.dir], { timeout: 120000 });
        const log = this.log();
        const at = log.search(SANITIZER_RE);
        if (at >= 0) this.failed = true;
        if (this.failed) this.report();
        const keep = KEEP && this.failed;
        if (!keep) {
            await run(STACK_SH, ['down', this.dir, '--purge'], { timeout: 120000 });
            fs.rmSync(this.dir, { recursive: true, force: true });
        }
        if (at >= 0) {
            const from = log.lastIndexOf('\n', at) + 1;
            throw new Error(`sanitizer report in the kedr log:\n${log.slice(from, from + 8000)}`);
        }
    }
}

// The value of the kedr_session cookie a response sets, or null.
export function sessionCookie(res) {
    const all = typeof res.headers.getSetCookie === 'function'
        ? res.headers.getSetCookie()
        : [res.headers.get('set-cookie') || ''];
    for (const c of all) {
        const m = /^kedr_session=([^;]*)/.exec(c);
        if (m) return m[1];
    }
    return null;
}

// A caller with credentials: a session (cookie kedr_session, and its CSRF
// token sent as X-CSRF-Token on unsafe methods unless `csrf: false` is
// given to the request) or an API token (Authorization: Bearer).
export class Client {
    constructor(stack, { cookie, csrf, token } = {}) {
        this.stack = stack;
        this.cookie = cookie;
        this.csrf = csrf;
        this.token = token;
    }

    request(method, urlPath, { csrf = true, headers = {}, ...opts } = {}) {
        const h = {};
        if (this.cookie !== undefined) h.Cookie = `kedr_session=${this.cookie}`;
        if (this.token !== undefined) h.Authorization = `Bearer ${this.token}`;
        if (csrf && this.csrf !== undefined && !['GET', 'HEAD'].includes(method)) h['X-CSRF-Token'] = this.csrf;
        return this.stack.request(method, urlPath, { ...opts, headers: { ...h, ...headers } });
    }

    get(urlPath, opts) {
        return this.request('GET', urlPath, opts);
    }

    post(urlPath, json, opts = {}) {
        return this.request('POST', urlPath, { ...opts, json });
    }

    patch(urlPath, json, opts = {}) {
        return this.request('PATCH', urlPath, { ...opts, json });
    }

    delete(urlPath, opts) {
        return this.request('DELETE', urlPath, opts);
    }
}

// A temporary directory the postgres user can traverse (stack.sh runs
// PostgreSQL as postgres when we are root).
export function makeTempDir(prefix = 'kedr-test-') {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    fs.chmodSync(dir, 0o755);
    return dir;
}

// Start a stack for the calling test file (see confText for options) and
// register its teardown.  Call it at the top level of the test file.
export async function startStack(opts = {}) {
    installExitHandlers();
    const stack = new Stack(makeTempDir(), opts);
    live.add(stack);
    after(() => stack.stop());
    afterEach((t) => {
        if (t.passed === false) stack.failed = true;
    });
    fs.mkdirSync(path.join(stack.dir, 'run'), { recursive: true });
    stack.writeConf();
    try {
        await stack.up();
        stack.checkWorkers();
    } catch (err) {
        stack.failed = true;
        throw err;
    }
    return stack;
}
