-- Up Migration
-- Donor agreements: which donor receives which project's report, in which template, how often, and
-- when it is due. Each agreement gets a Temporal Schedule that starts the cycle ahead of the due date.
CREATE TABLE agreements (
  id               serial PRIMARY KEY,
  donor_code       text NOT NULL REFERENCES donors (code),
  project_code     text NOT NULL REFERENCES projects (code) ON DELETE CASCADE,
  template_id      text NOT NULL,
  frequency        text NOT NULL CHECK (frequency IN ('quarterly', 'semiannual', 'annual')),
  due_days         int  NOT NULL DEFAULT 30 CHECK (due_days BETWEEN 0 AND 180),  -- due this many days after the period ends
  lead_days        int  NOT NULL DEFAULT 15 CHECK (lead_days BETWEEN 0 AND 180), -- the cycle starts this many days before it is due
  send_excel       boolean NOT NULL DEFAULT false,
  UNIQUE (donor_code, project_code, template_id)
);

-- Deliveries by e-mail: 'sending' is recorded before the SMTP call and 'sent' after it; a retry that
-- finds 'sending' cannot know whether the mail left, so it does not send again ('unconfirmed').
ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'sending', 'sent', 'unconfirmed', 'failed'));
ALTER TABLE deliveries ADD COLUMN donor_code text REFERENCES donors (code);
ALTER TABLE deliveries ADD COLUMN error text;
ALTER TABLE deliveries ADD COLUMN attempts int NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE deliveries DROP COLUMN attempts, DROP COLUMN error, DROP COLUMN donor_code;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'sent', 'failed'));
DROP TABLE agreements;
