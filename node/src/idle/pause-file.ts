import { readFile, rm, writeFile } from "node:fs/promises";

/**
 * The file that pauses a node by hand (`chainference serve pause`): `<keyring>.paused` beside its keyring, holding the
 * reason. A file rather than a signal: it needs no process id, works for a node started by a service manager, and a
 * paused node stays paused across a restart until `chainference serve resume`.
 *
 * @example
 * pauseFilePath("/home/op/.config/chainference/server-keyring-7xK.json"); // "…/server-keyring-7xK.json.paused"
 */
export function pauseFilePath(keyringPath: string): string {
  return `${keyringPath}.paused`;
}

/**
 * Pauses the node that uses `keyringPath` (it notices within its sample interval).
 *
 * @example
 * await pauseServing(keyringPath, "gaming until 23:00");
 */
export async function pauseServing(keyringPath: string, reason = ""): Promise<void> {
  await writeFile(pauseFilePath(keyringPath), `${reason.trim()}\n`, { mode: 0o600 });
}

/**
 * Lifts a pause set by {@link pauseServing}; false when the node was not paused by hand.
 *
 * @example
 * if (!(await resumeServing(keyringPath))) console.log("it was not paused");
 */
export async function resumeServing(keyringPath: string): Promise<boolean> {
  try {
    await rm(pauseFilePath(keyringPath));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * The hand pause's reason ("" when none was given), or null when the node is not paused by hand.
 *
 * @example
 * const reason = await readPauseFile(keyringPath);
 */
export async function readPauseFile(keyringPath: string): Promise<string | null> {
  try {
    return (await readFile(pauseFilePath(keyringPath), "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
