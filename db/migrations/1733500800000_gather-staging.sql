-- Up Migration
-- Rows fetched by a gather run on their way to the import (issue 18): staged here, not in a worker's
-- folder, so that the worker that stores them need not be the one that fetched them. One row per run
-- (a retried fetch replaces it), the long-format JSON text and its SHA-256; deleted when the run ends.

CREATE TABLE gather_staging (
  id           bigserial PRIMARY KEY,
  source_id    text NOT NULL,
  run_id       text NOT NULL,               -- the Temporal run of the gather workflow
  file_name    text NOT NULL,               -- the name the import batch records (<source>-<run>.json)
  sha256       text NOT NULL,
  row_count    int NOT NULL,
  body         text NOT NULL,               -- the staged rows: a JSON array in the long format (imports/format.ts)
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_id, run_id)
);
CREATE INDEX gather_staging_by_age ON gather_staging (created_at);

-- Down Migration
DROP TABLE gather_staging;
