-- Notification channels as data (product.md §9). settings holds the
-- non-secret settings as JSON, with "***" in place of each secret that is
-- set (what the API shows); secrets holds the secret ones as one JSON object
-- sealed with libsodium's secretbox under a key derived from SECRET_KEY
-- ("v1:" + base64 of nonce, ciphertext and tag; crypto/secret_box.hpp).
CREATE TABLE notification_channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  secrets TEXT NOT NULL,
  send_resolved INTEGER NOT NULL DEFAULT 1,
  default_for_severities TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- A rule's channels (a JSON array of notification_channels ids; deleting a
-- channel a rule names is refused, storage/channel_repository.cpp) and its
-- grouping (null: GROUP_WAIT_SEC / GROUP_INTERVAL_SEC). Existing rules keep
-- their behaviour: no channel ids, default grouping.
ALTER TABLE alert_rules ADD COLUMN channel_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE alert_rules ADD COLUMN group_wait_sec BIGINT;
ALTER TABLE alert_rules ADD COLUMN group_interval_sec BIGINT;
