// A book from EPUB to M4B, on the real binaries: `intone chapters` lists a
// 10-chapter EPUB 3 (built here with Python's zipfile) with its titles and
// word counts; `intone generate --chapters 4-5 --best-of 3` makes two
// chapters and retakes the sentence the check flags; the real app (under
// Xvfb, through tauri-driver + WebKitWebDriver), started with the book as
// its file, shows the chapter list, and a person picks an earlier take of
// the retaken sentence in the Takes panel; the M4B export carries the two
// chapters. Environment as app.e2e.mjs (INTONE_APP, INTONE_CLI,
// INTONE_ASSETS; scripts/e2e.sh sets them). INTONE_E2E_BOOK_SCREENSHOT and
// INTONE_E2E_TAKES_SCREENSHOT save what the window showed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { killAppsUsing, launchApp } from "./e2e-driver.mjs";

const uiRequire = createRequire(new URL("../ui/package.json", import.meta.url));
const { By, until } = uiRequire("selenium-webdriver");

const APP = process.env.INTONE_APP;
const CLI = process.env.INTONE_CLI;
const ASSETS = process.env.INTONE_ASSETS;

/** Writes a 10-chapter EPUB 3 (cover, copyright, nav, ten chapters; chapter 2 holds a sentence no one can say). */
function writeEpub(path) {
  const py = String.raw`
import sys, zipfile
out = sys.argv[1]
def page(title, body):
    return f'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>'
items = '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/><item id="copyright" href="copyright.xhtml" media-type="application/xhtml+xml"/>'
spine = '<itemref idref="cover"/><itemref idref="copyright"/>'
nav = ''
files = {'EPUB/cover.xhtml': page('Cover', '<p>A cover.</p>'), 'EPUB/copyright.xhtml': page('Copyright', '<p>Copyright 1900.</p>')}
for n in range(1, 11):
    items += f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
    spine += f'<itemref idref="c{n}"/>'
    nav += f'<li><a href="c{n}.xhtml">The Harbour, part {n}</a></li>'
    odd = ' Xqzt vbrk plmn wrtz.' if n == 2 else ''
    files[f'EPUB/c{n}.xhtml'] = page(f'Part {n}', f'<p>The keeper lit the lamp at dusk.{odd} The sea was calm that night.</p>')
files['EPUB/nav.xhtml'] = page('Contents', f'<nav epub:type="toc"><ol><li><a href="cover.xhtml">Cover</a></li><li><a href="copyright.xhtml">Copyright</a></li>{nav}</ol></nav>')
files['EPUB/package.opf'] = f'<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:2</dc:identifier><dc:title>The Harbour</dc:title><dc:creator>A. Keeper</dc:creator><dc:language>en</dc:language></metadata><manifest>{items}</manifest><spine>{spine}</spine></package>'
with zipfile.ZipFile(out, 'w') as z:
    z.writestr('mimetype', 'application/epub+zip', compress_type=zipfile.ZIP_STORED)
    z.writestr('META-INF/container.xml', '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles></container>', compress_type=zipfile.ZIP_DEFLATED)
    for name, text in files.items():
        z.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
`;
  execFileSync("python3", ["-c", py, path]);
}

