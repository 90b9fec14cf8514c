-- Intone job store, version 1: projects, scripts and their sections, batches,
-- tracks (section × variant), durable per-track steps, and the
-- content-addressed clip cache. Never edit after release; add a new file.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE scripts (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    title         TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    script_id   INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    word_count  INTEGER NOT NULL,
    UNIQUE (script_id, position)
);

CREATE TABLE batches (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT 'speech',
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'completed', 'partial_success', 'failed', 'cancelled')),
    voice           TEXT NOT NULL,
    format          TEXT NOT NULL CHECK (format IN ('wav', 'flac')),
    sample_rate_hz  INTEGER NOT NULL,
    bit_depth       INTEGER NOT NULL CHECK (bit_depth IN (16, 24)),
    expected        INTEGER NOT NULL DEFAULT 0,
    completed       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    cancelled       INTEGER NOT NULL DEFAULT 0,
    pending         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE tracks (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    section_id    INTEGER NOT NULL REFERENCES sections(id),
    position      INTEGER NOT NULL,
    variant       TEXT NOT NULL,
    variant_json  TEXT NOT NULL,
    voice         TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    stage         TEXT,
    output_path   TEXT,
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (batch_id, section_id, variant)
);

CREATE TABLE steps (
    id           INTEGER PRIMARY KEY,
    track_id     INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    output_json  TEXT,
    error        TEXT,
    started_at   TEXT,
    finished_at  TEXT,
    UNIQUE (track_id, name)
);

CREATE TABLE clips (
    key             TEXT PRIMARY KEY,
    engine          TEXT NOT NULL,
    voice           TEXT NOT NULL,
    path            TEXT NOT NULL,
    sample_rate_hz  INTEGER NOT NULL,
    frames          INTEGER NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
