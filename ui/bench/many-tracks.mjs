// UI responsiveness with a large batch, in real Chromium against the built
// harness (npm run build:harness first; run with npm run bench).
//
// The harness's flood mode runs a batch the way the shell delivers it: 25
// tracks in flight, one coalesced `intone://batch` update per 100 ms carrying
// every track change of that tick (the rate bound forward.rs enforces). While
// it runs, the bench clicks a checkbox every 300 ms, as a user would.
//
// Figures for a 500-track batch are printed beside a 10-track reference
// measured in the same run, with their ratio:
//   rows on screen   Generate click → every track row in the DOM, ms
//   completion       Generate click → "N of N completed", over the ideal
//                    (ticks × 100 ms); 1.00 means the UI never held it back
//   worst click      longest click-to-paint of the user's clicks (Event
//                    Timing API `duration`, what INP reports), ms
//   loop lag max     worst lateness of a 20 ms timer on the main thread, ms
//   blocking time    sum over long tasks of (duration − 50 ms), ms
//   IPC list_tracks  whole-batch reloads the UI asked for
import { serve, harnessUrl, launch } from "../tests/harness-server.mjs";

const PARALLEL = 25;
const STAGES = 6;

function script(sections) {
  let s = "# Bench\n\n";
  for (let i = 1; i <= sections; i++) s += `## Part ${i}\n\nBreathe in slowly and let the shoulders fall. Breathe out.\n\n`;
  return s;
}

async function measure(browser, server, tracks) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript((parallel) => {
    window.__harnessFlood = parallel;
    window.__bench = { lag: [], longTasks: [], clicks: [] };
    new PerformanceObserver((l) => window.__bench.longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (e.name === "click") window.__bench.clicks.push(e.duration);
    }).observe({ type: "event", durationThreshold: 16 });
  }, PARALLEL);
  await page.goto(harnessUrl(server));
  await page.getByLabel("Script text").fill(script(tracks / 2));
  await page.getByRole("checkbox", { name: /sleep/ }).check();
  const generate = page.getByRole("button", { name: `Generate ${tracks} tracks` });
  await generate.waitFor();
  // A 20 ms timer's lateness is the main thread's unavailability.
  // Only what happens from the Generate click on counts.
  await page.evaluate(() => {
    window.__bench.longTasks.length = 0;
    window.__bench.clicks.length = 0;
    let last = performance.now();
    window.__bench.timer = setInterval(() => {
      const now = performance.now();
      window.__bench.lag.push(now - last - 20);
      last = now;
    }, 20);
  });
  const t0 = Date.now();
  await generate.click();
  const rowsDone = page
    .waitForFunction((n) => document.querySelectorAll("li.track").length === n, tracks, { timeout: 120_000, polling: 20 })
    .then(() => Date.now() - t0);
  let finished = false;
  const clicker = (async () => {
    const box = page.getByRole("checkbox", { name: /energy/ });
    while (!finished) {
      await box.click();
      await page.waitForTimeout(300);
    }
  })();
  await page.getByTestId("batch-counts").filter({ hasText: `${tracks} of ${tracks} completed` }).waitFor({ timeout: 300_000 });
  const doneMs = Date.now() - t0;
  finished = true;
  await clicker;
  const b = await page.evaluate(() => {
    clearInterval(window.__bench.timer);
    const calls = window.__harness.calls;
    return { ...window.__bench, listTracks: calls.filter((c) => c.cmd === "list_tracks").length };
  });
  await page.close();
  const ticks = Math.ceil(tracks / PARALLEL) * (STAGES + 1);
  return {
    "rows on screen, ms": await rowsDone,
    "completion / ideal": doneMs / (ticks * 100 + 50),
    "worst click, ms": Math.max(0, ...b.clicks),
    "loop lag max, ms": Math.max(0, ...b.lag),
    "blocking time, ms": b.longTasks.reduce((s, d) => s + Math.max(0, d - 50), 0),
    "IPC list_tracks": b.listTracks,
  };
}

const server = await serve();
const browser = await launch();
try {
  const ref = await measure(browser, server, 10);
  const big = await measure(browser, server, 500);
  const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)).padStart(10);
  console.log(`${"".padEnd(22)}${"10 tracks".padStart(10)}${"500 tracks".padStart(11)}${"ratio".padStart(9)}`);
  for (const k of Object.keys(ref)) {
    const ratio = ref[k] > 0 ? (big[k] / ref[k]).toFixed(2) : "—";
    console.log(`${k.padEnd(22)}${fmt(ref[k])} ${fmt(big[k])}${ratio.padStart(9)}`);
  }
} finally {
  await browser.close();
  server.close();
}
