// UI test in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the built UI, fed by @tauri-apps/api/mocks through
// the harness page (src/harness.ts). Build it first: npm run build:harness.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openHarness } from "./harness-server.mjs";

const SCRIPT = `# Harness

## Morning

I wake up rested and grateful. The light is soft and warm.

## Fails

This section fails on purpose to show an error.

## Evening

The day is done and I let it go.
`;

test("generate, watch progress, see failures, play; library filter, export, delete; engines", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);

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
    // Track rows (a row may hold lists of its own: flagged sentences).
    const rows = page.locator("ul[aria-label='Tracks'] > li.track");
    assert.equal(await rows.count(), 6);
    assert.equal(await page.locator("li.track[data-status='failed']").count(), 2);
    assert.match(await page.locator("li.track[data-status='failed'] .error").first().innerText(), /cannot connect/);
    await page.getByRole("button", { name: "Retry 2 failed" }).waitFor();

    // The speech recognizer's flags: Evening's first sentence was misheard, in both variants.
    const generated = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "generate").args.args);
    assert.equal(generated.check, true, "Check every sentence is on by default");
    await page.getByTestId("flagged-count").filter({ hasText: "⚑ 2 sentences flagged" }).waitFor();
    assert.equal(await page.locator("li.track[data-flagged]").count(), 2);
    const flags = page.getByRole("list", { name: "Flagged sentences of Evening · voice" });
    assert.match(await flags.innerText(), /Sentence 1: “The day is done and I let it go\.”\s+heard: “The bay is dumb and I left\.” · word error rate 56 %/);
    assert.match(await page.locator("li.track").first().innerText(), /✓ checked/);
    await page.locator("li.track[data-track-id='5']").screenshot({ path: process.env.UI_FLAGS_SCREENSHOT ?? "/tmp/intone-ui-flags.png" });
    // Regenerate sentence: only that track is remade, and its flag goes.
    await flags.getByRole("button", { name: "Regenerate sentence 1 of Evening · voice" }).click();
    await page.getByTestId("flagged-count").filter({ hasText: "⚑ 1 sentence flagged" }).waitFor({ timeout: 10000 });
    assert.deepEqual(
      await page.evaluate(() => window.__harness.calls.filter((c) => c.cmd === "regenerate_utterance").map((c) => c.args)),
      [{ trackId: 5, index: 0 }],
    );
    assert.equal(await page.locator("li.track[data-flagged]").count(), 1);
    await page.getByTestId("batch-status").filter({ hasText: "partial success" }).waitFor();

    // Play the first finished track: the play head moves.
    await page.getByRole("button", { name: "Play Morning · voice" }).click();
    const slider = page.locator("li.track").first().getByRole("slider", { name: "Seek" });
    await page.waitForTimeout(400);
    const a = Number(await slider.getAttribute("aria-valuenow"));
    await page.waitForTimeout(700);
    const b = Number(await slider.getAttribute("aria-valuenow"));
    assert.ok(b > a, `play head moved: ${a} → ${b}`);
    await page.getByRole("button", { name: "Pause Morning · voice" }).click();
    // Space resumes and pauses the loaded track when focus is not on a control.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Pause Morning · voice" }).waitFor();
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Play Morning · voice" }).waitFor();

    await page.screenshot({ path: process.env.UI_SCREENSHOT ?? "/tmp/intone-ui-test.png" });

    // The script as one file with a chapter per section, for the chosen variant.
    await page.getByLabel("Variant to export").selectOption("sleep");
    await page.getByRole("button", { name: "Export as one file…" }).click();
    assert.match(
      await page.getByTestId("book-exported").innerText(),
      /Saved \/home\/test\/Audiobooks\/Harness\.mp3 · 3 chapters · subtitles \/home\/test\/Audiobooks\/Harness\.srt/,
    );
    assert.deepEqual(await page.evaluate(() => window.__harness.exportedBooks), [{ batchId: 1, variant: "sleep" }]);

    // Preview speaks a sample in the picked voice.
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("button", { name: "Playing" }).waitFor();

    // Library: every track, filter by variant, delete after confirmation.
    await page.getByRole("button", { name: "Library" }).click();
    await page.getByTestId("library-count").filter({ hasText: "6 tracks" }).waitFor();
    // The sentence still flagged shows in the Library too (the regenerated one does not).
    const flaggedRows = page.locator(".lib-table tbody tr", { has: page.locator(".badge.flagged") });
    await flaggedRows.first().waitFor();
    assert.equal(await flaggedRows.count(), 1);
    assert.match(await flaggedRows.innerText(), /Evening\s+sleep[\s\S]*⚑ 1 flagged/);
    await page.getByLabel("Filter by variant").selectOption("sleep");
    await page.getByTestId("library-count").filter({ hasText: "3 tracks" }).waitFor();
    assert.equal(await page.locator(".lib-table tbody tr").count(), 3);
    await page.getByLabel("Select all").check();
    await page.getByRole("button", { name: "Export 2 to folder…" }).click();
    await page.getByText("Exported 2 tracks to /home/test/Exports").waitFor();
    await page.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete 3 tracks?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Keep" }).click();
    assert.equal(await page.locator(".lib-table tbody tr").count(), 3, "Keep deletes nothing");
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
    await page.getByText("Deleted 3 tracks (6 files)").waitFor();
    await page.getByLabel("Filter by variant").selectOption({ label: "All" });
    await page.getByTestId("library-count").filter({ hasText: "3 tracks" }).waitFor();

    // Engines: add a local server, its connection is tested at once.
    await page.getByRole("button", { name: "Engines" }).click();
    await page.getByLabel("Name (prefix of its voice ids)").fill("kokoro");
    await page.getByLabel("URL (several = a pool)").fill("http://127.0.0.1:8880");
    await page.getByRole("button", { name: "Add and test" }).click();
    await page.getByTestId("health").filter({ hasText: "Connected · 3 voices" }).waitFor();
    const added = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "add_engine").args);
    assert.equal(added.name, "kokoro");
    assert.deepEqual(added.config.urls, ["http://127.0.0.1:8880"]);
    assert.equal(added.config.kind, "openai");
    await page.getByRole("button", { name: "Remove kokoro" }).click();
    await page.getByText("No servers configured.").waitFor();

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("first run: the studio says what to do, and an example opens into the editor with the built-in voice", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.setViewportSize({ width: 1280, height: 800 });
    const welcome = page.getByRole("region", { name: "Start here" });
    await welcome.waitFor();
    assert.match(await welcome.innerText(), /Drop a \.md or \.txt file/);
    assert.equal(await page.getByLabel("Voice", { exact: true }).inputValue(), "piper:en_US-joe-medium");
    // The picker shows the voice's name; its id is under it, not cut off.
    assert.equal(await page.getByTestId("voice-id").innerText(), "piper:en_US-joe-medium · 22.05 kHz · neural");
    await welcome.getByRole("button", { name: "Open an example: Evening Wind-Down" }).click();
    assert.match(await page.getByLabel("Script text").inputValue(), /^# Evening Wind-Down/);
    await page.getByRole("button", { name: "Generate 2 tracks" }).waitFor();
    // The Studio's choices outlast a visit to another view.
    await page.getByRole("checkbox", { name: /sleep/ }).check();
    await page.getByRole("button", { name: "Music", exact: true }).click();
    await page.getByRole("button", { name: "Studio", exact: true }).click();
    assert.match(await page.getByLabel("Script text").inputValue(), /^# Evening Wind-Down/);
    await page.getByRole("button", { name: "Generate 4 tracks" }).waitFor();
    // Nothing covers the last control of the voice panel: a real click reaches it.
    const check = page.getByRole("checkbox", { name: "Check every sentence" });
    await check.click({ trial: true, timeout: 2000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("a script opened in a legacy encoding says which encoding was assumed", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Open files…" }).click();
    const note = page.getByLabel("Encoding");
    await note.waitFor();
    assert.match(await note.innerText(), /café\.md: read as Windows-1252/);
    const sections = page.getByRole("list", { name: "Sections" }).getByRole("listitem");
    assert.match(await sections.first().innerText(), /Zoë’s day/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("a server's unlisted voice id can be typed, with a warning, and is what Generate sends", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByLabel("Script text").fill(SCRIPT);
    const picker = page.getByLabel("Voice", { exact: true });
    await picker.selectOption("tts:en_US-joe-medium");
    assert.equal(await page.getByLabel("Voice id").count(), 0, "a listed voice needs no id");
    // Picking a voice loads it in the background, so its preview starts at once.
    await page.waitForFunction(() => window.__harness.calls.some((c) => c.cmd === "prepare_voice" && c.args.voice === "tts:en_US-joe-medium"));
    await picker.selectOption({ label: "Other voice id on tts…" });
    await page.getByLabel("Voice id").fill("en_GB-secret");
    assert.match(await page.getByRole("status").filter({ hasText: "does not list" }).innerText(), /tts does not list this voice: it is sent as is/);
    await page.getByRole("button", { name: /Generate \d+ tracks?/ }).click();
    await page.getByRole("heading", { name: /Batch 1/ }).waitFor();
    const sent = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "generate").args);
    assert.equal(sent.args.voice, "tts:en_GB-secret");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("a 500-track batch: every row, patched in place from coalesced updates, no whole-batch reloads", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    // 50 tracks in flight, one coalesced update per 100 ms (the shell's bound).
    const { page, errors } = await openHarness(browser, server, { flood: 50 });
    let script = "# Big\n\n";
    for (let i = 1; i <= 250; i++) script += `## Part ${i}\n\nBreathe in slowly and let the shoulders fall.\n\n`;
    await page.getByLabel("Script text").fill(script);
    await page.getByRole("checkbox", { name: /sleep/ }).check();
    await page.getByRole("button", { name: "Generate 500 tracks" }).click();
    await page.getByTestId("batch-counts").filter({ hasText: "500 of 500 completed · 0 failed · 0 pending" }).waitFor({ timeout: 120_000 });
    assert.equal(await page.locator("li.track[data-status='completed']").count(), 500);
    const calls = await page.evaluate(() => window.__harness.calls.map((c) => c.cmd));
    assert.equal(calls.filter((c) => c === "list_tracks").length, 1, "the batch is listed once, then patched");
    const refreshed = await page.evaluate(() =>
      window.__harness.calls.filter((c) => c.cmd === "get_tracks").flatMap((c) => c.args.trackIds),
    );
    assert.equal(new Set(refreshed).size, 500, "every finished track is re-read once for its length and loudness");
    assert.equal(refreshed.length, 500);
    // The first row shows its figures and a drawn waveform.
    const first = page.locator("li.track").first();
    assert.match(await first.locator(".meta").innerText(), /0:12 · -16\.1 LUFS · -1\.3 dBTP/);
    const inked = await first.locator("canvas").evaluate((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 100, `waveform drawn (${inked} pixels)`);
    // The track list scrolls inside the batch panel: the progress bar and
    // History stay on screen with 500 rows.
    for (const part of [page.getByRole("progressbar", { name: "Batch progress" }), page.getByRole("heading", { name: "History" })]) {
      const box = await part.boundingBox();
      assert.ok(box && box.height > 0 && box.y >= 0 && box.y + box.height <= 900, `on screen: ${JSON.stringify(box)}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
