// Serves the built harness (dist-harness/) on loopback and launches Debian's
// Chromium headless, for the UI test and the UI benchmark.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "dist-harness");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** Starts a static server for dist-harness/; resolves to the listening server. */
export function serve() {
  const server = createServer(async (req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
    try {
      const body = await readFile(path);
      res.writeHead(200, { "Content-Type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** The harness page's URL on `server`. */
export const harnessUrl = (server) => `http://127.0.0.1:${server.address().port}/harness.html`;

/** Launches headless Chromium ($CHROMIUM, default /usr/bin/chromium). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * Opens the harness in a 1280×900 page of `browser`; `flood` (tracks in
 * flight) switches Generate to the harness's large-batch mode. Returns the
 * page and the list that collects its uncaught errors.
 */
export async function openHarness(browser, server, { flood } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (flood) await page.addInitScript((n) => (window.__harnessFlood = n), flood);
  await page.goto(harnessUrl(server));
  return { page, errors };
}
