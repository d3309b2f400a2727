-- Up Migration
-- Imports of indicator data: each batch remembered (file, sha256, who, when, counts), rejected rows kept
-- in a quarantine with their reasons until they are fixed and resubmitted or discarded, warnings
-- (disaggregations that do not add up, for indicators that only warn), and each indicator's reporting
-- frequency, which the import checks periods against.

ALTER TABLE indicators
  ADD COLUMN reporting_frequency text NOT NULL DEFAULT 'quarter'
    CHECK (reporting_frequency IN ('month', 'quarter', 'half', 'year'));

CREATE TABLE import_batches (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('file', 'resubmit')),
  file_name    text NOT NULL,
  file_sha256  text,   -- null for a resubmission of quarantined rows
  file_bytes   bigint,
  format       text CHECK (format IN ('csv', 'xlsx', 'json')),
  imported_by  text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL CHECK (status IN ('running', 'stored', 'refused')),
  accepted     int NOT NULL DEFAULT 0,
  rejected     int NOT NULL DEFAULT 0,
  unchanged    int NOT NULL DEFAULT 0,
  warnings     int NOT NULL DEFAULT 0,
  refusal      text    -- why nothing could be imported (status refused)
);
CREATE INDEX import_batches_by_file ON import_batches (file_sha256);

-- The batch that stored a value. No foreign key on purpose: a per-row check would slow bulk loads, and
-- batches are never deleted.
ALTER TABLE indicator_values ADD COLUMN import_batch_id bigint;

-- Rejected rows as the user wrote them (cells: column -> text) and why (reasons: [{column, message}]).
-- One open entry per row of a given file: importing the same file again updates it instead of adding
-- a second copy.
CREATE TABLE import_quarantine (
  id                bigserial PRIMARY KEY,
  batch_id          bigint NOT NULL REFERENCES import_batches (id),
  file_name         text NOT NULL,
  file_sha256       text NOT NULL,
  row_number        int  NOT NULL,
  cells             jsonb NOT NULL,
  reasons           jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  resolved_at       timestamptz,
  resolved_by       text,
  resolution        text CHECK (resolution IN ('accepted', 'discarded')),
  resolved_batch_id bigint REFERENCES import_batches (id)
);
CREATE UNIQUE INDEX import_quarantine_open ON import_quarantine (file_sha256, row_number) WHERE resolved_at IS NULL;
CREATE INDEX import_quarantine_by_batch ON import_quarantine (batch_id);

CREATE TABLE import_warnings (
  batch_id    bigint NOT NULL REFERENCES import_batches (id),
  row_number  int,
  column_name text,
  message     text NOT NULL
);
CREATE INDEX import_warnings_by_batch ON import_warnings (batch_id);

-- Down Migration
DROP TABLE import_warnings, import_quarantine;
ALTER TABLE indicator_values DROP COLUMN import_batch_id;
DROP TABLE import_batches;
ALTER TABLE indicators DROP COLUMN reporting_frequency;
