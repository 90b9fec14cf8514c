-- Version 2: what a finished track measured (for the library and the CLI's
-- JSON), where its waveform peaks are, and indexes for the views that list
-- tracks by batch and by status.

ALTER TABLE tracks ADD COLUMN duration_ms INTEGER;
ALTER TABLE tracks ADD COLUMN sample_rate_hz INTEGER;
ALTER TABLE tracks ADD COLUMN channels INTEGER;
ALTER TABLE tracks ADD COLUMN loudness_lufs REAL;
ALTER TABLE tracks ADD COLUMN true_peak_dbtp REAL;
ALTER TABLE tracks ADD COLUMN peaks_path TEXT;

CREATE INDEX tracks_by_batch ON tracks (batch_id, position);
CREATE INDEX tracks_by_status ON tracks (status);
CREATE INDEX batches_by_status ON batches (status);
