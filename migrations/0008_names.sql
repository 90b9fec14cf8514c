-- Intone job store, version 8: names that say what they hold.
--   * `tracks.voice` and `batches.voice` become `engine`: besides a speech
--     voice (`engine:voice`) they hold a converter, a music engine or the
--     speech recognizer's model, so they name the engine a track is made with;
--   * in speech tracks' recipes (the variant as JSON), `bed_level_db` becomes
--     `bed_level_lu` (it is a loudness difference, in LU) and `tempo` becomes
--     `tempo_ratio` (a ratio of the voice's own pace). Other kinds' recipes
--     have neither field and are left alone.
-- Step names stored in `steps.stage` and `units.stage` are not renamed.

ALTER TABLE tracks RENAME COLUMN voice TO engine;
ALTER TABLE batches RENAME COLUMN voice TO engine;

UPDATE tracks
SET recipe_json = json_remove(
        json_set(recipe_json, '$.bed_level_lu', json_extract(recipe_json, '$.bed_level_db')),
        '$.bed_level_db')
WHERE batch_id IN (SELECT id FROM batches WHERE kind = 'speech')
  AND json_valid(recipe_json)
  AND json_type(recipe_json, '$.bed_level_db') IS NOT NULL;

UPDATE tracks
SET recipe_json = json_remove(
        json_set(recipe_json, '$.tempo_ratio', json_extract(recipe_json, '$.tempo')),
        '$.tempo')
WHERE batch_id IN (SELECT id FROM batches WHERE kind = 'speech')
  AND json_valid(recipe_json)
  AND json_type(recipe_json, '$.tempo') IS NOT NULL;
