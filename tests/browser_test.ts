/**
 * End to end in a real browser: Debian's headless Chromium, driven by playwright-core, loads the
 * page the server serves, enters a series, and reads the probability that onnxruntime-web
 * computed in the page. It must equal the CLI's figure within 1e-6.
 *
 * Chromium comes from `apt-get install -y chromium` (.ci/run does it). Without it the test is
 * reported as ignored with a loud warning; with LSTM_SUM_REQUIRE_BROWSER=1 (CI) it fails.
 */
import { assert, assertEquals } from "@std/assert";
import { chromium } from "playwright-core";
import { makeTinyModelDir, withServer } from "./_tiny_model.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const required = Deno.env.get("LSTM_SUM_REQUIRE_BROWSER") === "1";
if (!hasChromium) {
  console.error(
    `\n*** BROWSER TEST NOT RUN: ${CHROMIUM} is missing. Install it with: apt-get install -y chromium ***\n`,
  );
}

Deno.test({
  name: "web page in headless Chromium shows the same probability as the CLI, to 1e-6",
  ignore: !hasChromium && !required,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert(hasChromium, `${CHROMIUM} is missing: apt-get install -y chromium`);
    const dir = await makeTinyModelDir();
    const series = [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const cli = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../scripts/predict.ts", import.meta.url).pathname, "--model", dir, series.join(",")],
      stdout: "piped",
    }).output();
    const cliProbability = Number(new TextDecoder().decode(cli.stdout).split(" ")[0]);

    await withServer(dir, async (base) => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ], // playwright gives each launch a fresh, empty profile
      });
      try {
        const page = await browser.newPage();
        // typed into the box
        await page.goto(`${base}/`);
        await page.fill("#digits", series.join(","));
        await page.click("#predict");
        await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        const typed = Number(await page.textContent("#probability"));
        assert(Math.abs(typed - cliProbability) <= 1e-6, `page ${typed} vs CLI ${cliProbability}`);
        const sum = (await page.textContent("#sum"))!;
        assert(sum.endsWith("(100)"), `running sum ${sum}`);
        // and through ?series=
        await page.goto(`${base}/?series=${series.join(",")}`);
        await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        const text = (await page.textContent("#probability"))!;
        assert(/^\d\.\d{6}$/.test(text), `6 decimals: ${text}`);
        assert(Math.abs(Number(text) - cliProbability) <= 1e-6, `page ${text} vs CLI ${cliProbability}`);
        // a bad series shows an error, not a number
        await page.fill("#digits", "1,2,3");
        await page.click("#predict");
        await page.waitForSelector("body[data-state=error]");
        assertEquals(await page.textContent("#error"), "Expected 30 digits, got 3");
        // the page says which network it runs
        await page.waitForSelector("#model-info:has-text('Model lstm')", { timeout: 30_000 });
      } finally {
        await browser.close();
      }
    });
  },
});
