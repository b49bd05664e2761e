/**
 * Builds the Codama tree for the Chainference program and writes `program/idl.json`.
 *
 * Sources of truth, so nothing is kept twice:
 * - error names, codes and messages: parsed from `program/src/errors.rs` (`/// message` then `Name = N,`);
 * - instruction discriminators: parsed from the Rust discriminator enum (any `enum` under
 *   `program/src/` whose variants include `InitializeConfig = 0`), or from the instruction table of
 *   `docs/protocol.md` while that enum does not exist yet;
 * - account layouts, instruction data and account lists: written below, then checked field by field
 *   (name, offset, size, signer/writable flags) against the tables of `docs/protocol.md`. Any
 *   disagreement aborts the generation with the offending row, so the IDL cannot drift from the contract.
 *
 * Usage: `tsx scripts/generate-idl.ts` (also run by `npm run generate`).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  accountBumpValueNode,
  accountNode,
  accountValueNode,
  argumentValueNode,
  arrayTypeNode,
  booleanTypeNode,
  bytesTypeNode,
  camelCase,
  constantPdaSeedNodeFromString,
  createFromRoot,
  definedTypeLinkNode,
  definedTypeNode,
  enumEmptyVariantTypeNode,
  enumTypeNode,
  errorNode,
  fieldDiscriminatorNode,
  fixedSizeTypeNode,
  instructionAccountNode,
  instructionArgumentNode,
  instructionNode,
  instructionRemainingAccountsNode,
  numberTypeNode,
  numberValueNode,
  pdaLinkNode,
  pdaNode,
  pdaSeedValueNode,
  pdaValueNode,
  prefixedCountNode,
  programNode,
  publicKeyTypeNode,
  publicKeyValueNode,
  remainderCountNode,
  rootNode,
  sizePrefixTypeNode,
  snakeCase,
  stringTypeNode,
  structFieldTypeNode,
  structTypeNode,
  variablePdaSeedNode,
  type InstructionAccountNode,
  type InstructionArgumentNode,
  type InstructionInputValueNode,
  type InstructionNode,
  type RootNode,
  type StructFieldTypeNode,
  type TypeNode,
} from "codama";

export const PROGRAM_ADDRESS = "74LjdQPmmhK7DJe4oBRwjtiRs88UDr6YkZmeAtcWLnPW";
const SYSTEM_PROGRAM = "11111111111111111111111111111111";
const ACCOUNT_VERSION = 1;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const IDL_PATH = join(REPO_ROOT, "program", "idl.json");
const ERRORS_RS = join(REPO_ROOT, "program", "src", "errors.rs");
const PROGRAM_SRC = join(REPO_ROOT, "program", "src");
const PROTOCOL_MD = join(REPO_ROOT, "docs", "protocol.md");

class IdlError extends Error {
  constructor(message: string) {
    super(`generate-idl: ${message}`);
    this.name = "IdlError";
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing the Rust sources and the protocol document
// ---------------------------------------------------------------------------------------------

export type ParsedError = { name: string; code: number; message: string };

/** `/// message` lines followed by `Name = N,` inside `enum ChainferenceError`. */
export function parseErrors(source: string): ParsedError[] {
  const body = /pub\s+enum\s+ChainferenceError\s*\{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!body) throw new IdlError(`no \`pub enum ChainferenceError { ... }\` in ${rel(ERRORS_RS)}`);
  const errors: ParsedError[] = [];
  let doc: string[] = [];
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("///")) {
      doc.push(line.slice(3).trim());
      continue;
    }
    const variant = /^([A-Z][A-Za-z0-9]*)\s*=\s*(\d+)\s*,?$/.exec(line);
    if (variant) {
      const [, name, code] = variant as unknown as [string, string, string];
      if (doc.length === 0) throw new IdlError(`error ${name} has no /// message in ${rel(ERRORS_RS)}`);
      errors.push({ name, code: Number(code), message: doc.join(" ") });
      doc = [];
      continue;
    }
    if (line === "" || line.startsWith("//") || line.startsWith("#")) continue;
    throw new IdlError(`unexpected line in ChainferenceError: "${line}" (every variant needs an explicit \`= code\`)`);
  }
  const codes = new Set<number>();
  for (const e of errors) {
    if (codes.has(e.code)) throw new IdlError(`error code ${e.code} is used twice in ${rel(ERRORS_RS)}`);
    codes.add(e.code);
  }
  if (errors.length === 0) throw new IdlError(`ChainferenceError in ${rel(ERRORS_RS)} has no variants`);
  return errors;
}

function listRustFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return listRustFiles(path);
      return path.endsWith(".rs") ? [path] : [];
    });
}

export type DiscriminatorSource = { origin: string; byName: Map<string, number> };

/** The Rust instruction discriminator enum: the `enum` whose variants include `InitializeConfig = 0`. */
export function findRustDiscriminators(): DiscriminatorSource | null {
  for (const file of listRustFiles(PROGRAM_SRC)) {
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
      const [, enumName, body] = match as unknown as [string, string, string];
      if (!/\bInitializeConfig\s*=\s*0\b/.test(body)) continue;
      const byName = new Map<string, number>();
      for (const variant of body.matchAll(/^\s*([A-Z][A-Za-z0-9]*)\s*=\s*(\d+)\s*,?/gm)) {
        const [, name, value] = variant as unknown as [string, string, string];
        byName.set(snakeCase(name), Number(value));
      }
      return { origin: `${rel(file)} (enum ${enumName})`, byName };
    }
  }
  return null;
}

