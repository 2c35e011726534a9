// The kedr command without a running stack: module refusals (`kedr
// modules`, `kedr serve`, `kedr routes`) with their exact messages, and
// `kedr check-config` on broken and on the shipped configurations.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, MODULE_PATH, confText, makeTempDir, runKedr } from '../lib/stack.js';

const dir = makeTempDir('kedr-cli-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let nconf = 0;
// Write a config enabling `enabled` (nothing listens: the socket path is
// in the temp dir and the database does not exist).
function conf(opts) {
    const file = path.join(dir, `kedr-${++nconf}.conf`);
    fs.writeFileSync(file, confText(dir, { ...opts, workers: 1, jobs: false }));
    return file;
}

function write(name, text) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

// The DETAIL column of a module in `kedr modules` output.
function detail(stdout, name) {
    const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} is listed:\n${stdout}`);
    const m = line.match(/^(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/);
    return { state: m[2], version: m[3], detail: m[4] };
}

const buildSig = await (async () => {
    const res = await runKedr(conf({}), ['version']);
    const m = res.stdout.match(/\(module ABI (\d+)\.(\d+), (\S+)\)/);
    assert.ok(m, res.stdout);
    return { major: Number(m[1]), minor: Number(m[2]), sig: m[3] };
})();

const refusals = [
    {
        enabled: ['t_badabi'],
        module: 't_badabi',
        why: `built for module ABI ${buildSig.major + 1}.0, this core provides ${buildSig.major}.${buildSig.minor}`,
    },
    {
        enabled: ['t_badsig'],
        module: 't_badsig',
        why: `build signature "ptr8-jansson99" does not match the core's "${buildSig.sig}"`,
    },
    { enabled: ['t_badmagic'], module: 't_badmagic', why: 'not a kedr module (bad magic 0xdeadbeef)' },
    { enabled: ['t_badname'], module: 't_badname', why: 'descriptor names it "t_othername", the file "t_badname"' },
    {
        enabled: ['t_badgrant'],
        module: 't_badgrant',
        why: 'grant of "clients.merge" to "manager": a grant names a role and one of the module\'s own permissions',
    },
    {
        enabled: ['t_oldimporter'],
        module: 't_oldimporter',
        why: 'migrators of ABI 1.1 name a source object, ABI 1.2 the entity they fill: rebuild the module against this kedr.h',
    },
    {
        enabled: ['t_oldkit'],
        module: 't_oldkit',
        why: 'entities of ABI 1.3 have shorter column rows than ABI 1.4\'s (options): rebuild the module against this kedr.h',
    },
    {
        enabled: ['t_badconfig'],
        module: 't_badconfig',
        why: 'setting "limit" has a default outside its range',
    },
    {
        enabled: ['t_badkit'],
        module: 't_badkit',
        why: 'entity "thing": path must be "/segment" and table "schema.table" of [a-z_][a-z0-9_]*',
    },
    { enabled: ['t_needs_missing'], module: 't_needs_missing', why: 'requires "t_nowhere", which is not found' },
    {
        enabled: ['t_cycle_a', 't_cycle_b'],
        module: 't_cycle_a',
        also: 't_cycle_b',
        why: 'dependency cycle: t_cycle_a -> t_cycle_b -> t_cycle_a',
    },
    { enabled: ['t_core'], module: 't_core', why: 'requires "t_base", which is disabled' },
    { enabled: ['t_base', 't_core', 't_badabi', 't_ghost'], module: 't_ghost',
        why: 'enabled in the config but not found on modules.path' },
];

for (const r of refusals) {
    test(`kedr modules refuses ${r.module}: ${r.why}`, async () => {
        const res = await runKedr(conf({ enabled: r.enabled }), ['modules']);
        assert.equal(res.code, 1, `exit status\n${res.stdout}${res.stderr}`);
        assert.match(res.stdout, /^MODULE\s+STATE\s+VERSION\s+DETAIL$/m);
        for (const name of [r.module, r.also].filter(Boolean)) {
            const d = detail(res.stdout, name);
            assert.equal(d.state, 'refused');
            assert.equal(d.detail, r.why);
        }
    });

    test(`kedr serve refuses to start with ${r.module}`, async () => {
        const file = conf({ enabled: r.enabled });
        const res = await runKedr(file, ['serve'], { timeout: 20000 });
        assert.equal(res.signal, null, 'serve exited by itself');
        assert.equal(res.code, 1, res.stderr);
        assert.ok(res.stderr.includes(`module "${r.module}" refused: ${r.why}`), res.stderr);
        assert.match(res.stderr, /not starting: modules or migrations failed/);
        assert.ok(!fs.existsSync(path.join(dir, 'run/kedr.sock')), 'no socket left behind');
        assert.ok(!fs.existsSync(path.join(dir, 'run/kedr.pid')), 'no pid file left behind');
    });
}

