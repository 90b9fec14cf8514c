// A book in the Studio, in Chromium against the harness (see
// studio.test.mjs; build first: npm run build:harness): Open book… lists
// its chapters with words and an estimate in the chosen voice's pace; front
// matter starts unticked; the ticked chapters are what Generate sends, and
// become the tracks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { serve, launch, openHarness } from "./harness-server.mjs";

const SHOT = process.env.UI_BOOK_SCREENSHOT ?? "/tmp/shots/book.png";

test("book: chapters, matter unticked, estimates per voice, tick two, generate", async () => {
  mkdirSync(dirname(SHOT), { recursive: true });
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    await page.getByRole("button", { name: "Open book…" }).click();
    const chapters = page.getByRole("list", { name: "Chapters" }).getByRole("listitem");
    await chapters.nth(11).waitFor();
    assert.equal(await chapters.count(), 12);
    const box = (n, title) => page.getByRole("checkbox", { name: `Chapter ${n}: ${title}` });
    assert.equal(await box(1, "Cover").isChecked(), false, "front matter is left out");
    assert.equal(await box(2, "Copyright").isChecked(), false);
    assert.equal(await box(3, "Chapter 1: The Harbour Light 1").isChecked(), true);
    // 300 words at Joe's 150 words a minute: 2:00; at espeak-ng's 175: 1:43.
    assert.match(await chapters.nth(2).innerText(), /300 words · ~2:00/);
    await page.getByLabel("Voice", { exact: true }).selectOption("espeak:en-us");
    await page.waitForFunction(() => document.querySelectorAll("ol[aria-label='Chapters'] li")[2]?.textContent.includes("~1:43"));

    // Tick only chapters 2 and 3 of the text (numbers 4 and 5).
    await page.getByRole("button", { name: "None" }).click();
    await box(4, "Chapter 2: The Harbour Light 2").check();
    await box(5, "Chapter 3: The Harbour Light 3").check();
    assert.match(await page.getByTestId("book-total").innerText(), /2 ticked · 1,500 words/);
    await page.screenshot({ path: SHOT });
    await page.getByRole("button", { name: "Generate 2 tracks" }).click();
    await page.getByTestId("batch-status").filter({ hasText: "completed" }).waitFor({ timeout: 20000 });
    const sent = await page.evaluate(() => window.__harness.calls.find((c) => c.cmd === "generate").args.args.book);
    assert.deepEqual(sent, { path: "/home/test/Books/harbour.epub", chapters: [4, 5] });
    const titles = await page.locator("li.track .section").allInnerTexts();
    assert.deepEqual(titles, ["Chapter 2: The Harbour Light 2", "Chapter 3: The Harbour Light 3"]);

    // Close book: back to the script editor.
    await page.getByRole("button", { name: "Close book" }).click();
    await page.getByLabel("Script text").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