/** The `| # | name | data | accounts |` table of protocol.md. */
type ProtocolInstruction = { index: number; name: string; data: string; accounts: string };

function parseProtocolInstructions(md: string): ProtocolInstruction[] {
  const section = md.split(/^## Instructions.*$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new IdlError(`no "## Instructions" section in ${rel(PROTOCOL_MD)}`);
  const rows: ProtocolInstruction[] = [];
  for (const line of section.split("\n")) {
    const cells = tableCells(line);
    if (!cells || cells.length !== 4 || !/^\d+$/.test(cells[0]!)) continue;
    rows.push({ index: Number(cells[0]), name: cells[1]!, data: cells[2]!, accounts: cells[3]! });
  }
  if (rows.length === 0) throw new IdlError(`no instruction rows in ${rel(PROTOCOL_MD)}`);
  return rows;
}

function tableCells(line: string): string[] | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith("|") || !trimmed.endsWith("|")) return null;
  return trimmed
    .slice(1, -1)
    .split("|")
    .map((c) => c.trim());
}

/** `| off | field | type |` rows of `### <Account> (discriminator N), ...`. */
type ProtocolField = { offset: number; name: string; size: number | null };

function parseProtocolAccountTable(md: string, account: string): ProtocolField[] {
  const section = md.split(new RegExp(`^### ${account}\\b.*$`, "m"))[1]?.split(/^##/m)[0];
  if (!section) throw new IdlError(`no "### ${account}" section in ${rel(PROTOCOL_MD)}`);
  const fields: ProtocolField[] = [];
  for (const line of section.split("\n")) {
    const cells = tableCells(line);
    if (!cells || cells.length !== 3) continue;
    const off = /^(\d+)/.exec(cells[0]!);
    if (!off) continue;
    fields.push({ offset: Number(off[1]), name: cells[1]!, size: protocolTypeSize(cells[2]!) });
  }
  if (fields.length === 0) throw new IdlError(`no field rows under "### ${account}" in ${rel(PROTOCOL_MD)}`);
  return fields;
}

/** Inline layouts such as "hf_id_len u8 @0, hf_id [96] @1, ...". */
function parseProtocolInlineLayout(md: string, typeName: string): ProtocolField[] {
  const match = new RegExp(`${typeName}, (\\d+) bytes: ([^\\n]*(?:\\n(?!\\n)[^\\n]*)*)`).exec(md);
  if (!match) throw new IdlError(`no "${typeName}, N bytes: ..." layout in ${rel(PROTOCOL_MD)}`);
  const fields: ProtocolField[] = [];
  for (const m of match[2]!.matchAll(/(\w+) (u8|u16|u32|u64|\[\d+\]) @(\d+)/g)) {
    fields.push({ name: m[1]!, size: protocolTypeSize(m[2]!), offset: Number(m[3]) });
  }
  const total = Number(match[1]);
  fields.push({ name: "<end>", offset: total, size: 0 });
  return fields;
}

/** `discriminator, version, bump, shard` of the FeeVault section: all u8. */
function parseProtocolFeeVault(md: string): ProtocolField[] {
  const match = /### FeeVault \(discriminator \d+\), (\d+) bytes\n`([^`]+)`/.exec(md);
  if (!match) throw new IdlError(`no FeeVault layout in ${rel(PROTOCOL_MD)}`);
  const names = match[2]!.split(",").map((s) => s.trim());
  return names.map((name, offset) => ({ name, offset, size: 1 }));
}

function protocolTypeSize(type: string): number | null {
  const token = /^(u8|u16|u32|u64|\[\d+\])(?![\w])/.exec(type.trim())?.[1] ?? "";
  const scalar: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };
  if (token in scalar) return scalar[token]!;
  const array = /^\[(\d+)\]$/.exec(token);
  if (array) return Number(array[1]);
  return null; // variable-length tail
}

function protocolHeaderSize(md: string, account: string): { fixed: number; perItem: number | null } {
  const heading = new RegExp(`^### ${account} \\(discriminator \\d+\\), (\\d+)(?: \\+ (\\d+) ×)?`, "m").exec(md);
  if (!heading) throw new IdlError(`no "### ${account} (discriminator N), SIZE" heading in ${rel(PROTOCOL_MD)}`);
  return { fixed: Number(heading[1]), perItem: heading[2] ? Number(heading[2]) : null };
}

function protocolAccountDiscriminator(md: string, account: string): number {
  const heading = new RegExp(`^### ${account} \\(discriminator (\\d+)\\)`, "m").exec(md);
  if (!heading) throw new IdlError(`no "### ${account} (discriminator N)" heading in ${rel(PROTOCOL_MD)}`);
  return Number(heading[1]);
}

function rel(path: string): string {
  return relative(REPO_ROOT, path);
}

// ---------------------------------------------------------------------------------------------
// Field builders. Every field records the protocol.md rows it stands for ([name, size]) so the
// layouts below are verified against the document instead of trusted.
// ---------------------------------------------------------------------------------------------

type Field = { node: StructFieldTypeNode; rows: Array<[name: string, size: number | null]> };

