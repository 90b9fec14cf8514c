// The takes panel in Chromium against the harness (see studio.test.mjs;
// build first: npm run build:harness): Best of N goes with Generate; a
// finished speech track lists every sentence's takes with their word error
// rates; ▶ and A/B play takes; ★ marks a favourite; ↑/↓ move between
// sentences and 1–9 play a take of the selected one, which the waveform
// marks; Use this take remakes the track with that take in use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { serve, launch, openHarness } from "./harness-server.mjs";

const SCRIPT = `# Harness

## Morning

I wake up rested and grateful. The light is soft and warm.

## Evening

The day is done and I let it go.
`;

const SHOT = process.env.UI_TAKES_SCREENSHOT ?? "/tmp/shots/takes.png";
const played = (page) => page.evaluate(() => window.__harness.playedTakes.slice());

test("takes: best of N, list, play, A/B, favourite, keyboard, use this take", async () => {
  mkdirSync(dirname(SHOT), { recursive: true });
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByLabel("Script text").fill(SCRIPT);
    await page.getByLabel("Best of N takes for flagged sentences").selectOption("3");
    await page.getByRole("button", { name: "Generate 2 tracks" }).click();
    await page.getByTestId("batch-status").filter({ hasText: "completed" }).waitFor({ timeout: 20000 });
    const generated = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "generate").args.args);
    assert.equal(generated.best_of, 3);
    assert.equal(await page.getByTestId("retakes").innerText(), "Best of N: 1 sentence retaken (2 takes) · 0 still flagged");

    // Morning: two sentences, one take each, both heard as written.
    await page.getByRole("button", { name: "Takes of Morning · voice" }).click();
    const morning = page.locator("li.track", { hasText: "Morning" }).getByTestId("takes-panel");
    await morning.getByRole("option").nth(1).waitFor();
    assert.equal(await morning.getByRole("option").count(), 2);
    assert.equal(await morning.getByTestId("take").count(), 2);
    assert.match(await morning.getByRole("option").first().innerText(), /1\s+I wake up rested and grateful\.[\s\S]*WER 0 %[\s\S]*in use/);

    // Evening: three takes of its one sentence; the second is in use.
    await page.getByRole("button", { name: "Takes of Evening · voice" }).click();
    const evening = page.locator("li.track", { hasText: "Evening" }).getByTestId("takes-panel");
    const takes = evening.getByTestId("take");
    await takes.nth(2).waitFor();
    assert.deepEqual(await takes.evaluateAll((l) => l.map((x) => x.dataset.take)), ["1", "2", "3"]);
    assert.match(await takes.nth(0).innerText(), /WER 56 %/);
    assert.match(await takes.nth(1).innerText(), /WER 0 %[\s\S]*in use/);
    // The selected sentence is marked on the track's waveform.
    await page.locator("li.track", { hasText: "Evening" }).getByTestId("sentence-region").waitFor();

    // ▶ one take; A/B the take in use (2) and take 3, back to back.
    await evening.getByRole("button", { name: "Play take 1 of sentence 1 of Evening · voice" }).click();
    await evening.getByRole("button", { name: "A/B take 2 and take 3 of sentence 1 of Evening · voice" }).click();
    const evTrack = await page.locator("li.track", { hasText: "Evening" }).getAttribute("data-track-id");
    assert.deepEqual(await played(page), [`${evTrack}:0:0`, `${evTrack}:0:1,2`]);

    // ★ keeps a take.
    const star = evening.getByRole("button", { name: "Keep take 3 of sentence 1 of Evening · voice" });
    await star.click();
    await page.waitForFunction(() => document.querySelector("button[aria-label='Keep take 3 of sentence 1 of Evening · voice']")?.getAttribute("aria-pressed") === "true");

    // Keyboard in Morning's list: ↓ selects sentence 2, then 1 plays its first take.
    await morning.focus();
    await page.keyboard.press("ArrowDown");
    assert.equal(await morning.getByRole("option", { selected: true }).getAttribute("data-sentence"), "1");
    await page.keyboard.press("1");
    const morningTrack = await page.locator("li.track", { hasText: "Morning" }).getAttribute("data-track-id");
    assert.equal((await played(page)).at(-1), `${morningTrack}:1:0`);

    await page.screenshot({ path: SHOT, fullPage: false });

    // Use this take: the track is remade, and take 1 is in use.
    await evening.getByRole("button", { name: "Use take 1 of sentence 1 of Evening · voice" }).click();
    await page.getByTestId("batch-status").filter({ hasText: "completed" }).waitFor({ timeout: 20000 });
    await page.waitForFunction(() => {
      const li = [...document.querySelectorAll("li.track")].find((x) => x.textContent.includes("Evening"));
      return li?.querySelector("[data-testid='take'][data-take='1']")?.classList.contains("in-use");
    }, null, { timeout: 10000 });
    const used = await page.evaluate(() => window.__harness.calls.filter((c) => c.cmd === "use_take").map((c) => c.args));
    assert.deepEqual(used, [{ trackId: Number(evTrack), sentence: 0, take: 0 }]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
