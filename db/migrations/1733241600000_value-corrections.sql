-- Up Migration
-- A value corrected on the web (one cell, with a comment) is a batch of its own kind: it goes through
-- the same checks and revision rules as a file, and the batch says who corrected what, when.
ALTER TABLE import_batches DROP CONSTRAINT import_batches_kind_check;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_kind_check CHECK (kind IN ('file', 'resubmit', 'correction'));

-- Down Migration
DELETE FROM import_batches WHERE kind = 'correction';
ALTER TABLE import_batches DROP CONSTRAINT import_batches_kind_check;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_kind_check CHECK (kind IN ('file', 'resubmit'));
