-- Intone job store, version 10: takes you can compare, and settings.
--   * `takes`: every take of every sentence (utterance) of a speech track,
--     by 0-based sentence and take number, with the clip cache key of its
--     audio and the words it says (the utterance's text and lexicon
--     phonemes, as JSON: a take made before a lexicon change says other
--     words, and cannot be picked); `favourite` protects it from pruning. Deleting a track deletes
--     its takes; `intone gc` then removes the clips no take or sentence unit
--     refers to.
--   * `settings`: the studio's remembered settings, by name (JSON values).

CREATE TABLE takes (
    track_id   INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    sentence   INTEGER NOT NULL,
    take       INTEGER NOT NULL,
    clip_key   TEXT NOT NULL,
    words      TEXT NOT NULL DEFAULT '',
    favourite  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (track_id, sentence, take)
);
CREATE INDEX takes_by_clip ON takes (clip_key);

CREATE TABLE settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value_json TEXT NOT NULL
);
