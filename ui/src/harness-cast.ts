// The cast panel's and the Lexicon view's commands in the UI-test harness
// (see harness.ts): scripts cast from their YAML front matter (`cast:` with
// `NAME: voice` lines) over the project's saved cast, `NAME:` lines and
// `[voice: NAME]` markers, problems for speakers without a usable voice; a
// lexicon per scope, the finished tracks an entry touches, and Apply, which
// remakes them through the harness's normal run.
import type { BatchRow, Cast, Casting, Entry, Role, SpeakerLines, Touched, TrackRow } from "./lib/types";

/** The voices of the harness's engines (`list_voices`). */
export const VOICES = {
  default: "piper:en_US-joe-medium",
  voices: [
    { id: "piper:en_US-joe-medium", engine: "piper", name: "Joe (en-us, Piper medium)", language: "en-us", sample_rate_hz: 22050, quality: "neural", available: true, reason: null },
    { id: "espeak:en-us", engine: "espeak", name: "English (America) (espeak-ng)", language: "en-us", sample_rate_hz: 22050, quality: "robotic", available: true, reason: null },
    { id: "chatterbox:Emily.wav", engine: "chatterbox", name: "Emily", language: "en", sample_rate_hz: 0, quality: "server", available: false, reason: "server not reachable: cannot connect to http://127.0.0.1:8004" },
    { id: "tts:en_US-joe-medium", engine: "tts", name: "Joe", language: "en-us", sample_rate_hz: 0, quality: "server", available: true, reason: null },
  ],
  accepts_unlisted: ["tts"],
};

export type CastCtx = {
  batches: BatchRow[];
  tracks: Map<number, TrackRow[]>;
  played: { trackId: number | null; preview: string | null; original: number | null; fromMs: number; at: number; playing: boolean };
  state: () => unknown;
  /** Runs `only` (tracks of `batch`) through the speech steps again. */
  rerun: (batch: BatchRow, only: TrackRow[]) => void;
};

const NARRATOR = "NARRATOR";
const savedCasts = new Map<string, Cast>();
const lexicons = new Map<string, Entry[]>([["", [{ word: "Nguyen", respell: "win", phonemes: null, alphabet: "ipa", whole_word: true, case_sensitive: false }]]]);
/** Each speech track's text, and the speakers of its batch's cast (when it has one). */
const trackText = new Map<number, string>();
const batchSpeakers = new Map<number, string[]>();

/** The front matter's cast and the text after it. */
function frontMatter(text: string): { cast: Cast; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  if (!m) return { cast: { roles: {} }, body: text };
  const roles: Record<string, Role> = {};
  let inCast = false;
  for (const line of m[1].split("\n")) {
    if (/^cast:\s*$/.test(line)) inCast = true;
    else if (!/^\s/.test(line)) inCast = false;
    else if (inCast) {
      const r = /^\s+([^:]+):\s*["']?([^"'\s]+)["']?\s*$/.exec(line);
      if (r) roles[r[1].trim()] = { voice: r[2], settings: {} };
    }
  }
  return { cast: { roles }, body: text.slice(m[0].length) };
}

const titleOf = (name: string, body: string) => /^# (.+)$/m.exec(body)?.[1].trim() ?? name.replace(/\.[^.]*$/, "");

/** Who says what: paragraphs with `NAME:` or `[voice: NAME]`, split into sentences. */
function utterances(body: string, speakers: string[]): { speaker: string | null; text: string }[] {
  const clean = body.split("\n").filter((l) => !l.startsWith("#")).join("\n").replace(/\[pause [^\]]*\]|<break[^>]*\/>/g, " ");
  const out: { speaker: string | null; text: string }[] = [];
  for (let para of clean.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)) {
    let speaker: string | null = null;
    const named = /^([^:\n[]{1,30}):\s+/.exec(para);
    const marker = /^\[voice:\s*([^\]]+)\]\s*/.exec(para);
    const known = named && speakers.find((s) => s.toLowerCase() === named[1].trim().toLowerCase());
    if (known) [speaker, para] = [known, para.slice(named![0].length)];
    else if (marker) [speaker, para] = [marker[1].trim(), para.slice(marker[0].length)];
    if (speaker === NARRATOR) speaker = null;
    for (const s of para.replace(/\s+/g, " ").split(/(?<=[.!?])\s+/).filter(Boolean)) out.push({ speaker, text: s });
  }
  return out;
}

/** What is wrong with `name`'s voice, if anything. */
function voiceProblem(name: string, voice: string): string | null {
  const v = VOICES.voices.find((x) => x.id === voice);
  if (v) return v.available ? null : `speaker ${name}: ${v.name}: ${v.reason}`;
  return VOICES.accepts_unlisted.includes(voice.split(":")[0]) ? null : `speaker ${name}: no voice "${voice}"`;
}

