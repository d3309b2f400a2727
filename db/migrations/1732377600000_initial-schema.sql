-- Up Migration
-- The results framework, indicator data, users, report cycles, artifacts, deliveries and the audit trail.

CREATE TABLE framework_nodes (
  code         text PRIMARY KEY,
  framework    text NOT NULL CHECK (framework IN ('unsdcf', 'iom_pillar', 'sdg', 'gcm')),
  level        text NOT NULL,
  parent_code  text REFERENCES framework_nodes (code),
  title        text NOT NULL,
  illustrative boolean NOT NULL DEFAULT false
);

CREATE TABLE donors (
  code          text PRIMARY KEY,
  name          text NOT NULL,
  contact_email text,
  illustrative  boolean NOT NULL DEFAULT false
);

CREATE TABLE projects (
  id                serial PRIMARY KEY,
  code              text NOT NULL UNIQUE,
  alt_code          text,
  title             text NOT NULL,
  start_date        date NOT NULL,
  end_date          date NOT NULL CHECK (end_date >= start_date),
  budget            numeric,
  currency          text NOT NULL DEFAULT 'USD',
  status            text NOT NULL DEFAULT 'active',
  coverage          text NOT NULL DEFAULT '',
  locations         text[] NOT NULL DEFAULT '{}',
  programmatic_area text NOT NULL DEFAULT '',
  illustrative      boolean NOT NULL DEFAULT false
);

CREATE TABLE project_donors (
  project_id int  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  donor_code text NOT NULL REFERENCES donors (code),
  PRIMARY KEY (project_id, donor_code)
);

-- The results matrix: objective -> outcomes -> outputs.
CREATE TABLE results (
  id          serial PRIMARY KEY,
  project_id  int  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  code        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('objective', 'outcome', 'output')),
  parent_code text,
  statement   text NOT NULL,
  ordinal     int  NOT NULL DEFAULT 0,
  UNIQUE (project_id, code)
);

CREATE TABLE result_contributions (
  result_id int  NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  node_code text NOT NULL REFERENCES framework_nodes (code),
  PRIMARY KEY (result_id, node_code)
);

CREATE TABLE indicators (
  id                    serial PRIMARY KEY,
  project_id            int  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  result_id             int  NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  code                  text NOT NULL,
  title                 text NOT NULL,
  type                  text NOT NULL CHECK (type IN ('count', 'percentage', 'ratio', 'yes_no', 'qualitative')),
  unit                  text NOT NULL DEFAULT '',
  baseline              numeric,
  baseline_date         date,
  time_aggregation      text NOT NULL CHECK (time_aggregation IN ('sum', 'latest', 'max', 'average')),
  direction             text NOT NULL DEFAULT 'increase' CHECK (direction IN ('increase', 'decrease')),
  disaggregations       text[] NOT NULL DEFAULT '{}',
  disaggregation_check  text NOT NULL DEFAULT 'warning' CHECK (disaggregation_check IN ('error', 'warning')),
  data_source           text NOT NULL DEFAULT '',
  means_of_verification text NOT NULL DEFAULT '',
  common_indicator_code text,
  ordinal               int  NOT NULL DEFAULT 0,
  UNIQUE (project_id, code)
);

CREATE TABLE indicator_targets (
  indicator_id int     NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
  period       text    NOT NULL, -- '2025-Q3', or 'LOP' for the life of the project
  value        numeric NOT NULL,
  PRIMARY KEY (indicator_id, period)
);

