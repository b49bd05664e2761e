/**
 * A minimal reader for the program's SBPF ELF: finds `call` instructions the linker left unresolved.
 *
 * In an SBPF v0 program every `call imm` (opcode 0x85) is either a relative call to a function of the
 * program or, when `imm == -1`, a placeholder that the loader patches through an `R_BPF_64_32`
 * relocation (syscalls). A `call -1` without that relocation can never run: the loader leaves it
 * as is and the VM then fails with "exceeded max BPF to BPF call depth" / "unsupported BPF
 * instruction" the first time the path is taken (typically an error path).
 */
const R_BPF_64_32 = 10;
const CALL_IMM = 0x85;

type Section = { name: string; type: number; addr: bigint; offset: number; size: number; entsize: number };

function sections(elf: Buffer): Section[] {
  if (elf.readUInt32BE(0) !== 0x7f454c46) throw new Error("not an ELF file");
  if (elf[4] !== 2 || elf[5] !== 1) throw new Error("expected a 64-bit little-endian ELF");
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOffset: elf.readUInt32LE(at),
      type: elf.readUInt32LE(at + 4),
      addr: elf.readBigUInt64LE(at + 0x10),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
      entsize: Number(elf.readBigUInt64LE(at + 0x38)),
    };
  });
  const strtab = raw[shstrndx];
  if (!strtab) throw new Error("ELF has no section name table");
  const nameAt = (offset: number) => {
    const start = strtab.offset + offset;
    return elf.toString("latin1", start, elf.indexOf(0, start));
  };
  return raw.map(({ nameOffset, ...s }) => ({ name: nameAt(nameOffset), ...s }));
}

/** Virtual addresses of `call -1` instructions in executable sections that have no R_BPF_64_32 relocation. */
export function findUnresolvedCalls(elf: Buffer): bigint[] {
  const all = sections(elf);
  const relocated = new Set<bigint>();
  for (const rel of all.filter((s) => s.type === 9 /* SHT_REL */)) {
    for (let at = rel.offset; at < rel.offset + rel.size; at += rel.entsize || 16) {
      const info = elf.readBigUInt64LE(at + 8);
      if (Number(info & 0xffffffffn) === R_BPF_64_32) relocated.add(elf.readBigUInt64LE(at));
    }
  }
  const unresolved: bigint[] = [];
  for (const text of all.filter((s) => s.name.startsWith(".text"))) {
    for (let i = 0; i + 8 <= text.size; i += 8) {
      const at = text.offset + i;
      if (elf[at] === CALL_IMM && elf.readInt32LE(at + 4) === -1) {
        const address = text.addr + BigInt(i);
        if (!relocated.has(address)) unresolved.push(address);
      }
    }
  }
  return unresolved;
}
