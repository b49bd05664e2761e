/**
 * Builds the Codama tree of the Chainference program and writes `program/idl.json`.
 *
 * The source is the program's own interface description in Rust (`program/src/idl.rs`: account
 * layouts beside each state struct, account lists beside each `accounts.rs`, data beside each
 * `data.rs`, errors in `errors.rs`), printed as JSON by
 * `cargo run -p chainference --example interface`. This file only maps that description onto
 * Codama nodes: no layout, name or code is written here, and nothing is parsed out of Rust or
 * Markdown. `scripts/protocol-tables.ts` renders the layout tables of `docs/protocol.md` from the
 * same JSON.
 *
 * Usage: `tsx scripts/generate-idl.ts` (also run by `npm run generate`).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
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
  stringTypeNode,
  structFieldTypeNode,
  structTypeNode,
  variablePdaSeedNode,
  type InstructionInputValueNode,
  type RootNode,
  type StructFieldTypeNode,
  type TypeNode,
} from "codama";

/** The project's deployment address (a fork that deploys under its own id sets it here). */
export const PROGRAM_ADDRESS = "74LjdQPmmhK7DJe4oBRwjtiRs88UDr6YkZmeAtcWLnPW";
const SYSTEM_PROGRAM = "11111111111111111111111111111111";
const INSTRUCTIONS_SYSVAR = "Sysvar1nstructions1111111111111111111111111";
const BPF_LOADER_UPGRADEABLE = "BPFLoaderUpgradeab1e11111111111111111111111";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const IDL_PATH = join(REPO_ROOT, "program", "idl.json");
/** The exporter's JSON, kept beside the IDL (the generated negative tests read account shapes from it). */
export const INTERFACE_PATH = join(REPO_ROOT, "program", "interface.json");

// ---------------------------------------------------------------------------------------------
// The JSON printed by program/examples/interface.rs (mirrors program/src/idl.rs)
// ---------------------------------------------------------------------------------------------

export type Ty =
  | { kind: "discriminator" | "version" | "u8" | "u16" | "u32" | "u64" | "flag" | "address" }
  | { kind: "bytes" | "paddedString" | "shortString"; size: number }
  | { kind: "enum"; name: string }
  | { kind: "remainderBytes" }
  | { kind: "remainderArray"; item: string }
  | { kind: "string" | "varBytes" }
  | { kind: "vec"; item: string }
  | { kind: "struct"; item: string };

export type Field = { name: string; offset: number; type: Ty; docs: string };
export type Layout = { name: string; docs: string; size: number; fields: Field[] };
export type Seed = { kind: "constant"; value: string } | { kind: "variable"; name: string; type: Ty; docs: string };
export type AccountType = Layout & { discriminator: number; seeds: Seed[] };
export type Arg = {
  name: string;
  type: Ty;
  default: null | { kind: "accountBump"; account: string };
  docs: string;
};
export type InstructionAccount = {
  name: string;
  signer: boolean;
  writable: boolean;
  optional: boolean;
  /** Read-only for this instruction, yet accepted writable (another instruction of the transaction may write it). */
  mayBeWritable: boolean;
  default:
    | null
    | { kind: "systemProgram" }
    | { kind: "instructionsSysvar" }
    | { kind: "programData" }
    | { kind: "pda"; account: string; seeds: { name: string; kind: "account" | "arg"; from: string }[] };
  docs: string;
};
export type RemainingAccounts = { name: string; min: number; max: number; writable: boolean; docs: string };
export type Instruction = {
  name: string;
  discriminator: number;
  docs: string;
  accounts: InstructionAccount[];
  remaining: RemainingAccounts | null;
  args: Arg[];
};
export type Interface = {
  name: string;
  version: string;
  docs: string;
  accountVersion: number;
  accounts: AccountType[];
  enums: { name: string; docs: string; variants: string[] }[];
  structs: Layout[];
  borshStructs: { name: string; docs: string; fields: Arg[] }[];
  instructions: Instruction[];
  errors: { name: string; code: number; message: string }[];
};

