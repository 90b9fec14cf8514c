// Every view fits the two screens people have most (1280×800 and 1920×1080):
// nothing overflows the window sideways, and every control can be reached
// and clicked (scrolled into view, nothing on top of it, e.g. a sticky
// Generate button). Screenshots of each view at each size go to
// $UI_LAYOUT_SCREENSHOTS (default /tmp/intone-ui-layout) for a person to look at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, openHarness } from "./harness-server.mjs";

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const VIEWS = ["Studio", "Convert", "Music", "Scenes", "Lexicon", "Library", "Engines"];
const shots = process.env.UI_LAYOUT_SCREENSHOTS ?? "/tmp/intone-ui-layout";

/** The controls of the open view that nothing covers once scrolled into view, and those that are covered. */
async function reachability(page) {
  return page.evaluate(async () => {
    const covered = [];
    let checked = 0;
    const controls = [...document.querySelectorAll("main input, main select, main textarea, main button, .library button, .engines button, .library input, .engines input, .lexicon input, .lexicon select, .lexicon button")];
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      el.scrollIntoView({ block: "nearest" });
      await new Promise((r) => requestAnimationFrame(r));
      const b = el.getBoundingClientRect();
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      // A checkbox's label is part of it; anything else on top covers it.
      const label = el.closest("label");
      if (!hit || !(el === hit || el.contains(hit) || (label && label.contains(hit)))) {
        covered.push(`${el.tagName.toLowerCase()} "${el.getAttribute("aria-label") ?? label?.innerText?.trim() ?? el.innerText?.trim() ?? ""}" under ${hit?.tagName.toLowerCase()}.${hit?.className}`);
      }
      checked++;
    }
    return { checked, covered };
  });
}

test("every view at 1280×800 and 1920×1080: no sideways overflow, every control reachable", async () => {
  mkdirSync(shots, { recursive: true });
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openHarness(browser, server);
    // A script long enough that the Studio's left column scrolls, with a
    // cast (the cast panel shows) and a line whose speaker has no voice
    // (Generate says why it is off).
    const cast = "---\ncast:\n  MARA: espeak:en-us\n---\n";
    const long = cast + "# Long\n\n" + Array.from({ length: 12 }, (_, i) => `## Part ${i + 1}\n\nA calm sentence for part ${i + 1}.\n\nMARA: And mine.\n`).join("\n") + "\n[voice: TOM] Ahoy.\n";
    await page.getByLabel("Script text").fill(long);
    await page.getByRole("button", { name: "Generate 12 tracks" }).waitFor();
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const view of VIEWS) {
        await page.getByRole("button", { name: view, exact: true }).click();
        await page.waitForTimeout(150);
        const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${view} at ${size.width}×${size.height} overflows sideways by ${overflow} px`);
        const { checked, covered } = await reachability(page);
        assert.ok(checked > 0, `${view} has controls`);
        assert.deepEqual(covered, [], `${view} at ${size.width}×${size.height}: covered controls`);
        await page.screenshot({ path: join(shots, `${view.toLowerCase()}-${size.width}x${size.height}.png`) });
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
