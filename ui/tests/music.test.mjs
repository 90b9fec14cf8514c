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

test("music: a seamless loop, tempo and key on every take, filter and sort by them, A/B matched in loudness, continue a file", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Music", exact: true }).click();
    await page.getByLabel("Prompt", { exact: true }).fill("lo-fi groove, 90 bpm");
    await page.getByLabel("Seed", { exact: true }).fill("1");
    await page.getByLabel("Keep seed").check();
    await page.getByRole("spinbutton", { name: "Takes", exact: true }).fill("3");
    await page.getByRole("button", { name: "Generate 3 takes" }).click();
    await page.getByTestId("batch-counts").filter({ hasText: "3 of 3 completed" }).waitFor({ timeout: 20000 });
    // A loop: the toggle is sent, and the take says it loops.
    await page.getByLabel("Prompt", { exact: true }).fill("calm piano, 60 bpm");
    await page.getByRole("spinbutton", { name: "Takes", exact: true }).fill("1");
    await page.getByLabel("Seamless loop").check();
    await page.getByRole("button", { name: "Generate 1 take" }).click();
    await page.getByRole("heading", { name: /Batch 2 · Music/ }).waitFor();
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    const orders = await page.evaluate(() => window.__harness.calls.filter((c) => c.cmd === "make_music").map((c) => c.args.order));
    assert.equal(orders[0].looped, false);
    assert.equal(orders[1].looped, true);

    const takes = page.getByRole("list", { name: "Takes" }).getByRole("listitem");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "4 takes" }).waitFor();
    assert.equal(await takes.locator("img").count(), 0, "only a model's clips have spectrograms");
    const facts = (label) => page.getByLabel(`Tempo and key of ${label}`).innerText();
    assert.match(await facts("calm piano, 60 bpm · seed 1"), /60 BPM\s*F major\s*⟲ loop/);
    assert.match(await facts("lo-fi groove, 90 bpm · seed 2"), /90 BPM\s*A minor/);
    // Filter by tempo, by key and to loops; sort by tempo and by loudness.
    await page.getByLabel("Tempo from").fill("80");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "3 takes" }).waitFor();
    await page.getByLabel("Tempo from").fill("");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "4 takes" }).waitFor();
    await page.getByLabel("Filter by key").selectOption("A minor");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "1 take" }).waitFor();
    await page.getByLabel("Filter by key").selectOption("");
    await page.getByLabel("Loops").check();
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "1 take" }).waitFor();
    await page.getByLabel("Loops").uncheck();
    await page.getByLabel("Sort takes").selectOption("tempo");
    await page.getByRole("heading", { name: /Gallery/ }).filter({ hasText: "4 takes" }).waitFor();
    await page.waitForFunction(() => document.querySelector('[aria-label="Takes"] li .facts')?.textContent?.includes("60 BPM"));
    const last = await page.evaluate(() => window.__harness.calls.filter((c) => c.cmd === "music_gallery").at(-1).args.filter);
    assert.equal(last.sort, "tempo");
    // A/B: pick A, then B; the two play back to back.
    await page.getByRole("button", { name: "A/B lo-fi groove, 90 bpm · seed 1" }).click();
    await page.getByText("A: seed 1 — pick B").waitFor();
    await page.getByRole("button", { name: "A/B lo-fi groove, 90 bpm · seed 3" }).click();
    await page.getByText(/A\/B: seed 1 → seed 3, both at -1\d\.\d LUFS/).waitFor();
    const ab = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "play_ab").args);
    assert.deepEqual([ab.a, ab.b].length, 2);
    // A model's take made from clips shows each clip's spectrogram.
    await page.getByLabel("Seamless loop").uncheck();
    await page.getByLabel("Prompt", { exact: true }).fill("model clips, 120 bpm");
    await page.getByRole("button", { name: "Generate 1 take" }).click();
    await page.getByRole("heading", { name: /Batch 3 · Music/ }).waitFor();
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    await page.getByLabel("Spectrograms of model clips, 120 bpm · seed 1").getByRole("img").nth(1).waitFor();
    // Continue a take: the loop toggle gives way, and Generate sends the file.
    await page.getByRole("button", { name: "Continue lo-fi groove, 90 bpm · seed 2" }).click();
    await page.getByRole("status").filter({ hasText: "Continue lo-fi groove, 90 bpm · seed 2" }).waitFor();
    assert.equal(await page.getByLabel("Seamless loop").isDisabled(), true);
    await page.getByRole("button", { name: "Generate 1 take" }).click();
    await page.getByRole("heading", { name: /Batch 4 · Music/ }).waitFor();
    const cont = await page.evaluate(() => window.__harness.calls.filter((c) => c.cmd === "make_music").at(-1).args.order);
    assert.match(cont.continue_from, /^\/tmp\/\d+\.wav$/);
    assert.equal(cont.looped, false);
    // Or any file, picked.
    await page.getByRole("button", { name: "Do not continue a file" }).click();
    await page.getByRole("button", { name: "Continue a file…" }).click();
    await page.getByRole("status").filter({ hasText: "Continue field-recording.flac" }).waitFor();
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    await page.screenshot({ path: process.env.UI_MUSIC_LOOP_SCREENSHOT ?? "/tmp/intone-ui-music-loop.png", fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