/** Runs the exporter (a host build of the program crate) and returns its description. */
export function readInterface(): Interface {
  let stdout: string;
  try {
    stdout = execFileSync("cargo", ["run", "--quiet", "-p", "chainference", "--example", "interface"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(
      `generate-idl: \`cargo run -p chainference --example interface\` failed (${(error as Error).message}); ` +
        "fix the Rust build first (a layout description that disagrees with its struct fails to compile).",
    );
  }
  return JSON.parse(stdout) as Interface;
}

// ---------------------------------------------------------------------------------------------
// Mapping onto Codama nodes
// ---------------------------------------------------------------------------------------------

const u8 = () => numberTypeNode("u8");
const u32 = () => numberTypeNode("u32");
const docsOf = (docs: string) => (docs ? { docs: [docs] } : {});

/** The Codama type of a layout field, an argument or a seed. */
function typeNode(ty: Ty): TypeNode {
  switch (ty.kind) {
    case "discriminator":
    case "version":
    case "u8":
    case "u16":
    case "u32":
    case "u64":
      return numberTypeNode(ty.kind === "discriminator" || ty.kind === "version" ? "u8" : ty.kind);
    case "flag":
      return booleanTypeNode(u8());
    case "address":
      return publicKeyTypeNode();
    case "bytes":
      return fixedSizeTypeNode(bytesTypeNode(), ty.size);
    case "paddedString":
      return fixedSizeTypeNode(stringTypeNode("utf8"), ty.size);
    case "shortString":
      return fixedSizeTypeNode(sizePrefixTypeNode(stringTypeNode("utf8"), u8()), 1 + ty.size);
    case "enum":
      return definedTypeLinkNode(ty.name);
    case "remainderBytes":
      return bytesTypeNode();
    case "remainderArray":
      return arrayTypeNode(definedTypeLinkNode(ty.item), remainderCountNode());
    case "string":
      return sizePrefixTypeNode(stringTypeNode("utf8"), u32());
    case "varBytes":
      return sizePrefixTypeNode(bytesTypeNode(), u32());
    case "vec":
      return arrayTypeNode(definedTypeLinkNode(camelCase(ty.item)), prefixedCountNode(u32()));
    case "struct":
      return definedTypeLinkNode(camelCase(ty.item));
  }
}

function fieldNode(field: Field, iface: Interface, discriminator?: number): StructFieldTypeNode {
  if (field.type.kind === "discriminator" || field.type.kind === "version") {
    const value = field.type.kind === "discriminator" ? discriminator! : iface.accountVersion;
    return structFieldTypeNode({
      name: field.name,
      type: u8(),
      defaultValue: numberValueNode(value),
      defaultValueStrategy: "omitted",
      docs: [field.type.kind === "discriminator" ? `Account discriminator (always ${value}).` : `Layout version (always ${value}).`],
    });
  }
  return structFieldTypeNode({ name: camelCase(field.name), type: typeNode(field.type), ...docsOf(field.docs) });
}

const hasRemainder = (layout: Layout) => layout.fields.some((f) => f.type.kind === "remainderBytes" || f.type.kind === "remainderArray");

function accountDefault(a: InstructionAccount): InstructionInputValueNode | undefined {
  if (!a.default) return undefined;
  if (a.default.kind === "systemProgram") return publicKeyValueNode(SYSTEM_PROGRAM, "systemProgram");
  if (a.default.kind === "instructionsSysvar") return publicKeyValueNode(INSTRUCTIONS_SYSVAR, "sysvarInstructions");
  // The upgradeable loader's PDA `[program id]`: the program's ProgramData (of the program at
  // PROGRAM_ADDRESS; a deployment at another address passes its own).
  if (a.default.kind === "programData")
    return pdaValueNode(
      pdaNode({
        name: "programData",
        programId: BPF_LOADER_UPGRADEABLE,
        seeds: [variablePdaSeedNode("program", publicKeyTypeNode())],
        docs: ["The program's ProgramData account (upgradeable loader)."],
      }),
      [pdaSeedValueNode("program", publicKeyValueNode(PROGRAM_ADDRESS))],
    );
  return pdaValueNode(
    camelCase(a.default.account),
    a.default.seeds.map((s) => pdaSeedValueNode(s.name, s.kind === "account" ? accountValueNode(s.from) : argumentValueNode(s.from))),
  );
}

export function buildRoot(iface: Interface): RootNode {
  const definedTypes = [
    ...iface.enums.map((e) =>
      definedTypeNode({
        name: e.name,
        docs: [e.docs],
        type: enumTypeNode(
          e.variants.map((v) => enumEmptyVariantTypeNode(v)),
          { size: u8() },
        ),
      }),
    ),
    ...iface.structs.map((s) =>
      definedTypeNode({
        name: s.name,
        docs: [s.docs],
        type: structTypeNode(s.fields.map((f) => fieldNode(f, iface))),
      }),
    ),
    ...iface.borshStructs.map((s) =>
      definedTypeNode({
        name: s.name,
        docs: [s.docs],
        type: structTypeNode(s.fields.map((f) => structFieldTypeNode({ name: f.name, type: typeNode(f.type) }))),
      }),
    ),
  ];

  const pdas = iface.accounts.map((a) =>
    pdaNode({
      name: camelCase(a.name),
      seeds: a.seeds.map((s) =>
        s.kind === "constant"
          ? constantPdaSeedNodeFromString("utf8", s.value)
          : variablePdaSeedNode(s.name, typeNode(s.type), s.docs || undefined),
      ),
    }),
  );

  const accounts = iface.accounts.map((a) =>
    accountNode({
      name: camelCase(a.name),
      docs: [a.docs],
      data: structTypeNode(a.fields.map((f) => fieldNode(f, iface, a.discriminator))),
      pda: pdaLinkNode(camelCase(a.name)),
      discriminators: [fieldDiscriminatorNode("discriminator", 0)],
      ...(hasRemainder(a) ? {} : { size: a.size }),
    }),
  );

  const instructions = iface.instructions.map((ix) =>
    instructionNode({
      name: camelCase(ix.name),
      docs: [ix.docs],
      accounts: ix.accounts.map((a) => {
        const defaultValue = accountDefault(a);
        return instructionAccountNode({
          name: camelCase(a.name),
          isWritable: a.writable,
          isSigner: a.signer,
          isOptional: a.optional,
          ...(defaultValue ? { defaultValue } : {}),
          ...docsOf(a.docs),
        });
      }),
      arguments: [
        instructionArgumentNode({
          name: "discriminator",
          type: u8(),
          defaultValue: numberValueNode(ix.discriminator),
          defaultValueStrategy: "omitted",
        }),
        ...ix.args.map((a) =>
          instructionArgumentNode({
            name: camelCase(a.name),
            type: typeNode(a.type),
            ...(a.default ? { defaultValue: accountBumpValueNode(a.default.account), defaultValueStrategy: "optional" as const } : {}),
            ...docsOf(a.docs),
          }),
        ),
      ],
      discriminators: [fieldDiscriminatorNode("discriminator", 0)],
      optionalAccountStrategy: "programId",
      ...(ix.remaining
        ? {
            remainingAccounts: [
              instructionRemainingAccountsNode(argumentValueNode(camelCase(ix.remaining.name)), {
                isWritable: ix.remaining.writable,
                ...docsOf(ix.remaining.docs),
              }),
            ],
          }
        : {}),
    }),
  );

  return rootNode(
    programNode({
      name: iface.name,
      publicKey: PROGRAM_ADDRESS,
      version: iface.version as `${number}.${number}.${number}`,
      docs: [iface.docs],
      pdas,
      accounts,
      instructions,
      definedTypes,
      errors: iface.errors.map((e) => errorNode({ name: camelCase(e.name), code: e.code, message: e.message })),
    }),
  );
}

/**
 * Reads the Rust description, writes it to `program/interface.json` and the IDL to
 * `program/idl.json`; returns the description for further use.
 */
export function writeIdl(iface: Interface = readInterface()): Interface {
  writeFileSync(INTERFACE_PATH, JSON.stringify(iface, null, 2) + "\n");
  const json = JSON.stringify(JSON.parse(createFromRoot(buildRoot(iface)).getJson()), null, 2) + "\n";
  writeFileSync(IDL_PATH, json);
  return iface;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const iface = writeIdl();
    console.log(
      `generate-idl: wrote ${relative(REPO_ROOT, IDL_PATH)} (${iface.instructions.length} instructions, ` +
        `${iface.accounts.length} accounts, ${iface.errors.length} errors from program/src)`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
