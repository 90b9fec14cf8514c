-- Intone job store, version 4: every job kind in the same tables.
--
-- A track used to be a section × variant; now it is whatever its batch's kind
-- makes one track from (DESIGN.md "Job kinds"):
--   * `title`       what the user sees it as (section title, input file name, prompt);
--   * `section_id`  the section it speaks (speech only, so now nullable);
--   * `input_hash`  the dropped file it converts (conversion), in `inputs`;
--   * `recipe_json` how it is made (a speech variant, a conversion recipe…),
--                   formerly `variant_json`; `variant` stays the recipe's name;
--   * `source_key`  BLAKE3 of what it is made from plus its recipe, so the same
--                   input with the same settings is never processed twice.
-- `tracks` is rebuilt with SQLite's documented procedure (create new, copy,
-- drop old, rename); the store runs migrations with foreign keys off and
-- checks them afterwards, so dropping the old table cascades nowhere.
--
-- `units` holds the durable sub-units of a step (chunks of a conversion,
-- scenes of a score): each is done, failed or pending on its own, keyed by
-- what it is made from so a re-plan never reuses a stale one.

CREATE TABLE tracks_v4 (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    section_id      INTEGER REFERENCES sections(id),
    input_hash      TEXT REFERENCES inputs(hash),
    source_key      TEXT,
    variant         TEXT NOT NULL,
    recipe_json     TEXT NOT NULL,
    voice           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    stage           TEXT,
    output_path     TEXT,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    duration_ms     INTEGER,
    sample_rate_hz  INTEGER,
    channels        INTEGER,
    loudness_lufs   REAL,
    true_peak_dbtp  REAL,
    peaks_path      TEXT,
    UNIQUE (batch_id, position)
);

INSERT INTO tracks_v4 (id, batch_id, position, title, section_id, input_hash, source_key, variant,
                       recipe_json, voice, status, stage, output_path, error, attempts, created_at,
                       updated_at, duration_ms, sample_rate_hz, channels, loudness_lufs,
                       true_peak_dbtp, peaks_path)
SELECT t.id, t.batch_id, t.position, s.title, t.section_id, NULL, NULL, t.variant,
       t.variant_json, t.voice, t.status, t.stage, t.output_path, t.error, t.attempts, t.created_at,
       t.updated_at, t.duration_ms, t.sample_rate_hz, t.channels, t.loudness_lufs,
       t.true_peak_dbtp, t.peaks_path
FROM tracks t JOIN sections s ON s.id = t.section_id;

DROP TABLE tracks;
ALTER TABLE tracks_v4 RENAME TO tracks;

CREATE INDEX tracks_by_batch ON tracks (batch_id, position);
CREATE INDEX tracks_by_status ON tracks (status);
CREATE INDEX tracks_by_source_key ON tracks (source_key);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    track_id     INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    key          TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    plan_json    TEXT NOT NULL,
    output_json  TEXT,
    error        TEXT,
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (track_id, stage, idx)
);

-- Watched folders: files that appear in `path` are converted with the stored
-- request (a ConvertRequest as JSON, its file list empty), then moved to
-- `path/processed/`. Stored so watching survives restarts.
CREATE TABLE watch_folders (
    path          TEXT PRIMARY KEY,
    request_json  TEXT NOT NULL,
    added_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
