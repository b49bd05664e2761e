/**
 * Renders the layout tables of `docs/protocol.md` (accounts, entry types, the instruction table)
 * from the program's interface description (`program/src/idl.rs`, via `readInterface()`), and
 * writes each between its markers:
 *
 *   <!-- generated:accounts -->  …  <!-- /generated:accounts -->
 *   <!-- generated:instructions -->  …  <!-- /generated:instructions -->
 *
 * Everything outside the markers is prose kept by hand. Run by `npm run generate`;
 * `scripts/check-generated` fails when the committed file differs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type Arg, type Field, type Instruction, type Interface, type Layout, type Ty } from "./generate-idl.ts";

export const PROTOCOL_MD = join(REPO_ROOT, "docs", "protocol.md");

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const cell = (text: string) => text.replaceAll("|", "\\|");

/** The type column of a layout row. */
function layoutType(ty: Ty, discriminator: number | undefined, iface: Interface): string {
  switch (ty.kind) {
    case "discriminator":
      return `u8 = ${discriminator}`;
    case "version":
      return `u8 = ${iface.accountVersion}`;
    case "flag":
      return "u8 (0/1)";
    case "address":
      return "address (32)";
    case "bytes":
      return `[${ty.size}]`;
    case "paddedString":
      return `[${ty.size}] UTF-8, zero padded`;
    case "shortString":
      return `[${ty.size}] UTF-8, zero padded`;
    case "enum":
      return `u8 ${pascal(ty.name)}`;
    case "remainderBytes":
      return "bytes to the end";
    case "remainderArray":
      return `${pascal(ty.item)} entries to the end`;
    case "string":
    case "varBytes":
    case "vec":
    case "struct":
      throw new Error(`protocol-tables: ${ty.kind} is not a layout type`);
    default:
      return ty.kind;
  }
}

function layoutTable(layout: Layout, iface: Interface, discriminator?: number): string[] {
  const rows = ["| off | field | type | |", "| ---: | --- | --- | --- |"];
  const row = (offset: number, name: string, type: string, docs: string) =>
    rows.push(`| ${offset} | ${name} | ${cell(type)} |${docs ? ` ${cell(docs)} ` : " "}|`);
  for (const f of layout.fields as Field[]) {
    if (f.type.kind === "shortString") {
      row(f.offset, `${f.name}_len`, "u8", "");
      row(f.offset + 1, f.name, layoutType(f.type, discriminator, iface), f.docs);
    } else {
      row(f.offset, f.name, layoutType(f.type, discriminator, iface), f.docs);
    }
  }
  return rows;
}

/** The accounts block: one table per account type, then the entry types and enums. */
export function accountTables(iface: Interface): string {
  const out: string[] = [];
  for (const a of iface.accounts) {
    const remainder = a.fields.find((f) => f.type.kind === "remainderBytes" || f.type.kind === "remainderArray");
    const size = remainder ? `${a.size} bytes + ${remainder.name}` : `${a.size} bytes`;
    out.push(`### ${a.name} (discriminator ${a.discriminator}), ${size}`, "", a.docs, "", ...layoutTable(a, iface, a.discriminator), "");
  }
  for (const s of iface.structs) {
    out.push(`### ${pascal(s.name)}, ${s.size} bytes`, "", s.docs, "", ...layoutTable(s, iface), "");
  }
  for (const e of iface.enums) {
    out.push(`### ${pascal(e.name)} (u8)`, "", `${e.docs} ${e.variants.map((v, i) => `${i} ${v}`).join(", ")}.`, "");
  }
  return out.join("\n");
}

/** The data column of the instruction table (`name type`). */
function argText(arg: Arg): string {
  const ty = arg.type;
  const type =
    ty.kind === "flag"
      ? "u8 (0/1)"
      : ty.kind === "address"
        ? "address"
        : ty.kind === "bytes"
          ? `[${ty.size}]`
          : ty.kind === "varBytes"
            ? "bytes"
            : ty.kind === "vec"
              ? `Vec<${pascal(ty.item)}>`
              : ty.kind === "struct"
                ? pascal(ty.item)
                : ty.kind;
  const notes = [arg.docs.replace(/\.$/, ""), arg.default ? `client default: the bump of the ${arg.default.account} PDA` : ""]
    .filter(Boolean)
    .join("; ");
  return notes ? `${arg.name} ${type} (${notes})` : `${arg.name} ${type}`;
}

function accountsText(ix: Instruction): string {
  const named = ix.accounts.map((a) => {
    const flags = [a.writable ? "w" : "", a.signer ? "s" : "", a.optional ? "optional" : "", a.mayBeWritable ? "may arrive w" : ""].filter(
      Boolean,
    );
    return flags.length ? `${a.name} (${flags.join(", ")})` : a.name;
  });
  const r = ix.remaining;
  if (r) {
    const count = r.min === r.max ? `${r.min}` : `${r.min} to ${r.max}`;
    named.push(`then ${count} ${r.name}${r.writable ? " (w)" : ""}`);
  }
  return named.join(", ");
}

/** The instructions block: the instruction table and the Borsh structs it uses. */
export function instructionTable(iface: Interface): string {
  const out = [
    "| # | name | data | accounts (w = writable, s = signer) |",
    "| ---: | --- | --- | --- |",
    ...iface.instructions.map(
      (ix) =>
        `| ${ix.discriminator} | ${ix.name} | ${cell(ix.args.length ? ix.args.map(argText).join(", ") : "—")} | ${cell(accountsText(ix))} |`,
    ),
    "",
  ];
  for (const s of iface.borshStructs) {
    out.push(`${pascal(s.name)} (Borsh): \`${s.fields.map(argText).join(", ")}\`.`);
  }
  return out.join("\n");
}

function replaceBetween(text: string, name: string, body: string): string {
  const open = `<!-- generated:${name} (npm run generate, from program/src/idl.rs; do not edit) -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`protocol-tables: ${PROTOCOL_MD} lacks the markers ${open} … ${close}`);
  return `${text.slice(0, start + open.length)}\n\n${body.trimEnd()}\n\n${text.slice(end)}`;
}

/** Rewrites the generated blocks of `docs/protocol.md`. */
export function writeProtocolTables(iface: Interface): void {
  let text = readFileSync(PROTOCOL_MD, "utf8");
  text = replaceBetween(text, "accounts", accountTables(iface));
  text = replaceBetween(text, "instructions", instructionTable(iface));
  writeFileSync(PROTOCOL_MD, text);
}
