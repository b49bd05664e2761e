/**
 * Seeded, reproducible randomized sequence test of the request lifecycle on the real
 * target/deploy/chainference.so: SEQ_OPS operations (default 100,000) across 20 clients and 6
 * servers, mixing every lifecycle instruction (plus pause, server updates, close/re-register and
 * fee withdrawals) with random valid and invalid parameters and random slot warps.
 *
 * A model kept in the test predicts every outcome: success, or the exact custom error the program
 * must return first (the program's check order), and every balance and counter after it. After
 * each operation it checks:
 *   - the outcome (landed, or failed with exactly the predicted code),
 *   - the balance of every account of the transaction against the model (the runtime can change
 *     no other account), and every 500 operations a full sweep: every live account's balance
 *     against the model, and Σ over all of them == initial Σ − Σ fees (exact conservation),
 *   - the touched server's counters (active_locks, completed, expired, tokens_out,
 *     lamports_earned, rating_sum, rating_count) and the touched request/response state,
 *   - the stake ledger: each settled stake split into cost (operator share + fee) and refund.
 * At the end every open or locked request is settled or expired (each must have a path), every
 * response closed, every stake released, every server's active_locks back to 0, and only Config,
 * fee vaults and servers remain owned by the program.
 *
 * Env: SEQ_SEED (default 0xC4A1F00D), SEQ_OPS (default 100000). Transactions are built, signed
 * (node:crypto Ed25519, real signatures verified by LiteSVM) and sent by tests/helpers/fast-chain.ts.
 */
import type { Address } from "@solana/kit";
import { LiteSVM } from "litesvm";
import { expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__ALREADY_INITIALIZED as ALREADY_INITIALIZED,
  CHAINFERENCE_ERROR__ALREADY_RATED as ALREADY_RATED,
  CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH as CHUNK_INDEX_MISMATCH,
  CHAINFERENCE_ERROR__CLIENT_MISMATCH as CLIENT_MISMATCH,
  CHAINFERENCE_ERROR__DEADLINE_NOT_REACHED as DEADLINE_NOT_REACHED,
  CHAINFERENCE_ERROR__DUPLICATE_ALLOWED_SERVER as DUPLICATE_ALLOWED_SERVER,
  CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH as FEE_VAULT_MISMATCH,
  CHAINFERENCE_ERROR__GRACE_PERIOD_ACTIVE as GRACE_PERIOD_ACTIVE,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER as INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_CHUNK_LENGTH as INVALID_CHUNK_LENGTH,
  CHAINFERENCE_ERROR__INVALID_FILTER as INVALID_FILTER,
  CHAINFERENCE_ERROR__INVALID_MODEL_ID as INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INVALID_RATING as INVALID_RATING,
  CHAINFERENCE_ERROR__INVALID_REVISION as INVALID_REVISION,
  CHAINFERENCE_ERROR__INVALID_TIMEOUT as INVALID_TIMEOUT,
  CHAINFERENCE_ERROR__MISSING_ACCOUNT as MISSING_ACCOUNT,
  CHAINFERENCE_ERROR__MODEL_NOT_OFFERED as MODEL_NOT_OFFERED,
  CHAINFERENCE_ERROR__NOT_ENOUGH_ACCOUNTS as NOT_ENOUGH_ACCOUNTS,
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED as NOT_ENOUGH_COMPLETED,
  CHAINFERENCE_ERROR__NOT_LOCKED_BY_SERVER as NOT_LOCKED_BY_SERVER,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH as OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__PRICE_ABOVE_MAX as PRICE_ABOVE_MAX,
  CHAINFERENCE_ERROR__PROMPT_LENGTH_MISMATCH as PROMPT_LENGTH_MISMATCH,
  CHAINFERENCE_ERROR__PROMPT_NOT_SEALED as PROMPT_NOT_SEALED,
  CHAINFERENCE_ERROR__PROMPT_TOO_LARGE as PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__PROTOCOL_PAUSED as PROTOCOL_PAUSED,
  CHAINFERENCE_ERROR__RATING_TOO_LOW as RATING_TOO_LOW,
  CHAINFERENCE_ERROR__REQUEST_EXPIRED as REQUEST_EXPIRED,
  CHAINFERENCE_ERROR__REQUEST_NOT_LOCKED as REQUEST_NOT_LOCKED,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN as REQUEST_NOT_OPEN,
  CHAINFERENCE_ERROR__RESPONSE_FINAL as RESPONSE_FINAL,
  CHAINFERENCE_ERROR__RESPONSE_MISMATCH as RESPONSE_MISMATCH,
  CHAINFERENCE_ERROR__RESPONSE_NOT_COMPLETED as RESPONSE_NOT_COMPLETED,
  CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL as RESPONSE_NOT_FINAL,
  CHAINFERENCE_ERROR__RESPONSE_TOO_LARGE as RESPONSE_TOO_LARGE,
  CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS as SERVER_HAS_ACTIVE_LOCKS,
  CHAINFERENCE_ERROR__SERVER_INACTIVE as SERVER_INACTIVE,
  CHAINFERENCE_ERROR__SERVER_MISMATCH as SERVER_MISMATCH,
  CHAINFERENCE_ERROR__SERVER_NOT_ALLOWED as SERVER_NOT_ALLOWED,
  CHAINFERENCE_ERROR__STAKE_BELOW_PROMPT_COST as STAKE_BELOW_PROMPT_COST,
  CHAINFERENCE_ERROR__STAKE_TOO_LOW as STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__SUCCESS_RATE_TOO_LOW as SUCCESS_RATE_TOO_LOW,
  CHAINFERENCE_ERROR__TOKENS_IN_ABOVE_BOUND as TOKENS_IN_ABOVE_BOUND,
  CHAINFERENCE_ERROR__TOKENS_OUT_ABOVE_BOUND as TOKENS_OUT_ABOVE_BOUND,
  getAppendPromptInstructionDataEncoder,
  getAppendResponseInstructionDataEncoder,
  getCancelRequestInstructionDataEncoder,
  getCloseResponseInstructionDataEncoder,
  getCloseServerInstructionDataEncoder,
  getCompleteRequestInstructionDataEncoder,
  getCreateRequestInstructionDataEncoder,
  getExpireRequestInstructionDataEncoder,
  getInitializeConfigInstructionDataEncoder,
  getLockRequestInstructionDataEncoder,
  getRateServerInstructionDataEncoder,
  getRegisterServerInstructionDataEncoder,
  getUpdateConfigInstructionDataEncoder,
  getUpdateServerInstructionDataEncoder,
  getWithdrawFeesInstructionDataEncoder,
  type ModelInputArgs,
} from "../../clients/js/src/generated";
import { errorName } from "../helpers/errors";
import {
  FastChain,
  balanceReader,
  dataReader,
  fastAddressBytes,
  fastKey,
  findPdaSync,
  type FastInstruction,
  type FastKey,
  type FastMeta,
} from "../helpers/fast-chain";
import { CONFIG_SIZE, FEE_VAULT_SIZE, serverSize } from "../helpers/fixtures";
import { CHUNK_OVERHEAD_LEN, requestSize, responseSize } from "../helpers/lifecycle";
import { PROGRAM_ADDRESS, PROGRAM_SO, SYSTEM_PROGRAM_ADDRESS } from "../helpers/svm";
import { setUpgradeAuthority } from "../../clients/js/src/litesvm/upgrade-authority";

const SEED = Number(process.env["SEQ_SEED"] ?? 0xc4a1f00d) >>> 0;
const OPS = Number(process.env["SEQ_OPS"] ?? 100_000);
const CLIENTS = 20;
const SERVERS = 6;
const SWEEP_EVERY = 500;