test('kedr modules lists good, disabled and refused modules together', async () => {
    const res = await runKedr(conf({ enabled: ['t_alpha', 't_base', 't_core', 't_cycle_a', 't_cycle_b'] }),
        ['modules']);
    assert.equal(res.code, 1);
    assert.deepEqual(detail(res.stdout, 't_base'),
        { state: 'enabled', version: '0.1.0', detail: `${MODULE_PATH[1]}/t_base.so` });
    assert.equal(detail(res.stdout, 't_core').state, 'enabled');
    assert.equal(detail(res.stdout, 't_alpha').state, 'enabled');
    assert.equal(detail(res.stdout, 't_desk').state, 'disabled');
    assert.equal(detail(res.stdout, 't_badabi').state, 'disabled', 'a disabled module is never opened');
    assert.equal(detail(res.stdout, 't_cycle_a').state, 'refused');
});

test('kedr modules exits 0 when every enabled module loads', async () => {
    const res = await runKedr(conf({ enabled: ['t_base', 't_core'] }), ['modules']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(detail(res.stdout, 't_core').state, 'enabled');
});

test('a module found twice on modules.path is refused, never guessed', async () => {
    const res = await runKedr(conf({ enabled: ['t_base'], modulePath: [MODULE_PATH[1], MODULE_PATH[1]] }),
        ['modules']);
    assert.equal(res.code, 1);
    const so = `${MODULE_PATH[1]}/t_base.so`;
    assert.ok(res.stdout.includes(`found twice: ${so} and ${so}`), res.stdout);
});

test('a dependent of a refused module is refused too, unrelated ones still load', async () => {
    // t_alpha requires t_core, which requires t_base (disabled here)
    const res = await runKedr(conf({ enabled: ['t_alpha', 't_core', 't_needs_missing', 't_badabi'] }), ['modules']);
    assert.equal(res.code, 1);
    assert.equal(detail(res.stdout, 't_core').detail, 'requires "t_base", which is disabled');
    assert.equal(detail(res.stdout, 't_alpha').detail, 'requires "t_core", which is refused');
    const ok = await runKedr(conf({ enabled: ['t_base', 't_alpha', 't_core', 't_needs_missing'] }), ['modules']);
    assert.equal(ok.code, 1, 'one refusal fails the command');
    assert.equal(detail(ok.stdout, 't_alpha').state, 'enabled');
    assert.equal(detail(ok.stdout, 't_needs_missing').state, 'refused');
});

test('kedr routes lists the routes of the enabled modules', async () => {
    const res = await runKedr(conf({ enabled: ['t_base', 't_core'] }), ['routes']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^GET\s+\/api\/v1\/health\s+public\s+core$/m);
    assert.match(res.stdout, /^POST\s+\/api\/v1\/t_core\/items\s+public\s+t_core$/m);
    assert.match(res.stdout, /^GET\s+\/api\/v1\/t_core\/items\/:id\s+public\s+t_core$/m);
    assert.match(res.stdout, /^GET\s+\/api\/v1\/t_core\/secret\s+\(authenticated\)\s+t_core$/m);
    assert.doesNotMatch(res.stdout, /\/api\/v1\/t_desk\//, 'a disabled module has no routes');
});

test('a module whose init fails stops kedr routes and kedr serve', async () => {
    const file = conf({ enabled: ['t_base', 't_core'], groups: { t_core: { fail_init: true } } });
    let res = await runKedr(file, ['routes']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /module "t_core": fail_init is set: refusing/);
    assert.match(res.stderr, /module "t_core": init failed \(-8\)/);
    res = await runKedr(file, ['serve'], { timeout: 20000 });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /module "t_core": init failed/);
    assert.match(res.stderr, /not starting/);
});

test('check-config: the shipped conf/kedr.conf passes', async () => {
    const res = await runKedr(path.join(ROOT, 'conf/kedr.conf'), ['check-config']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), `${path.join(ROOT, 'conf/kedr.conf')}: ok`);
    assert.equal(res.stderr, '');
});

test('check-config: the configuration the tests write passes', async () => {
    const file = conf({ enabled: ['t_base', 't_core'], maxBody: 4096, groups: { t_core: { label: 'x', limit: 1 } } });
    const res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 0, res.stderr);
});

