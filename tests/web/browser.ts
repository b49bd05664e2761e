/** Debian's chromium, driven headless by playwright-core (nothing downloads a browser build). */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHAINFERENCE_CHROMIUM ?? "/usr/bin/chromium";

/** Launches chromium; fails with what to do when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium is not installed at ${CHROMIUM}: run 'bash scripts/setup' (it installs Debian's chromium with apt)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export const DESKTOP = { width: 1280, height: 860 } as const;
export const PHONE = { width: 390, height: 844 } as const;
