-- The music kind: takes are tracks of `music` batches (kind is free text in
-- batches.kind already). A take can be put in a named collection for the
-- gallery; any track may have one.
ALTER TABLE tracks ADD COLUMN collection TEXT;
CREATE INDEX tracks_collection ON tracks(collection) WHERE collection IS NOT NULL;
CREATE INDEX batches_kind ON batches(kind);
