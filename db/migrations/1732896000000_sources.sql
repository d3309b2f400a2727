-- Up Migration
-- Gathering indicator data from configured sources (sources.json): a log row per gather run (what it
-- fetched, what the import accepted, rejected or found unchanged, or the error), the watermark of each
-- incremental source (stored with the run's log row, after the rows are stored), and the files of drop
-- folders already imported, by content hash. No credentials here: the configuration holds references.

CREATE TABLE gather_runs (
  id              bigserial PRIMARY KEY,
  source_id       text NOT NULL,
  source_kind     text NOT NULL CHECK (source_kind IN ('folder', 'form-api', 'sql', 'iati')),
  project_code    text NOT NULL,
  workflow_id     text NOT NULL,
  run_id          text NOT NULL UNIQUE,      -- the Temporal run: a retried begin finds its row
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  fetched         int,                       -- rows fetched (files for a drop folder)
  accepted        int NOT NULL DEFAULT 0,
  rejected        int NOT NULL DEFAULT 0,
  unchanged       int NOT NULL DEFAULT 0,
  skipped         int NOT NULL DEFAULT 0,    -- fetched but not importable (e.g. an IATI period that is not one of ours)
  error           text,
  watermark_before text,
  watermark_after  text,
  detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX gather_runs_by_source ON gather_runs (source_id, started_at DESC);

CREATE TABLE source_watermarks (
  source_id      text PRIMARY KEY,
  watermark      text NOT NULL,              -- the latest submission time stored
  seen_ids       text[] NOT NULL DEFAULT '{}', -- the submissions at exactly that time already read (skipped next time)
  gather_run_id  bigint REFERENCES gather_runs (id),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE source_files (
  source_id      text NOT NULL,
  sha256         text NOT NULL,
  file_name      text NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('done', 'failed')),
  batch_id       bigint,
  accepted       int NOT NULL DEFAULT 0,
  rejected       int NOT NULL DEFAULT 0,
  unchanged      int NOT NULL DEFAULT 0,
  moved_to       text NOT NULL,
  gather_run_id  bigint REFERENCES gather_runs (id),
  report         jsonb NOT NULL,            -- the import report written beside the file
  imported_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_id, sha256)
);

-- Down Migration
DROP TABLE source_files;
DROP TABLE source_watermarks;
DROP TABLE gather_runs;
