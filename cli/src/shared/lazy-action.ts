/**
 * Command definitions stay light (commander only) so `--help` and flag errors answer at once; each
 * action's implementation, with the SDK and the provider node behind it, loads when the command runs.
 */

/**
 * An action that imports its implementation on first call.
 *
 * @example
 * command.action(lazyAction(() => import("./action"), "askAction"));
 */
export function lazyAction<M extends Record<K, (...args: never[]) => Promise<void>>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
) {
  return async (...args: Parameters<M[K]>): Promise<void> => {
    const module = await load();
    await module[name](...args);
  };
}
