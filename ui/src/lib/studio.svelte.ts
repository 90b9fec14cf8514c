// The Studio view's choices (scripts, voice, variants, format, check, the
// voices picked in the cast panel), kept at
// module level so they survive a visit to another view, and so files dropped
// on the window or opened with the app reach the editor whichever view is open.
import { api } from "./api";
import type { BookOutline, Format } from "./bindings";
import type { ScriptFile, Variant } from "./types";

export const studio = $state({
  scripts: [{ name: "script.md", text: "", encoding_note: null }] as ScriptFile[],
  /** The voice id ("engine:voice"); empty until the engines are listed. */
  voice: "",
  /** Variant names, in the order they were ticked. */
  chosen: ["voice"] as string[],
  format: "wav" as Format,
  /** Whether the speech recognizer checks every sentence. */
  check: true,
  /** A book opened instead of scripts, and its ticked chapters. */
  book: null as BookOutline | null,
  bookPicked: [] as number[],
  /** Best of N for sentences the check flags (1: off). */
  bestOf: 1,
  /** The variants to pick from, listed once per run of the app. */
  variants: [] as Variant[],
  /** Voices picked in the cast panel, by speaker (over the script's own cast). */
  picks: {} as Record<string, string>,
  /** The project the batch goes to: the first script's title (empty before it is read). */
  project: "",
});

/** Adds scripts to the editor; they replace the one empty script a new studio has. */
export function addScripts(files: ScriptFile[]) {
  if (!files.length) return;
  const empty = studio.scripts.length === 1 && !studio.scripts[0].text.trim();
  studio.scripts = empty ? files : [...studio.scripts, ...files];
}

/** Shows `book` in the Studio, its text chapters ticked. */
export function openBook(book: BookOutline) {
  studio.book = book;
  studio.bookPicked = book.chapters.filter((c) => !c.matter && c.words > 0).map((c) => c.number);
}

/** Opens a book with the native file dialog (nothing when cancelled). */
export async function pickBook() {
  const b = await api.pickBook();
  if (b) openBook(b);
}

/** Opens scripts with the native file dialog and adds them (nothing when cancelled). */
export async function openScripts() {
  addScripts(await api.pickScriptFiles());
}
