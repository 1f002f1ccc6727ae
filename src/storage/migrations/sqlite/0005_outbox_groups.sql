-- Grouped delivery (product.md §9). Each outbox row names its target in
-- `channel`: "telegram" or "webhook" (the environment-configured ones, as
-- before) or "#<id>" (a notification_channels row). rule_id and group_at say
-- which group a row belongs to and when that group goes out: the rows of one
-- rule for one target that share a group_at are sent as ONE message
-- (storage/notification_routes.cpp decides group_at from group_wait_sec and
-- group_interval_sec; retries move next_attempt_at, never group_at).
ALTER TABLE notification_outbox ADD COLUMN rule_id BIGINT;
ALTER TABLE notification_outbox ADD COLUMN group_at BIGINT;
UPDATE notification_outbox
   SET rule_id = (SELECT e.rule_id FROM alert_events e WHERE e.id = notification_outbox.event_id),
       group_at = next_attempt_at;

-- The last group of a rule on a target (its next one waits group_interval).
CREATE INDEX notification_outbox_group ON notification_outbox (rule_id, channel, group_at);
-- A channel's last deliveries (GET /alerts/channels/{id}/deliveries) and an
-- event's notifications (GET /alerts/events/{id}).
CREATE INDEX notification_outbox_channel ON notification_outbox (channel, id);
CREATE INDEX notification_outbox_event ON notification_outbox (event_id, id);
