// Books in the UI-test harness (see harness.ts): "Open book…" and a drop
// give a 10-chapter EPUB with a cover and a copyright page; the voice's pace
// is espeak-ng's 175 words a minute or 150; Generate with a book makes the
// ticked chapters the script's sections (the harness's generate then runs
// them like any script).
import type { BookOutline } from "./lib/types";

/** The book the harness opens. */
export function harbour(): BookOutline {
  const chapters = [
    { number: 1, title: "Cover", words: 2, matter: "front" as const, excerpt: "A cover." },
    { number: 2, title: "Copyright", words: 5, matter: "front" as const, excerpt: "Copyright 1900. All rights reserved." },
    ...Array.from({ length: 10 }, (_, i) => ({ number: i + 3, title: `Chapter ${i + 1}: The Harbour Light ${i + 1}`, words: 300 * (i + 1), matter: null, excerpt: "The keeper climbed the stairs and lit the lamp above the sea." })),
  ];
  return { path: "/home/test/Books/harbour.epub", title: "The Harbour Light", author: "A. Keeper", format: "epub", chapters };
}

/** Answers the book commands; `undefined` for any other (a Generate with a book gets its chapters as a script first). */
export function bookCommand(cmd: string, a: Record<string, any>): unknown {
  switch (cmd) {
    case "pick_book":
    case "open_book":
      return harbour();
    case "voice_pace":
      return String(a.voice).startsWith("espeak:") ? 175 : 150;
    case "generate": {
      const g = a.args;
      if (g.book) {
        const b = harbour();
        const picked = b.chapters.filter((c) => g.book.chapters.includes(c.number));
        g.scripts = [{ name: "harbour.epub", text: `# ${b.title}\n\n${picked.map((c) => `## ${c.title}\n\n${c.excerpt}`).join("\n\n")}\n`, encoding_note: null }];
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
