-- Up Migration
-- E-mail notifications of report cycles: one row per event and recipient, so that a retried activity
-- sends each mail once.
CREATE TABLE notifications (
  id         bigserial PRIMARY KEY,
  event_key  text NOT NULL,
  cycle_id   text NOT NULL,
  kind       text NOT NULL,
  user_id    text NOT NULL,
  email      text NOT NULL,
  subject    text NOT NULL,
  state      text NOT NULL CHECK (state IN ('pending', 'sent', 'not_configured', 'failed')),
  error      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz,
  UNIQUE (event_key, user_id)
);
CREATE INDEX notifications_by_cycle ON notifications (cycle_id, id);

-- Down Migration
DROP TABLE notifications;
