// End-to-end test of the real desktop app. tauri-driver (WebDriver, over
// WebKitWebDriver) starts the app binary (intone-app) with a temporary INTONE_HOME,
// under the X display the caller provides (scripts/e2e.sh runs this under
// xvfb-run). The test pastes a script, picks a voice, two variants and MP3,
// clicks Generate, waits for the batch to complete, checks every track row
// (an MP3 and its subtitles each), clicks play and watches the play head move. The machine has no sound card, so ALSA
// is pointed at a file (plug → file PCM, S16_LE, 48 kHz, stereo, null slave)
// and the captured audio must not be silent.
//
// Then a watched folder (registered with the `intone` CLI) receives a real
// recording while the app runs: the app converts it on its own (to Opus), the
// batch shows up in History, completes with its chunk count, and plays.
//
// Environment: INTONE_APP (the app binary, built with tauri/custom-protocol),
// INTONE_CLI (the intone binary), INTONE_ASSETS (the .assets folder with
// voices/ and runtime/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rename, rm, writeFile, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

// selenium-webdriver is the UI's dev dependency (ui/package.json, installed
// by `npm --prefix ui ci`); this file lives beside the other end-to-end tests.
const uiRequire = createRequire(new URL("../ui/package.json", import.meta.url));
const { Builder, By, Key, until } = uiRequire("selenium-webdriver");

const APP = process.env.INTONE_APP;
const CLI = process.env.INTONE_CLI;
const ASSETS = process.env.INTONE_ASSETS;

// Two sections × two variants = four tracks.
const SCRIPT = `# Morning pages

## Arrival

I arrive in this moment. My breath is slow and easy.

## Rest

Each sound drifts by like a wave on the shore. Ngozi whispered xqzt vbrk plmn near the quay.
`;

// A two-character scene: a narrator (Piper joe) and MARA (espeak-ng), cast
// in front matter, with pause tags (the same scene tests/cast.rs runs).
import { alsaFileDevice, filesUnder, freePort, waitForHttp, killAppsUsing } from "./e2e-driver.mjs";

const SCENE = await readFile(new URL("./fixtures/night-ferry.md", import.meta.url), "utf8");

/** RMS of little-endian signed 16-bit samples, as a fraction of full scale. */
function rms16(bytes) {
  const n = Math.floor(bytes.length / 2);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = bytes.readInt16LE(i * 2) / 32768;
    sum += v * v;
  }
  return Math.sqrt(sum / n);
}

