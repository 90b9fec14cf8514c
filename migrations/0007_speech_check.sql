-- Intone job store, version 7: the speech recognizer's intelligibility check.
--   * `clips.heard` caches what the recognizer heard in a clip (NULL: not
--     heard yet), so a clip is recognized once for every batch that uses it;
--   * `batches.speech_check` says whether a speech batch checks its sentences
--     (1) or not (0). Batches made before this version did not, and keep not
--     checking when resumed.

ALTER TABLE clips ADD COLUMN heard TEXT;
ALTER TABLE batches ADD COLUMN speech_check INTEGER NOT NULL DEFAULT 0;