-- Indicator data in the long format. A correction is a new revision: the old row gets superseded_at
-- and stays, so history is never overwritten and any past state can be read back "as of" a time.
-- Disaggregation columns are '' for "not disaggregated by this dimension"; all '' is the total.
CREATE TABLE indicator_values (
  id              bigserial PRIMARY KEY,
  indicator_id    int  NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
  period          text NOT NULL,
  sex             text NOT NULL DEFAULT '',
  age_group       text NOT NULL DEFAULT '',
  population_type text NOT NULL DEFAULT '',
  nationality     text NOT NULL DEFAULT '',
  location        text NOT NULL DEFAULT '',
  value           numeric,
  numerator       numeric,
  denominator     numeric,
  text_value      text,
  source          text NOT NULL DEFAULT '',
  comment         text NOT NULL DEFAULT '',
  evidence_url    text NOT NULL DEFAULT '',
  entered_by      text NOT NULL,
  entered_at      timestamptz NOT NULL DEFAULT now(),
  superseded_at   timestamptz
);
-- One current value per cell.
CREATE UNIQUE INDEX indicator_values_current
  ON indicator_values (indicator_id, period, sex, age_group, population_type, nationality, location)
  WHERE superseded_at IS NULL;
CREATE INDEX indicator_values_by_indicator ON indicator_values (indicator_id, period);

CREATE TABLE users (
  id    text PRIMARY KEY,
  name  text NOT NULL,
  email text NOT NULL
);

CREATE TABLE user_roles (
  id           serial PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role         text NOT NULL CHECK (role IN ('admin', 'me_officer', 'project_manager', 'approver', 'donor_contact', 'viewer')),
  project_code text, -- null: all projects (for roles scoped to projects)
  donor_code   text REFERENCES donors (code)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, coalesce(project_code, ''), coalesce(donor_code, ''));

-- One report cycle: one project, one period, one template. Its id is the workflow id.
CREATE TABLE report_cycles (
  id              text PRIMARY KEY,
  project_code    text NOT NULL REFERENCES projects (code),
  period          text NOT NULL,
  template_id     text NOT NULL,
  state           text NOT NULL,
  current_version int  NOT NULL DEFAULT 0,
  started_by      text NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Each gather of a cycle: the data as of a point in time, with a digest of what was read.
CREATE TABLE cycle_versions (
  cycle_id    text NOT NULL REFERENCES report_cycles (id) ON DELETE CASCADE,
  version     int  NOT NULL,
  data_as_of  timestamptz NOT NULL,
  value_count int  NOT NULL,
  data_sha256 text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cycle_id, version)
);

-- Rendered files. Bytes live here (so every worker and the web can serve them); only {id, sha256}
-- travels through Temporal.
CREATE TABLE artifacts (
  id         uuid PRIMARY KEY,
  cycle_id   text REFERENCES report_cycles (id) ON DELETE CASCADE,
  version    int  NOT NULL,
  stage      text NOT NULL CHECK (stage IN ('preview', 'draft', 'final')),
  format     text NOT NULL CHECK (format IN ('xlsx', 'pdf')),
  filename   text NOT NULL,
  sha256     text NOT NULL,
  size_bytes int  NOT NULL,
  content    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX artifacts_per_version ON artifacts (cycle_id, version, stage, format);

CREATE TABLE deliveries (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  cycle_id        text NOT NULL REFERENCES report_cycles (id) ON DELETE CASCADE,
  version         int  NOT NULL,
  channel         text NOT NULL, -- 'outbox' (a folder), later 'email'
  recipient       text NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  detail          jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);

-- Append-only audit trail: every state change, decision, comment and version, who and when.
CREATE TABLE audit_events (
  id       bigserial PRIMARY KEY,
  cycle_id text NOT NULL,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text NOT NULL,
  action   text NOT NULL,
  version  int,
  detail   jsonb NOT NULL DEFAULT '{}',
  -- Activities may be retried: the same event is recorded once.
  event_key text NOT NULL UNIQUE
);
CREATE INDEX audit_events_by_cycle ON audit_events (cycle_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Down Migration
DROP TABLE audit_events, deliveries, artifacts, cycle_versions, report_cycles, user_roles, users,
  indicator_values, indicator_targets, indicators, result_contributions, results, project_donors,
  projects, donors, framework_nodes CASCADE;
DROP FUNCTION audit_events_append_only;