test("real app: paste, pick voice and two variants, generate, every track completes, play moves the head and sounds, history survives a restart", { timeout: 600_000 }, async () => {
  assert.ok(APP, "set INTONE_APP to the intone-app binary");
  assert.ok(ASSETS, "set INTONE_ASSETS to the .assets folder");
  const tmp = await mkdtemp(join(tmpdir(), "intone-e2e-"));
  const { capture, asound } = await alsaFileDevice(tmp);
  const port = await freePort();
  const nativePort = await freePort();
  const driverLog = [];
  const tauriDriver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"],
    {
      env: {
        ...process.env,
        INTONE_HOME: join(tmp, "home"),
        INTONE_VOICE_PATH: join(ASSETS, "voices"),
        ORT_DYLIB_PATH: join(ASSETS, "runtime", "libonnxruntime.so.1.32.0"),
        INTONE_MODEL_PATH: join(ASSETS, "models"),
        // Shipped assets: .assets/ and the checkout (its examples/).
        INTONE_ASSETS: [ASSETS, dirname(ASSETS)].join(":"),
        ALSA_CONFIG_PATH: asound,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  tauriDriver.stdout.on("data", (d) => driverLog.push(String(d)));
  tauriDriver.stderr.on("data", (d) => driverLog.push(String(d)));
  let driver;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/status`, 30_000);
    const open = () =>
      new Builder()
        .usingServer(`http://127.0.0.1:${port}/`)
        .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
        .build();
    driver = await open();

    // First run: the studio says what to do and offers the examples shipped beside the app.
    const welcome = await driver.wait(until.elementLocated(By.css('section[aria-labelledby="welcome-h"]')), 60_000);
    assert.match(await welcome.getText(), /Add a script/);
    await driver.wait(until.elementLocated(By.css('button[aria-label="Open an example: Evening Wind-Down"]')), 10_000);

    // The voice picker fills from the engines; pick the built-in neural voice.
    const voiceSelect = await driver.wait(until.elementLocated(By.css('select[aria-label="Voice"]')), 60_000);
    const neural = await driver.wait(
      until.elementLocated(By.xpath('//select[@aria-label="Voice"]//option[contains(@value, "joe") and not(@disabled)]')),
      60_000,
      "the built-in neural voice is not listed as available",
    );
    const voiceId = await neural.getAttribute("value");
    await neural.click();
    assert.equal(await voiceSelect.getAttribute("value"), voiceId);

    // Paste the script; the sections preview shows both sections.
    const text = await driver.findElement(By.css('textarea[aria-label="Script text"]'));
    await text.clear();
    // WebKitWebDriver types "\n" as nothing; a line break is the Enter key.
    await text.sendKeys(SCRIPT.replaceAll("\n", Key.ENTER));
    await driver.wait(until.elementLocated(By.css('ul[aria-label="Sections"] li:nth-child(2)')), 10_000);
    const titles = await Promise.all(
      (await driver.findElements(By.css('ul[aria-label="Sections"] .title'))).map((e) => e.getText()),
    );
    assert.deepEqual(titles, ["Arrival", "Rest"]);

    // Exactly two variants: voice and sleep.
    const want = new Set(["voice", "sleep"]);
    for (const label of await driver.findElements(By.css("fieldset.variants label"))) {
      const name = await label.findElement(By.css("strong")).getText();
      const box = await label.findElement(By.css('input[type="checkbox"]'));
      if ((await box.isSelected()) !== want.has(name)) await box.click();
    }

    // Delivered as MP3 (LAME, gapless): what plays below is the MP3.
    await driver.findElement(By.css('select[aria-label="Format"] option[value="mp3"]')).click();

    const generate = await driver.findElement(By.css("button.primary"));
    assert.equal(await generate.getText(), "Generate 4 tracks");
    await generate.click();

    // The batch appears at once and completes.
    const status = await driver.wait(until.elementLocated(By.css('[data-testid="batch-status"]')), 10_000);
    await driver.wait(async () => (await status.getText()).toLowerCase() === "completed", 300_000, "batch did not complete");
    assert.match(await driver.findElement(By.css('[data-testid="batch-counts"]')).getText(), /4 of 4 completed/);
    const rows = await driver.findElements(By.css('ul[aria-label="Tracks"] li.track'));
    assert.equal(rows.length, 4);
    const seen = [];
    for (const row of rows) {
      assert.equal(await row.getAttribute("data-status"), "completed");
      const section = await row.findElement(By.css(".section")).getText();
      const variant = await row.findElement(By.css(".variant")).getText();
      const meta = await row.findElement(By.css(".meta")).getText();
      // (After the check's badge, once the recognizer's results are read.)
      assert.match(meta, /^(✓ checked |⚑ \d+ flagged )?\d+:\d\d · -?\d+\.\d LUFS · -?\d+\.\d dBTP$/, `${section} · ${variant}: ${meta}`);
      seen.push(`${section}/${variant}`);
    }
    assert.deepEqual(seen.sort(), ["Arrival/sleep", "Arrival/voice", "Rest/sleep", "Rest/voice"]);
    // Every sentence was heard by the speech recognizer: each track says so
    // ("✓ checked", or how many sentences it flagged).
    await driver.wait(
      async () => (await driver.findElements(By.css('ul[aria-label="Tracks"] li.track .badge.checked, ul[aria-label="Tracks"] li.track .badge.flagged'))).length === 4,
      20_000,
      "the tracks do not show the check",
    );
    const delivered = await filesUnder(join(tmp, "home"));
    assert.equal(delivered.filter((f) => f.endsWith(".mp3")).length, 4, delivered.join("\n"));
    assert.equal(delivered.filter((f) => f.endsWith(".srt")).length, 4, "a subtitle file beside each track");

    // Play the first track: the play head leaves the start.
    const first = rows[0];
    await driver.wait(until.elementLocated(By.css('ul[aria-label="Tracks"] li.track canvas')), 10_000);
    const head = await first.findElement(By.css(".playhead"));
    assert.equal(await head.getCssValue("left"), "0px");
    await first.findElement(By.css("button.play")).click();
    await driver.wait(
      async () => parseFloat(await head.getCssValue("left")) > 0,
      20_000,
      "the play head did not move",
    );
    // The clock follows (it shows whole seconds, so it can lag the head).
    const clock = await first.findElement(By.css(".time"));
    await driver.wait(async () => !/^0:00 \//.test(await clock.getText()), 20_000, "the time did not move");

    // What reached the (file) sound card is the track, not silence.
    await driver.wait(async () => (await stat(capture).catch(() => ({ size: 0 }))).size > 48_000 * 4, 20_000);
    const captured = await readFile(capture);
    const level = rms16(captured);
    console.log(`captured ${captured.length} bytes of S16_LE 48 kHz stereo, RMS ${(20 * Math.log10(level)).toFixed(1)} dBFS`);
    assert.ok(level > 0.001, `captured audio is silent (RMS ${level})`);
    if (process.env.INTONE_E2E_SCREENSHOT) {
      await writeFile(process.env.INTONE_E2E_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }

    // The garbled sentence is flagged with what was heard; Regenerate sentence
    // speaks it again and remakes only that track.
    const flag = await driver.wait(
      until.elementLocated(By.xpath('//ul[@aria-label="Flagged sentences of Rest · voice"]/li[contains(., "xqzt")]')),
      20_000,
      "the garbled sentence is not flagged",
    );
    assert.match(await flag.getText(), /heard: “[^”]*” · word error rate \d+ %/);
    const regen = await flag.findElement(By.css("button"));
    assert.equal(await regen.getAttribute("aria-label"), "Regenerate sentence 2 of Rest · voice");
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", regen);
    await regen.click();
    const restVoice = By.xpath('//ul[@aria-label="Tracks"]/li[contains(@class, "track")][.//*[contains(@class, "section")][normalize-space()="Rest"]][.//*[contains(@class, "variant")][normalize-space()="voice"]]');
    await driver.wait(async () => (await driver.findElement(restVoice).getAttribute("data-status")) !== "completed", 10_000, "the track was not reopened");
    await driver.wait(async () => (await driver.findElement(restVoice).getAttribute("data-status")) === "completed", 60_000, "the track was not remade");
    assert.equal((await driver.findElements(By.css('ul[aria-label="Tracks"] li.track[data-status="completed"]'))).length, 4);

    // Quit and start the app again: the batch is in History, reopened with its tracks.
    await driver.quit();
    driver = undefined;
    driver = await open();
    const again = await driver.wait(until.elementLocated(By.css('[data-testid="batch-status"]')), 30_000);
    assert.equal((await again.getText()).toLowerCase(), "completed");
    const history = await driver.findElements(By.css(".history li"));
    assert.equal(history.length, 1);
    assert.match(await history[0].getText(), /#1 Morning pages/);
    assert.equal((await driver.findElements(By.css('ul[aria-label="Tracks"] li.track[data-status="completed"]'))).length, 4);

    // A watched folder gets a real recording while the app runs.
    const inbox = join(tmp, "inbox");
    await mkdir(inbox);
    execFileSync(CLI, ["--home", join(tmp, "home"), "watch", inbox, "--once", "--max-chunk-s", "5", "--set", "preset=deeper", "--format", "opus"], { stdio: "inherit" });
    const alsa = "/usr/share/sounds/alsa";
    const parts = ["Front_Center", "Front_Left", "Front_Right", "Rear_Center", "Rear_Left", "Rear_Right"];
    const recording = join(tmp, "talk.wav");
    execFileSync("sox", parts.flatMap((p) => [join(alsa, `${p}.wav`), "|sox -n -r 48000 -c 1 -p trim 0 0.7"]).concat([recording]));
    // Copied in the way a person's file manager does: written, then there.
    await rename(recording, join(inbox, "talk.wav"));
    const entry = await driver.wait(
      until.elementLocated(By.xpath('//ul[contains(@class,"history")]//button[contains(., "Conversions")]')),
      60_000,
      "the watched folder's batch did not appear",
    );
    await entry.click();
    await driver.wait(until.elementLocated(By.xpath('//h2[@id="batch-h" and contains(., "Conversions")]')), 10_000);
    const convStatus = await driver.findElement(By.css('[data-testid="batch-status"]'));
    await driver.wait(async () => (await convStatus.getText()).toLowerCase() === "completed", 120_000, "the conversion did not complete");
    const conv = await driver.findElement(By.css('ul[aria-label="Tracks"] li.track'));
    assert.equal(await conv.findElement(By.css(".section")).getText(), "talk.wav");
    assert.match(await conv.findElement(By.css(".variant")).getText(), /builtin · deeper/);
    assert.match(await conv.findElement(By.css(".meta")).getText(), /^0:1\d · -16\.\d LUFS · -\d\.\d dBTP$/);
    await stat(join(inbox, "processed", "talk.wav"));
    const convHead = await conv.findElement(By.css(".playhead"));
    await driver.wait(until.elementLocated(By.css('ul[aria-label="Tracks"] li.track canvas')), 10_000);
    await conv.findElement(By.css("button.play")).click();
    // The converted track is Ogg Opus, played through libopus.
    assert.equal((await filesUnder(join(tmp, "home"))).filter((f) => f.endsWith(".opus")).length, 1);
    await driver.wait(async () => parseFloat(await convHead.getCssValue("left")) > 0, 20_000, "the converted (Opus) track did not play");
    // The recording's transcript: what was said, a line per phrase; a line plays from there.
    const transcript = await driver.wait(until.elementLocated(By.css('ol[aria-label="Transcript of talk.wav"]')), 20_000);
    const said = (await transcript.getText()).toLowerCase();
    assert.match(said, /front/, said);
    assert.match(said, /rear/, said);
    const lines = await transcript.findElements(By.css("button.line"));
    assert.ok(lines.length >= 2, `${lines.length} transcript lines: ${said}`);
    await lines[lines.length - 1].click();
    await driver.wait(
      async () => (await lines[lines.length - 1].getAttribute("aria-current")) === "true",
      20_000,
      "clicking a transcript line did not move the play head there",
    );
    // A/B: the original plays too.
    await conv.findElement(By.css("button.ab")).click();
    // Without a paced sound device the 4 s original may have ended at once, so
    // check what stays: the player now holds the original.
    const player = await conv.findElement(By.css(".player"));
    await driver.wait(async () => (await player.getAttribute("data-hearing")) === "original", 20_000, "the original did not play");
    // The Convert view lists the watched folder, beside the same batch view.
    await driver.findElement(By.xpath('//nav//button[normalize-space()="Convert"]')).click();
    const watchedRow = await driver.wait(until.elementLocated(By.css('ul[aria-label="Watched folders"] li .section')), 10_000);
    // The path is shortened with an ellipsis on screen; its title holds it whole.
    assert.match(await watchedRow.getAttribute("title"), /\/inbox$/);
    if (process.env.INTONE_E2E_CONVERT_SCREENSHOT) {
      await writeFile(process.env.INTONE_E2E_CONVERT_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }

    // Music: a prompt makes a take with the built-in composer; it plays.
    await driver.findElement(By.xpath('//nav//button[normalize-space()="Music"]')).click();
    const prompt = await driver.wait(until.elementLocated(By.css('textarea[aria-label="Prompt"]')), 10_000);
    await prompt.sendKeys("calm piano, slow, warm");
    const seconds = await driver.findElement(By.css('input[aria-label="Duration in seconds"]'));
    await seconds.clear();
    await seconds.sendKeys("6");
    const takes = await driver.findElement(By.css('input[aria-label="Takes"]'));
    await takes.clear();
    await takes.sendKeys("1");
    const seed = await driver.findElement(By.css('input[aria-label="Seed"]'));
    await seed.clear();
    await seed.sendKeys("42");
    await driver.findElement(By.xpath('//button[normalize-space()="Generate 1 take"]')).click();
    await driver.wait(until.elementLocated(By.xpath('//h2[@id="batch-h" and contains(., "Music")]')), 20_000, "the music batch did not open");
    const musicStatus = await driver.findElement(By.css('[data-testid="batch-status"]'));
    await driver.wait(async () => (await musicStatus.getText()).toLowerCase() === "completed", 120_000, "the take did not complete");
    const take = await driver.findElement(By.css('ul[aria-label="Tracks"] li.track'));
    assert.equal(await take.findElement(By.css(".section")).getText(), "calm piano, slow, warm");
    assert.match(await take.findElement(By.css(".meta")).getText(), /^0:06 · -1[56]\.\d LUFS · -\d\.\d dBTP$/);
    await driver.wait(until.elementLocated(By.css('ul[aria-label="Tracks"] li.track canvas')), 10_000);
    const takeHead = await take.findElement(By.css(".playhead"));
    await take.findElement(By.css("button.play")).click();
    await driver.wait(async () => parseFloat(await takeHead.getCssValue("left")) > 0, 20_000, "the take did not play");
    // The gallery lists it.
    await driver.wait(until.elementLocated(By.xpath('//ul[@aria-label="Takes"]//li[contains(., "calm piano, slow, warm")]')), 10_000, "the gallery does not list the take");
    if (process.env.INTONE_E2E_MUSIC_SCREENSHOT) {
      await writeFile(process.env.INTONE_E2E_MUSIC_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }

    // Scenes: a real MP4 is scored with three scenes and ends with the video;
    // scene 2 is regenerated (scenes 1 and 3 kept); the video is saved with
    // its score.
    const home = join(tmp, "home");
    const video = join(tmp, "cut.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=duration=8:size=320x240:rate=25", "-c:v", "libx264", "-pix_fmt", "yuv420p", video]);
    await driver.findElement(By.xpath('//nav//button[normalize-space()="Scenes"]')).click();
    const videoPath = await driver.wait(until.elementLocated(By.css('input[aria-label="Video path"]')), 10_000);
    await videoPath.sendKeys(video);
    await driver.findElement(By.xpath('//button[normalize-space()="Use"]')).click();
    await driver.wait(until.elementLocated(By.xpath('//*[@data-testid="video" and contains(., "cut.mp4 · 0:08")]')), 20_000, "the video's duration was not read");
    const prompts = ["calm piano, gentle", "the market, lively percussion", "sunset, hopeful strings"];
    for (const [i, p] of prompts.entries()) {
      if (i > 0) await driver.findElement(By.xpath('//button[normalize-space()="+ Add scene"]')).click();
      await driver.findElement(By.css(`input[aria-label="Prompt of scene ${i + 1}"]`)).sendKeys(p);
      const len = await driver.findElement(By.css(`input[aria-label="Length of scene ${i + 1}"]`));
      await len.clear();
      await len.sendKeys("3");
    }
    await driver.findElement(By.xpath('//button[normalize-space()="Generate score"]')).click();
    const scoreHeading = await driver.wait(until.elementLocated(By.xpath('//h2[@id="batch-h" and contains(., "Scores")]')), 20_000, "the score's batch did not open");
    const scoreBatch = (await scoreHeading.getText()).match(/Batch (\d+)/i)[1];
    const scoreStatus = await driver.findElement(By.css('[data-testid="batch-status"]'));
    await driver.wait(async () => (await scoreStatus.getText()).toLowerCase() === "completed", 120_000, "the score did not complete");
    const scoreRow = await driver.findElement(By.css('ul[aria-label="Tracks"] li.track'));
    assert.match(await scoreRow.findElement(By.css(".meta")).getText(), /^0:08 · -1[56]\.\d LUFS · -\d\.\d dBTP$/);
    const scoreId = JSON.parse(execFileSync(CLI, ["--home", home, "tracks", scoreBatch, "--json"], { encoding: "utf8" }))[0].id;
    const show = () => JSON.parse(execFileSync(CLI, ["--home", home, "scenes", "show", String(scoreId), "--json"], { encoding: "utf8" }));
    const before = show().score.scenes.map((s) => s.take_path);
    // The score card marks the boundaries (3 s and 6 s of 8 s) and plays.
    const card = await driver.wait(until.elementLocated(By.css('[data-testid="score"][data-status="completed"]')), 20_000, "the score card did not show the score");
    await driver.wait(async () => (await card.findElements(By.css(".waveform .mark"))).length === 2, 10_000, "the boundaries are not marked");
    const marks = await Promise.all((await card.findElements(By.css(".waveform .mark"))).map((m) => m.getAttribute("data-at")));
    assert.deepEqual(marks.map(Number), [0.375, 0.75]);
    const scoreHead = await card.findElement(By.css(".playhead"));
    await card.findElement(By.css('button[aria-label="Play the score"]')).click();
    await driver.wait(async () => parseFloat(await scoreHead.getCssValue("left")) > 0, 20_000, "the score did not play");
    await driver.findElement(By.css('button[aria-label="Regenerate scene 2"]')).click();
    await driver.wait(() => {
      const now = show();
      return now.track.status === "completed" && now.score.scenes[1].take_path !== before[1];
    }, 120_000, "scene 2 was not made again");
    const after = show().score.scenes.map((s) => s.take_path);
    assert.equal(after[0], before[0], "scene 1 was kept");
    assert.equal(after[2], before[2], "scene 3 was kept");
    await driver.wait(until.elementLocated(By.css('[data-testid="score"][data-status="completed"]')), 20_000);
    await driver.findElement(By.xpath('//button[normalize-space()="Save video with score"]')).click();
    const saved = await driver.wait(until.elementLocated(By.xpath('//*[@role="status"]/span[contains(., "Saved the video with its score")]')), 60_000, "the scored video was not saved");
    const scored = (await saved.getText()).split("Saved the video with its score: ")[1].trim();
    const probe = (stream) => execFileSync("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", "stream=codec_name,duration", "-of", "default=noprint_wrappers=1", scored], { encoding: "utf8" });
    assert.match(probe("v:0"), /codec_name=h264/);
    assert.match(probe("a:0"), /codec_name=aac/);
    if (process.env.INTONE_E2E_SCENES_SCREENSHOT) {
      await writeFile(process.env.INTONE_E2E_SCENES_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }

    // A cast: the scene's speakers show with their sentence counts and voices;
    // Generate makes the track with both voices.
    for (const b of await driver.findElements(By.css('.notice button[aria-label="Dismiss"]'))) await b.click();
    await driver.findElement(By.xpath('//nav//button[normalize-space()="Studio"]')).click();
    const sceneText = await driver.wait(until.elementLocated(By.css('textarea[aria-label="Script text"]')), 10_000);
    await sceneText.clear();
    await sceneText.sendKeys(SCENE.replaceAll("\n", Key.ENTER));
    const speakers = await driver.wait(until.elementLocated(By.css('ul[aria-label="Speakers"] li[data-speaker="MARA"]')), 20_000, "the cast panel does not list MARA");
    assert.match(await speakers.getText(), /2 sentences/);
    const narratorRow = await driver.findElement(By.css('ul[aria-label="Speakers"] li[data-speaker="NARRATOR"]'));
    assert.match(await narratorRow.getText(), /4 sentences/);
    assert.match(await driver.findElement(By.css('select[aria-label="Voice for MARA"]')).getAttribute("value"), /^espeak:en-us$/);
    for (const label of await driver.findElements(By.css("fieldset.variants label"))) {
      const name = await label.findElement(By.css("strong")).getText();
      const box = await label.findElement(By.css('input[type="checkbox"]'));
      if ((await box.isSelected()) !== (name === "voice")) await box.click();
    }
    // Each speaker's Preview sits inside the panel, beside the voice (WebKit
    // sizes a select by its longest option).
    const castBox = await driver.findElement(By.css("section.cast")).getRect();
    for (const who of ["Narrator", "MARA"]) {
      const r = await driver.findElement(By.css(`button[aria-label="Preview ${who}"]`)).getRect();
      assert.ok(r.x + r.width <= castBox.x + castBox.width, `Preview ${who} sticks out of the cast panel`);
    }
    await driver.findElement(By.xpath('//button[normalize-space()="Generate 1 track"]')).click();
    const sceneHeading = await driver.wait(until.elementLocated(By.xpath('//h2[@id="batch-h" and contains(., "The Night Ferry")]')), 20_000, "the scene's batch did not open");
    const sceneBatch = (await sceneHeading.getText()).match(/Batch (\d+)/i)[1];
    const sceneStatus = await driver.findElement(By.css('[data-testid="batch-status"]'));
    await driver.wait(async () => (await sceneStatus.getText()).toLowerCase() === "completed", 120_000, "the scene did not complete");
    if (process.env.INTONE_E2E_CAST_SCREENSHOT) {
      await driver.sleep(1000); // the progress bar's transition
      await driver.executeScript('document.querySelector("section.cast").scrollIntoView({block: "center"})');
      await writeFile(process.env.INTONE_E2E_CAST_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }
    const sceneTrack = JSON.parse(execFileSync(CLI, ["--home", home, "tracks", sceneBatch, "--json"], { encoding: "utf8" }))[0];
    const vtt = await readFile(sceneTrack.output_path.replace(/\.[a-z0-9]+$/, ".vtt"), "utf8");
    assert.match(vtt, /<v MARA>Captain, the fog is coming in fast\./);
    assert.match(vtt, /<v NARRATOR>The ferry left the harbor at midnight\./);

    // The lexicon: an entry for "Nguyen" shows the track it touches; Apply
    // remakes it, speaking again only the two sentences with the word.
    await driver.findElement(By.xpath('//nav//button[normalize-space()="Lexicon"]')).click();
    await driver.wait(until.elementLocated(By.css('input[aria-label="Word"]')), 10_000).sendKeys("Nguyen");
    await driver.findElement(By.css('input[aria-label="Respelling"]')).sendKeys("Win");
    await driver.findElement(By.css('input[aria-label="Phonemes"]')).sendKeys("wˈɪn");
    await driver.findElement(By.xpath('//button[normalize-space()="Add entry"]')).click();
    const touched = await driver.wait(until.elementLocated(By.css('ul[aria-label="Touched tracks"]')), 20_000, "the touched tracks are not listed");
    assert.match(await touched.getText(), /Scene One[\s\S]*2 sentences/);
    if (process.env.INTONE_E2E_LEXICON_SCREENSHOT) {
      await writeFile(process.env.INTONE_E2E_LEXICON_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }
    const clipsBefore = (await filesUnder(join(home, "cache", "clips"))).length;
    await driver.findElement(By.xpath('//button[starts-with(normalize-space(), "Apply to 1 track")]')).click();
    await driver.wait(until.elementLocated(By.xpath('//h2[@id="applied-h"]')), 20_000, "the change was not applied");
    await driver.wait(() => {
      const t = JSON.parse(execFileSync(CLI, ["--home", home, "tracks", sceneBatch, "--json"], { encoding: "utf8" }))[0];
      return t.status === "completed" && t.attempts > sceneTrack.attempts;
    }, 120_000, "the track was not remade");
    assert.equal((await filesUnder(join(home, "cache", "clips"))).length - clipsBefore, 2, "exactly the two sentences with Nguyen were spoken again");
  } catch (e) {
    if (driver) {
      const shot = join(tmpdir(), "intone-e2e-failure.png");
      await writeFile(shot, await driver.takeScreenshot(), "base64").catch(() => {});
      console.error(`screenshot of the failure: ${shot}`);
    }
    console.error(driverLog.join(""));
    throw e;
  } finally {
    if (driver) await driver.quit().catch(() => {});
    tauriDriver.kill();
    // An app that outlived its driver (a failed quit) would hold the driver's
    // output pipes open and keep this process alive: end it and close them.
    await killAppsUsing(tmp);
    tauriDriver.stdout.destroy();
    tauriDriver.stderr.destroy();
    // The capture file grows without pacing; never leave it behind.
    await rm(tmp, { recursive: true, force: true });
  }
});
