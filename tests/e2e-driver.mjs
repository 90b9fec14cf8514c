// Helpers the real-app end-to-end tests share (app.e2e.mjs, book.e2e.mjs):
// free ports, waiting for tauri-driver, the files a run wrote, and ending an
// app that outlived its driver.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";

/** Every file below `dir`, as paths. */
export async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Resolves once `url` answers, or fails after `ms`. */
export async function waitForHttp(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Kills the processes whose environment names `dir` (the app started for this test). */
export async function killAppsUsing(dir) {
  for (const pid of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const env = await readFile(`/proc/${pid}/environ`, "latin1").catch(() => "");
    if (env.includes(`INTONE_HOME=${join(dir, "home")}\0`)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}


/**
 * An ALSA configuration whose default device writes what reaches it to a raw
 * file (S16_LE, 48 kHz, stereo) and discards it: playback on a machine with
 * no sound card. Returns the capture file and the configuration's path (for
 * ALSA_CONFIG_PATH).
 */
export async function alsaFileDevice(tmp) {
  const capture = join(tmp, "capture.raw");
  const asound = join(tmp, "asound.conf");
  // The file plugin writes whatever reaches it; the null slave discards it.
  await writeFile(
    asound,
    `pcm.!default {
  type plug
  slave {
    pcm { type file; file "${capture}"; format "raw"; slave.pcm { type null } }
    format S16_LE
    rate 48000
    channels 2
  }
}
`,
  );
  return { capture, asound };
}

/**
 * Starts tauri-driver (with WebKitWebDriver) in `env` and the app `app` with
 * `args` under it; resolves to `{ driver, stop }` once the session is up.
 * `stop()` quits the session and ends the driver.
 */
export async function launchApp(app, env, args = []) {
  const { Builder } = createRequire(new URL("../ui/package.json", import.meta.url))("selenium-webdriver");
  const port = await freePort();
  const nativePort = await freePort();
  const tauriDriver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], {
    env,
    stdio: ["ignore", "ignore", "ignore"],
  });
  const stop = async (driver) => {
    if (driver) await driver.quit().catch(() => {});
    tauriDriver.kill();
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/status`, 30_000);
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}/`)
      .withCapabilities({ browserName: "wry", "tauri:options": { application: app, args } })
      .build();
    return { driver, stop: () => stop(driver) };
  } catch (e) {
    await stop(null);
    throw e;
  }
}
