/**
 * `npm run bench:cu`: runs every benchmarked instruction on LiteSVM against the real
 * target/deploy/chainference.so, several times per case (fresh chain, fresh keys: PDA bump searches
 * vary), prints best/avg/worst compute units per instruction and per case, and writes docs/cu.md.
 *
 * The cases live in tests/helpers/cu-cases.ts (CU_BENCHES), shared with the CU ceiling test: add an
 * instruction there (a name, a ceiling, and cases whose `run` prepares the state on a fresh TestSvm
 * and returns the report of the one transaction to measure).
 *
 * The request lifecycle cases live in tests/helpers/cu-lifecycle-cases.ts (LIFECYCLE_CU_BENCHES, held
 * under their limits by tests/program/cu-ceilings.test.ts). After the CU tables the script measures
 * what a 500-token answer costs on chain (transaction fees, rent paid and returned) and writes that
 * into docs/cu.md too.
 *
 * Env: RUNS (default 10) runs per case.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CU_BENCHES } from "../tests/helpers/cu-cases";
import { LIFECYCLE_CU_BENCHES } from "../tests/helpers/cu-lifecycle-cases";
import { SESSION_CU_BENCHES } from "../tests/helpers/cu-session-cases";
import { PROGRAM_SO, REPO_ROOT, createTestSvm } from "../tests/helpers/svm";
import { chainCostReport } from "./bench-chain-cost";

type Stats = { best: bigint; avg: bigint; worst: bigint; runs: number };
const stats = (values: bigint[]): Stats => ({
  best: values.reduce((a, b) => (b < a ? b : a)),
  worst: values.reduce((a, b) => (b > a ? b : a)),
  avg: values.reduce((a, b) => a + b, 0n) / BigInt(values.length),
  runs: values.length,
});

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

async function main() {
  const runs = Number(process.env["RUNS"] ?? 10);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a positive integer, got ${process.env["RUNS"]}`);
  const so = readFileSync(PROGRAM_SO);
  const soSize = statSync(PROGRAM_SO).size;
  const soHash = createHash("sha256").update(so).digest("hex").slice(0, 16);

  const perInstruction: string[][] = [];
  const perCase: string[][] = [];
  for (const bench of [...CU_BENCHES, ...LIFECYCLE_CU_BENCHES, ...SESSION_CU_BENCHES]) {
    const all: bigint[] = [];
    for (const c of bench.cases) {
      const values: bigint[] = [];
      for (let i = 0; i < runs; i++) {
        const report = await c.run(await createTestSvm());
        values.push(report.computeUnits);
      }
      all.push(...values);
      const s = stats(values);
      perCase.push([bench.instruction, c.label, String(s.best), String(s.avg), String(s.worst), String(s.runs)]);
    }
    const s = stats(all);
    perInstruction.push([
      bench.instruction,
      `${bench.cases.length} case${bench.cases.length > 1 ? "s" : ""}`,
      String(s.best),
      String(s.avg),
      String(s.worst),
      String(s.runs),
      String(bench.ceiling),
    ]);
  }

  const header = ["instruction", "cases", "best CU", "avg CU", "worst CU", "runs", "test ceiling"];
  const summary = table(header, perInstruction);
  const detail = table(["instruction", "case", "best CU", "avg CU", "worst CU", "runs"], perCase);
  console.log(`${relative(REPO_ROOT, PROGRAM_SO)}: ${soSize} bytes (sha256 ${soHash}…)\n`);
  console.log(summary);
  console.log();
  console.log(detail);
  const chainCost = await chainCostReport();
  console.log();
  console.log(chainCost);

  const doc = `# Compute units

Measured by \`npm run bench:cu\` (scripts/bench-cu.ts) on LiteSVM against the real
\`target/deploy/chainference.so\`: ${soSize} bytes, sha256 \`${soHash}…\`. Each case runs ${runs} times on a
fresh chain with fresh keys, so PDA bump searches (\`find_program_address\` in the cold instructions)
vary between runs. CU = \`computeUnitsConsumed\` of the measured transaction (one instruction, no
compute-budget instructions). \`tests/program/cu.test.ts\` fails when a registry case exceeds its ceiling
(tests/helpers/cu-cases.ts), \`tests/program/cu-ceilings.test.ts\` when a lifecycle case exceeds its limit
(tests/helpers/cu-lifecycle-cases.ts; issue 3: every instruction ≤ 3,000 CU, append_response ≤ 1,500 CU
plus realloc), or a session case its limit (tests/helpers/cu-session-cases.ts; issue 12: every session
instruction ≤ 3,000 CU).

\`settle_session\` is measured in its real transaction, \`[Ed25519 verify, settle_session]\`. The Ed25519
precompile is not ours to count and consumes none of the transaction's compute units (a transaction holding
only the verify instruction reports 0 CU); what it costs is its signature: 5,000 lamports, so a settle
transaction pays 10,000. \`open_session\` on an address someone pre-funded takes the griefing-safe path
(pay the shortfall, then Allocate + Assign: three System CPIs instead of one CreateAccount) and is held
under 5,000 CU instead; only a client whose session address was pre-funded pays it.

## Per instruction

${summary}

## Per case

${detail}

${chainCost}

${CHANGES}
`;
  const out = join(REPO_ROOT, "docs", "cu.md");
  writeFileSync(out, doc);
  console.log(`\nwrote ${relative(REPO_ROOT, out)}`);
}

/** Before/after of the instructions a change touched (hand-kept: the tables above are the current state). */
const CHANGES = `## Changes

Issue 10 (upgrade-authority initialization, client traps checked on-chain, error codes at 0x2000 + n), worst
case before → after: \`initialize_config\` 80,623 → 83,763 (one \`find_program_address\` for the
ProgramData PDA, ~3,100 CU, cold and one-time); \`create_request\` 2,554 → 2,566 (minimum timeout,
executable client); \`lock_request\` 1,642 → 1,644 (wrap epoch = server epoch); \`update_config\` 181 → 193
(one more limit). Every other instruction moved by 2 CU (the entrypoint's code layout), none of its code
changed.

Issue 11 (one reader per prompt), worst case before → after: \`lock_request\` 1,649 → 1,722 (parses the
32-byte key and compares it with the server's: 29 CU on the open allow-list case, 614 → 643, the rest is
code layout); new \`hand_off_request\` 365 (one entry) to 400 (the last of 8). Every other instruction moved
by at most 1 CU (code layout).`;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
