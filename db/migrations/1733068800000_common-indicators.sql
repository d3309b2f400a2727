-- Up Migration
-- The mission-wide library of common indicators. A project indicator links to one by code
-- (indicators.common_indicator_code, until now free text) so that the mission overview rolls the
-- linked indicators of every project into one line. The application allows a link only between
-- indicators of the same type (domain/common-indicators.ts): the roll-up rules depend on it.

CREATE TABLE common_indicators (
  code             text PRIMARY KEY CHECK (code <> ''),
  title            text NOT NULL CHECK (title <> ''),
  type             text NOT NULL CHECK (type IN ('count', 'percentage', 'ratio', 'yes_no', 'qualitative')),
  unit             text NOT NULL DEFAULT '',
  time_aggregation text NOT NULL DEFAULT 'sum' CHECK (time_aggregation IN ('sum', 'latest', 'max', 'average')),
  direction        text NOT NULL DEFAULT 'increase' CHECK (direction IN ('increase', 'decrease')),
  definition       text NOT NULL DEFAULT '',
  sector           text NOT NULL DEFAULT '', -- sector or thematic area
  illustrative     boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The framework nodes a common indicator reports against (UNSDCF outputs, SDG targets, GCM objectives).
CREATE TABLE common_indicator_frameworks (
  common_indicator_code text NOT NULL REFERENCES common_indicators (code) ON DELETE CASCADE,
  node_code             text NOT NULL REFERENCES framework_nodes (code),
  PRIMARY KEY (common_indicator_code, node_code)
);

-- Codes already in use become library entries (title, type and unit of the first indicator that
-- names the code), so that the foreign key holds on an existing database; blank codes become none.
UPDATE indicators SET common_indicator_code = NULLIF(btrim(common_indicator_code), '')
 WHERE common_indicator_code IS NOT NULL AND common_indicator_code IS DISTINCT FROM NULLIF(btrim(common_indicator_code), '');
INSERT INTO common_indicators (code, title, type, unit, time_aggregation, direction, definition)
SELECT DISTINCT ON (i.common_indicator_code)
       i.common_indicator_code, i.title, i.type, i.unit, i.time_aggregation, i.direction,
       'Created from the project indicators that named this code before the library existed: review the title and definition.'
  FROM indicators i
 WHERE i.common_indicator_code IS NOT NULL
 ORDER BY i.common_indicator_code, i.id;

ALTER TABLE indicators
  ADD CONSTRAINT indicators_common_indicator_fk FOREIGN KEY (common_indicator_code)
  REFERENCES common_indicators (code) ON UPDATE CASCADE;
CREATE INDEX indicators_by_common_indicator ON indicators (common_indicator_code) WHERE common_indicator_code IS NOT NULL;

-- Down Migration
DROP INDEX indicators_by_common_indicator;
ALTER TABLE indicators DROP CONSTRAINT indicators_common_indicator_fk;
DROP TABLE common_indicator_frameworks, common_indicators;
