// The Music view in real Chromium against the built UI, fed by the harness's
// IPC mocks (src/harness.ts): type a prompt with a suggestion, see the
// engine's parameters, generate three takes with a locked seed, watch them
// complete in the batch view, play one from the gallery, put it in a
// collection, filter the gallery by it and by engine, use it as a bed,
// regenerate one (same settings, new seed), delete one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openHarness } from "./harness-server.mjs";

test("music: prompt with suggestions, parameters, three takes, gallery play/collect/filter/use as bed/delete", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Music", exact: true }).click();
    await page.getByLabel("Prompt", { exact: true }).fill("calm piano");
    // Suggestions leave out what the prompt already says; a click appends.
    const chips = page.getByLabel("Suggestions").getByRole("button");
    assert.deepEqual(await chips.allInnerTexts(), ["slow", "rain"]);
    await chips.filter({ hasText: "rain" }).click();
    assert.equal(await page.getByLabel("Prompt", { exact: true }).inputValue(), "calm piano, rain");
    // The engine's own parameters, with their defaults.
    assert.equal(await page.getByLabel("temperature", { exact: true }).inputValue(), "1");
    await page.getByLabel("temperature", { exact: true }).fill("0.5");
    await page.getByLabel("Seed", { exact: true }).fill("42");
    await page.getByLabel("Keep seed").check();
    await page.getByLabel("Collection", { exact: true }).fill("Sleep");

    await page.getByRole("button", { name: "Generate 3 takes" }).click();
    await page.getByRole("heading", { name: /Batch 1 · Music/ }).waitFor();
    await page.getByTestId("batch-counts").filter({ hasText: "3 of 3 completed" }).waitFor({ timeout: 20000 });
    const order = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "make_music").args.order);
    assert.equal(order.prompt, "calm piano, rain");
    assert.equal(order.seed, 42);
    assert.equal(order.takes, 3);
    assert.deepEqual(order.params, { temperature: "0.5", soundfont: "FluidR3_GM.sf2" });
    assert.equal(order.collection, "Sleep");
    assert.equal(await page.getByLabel("Seed", { exact: true }).inputValue(), "42", "a kept seed stays");

    const takes = page.getByRole("list", { name: "Takes" }).getByRole("listitem");
    await takes.nth(2).waitFor();
    assert.match(await page.getByRole("heading", { name: /Gallery/ }).innerText(), /3 takes/);
    // Each card shows how it was made.
    assert.match(await takes.first().locator(".params").innerText(), /temperature 0\.5 · understood: calm, piano, rain/);
    assert.equal(await takes.first().locator("canvas").count(), 1);
    await page.getByRole("button", { name: "Play calm piano, rain · seed 43" }).first().click();
    await page.getByRole("button", { name: "Pause calm piano, rain · seed 43" }).first().waitFor();

    // Another collection for one take, then filter by it.
    await page.getByLabel("Collection of calm piano, rain · seed 44").fill("Keepers");
    await page.getByLabel("Collection of calm piano, rain · seed 44").press("Enter");
    await page.getByLabel("Filter by collection").selectOption("Keepers");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "1 take" }).waitFor();
    await takes.first().getByRole("button", { name: "Use as bed" }).click();
    await page.getByText('Variant "sleep-take-').waitFor();
    await page.getByLabel("Filter by collection").selectOption("");
    // Regenerate: the same settings, a new seed, a new batch.
    await page.getByRole("button", { name: "Regenerate calm piano, rain · seed 42" }).click();
    await page.getByRole("heading", { name: /Batch 2 · Music/ }).waitFor();
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "4 takes" }).waitFor();
    await page.getByLabel("Filter by engine").selectOption("builtin");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "4 takes" }).waitFor();
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Delete calm piano, rain · seed 42" }).click();
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "3 takes" }).waitFor();
    await page.screenshot({ path: process.env.UI_MUSIC_SCREENSHOT ?? "/tmp/intone-ui-music.png" });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
