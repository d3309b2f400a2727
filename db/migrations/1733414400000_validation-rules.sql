-- Up Migration
-- Validation rules between a project's indicators ("OP1.a <= OP1.b", "OP1.w + OP1.m = OP1.t"), kept with
-- its results framework (logframe workbook, sheet "Validation rules"). A broken rule is a data-quality
-- warning shown beside the figures (domain/data-quality.ts), never a refusal.
CREATE TABLE validation_rules (
  project_id   integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  code         text NOT NULL,
  left_codes   text[] NOT NULL CHECK (cardinality(left_codes) > 0),
  operator     text NOT NULL CHECK (operator IN ('<=', '>=', '=', '<', '>')),
  right_codes  text[] NOT NULL CHECK (cardinality(right_codes) > 0),
  description  text NOT NULL DEFAULT '',
  ordinal      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, code)
);

-- A rule of the mission's library between common indicators ("CI-TRAINED <= CI-ENROLLED"): it applies
-- in every project that links indicators to every code it names (domain/data-quality.ts expandLibraryRules).
ALTER TABLE common_indicators ADD COLUMN validation_rule text NOT NULL DEFAULT '';

-- Down Migration
ALTER TABLE common_indicators DROP COLUMN validation_rule;
DROP TABLE validation_rules;