const u8 = () => numberTypeNode("u8");
const u16 = () => numberTypeNode("u16");
const u32 = () => numberTypeNode("u32");
const u64 = () => numberTypeNode("u64");
const borshString = () => sizePrefixTypeNode(stringTypeNode("utf8"), u32());
const borshBytes = () => sizePrefixTypeNode(bytesTypeNode(), u32());
const fixedBytes = (size: number) => fixedSizeTypeNode(bytesTypeNode(), size);

function field(name: string, type: TypeNode, size: number | null, docs?: string): Field {
  return { node: structFieldTypeNode({ name, type, ...(docs ? { docs: [docs] } : {}) }), rows: [[name, size]] };
}
function constantField(name: string, value: number, docs: string): Field {
  return {
    node: structFieldTypeNode({
      name,
      type: u8(),
      defaultValue: numberValueNode(value),
      defaultValueStrategy: "omitted",
      docs: [docs],
    }),
    rows: [[name, 1]],
  };
}
const f = {
  u8: (name: string, docs?: string) => field(name, u8(), 1, docs),
  u16: (name: string, docs?: string) => field(name, u16(), 2, docs),
  u32: (name: string, docs?: string) => field(name, u32(), 4, docs),
  u64: (name: string, docs?: string) => field(name, u64(), 8, docs),
  flag: (name: string, docs?: string) => field(name, booleanTypeNode(u8()), 1, docs),
  address: (name: string, docs?: string) => field(name, publicKeyTypeNode(), 32, docs),
  bytes: (name: string, size: number, docs?: string) => field(name, fixedBytes(size), size, docs),
  /** `[N]` bytes holding a zero-padded UTF-8 string (its length is stored elsewhere). */
  paddedString: (name: string, size: number, docs?: string) =>
    field(name, fixedSizeTypeNode(stringTypeNode("utf8"), size), size, docs),
  /** `name_len u8` immediately followed by `name [N]`: one string field of 1 + N bytes. */
  shortString: (name: string, size: number, docs?: string): Field => ({
    node: structFieldTypeNode({
      name: camelCase(name),
      type: fixedSizeTypeNode(sizePrefixTypeNode(stringTypeNode("utf8"), u8()), 1 + size),
      ...(docs ? { docs: [docs] } : {}),
    }),
    rows: [
      [`${name}_len`, 1],
      [name, size],
    ],
  }),
  /** A variable-length tail (the remaining bytes of the account). */
  tail: (name: string, type: TypeNode, rows: string[], docs: string): Field => ({
    node: structFieldTypeNode({ name, type, docs: [docs] }),
    rows: rows.map((r) => [r, null]),
  }),
};

function header(discriminator: number): Field[] {
  return [
    constantField("discriminator", discriminator, `Account discriminator (always ${discriminator}).`),
    constantField("version", ACCOUNT_VERSION, `Layout version (always ${ACCOUNT_VERSION}).`),
  ];
}

// ---------------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------------

const MODEL_ENTRY: Field[] = [
  f.shortString("hf_id", 96, "Hugging Face model id `org/name`."),
  f.shortString("revision", 40, "Git sha, branch or tag; empty = any."),
  f.shortString("quant", 16, "Quantization tag, e.g. `Q4_K_M`."),
  f.u64("price_in", "Lamports per 1,000,000 prompt tokens."),
  f.u64("price_out", "Lamports per 1,000,000 output tokens."),
  f.u32("max_context", "Context window in tokens."),
];

const ALLOWED_SERVER: Field[] = [
  f.address("server", "Server account address."),
  f.u32("key_epoch", "Server's key epoch the data key was wrapped for."),
  f.bytes("wrapped_key", 48, "Data key (32 bytes) wrapped for the server, with its 16-byte Poly1305 tag."),
];

/** Borsh `ModelInput` of register_server / update_server. */
const MODEL_INPUT: Array<[string, TypeNode]> = [
  ["hf_id", borshString()],
  ["revision", borshString()],
  ["quantization", borshString()],
  ["price_in", u64()],
  ["price_out", u64()],
  ["max_context", u32()],
];

type AccountLayout = {
  name: string;
  discriminator: number;
  pda: string;
  fields: Field[];
  docs: string;
};

