-- Intone job store, version 3: audio files dropped into the studio, copied
-- into `inputs/` under their BLAKE3 hash (the same file is stored once).

CREATE TABLE inputs (
    hash            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    path            TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    sample_rate_hz  INTEGER NOT NULL,
    channels        INTEGER NOT NULL,
    duration_ms     INTEGER,
    added_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
