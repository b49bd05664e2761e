/** A static file server for the built web app, telling it which cluster to open on. */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The app shipped in the installed package (`dist/web`, copied there by the package build; this file is
 * dist/commands/web/), else web/dist of this checkout (where this file is cli/src/commands/web/).
 */
const SHIPPED_WEB_DIR = fileURLToPath(new URL("../../web", import.meta.url));
export const DEFAULT_WEB_DIR = existsSync(join(SHIPPED_WEB_DIR, "index.html"))
  ? SHIPPED_WEB_DIR
  : fileURLToPath(new URL("../../../../web/dist", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

export type WebAppServer = { readonly url: string; close(): Promise<void> };

const escapeAttribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/**
 * Serves `dir` (the Vite build) on `host:port`; index.html carries `rpcUrl` in its
 * `<meta name="chainference-rpc">` so the app starts on that cluster. Unknown paths get index.html (the app
 * routes by hash), paths outside `dir` get 404.
 *
 * @example
 * const app = await serveWebApp({ dir: DEFAULT_WEB_DIR, rpcUrl: "http://127.0.0.1:8899", port: 0 });
 */
export async function serveWebApp(options: {
  readonly dir: string;
  readonly rpcUrl: string;
  readonly port: number;
  readonly host?: string;
}): Promise<WebAppServer> {
  const root = normalize(options.dir);
  const indexPath = join(root, "index.html");
  if (!existsSync(indexPath)) throw new Error(`no built web app at ${root}: run 'npm run web:build' first`);
  const index = readFileSync(indexPath, "utf8").replace(
    /<meta name="chainference-rpc" content="[^"]*"/,
    `<meta name="chainference-rpc" content="${escapeAttribute(options.rpcUrl)}"`,
  );
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://app").pathname);
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return void res.writeHead(404).end();
    const headers = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
    if (path !== "/" && path !== "/index.html" && existsSync(file) && statSync(file).isFile()) {
      const immutable = path.startsWith("/assets/");
      res.writeHead(200, {
        ...headers,
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      });
      if (req.method === "HEAD") return void res.end();
      return void createReadStream(file).pipe(res);
    }
    res
      .writeHead(200, { ...headers, "content-type": TYPES[".html"]!, "cache-control": "no-cache" })
      .end(req.method === "HEAD" ? undefined : index);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
