// The Lexicon view's state, kept at module level so that a half-typed entry,
// the scope and a change not yet applied survive a visit to another view.
import type { Alphabet, Entry, Touched } from "./types";

/** The add/edit form. */
export type Draft = {
  word: string;
  respell: string;
  phonemes: string;
  alphabet: Alphabet;
  whole_word: boolean;
  case_sensitive: boolean;
};

export const blankDraft = (): Draft => ({ word: "", respell: "", phonemes: "", alphabet: "ipa", whole_word: true, case_sensitive: false });

export const lexicon = $state({
  /** Global entries, or the project's (which win over global ones). */
  scope: "global" as "global" | "project",
  /** The project whose entries are shown under "This project". */
  project: "",
  /** The voice Test speaks in (empty: the Studio's voice). */
  voice: "",
  draft: blankDraft(),
  /** The entry being edited, as saved (null: a new entry). */
  editing: null as Entry | null,
  /** A saved change and the finished tracks it touches, until applied or dismissed. */
  pending: null as { what: string; scope: string; entries: Entry[]; touched: Touched[] } | null,
  /** The tracks being remade by the last Apply. */
  applied: null as { touched: Touched[]; batchId: number } | null,
});

/** The form as an entry (empty fields left out). */
export function entryOf(d: Draft): Entry {
  const t = (s: string) => (s.trim() ? s.trim() : null);
  return { word: d.word.trim(), respell: t(d.respell), phonemes: t(d.phonemes), alphabet: d.alphabet, whole_word: d.whole_word, case_sensitive: d.case_sensitive };
}

/** An entry in the form, to edit. */
export function draftOf(e: Entry): Draft {
  return { word: e.word, respell: e.respell ?? "", phonemes: e.phonemes ?? "", alphabet: e.alphabet ?? "ipa", whole_word: e.whole_word ?? true, case_sensitive: e.case_sensitive ?? false };
}

/** How an entry is said, in a few characters. */
export function saidAs(e: Entry): string {
  const parts: string[] = [];
  if (e.respell) parts.push(`“${e.respell}”`);
  if (e.phonemes) parts.push(e.alphabet === "espeak" ? `[[${e.phonemes}]]` : `/${e.phonemes}/`);
  return parts.join(" · ");
}
