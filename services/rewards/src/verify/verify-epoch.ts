import { inspectPayoutTransaction, parsePayoutMemo, type SolanaGateway } from '@groundtruth/programs';
import type { Address, Signature } from '@solana/kit';
import { computeEpoch } from '../core/compute-epoch.js';
import { manifestFromTexts } from '../core/manifest.js';
import type { EpochScore } from '../core/types.js';
import type { EpochDataSource } from './epoch-data.js';

export interface VerifyCheck {
  readonly name:
    'inputs' | 'scores' | 'manifest_root' | 'recompute' | 'ledger' | 'chain_memo' | 'chain_mints' | 'no_double_mint';
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly detail: string;
}

export interface VerifyReport {
  readonly epoch: number;
  readonly ok: boolean;
  readonly root: string;
  readonly checks: readonly VerifyCheck[];
}

export interface VerifyDeps {
  readonly data: EpochDataSource;
  /** the chain, to read the payout transactions; without it the on-chain checks fail (they cannot pass) */
  readonly gateway?: SolanaGateway;
  readonly mint?: Address;
  /** scores as the scoring service computes them now; when given they must equal those the epoch used */
  readonly recomputeScores?: (epoch: number) => Promise<readonly EpochScore[]>;
}

const MAX_LISTED = 5;
const list = (items: readonly string[]): string =>
  items.slice(0, MAX_LISTED).join('; ') + (items.length > MAX_LISTED ? `; … ${items.length - MAX_LISTED} more` : '');

function compareScores(used: readonly EpochScore[], now: readonly EpochScore[]): string[] {
  const key = (s: EpochScore) => `${s.quality}|${s.locationScore}|${s.algorithmVersion}`;
  const before = new Map(used.map((s) => [s.device, key(s)]));
  const after = new Map(now.map((s) => [s.device, key(s)]));
  const diffs: string[] = [];
  for (const device of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(device) !== after.get(device)) {
      diffs.push(`${device}: used ${before.get(device) ?? 'none'}, now ${after.get(device) ?? 'none'}`);
    }
  }
  return diffs;
}

/**
 * Recomputes an epoch from its stored inputs (database or export directory) and checks, in order: the stored
 * leaves hash to the stored root; recomputing gives the same leaves and root; the ledger pays exactly the
 * manifest's per-wallet totals; every payout transaction landed, carries `gt:epoch:<n>:<root>:<part>/<parts>`
 * and mints exactly the ledger's amount to each wallet of this mint; no earlier signature of a part landed.
 */
export async function verifyEpoch(epoch: number, deps: VerifyDeps): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const add = (name: VerifyCheck['name'], problems: readonly string[] | null, detail: string): void => {
    checks.push(
      problems === null
        ? { name, status: 'skipped', detail }
        : {
            name,
            status: problems.length === 0 ? 'pass' : 'fail',
            detail: problems.length === 0 ? detail : list(problems),
          },
    );
  };
  let record;
  try {
    record = await deps.data.load(epoch);
  } catch (error) {
    add('inputs', [(error as Error).message], '');
    return { epoch, ok: false, root: '', checks };
  }
  add(
    'inputs',
    [],
    `${record.devices.length} devices, ${record.scores.length} scores, ${record.credits.length} credits, ${record.openHolds.length} open holds`,
  );

  if (deps.recomputeScores) {
    add(
      'scores',
      compareScores(record.scores, await deps.recomputeScores(epoch)),
      'scores recomputed by the scoring service match those used',
    );
  } else {
    add('scores', null, 'no score recomputation available; the scores stored with the epoch are used');
  }

  const stored = manifestFromTexts(epoch, record.leaves);
  add(
    'manifest_root',
    stored.root === record.root ? [] : [`stored leaves hash to ${stored.root}, epoch root is ${record.root}`],
    `root ${record.root}`,
  );

  const result = computeEpoch({ ...record, epoch });
  const leafDiffs: string[] = [];
  const n = Math.max(result.manifest.texts.length, record.leaves.length);
  for (let i = 0; i < n; i++) {
    if (result.manifest.texts[i] !== record.leaves[i]) {
      leafDiffs.push(
        `leaf ${i}: computed ${result.manifest.texts[i] ?? '(none)'} stored ${record.leaves[i] ?? '(none)'}`,
      );
    }
  }
  if (result.manifest.root !== record.root) {
    leafDiffs.unshift(`recomputed root ${result.manifest.root} ≠ epoch root ${record.root}`);
  }
  add('recompute', leafDiffs, `${result.manifest.texts.length} leaves recomputed, root matches`);

  const expected = new Map(result.payouts.map((p) => [p.wallet, p.amount]));
  const ledgerDiffs: string[] = [];
  for (const row of record.ledger) {
    if (expected.get(row.wallet) !== row.amount) {
      ledgerDiffs.push(`${row.wallet}: ledger ${row.amount}, manifest ${expected.get(row.wallet) ?? 0n}`);
    }
  }
  const inLedger = new Set(record.ledger.map((r) => r.wallet));
  for (const [wallet, amount] of expected) {
    if (!inLedger.has(wallet)) {
      ledgerDiffs.push(`${wallet}: manifest ${amount}, missing from the ledger`);
    }
  }
  const partOf = new Map(record.transactions.map((t) => [t.part, t]));
  for (const row of record.ledger) {
    const tx = partOf.get(row.part);
    if (!tx) {
      ledgerDiffs.push(`${row.wallet}: ledger names part ${row.part}, which does not exist`);
    } else if (row.signature !== tx.signature || row.state !== tx.state) {
      ledgerDiffs.push(
        `${row.wallet}: ledger says ${row.state} ${row.signature ?? '(unsigned)'}, part ${row.part} is ${tx.state} ${tx.signature ?? '(unsigned)'}`,
      );
    }
  }
  if (record.payoutState === 'paid' && record.transactions.some((t) => t.state !== 'confirmed')) {
    ledgerDiffs.push('the epoch is marked paid while some of its transactions are not confirmed');
  }
  add('ledger', ledgerDiffs, `${record.ledger.length} wallets, ${result.totals.payout} base units`);

  await checkChain(deps, record, result.manifest.root, expected, add);
  return { epoch, ok: checks.every((c) => c.status !== 'fail'), root: record.root, checks };
}

