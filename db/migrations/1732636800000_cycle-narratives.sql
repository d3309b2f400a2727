-- Up Migration
-- Narrative text written by M&E officers, per report cycle and per template section ("summary",
-- "challenges", "indicator:OP1.2.a" for a logframe comment...). Revisions are kept: a new text
-- supersedes the current one, and a report reads the narrative as of its version's data time.
-- Keyed by the cycle's business key (report-cycle/<project>/<period>/<template>), so that a preview
-- before the cycle starts shows the same text. The text is data: renderers print it as typed.
CREATE TABLE cycle_narratives (
  id            bigserial PRIMARY KEY,
  cycle_id      text NOT NULL,
  section_key   text NOT NULL CHECK (section_key ~ '^[a-z0-9_]+(:[A-Za-z0-9._-]+)?$'),
  body          text NOT NULL,
  written_by    text NOT NULL,
  written_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  superseded_at timestamptz
);
CREATE UNIQUE INDEX cycle_narratives_current ON cycle_narratives (cycle_id, section_key) WHERE superseded_at IS NULL;
CREATE INDEX cycle_narratives_by_cycle ON cycle_narratives (cycle_id, section_key, written_at);

-- Down Migration
DROP TABLE cycle_narratives;
