/** `chainference web`: serves the built app for the --url cluster, and nothing outside it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, isolatedEnv, runCli, type CliDaemon } from "./cli-process";
import { buildWebApp } from "../web/web-build";

describe("chainference web", () => {
  let web: CliDaemon;
  let url: string;
  beforeAll(async () => {
    const dir = buildWebApp();
    web = startCli(["web", "--url", "http://127.0.0.1:18999", "--port", "0", "--dir", dir], { env: isolatedEnv() });
    url = (await web.waitFor(/open (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  }, 300_000);
  afterAll(async () => {
    expect(await web?.stop()).toBe(0);
  });

  it("prints the address and serves the app opened on the --url cluster", async () => {
    // When the page is fetched
    const page = await fetch(url);
    const html = await page.text();
    // Then it is the app, with the RPC URL it was started for
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(html).toContain('<meta name="chainference-rpc" content="http://127.0.0.1:18999"');
    // And its script is served with a JavaScript type and long caching
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(new URL(script, url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers unknown paths with the app and refuses paths outside it", async () => {
    expect((await fetch(new URL("/market", url))).status).toBe(200);
    // An encoded slash survives URL parsing and decodes to a path that climbs out of the app's folder
    const outside = await fetch(`${url}..%2F..%2Fpackage.json`);
    expect(outside.status).toBe(404);
  });

  it("says how to build the app when it is missing", async () => {
    const result = await runCli(["web", "--port", "0", "--dir", "/nonexistent-web-dist"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("npm run web:build");
  });
});
