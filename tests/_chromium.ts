/**
 * Debian's headless Chromium for the browser tests, driven by playwright-core.
 *
 * Chromium comes from `apt-get install -y chromium` (.ci/run does it). Without it the browser tests
 * are reported as ignored with a loud warning; with LSTM_SUM_REQUIRE_BROWSER=1 (CI) they fail.
 */
import { assert } from "@std/assert";
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether Chromium is installed. */
export const hasChromium: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Whether a missing Chromium must fail the tests (CI) instead of skipping them. */
export const requireBrowser: boolean = Deno.env.get("LSTM_SUM_REQUIRE_BROWSER") === "1";

/** Whether a browser test is skipped: Chromium is missing and not required. */
export const skipBrowser: boolean = !hasChromium && !requireBrowser;

if (!hasChromium) {
  console.error(
    `\n*** BROWSER TEST NOT RUN: ${CHROMIUM} is missing. Install it with: apt-get install -y chromium ***\n`,
  );
}

/**
 * Launches headless Chromium without network side channels; playwright gives each launch a fresh,
 * empty profile.
 *
 * @returns The browser; the caller closes it.
 */
export function launchChromium(): Promise<Browser> {
  assert(hasChromium, `${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
