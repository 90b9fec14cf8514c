-- A project's cast (speaker → voice), saved by the app's cast panel.
CREATE TABLE project_casts (
    project   TEXT PRIMARY KEY NOT NULL,
    cast_json TEXT NOT NULL
);

-- Pronunciation lexicon entries: scope '' is the global lexicon, any other
-- scope a project's (whose entries override the global ones by word).
CREATE TABLE lexicon (
    scope      TEXT NOT NULL,
    word       TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (scope, word)
);

-- A project's default pauses (after a sentence, a paragraph, a heading),
-- overriding its variants' values.
CREATE TABLE project_pauses (
    project     TEXT PRIMARY KEY NOT NULL,
    pauses_json TEXT NOT NULL
);
