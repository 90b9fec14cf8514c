// UI test in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the built UI, fed by @tauri-apps/api/mocks through
// the harness page (src/harness.ts). Build it first: npm run build:harness.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "dist-harness");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

function serve() {
  const server = createServer(async (req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
    try {
      const body = await readFile(path);
      res.writeHead(200, { "Content-Type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

const SCRIPT = `# Harness

## Morning

I wake up rested and grateful. The light is soft and warm.

## Fails

This section fails on purpose to show an error.

## Evening

The day is done and I let it go.
`;

test("generate, watch progress, see failures, play with a moving play head", async () => {
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/harness.html`);

    await page.getByLabel("Script text").fill(SCRIPT);
    const sections = page.getByRole("list", { name: "Sections" }).getByRole("listitem");
    await assert.doesNotReject(sections.nth(2).waitFor());
    assert.equal(await sections.count(), 3);
    assert.match(await sections.first().innerText(), /Morning\s+12 words · ~0:05/);

    // Voice picker lists every engine's voices; an unavailable one is disabled.
    assert.equal(await page.getByLabel("Voice", { exact: true }).inputValue(), "piper:en_US-joe-medium");
    assert.equal(await page.locator("option[value='chatterbox:Emily.wav']").isDisabled(), true);

    await page.getByRole("checkbox", { name: /sleep/ }).check();
    const generate = page.getByRole("button", { name: "Generate 6 tracks" });
    await generate.click();

    // The batch appears at once, then moves to partial success.
    await page.getByRole("heading", { name: /Batch 1/ }).waitFor();
    await page.getByTestId("batch-status").filter({ hasText: "partial success" }).waitFor({ timeout: 20000 });
    assert.equal(await page.getByTestId("batch-counts").innerText(), "4 of 6 completed · 2 failed · 0 pending");
    const rows = page.getByRole("list", { name: "Tracks" }).getByRole("listitem");
    assert.equal(await rows.count(), 6);
    assert.equal(await page.locator("li.track[data-status='failed']").count(), 2);
    assert.match(await page.locator("li.track[data-status='failed'] .error").first().innerText(), /cannot connect/);
    await page.getByRole("button", { name: "Retry 2 failed" }).waitFor();

    // Play the first finished track: the play head moves.
    await page.getByRole("button", { name: "Play Morning · voice" }).click();
    const slider = page.locator("li.track").first().getByRole("slider", { name: "Seek" });
    await page.waitForTimeout(400);
    const a = Number(await slider.getAttribute("aria-valuenow"));
    await page.waitForTimeout(700);
    const b = Number(await slider.getAttribute("aria-valuenow"));
    assert.ok(b > a, `play head moved: ${a} → ${b}`);
    await page.getByRole("button", { name: "Pause Morning · voice" }).click();

    await page.screenshot({ path: process.env.UI_SCREENSHOT ?? "/tmp/intone-ui-test.png" });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
