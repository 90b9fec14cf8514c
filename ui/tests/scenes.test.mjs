// The Scenes view in real Chromium against the built UI, fed by the
// harness's IPC mocks (src/harness.ts, src/harness-scenes.ts): load a video
// (its duration becomes the target), type five scenes (one pasted list,
// rows edited, reordered), pick the fit and error strategy, Generate score,
// watch "generating scene 3/5" in the batch view, see the score with its
// boundaries marked on the waveform, a failed scene replaced by silence,
// play one scene's take, regenerate that scene with a new prompt, export
// the scored video.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openHarness } from "./harness-server.mjs";

test("scenes: video, five scenes, generate score, boundaries, silent scene, play a scene, regenerate it, export", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Scenes", exact: true }).click();

    // The video's duration becomes the target.
    await page.getByLabel("Video path").fill("/home/test/Videos/harbor-cut.mp4");
    await page.getByRole("button", { name: "Use", exact: true }).click();
    await page.getByTestId("video").filter({ hasText: "harbor-cut.mp4 · 0:45" }).waitFor();
    assert.equal(await page.getByLabel("Title", { exact: true }).inputValue(), "harbor-cut");

    // Four scenes pasted as a Markdown list, then a fifth typed as a row.
    await page.getByRole("button", { name: "Paste a list" }).click();
    await page.getByLabel("Pasted scene list").fill(
      "- 0:12 dawn over the harbor, calm strings\n- 10 the market, lively percussion\n- 8 refuse: a storm\n- 10 rain on the docks, melancholic piano",
    );
    await page.getByRole("button", { name: "Read list" }).click();
    await page.getByRole("button", { name: "+ Add scene" }).click();
    await page.getByLabel("Prompt of scene 5").fill("sunset, hopeful, warm");
    await page.getByLabel("Length of scene 5").fill("0:10");
    // A bad length is refused before anything is sent.
    await page.getByLabel("Length of scene 4").fill("soon");
    await page.getByText("Scene 4 needs a prompt and a length").waitFor();
    assert.equal(await page.getByRole("button", { name: "Generate score" }).isDisabled(), true);
    await page.getByLabel("Length of scene 4").fill("10s");
    // Reorder: scene 5 up and back down.
    await page.getByRole("button", { name: "Move scene 5 up" }).click();
    assert.equal(await page.getByLabel("Prompt of scene 4").inputValue(), "sunset, hopeful, warm");
    await page.getByRole("button", { name: "Move scene 4 down" }).click();
    assert.equal(await page.getByLabel("Prompt of scene 5").inputValue(), "sunset, hopeful, warm");
    assert.match(await page.getByRole("heading", { name: /Scene list/ }).innerText(), /5 scenes · 0:50/);

    await page.getByLabel("Fit", { exact: true }).selectOption("stretch");
    assert.match(await page.getByTestId("fit-hint").innerText(), /Target 0:45\. Stretched shorter by 0:05/);
    await page.getByLabel("Crossfade in ms").fill("1500");
    await page.getByLabel("Changes on bar lines").check();
    await page.getByRole("button", { name: "Generate score" }).click();

    // The batch view names the scene in hand, then the score completes.
    await page.getByRole("heading", { name: /Batch 1 · Scores/ }).waitFor();
    await page.locator("li.track .badge").filter({ hasText: /generating scene [1-5]\/5/ }).first().waitFor({ timeout: 10000 });
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    const order = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "make_score").args.order);
    assert.equal(order.video, "/home/test/Videos/harbor-cut.mp4");
    assert.equal(order.target_ms, null, "the video's duration is the target");
    assert.equal(order.fit, "stretch");
    assert.equal(order.crossfade_ms, 1500);
    assert.equal(order.snap, "bar");
    assert.deepEqual(order.scenes.map((s) => s.duration_ms), [12000, 10000, 8000, 10000, 10000]);

    const score = page.getByTestId("score");
    await page.locator('[data-testid="score"][data-status="completed"]').waitFor({ timeout: 10000 });
    // Boundaries marked on the waveform at the stretched scene starts.
    const marks = await score.locator(".waveform .mark").evaluateAll((ms) => ms.map((m) => Number(m.dataset.at)));
    const expect = [12, 22, 30, 40].map((s) => (s * 0.9) / 45);
    assert.equal(marks.length, 4);
    marks.forEach((m, i) => assert.ok(Math.abs(m - expect[i]) < 1e-3, `mark ${i}: ${m} vs ${expect[i]}`));
    // Scene 3 failed and silence took its place; the others are done.
    const scenes = score.getByRole("list", { name: "Scenes" }).getByRole("listitem");
    assert.deepEqual(await scenes.evaluateAll((li) => li.map((l) => l.dataset.status)), ["done", "done", "silent", "done", "done"]);
    assert.match(await scenes.nth(2).locator(".error").innerText(), /Silence in its place: .*refused/);

    // One scene's take plays alone.
    await page.getByRole("button", { name: "Play scene 2" }).click();
    await page.getByRole("button", { name: "Pause scene 2" }).waitFor();
    // Regenerate scene 3 with a new prompt: only it is made again.
    await page.getByLabel("Prompt of score scene 3").fill("a storm gathers, dark and tense");
    await page.getByRole("button", { name: "Regenerate scene 3" }).click();
    await page.getByTestId("batch-counts").filter({ hasText: "1 of 1 completed" }).waitFor({ timeout: 20000 });
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Scenes"] li[data-status="done"]').length === 5, null, { timeout: 20000 });
    const regen = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "regenerate_scene").args);
    assert.equal(regen.number, 3);
    assert.equal(regen.change.prompt, "a storm gathers, dark and tense");

    // The score plays, and the video is saved with it.
    await page.getByRole("button", { name: "Play the score" }).click();
    await page.getByRole("button", { name: "Pause the score" }).waitFor();
    await page.getByRole("button", { name: "Save video with score" }).click();
    await page.getByText("Saved the video with its score:").waitFor();
    await page.screenshot({ path: process.env.UI_SCENES_SCREENSHOT ?? "/tmp/intone-ui-scenes.png", fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
