-- Prometheus-style rules (product.md §10).
-- A rule with no condition fires for every series its query returns: its
-- `comparison` is stored as '' and its `threshold` as 0 (the API shows both
-- as null; the columns stay NOT NULL so that SQLite needs no table rebuild).
-- Alert events of such a rule are stored the same way.
-- summary and description are message templates; labels and annotations
-- are JSON objects of the rule's extra labels and other annotations (e.g.
-- runbook_url); rule_group is the rule file group an imported rule came
-- from (with its name, the identity a re-import matches on).
ALTER TABLE alert_rules ADD COLUMN summary TEXT;
ALTER TABLE alert_rules ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
ALTER TABLE alert_rules ADD COLUMN annotations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE alert_rules ADD COLUMN rule_group TEXT;
ALTER TABLE alert_rules ADD COLUMN keep_firing_for_sec BIGINT NOT NULL DEFAULT 0;
CREATE INDEX alert_rules_rule_group ON alert_rules (rule_group, name);

-- keep_firing_for: since when a firing series' condition has not held
-- (it resolves once that is keep_firing_for_sec ago).
ALTER TABLE alert_series_state ADD COLUMN keep_firing_since BIGINT;
