-- Intone job store, version 6: batches deliver MP3 and Opus too, with their
-- encoder settings and tags.
--   * `format` may now be wav, flac, mp3 or opus (the CHECK of version 1
--     allowed wav and flac only);
--   * `encode_json` holds the lossy settings and tags of the batch (MP3 rate
--     control, Opus bit rate, artist, cover) as JSON
--     (intone_core::audio::encode::EncodeOptions); NULL means the defaults.
-- `batches` is rebuilt with SQLite's documented procedure (create new, copy,
-- drop old, rename); the store runs migrations with foreign keys off and
-- checks them afterwards, so dropping the old table cascades nowhere.

CREATE TABLE batches_v6 (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT 'speech',
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'completed', 'partial_success', 'failed', 'cancelled')),
    voice           TEXT NOT NULL,
    format          TEXT NOT NULL CHECK (format IN ('wav', 'flac', 'mp3', 'opus')),
    sample_rate_hz  INTEGER NOT NULL,
    bit_depth       INTEGER NOT NULL CHECK (bit_depth IN (16, 24)),
    encode_json     TEXT,
    expected        INTEGER NOT NULL DEFAULT 0,
    completed       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    cancelled       INTEGER NOT NULL DEFAULT 0,
    pending         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO batches_v6 (id, project_id, kind, status, voice, format, sample_rate_hz, bit_depth,
                        encode_json, expected, completed, failed, cancelled, pending, created_at,
                        updated_at)
SELECT id, project_id, kind, status, voice, format, sample_rate_hz, bit_depth,
       NULL, expected, completed, failed, cancelled, pending, created_at, updated_at
FROM batches;

DROP TABLE batches;
ALTER TABLE batches_v6 RENAME TO batches;

CREATE INDEX batches_by_status ON batches (status);
CREATE INDEX batches_kind ON batches (kind);