test('check-config: a module group is checked against the settings the module declares, each error at FILE:LINE', async () => {
    const file = conf({
        enabled: ['t_base', 't_core'],
        extra: ['t_core:', '{', '  label = 5;', '  limit = 5000;', '  lable = "x";', '  tags = [1];',
            '  flag = "yes";', '  fail_init = false;', '};', 'clients: { not_declared = 1; };'].join('\n'),
    });
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const at = (s) => lines.indexOf(s) + 1;
    const res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 1, res.stderr);
    assert.equal(res.stdout, '');
    // clients declares no settings: its group is not checked
    assert.deepEqual(res.stderr.trim().split('\n'), [
        `${file}:${at('  label = 5;')}: t_core.label: must be a string`,
        `${file}:${at('  limit = 5000;')}: t_core.limit: must be between -1 and 1000`,
        `${file}:${at('  lable = "x";')}: t_core.lable: unknown setting`,
        `${file}:${at('  tags = [1];')}: t_core.tags: must be a list of strings`,
        `${file}:${at('  flag = "yes";')}: t_core.flag: must be true or false`,
        `${file}: module "t_core" refused: its config group "t_core" has 5 errors`,
    ]);
    const mods = await runKedr(file, ['modules']);
    assert.equal(mods.code, 1);
    assert.equal(detail(mods.stdout, 't_core').detail, 'its config group "t_core" has 5 errors');
});

test('check-config: a syntax error is reported at its line', async () => {
    const file = write('syntax.conf', [
        'server:',
        '{',
        '  listen = "/tmp/x.sock";',
        '  workers = 4',               // line 4: missing semicolon is fine in libconfig...
        '  backlog = = 10;',           // line 5: ...but this is not
        '};',
        'modules: { path = [ "build/modules" ]; };',
    ].join('\n') + '\n');
    const res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, new RegExp(`^${file}:5: syntax error$`, 'm'));
});

test('check-config: unknown key, wrong type, out-of-range value, each at FILE:LINE', async () => {
    const file = write('broken.conf', [
        'server:',                              // 1
        '{',                                    // 2
        '  listen = "/tmp/x.sock";',            // 3
        '  workers = 0;',                       // 4 out of range
        '  max_requests = "many";',             // 5 wrong type
        '  jobs = 1;',                          // 6 wrong type
        '  log_level = "loud";',                // 7 bad value
        '  worker = 8;',                        // 8 unknown (typo)
        '  max_body = 100;',                    // 9 out of range
        '};',                                   // 10
        'database: { url = 5; };',              // 11 wrong type
        'modules:',                             // 12
        '{',                                    // 13
        '  path = [ "build/modules" ];',        // 14
        '  enabled = [ "Bad-Name" ];',          // 15 not a module name
        '};',                                   // 16
        'Oops: { a = 1; };',                    // 17 not a module group name
    ].join('\n') + '\n');
    const res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    const lines = res.stderr.trim().split('\n');
    const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const expected = [
        [4, 'server.workers: must be between 1 and 256'],
        [5, 'server.max_requests: must be an integer'],
        [6, 'server.jobs: must be true or false'],
        [7, 'server.log_level: must be one of "error", "warn", "info", "debug"'],
        [8, 'server.worker: unknown setting'],
        [9, /server\.max_body: must be between 1024 and \d+/], // the ceiling is the core's to choose
        [11, 'database.url: must be a string'],
        [15, 'modules.enabled: "Bad-Name" is not a module name ([a-z][a-z0-9_]*)'],
        [17, '"Oops": unknown group (module groups are named [a-z][a-z0-9_]*)'],
    ];
    assert.equal(lines.length, expected.length, res.stderr);
    expected.forEach(([line, msg], i) => {
        const body = typeof msg === 'string' ? esc(msg) : msg.source;
        assert.match(lines[i], new RegExp(`^${esc(file)}:${line}: ${body}$`));
    });
});

test('check-config: required settings missing, unreadable file', async () => {
    let file = write('empty.conf', 'server: { workers = 2; };\n');
    let res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`^${file}: server.listen: required setting is missing$`, 'm'));
    assert.match(res.stderr, new RegExp(`^${file}: modules.path: required setting is missing$`, 'm'));
    file = path.join(dir, 'no-such.conf');
    res = await runKedr(file, ['check-config']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`^${file}: cannot read: No such file or directory$`, 'm'));
});

test('every subcommand refuses a broken config the same way', async () => {
    const file = write('broken2.conf', 'server: { listen = "/tmp/x.sock"; workers = 1000; };\n'
        + 'modules: { path = [ "build/modules" ]; };\n');
    for (const cmd of ['serve', 'schema', 'modules', 'routes']) {
        const res = await runKedr(file, [cmd], { timeout: 20000 });
        assert.equal(res.code, 1, cmd);
        assert.match(res.stderr, new RegExp(`^${file}:1: server.workers: must be between 1 and 256$`, 'm'), cmd);
    }
});

// The core's tests run with the example modules off (tests/lib/stack.js):
// a test file under tests/ that enables one gets no stack at all.
test('a core test that enables an example module is refused before its stack starts', () => {
    assert.throws(() => confText(path.join(ROOT, 'build', 'unused'), { enabled: ['t_base', 'hello'] }),
        /tests\/api\/cli\.test\.js enables the example module\(s\) hello: the core's tests use the test modules/);
    assert.doesNotThrow(() => confText(path.join(ROOT, 'build', 'unused'), { enabled: ['t_base', 't_desk'] }));
});
