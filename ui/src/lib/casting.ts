// The Studio's scripts cast as one batch: each script's speakers and voices
// (its saved project cast, front matter, and the voices picked in the cast
// panel), summed over the scripts, with what stops Generate.
import { api, message } from "./api";
import type { Cast, Role, ScriptFile, SpeakerLines } from "./types";

/** The speaker who says unmarked text. */
export const NARRATOR = "NARRATOR";

export type StudioCasting = {
  /** Every speaker of every script, the narrator first, sentences summed. */
  speakers: SpeakerLines[];
  /** What stops Generate (a speaker with no voice, an unknown voice…). */
  problems: string[];
  /** Notes that do not stop a batch. */
  warnings: string[];
  /** The cast the batch is spoken with: saved as the project's before Generate. */
  cast: Cast;
  /** Only the voices picked in the panel (they override every other cast). */
  picked: Cast;
};

/** Whether the cast panel has something to show: a speaker besides the narrator, or a cast. */
export const hasCast = (c: StudioCasting | null) => !!c && (c.speakers.length > 1 || Object.keys(c.cast.roles).length > 0);

/** A picked voice as a role: the settings stay when the engine does (they are the engine's). */
function roleOf(voice: string, before: Role | undefined): Role {
  const engine = (id: string) => id.split(":")[0];
  return { voice, settings: before && engine(before.voice) === engine(voice) ? (before.settings ?? {}) : {} };
}

/**
 * Casts `scripts` (those with text) for project `project` with batch voice
 * `voice` and the panel's `picks` (speaker → voice id). A script whose
 * preview failed (`skip`) is left out: its error shows with the script.
 */
export async function castScripts(scripts: ScriptFile[], skip: boolean[], project: string | null, voice: string, picks: Record<string, string>): Promise<StudioCasting> {
  const out: StudioCasting = { speakers: [], problems: [], warnings: [], cast: { roles: {} }, picked: { roles: {} } };
  for (const [i, s] of scripts.entries()) {
    if (!s.text.trim() || skip[i]) continue;
    try {
      let c = await api.scriptCasting(s.name, s.text, project, null, voice || null);
      const picked: Record<string, Role> = {};
      for (const sp of c.speakers) {
        const v = picks[sp.name];
        if (v && v !== c.cast.roles[sp.name]?.voice) picked[sp.name] = roleOf(v, c.cast.roles[sp.name]);
      }
      if (Object.keys(picked).length) {
        c = await api.scriptCasting(s.name, s.text, project, { roles: { ...c.cast.roles, ...picked } }, voice || null);
        Object.assign(out.picked.roles, picked);
      }
      Object.assign(out.cast.roles, c.cast.roles);
      for (const sp of c.speakers) {
        const have = out.speakers.find((x) => x.name === sp.name);
        if (have) have.sentences += sp.sentences;
        else out.speakers.push({ ...sp });
      }
      for (const p of c.problems) if (!out.problems.includes(p)) out.problems.push(p);
      for (const w of c.warnings) if (!out.warnings.includes(w)) out.warnings.push(w);
    } catch (e) {
      out.problems.push(message(e));
    }
  }
  out.speakers.sort((a, b) => Number(a.name !== NARRATOR) - Number(b.name !== NARRATOR));
  return out;
}
