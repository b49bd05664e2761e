import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A running `/metrics` endpoint. */
export type MetricsServer = Readonly<{ url: string; port: number; close(): Promise<void> }>;

/**
 * Serves `render()` as Prometheus text at `http://127.0.0.1:<port>/metrics` (never on a public interface;
 * put a reverse proxy in front to expose it). `/healthz` answers `ok`.
 *
 * @example
 * const server = await startMetricsServer(9464, metrics.renderPrometheus);
 * await server.close();
 */
export async function startMetricsServer(port: number, render: () => string): Promise<MetricsServer> {
  const http = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(render());
    } else if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics\n");
    }
  });
  http.listen(port, "127.0.0.1");
  await Promise.race([once(http, "listening"), once(http, "error").then(([error]) => Promise.reject(error as Error))]);
  const bound = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
