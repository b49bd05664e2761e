/** A session history storage in a directory: one file per record (Node only). */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { SessionHistoryStorage } from "../sessions/session-history";

/**
 * Stores each record at `<directory>/<session>/<answer>` (written to a temporary file, then renamed, so a crash
 * never leaves half a record). Files hold ciphertext only.
 *
 * @example
 * ```ts
 * import { createFileSessionHistoryStorage } from "@chainference/client/node";
 * const storage = createFileSessionHistoryStorage(`${homedir()}/.local/share/chainference/sessions`);
 * ```
 */
export function createFileSessionHistoryStorage(directory: string): SessionHistoryStorage {
  const pathOf = (key: string) => {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}\/\d{10}$/.test(key)) throw new Error(`not a session history key: ${key}`);
    return join(directory, key);
  };
  return {
    async read(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async write(key, value) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, value, { mode: 0o600 });
      await rename(temporary, path);
    },
    async list(prefix) {
      const session = prefix.split("/")[0] ?? "";
      if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(session)) return [];
      try {
        const names = await readdir(join(directory, session));
        return names
          .filter((name) => /^\d{10}$/.test(name))
          .map((name) => `${session}/${name}`)
          .filter((key) => key.startsWith(prefix));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
    },
  };
}
