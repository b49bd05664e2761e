/** The server keyring's passphrase: CHAINFERENCE_KEYRING_PASSPHRASE, else asked on a terminal for an encrypted keyring. */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/** The variable holding the keyring passphrase (a variable, never a flag: flags show in `ps`). */
export const KEYRING_PASSPHRASE_ENV = "CHAINFERENCE_KEYRING_PASSPHRASE";

/**
 * The passphrase to open or write the keyring with: the environment variable when set (then a plain keyring is
 * encrypted too), else, for an encrypted keyring and an interactive terminal, typed without echo; else none (the node
 * then names what is missing).
 */
export async function keyringPassphrase(keyringPath: string, encrypted: boolean): Promise<string | undefined> {
  const fromEnv = process.env[KEYRING_PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  if (!encrypted || !process.stdin.isTTY) return undefined;
  return askHidden(`Passphrase of the server keyring ${keyringPath}: `);
}

function askHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}
