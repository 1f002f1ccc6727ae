-- Sentinel schema v1 (SQLite). Times are Unix seconds (BIGINT), booleans 0/1.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1,
  is_superuser INTEGER NOT NULL DEFAULT 0,
  token_version BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE servers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  job_name TEXT NOT NULL,
  instance TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  cadvisor_instance TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX servers_instance ON servers (instance);

CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  server_id BIGINT REFERENCES servers (id) ON DELETE CASCADE,
  metric_name TEXT NOT NULL,
  promql TEXT NOT NULL,
  threshold REAL NOT NULL,
  comparison TEXT NOT NULL,
  repeat_interval_sec BIGINT NOT NULL DEFAULT 300,
  is_active INTEGER NOT NULL DEFAULT 1,
  channel TEXT NOT NULL DEFAULT 'telegram',
  for_sec BIGINT NOT NULL DEFAULT 0,
  recovery_threshold REAL,
  no_data_state TEXT NOT NULL DEFAULT 'ok',
  severity TEXT NOT NULL DEFAULT 'warning',
  description TEXT,
  eval_interval_sec BIGINT,
  state TEXT NOT NULL DEFAULT 'inactive',
  last_evaluated_at BIGINT,
  last_value REAL,
  last_error TEXT,
  config_version BIGINT NOT NULL DEFAULT 0,
  next_eval_at BIGINT,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX alert_rules_server ON alert_rules (server_id);
CREATE INDEX alert_rules_due ON alert_rules (is_active, next_eval_at);

CREATE TABLE alert_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- No foreign keys: events are history and keep the ids they were
  -- recorded with after their rule or server is deleted.
  rule_id BIGINT,
  server_id BIGINT,
  rule_name TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT NOT NULL,
  value REAL,
  threshold REAL NOT NULL,
  comparison TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  fingerprint TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL,
  resolved_at BIGINT,
  last_notified_at BIGINT,
  notification_status TEXT NOT NULL DEFAULT 'pending',
  acknowledged INTEGER NOT NULL DEFAULT 0,
  acknowledged_at BIGINT,
  acknowledged_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX alert_events_started ON alert_events (started_at DESC, id DESC);
CREATE INDEX alert_events_rule ON alert_events (rule_id, fingerprint);
CREATE INDEX alert_events_server ON alert_events (server_id);
CREATE INDEX alert_events_status ON alert_events (status);

CREATE TABLE silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  server_id BIGINT REFERENCES servers (id) ON DELETE CASCADE,
  rule_id BIGINT REFERENCES alert_rules (id) ON DELETE CASCADE,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX silences_window ON silences (ends_at, starts_at);

-- Per-series alert state (alert engine): one row per rule × label set.
CREATE TABLE alert_series_state (
  rule_id BIGINT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  fingerprint TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  server_id BIGINT,
  state TEXT NOT NULL,
  pending_since BIGINT,
  firing_since BIGINT,
  last_value REAL,
  last_seen_at BIGINT,
  last_notified_at BIGINT,
  event_id BIGINT REFERENCES alert_events (id) ON DELETE SET NULL,
  PRIMARY KEY (rule_id, fingerprint)
);

-- Durable notification outbox: written in the same transaction as the
-- event change, delivered (at least once) by the dispatcher.
CREATE TABLE notification_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id BIGINT NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