test("a book: chapters, two made with best of 3, an earlier take picked in the real app, an M4B with both chapters", { timeout: 600_000 }, async () => {
  assert.ok(APP && CLI && ASSETS, "set INTONE_APP, INTONE_CLI and INTONE_ASSETS");
  const tmp = await mkdtemp(join(tmpdir(), "intone-book-e2e-"));
  const home = join(tmp, "home");
  const env = { ...process.env, INTONE_HOME: home, INTONE_MODEL_PATH: join(ASSETS, "models"), INTONE_ASSETS: ASSETS };
  const cli = (...args) => JSON.parse(execFileSync(CLI, args, { env, encoding: "utf8", maxBuffer: 64 << 20 }));
  const epub = join(tmp, "harbour.epub");
  writeEpub(epub);

  // The chapters, before any work: cover and copyright are front matter.
  const book = cli("chapters", epub, "--json").book;
  assert.equal(book.title, "The Harbour");
  assert.deepEqual(
    book.chapters.map((c) => [c.number, c.title, c.matter]),
    [[1, "Cover", "front"], [2, "Copyright", "front"], ...Array.from({ length: 10 }, (_, i) => [i + 3, `The Harbour, part ${i + 1}`, null])],
  );
  assert.deepEqual(book.chapters.slice(2).map((c) => c.words), [13, 17, 13, 13, 13, 13, 13, 13, 13, 13]);

  // Two chapters, best of 3: the sentence no one can say is retaken.
  const made = cli("generate", epub, "--chapters", "3-4", "--voice", "espeak:en-us", "--best-of", "3", "--json");
  assert.equal(made.status, "completed");
  assert.deepEqual(made.tracks.map((t) => t.title), ["The Harbour, part 1", "The Harbour, part 2"]);
  assert.ok(made.retakes.retaken >= 1, JSON.stringify(made.retakes));
  const track = made.tracks[1].id;
  const before = cli("takes", String(track), "--json").sentences.find((s) => s.text.includes("Xqzt"));
  assert.equal(before.takes.length, 3);
  const used = before.takes.find((t) => t.in_use);
  const earlier = before.takes.find((t) => !t.in_use);

  // The real app, started with the book: its chapters; then the batch's takes.
  const { driver, stop } = await launchApp(APP, { ...env, INTONE_VOICE_PATH: join(ASSETS, "voices"), ORT_DYLIB_PATH: join(ASSETS, "runtime", "libonnxruntime.so.1.32.0") }, [epub]);
  try {
    const list = await driver.wait(until.elementLocated(By.css('ol[aria-label="Chapters"]')), 60_000, "the book's chapters are not shown");
    await driver.wait(async () => (await list.findElements(By.css("li"))).length === 12, 10_000);
    const cover = await driver.findElement(By.css('input[aria-label="Chapter 1: Cover"]'));
    assert.equal(await cover.isSelected(), false, "front matter starts unticked");
    assert.equal(await driver.findElement(By.css('input[aria-label="Chapter 4: The Harbour, part 2"]')).isSelected(), true);
    assert.match(await driver.findElement(By.css('[data-testid="book-total"]')).getText(), /10 ticked · 134 words/);
    if (process.env.INTONE_E2E_BOOK_SCREENSHOT) await writeFile(process.env.INTONE_E2E_BOOK_SCREENSHOT, await driver.takeScreenshot(), "base64");

    // The batch made by the command is in the history; its second track's takes.
    const row = await driver.wait(until.elementLocated(By.xpath('//li[contains(@class,"track")][.//span[@class="section" and text()="The Harbour, part 2"]]')), 30_000);
    await row.findElement(By.css('button[aria-label="Takes of The Harbour, part 2 · voice"]')).click();
    const label = `Use take ${earlier.take + 1} of sentence ${before.index + 1} of The Harbour, part 2 · voice`;
    const use = await driver.wait(until.elementLocated(By.css(`button[aria-label="${label}"]`)), 20_000);
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", use);
    if (process.env.INTONE_E2E_TAKES_SCREENSHOT) await writeFile(process.env.INTONE_E2E_TAKES_SCREENSHOT, await driver.takeScreenshot(), "base64");
    await use.click();
    // Use reopens the track at once (recipe and status in one transaction):
    // once the take is in use and every track is completed again, it is remade.
    await driver.wait(
      async () => {
        const s = cli("takes", String(track), "--json").sentences.find((x) => x.index === before.index);
        const done = cli("tracks", "1", "--json").every((t) => t.status === "completed");
        return s.takes.find((x) => x.in_use)?.take === earlier.take && done;
      },
      60_000,
      "the earlier take was not put in use",
    );
  } finally {
    await stop();
    await killAppsUsing(tmp);
  }
  assert.notEqual(earlier.take, used.take);

  // The export: an M4B with the two chapters, titled as the book's.
  const out = join(tmp, "harbour.m4b");
  cli("export", "1", out, "--json");
  const probe = JSON.parse(execFileSync("ffprobe", ["-v", "error", "-show_chapters", "-of", "json", out], { encoding: "utf8" }));
  assert.deepEqual(probe.chapters.map((c) => c.tags.title), ["The Harbour, part 1", "The Harbour, part 2"]);
  await rm(tmp, { recursive: true, force: true });
});
