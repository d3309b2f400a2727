-- Up Migration
-- A donor's monthly digest belongs to no single cycle: deliveries may have no cycle.
ALTER TABLE deliveries ALTER COLUMN cycle_id DROP NOT NULL;

-- Down Migration
DELETE FROM deliveries WHERE cycle_id IS NULL;
ALTER TABLE deliveries ALTER COLUMN cycle_id SET NOT NULL;