// Small windows so requests open, lock, expire and settle many times over the run.
const CONFIG = {
  feeBps: 777,
  maxPromptBytes: 4_096,
  maxResponseBytes: 4_096,
  defaultResponseTimeout: 40n,
  maxResponseTimeout: 200n,
  openRequestSlots: 120n,
  closeGraceSlots: 60n,
  minStake: 50_000n,
  minResponseTimeout: 1n,
  // The bond and its slash have their own exact-sum tests (deposit_bond, withdraw_bond, expire_request).
  minBond: 0n,
  abandonPenalty: 0n,
  bondCooldownSlots: 0n,
};
const MAX_FRAME_CHUNK = 913;
/** A completion counts in `completed` only with a protocol fee of at least this (program/src/constants.rs). */
const MIN_COUNTED_FEE = 10_000n; // largest chunk that fits a transaction with append_response's accounts

const MODEL_A = "HuggingFaceTB/SmolLM2-135M-Instruct";
const MODEL_B = "org-1/model.v1";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (sfc32 seeded by splitmix32).
// ---------------------------------------------------------------------------------------------
function makeRng(seed: number) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    range: (lo: number, hi: number) => lo + int(hi - lo + 1),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    big: (lo: bigint, hi: bigint) => lo + BigInt(Math.floor(next() * Number(hi - lo + 1n))),
  };
}

// ---------------------------------------------------------------------------------------------
// Model.
// ---------------------------------------------------------------------------------------------
type Wallet = { key: FastKey; address: Address };
type ModelEntryM = { hfId: string; revision: string; priceIn: bigint; priceOut: bigint };
type ServerM = {
  idx: number;
  op: Wallet;
  address: Address;
  bump: number;
  exists: boolean;
  active: boolean;
  models: ModelEntryM[];
  activeLocks: number;
  completed: bigint;
  expired: bigint;
  tokensOut: bigint;
  lamportsEarned: bigint;
  ratingSum: bigint;
  ratingCount: bigint;
  paidVolume: bigint;
  expiredVolume: bigint;
};
type ReqM = {
  address: Address;
  client: number;
  nonce: bigint;
  status: 0 | 1;
  sealed: boolean;
  promptLen: number;
  written: number;
  stake: bigint;
  allowed: Address[];
  model: string;
  revision: string;
  maxPriceIn: bigint;
  maxPriceOut: bigint;
  minCompleted: bigint;
  minSuccessBps: number;
  minAvgRating: number;
  openUntil: bigint;
  timeout: bigint;
  feeShard: number;
  lockedBy: number;
  lockSlot: bigint;
  deadline: bigint;
  priceIn: bigint;
  priceOut: bigint;
  hasResponse: boolean;
};
type RespM = {
  address: Address;
  request: Address;
  client: number;
  server: number;
  operator: Address;
  chunkCount: number;
  streamLen: number;
  plaintext: number;
  final: boolean;
  completed: boolean;
  rated: boolean;
  completedSlot: bigint;
  cost: bigint;
};

const enc = {
  create: getCreateRequestInstructionDataEncoder(),
  appendPrompt: getAppendPromptInstructionDataEncoder(),
  cancel: getCancelRequestInstructionDataEncoder(),
  lock: getLockRequestInstructionDataEncoder(),
  append: getAppendResponseInstructionDataEncoder(),
  complete: getCompleteRequestInstructionDataEncoder(),
  expire: getExpireRequestInstructionDataEncoder(),
  rate: getRateServerInstructionDataEncoder(),
  closeResponse: getCloseResponseInstructionDataEncoder(),
  closeServer: getCloseServerInstructionDataEncoder(),
  register: getRegisterServerInstructionDataEncoder(),
  updateServer: getUpdateServerInstructionDataEncoder(),
  updateConfig: getUpdateConfigInstructionDataEncoder(),
  withdraw: getWithdrawFeesInstructionDataEncoder(),
  init: getInitializeConfigInstructionDataEncoder(),
};

const w = (address: Address, signer = false): FastMeta => ({ address, signer, writable: true });
const r = (address: Address, signer = false): FastMeta => ({ address, signer, writable: false });
const ix = (accounts: FastMeta[], data: ArrayLike<number>): FastInstruction => ({
  programAddress: PROGRAM_ADDRESS,
  accounts,
  data: new Uint8Array(data),
});
const utf8 = new TextEncoder();
const u64le = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const tokenCost = (tokens: bigint, price: bigint) => (tokens * price + 999_999n) / 1_000_000n;

type Outcome = { code?: number; apply?: () => void };
type Op = {
  kind: string;
  feePayer: Wallet;
  instructions: FastInstruction[];
  /** Accounts whose balance may change (checked against the model after the op). */
  touched: Address[];
  predict: () => Outcome;
  servers?: number[];
  request?: Address;
  response?: Address;
};

