// The Convert view in real Chromium against the built UI, fed by the
// harness's IPC mocks (src/harness.ts): open recordings, pick a converter and
// its settings, preview 10 s, Convert, watch "converting n/6", see a chunk's
// failure named, retry it, play the result against its original (A/B), and
// read its transcript (a line plays from where it is said).
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openHarness } from "./harness-server.mjs";

test("convert: open, settings, preview, progress with chunk counts, retry, A/B playback", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Convert", exact: true }).click();
    await page.getByText("Drop recordings here").waitFor();

    await page.getByRole("button", { name: "Open…" }).click();
    const rows = page.getByRole("list", { name: "Recordings to convert" }).getByRole("listitem");
    await rows.nth(1).waitFor();
    assert.match(await rows.first().innerText(), /interview\.m4a\s+1:00 · 44\.1 kHz · stereo/);
    await page.getByText("notes.txt: not an audio file").waitFor();

    // The built-in converter's settings; pick a preset.
    assert.equal(await page.getByLabel("Converter", { exact: true }).inputValue(), "builtin");
    await page.getByLabel("preset", { exact: true }).selectOption("robot");
    await page.getByLabel("pitch_semitones", { exact: true }).fill("-2");

    await page.getByRole("button", { name: "Preview 10 s" }).click();
    await page.getByRole("button", { name: "Playing" }).waitFor();
    const preview = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "preview_conversion").args);
    assert.deepEqual(preview.settings, { preset: "robot", pitch_semitones: "-2" });

    await page.getByRole("button", { name: "Convert 2 files" }).click();
    await page.getByRole("heading", { name: /Batch 1 · Conversions/ }).waitFor();
    // Chunk counts show while converting.
    await page.locator("li.track .badge", { hasText: /converting [1-5]\/6/ }).first().waitFor({ timeout: 10000 });
    await page.getByTestId("batch-status").filter({ hasText: "partial success" }).waitFor({ timeout: 20000 });
    const failed = page.locator("li.track[data-status='failed'] .error");
    assert.match(await failed.innerText(), /fails-at-chunk-3\.wav: chunk 3 of 6 \(0:20–0:30\): lower: sox exited with code 2/);
    const sent = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "convert").args.args);
    assert.equal(sent.converter, "builtin");
    assert.equal(sent.target_lufs, -16);

    await page.getByRole("button", { name: "Retry 1 failed" }).click();
    await page.getByTestId("batch-counts").filter({ hasText: "2 of 2 completed · 0 failed · 0 pending" }).waitFor({ timeout: 20000 });

    // A/B: the result, then its original.
    await page.getByRole("button", { name: "Play interview.m4a · builtin · robot" }).click();
    await page.getByRole("button", { name: "Pause interview.m4a · builtin · robot" }).waitFor();
    await page.getByRole("button", { name: "Play the original of interview.m4a" }).click();
    await page.getByRole("button", { name: "Pause the original of interview.m4a" }).waitFor();
    const original = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "play_original").args);
    assert.ok(original.trackId > 0);
    // The transcript of the recording sits beside its player; a line plays from where it is said.
    const transcript = page.getByRole("list", { name: "Transcript of interview.m4a" });
    await transcript.waitFor();
    assert.match(await transcript.innerText(), /0:01\s+Thanks for joining me today\.\s+0:31\s+Let's begin with the first question\./);
    await transcript.getByRole("button", { name: /Let's begin/ }).click();
    await page.waitForFunction(() => {
      const c = window.__harness.calls.filter((c) => c.cmd === "play" || c.cmd === "seek").at(-1);
      return c && (c.args.fromMs === 31000 || c.args.ms === 31000);
    });
    // A watched folder takes the current settings and can be removed.
    await page.getByRole("button", { name: "Watch a folder…" }).click();
    const folder = page.getByRole("list", { name: "Watched folders" }).getByRole("listitem");
    await folder.first().waitFor();
    assert.match(await folder.first().innerText(), /inbox\s+builtin · robot/);
    await page.screenshot({ path: process.env.UI_CONVERT_SCREENSHOT ?? "/tmp/intone-ui-convert.png" });
    await page.getByRole("button", { name: "Stop watching /home/test/Recordings/inbox" }).click();
    await page.getByText("Drop files into a folder and walk away").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("transcribe only: recordings heard without converting, their transcripts beside the players", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Convert", exact: true }).click();
    await page.getByRole("button", { name: "Open…" }).click();
    const rows = page.getByRole("list", { name: "Recordings to convert" }).getByRole("listitem");
    await rows.nth(1).waitFor();
    await page.getByRole("button", { name: "Transcribe only" }).click();
    await page.getByRole("heading", { name: /Batch 1 · Transcripts/ }).waitFor();
    const sent = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "transcribe").args.args);
    assert.equal(sent.inputs.length, 2);
    assert.equal(sent.target_lufs, -16);
    assert.equal(window_calls(await page.evaluate(() => window.__harness.calls.map((c) => c.cmd)), "convert"), 0, "nothing is converted");
    await page.getByTestId("batch-counts").filter({ hasText: "2 of 2 completed · 0 failed · 0 pending" }).waitFor({ timeout: 20000 });
    const transcript = page.getByRole("list", { name: "Transcript of interview.m4a" });
    await transcript.waitFor();
    assert.match(await transcript.innerText(), /Thanks for joining me today\./);
    assert.match(await page.locator("li.track").first().innerText(), /transcript/);
    await page.screenshot({ path: process.env.UI_TRANSCRIBE_SCREENSHOT ?? "/tmp/intone-ui-transcribe.png" });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

/** How many times `cmd` was called. */
function window_calls(cmds, cmd) {
  return cmds.filter((c) => c === cmd).length;
}
