-- What a music take is (version 11): its tempo, key and meter, known from
-- the built-in composer's plan or estimated from a model's audio, and its
-- loop length when it is a seamless loop (from frame 0 of the delivered
-- file), and the spectrogram images a model made it from (Riffusion; a JSON
-- list of paths). Loudness and duration are the track's own columns.
CREATE TABLE music_facts (
  track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
  tempo_bpm REAL,
  tonic INTEGER,
  mode TEXT,
  beats_per_bar INTEGER,
  estimated INTEGER NOT NULL DEFAULT 0,
  loop_frames INTEGER,
  spectrograms_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX music_facts_tempo ON music_facts(tempo_bpm);
CREATE INDEX music_facts_key ON music_facts(tonic, mode);