it(`randomized lifecycle sequence: ${OPS} operations, seed ${SEED} (SEQ_SEED / SEQ_OPS)`, { timeout: 900_000 }, () => {
  const started = performance.now();
  const rng = makeRng(SEED);
  const svm = new LiteSVM().withTransactionHistory(0n);
  svm.addProgramFromFile(PROGRAM_ADDRESS, PROGRAM_SO);
  const chain = new FastChain(svm);
  const balanceOf = balanceReader(svm);
  const dataOf = dataReader(svm);

  // Model state.
  const balances = new Map<Address, bigint>();
  const rentCache = new Map<number, bigint>();
  const rent = (size: number) => {
    let v = rentCache.get(size);
    if (v === undefined) {
      v = svm.minimumBalanceForRentExemption(BigInt(size));
      rentCache.set(size, v);
    }
    return v;
  };
  let fees = 0n;
  let initialTotal = 0n;
  const credit = (a: Address, amount: bigint) => balances.set(a, (balances.get(a) ?? 0n) + amount);
  const debit = (a: Address, amount: bigint) => {
    const v = (balances.get(a) ?? 0n) - amount;
    if (v < 0n) throw new Error(`model: ${a} would go negative`);
    balances.set(a, v);
  };
  const move = (from: Address, to: Address, amount: bigint) => {
    debit(from, amount);
    credit(to, amount);
  };
  const closeTo = (account: Address, to: Address) => move(account, to, balances.get(account) ?? 0n);

  let now = svm.getClock().slot;
  let paused = false;

  const fund = (label: string, lamports: bigint): Wallet => {
    const key = chain.register(fastKey(`chainference/seq/${SEED}/${label}`));
    svm.setAccount({
      address: key.address,
      lamports: lamports as never,
      programAddress: SYSTEM_PROGRAM_ADDRESS,
      data: new Uint8Array(),
      executable: false,
      space: 0n,
    });
    balances.set(key.address, lamports);
    initialTotal += lamports;
    return { key, address: key.address };
  };
  const WALLET_FUNDS = 10_000_000_000_000n;
  const admin = fund("admin", WALLET_FUNDS);
  const treasury = fund("treasury", 1_000_000_000n);
  const keeper = fund("keeper", WALLET_FUNDS);
  const strangers = [fund("stranger-0", WALLET_FUNDS), fund("stranger-1", WALLET_FUNDS)];
  const clients = Array.from({ length: CLIENTS }, (_, i) => fund(`client-${i}`, WALLET_FUNDS));
  const operators = Array.from({ length: SERVERS }, (_, i) => fund(`operator-${i}`, WALLET_FUNDS));

  const [config] = findPdaSync([utf8.encode("config")], PROGRAM_ADDRESS);
  const vaults = Array.from(
    { length: 16 },
    (_, shard) => findPdaSync([utf8.encode("fee_vault"), Uint8Array.of(shard)], PROGRAM_ADDRESS)[0],
  );
  const vaultRent = rent(FEE_VAULT_SIZE);
  const programData = findPdaSync([fastAddressBytes(PROGRAM_ADDRESS)], "BPFLoaderUpgradeab1e11111111111111111111111" as Address)[0];
  setUpgradeAuthority(svm, PROGRAM_ADDRESS, admin.address);

  /** Sends one op, checks its outcome against the prediction, applies the model and the checks. */
  const counts = new Map<string, { ok: number; failed: number }>();
  const failureCodes = new Map<string, number>();
  let opIndex = 0;
  const describeOp = (op: Op) => `op #${opIndex} ${op.kind} (seed ${SEED}, slot ${now})`;

  const run = (op: Op): boolean => {
    const outcome = op.predict();
    const result = chain.send(op.feePayer.address, op.instructions);
    const expected = outcome.code === undefined ? "success" : errorName(outcome.code);
    const actual = result.ok ? "success" : result.code === undefined ? `runtime error ${result.reason}` : errorName(result.code);
    if (expected !== actual) {
      throw new Error(`${describeOp(op)}: expected ${expected}, got ${actual}\n  ${result.logs().join("\n  ")}`);
    }
    fees += result.fee;
    debit(op.feePayer.address, result.fee);
    if (result.ok) outcome.apply?.();
    const c = counts.get(op.kind) ?? { ok: 0, failed: 0 };
    if (result.ok) c.ok++;
    else {
      c.failed++;
      failureCodes.set(actual, (failureCodes.get(actual) ?? 0) + 1);
      if (process.env["SEQ_DEBUG"]) failureCodes.set(`${op.kind}: ${actual}`, (failureCodes.get(`${op.kind}: ${actual}`) ?? 0) + 1);
    }
    counts.set(op.kind, c);
    // Every account of the transaction against the model (the runtime can change no other).
    for (const a of new Set([op.feePayer.address, ...op.touched])) {
      const actualBalance = balanceOf(a);
      const model = balances.get(a) ?? 0n;
      if (actualBalance !== model) {
        throw new Error(`${describeOp(op)}: balance of ${a} is ${actualBalance}, model says ${model}`);
      }
      if (model === 0n) balances.delete(a); // closed: no longer part of the live set
    }
    for (const s of op.servers ?? []) checkServer(servers[s]!, op);
    if (op.request) checkRequest(op.request, op);
    if (op.response) checkResponse(op.response, op);
    return result.ok;
  };

  // ----- Config and servers (through the same machinery, so the model tracks their rent) -----
  const initData = enc.init.encode({ treasury: treasury.address, ...CONFIG });
  run({
    kind: "initialize_config",
    feePayer: admin,
    instructions: [
      ix([w(admin.address, true), w(config), r(programData), r(SYSTEM_PROGRAM_ADDRESS), ...vaults.map((v) => w(v))], initData),
    ],
    touched: [config, ...vaults],
    predict: () => ({
      apply: () => {
        move(admin.address, config, rent(CONFIG_SIZE));
        for (const v of vaults) move(admin.address, v, vaultRent);
      },
    }),
  });

  const baseModels = (i: number): ModelEntryM[] => [
    { hfId: MODEL_A, revision: "", priceIn: 100_000_000n * BigInt(i + 1), priceOut: 300_000_000n * BigInt(i + 1) },
    { hfId: MODEL_B, revision: "main", priceIn: 50_000_000n, priceOut: 70_000_000n },
  ];
  const modelInputs = (models: ModelEntryM[]): ModelInputArgs[] => models.map((m) => ({ ...m, quantization: "Q4_K_M", maxContext: 8_192 }));
  const servers: ServerM[] = operators.map((op, idx) => {
    const [address, bump] = findPdaSync([utf8.encode("server"), fastAddressBytes(op.address)], PROGRAM_ADDRESS);
    return {
      idx,
      op,
      address,
      bump,
      exists: false,
      active: false,
      models: baseModels(idx),
      activeLocks: 0,
      completed: 0n,
      expired: 0n,
      tokensOut: 0n,
      lamportsEarned: 0n,
      ratingSum: 0n,
      ratingCount: 0n,
      paidVolume: 0n,
      expiredVolume: 0n,
    };
  });
  const serverByAddress = new Map(servers.map((s) => [s.address, s]));
  const X25519 = new Uint8Array(32).fill(9);

  const registerOp = (s: ServerM): Op => ({
    kind: "register_server",
    feePayer: s.op,
    instructions: [
      ix(
        [w(s.op.address, true), w(s.address), r(SYSTEM_PROGRAM_ADDRESS)],
        enc.register.encode({ bump: s.bump, x25519Key: X25519, endpoint: "", models: modelInputs(baseModels(s.idx)) }),
      ),
    ],
    touched: [s.address],
    servers: [s.idx],
    predict: () =>
      s.exists
        ? { code: ALREADY_INITIALIZED }
        : {
            apply: () => {
              move(s.op.address, s.address, rent(serverSize(2)));
              Object.assign(s, {
                exists: true,
                active: true,
                models: baseModels(s.idx),
                activeLocks: 0,
                completed: 0n,
                expired: 0n,
                tokensOut: 0n,
                lamportsEarned: 0n,
                ratingSum: 0n,
                ratingCount: 0n,
                paidVolume: 0n,
                expiredVolume: 0n,
              });
            },
          },
  });
  for (const s of servers) run(registerOp(s));

  // ----- Request / response model -----
  const requests = new Map<Address, ReqM>();
  const responses = new Map<Address, RespM>();
  const responseAddressOf = new Map<Address, Address>();
  const responseOf = (request: Address): Address => {
    let a = responseAddressOf.get(request);
    if (!a) {
      a = findPdaSync([utf8.encode("response"), fastAddressBytes(request)], PROGRAM_ADDRESS)[0];
      responseAddressOf.set(request, a);
    }
    return a;
  };
  const nextNonce = clients.map(() => 0n);
  const reusable: bigint[][] = clients.map(() => []);
  const requestAddressCache = new Map<string, [Address, number]>();
  const requestPdaOf = (client: number, nonce: bigint): [Address, number] => {
    const k = `${client}/${nonce}`;
    let v = requestAddressCache.get(k);
    if (!v) {
      v = findPdaSync([utf8.encode("request"), fastAddressBytes(clients[client]!.address), u64le(nonce)], PROGRAM_ADDRESS);
      requestAddressCache.set(k, v);
    }
    return v;
  };
  const nonceOf = new Map<Address, { client: number; nonce: bigint }>();

  const stakes = {
    created: 0n,
    costs: 0n,
    refunded: 0n,
    operatorShares: 0n,
    fees: 0n,
    settled: 0,
    cancelled: 0,
    expired: 0,
  };
  const closeRequest = (q: ReqM, cost: bigint) => {
    requests.delete(q.address);
    stakes.costs += cost;
    stakes.refunded += q.stake - cost;
    // The nonce is reusable once the request closed, even over a response still at its PDA (a
    // stale response: the new request cannot be answered until it is closed, nor settled with it).
    const n = nonceOf.get(q.address)!;
    reusable[n.client]!.push(n.nonce);
  };

  // ----- On-chain state checks -----
  function checkServer(s: ServerM, op: Op) {
    const data = dataOf(s.address);
    if (!s.exists) {
      if (data && data.length > 0) throw new Error(`${describeOp(op)}: server ${s.idx} should be closed`);
      return;
    }
    if (!data) throw new Error(`${describeOp(op)}: server ${s.idx} missing`);
    const v = view(data);
    const actual = {
      active: data[3] === 1,
      activeLocks: v.getUint16(74, true),
      completed: v.getBigUint64(76, true),
      expired: v.getBigUint64(84, true),
      tokensOut: v.getBigUint64(92, true),
      lamportsEarned: v.getBigUint64(100, true),
      ratingSum: v.getBigUint64(124, true),
      ratingCount: v.getBigUint64(132, true),
      paidVolume: v.getBigUint64(156, true),
      expiredVolume: v.getBigUint64(172, true),
    };
    const model = {
      active: s.active,
      activeLocks: s.activeLocks,
      completed: s.completed,
      expired: s.expired,
      tokensOut: s.tokensOut,
      lamportsEarned: s.lamportsEarned,
      ratingSum: s.ratingSum,
      ratingCount: s.ratingCount,
      paidVolume: s.paidVolume,
      expiredVolume: s.expiredVolume,
    };
    for (const k of Object.keys(model) as (keyof typeof model)[]) {
      if (actual[k] !== model[k]) throw new Error(`${describeOp(op)}: server ${s.idx} ${k} is ${actual[k]}, model says ${model[k]}`);
    }
  }
  function checkRequest(address: Address, op: Op) {
    const q = requests.get(address);
    const data = dataOf(address);
    if (!q) {
      if (data && data.length > 0) throw new Error(`${describeOp(op)}: request ${address} should be closed`);
      return;
    }
    if (!data) throw new Error(`${describeOp(op)}: request ${address} missing`);
    const v = view(data);
    const actual = [data[3], data[253] === 1, data[255] === 1, v.getUint32(356, true), v.getBigUint64(296, true), data[392]].join();
    const model = [q.status, q.hasResponse, q.sealed, q.written, q.status === 1 ? q.deadline : 0n, findResponseBump(address)[1]].join();
    if (actual !== model) throw new Error(`${describeOp(op)}: request state ${actual}, model ${model}`);
  }
  function checkResponse(address: Address, op: Op) {
    const p = responses.get(address);
    const data = dataOf(address);
    if (!p) {
      if (data && data.length > 0) throw new Error(`${describeOp(op)}: response ${address} should be closed`);
      return;
    }
    if (!data) throw new Error(`${describeOp(op)}: response ${address} missing`);
    const v = view(data);
    const actual = [
      data[3] === 1,
      data[172] === 1,
      data[173] === 1,
      v.getUint32(176, true),
      v.getUint32(180, true),
      v.getUint32(184, true),
      data.length,
    ].join();
    const model = [p.final, p.completed, p.rated, p.chunkCount, p.streamLen, p.plaintext, responseSize(p.streamLen)].join();
    if (actual !== model) throw new Error(`${describeOp(op)}: response state ${actual}, model ${model}`);
  }
  function sweep(label: string) {
    let total = 0n;
    for (const [a, model] of balances) {
      const actual = balanceOf(a);
      if (actual !== model) throw new Error(`sweep ${label}: balance of ${a} is ${actual}, model says ${model}`);
      total += actual;
    }
    if (total !== initialTotal - fees) {
      throw new Error(`sweep ${label}: Σ balances ${total} ≠ initial ${initialTotal} − fees ${fees}`);
    }
    for (const s of servers) checkServer(s, { kind: `sweep ${label}` } as Op);
  }

  // ----- Helpers for predictions -----
  const isValidModelId = (id: string) => id === MODEL_A || id === MODEL_B || id === "org/unknown-model";
  const isValidRevision = (rev: string) => /^[A-Za-z0-9._/-]{0,40}$/.test(rev);
  const successBps = (s: ServerM) => {
    const total = s.paidVolume + s.expiredVolume;
    return total === 0n ? 0n : (s.paidVolume * 10_000n) / total;
  };
  const avgRating = (s: ServerM) => (s.ratingCount === 0n ? 0n : (s.ratingSum * 100n) / s.ratingCount);
  const findModel = (s: ServerM, q: ReqM): ModelEntryM | number => {
    let offered = false;
    for (const m of s.models) {
      if (m.hfId !== q.model || (q.revision !== "" && m.revision !== q.revision)) continue;
      if (m.priceIn <= q.maxPriceIn && m.priceOut <= q.maxPriceOut) return m;
      offered = true;
    }
    return offered ? PRICE_ABOVE_MAX : MODEL_NOT_OFFERED;
  };
  const ownerOk = (a: Address) => (balances.get(a) ?? 0n) > 0n; // program accounts in the model are live iff funded
  const liveRequests = () => [...requests.values()];
  const pickRequest = (filter: (q: ReqM) => boolean): ReqM | undefined => {
    const xs = liveRequests().filter(filter);
    return xs.length ? rng.pick(xs) : undefined;
  };
  const maxServerPriceIn = () => servers.reduce((m, s) => (s.models[0]!.priceIn > m ? s.models[0]!.priceIn : m), 0n);

  // ----- Operation generators -----
  function createOp(): Op {
    const c = rng.int(CLIENTS);
    const client = clients[c]!;
    let nonce: bigint;
    if (rng.chance(0.03) && reusable[c]!.length) nonce = reusable[c]!.splice(rng.int(reusable[c]!.length), 1)[0]!;
    else if (rng.chance(0.01) && requests.size) {
      const mine = liveRequests().filter((q) => q.client === c);
      nonce = mine.length ? rng.pick(mine).nonce : nextNonce[c]!++;
    } else nonce = nextNonce[c]!++;
    const [address, bump] = requestPdaOf(c, nonce);
    nonceOf.set(address, { client: c, nonce });

    const defect = rng.chance(0.15) ? rng.int(10) : -1;
    const large = rng.chance(0.3);
    let promptLen = large ? rng.range(500, 2_000) : rng.range(0, 400);
    let first = large ? rng.range(0, 400) : promptLen;
    let stake = rng.chance(0.1) ? rng.big(CONFIG.minStake, 300_000n) : rng.big(1_000_000n, 60_000_000n);
    let timeout = rng.chance(0.5) ? 0n : rng.big(1n, CONFIG.maxResponseTimeout);
    let model = rng.chance(0.88) ? MODEL_A : rng.chance(0.85) ? MODEL_B : "org/unknown-model";
    let revision = rng.chance(0.85) ? "" : rng.chance(0.8) ? "main" : "v2";
    let minSuccessBps = rng.chance(0.85) ? 0 : rng.range(0, 10_000);
    let minAvgRating = rng.chance(0.85) ? 0 : rng.range(100, 500);
    const minCompleted = rng.chance(0.85) ? 0n : rng.big(1n, 6n);
    const maxPriceIn = rng.chance(0.85) ? 1_000_000_000n : rng.big(0n, maxServerPriceIn());
    const maxPriceOut = rng.chance(0.85) ? 3_000_000_000n : rng.big(0n, 2_000_000_000n);
    let allowed: Address[] = [];
    if (rng.chance(0.4)) {
      const n = rng.range(1, 3);
      const pool = [...servers.map((s) => s.address), strangers[0]!.address];
      while (allowed.length < n) {
        const a = rng.pick(pool);
        if (!allowed.includes(a)) allowed.push(a);
      }
    }
    switch (defect) {
      case 0:
        stake = CONFIG.minStake - 1n;
        break;
      case 1:
        timeout = CONFIG.maxResponseTimeout + rng.big(1n, 100n);
        break;
      case 2:
        promptLen = CONFIG.maxPromptBytes + rng.range(1, 100);
        first = 10;
        break;
      case 3:
        first = promptLen + 1;
        break;
      case 4:
        model = "bad model id";
        break;
      case 5:
        revision = "bad rev!";
        break;
      case 6:
        minSuccessBps = 10_001;
        break;
      case 7:
        minAvgRating = 501;
        break;
      case 8:
        if (allowed.length) allowed.push(allowed[0]!);
        else allowed = [servers[0]!.address, servers[0]!.address];
        break;
      default:
        break;
    }
    const prompt = new Uint8Array(Math.min(first, 400)).fill(nonce & 0xffn ? Number(nonce & 0xffn) : 1);
    const data = enc.create.encode({
      nonce,
      bump,
      responseBump: findResponseBump(address)[1],
      model,
      revision,
      stake,
      responseTimeout: timeout,
      maxPriceIn,
      maxPriceOut,
      minCompleted,
      minSuccessBps,
      minAvgRating,
      clientKey: new Uint8Array(32).fill(c + 1),
      allowed: allowed.map((server) => ({ server, keyEpoch: 0, wrappedKey: new Uint8Array(48).fill(7) })),
      promptLen,
      prompt,
    });
    const size = requestSize(allowed.length, promptLen);
    return {
      kind: "create_request",
      feePayer: client,
      instructions: [ix([w(client.address, true), w(address), r(config), r(SYSTEM_PROGRAM_ADDRESS)], data)],
      touched: [address],
      request: address,
      predict: () => {
        if (requests.has(address)) return { code: ALREADY_INITIALIZED };
        if (paused) return { code: PROTOCOL_PAUSED };
        if (stake < CONFIG.minStake) return { code: STAKE_TOO_LOW };
        if (timeout > CONFIG.maxResponseTimeout) return { code: INVALID_TIMEOUT };
        if (promptLen > CONFIG.maxPromptBytes) return { code: PROMPT_TOO_LARGE };
        if (prompt.length > promptLen) return { code: PROMPT_LENGTH_MISMATCH };
        if (!isValidModelId(model)) return { code: INVALID_MODEL_ID };
        if (!isValidRevision(revision)) return { code: INVALID_REVISION };
        if (minSuccessBps > 10_000 || minAvgRating > 500) return { code: INVALID_FILTER };
        if (new Set(allowed).size !== allowed.length) return { code: DUPLICATE_ALLOWED_SERVER };
        if (size > 10_240) return { code: PROMPT_TOO_LARGE };
        return {
          apply: () => {
            move(client.address, address, rent(size) + stake);
            stakes.created += stake;
            requests.set(address, {
              address,
              client: c,
              nonce,
              status: 0,
              sealed: prompt.length === promptLen,
              promptLen,
              written: prompt.length,
              stake,
              allowed,
              model,
              revision,
              maxPriceIn,
              maxPriceOut,
              minCompleted,
              minSuccessBps,
              minAvgRating,
              openUntil: now + CONFIG.openRequestSlots,
              timeout: timeout === 0n ? CONFIG.defaultResponseTimeout : timeout,
              feeShard: Number(nonce % 16n),
              lockedBy: -1,
              lockSlot: 0n,
              deadline: 0n,
              priceIn: 0n,
              priceOut: 0n,
              hasResponse: false,
            });
          },
        };
      },
    };
  }

  function appendPromptOp(): Op | undefined {
    const q = pickRequest((x) => x.status === 0 && !x.sealed) ?? (rng.chance(0.3) ? pickRequest(() => true) : undefined);
    if (!q) return undefined;
    const client = clients[q.client]!;
    const stranger = rng.chance(0.05);
    const signer = stranger ? strangers[0]! : client;
    let offset = q.written;
    let len = Math.max(1, Math.min(q.promptLen - q.written, rng.range(1, 900)));
    const defect = rng.chance(0.12) ? rng.int(3) : -1;
    if (defect === 0) offset = q.written + rng.range(1, 5);
    if (defect === 1 && q.written > 0) offset = q.written - 1;
    if (defect === 2) len = q.promptLen - q.written + 1;
    len = Math.min(len, 900);
    const data = enc.appendPrompt.encode({ offset, data: new Uint8Array(len).fill(3) });
    return {
      kind: "append_prompt",
      feePayer: signer,
      instructions: [ix([r(signer.address, true), w(q.address)], data)],
      touched: [q.address],
      request: q.address,
      predict: () => {
        if (signer.address !== client.address) return { code: CLIENT_MISMATCH };
        if (q.status !== 0) return { code: REQUEST_NOT_OPEN };
        if (q.sealed || offset !== q.written || len === 0) return { code: PROMPT_LENGTH_MISMATCH };
        if (q.written + len > q.promptLen) return { code: PROMPT_LENGTH_MISMATCH };
        return {
          apply: () => {
            q.written += len;
            q.sealed = q.written === q.promptLen;
          },
        };
      },
    };
  }

  function cancelOp(): Op | undefined {
    const q = pickRequest((x) => x.status === 0) ?? pickRequest(() => true);
    if (!q) return undefined;
    const client = clients[q.client]!;
    const signer = rng.chance(0.1) ? rng.pick(strangers) : client;
    return {
      kind: "cancel_request",
      feePayer: signer,
      instructions: [ix([w(signer.address, true), w(q.address)], enc.cancel.encode({}))],
      touched: [q.address, client.address],
      request: q.address,
      predict: () => {
        if (signer.address !== client.address) return { code: CLIENT_MISMATCH };
        if (q.status !== 0) return { code: REQUEST_NOT_OPEN };
        return {
          apply: () => {
            closeTo(q.address, client.address);
            stakes.cancelled++;
            closeRequest(q, 0n);
          },
        };
      },
    };
  }

  function lockOutcome(s: ServerM, signer: Wallet, q: ReqM): Outcome {
    if (!s.exists) return { code: INVALID_ACCOUNT_OWNER };
    if (signer.address !== s.op.address) return { code: OPERATOR_MISMATCH };
    if (paused) return { code: PROTOCOL_PAUSED };
    if (q.status !== 0) return { code: REQUEST_NOT_OPEN };
    if (!q.sealed) return { code: PROMPT_NOT_SEALED };
    if (now > q.openUntil) return { code: REQUEST_EXPIRED };
    if (!s.active) return { code: SERVER_INACTIVE };
    if (q.allowed.length && !q.allowed.includes(s.address)) return { code: SERVER_NOT_ALLOWED };
    const m = findModel(s, q);
    if (typeof m === "number") return { code: m };
    if (s.completed < q.minCompleted) return { code: NOT_ENOUGH_COMPLETED };
    if (successBps(s) < BigInt(q.minSuccessBps)) return { code: SUCCESS_RATE_TOO_LOW };
    if (avgRating(s) < BigInt(q.minAvgRating)) return { code: RATING_TOO_LOW };
    if (tokenCost(BigInt(q.promptLen), m.priceIn) > q.stake) return { code: STAKE_BELOW_PROMPT_COST };
    return {
      apply: () => {
        Object.assign(q, {
          status: 1,
          lockedBy: s.idx,
          lockSlot: now,
          deadline: now + q.timeout,
          priceIn: m.priceIn,
          priceOut: m.priceOut,
        });
        s.activeLocks++;
      },
    };
  }

  function lockOp(): Op | undefined {
    const lockable = (x: ReqM) => x.status === 0 && x.sealed && now <= x.openUntil;
    const q =
      (rng.chance(0.75) ? pickRequest((x) => lockable(x) && servers.some((y) => lockOutcome(y, y.op, x).code === undefined)) : undefined) ??
      (rng.chance(0.8) ? pickRequest(lockable) : undefined) ??
      pickRequest(() => true);
    if (!q) return undefined;
    // Usually a server that qualifies (as an indexer would pick it), sometimes any server.
    const qualifying = servers.filter((x) => lockOutcome(x, x.op, q).code === undefined);
    const s = qualifying.length && rng.chance(0.7) ? rng.pick(qualifying) : rng.pick(servers);
    const signer = rng.chance(0.03) ? strangers[1]! : s.op;
    return {
      kind: "lock_request",
      feePayer: signer,
      instructions: [ix([r(signer.address, true), w(s.address), w(q.address), r(config)], enc.lock.encode({ x25519Key: X25519 }))],
      touched: [s.address, q.address],
      servers: [s.idx],
      request: q.address,
      predict: () => lockOutcome(s, signer, q),
    };
  }

  /** Locked, re-created (reused nonce) over a response an earlier request left at its PDA. */
  const overStaleResponse = (x: ReqM) => x.status === 1 && !x.hasResponse && responses.has(responseOf(x.address));

  function appendResponseOp(): Op | undefined {
    const streaming = (x: ReqM) => x.status === 1 && now <= x.deadline && !(x.hasResponse && responses.get(responseOf(x.address))!.final);
    const candidate =
      (rng.chance(0.05) ? pickRequest(overStaleResponse) : undefined) ?? (rng.chance(0.92) ? pickRequest(streaming) : undefined);
    if (!candidate && rng.chance(0.8)) return lockOp();
    const q = candidate ?? pickRequest(() => true);
    if (!q) return undefined;
    const owner = q.lockedBy >= 0 ? servers[q.lockedBy]! : rng.pick(servers);
    const s = rng.chance(0.93) ? owner : rng.pick(servers);
    const signer = rng.chance(0.02) ? strangers[0]! : s.op;
    const response = responseOf(q.address);
    const p = responses.get(response);
    const count = p && p.request === q.address ? p.chunkCount : 0;
    const chunkIndex = rng.chance(0.95) ? count : rng.chance(0.5) && count > 0 ? count - 1 : count + rng.range(1, 3);
    const len = rng.chance(0.03)
      ? rng.range(0, CHUNK_OVERHEAD_LEN - 1)
      : rng.chance(0.2)
        ? MAX_FRAME_CHUNK
        : rng.range(CHUNK_OVERHEAD_LEN, 700);
    const isFinal = rng.chance(0.35);
    const reserve = rng.pick([0, 0, 512, 2_048, 4_096, 1_000_000]);
    const data = enc.append.encode({
      chunkIndex,
      isFinal,
      reserveBytes: reserve,
      ciphertext: new Uint8Array(len).fill(0x42),
    });
    return {
      kind: "append_response",
      feePayer: signer,
      instructions: [ix([w(signer.address, true), r(s.address), w(q.address), w(response), r(SYSTEM_PROGRAM_ADDRESS)], data)],
      touched: [response, q.address],
      servers: [s.idx],
      request: q.address,
      response,
      predict: () => {
        if (!s.exists) return { code: INVALID_ACCOUNT_OWNER };
        if (signer.address !== s.op.address) return { code: OPERATOR_MISMATCH };
        if (q.status !== 1) return { code: REQUEST_NOT_LOCKED };
        if (q.lockedBy !== s.idx) return { code: NOT_LOCKED_BY_SERVER };
        if (!q.hasResponse && responses.has(response)) return { code: ALREADY_INITIALIZED };
        if (len < CHUNK_OVERHEAD_LEN) return { code: INVALID_CHUNK_LENGTH };
        if (now > q.deadline) return { code: REQUEST_EXPIRED };
        const frame = len + 2;
        if (!q.hasResponse) {
          if (chunkIndex !== 0) return { code: CHUNK_INDEX_MISMATCH };
          if (frame > CONFIG.maxResponseBytes) return { code: RESPONSE_TOO_LARGE };
          return {
            apply: () => {
              const reserved = Math.max(Math.min(reserve, CONFIG.maxResponseBytes), frame);
              move(s.op.address, response, rent(responseSize(reserved)));
              responses.set(response, {
                address: response,
                request: q.address,
                client: q.client,
                server: s.idx,
                operator: s.op.address,
                chunkCount: 1,
                streamLen: frame,
                plaintext: len - CHUNK_OVERHEAD_LEN,
                final: isFinal,
                completed: false,
                cost: 0n,
                rated: false,
                completedSlot: 0n,
              });
              q.hasResponse = true;
            },
          };
        }
        const resp = responses.get(response)!;
        if (chunkIndex !== resp.chunkCount) return { code: CHUNK_INDEX_MISMATCH };
        if (resp.final) return { code: RESPONSE_FINAL };
        const newStream = resp.streamLen + frame;
        if (newStream > CONFIG.maxResponseBytes) return { code: RESPONSE_TOO_LARGE };
        return {
          apply: () => {
            const balance = balances.get(response)!;
            if (balance < rent(responseSize(newStream))) {
              const target = rent(responseSize(Math.max(Math.min(reserve, CONFIG.maxResponseBytes), newStream)));
              move(s.op.address, response, target - balance);
            }
            resp.chunkCount++;
            resp.streamLen = newStream;
            resp.plaintext += len - CHUNK_OVERHEAD_LEN;
            resp.final = isFinal;
          },
        };
      },
    };
  }
  const responseBumps = new Map<Address, [Address, number]>();
  function findResponseBump(request: Address): [Address, number] {
    let v = responseBumps.get(request);
    if (!v) {
      v = findPdaSync([utf8.encode("response"), fastAddressBytes(request)], PROGRAM_ADDRESS);
      responseBumps.set(request, v);
      responseAddressOf.set(request, v[0]);
    }
    return v;
  }

  function completeOp(): Op | undefined {
    const candidate =
      (rng.chance(0.05) ? pickRequest(overStaleResponse) : undefined) ??
      (rng.chance(0.9)
        ? pickRequest((x) => x.status === 1 && now <= x.deadline && x.hasResponse && responses.get(responseOf(x.address))!.final)
        : undefined);
    if (!candidate && rng.chance(0.8)) return appendResponseOp();
    const q = candidate ?? pickRequest((x) => x.status === 1) ?? pickRequest(() => true);
    if (!q) return undefined;
    const owner = q.lockedBy >= 0 ? servers[q.lockedBy]! : rng.pick(servers);
    const s = rng.chance(0.95) ? owner : rng.pick(servers);
    const signer = rng.chance(0.02) ? strangers[1]! : s.op;
    const response = responseOf(q.address);
    const resp = responses.get(response);
    const client = clients[q.client]!;
    const clientAddress = rng.chance(0.97) ? client.address : strangers[0]!.address;
    const shard = rng.chance(0.96) ? q.feeShard : (q.feeShard + rng.range(1, 15)) % 16;
    const plaintext = resp?.plaintext ?? 0;
    const tokensIn = rng.chance(0.05) ? q.promptLen + rng.range(1, 10) : rng.range(0, q.promptLen);
    const tokensOut = rng.chance(0.05) ? plaintext + rng.range(1, 10) : rng.range(0, plaintext);
    const vault = vaults[shard]!;
    const data = enc.complete.encode({ tokensIn, tokensOut });
    return {
      kind: "complete_request",
      feePayer: signer,
      instructions: [ix([w(signer.address, true), w(s.address), w(q.address), w(response), w(clientAddress), w(vault)], data)],
      touched: [s.address, q.address, response, clientAddress, vault, client.address, s.op.address],
      servers: [s.idx],
      request: q.address,
      response,
      predict: () => {
        if (!s.exists) return { code: INVALID_ACCOUNT_OWNER };
        if (!resp) return { code: INVALID_ACCOUNT_OWNER };
        if (signer.address !== s.op.address) return { code: OPERATOR_MISMATCH };
        if (q.status !== 1) return { code: REQUEST_NOT_LOCKED };
        if (q.lockedBy !== s.idx) return { code: NOT_LOCKED_BY_SERVER };
        // A response this request did not create (a stale one left by an earlier request with the
        // same nonce) never settles it.
        if (!q.hasResponse) return { code: RESPONSE_MISMATCH };
        if (clientAddress !== client.address) return { code: CLIENT_MISMATCH };
        if (shard !== q.feeShard) return { code: FEE_VAULT_MISMATCH };
        if (now > q.deadline) return { code: REQUEST_EXPIRED };
        if (!resp.final) return { code: RESPONSE_NOT_FINAL };
        if (tokensIn > q.promptLen) return { code: TOKENS_IN_ABOVE_BOUND };
        if (tokensOut > resp.plaintext) return { code: TOKENS_OUT_ABOVE_BOUND };
        return {
          apply: () => {
            const raw = tokenCost(BigInt(tokensIn), q.priceIn) + tokenCost(BigInt(tokensOut), q.priceOut);
            const cost = raw < q.stake ? raw : q.stake;
            const fee = (cost * BigInt(CONFIG.feeBps)) / 10_000n;
            move(q.address, s.op.address, cost - fee);
            move(q.address, vault, fee);
            closeTo(q.address, client.address);
            if (fee >= MIN_COUNTED_FEE) s.completed++;
            s.paidVolume += cost;
            s.tokensOut += BigInt(tokensOut);
            s.lamportsEarned += cost - fee;
            s.activeLocks--;
            Object.assign(resp, { completed: true, completedSlot: now, cost });
            stakes.operatorShares += cost - fee;
            stakes.fees += fee;
            stakes.settled++;
            closeRequest(q, cost);
          },
        };
      },
    };
  }

  function expireOp(forced?: ReqM): Op | undefined {
    const q =
      forced ??
      (rng.chance(0.7) ? pickRequest((x) => (x.status === 0 ? now > x.openUntil : now > x.deadline)) : undefined) ??
      pickRequest(() => true);
    if (!q) return undefined;
    const client = clients[q.client]!;
    const response = responseOf(q.address);
    const resp = responses.get(response);
    let serverArg: Address | undefined = q.lockedBy >= 0 ? servers[q.lockedBy]!.address : undefined;
    let responseArg: Address | undefined = q.hasResponse ? response : undefined;
    let operatorArg: Address | undefined = resp && q.hasResponse ? resp.operator : undefined;
    const clientArg = !forced && rng.chance(0.02) ? strangers[0]!.address : client.address;
    if (!forced && q.status === 1) {
      const d = rng.int(20);
      if (d === 0) serverArg = undefined;
      if (d === 1) serverArg = servers[(q.lockedBy + 1) % SERVERS]!.address;
      if (d === 2 && q.hasResponse) responseArg = undefined;
      if (d === 3 && q.hasResponse) operatorArg = strangers[1]!.address;
    }
    const wrongServer = serverArg !== undefined && q.lockedBy >= 0 && serverArg !== servers[q.lockedBy]!.address;
    const opt = (a: Address | undefined) => (a ? w(a) : r(PROGRAM_ADDRESS));
    return {
      kind: "expire_request",
      feePayer: keeper,
      instructions: [
        ix([w(q.address), w(clientArg), r(config), opt(serverArg), opt(responseArg), opt(operatorArg)], enc.expire.encode({})),
      ],
      touched: [
        q.address,
        clientArg,
        client.address,
        ...(serverArg ? [serverArg] : []),
        response,
        ...(operatorArg ? [operatorArg] : []),
        ...(resp ? [resp.operator] : []),
      ],
      servers: q.lockedBy >= 0 ? [q.lockedBy] : [],
      request: q.address,
      response,
      predict: () => {
        if (clientArg !== client.address) return { code: CLIENT_MISMATCH };
        if (q.status === 1) {
          if (!serverArg) return { code: MISSING_ACCOUNT };
          const sArg = serverByAddress.get(serverArg)!;
          if (!sArg.exists) return { code: INVALID_ACCOUNT_OWNER };
          if (wrongServer) return { code: SERVER_MISMATCH };
          if (q.hasResponse) {
            if (!responseArg || !operatorArg) return { code: MISSING_ACCOUNT };
            if (operatorArg !== resp!.operator) return { code: OPERATOR_MISMATCH };
          }
        }
        const limit = q.status === 1 ? q.deadline : q.openUntil;
        if (now <= limit) return { code: DEADLINE_NOT_REACHED };
        return {
          apply: () => {
            if (q.status === 1) {
              const s = servers[q.lockedBy]!;
              s.expired++;
              s.expiredVolume += q.stake;
              s.activeLocks--;
              if (q.hasResponse) {
                closeTo(response, resp!.operator);
                responses.delete(response);
              }
            }
            closeTo(q.address, client.address);
            stakes.expired++;
            closeRequest(q, 0n);
          },
        };
      },
    };
  }

  function rateOp(): Op | undefined {
    const all = [...responses.values()];
    if (!all.length) return undefined;
    const candidates = all.filter((p) => p.completed && !p.rated);
    const p = candidates.length && rng.chance(0.85) ? rng.pick(candidates) : rng.pick(all);
    const client = clients[p.client]!;
    const signer = rng.chance(0.05) ? strangers[0]! : client;
    const s = rng.chance(0.95) ? servers[p.server]! : rng.pick(servers);
    const rating = rng.chance(0.9) ? rng.range(1, 5) : rng.pick([0, 6, 200]);
    return {
      kind: "rate_server",
      feePayer: signer,
      instructions: [ix([r(signer.address, true), w(p.address), w(s.address)], enc.rate.encode({ rating }))],
      touched: [p.address, s.address],
      servers: [s.idx],
      response: p.address,
      predict: () => {
        if (!s.exists) return { code: INVALID_ACCOUNT_OWNER };
        if (signer.address !== client.address) return { code: CLIENT_MISMATCH };
        if (s.idx !== p.server) return { code: SERVER_MISMATCH };
        if (!p.completed) return { code: RESPONSE_NOT_COMPLETED };
        if (p.rated) return { code: ALREADY_RATED };
        if (rating < 1 || rating > 5) return { code: INVALID_RATING };
        return {
          apply: () => {
            s.ratingSum += BigInt(rating) * p.cost;
            s.ratingCount += p.cost;
            p.rated = true;
          },
        };
      },
    };
  }

  function closeResponseOp(forced?: RespM): Op | undefined {
    const all = [...responses.values()];
    if (!all.length && !forced) return undefined;
    const completed = all.filter((p) => p.completed);
    const p = forced ?? (completed.length && rng.chance(0.85) ? rng.pick(completed) : rng.pick(all));
    const client = clients[p.client]!;
    const roll = rng.next();
    const caller = forced ? keeper : roll < 0.5 ? client : roll < 0.8 ? rng.pick(strangers) : servers[p.server]!.op;
    const operatorArg = forced || rng.chance(0.96) ? p.operator : strangers[1]!.address;
    return {
      kind: "close_response",
      feePayer: caller,
      instructions: [ix([r(caller.address, true), w(p.address), w(operatorArg), r(config)], enc.closeResponse.encode({}))],
      touched: [p.address, operatorArg, p.operator],
      response: p.address,
      predict: () => {
        if (operatorArg !== p.operator) return { code: OPERATOR_MISMATCH };
        if (!p.completed) return { code: RESPONSE_NOT_COMPLETED };
        if (caller.address !== client.address && now <= p.completedSlot + CONFIG.closeGraceSlots) return { code: GRACE_PERIOD_ACTIVE };
        return {
          apply: () => {
            closeTo(p.address, p.operator);
            responses.delete(p.address);
          },
        };
      },
    };
  }

  function adminOp(): Op {
    const roll = rng.int(10);
    if (roll <= 1) {
      // Pause briefly (unpause is far more likely, so the protocol is mostly live).
      const next = paused ? false : rng.chance(0.3);
      return {
        kind: "update_config",
        feePayer: admin,
        instructions: [
          ix(
            [r(admin.address, true), w(config)],
            enc.updateConfig.encode({ newAdmin: admin.address, treasury: treasury.address, paused: next, ...CONFIG }),
          ),
        ],
        touched: [config],
        predict: () => ({ apply: () => void (paused = next) }),
      };
    }
    if (roll <= 4) {
      const s = rng.pick(servers);
      const active = rng.chance(0.85);
      const models = baseModels(s.idx).map((m) => ({
        ...m,
        priceIn: rng.chance(0.5) ? m.priceIn : rng.big(1n, m.priceIn * 2n),
      }));
      return {
        kind: "update_server",
        feePayer: s.op,
        instructions: [
          ix(
            [w(s.op.address, true), w(s.address), r(SYSTEM_PROGRAM_ADDRESS)],
            enc.updateServer.encode({ x25519Key: X25519, endpoint: "", active, models: modelInputs(models) }),
          ),
        ],
        touched: [s.address],
        servers: [s.idx],
        predict: () => (s.exists ? { apply: () => Object.assign(s, { active, models }) } : { code: INVALID_ACCOUNT_OWNER }),
      };
    }
    if (roll <= 7) {
      const s = rng.pick(servers);
      if (!s.exists) return registerOp(s);
      return {
        kind: "close_server",
        feePayer: s.op,
        instructions: [ix([w(s.op.address, true), w(s.address)], enc.closeServer.encode({}))],
        touched: [s.address],
        servers: [s.idx],
        predict: () =>
          s.activeLocks > 0
            ? { code: SERVER_HAS_ACTIVE_LOCKS }
            : {
                apply: () => {
                  closeTo(s.address, s.op.address);
                  s.exists = false;
                },
              },
      };
    }
    return withdrawOp(vaults.filter(() => rng.chance(0.5)));
  }

  function withdrawOp(chosen: Address[]): Op {
    return {
      kind: "withdraw_fees",
      feePayer: admin,
      instructions: [ix([r(admin.address, true), r(config), w(treasury.address), ...chosen.map((v) => w(v))], enc.withdraw.encode({}))],
      touched: [treasury.address, ...chosen],
      // At least one vault: an empty list is NotEnoughAccounts.
      predict: () =>
        chosen.length === 0
          ? { code: NOT_ENOUGH_ACCOUNTS }
          : {
              apply: () => {
                for (const v of chosen) move(v, treasury.address, balances.get(v)! - vaultRent);
              },
            },
    };
  }

  function warp(): void {
    const roll = rng.next();
    const slots = roll < 0.8 ? rng.range(1, 5) : roll < 0.98 ? rng.range(5, 40) : rng.range(40, 250);
    now += BigInt(slots);
    svm.warpToSlot(now);
    const c = counts.get("warp") ?? { ok: 0, failed: 0 };
    c.ok++;
    counts.set("warp", c);
  }

  // ----- The run -----
  const kinds: [number, () => Op | undefined][] = [
    [10, () => (requests.size > 80 && rng.chance(0.7) ? undefined : createOp())],
    [4, appendPromptOp],
    [2, cancelOp],
    [12, lockOp],
    [25, appendResponseOp],
    [12, completeOp],
    [6, () => expireOp()],
    [4, rateOp],
    [5, () => closeResponseOp()],
    [2, adminOp],
  ];
  const WARP_WEIGHT = 5;
  const totalWeight = kinds.reduce((n, [k]) => n + k, WARP_WEIGHT);
  sweep("start");
  for (opIndex = 0; opIndex < OPS; opIndex++) {
    let roll = rng.int(totalWeight);
    if (roll < WARP_WEIGHT) {
      warp();
      continue;
    }
    roll -= WARP_WEIGHT;
    let generator = kinds[0]![1];
    for (const [weight, g] of kinds) {
      if (roll < weight) {
        generator = g;
        break;
      }
      roll -= weight;
    }
    // A pause lasts a few dozen operations.
    if (paused && rng.chance(0.05)) run(adminOpUnpause());
    // A closed server comes back after a while.
    const closed = servers.filter((x) => !x.exists);
    if (closed.length && rng.chance(0.02)) run(registerOp(rng.pick(closed)));
    const op = generator() ?? (rng.chance(0.5) ? expireOp() : undefined) ?? createOp();
    run(op);
    if (opIndex % SWEEP_EVERY === 0) sweep(`after op #${opIndex}`);
  }
  sweep("end of random phase");
  const randomPhaseMs = performance.now() - started;

  // ----- Drain: every stake must have a path to release -----
  if (paused) run(adminOpUnpause());
  function adminOpUnpause(): Op {
    return {
      kind: "update_config",
      feePayer: admin,
      instructions: [
        ix(
          [r(admin.address, true), w(config)],
          enc.updateConfig.encode({ newAdmin: admin.address, treasury: treasury.address, paused: false, ...CONFIG }),
        ),
      ],
      touched: [config],
      predict: () => ({ apply: () => void (paused = false) }),
    };
  }
  // Locked requests with a final response and time left are settled by their server ...
  for (const q of liveRequests()) {
    const resp = responses.get(responseOf(q.address));
    if (q.status === 1 && q.hasResponse && resp?.final && now <= q.deadline) {
      const s = servers[q.lockedBy]!;
      const vault = vaults[q.feeShard]!;
      const client = clients[q.client]!;
      const tokensOut = resp.plaintext;
      run({
        kind: "complete_request (drain)",
        feePayer: s.op,
        instructions: [
          ix(
            [w(s.op.address, true), w(s.address), w(q.address), w(resp.address), w(client.address), w(vault)],
            enc.complete.encode({ tokensIn: q.promptLen, tokensOut }),
          ),
        ],
        touched: [s.address, q.address, resp.address, client.address, vault, s.op.address],
        servers: [s.idx],
        predict: () => ({
          apply: () => {
            const raw = tokenCost(BigInt(q.promptLen), q.priceIn) + tokenCost(BigInt(tokensOut), q.priceOut);
            const cost = raw < q.stake ? raw : q.stake;
            const fee = (cost * BigInt(CONFIG.feeBps)) / 10_000n;
            move(q.address, s.op.address, cost - fee);
            move(q.address, vault, fee);
            closeTo(q.address, client.address);
            // The same bookkeeping as complete_request above (counted only from MIN_COUNTED_FEE; paid volume always).
            if (fee >= MIN_COUNTED_FEE) s.completed++;
            s.paidVolume += cost;
            s.tokensOut += BigInt(tokensOut);
            s.lamportsEarned += cost - fee;
            s.activeLocks--;
            Object.assign(resp, { completed: true, completedSlot: now, cost });
            stakes.operatorShares += cost - fee;
            stakes.fees += fee;
            stakes.settled++;
            closeRequest(q, cost);
          },
        }),
      });
    }
  }
  // ... everything else expires once its window or deadline has passed (no request is stuck).
  now += CONFIG.openRequestSlots + CONFIG.maxResponseTimeout + CONFIG.closeGraceSlots + 1n;
  svm.warpToSlot(now);
  for (const q of liveRequests()) {
    const op = expireOp(q)!;
    if (!run(op)) throw new Error(`request ${q.address} could not be expired`);
  }
  expect(requests.size).toBe(0);
  for (const s of servers) expect(s.activeLocks, `server ${s.idx} active_locks after the drain`).toBe(0);
  // Every response (completed; partial ones closed with their request) can be closed by anyone now.
  for (const p of [...responses.values()]) {
    if (!run(closeResponseOp(p)!)) throw new Error(`response ${p.address} could not be closed`);
  }
  expect(responses.size).toBe(0);
  run(withdrawOp(vaults));
  sweep("after the drain");

  // Stakes: every lamport escrowed was either paid out (operator share + fee) or refunded.
  expect(stakes.costs + stakes.refunded).toBe(stakes.created);
  expect(stakes.operatorShares + stakes.fees).toBe(stakes.costs);
  // The program owns nothing but the Config, the 16 vaults and the live servers.
  const owned = svm
    .getProgramAccounts(PROGRAM_ADDRESS)
    .map((a) => a.address)
    .sort();
  const expectedOwned = [config, ...vaults, ...servers.filter((s) => s.exists).map((s) => s.address)].sort();
  expect(owned).toEqual(expectedOwned);
  for (const v of vaults) expect(balanceOf(v)).toBe(vaultRent);

  const elapsed = (performance.now() - started) / 1000;
  const lines = [...counts.entries()]
    .sort((a, b) => b[1].ok + b[1].failed - (a[1].ok + a[1].failed))
    .map(([k, c]) => `  ${k.padEnd(26)} ${String(c.ok + c.failed).padStart(7)}  (${c.ok} landed, ${c.failed} rejected)`);
  const codes = [...failureCodes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${k.padEnd(62)} ${n}`);
  console.log(
    [
      `sequence seed ${SEED}: ${OPS} operations (${chain.transactions} transactions) in ${elapsed.toFixed(1)} s ` +
        `(random phase ${(randomPhaseMs / 1000).toFixed(1)} s), final slot ${now}`,
      ...lines,
      `stakes: ${stakes.settled} settled, ${stakes.cancelled} cancelled, ${stakes.expired} expired; ` +
        `created ${stakes.created} = costs ${stakes.costs} + refunds ${stakes.refunded}; fees to vaults ${stakes.fees}`,
      `rejections by error:`,
      ...codes,
    ].join("\n"),
  );
});