const ACCOUNTS: AccountLayout[] = [
  {
    name: "Config",
    discriminator: 1,
    pda: "config",
    docs: 'Protocol configuration (PDA `["config"]`).',
    fields: [
      ...header(1),
      f.u8("bump"),
      f.flag("paused"),
      f.address("admin"),
      f.address("treasury"),
      f.u16("fee_bps", "Protocol fee in basis points of the cost."),
      f.u32("max_prompt_bytes"),
      f.u32("max_response_bytes"),
      f.u64("default_response_timeout", "Slots."),
      f.u64("max_response_timeout", "Slots."),
      f.u64("open_request_slots", "Slots an Open request stays lockable."),
      f.u64("close_grace_slots", "Slots after completion before anyone may close a response."),
      f.u64("min_stake", "Lamports."),
    ],
  },
  {
    name: "FeeVault",
    discriminator: 2,
    pda: "feeVault",
    docs: 'Fee vault shard (PDA `["fee_vault", [shard]]`); lamports above the rent-exempt minimum are fees.',
    fields: [...header(2), f.u8("bump"), f.u8("shard")],
  },
  {
    name: "Server",
    discriminator: 3,
    pda: "server",
    docs: 'A provider (PDA `["server", operator]`): key, endpoint, reputation counters and models.',
    fields: [
      ...header(3),
      f.u8("bump"),
      f.flag("active"),
      f.address("operator"),
      f.bytes("x25519_key", 32, "X25519 public key prompts are encrypted for."),
      f.u32("key_epoch", "Starts at 0, +1 on every key change."),
      f.u8("model_count"),
      f.u8("endpoint_len"),
      f.u16("active_locks"),
      f.u64("completed"),
      f.u64("expired", "Locked, then missed the deadline."),
      f.u64("tokens_out"),
      f.u64("lamports_earned", "After the protocol fee."),
      f.u64("sum_first_chunk_slots", "Σ(first chunk slot − lock slot) over completed requests."),
      f.u64("sum_complete_slots", "Σ(complete slot − lock slot) over completed requests."),
      f.u64("rating_sum"),
      f.u64("rating_count"),
      f.u64("registered_slot"),
      f.u64("last_active_slot"),
      f.paddedString("endpoint", 128, "Optional URL (first `endpointLen` bytes, zero padded)."),
      f.tail(
        "models",
        arrayTypeNode(definedTypeLinkNode("modelEntry"), remainderCountNode()),
        ["models"],
        "`modelCount` entries of 175 bytes.",
      ),
    ],
  },
  {
    name: "Request",
    discriminator: 4,
    pda: "request",
    docs: 'An inference request (PDA `["request", client, nonce]`); it escrows the stake itself.',
    fields: [
      ...header(4),
      f.u8("bump"),
      field("status", definedTypeLinkNode("requestStatus"), 1),
      f.address("client"),
      f.u64("nonce"),
      f.shortString("model", 96, "Hugging Face model id."),
      f.shortString("revision", 40, "Pinned revision (empty = any)."),
      f.address("locked_by", "Server account (zero while Open)."),
      f.bytes("locked_key", 32, "Server's X25519 key at lock."),
      f.u32("locked_key_epoch"),
      f.u16("fee_bps", "Config snapshot at create."),
      f.u8("fee_shard", "`nonce % 16`."),
      f.flag("has_response"),
      f.u8("allowed_count"),
      f.flag("sealed", "Prompt complete."),
      f.u64("stake"),
      f.u64("created_slot"),
      f.u64("open_until_slot"),
      f.u64("response_timeout", "Slots."),
      f.u64("lock_slot"),
      f.u64("deadline_slot", "lock_slot + response_timeout."),
      f.u64("locked_price_in"),
      f.u64("locked_price_out"),
      f.u64("max_price_in"),
      f.u64("max_price_out"),
      f.u64("min_completed"),
      f.u16("min_success_bps"),
      f.u16("min_avg_rating", "Rating × 100, 0 = none."),
      f.u32("max_response_bytes", "Config snapshot."),
      f.u32("prompt_len"),
      f.u32("prompt_written"),
      f.bytes("client_key", 32, "Client's per-request X25519 public key."),
      f.u8("response_bump", "Bump of the response PDA, set by the client at create; the first append_response signs with it."),
      f.tail(
        "tail",
        bytesTypeNode(),
        ["allowed", "prompt"],
        "`allowedCount` AllowedServer entries (84 bytes each) then `promptLen` bytes of prompt ciphertext.",
      ),
    ],
  },
  {
    name: "Response",
    discriminator: 5,
    pda: "response",
    docs: 'The encrypted answer stream (PDA `["response", request]`).',
    fields: [
      ...header(5),
      f.u8("bump"),
      f.flag("is_final"),
      f.address("request"),
      f.address("client"),
      f.address("server"),
      f.address("operator", "Receives this account's rent back."),
      f.bytes("server_key", 32, "Locking server's X25519 key."),
      f.u64("nonce", "Request nonce."),
      f.flag("completed"),
      f.flag("rated"),
      f.bytes("reserved", 2),
      f.u32("chunk_count"),
      f.u32("stream_len"),
      f.u32("plaintext_bytes", "Σ(chunk len − 16)."),
      f.u32("tokens_in", "At completion."),
      f.u32("tokens_out", "At completion."),
      f.u64("first_chunk_slot"),
      f.u64("last_slot"),
      f.u64("completed_slot"),
      f.u64("cost", "Lamports charged."),
      f.tail("stream", bytesTypeNode(), ["stream"], "Frames `u16 len ‖ ciphertext`."),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Instructions
// ---------------------------------------------------------------------------------------------

type Arg = { name: string; type: TypeNode; protocol: string; defaultValue?: InstructionInputValueNode };
const arg = {
  u8: (name: string): Arg => ({ name, type: u8(), protocol: "u8" }),
  u16: (name: string): Arg => ({ name, type: u16(), protocol: "u16" }),
  u32: (name: string): Arg => ({ name, type: u32(), protocol: "u32" }),
  u64: (name: string): Arg => ({ name, type: u64(), protocol: "u64" }),
  flag: (name: string): Arg => ({ name, type: booleanTypeNode(u8()), protocol: "u8" }),
  address: (name: string): Arg => ({ name, type: publicKeyTypeNode(), protocol: "[32]" }),
  bytes32: (name: string): Arg => ({ name, type: fixedBytes(32), protocol: "[32]" }),
  string: (name: string): Arg => ({ name, type: borshString(), protocol: "string" }),
  bytes: (name: string): Arg => ({ name, type: borshBytes(), protocol: "bytes" }),
  vec: (name: string, item: string): Arg => ({
    name,
    type: arrayTypeNode(definedTypeLinkNode(camelCase(item)), prefixedCountNode(u32())),
    protocol: `Vec<${item}>`,
  }),
  bump: (name: string, account: string): Arg => ({
    name,
    type: u8(),
    protocol: "u8",
    defaultValue: accountBumpValueNode(account),
  }),
};

const CONFIG_LIMITS: Arg[] = [
  arg.u32("max_prompt_bytes"),
  arg.u32("max_response_bytes"),
  arg.u64("default_response_timeout"),
  arg.u64("max_response_timeout"),
  arg.u64("open_request_slots"),
  arg.u64("close_grace_slots"),
  arg.u64("min_stake"),
];

type Acct = {
  name: string;
  w?: boolean;
  s?: boolean;
  optional?: boolean;
  defaultValue?: InstructionInputValueNode;
  docs?: string;
};

const configPda = () => pdaValueNode("config", []);
const serverPda = (operator: string) =>
  pdaValueNode("server", [pdaSeedValueNode("operator", accountValueNode(operator))]);
const responsePda = () => pdaValueNode("response", [pdaSeedValueNode("request", accountValueNode("request"))]);
const systemProgram = (): Acct => ({
  name: "system_program",
  defaultValue: publicKeyValueNode(SYSTEM_PROGRAM, "systemProgram"),
});

type InstructionLayout = {
  name: string;
  docs: string;
  args: Arg[];
  accounts: Acct[];
  /** Remaining accounts: the fee vaults, passed by the caller in shard order. */
  feeVaults?: boolean;
};

const INSTRUCTIONS: InstructionLayout[] = [
  {
    name: "initialize_config",
    docs: "Creates the Config and the 16 fee vault shards (admin = signer).",
    args: [arg.address("treasury"), arg.u16("fee_bps"), ...CONFIG_LIMITS],
    accounts: [
      { name: "admin", w: true, s: true },
      { name: "config", w: true, defaultValue: configPda() },
      systemProgram(),
    ],
    feeVaults: true,
  },
  {
    name: "update_config",
    docs: "Replaces every Config value (admin only).",
    args: [arg.address("new_admin"), arg.address("treasury"), arg.u16("fee_bps"), arg.flag("paused"), ...CONFIG_LIMITS],
    accounts: [
      { name: "admin", s: true },
      { name: "config", w: true, defaultValue: configPda() },
    ],
  },
  {
    name: "register_server",
    docs: "Creates the operator's Server account.",
    args: [arg.bump("bump", "server"), arg.bytes32("x25519_key"), arg.string("endpoint"), arg.vec("models", "ModelInput")],
    accounts: [
      { name: "operator", w: true, s: true },
      { name: "server", w: true, defaultValue: serverPda("operator") },
      systemProgram(),
    ],
  },
  {
    name: "update_server",
    docs: "Replaces key, endpoint, active flag and models; resizes the account (rent top-up or refund).",
    args: [arg.bytes32("x25519_key"), arg.string("endpoint"), arg.flag("active"), arg.vec("models", "ModelInput")],
    accounts: [
      { name: "operator", w: true, s: true },
      { name: "server", w: true, defaultValue: serverPda("operator") },
      systemProgram(),
    ],
  },
  {
    name: "close_server",
    docs: "Closes a Server without active locks; rent to the operator.",
    args: [],
    accounts: [
      { name: "operator", w: true, s: true },
      { name: "server", w: true, defaultValue: serverPda("operator") },
    ],
  },
  {
    name: "create_request",
    docs: "Creates a Request escrowing the stake, with the first prompt bytes.",
    args: [
      arg.u64("nonce"),
      arg.bump("bump", "request"),
      arg.u8("response_bump"),
      arg.string("model"),
      arg.string("revision"),
      arg.u64("stake"),
      arg.u64("response_timeout"),
      arg.u64("max_price_in"),
      arg.u64("max_price_out"),
      arg.u64("min_completed"),
      arg.u16("min_success_bps"),
      arg.u16("min_avg_rating"),
      arg.bytes32("client_key"),
      arg.vec("allowed", "AllowedServer"),
      arg.u32("prompt_len"),
      arg.bytes("prompt"),
    ],
    accounts: [
      { name: "client", w: true, s: true },
      {
        name: "request",
        w: true,
        defaultValue: pdaValueNode("request", [
          pdaSeedValueNode("client", accountValueNode("client")),
          pdaSeedValueNode("nonce", argumentValueNode("nonce")),
        ]),
      },
      { name: "config", defaultValue: configPda() },
      systemProgram(),
    ],
  },
  {
    name: "append_prompt",
    docs: "Appends prompt ciphertext at `offset` (must equal prompt_written).",
    args: [arg.u32("offset"), arg.bytes("data")],
    accounts: [
      { name: "client", s: true },
      { name: "request", w: true },
    ],
  },
  {
    name: "cancel_request",
    docs: "Client closes an Open request; every lamport returns to the client.",
    args: [],
    accounts: [
      { name: "client", w: true, s: true },
      { name: "request", w: true },
    ],
  },
  {
    name: "lock_request",
    docs: "A server that passes the filters locks an Open, sealed request.",
    args: [],
    accounts: [
      { name: "operator", s: true },
      { name: "server", w: true, defaultValue: serverPda("operator") },
      { name: "request", w: true },
      { name: "config", defaultValue: configPda() },
    ],
  },
  {
    name: "append_response",
    docs: "Appends one encrypted chunk; the first call creates the Response account.",
    args: [
      arg.u32("chunk_index"),
      arg.flag("is_final"),
      arg.u32("reserve_bytes"),
      arg.bytes("ciphertext"),
    ],
    accounts: [
      { name: "operator", w: true, s: true },
      { name: "server", defaultValue: serverPda("operator") },
      { name: "request", w: true },
      { name: "response", w: true, defaultValue: responsePda() },
      systemProgram(),
    ],
  },
  {
    name: "complete_request",
    docs: "Settles a final response: pays the operator and the fee vault, refunds and closes the request.",
    args: [arg.u32("tokens_in"), arg.u32("tokens_out")],
    accounts: [
      { name: "operator", w: true, s: true },
      { name: "server", w: true, defaultValue: serverPda("operator") },
      { name: "request", w: true },
      { name: "response", w: true, defaultValue: responsePda() },
      { name: "client", w: true },
      { name: "fee_vault", w: true, docs: "Fee vault shard `request.feeShard`." },
    ],
  },
  {
    name: "expire_request",
    docs: "Anyone: refunds and closes an Open request past open_until or a Locked one past its deadline.",
    args: [],
    accounts: [
      { name: "request", w: true },
      { name: "client", w: true },
      { name: "server", w: true, optional: true, docs: "Locking server (Locked requests only)." },
      { name: "response", w: true, optional: true, docs: "Partial response, if any." },
      { name: "operator", w: true, optional: true, docs: "Response's operator (receives its rent)." },
    ],
  },
  {
    name: "rate_server",
    docs: "Client rates a completed response once (1..=5).",
    args: [arg.u8("rating")],
    accounts: [
      { name: "client", s: true },
      { name: "response", w: true },
      { name: "server", w: true },
    ],
  },
  {
    name: "close_response",
    docs: "Closes a completed response (client any time, anyone after the grace period); rent to the operator.",
    args: [],
    accounts: [
      { name: "caller", s: true },
      { name: "response", w: true },
      { name: "operator", w: true },
      { name: "config", defaultValue: configPda() },
    ],
  },
  {
    name: "withdraw_fees",
    docs: "Admin sweeps every vault's lamports above rent to the treasury.",
    args: [],
    accounts: [
      { name: "admin", s: true },
      { name: "config", defaultValue: configPda() },
      { name: "treasury", w: true },
    ],
    feeVaults: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Checks against protocol.md
// ---------------------------------------------------------------------------------------------

function checkLayout(label: string, fields: Field[], expected: ProtocolField[], fixedSize: number | null) {
  const problems: string[] = [];
  let offset = 0;
  const rows = fields.flatMap((fl) => fl.rows);
  const expectedRows = expected.filter((e) => e.name !== "<end>");
  for (let i = 0; i < Math.max(rows.length, expectedRows.length); i++) {
    const ours = rows[i];
    const doc = expectedRows[i];
    if (!ours || !doc) {
      problems.push(
        `row ${i}: IDL has ${ours ? `"${ours[0]}"` : "nothing"}, protocol.md has ${doc ? `"${doc.name}"` : "nothing"}`,
      );
      break;
    }
    const [name, size] = ours;
    if (name !== doc.name) problems.push(`offset ${offset}: IDL field "${name}", protocol.md "${doc.name}"`);
    if (doc.offset !== offset) problems.push(`"${name}": IDL offset ${offset}, protocol.md ${doc.offset}`);
    if (size !== doc.size)
      problems.push(`"${name}": IDL size ${size ?? "variable"}, protocol.md ${doc.size ?? "variable"}`);
    if (size === null) break;
    offset += size;
  }
  if (fixedSize !== null && problems.length === 0) {
    const headerSize = rows.reduce((sum, [, size]) => sum + (size ?? 0), 0);
    if (headerSize !== fixedSize)
      problems.push(`fixed part is ${headerSize} bytes in the IDL, protocol.md says ${fixedSize}`);
  }
  if (problems.length)
    throw new IdlError(`${label} layout disagrees with docs/protocol.md:\n  ${problems.join("\n  ")}`);
}

function splitTopLevel(list: string): string[] {
  return list
    .split(/,\s*(?![^()]*\))/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function checkInstruction(ix: InstructionLayout, row: ProtocolInstruction, initializeArgs: string[]) {
  const problems: string[] = [];
  // Data.
  let docArgs = row.data === "—" ? [] : splitTopLevel(row.data);
  docArgs = docArgs
    .flatMap((a) => (/^then the same 7 limits/.test(a) ? initializeArgs.slice(-7) : [a]))
    .map((a) => a.replace(/\s*\([^)]*\)$/, ""));
  const ourArgs = ix.args.map((a) => `${a.name} ${a.protocol}`);
  if (docArgs.join(", ") !== ourArgs.join(", ")) {
    problems.push(`data: IDL "${ourArgs.join(", ")}"\n      protocol.md "${docArgs.join(", ")}"`);
  }
  // Accounts.
  const docAccounts = splitTopLevel(row.accounts);
  const remaining = docAccounts.filter((a) => a.startsWith("then "));
  const named = docAccounts.filter((a) => !a.startsWith("then "));
  const describe = (a: Acct) => {
    const flags = [a.w ? "w" : "", a.s ? "s" : "", a.optional ? "optional" : ""].filter(Boolean);
    return flags.length ? `${a.name} (${flags.join(",")})` : a.name;
  };
  const normalize = (s: string) => s.replace(/\s*,\s*/g, ",").replace(/\s+/g, " ");
  const ours = ix.accounts.map((a) => normalize(describe(a))).join(", ");
  const theirs = named.map(normalize).join(", ");
  if (ours !== theirs) problems.push(`accounts: IDL "${ours}"\n      protocol.md "${theirs}"`);
  const docVaults = remaining.some((r) => /fee vaults \(w\)/.test(r));
  if (docVaults !== !!ix.feeVaults)
    problems.push(`fee vault remaining accounts: IDL ${!!ix.feeVaults}, protocol.md ${docVaults}`);
  if (problems.length)
    throw new IdlError(`instruction ${ix.name} disagrees with docs/protocol.md:\n  ${problems.join("\n  ")}`);
}

// ---------------------------------------------------------------------------------------------
// Tree
// ---------------------------------------------------------------------------------------------

export type BuildReport = { root: RootNode; discriminatorOrigin: string; errorCount: number };

export function buildRoot(): BuildReport {
  const md = readFileSync(PROTOCOL_MD, "utf8");
  const errors = parseErrors(readFileSync(ERRORS_RS, "utf8"));
  const protocolInstructions = parseProtocolInstructions(md);

  // Discriminators: Rust enum when it exists, protocol.md otherwise; both must agree.
  const fromDoc = new Map(protocolInstructions.map((r) => [r.name, r.index]));
  const fromRust = findRustDiscriminators();
  const discriminators = fromRust ?? { origin: `${rel(PROTOCOL_MD)} (instruction table)`, byName: fromDoc };
  if (fromRust) {
    const diff = [...new Set([...fromRust.byName.keys(), ...fromDoc.keys()])].filter(
      (n) => fromRust.byName.get(n) !== fromDoc.get(n),
    );
    if (diff.length) {
      throw new IdlError(
        `instruction discriminators of ${fromRust.origin} disagree with docs/protocol.md: ` +
          diff
            .map((n) => `${n}: Rust ${fromRust.byName.get(n) ?? "-"}, protocol.md ${fromDoc.get(n) ?? "-"}`)
            .join("; "),
      );
    }
  }
  const names = INSTRUCTIONS.map((i) => i.name);
  const missing = [...discriminators.byName.keys()].filter((n) => !names.includes(n));
  const unknown = names.filter((n) => !discriminators.byName.has(n));
  if (missing.length || unknown.length) {
    throw new IdlError(
      `instruction set differs from ${discriminators.origin}: not in IDL [${missing.join(", ")}], ` +
        `not in source [${unknown.join(", ")}]`,
    );
  }

  // Layout checks.
  for (const account of ACCOUNTS) {
    const docDiscriminator =
      account.name === "FeeVault" ? account.discriminator : protocolAccountDiscriminator(md, account.name);
    if (docDiscriminator !== account.discriminator) {
      throw new IdlError(`${account.name}: discriminator ${account.discriminator}, protocol.md ${docDiscriminator}`);
    }
    if (account.name === "FeeVault") {
      checkLayout(account.name, account.fields, parseProtocolFeeVault(md), 4);
    } else {
      const size = protocolHeaderSize(md, account.name);
      const hasTail = account.fields.some((fl) => fl.rows.some(([, s]) => s === null));
      checkLayout(
        account.name,
        account.fields,
        parseProtocolAccountTable(md, account.name),
        hasTail ? null : size.fixed,
      );
      const headerSize = account.fields.flatMap((fl) => fl.rows).reduce((sum, [, s]) => sum + (s ?? 0), 0);
      if (headerSize !== size.fixed)
        throw new IdlError(`${account.name}: fixed part ${headerSize} bytes, protocol.md ${size.fixed}`);
    }
  }
  checkLayout("ModelEntry", MODEL_ENTRY, parseProtocolInlineLayout(md, "ModelEntry"), 175);
  checkLayout("AllowedServer", ALLOWED_SERVER, parseProtocolInlineLayout(md, "AllowedServer"), 84);
  const modelInputDoc = /ModelInput: `([^`]+)`/.exec(md)?.[1];
  const modelInputOurs = MODEL_INPUT.map(([n, t]) => `${n} ${t.kind === "numberTypeNode" ? t.format : "string"}`).join(
    ", ",
  );
  if (modelInputDoc !== modelInputOurs) {
    throw new IdlError(`ModelInput: IDL "${modelInputOurs}", protocol.md "${modelInputDoc}"`);
  }
  const initializeRow = protocolInstructions.find((r) => r.name === "initialize_config")!;
  const initializeArgs = splitTopLevel(initializeRow.data);
  for (const ix of INSTRUCTIONS)
    checkInstruction(
      ix,
      protocolInstructions.find((r) => r.name === ix.name)!,
      initializeArgs,
    );

  // Nodes.
  const toStruct = (fields: Field[]) => structTypeNode(fields.map((fl) => fl.node));
  const definedTypes = [
    definedTypeNode({
      name: "requestStatus",
      docs: ["Request status. Completed, Cancelled and Expired are outcomes: the account closes."],
      type: enumTypeNode(
        ["open", "locked", "completed", "cancelled", "expired"].map((v) => enumEmptyVariantTypeNode(v)),
        {
          size: u8(),
        },
      ),
    }),
    definedTypeNode({
      name: "modelEntry",
      docs: ["A model a server offers (175 bytes on chain)."],
      type: toStruct(MODEL_ENTRY),
    }),
    definedTypeNode({
      name: "allowedServer",
      docs: ["A server allowed to lock a request, with the data key wrapped for it (84 bytes)."],
      type: toStruct(ALLOWED_SERVER),
    }),
    definedTypeNode({
      name: "modelInput",
      docs: ["A model entry as sent to register_server / update_server (Borsh)."],
      type: structTypeNode(MODEL_INPUT.map(([name, type]) => structFieldTypeNode({ name, type }))),
    }),
  ];

  const pdas = [
    pdaNode({ name: "config", seeds: [constantPdaSeedNodeFromString("utf8", "config")] }),
    pdaNode({
      name: "feeVault",
      seeds: [constantPdaSeedNodeFromString("utf8", "fee_vault"), variablePdaSeedNode("shard", u8(), "nonce % 16")],
    }),
    pdaNode({
      name: "server",
      seeds: [constantPdaSeedNodeFromString("utf8", "server"), variablePdaSeedNode("operator", publicKeyTypeNode())],
    }),
    pdaNode({
      name: "request",
      seeds: [
        constantPdaSeedNodeFromString("utf8", "request"),
        variablePdaSeedNode("client", publicKeyTypeNode()),
        variablePdaSeedNode("nonce", u64()),
      ],
    }),
    pdaNode({
      name: "response",
      seeds: [constantPdaSeedNodeFromString("utf8", "response"), variablePdaSeedNode("request", publicKeyTypeNode())],
    }),
  ];

  const accounts = ACCOUNTS.map((a) => {
    const rows = a.fields.flatMap((fl) => fl.rows);
    const fixed = rows.every(([, s]) => s !== null) ? rows.reduce((sum, [, s]) => sum + s!, 0) : undefined;
    return accountNode({
      name: camelCase(a.name),
      docs: [a.docs],
      data: toStruct(a.fields),
      pda: pdaLinkNode(a.pda),
      discriminators: [fieldDiscriminatorNode("discriminator", 0)],
      ...(fixed !== undefined ? { size: fixed } : {}),
    });
  });

  const instructions: InstructionNode[] = INSTRUCTIONS.map((ix) => {
    const discriminator = discriminators.byName.get(ix.name)!;
    const args: InstructionArgumentNode[] = [
      instructionArgumentNode({
        name: "discriminator",
        type: u8(),
        defaultValue: numberValueNode(discriminator),
        defaultValueStrategy: "omitted",
      }),
      ...ix.args.map((a) =>
        instructionArgumentNode({
          name: camelCase(a.name),
          type: a.type,
          ...(a.defaultValue ? { defaultValue: a.defaultValue, defaultValueStrategy: "optional" as const } : {}),
        }),
      ),
    ];
    const accountNodes: InstructionAccountNode[] = ix.accounts.map((a) =>
      instructionAccountNode({
        name: camelCase(a.name),
        isWritable: !!a.w,
        isSigner: !!a.s,
        isOptional: !!a.optional,
        ...(a.defaultValue ? { defaultValue: a.defaultValue } : {}),
        ...(a.docs ? { docs: [a.docs] } : {}),
      }),
    );
    return instructionNode({
      name: camelCase(ix.name),
      docs: [ix.docs],
      accounts: accountNodes,
      arguments: args,
      discriminators: [fieldDiscriminatorNode("discriminator", 0)],
      optionalAccountStrategy: "programId",
      ...(ix.feeVaults
        ? {
            remainingAccounts: [
              instructionRemainingAccountsNode(argumentValueNode("feeVaults"), {
                isWritable: true,
                docs: ['Fee vault PDAs `["fee_vault", [shard]]`, in shard order.'],
              }),
            ],
          }
        : {}),
    });
  });

  const program = programNode({
    name: "chainference",
    publicKey: PROGRAM_ADDRESS,
    version: "0.1.0",
    docs: ["Decentralized, private, streaming LLM inference settled on Solana."],
    pdas,
    accounts,
    instructions,
    definedTypes,
    errors: errors.map((e) => errorNode({ name: camelCase(e.name), code: e.code, message: e.message })),
  });
  return { root: rootNode(program), discriminatorOrigin: discriminators.origin, errorCount: errors.length };
}

/** Builds the tree and writes `program/idl.json`; returns what it used. */
export function writeIdl(): BuildReport {
  const report = buildRoot();
  const json = JSON.stringify(JSON.parse(createFromRoot(report.root).getJson()), null, 2) + "\n";
  writeFileSync(IDL_PATH, json);
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const report = writeIdl();
    console.log(
      `generate-idl: wrote ${rel(IDL_PATH)} (${report.errorCount} errors from ${rel(ERRORS_RS)}, ` +
        `discriminators from ${report.discriminatorOrigin})`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
