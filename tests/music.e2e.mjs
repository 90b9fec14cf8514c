// The Music view of the real app (under Xvfb, through tauri-driver +
// WebKitWebDriver) on takes the real `intone` made: the gallery shows each
// take's tempo, key and loudness, filters and sorts by them, and a loop take
// plays on past its end (captured through an ALSA file device, as the
// machine has no sound card). Environment as app.e2e.mjs (INTONE_APP,
// INTONE_CLI, INTONE_ASSETS; scripts/e2e.sh sets them).
// INTONE_E2E_GALLERY_SCREENSHOT saves what the window showed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { alsaFileDevice, killAppsUsing, launchApp } from "./e2e-driver.mjs";

const uiRequire = createRequire(new URL("../ui/package.json", import.meta.url));
const { By, until } = uiRequire("selenium-webdriver");

const APP = process.env.INTONE_APP;
const CLI = process.env.INTONE_CLI;
const ASSETS = process.env.INTONE_ASSETS;

test("music: the gallery shows tempo, key and loudness, filters and sorts, and a loop plays on past its end", { timeout: 600_000 }, async () => {
  assert.ok(APP && CLI && ASSETS, "set INTONE_APP, INTONE_CLI and INTONE_ASSETS");
  const tmp = await mkdtemp(join(tmpdir(), "intone-music-e2e-"));
  const home = join(tmp, "home");
  const env = { ...process.env, INTONE_HOME: home, INTONE_ASSETS: ASSETS };
  const cli = (...args) => JSON.parse(execFileSync(CLI, args, { env, encoding: "utf8", maxBuffer: 64 << 20 }));
  for (const [prompt, seed] of [["solo piano, 70 bpm, D minor", "5"], ["lo-fi groove, 90 bpm, F major", "5"], ["upbeat folk guitar, 120 bpm, A minor", "5"]]) {
    assert.equal(cli("music", prompt, "--duration", "20", "--seed", seed, "--json").status, "completed");
  }
  // 6 s at 100 BPM is 2.5 bars: the loop is 3 bars, 7.2 s.
  const loop = cli("music", "calm piano, rain, 100 bpm, E major", "--duration", "6", "--loop", "--seed", "1", "--json");
  assert.equal(loop.tracks[0].duration_ms, 7200);

  const { capture, asound } = await alsaFileDevice(tmp);
  const { driver, stop } = await launchApp(APP, { ...env, ALSA_CONFIG_PATH: asound });
  try {
    const nav = await driver.wait(until.elementLocated(By.xpath('//nav//button[normalize-space()="Music"]')), 60_000);
    await nav.click();
    const heading = () => driver.findElement(By.xpath('//h3[starts-with(normalize-space(),"Gallery")]')).getText();
    await driver.wait(async () => /4 takes/.test(await heading()), 30_000, "the gallery does not list 4 takes");
    // Sets a select's or input's value as a person would (WebKit's driver
    // cannot click <option>s).
    const choose = (label, value) =>
      driver.executeScript(
        "const e = document.querySelector(`[aria-label=\"${arguments[0]}\"]`); e.value = arguments[1]; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true }));",
        label,
        value,
      );
    const facts = async () =>
      Promise.all((await driver.findElements(By.css('ul[aria-label="Takes"] .facts'))).map((e) => e.getText()));
    // Sorted by tempo: 70, 90, 100 (the loop), 120, each with its key.
    await choose("Sort takes", "tempo");
    await driver.wait(async () => /^70 BPM/.test((await facts())[0] ?? ""), 10_000, "not sorted by tempo");
    const rows = await facts();
    assert.match(rows[0], /70 BPM\s*D minor/);
    assert.match(rows[1], /90 BPM\s*F major/);
    assert.match(rows[2], /100 BPM\s*E major\s*⟲ loop/);
    assert.match(rows[3], /120 BPM\s*A minor/);
    // Loudness on each card.
    const metas = await Promise.all((await driver.findElements(By.css('ul[aria-label="Takes"] .take-head .meta'))).map((e) => e.getText()));
    assert.ok(metas.every((m) => /-1[56]\.\d LUFS/.test(m)), metas.join(" | "));
    // Filter: 80 BPM and up, then D minor alone.
    await choose("Tempo from", "80");
    await driver.wait(async () => /3 takes/.test(await heading()), 10_000, "the tempo filter did not apply");
    await choose("Tempo from", "");
    await driver.wait(async () => /4 takes/.test(await heading()), 10_000);
    await choose("Filter by key", "D minor");
    await driver.wait(async () => /1 take\b/.test(await heading()), 10_000, "the key filter did not apply");
    await choose("Filter by key", "");
    await driver.wait(async () => /4 takes/.test(await heading()), 10_000);

    // The loop plays on past its end.
    const play = await driver.findElement(By.css('button[aria-label="Play calm piano, rain, 100 bpm, E major · seed 1"]'));
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", play);
    await play.click();
    await driver.wait(until.elementLocated(By.xpath('//span[contains(@class,"loop") and contains(., "repeating")]')), 20_000, "the loop is not repeating");
    await new Promise((r) => setTimeout(r, 9_000));
    assert.ok(await driver.findElement(By.css('button[aria-label="Pause calm piano, rain, 100 bpm, E major · seed 1"]')).isDisplayed(), "still playing after its 7.2 s");
    const heard = (await stat(capture)).size / (48_000 * 2 * 2);
    assert.ok(heard > 7.2, `only ${heard.toFixed(1)} s reached the device`);
    const gallery = await driver.findElement(By.xpath('//h3[starts-with(normalize-space(),"Gallery")]'));
    if (process.env.INTONE_E2E_GALLERY_SCREENSHOT) {
      // Tall enough for the filters and every take.
      await driver.manage().window().setRect({ width: 1280, height: 1240 }).catch(() => {});
      await new Promise((r) => setTimeout(r, 1500));
      await driver.executeScript(
        "const h = arguments[0], p = h.closest('.panel'); p.scrollTop += h.getBoundingClientRect().top - p.getBoundingClientRect().top - 8;",
        gallery,
      );
      await writeFile(process.env.INTONE_E2E_GALLERY_SCREENSHOT, await driver.takeScreenshot(), "base64");
    }
    await driver.findElement(By.css('button[aria-label="Pause calm piano, rain, 100 bpm, E major · seed 1"]')).click();
  } finally {
    await stop();
    await killAppsUsing(tmp);
  }
  await rm(tmp, { recursive: true, force: true });
});
