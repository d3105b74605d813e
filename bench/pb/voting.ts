// Durable ballots per second on SQLite with the one-ballot constraint in force (issue 4 target:
// at least 500 ballots per second).
//
//   node --import tsx bench/pb/voting.ts [--ballots 5000] [--concurrency 16] [--keep]
//
// Each measurement runs on a fresh SQLite file opened as the application opens it (WAL,
// synchronous=FULL: a ballot said to be counted survives a power cut), with a cycle of 12
// projects (approval, at most 3) in one city and one district envelope, and N distinct voters
// sent with `concurrency` casts in flight:
//   1. baseline: the same rows (participation + ballot + choices) inserted directly, one
//      transaction per ballot, no validation — what the disk and driver allow;
//   2. castOnlineBallot, one transaction per ballot (group commit off);
//   3. castOnlineBallot with group commit (what the application runs);
//   4. castCounterBallot with group commit (adds the audit chain entry per ballot).
// Online voters each have a verified SMS check prepared before the clock starts. It prints
// ballots/s, the ratio to the 500/s target and to the baseline, and how many ballots a
// transaction carried on average. It asserts nothing; the correctness under races is
// voting.concurrency.test.ts's job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { insertBallot } from '../../src/modules/budget/ballot-box.repository.ts';
import { createTestCycle, type TestCycle } from '../../src/modules/budget/budget.test-support.ts';
import { ballotWriteGauge, setGroupCommit } from '../../src/modules/budget/voting/ballot-writes.ts';
import { ballotSeal } from '../../src/modules/budget/voting/sealing.ts';
import { voterKey } from '../../src/modules/budget/voting/voters.ts';
import { castCounterBallot, castOnlineBallot } from '../../src/modules/budget/voting/voting.service.ts';
import {
  createBudgetOfficer,
  createVerifiedToken,
  firstNeighbourhood,
  TEST_SECRET,
} from '../../src/modules/budget/voting/voting.test-support.ts';
import { createTestMunicipality } from '../../test/support/fixtures.ts';

const { values: args } = parseArgs({
  options: {
    ballots: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    keep: { type: 'boolean', default: false },
  },
});
const BALLOTS = Number(args.ballots);
const CONCURRENCY = Number(args.concurrency);
const TARGET = 500;

type Setup = { db: Db; dir: string; destroy(): Promise<void>; municipalityId: number; cycle: TestCycle; neighbourhoodId: number };

async function freshDatabase(): Promise<Setup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-bench-vote-'));
  const handle = openDatabase({ kind: 'sqlite', file: path.join(dir, 'twiza.db') });
  await migrateToLatest(handle.db);
  const municipality = await createTestMunicipality(handle.db, 'kef');
  const neighbourhood = await firstNeighbourhood(handle.db, municipality.id);
  const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ code: `${prefix}${i + 1}`, costMillimes: 50_000 + i * 10_000 }));
  const cycle = await createTestCycle(handle.db, municipality.id, {
    maxChoices: 3,
    cycle: { max_voters_per_phone: 3 },
    envelopes: [
      { scope: 'city', budgetMillimes: 1_000_000, projects: codes('C', 8) },
      { scope: 'arrondissement', arrondissementId: neighbourhood.arrondissementId, budgetMillimes: 500_000, projects: codes('A', 4) },
    ],
  });
  return {
    db: handle.db,
    dir,
    municipalityId: municipality.id,
    cycle,
    neighbourhoodId: neighbourhood.id,
    async destroy() {
      await handle.destroy();
      if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
      else console.log(`  kept ${dir}`);
    },
  };
}

/** A plausible ballot for voter i: 1–3 city projects and 0–2 district projects. */
function choicesFor(cycle: TestCycle, i: number) {
  const city = cycle.projects.filter((p) => p.code.startsWith('C'));
  const district = cycle.projects.filter((p) => p.code.startsWith('A'));
  const picks = [city[i % 8]!, city[(i * 3 + 1) % 8]!, district[i % 4]!].filter((p, k, all) => all.indexOf(p) === k);
  return picks.map((p) => ({ projectId: p.id, envelopeId: p.envelope_id, value: 1 }));
}

const idNumber = (i: number) => String(10_000_000 + i);

/** Runs cast(0…n-1) with `concurrency` in flight; returns ballots per second. */
async function run(n: number, cast: (i: number) => Promise<unknown>): Promise<{ perSecond: number; failures: number; transactions: number }> {
  let next = 0;
  let failures = 0;
  const transactionsBefore = ballotWriteGauge.transactions;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        try {
          await cast(i);
        } catch (error) {
          failures += 1;
          if (failures <= 3) console.error('  failed:', error);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: n / seconds, failures, transactions: ballotWriteGauge.transactions - transactionsBefore };
}

