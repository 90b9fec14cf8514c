// The cast panel and the Lexicon view, in Chromium against the harness (see
// studio.test.mjs; build first: npm run build:harness): a two-speaker script's
// speakers, counts, voices and previews; a problem stopping Generate; the cast
// saved with the batch and the speaker on a flagged line; then a lexicon
// entry tested, saved, its touched tracks listed and the change applied.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { serve, launch, openHarness } from "./harness-server.mjs";

const SCRIPT = `---
cast:
  NARRATOR: piper:en_US-joe-medium
  MARA: espeak:en-us
---
# The Lighthouse

## Evening

The keeper lit the lamp at dusk. [pause 1s] The sea was calm.

MARA: Siobhan, the day is done. Is the boat in?

Siobhan nodded from the stairs.

## Morning

The keeper slept late.
`;

const CAST_SHOT = process.env.UI_CAST_SCREENSHOT ?? "/tmp/shots/cast.png";
const LEXICON_SHOT = process.env.UI_LEXICON_SCREENSHOT ?? "/tmp/shots/lexicon.png";
const calls = (page, cmd) => page.evaluate((c) => window.__harness.calls.filter((x) => x.cmd === c).map((x) => x.args), cmd);

test("cast panel: speakers, voices, preview, problems; lexicon: test, add, touched tracks, apply", async () => {
  for (const f of [CAST_SHOT, LEXICON_SHOT]) mkdirSync(dirname(f), { recursive: true });
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByLabel("Script text").fill(SCRIPT);

    // Speakers with their sentence counts, the narrator first.
    const cast = page.getByRole("region", { name: "Cast" });
    const speakers = cast.getByRole("list", { name: "Speakers" }).getByRole("listitem");
    await speakers.nth(1).waitFor();
    assert.equal(await speakers.count(), 2);
    assert.match(await speakers.nth(0).innerText(), /Narrator\s+4 sentences/);
    assert.match(await speakers.nth(1).innerText(), /MARA\s+2 sentences/);
    assert.match(await speakers.nth(1).innerText(), /“Siobhan, the day is done\.”/);
    assert.equal(await cast.getByLabel("Voice for Narrator").inputValue(), "piper:en_US-joe-medium");
    assert.equal(await cast.getByLabel("Voice for MARA").inputValue(), "espeak:en-us");

    // A voice picked here is the speaker's, over the front matter's.
    await cast.getByLabel("Voice for MARA").selectOption("tts:en_US-joe-medium");
    await page.waitForFunction(() => window.__harness.calls.some((c) => c.cmd === "script_casting" && c.args.cast?.roles?.MARA?.voice === "tts:en_US-joe-medium"));
    assert.equal(await cast.getByLabel("Voice for MARA").inputValue(), "tts:en_US-joe-medium");

    // Preview says the speaker's own line in the picked voice.
    await cast.getByRole("button", { name: "Preview MARA" }).click();
    await cast.getByRole("button", { name: "Preview MARA" }).filter({ hasText: "Playing" }).waitFor();
    assert.deepEqual((await calls(page, "preview_line")).at(-1), { voice: "tts:en_US-joe-medium", text: "Siobhan, the day is done.", label: "speaker:MARA" });

    // A speaker with no voice stops Generate, with the reason beside it.
    await page.getByLabel("Script text").fill(SCRIPT + "\n[voice: TOM] Ahoy there.\n");
    const generate = page.getByRole("button", { name: "Generate 2 tracks" });
    await cast.getByRole("alert").filter({ hasText: 'speaker "TOM" has no voice in the cast' }).waitFor();
    assert.equal(await generate.isDisabled(), true);
    assert.match(await page.locator("#generate-blocked").innerText(), /Fix the cast first: .*TOM/);
    await page.getByLabel("Script text").fill(SCRIPT);
    await page.locator("#generate-blocked").waitFor({ state: "detached" });
    assert.equal(await generate.isDisabled(), false);

    // Generate saves the cast as the project's and sends the picked voice.
    await generate.click();
    await page.getByRole("heading", { name: /Batch 1/ }).waitFor();
    const saved = (await calls(page, "save_cast")).at(-1);
    assert.equal(saved.project, "The Lighthouse");
    assert.deepEqual(Object.fromEntries(Object.entries(saved.cast.roles).map(([k, r]) => [k, r.voice])), { MARA: "tts:en_US-joe-medium", NARRATOR: "piper:en_US-joe-medium" });
    assert.deepEqual((await calls(page, "generate")).at(-1).args.cast, { roles: { MARA: { voice: "tts:en_US-joe-medium", settings: {} } } });

    // The flagged line says who speaks it.
    await page.getByTestId("batch-status").filter({ hasText: "completed" }).waitFor({ timeout: 20000 });
    const flags = page.getByRole("list", { name: "Flagged sentences of Evening · voice" });
    await flags.waitFor();
    assert.equal(await flags.getByTestId("speaker").innerText(), "MARA");
    assert.match(await flags.innerText(), /Sentence 3:\s*MARA\s*“Siobhan, the day is done\.”/);
    await page.screenshot({ path: CAST_SHOT });

    // Lexicon: the project's entries, an entry tested, saved, applied.
    await page.getByRole("button", { name: "Lexicon", exact: true }).click();
    const entries = page.getByRole("table", { name: "Entries" });
    await entries.getByRole("cell", { name: "Nguyen", exact: true }).waitFor();
    await page.getByRole("radio", { name: "This project" }).check();
    assert.equal(await page.getByLabel("Project", { exact: true }).inputValue(), "The Lighthouse");
    await page.getByText("No entries in the lexicon of “The Lighthouse” yet", { exact: false }).waitFor();

    await page.getByLabel("Word", { exact: true }).fill("Siobhan");
    await page.getByLabel("Respelling").fill("shi-VAWN");
    await page.getByLabel("Phonemes").fill("ʃɪvˈɔːn");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByRole("button", { name: "Playing", exact: true }).waitFor();
    const tested = (await calls(page, "lexicon_test")).at(-1);
    assert.equal(tested.voice, "piper:en_US-joe-medium");
    assert.deepEqual(tested.entry, { word: "Siobhan", respell: "shi-VAWN", phonemes: "ʃɪvˈɔːn", alphabet: "ipa", whole_word: true, case_sensitive: false });

    await page.getByRole("button", { name: "Add entry" }).click();
    await entries.getByRole("cell", { name: "Siobhan", exact: true }).waitFor();
    assert.deepEqual((await calls(page, "lexicon_put")).at(-1).scope, "The Lighthouse");
    const touched = page.getByRole("list", { name: "Touched tracks" }).getByRole("listitem");
    await touched.first().waitFor();
    assert.equal(await touched.count(), 1);
    assert.match(await touched.first().innerText(), /Evening\s+The Lighthouse · voice\s+2 sentences/);
    await page.screenshot({ path: LEXICON_SHOT });

    await page.getByRole("button", { name: "Apply to 1 track" }).click();
    await page.getByRole("status").filter({ hasText: "Remaking 1 track" }).waitFor();
    assert.deepEqual((await calls(page, "lexicon_apply")).at(-1).scope, "The Lighthouse");
    await page.getByRole("button", { name: "Follow in the Studio" }).click();
    await page.getByTestId("batch-status").filter({ hasText: "completed" }).waitFor({ timeout: 10000 });

    // Remove: the entry goes, and the tracks it touched are listed again.
    await page.getByRole("button", { name: "Lexicon", exact: true }).click();
    await page.getByRole("button", { name: "Remove Siobhan" }).click();
    await page.getByRole("button", { name: "Apply to 1 track" }).waitFor();
    assert.equal(await entries.count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