async function checkChain(
  deps: VerifyDeps,
  record: Awaited<ReturnType<EpochDataSource['load']>>,
  root: string,
  expected: ReadonlyMap<string, bigint>,
  add: (name: VerifyCheck['name'], problems: readonly string[] | null, detail: string) => void,
): Promise<void> {
  const { gateway, mint } = deps;
  if (!gateway || !mint) {
    add('chain_memo', ['no chain to read (give a gateway and the mint)'], '');
    return;
  }
  const memoProblems: string[] = [];
  const minted = new Map<string, bigint>();
  const mintProblems: string[] = [];
  for (const tx of record.transactions) {
    if (tx.state !== 'confirmed' || tx.signature === null) {
      memoProblems.push(`part ${tx.part}/${tx.parts} is ${tx.state}, not confirmed on chain`);
      continue;
    }
    const landed = await gateway.getTransaction(tx.signature as Signature);
    if (!landed || landed.err !== null) {
      memoProblems.push(
        `part ${tx.part}: transaction ${tx.signature} ${landed ? `failed (${landed.err})` : 'not found on chain'}`,
      );
      continue;
    }
    const inspected = inspectPayoutTransaction(landed.wire);
    const memos = inspected.memos.map(parsePayoutMemo);
    const memo = memos.find((m) => m !== undefined);
    if (
      !memo ||
      memo.epoch !== record.epoch ||
      memo.root !== root ||
      memo.part !== tx.part ||
      memo.parts !== tx.parts
    ) {
      memoProblems.push(
        `part ${tx.part}: memo ${JSON.stringify(inspected.memos)} ≠ gt:epoch:${record.epoch}:${root}:${tx.part}/${tx.parts}`,
      );
    }
    const ledgerOfPart = new Map(record.ledger.filter((r) => r.part === tx.part).map((r) => [r.wallet, r.amount]));
    const mintedInPart = new Map<string, bigint>();
    for (const m of inspected.mints) {
      const owner = inspected.ataOwners.get(m.tokenAccount);
      if (m.mint !== mint || owner === undefined) {
        mintProblems.push(
          `part ${tx.part}: mint of ${m.amount} to ${m.tokenAccount} (mint ${m.mint}) is not a payout of this token`,
        );
        continue;
      }
      minted.set(owner, (minted.get(owner) ?? 0n) + m.amount);
      mintedInPart.set(owner, (mintedInPart.get(owner) ?? 0n) + m.amount);
    }
    for (const wallet of new Set([...ledgerOfPart.keys(), ...mintedInPart.keys()])) {
      if (ledgerOfPart.get(wallet) !== mintedInPart.get(wallet)) {
        mintProblems.push(
          `part ${tx.part}: ${wallet} minted ${mintedInPart.get(wallet) ?? 0n}, ledger ${ledgerOfPart.get(wallet) ?? 0n}`,
        );
      }
    }
  }
  add('chain_memo', memoProblems, `${record.transactions.length} transactions carry the root ${root}`);
  for (const wallet of new Set([...expected.keys(), ...minted.keys()])) {
    if ((expected.get(wallet) ?? 0n) !== (minted.get(wallet) ?? 0n)) {
      mintProblems.push(`${wallet}: minted ${minted.get(wallet) ?? 0n}, manifest ${expected.get(wallet) ?? 0n}`);
    }
  }
  add('chain_mints', mintProblems, `${minted.size} wallets minted exactly their manifest and ledger amount`);

  const prior = record.transactions.flatMap((t) => t.priorSignatures);
  const statuses = prior.length > 0 ? await gateway.signatureStatuses(prior as Signature[]) : [];
  const doubles = prior
    .filter((_, i) => statuses[i] && statuses[i]!.err === null)
    .map((s) => `replaced signature ${s} also landed`);
  add('no_double_mint', doubles, `${prior.length} replaced signatures never landed`);
}

/** The verdict as text lines, for the command line. */
export function formatVerifyReport(report: VerifyReport): string {
  const mark = { pass: 'ok  ', fail: 'FAIL', skipped: 'skip' } as const;
  return [
    `epoch ${report.epoch} root ${report.root || '(unknown)'}`,
    ...report.checks.map((c) => `  [${mark[c.status]}] ${c.name}: ${c.detail}`),
    report.ok
      ? `VERIFIED: epoch ${report.epoch} matches its inputs, its ledger and the chain`
      : `MISMATCH: epoch ${report.epoch} failed verification`,
  ].join('\n');
}
