/** Where a command writes: text to stdout, or with `--json` one JSON document on stdout and progress on stderr. */
import { neutralizeControlCharacters } from "./control-characters";

export type Output = {
  readonly json: boolean;
  readonly verbose: boolean;
  /** A line of the human-readable report (suppressed with `--json`). */
  line(text?: string): void;
  /** Text without a newline, e.g. streamed answer chunks (suppressed with `--json`). */
  write(text: string): void;
  /** Progress and status: stdout in text mode, stderr with `--json` so stdout stays one document. */
  progress(text: string): void;
  /** Detail shown only with `--verbose` (stderr). */
  debug(text: string): void;
  /** Prints `value` as JSON (bigints as decimal strings) when `--json` is set. */
  result(value: unknown): void;
  /** Untrusted text (an answer, a prompt from the chain) as it may be printed: control characters neutralized on a TTY. */
  untrusted(text: string): string;
};

/** JSON with bigints as decimal strings and byte arrays as base-10 arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Array.from(v) : v), 2);
}

/** Whether a `--json` document was already printed (a failure after it must not print a second one). */
let documentPrinted = false;

/** True once {@link Output.result} printed a JSON document in this process. */
export function jsonDocumentPrinted(): boolean {
  return documentPrinted;
}

/**
 * The command's output channel.
 *
 * @example
 * const out = createOutput({ json: false, verbose: false });
 * out.line("Settlement");
 */
export function createOutput(options: { readonly json: boolean; readonly verbose: boolean; readonly tty?: boolean }): Output {
  const { json, verbose } = options;
  const tty = options.tty ?? process.stdout.isTTY === true;
  return {
    json,
    verbose,
    line: (text = "") => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    write: (text) => {
      if (!json) process.stdout.write(text);
    },
    progress: (text) => (json ? process.stderr : process.stdout).write(`${text}\n`),
    debug: (text) => {
      if (verbose) process.stderr.write(`${text}\n`);
    },
    untrusted: (text) => (tty ? neutralizeControlCharacters(text) : text),
    result: (value) => {
      if (!json) return;
      documentPrinted = true;
      process.stdout.write(`${toJson(value)}\n`);
    },
  };
}
