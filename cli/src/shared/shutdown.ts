/** Long-running commands (localnet, serve, gateway) run until Ctrl-C or SIGTERM, then clean up once. */

/**
 * Resolves on the first SIGINT or SIGTERM (a second one exits at once with 130).
 *
 * @example
 * await untilShutdown();
 * await server.close();
 */
export function untilShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
