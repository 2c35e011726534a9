// A module the core knows nothing of imports a Salesforce object through
// its descriptor's migrators slot alone (tests/modules/t_campaign: what
// the marketing module will do for Campaign): the mapping gains an entry
// whose target is the module's entity, and `kedr migrate salesforce` loads
// it -- alongside the clients' and the catalog's objects, with the
// module's option, a rerun that changes nothing, and next week's changes
// and deletions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, ROOT } from '../lib/stack.js';
import { generate } from '../../tools/sfgen/sfgen.mjs';
import { readExport } from '../lib/sfread.mjs';

const stack = await startStack({ enabled: ['catalog', 'clients', 't_campaign'] });
const w1 = path.join(stack.dir, 'sf-week1');
const w2 = path.join(stack.dir, 'sf-week2');
// three campaigns at this scale: a seed (and weekly rates) under which one
// is below the option's floor, and next week one of the others changes and
// one is deleted (the test checks that it is so)
const m1 = generate({
    dir: w1, scale: 0.002, seed: 'cmp11',
    deltaRates: { change: 0.3, add: 0.1, remove: 0.3, touch: 0.05 },
});
const count = async (sql) => Number(await stack.psql(sql));

// The shipped mapping and one more object: the org's campaigns, to the
// module's entity, with the module's own option.
const MIN_BUDGET = 100000;
const mapping = path.join(stack.dir, 'with-campaigns.conf');
fs.writeFileSync(mapping, fs.readFileSync(path.join(ROOT, 'conf/import/salesforce.conf'), 'utf8')
    .replace(/\);\s*$/, `,
    {
        file = "Campaign.csv";
        object = "Campaign";
        target = "t_campaign.campaign";
        fields = (
            { from = "Id"; to = "sf_id"; type = "id"; required = true; on_invalid = "reject"; },
            { from = "Name"; to = "name"; collapse = true; required = true; on_invalid = "reject"; },
            { from = "ParentId"; to = "parent_sf_id"; type = "ref"; ref = "Campaign"; },
            { from = "Type"; to = "kind"; },
            { from = "Status"; to = "status"; },
            { from = "StartDate"; to = "starts"; type = "date"; },
            { from = "EndDate"; to = "ends"; type = "date"; },
            { from = "BudgetedCost"; to = "budget"; type = "number"; }
        );
        options = { min_budget = "${MIN_BUDGET}"; };
    }
);
`));

async function migrateSf(dir) {
    const res = await stack.kedr(['migrate', 'salesforce', dir, '--mapping', mapping, '--json']);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).objects;
}

// The export's campaigns: live ones, and those under the module's floor.
function campaigns(dir, m) {
    const rows = readExport(dir, m).Campaign.rows.filter((r) => !['1', 'true', 'TRUE'].includes(r.IsDeleted));
    const small = rows.filter((r) => Number(r.BudgetedCost) < MIN_BUDGET);
    return { live: rows.length, small: small.length };
}

test("a module's own migrator takes its object from the same run", async () => {
    const c = campaigns(w1, m1);
    assert.ok(c.small > 0 && c.live > c.small);
    const o = await migrateSf(w1);
    assert.equal(o.Campaign.read, m1.objects.Campaign.rows);
    assert.equal(o.Campaign.dropped_deleted, m1.objects.Campaign.deleted);
    assert.equal(o.Campaign.rejected, c.small);
    assert.equal(o.Campaign.created, c.live - c.small);
    assert.equal(o.Account.created, m1.objects.Account.liveAfterMerge, 'the rest as ever');
    assert.equal(await count('SELECT count(*) FROM t_campaign.campaign'), c.live - c.small);
    assert.equal(await count(`SELECT count(*) FROM core.import_map WHERE object = 'Campaign'
                              AND entity = 't_campaign.campaign'`), c.live - c.small);
    assert.equal(await count(`SELECT count(*) FROM core.audit WHERE entity = 't_campaign.campaign'
                              AND action = 'imported'`), c.live - c.small);
    // a rerun: nothing
    const again = await migrateSf(w1);
    assert.equal(again.Campaign.created, 0);
    assert.equal(again.Campaign.updated, 0);
    assert.equal(again.Campaign.unchanged, c.live - c.small);
});

test("next week: the module's records changed and archived", async () => {
    const m2 = generate({ dir: w2, delta: w1 });
    const d = m2.delta.objects.Campaign;
    const ids = (list) => list.map((i) => `'${i}'`).join(',') || "''";
    const toArchive = await count(`SELECT count(*) FROM t_campaign.campaign WHERE active
                                   AND ext->>'salesforce_id' IN (${ids(d.ids.deleted)})`);
    const toUpdate = await count(`SELECT count(*) FROM core.import_map WHERE object = 'Campaign'
                                  AND ext_id IN (${ids(d.ids.changed)})`);
    assert.ok(toArchive > 0 && toUpdate > 0, `${toArchive} to archive, ${toUpdate} to update`);
    const o = await migrateSf(w2);
    assert.equal(o.Campaign.archived, toArchive);
    assert.equal(o.Campaign.updated, toUpdate);
    assert.equal(await count(`SELECT count(*) FROM t_campaign.campaign WHERE active
                              AND ext->>'salesforce_id' IN (${ids(d.ids.deleted)})`), 0);
});