function line(what: string, r: { perSecond: number; failures: number; transactions?: number }, baseline?: number): void {
  const parts = [
    `${what.padEnd(52)} ${r.perSecond.toFixed(0).padStart(6)} ballots/s`,
    `× ${(r.perSecond / TARGET).toFixed(2)} of the ${TARGET}/s target`,
  ];
  if (baseline) parts.push(`× ${(r.perSecond / baseline).toFixed(2)} of the baseline`);
  if (r.transactions) parts.push(`${(BALLOTS / r.transactions).toFixed(1)} ballots per transaction`);
  if (r.failures) parts.push(`${r.failures} FAILED`);
  console.log(parts.join('  '));
}

console.log(`${BALLOTS} ballots, ${CONCURRENCY} in flight, fresh SQLite file each (WAL, synchronous=FULL); node ${process.version}`);
// On a shared machine the figures move with the load: say what it was.
console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

// 1. Baseline: the same rows, straight in, one durable transaction each. Run twice, the first
// run on a throwaway file as a warm-up (module loading, the first WAL file, the disk's cache).
async function direct(n: number) {
  const s = await freshDatabase();
  const r = await run(n, (i) =>
    s.db.transaction().execute(async (trx) => {
      const receipt = await insertBallot(trx, { municipalityId: s.municipalityId, cycleId: s.cycle.cycle.id, channel: 'online', choices: choicesFor(s.cycle, i) });
      await trx
        .insertInto('pb_participations')
        .values({
          municipality_id: s.municipalityId,
          cycle_id: s.cycle.cycle.id,
          voter_key: voterKey(TEST_SECRET, s.municipalityId, idNumber(i)),
          channel: 'online',
          phone_hash: `phone-${i}`,
          phone_slot: 1,
          ip_hash: 'ip',
          arrondissement_id: null,
          neighbourhood_id: s.neighbourhoodId,
          gender: null,
          age_group: '25-34',
          voted_hour: new Date().toISOString().slice(0, 13),
          verified_by: null,
          ballot_seal: ballotSeal(TEST_SECRET, s.cycle.cycle.seal_salt!, receipt),
          annulment_id: null,
        })
        .execute();
    }),
  );
  await s.destroy();
  return r;
}
await direct(Math.min(BALLOTS, 1000));
const direct1 = await direct(BALLOTS);
const baseline = direct1.perSecond;
line('baseline: direct inserts, a transaction per ballot', direct1);

async function online(grouped: boolean, label: string): Promise<void> {
  const s = await freshDatabase();
  const tokens: string[] = [];
  for (let i = 0; i < BALLOTS; i++) {
    tokens.push((await createVerifiedToken(s.db, { municipalityId: s.municipalityId, cycleId: s.cycle.cycle.id, phone: `+2162${String(i).padStart(7, '0')}` })).token);
  }
  setGroupCommit(grouped);
  const r = await run(BALLOTS, (i) =>
    castOnlineBallot(s.db, {
      secretKey: TEST_SECRET,
      municipalityId: s.municipalityId,
      cycleId: s.cycle.cycle.id,
      token: tokens[i]!,
      idNumber: idNumber(i),
      residence: { neighbourhoodId: s.neighbourhoodId },
      ageGroup: '25-34',
      gender: i % 2 ? 'female' : 'male',
      declaredEligible: true,
      choices: choicesFor(s.cycle, i).map((c) => ({ projectId: c.projectId, value: 1 })),
      ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
    }),
  );
  setGroupCommit(true);
  line(label, r, baseline);
  await s.destroy();
}

await online(false, 'castOnlineBallot, a transaction per ballot');
await online(true, 'castOnlineBallot, group commit (as the app runs)');

{
  const s = await freshDatabase();
  const officer = await createBudgetOfficer(s.db, s.municipalityId);
  const r = await run(BALLOTS, (i) =>
    castCounterBallot(s.db, {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId: s.municipalityId,
      cycleId: s.cycle.cycle.id,
      idNumber: idNumber(i),
      residence: { neighbourhoodId: s.neighbourhoodId },
      ageGroup: '45-59',
      gender: null,
      choices: choicesFor(s.cycle, i).map((c) => ({ projectId: c.projectId, value: 1 })),
    }),
  );
  line('castCounterBallot, group commit (+ audit entry)', r, baseline);
  await s.destroy();
}