function casting(name: string, text: string, project: string | null, given: Cast | null, voice: string | null): Casting {
  const fm = frontMatter(text);
  const cast: Cast = given ?? { roles: { ...(savedCasts.get(project ?? titleOf(name, fm.body))?.roles ?? {}), ...fm.cast.roles } };
  const declared = Object.keys(cast.roles);
  const lines = utterances(fm.body, declared);
  const speakers: SpeakerLines[] = [];
  for (const u of lines) {
    const who = u.speaker ?? NARRATOR;
    const have = speakers.find((s) => s.name === who);
    if (have) have.sentences++;
    else speakers.push({ name: who, sentences: 1, voice: cast.roles[who]?.voice ?? (who === NARRATOR ? voice : null), sample: u.text });
  }
  speakers.sort((a, b) => Number(a.name !== NARRATOR) - Number(b.name !== NARRATOR));
  const problems: string[] = [];
  const warnings: string[] = [];
  text.split("\n").forEach((line, i) => {
    const marker = /\[voice:\s*([^\]]+)\]/.exec(line)?.[1].trim();
    if (marker && marker !== NARRATOR && !declared.includes(marker)) problems.push(`${name}: line ${i + 1}: speaker "${marker}" has no voice in the cast`);
    const caps = /^([A-Z][A-Z '-]{0,29}):\s/.exec(line)?.[1];
    if (caps && !declared.includes(caps) && caps !== NARRATOR) warnings.push(`${name}: line ${i + 1}: "${caps}:" looks like a speaker, but the cast has no ${caps}; it is read as narration`);
  });
  for (const s of speakers) {
    const role = cast.roles[s.name];
    const p = role ? voiceProblem(s.name, role.voice) : null;
    if (p) problems.push(`${name}: ${p}`);
  }
  return { cast, speakers, problems, warnings };
}

/** Generate: keeps each track's text and, for a cast, its batch's speakers. */
export function recordGenerated(batchId: number, rows: TrackRow[], scripts: { name: string; text: string }[], picked: Cast | null) {
  const speakers = new Set<string>();
  const sections = new Map<string, string>();
  for (const s of scripts) {
    const fm = frontMatter(s.text);
    const project = titleOf(s.name, fm.body);
    for (const n of [...Object.keys(savedCasts.get(project)?.roles ?? {}), ...Object.keys(fm.cast.roles), ...Object.keys(picked?.roles ?? {})]) speakers.add(n);
    for (const chunk of fm.body.split(/^## /m).slice(1)) {
      const [title, ...rest] = chunk.split("\n");
      sections.set(title.trim(), rest.join("\n"));
    }
  }
  rows.forEach((r) => trackText.set(r.id, sections.get(r.title) ?? ""));
  if ([...speakers].some((n) => n !== NARRATOR)) batchSpeakers.set(batchId, [...speakers]);
}

/** A cast track's sentences and who says each (null: a track without a cast). */
export function castSentences(t: TrackRow): { speaker: string | null; text: string }[] | null {
  const speakers = batchSpeakers.get(t.batch_id);
  return speakers ? utterances(trackText.get(t.id) ?? "", speakers) : null;
}

function touches(ctx: CastCtx, scope: string, entries: Entry[]): Touched[] {
  const out: Touched[] = [];
  for (const b of ctx.batches) {
    if (b.kind !== "speech" || (scope && b.project !== scope)) continue;
    for (const t of ctx.tracks.get(b.id) ?? []) {
      if (t.status !== "completed" && t.status !== "failed") continue;
      const said = utterances(trackText.get(t.id) ?? "", batchSpeakers.get(b.id) ?? []);
      const n = said.filter((u) => entries.some((e) => new RegExp(e.whole_word === false ? e.word : `\\b${e.word}\\b`, e.case_sensitive ? "" : "i").test(u.text))).length;
      if (n) out.push({ track_id: t.id, batch_id: b.id, project: b.project, title: t.title, variant: t.variant, sentences: n });
    }
  }
  return out;
}

const preview = (ctx: CastCtx, label: string) => {
  Object.assign(ctx.played, { trackId: null, preview: label, original: null, fromMs: 0, at: performance.now(), playing: true });
  return ctx.state();
};

/** Answers a cast or lexicon command; `undefined` for any other. */
export function castCommand(ctx: CastCtx, cmd: string, a: Record<string, any>): unknown {
  switch (cmd) {
    case "script_casting":
      return casting(a.name, a.text, a.project, a.cast, a.voice);
    case "save_cast":
      if (Object.keys(a.cast.roles).length) savedCasts.set(a.project, a.cast);
      else savedCasts.delete(a.project);
      return null;
    case "preview_line":
      return preview(ctx, a.label);
    case "lexicon_list":
      return { entries: [...(lexicons.get(a.scope) ?? [])].sort((x, y) => x.word.localeCompare(y.word)) };
    case "lexicon_put": {
      const e = a.entry as Entry;
      if (!e.respell && !e.phonemes) throw `lexicon entry "${e.word}": give a respelling or phonemes`;
      const list = (lexicons.get(a.scope) ?? []).filter((x) => x.word.toLowerCase() !== e.word.toLowerCase());
      lexicons.set(a.scope, [...list, e]);
      return null;
    }
    case "lexicon_remove": {
      const list = lexicons.get(a.scope) ?? [];
      if (!list.some((x) => x.word.toLowerCase() === a.word.toLowerCase())) throw `the ${a.scope ? `lexicon of project "${a.scope}"` : "global lexicon"} has no entry "${a.word}"`;
      lexicons.set(a.scope, list.filter((x) => x.word.toLowerCase() !== a.word.toLowerCase()));
      return null;
    }
    case "lexicon_touches":
      return touches(ctx, a.scope, a.entries);
    case "lexicon_apply": {
      const touched = touches(ctx, a.scope, a.entries);
      for (const id of new Set(touched.map((t) => t.batch_id))) {
        const batch = ctx.batches.find((b) => b.id === id)!;
        const rows = (ctx.tracks.get(id) ?? []).filter((r) => touched.some((t) => t.track_id === r.id));
        rows.forEach((r) => Object.assign(r, { status: "pending", error: null }));
        batch.status = "processing";
        setTimeout(() => ctx.rerun(batch, rows), 50);
      }
      return touched;
    }
    case "lexicon_test":
      return preview(ctx, `lexicon:${a.entry.word}`);
    default:
      return undefined;
  }
}
