#!/usr/bin/env python3
"""Writes openapi.json (OpenAPI 3.1) for Sentinel's REST API.

The document is generated from the tables below so that shared pieces
(error responses, paging, security) are written once. Run it after changing
an endpoint: `python3 src/api/openapi/generate.py`; tests/unit/api checks
that every route of the server is documented and nothing else is.
"""
import json
import os
import re

ERR = {"$ref": "#/components/schemas/HTTPError"}
TIME = {"type": "string", "format": "date-time", "examples": ["2026-11-23T22:24:26Z"]}


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def obj(props, required=(), description=None, extra=False):
    o = {"type": "object", "properties": props}
    if required:
        o["required"] = list(required)
    if not extra:
        o["additionalProperties"] = False
    if description:
        o["description"] = description
    return o


INSTANCE = {"type": "string", "maxLength": 255, "pattern": r"^\S+:\d{1,5}$",
            "description": "host:port, as in Prometheus's `instance` label", "examples": ["10.0.0.5:9100"]}
COMPARISON = {"type": "string", "enum": [">", ">=", "<", "<=", "==", "!="]}
CHANNEL = {"type": "string", "enum": ["telegram", "webhook", "none"]}
SEVERITY = {"type": "string", "enum": ["info", "warning", "critical"]}
NO_DATA = {"type": "string", "enum": ["ok", "alerting", "keep_last"],
           "description": "ok: a series that disappears resolves; alerting: no data is itself an alert; "
                          "keep_last: keep the last state until data returns"}
DEPENDENCY = {"type": "string", "enum": ["ok", "unavailable", "fail", "disabled"],
              "description": "ok / unavailable with a valid token; ok / fail without one; disabled: not configured"}
ROLE = {"type": "string", "enum": ["viewer", "editor", "admin"]}
NUMBER_OR_NULL = {"anyOf": [{"type": "number"}, {"type": "null"}]}

# The summary's metrics, in the order of src/prometheus/query_catalogue.cpp
# (the range endpoint's `metric` takes the same keys). A metric without data
# (or NaN/±Inf) is null.
SUMMARY_METRICS = {
    "cpu_usage_percent": "busy share of all CPUs, 0-100 (1-minute rate)",
    "memory_usage_percent": "100 × (1 − MemAvailable / MemTotal)",
    "disk_usage_percent": "used share of the root filesystem (/) as available to unprivileged processes, 0-100",
    "load1": "1-minute load average",
    "load5": "5-minute load average",
    "load15": "15-minute load average",
    "network_receive_bytes_per_second": "bytes/s received on physical interfaces (loopback, bridges, veth, "
                                        "tunnels and CNI interfaces excluded; 1-minute rate)",
    "network_transmit_bytes_per_second": "bytes/s sent on physical interfaces (same exclusions; 1-minute rate)",
    "uptime_seconds": "seconds since boot",
}
METRIC_NAME = {"type": "string", "enum": list(SUMMARY_METRICS), "examples": ["cpu_usage_percent"]}
UNIX_OR_RFC3339 = {"anyOf": [{"type": "number", "description": "Unix seconds, fractions allowed"},
                             {"type": "string", "format": "date-time",
                              "description": "RFC 3339 (fractions of a second are ignored; encode `+` as %2B)"}],
                   "examples": [1795990000, "2026-11-23T22:24:26Z"]}
STEP = {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
                  {"type": "string", "pattern": r"^[0-9.]+(ms|s|m|h|d|w)$",
                   "description": "one number and one unit: ms, s, m, h, d or w (not `1h30m`)"}],
        "examples": ["15s", 60, "5m"]}

server_fields = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255, "description": "unique"},
    "job_name": {"type": "string", "minLength": 1, "maxLength": 255, "description": "Prometheus job label",
                 "examples": ["node"]},
    "instance": INSTANCE,
    "is_active": {"type": "boolean", "default": True},
    "description": nullable({"type": "string", "maxLength": 2000}),
    "cadvisor_instance": nullable(dict(INSTANCE, description="host:port of the cAdvisor that sees this host's containers")),
}

rule_fields = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "server_id": nullable({"type": "integer", "minimum": 1,
                           "description": "the server this rule watches; null = fleet rule: one query for all "
                                          "servers, each series matched to its server by its `instance` label "
                                          "($instance/$job not allowed then)"}),
    "metric_name": {"type": "string", "minLength": 1, "maxLength": 255, "examples": ["cpu_usage_percent"]},
    "promql": {"type": "string", "minLength": 1, "maxLength": 10000,
               "description": "PromQL; `$instance` and `$job` are replaced by the server's values, safely quoted",
               "examples": ['100 - avg(rate(node_cpu_seconds_total{instance="$instance",mode="idle"}[5m])) * 100']},
    "threshold": nullable({"type": "number",
                           "description": "null together with comparison: the rule fires for every series its "
                                          "query returns (Prometheus's alerting semantics). Given alone, "
                                          "comparison defaults to `>`"}),
    "comparison": nullable(dict(COMPARISON, description="null together with threshold (see threshold); a "
                                                        "comparison needs a threshold")),
    "repeat_interval_sec": {"type": "integer", "minimum": 0, "maximum": 31536000, "default": 300,
                            "description": "re-notify while firing; 0 = never repeat"},
    "is_active": {"type": "boolean", "default": True},
    "channel": dict(CHANNEL, default="telegram"),
    "for_sec": {"type": "integer", "minimum": 0, "maximum": 31536000, "default": 0,
                "description": "the condition must hold this long before the alert fires (pending until then)"},
    "keep_firing_for_sec": {"type": "integer", "minimum": 0, "maximum": 31536000, "default": 0,
                            "description": "a firing series keeps firing this long after its condition stops "
                                           "holding (Prometheus's keep_firing_for); not with recovery_threshold"},
    "recovery_threshold": nullable({"type": "number", "description": "hysteresis: a firing series resolves only "
                                                                     "past this value; must lie on the resolving "
                                                                     "side of threshold; not allowed with == and !="}),
    "no_data_state": dict(NO_DATA, default="ok"),
    "severity": dict(SEVERITY, default="warning"),
    "summary": nullable({"type": "string", "maxLength": 1000,
                         "description": "message template (Prometheus's `annotations.summary`): `{{ $labels.x }}`, "
                                        "`{{ $value }}`, `humanize`, `humanize1024`, `humanizePercentage`, "
                                        "`humanizeDuration`, `printf`, `if`/`with`/`range`…; rendered per series "
                                        "into the event's `message` and every notification. A syntax error is a "
                                        "422 naming its line and column",
                         "examples": ["{{ $labels.instance }}: CPU at {{ $value | humanize }}%"]}),
    "description": nullable({"type": "string", "maxLength": 4000,
                             "description": "message template, as summary (Prometheus's `annotations.description`)"}),
    "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 1000}, "maxProperties": 30,
               "default": {},
               "description": "extra labels of every alert of this rule (names `[a-zA-Z_][a-zA-Z0-9_]*`; not "
                              "`severity` or `alertname`); values are templates. Sent with the series' labels to "
                              "webhooks and Alertmanager, exported as the rule's `labels`"},
    "annotations": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 4000},
                    "maxProperties": 30, "default": {},
                    "description": "other annotations (e.g. `runbook_url`); values are templates; not `summary` "
                                   "or `description` (their own fields)"},
    "rule_group": nullable({"type": "string", "minLength": 1, "maxLength": 255,
                            "description": "the rule file group an imported rule came from: with `name`, what a "
                                           "re-import matches on (`POST /api/v1/alerts/rules/import`); exported "
                                           "as that group. null for rules made here (exported in group "
                                           "`sentinel`)"}),
    "eval_interval_sec": nullable({"type": "integer", "minimum": 1, "maximum": 86400,
                                   "description": "null = ALERT_CHECK_INTERVAL_SEC"}),
    "channel_ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "default": [],
                    "uniqueItems": True,
                    "description": "ids of the notification channels (`/api/v1/alerts/channels/`) this rule "
                                   "notifies; each must exist (else 422 on `channel_ids`), duplicates collapse, and "
                                   "a channel named here cannot be deleted (409). A rule with neither `channel` nor "
                                   "`channel_ids` goes to the channels that are default for its severity"},
    "group_wait_sec": nullable({"type": "integer", "minimum": 0, "maximum": 3600,
                                "description": "notifications of this rule firing within this window go out as "
                                               "one message per channel; null = GROUP_WAIT_SEC (30)"}),
    "group_interval_sec": nullable({"type": "integer", "minimum": 1, "maximum": 86400,
                                    "description": "later changes of a group go out at most this often; null = "
                                                   "GROUP_INTERVAL_SEC (300)"}),
}
rule_read_only = {
    "state": {"type": "string", "enum": ["inactive", "pending", "firing", "error"], "readOnly": True},
    "last_evaluated_at": nullable(TIME),
    "last_value": nullable({"type": "number"}),
    "last_error": nullable({"type": "string"}),
}

user_read = {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"},
             "is_active": {"type": "boolean"},
             "is_superuser": {"type": "boolean", "description": "true exactly when role is admin"},
             "role": ROLE, "created_at": TIME}
user_write = {"email": {"type": "string", "format": "email", "maxLength": 254, "description": "stored lower-case"},
              "password": {"type": "string", "minLength": 8, "maxLength": 256, "writeOnly": True},
              "is_active": {"type": "boolean", "default": True},
              "is_superuser": {"type": "boolean", "default": False,
                               "description": "true = role admin; false demotes an admin to editor"},
              "role": dict(ROLE, description="default: admin when is_superuser, else editor; wins over "
                                             "is_superuser (both given must agree)")}
token_read = {"id": {"type": "integer"}, "name": {"type": "string"}, "role": ROLE, "user_id": {"type": "integer"},
              "created_at": TIME, "expires_at": nullable(TIME), "last_used_at": nullable(TIME)}
audit_entry = {"id": {"type": "integer"}, "at": TIME, "actor_id": nullable({"type": "integer"}),
               "actor_email": {"type": "string", "description": "\"cli\" for the command line"},
               "via": {"type": "string", "enum": ["password", "token", "cli", "discovery"],
                       "description": "`discovery`: the DISCOVERY_JOBS sync (no user)"},
               "token_id": nullable({"type": "integer"}),
               "action": {"type": "string", "examples": ["server.create", "rule.update", "auth.login_failed"]},
               "target_type": {"type": "string", "examples": ["server", "rule", "silence", "event", "user", "token"]},
               "target_id": nullable({"type": "string"}), "client_address": {"type": "string"},
               "request_id": {"type": "string"},
               "changes": {"type": "object", "description": "field → [old, new]; secrets as \"***\"",
                           "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}}

schemas = {
    "HTTPError": obj({"detail": {"type": "string"}}, ["detail"], extra=True),
    "ValidationError": obj({"loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                            "msg": {"type": "string"}, "type": {"type": "string"}}, ["loc", "msg", "type"], extra=True),
    "HTTPValidationError": obj({"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}},
                               ["detail"], extra=True),
    "Token": obj({"access_token": {"type": "string"}, "token_type": {"type": "string", "const": "bearer"},
                  "expires_in": {"type": "integer", "description": "seconds"}},
                 ["access_token", "token_type", "expires_in"]),
    "LoginForm": obj({"username": {"type": "string", "description": "the email"}, "password": {"type": "string"}},
                     ["username", "password"], extra=True),
    "User": obj(user_read, list(user_read)),
    "UserCreate": obj(user_write, ["email", "password"]),
    "UserUpdate": obj(user_write),
    "ApiToken": obj(token_read, list(token_read)),
    "ApiTokenCreated": obj(dict(token_read, token={"type": "string", "pattern": "^snt_",
                                                    "description": "the secret: shown in this answer only"}),
                           list(token_read) + ["token"]),
    "ApiTokenCreate": obj({"name": {"type": "string", "minLength": 1, "maxLength": 255},
                           "role": nullable(dict(ROLE, description="at most your own role; default: your role")),
                           "expires_at": nullable(dict(TIME, description="in the future; null = never"))},
                          ["name"]),
    "AuditEntry": obj(audit_entry, list(audit_entry)),
    "Server": obj(dict({"id": {"type": "integer"}}, **server_fields, created_at=TIME, updated_at=TIME),
                  ["id"] + list(server_fields) + ["created_at", "updated_at"]),
    "ServerCreate": obj(server_fields, ["name", "job_name", "instance"],
                        description="Unknown fields are rejected (422 extra_forbidden); read-only fields are ignored."),
    "ServerUpdate": obj(server_fields, description="Partial update: only the fields sent change; null clears a "
                                                    "nullable field."),
    "AlertRule": obj(dict({"id": {"type": "integer"}}, **rule_fields, **rule_read_only, created_at=TIME,
                          updated_at=TIME),
                     ["id"] + list(rule_fields) + list(rule_read_only) + ["created_at", "updated_at"]),
    "AlertRuleCreate": obj(rule_fields, ["name", "metric_name", "promql"]),
    "AlertRuleUpdate": obj(rule_fields, description="Partial update, validated against the merged rule."),
    "AlertRuleTestSeries": obj({
        "labels": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "the series' labels ({} for a scalar result)"},
        "value": dict(NUMBER_OR_NULL, description="null when NaN or ±Inf"),
        "would_fire": {"type": "boolean", "description": "the value satisfies `comparison threshold`"},
        "server_id": nullable({"type": "integer", "description": "the rule's server; for a fleet rule the "
                                                                  "server whose instance matches the series' "
                                                                  "`instance` label, null when none does"})},
        ["labels", "value", "would_fire", "server_id"]),
    "AlertRuleTest": obj({
        "rule_id": {"type": "integer"},
        "query": {"type": "string", "description": "the PromQL sent, $instance/$job replaced"},
        "evaluated_at": TIME, "threshold": nullable({"type": "number"}), "comparison": nullable(COMPARISON),
        "would_fire": {"type": "boolean", "description": "some series would fire"},
        "series": {"type": "array", "items": {"$ref": "#/components/schemas/AlertRuleTestSeries"},
                   "description": "one per series of the result (one for a scalar); empty when there is no data"}},
        ["rule_id", "query", "evaluated_at", "threshold", "comparison", "would_fire", "series"],
        description="The condition evaluated once, now. `would_fire` compares the current value only: "
                    "`for_sec`, `recovery_threshold`, `no_data_state`, silences and the rule's state are not "
                    "taken into account, and nothing is recorded or notified."),
    "SummaryMetrics": obj({k: dict(NUMBER_OR_NULL, description=d) for k, d in SUMMARY_METRICS.items()},
                          list(SUMMARY_METRICS), description="null: no data"),
    "MetricsSummary": obj({
        "server_id": {"type": "integer"}, "instance": {"type": "string"}, "job_name": {"type": "string"},
        "timestamp": dict(TIME, description="when the queries were evaluated"),
        "up": {"type": "boolean", "description": "Prometheus's `up` for the server's instance and job is 1"},
        "metrics": {"$ref": "#/components/schemas/SummaryMetrics"}},
        ["server_id", "instance", "job_name", "timestamp", "up", "metrics"]),
    "MetricRange": obj({
        "metric": METRIC_NAME,
        "step": {"type": "number", "description": "seconds between points"},
        "points": {"type": "array", "maxItems": 11000,
                   "items": {"type": "array", "minItems": 2, "maxItems": 2,
                             "prefixItems": [{"type": "number", "description": "Unix seconds"},
                                             dict(NUMBER_OR_NULL, description="null when NaN or ±Inf")]},
                   "description": "[unix_ts, value] pairs, oldest first; times without data are absent"}},
        ["metric", "step", "points"]),
    "ContainerMetrics": obj({
        "name": {"type": "string"}, "image": {"type": "string"},
        "cpu_usage_percent": dict(NUMBER_OR_NULL, description="100 = one CPU busy (1-minute rate)"),
        "memory_usage_bytes": dict(NUMBER_OR_NULL, description="working set"),
        "memory_limit_bytes": dict(NUMBER_OR_NULL, description="null when the container has no limit"),
        "network_receive_bytes_per_second": NUMBER_OR_NULL,
        "network_transmit_bytes_per_second": NUMBER_OR_NULL},
        ["name", "image", "cpu_usage_percent", "memory_usage_bytes", "memory_limit_bytes",
         "network_receive_bytes_per_second", "network_transmit_bytes_per_second"],
        description="One container seen by the server's cAdvisor (series joined on name and image); "
                    "null: no data"),
    "PrometheusQueryData": obj({
        "resultType": {"type": "string", "enum": ["vector", "matrix", "scalar", "string"]},
        "result": {"type": "array", "description": "as in Prometheus's HTTP API: [{metric, value}] for a vector, "
                                                   "[{metric, values}] for a matrix, [unix_ts, \"value\"] for a "
                                                   "scalar or string"}},
        ["resultType", "result"], extra=True,
        description="Prometheus's `data` object, unchanged (sample values are strings, as Prometheus sends them)"),
    "AlertEvent": obj({
        "id": {"type": "integer"}, "rule_id": nullable({"type": "integer"}), "server_id": nullable({"type": "integer"}),
        "rule_name": {"type": "string"}, "status": {"type": "string", "enum": ["firing", "resolved"]},
        "severity": SEVERITY, "value": nullable({"type": "number"}),
        "threshold": nullable({"type": "number", "description": "null for a rule without a condition"}),
        "comparison": nullable(COMPARISON), "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "message": {"type": "string"}, "started_at": TIME, "resolved_at": nullable(TIME),
        "last_notified_at": nullable(TIME),
        "notification_status": {"type": "string", "enum": ["pending", "sent", "failed", "suppressed"]},
        "acknowledged": {"type": "boolean"}, "created_at": TIME}, None),
    "Silence": obj({"id": {"type": "integer"}, "server_id": nullable({"type": "integer"}),
                    "rule_id": nullable({"type": "integer"}), "starts_at": TIME, "ends_at": TIME,
                    "comment": {"type": "string"}, "created_by": nullable({"type": "integer"}), "created_at": TIME},
                   None),
    "SilenceCreate": obj({"server_id": nullable({"type": "integer", "minimum": 1}),
                          "rule_id": nullable({"type": "integer", "minimum": 1}),
                          "starts_at": dict(TIME, description="default: now"),
                          "ends_at": dict(TIME, description="after starts_at (and in the future)"),
                          "comment": {"type": "string", "maxLength": 2000, "default": ""}}, ["ends_at"],
                         description="Matches events of the server and/or rule given; with neither, everything."),
    "Liveness": obj({"status": {"type": "string", "const": "ok"}}, ["status"]),
    "Readiness": obj({"status": {"type": "string", "enum": ["ok", "degraded", "unavailable"],
                                 "description": "ok: all checks ok; degraded: the database answers but Prometheus "
                                                "(metrics endpoints fail, the rest works) or Redis (live events "
                                                "do not reach other processes) does not; unavailable: the "
                                                "database is (`fail` without a token)"},
                      "checks": obj({"database": DEPENDENCY, "prometheus": DEPENDENCY,
                                     "redis": DEPENDENCY},
                                    ["database", "prometheus", "redis"]),
                      "details": obj({"prometheus": {"type": "string", "description": "why the check failed"},
                                      "redis": {"type": "string", "description": "why the check failed"}},
                                     description="present when Prometheus or Redis is unavailable, and only for "
                                                 "a caller with a valid token")},
                     ["status", "checks"]),
}

# Notification channels (product.md §9). Secret settings are write-only: sent in clear, answered as "***".
SECRET = " Secret: write-only, answered as `\"***\"`; in a PATCH, `\"***\"` or leaving it out keeps the stored value."
HTTP_URL = {"type": "string", "format": "uri", "maxLength": 2048, "description": "http:// or https:// with a host"}
PUBLIC_URL = dict(HTTP_URL, description="http:// or https:// with a host, without credentials (it is shown to viewers)")
TOKEN = {"type": "string", "minLength": 1, "maxLength": 4096, "writeOnly": True}
CHANNEL_TYPES = ["telegram", "webhook", "slack", "discord", "email", "pagerduty", "alertmanager", "ntfy"]
CHANNEL_SETTINGS = {
    "telegram": obj({"bot_token": dict(TOKEN, description="the bot's token (@BotFather)." + SECRET),
                     "chat_id": {"anyOf": [{"type": "string", "maxLength": 255}, {"type": "integer"}],
                                 "description": "numeric chat id or @channelusername; stored as a string"},
                     "message_thread_id": {"type": "integer", "minimum": 1, "description": "forum topic"},
                     "api_url": dict(PUBLIC_URL, description="Bot API base URL; default https://api.telegram.org")},
                    ["bot_token", "chat_id"]),
    "webhook": obj({"url": dict(HTTP_URL, writeOnly=True, description="receiver of the Alertmanager v4 payload." + SECRET),
                    "bearer_token": dict(TOKEN, description="sent as `Authorization: Bearer`; not with basic auth." + SECRET),
                    "username": {"type": "string", "minLength": 1, "maxLength": 255,
                                 "description": "basic auth, with password"},
                    "password": dict(TOKEN, description="basic auth, with username." + SECRET)}, ["url"]),
    "slack": obj({"webhook_url": dict(HTTP_URL, writeOnly=True, description="incoming webhook URL." + SECRET)},
                 ["webhook_url"]),
    "discord": obj({"webhook_url": dict(HTTP_URL, writeOnly=True, description="webhook URL." + SECRET)},
                   ["webhook_url"]),
    "email": obj({"smtp_host": {"type": "string", "minLength": 1, "maxLength": 253},
                  "smtp_port": {"type": "integer", "minimum": 1, "maximum": 65535},
                  "security": {"type": "string", "enum": ["starttls", "tls", "none"]},
                  "username": {"type": "string", "minLength": 1, "maxLength": 255, "description": "with password"},
                  "password": dict(TOKEN, description="with username." + SECRET),
                  "from": {"type": "string", "format": "email", "maxLength": 254},
                  "to": {"type": "array", "minItems": 1, "maxItems": 100,
                         "items": {"type": "string", "format": "email", "maxLength": 254}}},
                 ["smtp_host", "smtp_port", "security", "from", "to"]),
    "pagerduty": obj({"routing_key": dict(TOKEN, description="Events API v2 integration key." + SECRET),
                      "api_url": dict(PUBLIC_URL, description="default https://events.pagerduty.com")},
                     ["routing_key"]),
    "alertmanager": obj({"urls": {"type": "array", "minItems": 1, "maxItems": 100, "items": PUBLIC_URL,
                                  "description": "Alertmanager base URLs; alerts go to each one's /api/v2/alerts"}},
                        ["urls"]),
    "ntfy": obj({"url": dict(PUBLIC_URL, description="server and topic, e.g. https://ntfy.sh/my-alerts (no credentials)"),
                 "token": dict(TOKEN, description="access token." + SECRET)}, ["url"]),
}
SEVERITIES = {"type": "array", "items": SEVERITY, "maxItems": 3, "uniqueItems": True, "default": [],
              "description": "a rule that names no channel goes to the channels that are default for its severity"}
channel_common = {"name": {"type": "string", "minLength": 1, "maxLength": 255, "description": "unique"},
                  "send_resolved": {"type": "boolean", "default": True, "description": "also notify resolutions"},
                  "default_for_severities": SEVERITIES}
for kind, settings in CHANNEL_SETTINGS.items():
    name = kind.capitalize() + "Settings"
    schemas[{"pagerduty": "PagerDutySettings", "alertmanager": "AlertmanagerSettings"}.get(kind, name)] = settings
SETTINGS_REF = {"telegram": "TelegramSettings", "webhook": "WebhookSettings", "slack": "SlackSettings",
                "discord": "DiscordSettings", "email": "EmailSettings", "pagerduty": "PagerDutySettings",
                "alertmanager": "AlertmanagerSettings", "ntfy": "NtfySettings"}
schemas["Channel"] = obj({"id": {"type": "integer"}, "name": {"type": "string"},
                          "type": {"type": "string", "enum": CHANNEL_TYPES},
                          "settings": {"type": "object", "description": "the type's settings; each secret that is "
                                                                        "set is `\"***\"`"},
                          "send_resolved": {"type": "boolean"},
                          "default_for_severities": {"type": "array", "items": SEVERITY},
                          "created_at": TIME, "updated_at": TIME},
                         ["id", "name", "type", "settings", "send_resolved", "default_for_severities", "created_at",
                          "updated_at"])
schemas["ChannelCreate"] = {
    "oneOf": [obj(dict(channel_common, type={"type": "string", "const": kind},
                       settings={"$ref": "#/components/schemas/" + SETTINGS_REF[kind]}),
                  ["name", "type", "settings"], description="a " + kind + " channel")
              for kind in CHANNEL_TYPES],
    "discriminator": {"propertyName": "type"},
    "description": "Unknown fields and unknown settings are rejected (422, e.g. `[\"body\", \"settings\", \"url\"]`); "
                   "read-only fields are ignored."}
schemas["ChannelUpdate"] = obj(dict(channel_common, type={"type": "string", "enum": CHANNEL_TYPES,
                                                          "description": "a new type needs the whole `settings`"},
                                    settings={"type": "object", "description": "merged key by key into the stored "
                                              "settings: a key sent replaces its value, null removes an optional "
                                              "one, a secret sent as `\"***\"` or left out keeps its stored value; "
                                              "the result is validated as a create's. With a new `type` it is the "
                                              "whole settings object."}),
                               description="Partial update.")
schemas["AlertRuleWritten"] = obj(
    dict(schemas["AlertRule"]["properties"],
         warnings={"type": "array", "items": {"type": "string"},
                   "description": "present when the PromQL could not be validated (Prometheus unreachable, timed "
                                  "out, or could not execute it): the rule was saved anyway"}),
    schemas["AlertRule"]["required"], description="The rule as stored, with `warnings` when its PromQL was not "
                                                   "validated")
schemas["AlertEvent"]["required"] = list(schemas["AlertEvent"]["properties"])
schemas["NotificationDelivery"] = obj({
    "channel_id": nullable({"type": "integer", "description": "null: an environment channel (TELEGRAM_*, WEBHOOK_URL)"}),
    "channel": {"type": "string", "description": "the channel's name, or `telegram` / `webhook`"},
    "type": {"type": "string", "description": "the channel's type; empty once a stored channel is deleted"},
    "event_id": {"type": "integer"}, "rule_id": nullable({"type": "integer"}), "rule_name": {"type": "string"},
    "kind": {"type": "string", "enum": ["firing", "repeat", "resolved"]},
    "status": {"type": "string", "enum": ["pending", "sent", "failed"]},
    "attempts": {"type": "integer"},
    "last_error": nullable({"type": "string", "description": "the target's last answer (never a secret)"}),
    "sent_at": nullable(TIME),
    "next_attempt_at": nullable(dict(TIME, description="while pending: when it goes (its group's time, or the "
                                                       "retry)")),
    "created_at": TIME}, None,
    description="One notification of an event to one target: grouped with the rule's other notifications to "
                "that target into one message (product §9), retried on its own.")
schemas["NotificationDelivery"]["required"] = list(schemas["NotificationDelivery"]["properties"])
schemas["AlertEventDetail"] = obj(
    dict(schemas["AlertEvent"]["properties"],
         notifications={"type": "array", "items": {"$ref": "#/components/schemas/NotificationDelivery"},
                        "description": "each notification of this event to each target, oldest first"}),
    schemas["AlertEvent"]["required"] + ["notifications"],
    description="An alert event with where its notifications went")
schemas["Silence"]["required"] = list(schemas["Silence"]["properties"])


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def resp(description, schema=None, headers=None, media="application/json"):
    r = {"description": description}
    if schema is not None:
        r["content"] = {media: {"schema": schema}}
    if headers:
        r["headers"] = headers
    return r


R401 = resp("Missing, invalid, expired or revoked token", ERR,
            {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}})
R403 = resp("Not enough privileges: the route needs a higher role", ERR)
R413 = resp("Request body over 1 MiB", ERR)
R415 = resp("Body is not application/json", ERR)
R422 = resp("Validation error: every bad field is listed", ref("HTTPValidationError"))
R503 = resp("Database unavailable", ERR)
# Endpoints that query Prometheus (see src/prometheus/errors.hpp).
PROMETHEUS_ERRORS = {
    "502": resp("Prometheus answered with an error or an invalid answer, or refused Sentinel's credentials: "
                "`{\"detail\": \"Prometheus unavailable: ...\"}`", ERR),
    "503": resp("Prometheus unreachable (`{\"detail\": \"Prometheus unavailable: ...\"}`), or database "
                "unavailable", ERR),
    "504": resp("The query timed out (PROMETHEUS_TIMEOUT_SEC): `{\"detail\": \"Prometheus query timed out: "
                "...\"}`", ERR),
}
WARNING = {"Warning": {"description": "present with `warnings`: `299 - \"PromQL not validated: ...\"`",
                       "schema": {"type": "string"}}}


def r422(what):
    return resp("Validation error: every bad field is listed. " + what, ref("HTTPValidationError"))


def path_param(name, what):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}, "description": what + " id"}


def query(name, schema, description=None, required=False):
    p = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        p["description"] = description
    return p


PAGING = [query("skip", {"type": "integer", "minimum": 0, "default": 0}),
          query("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100})]


def op(tag, summary, responses, params=(), body=None, secured=True, description=None):
    o = {"tags": [tag], "summary": summary, "responses": {}}
    if description:
        o["description"] = description
    if params:
        o["parameters"] = list(params)
    if body is not None:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    o["responses"].update(responses)
    o["security"] = [{"bearer": []}, {"oauth2": []}] if secured else []
    if secured:
        o["responses"]["401"] = R401
        o["responses"].setdefault("503", R503)
    if body is not None:
        o["responses"].update({"413": R413, "415": R415})
    if body is not None or params:
        o["responses"].setdefault("422", R422)
    return o


def crud(tag, base, param, what, read, create, update, filters=(), conflict=None, delete_note=None, superuser=False,
         written=None, written_headers=None, write_422=None, write_note=None):
    """written/written_headers: what POST and PATCH answer when it differs from `read`; write_422 and
    write_note: their 422 response and description when they validate more than the body's shape."""
    not_found = resp(what + " not found", ERR)
    extra = {"403": R403} if superuser else {}
    write_extra = dict(extra, **({"422": write_422} if write_422 else {}))
    created = {"201": resp("Created", ref(written or read), written_headers)}
    if conflict:
        created["409"] = resp(conflict, ERR)
    updated = {"200": resp("Updated", ref(written or read), written_headers), "404": not_found}
    if conflict:
        updated["409"] = resp(conflict, ERR)
    pid = path_param(param, what)
    return {
        base: {
            "get": op(tag, "List " + what.lower() + "s", dict({"200": resp("OK", {"type": "array", "items": ref(read)})},
                                                                **extra), list(filters) + PAGING),
            "post": op(tag, "Create " + what.lower(), dict(created, **write_extra), body=ref(create),
                       description=write_note),
        },
        base + "{" + param + "}": {
            "get": op(tag, "Get " + what.lower(), dict({"200": resp("OK", ref(read)), "404": not_found}, **extra),
                      [pid]),
            "patch": op(tag, "Update " + what.lower() + " (partial)", dict(updated, **write_extra), [pid],
                        body=ref(update), description=write_note),
            "delete": op(tag, "Delete " + what.lower(), dict({"204": resp("Deleted"), "404": not_found}, **extra),
                         [pid], description=delete_note),
        },
    }


paths = {}
paths["/api/v1/auth/login"] = {"post": {
    "tags": ["auth"], "summary": "Log in (OAuth2 password flow)", "security": [],
    "description": "Form-urlencoded `username` (the email) and `password`; JSON is accepted too. Unknown email and "
                   "wrong password get the same answer. Repeated failures per client address (20) or account (5) "
                   "within 15 minutes are refused with 429.",
    "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": ref("LoginForm")},
        "application/json": {"schema": ref("LoginForm")}}},
    "responses": {"200": resp("Token", ref("Token")),
                  "401": resp("Incorrect email or password", ERR),
                  "403": resp("Inactive user", ERR),
                  "415": R415, "422": R422,
                  "429": resp("Too many failed attempts", ERR, {"Retry-After": {"schema": {"type": "integer"}}}),
                  "503": R503}}}
paths["/api/v1/auth/me"] = {"get": op("auth", "The current user", {"200": resp("OK", ref("User"))})}
paths["/api/v1/auth/tokens"] = {
    "get": op("auth", "List API tokens (your own; an admin may pass user_id)",
              {"200": resp("OK", {"type": "array", "items": ref("ApiToken")})},
              [query("user_id", {"type": "integer"}, "another user's tokens (admin only)")]),
    "post": op("auth", "Create an API token", {"201": resp("Created: the secret is in `token`, shown this once",
                                                            ref("ApiTokenCreated"))},
               body=ref("ApiTokenCreate"),
               description="Use it as `Authorization: Bearer snt_...` on REST and as the WebSocket token. It stops "
                           "working when revoked, expired, or when its owner is deactivated or deleted; it never "
                           "grants more than its owner's current role."),
}
paths["/api/v1/auth/tokens/{token_id}"] = {"delete": op(
    "auth", "Revoke an API token", {"204": resp("Revoked everywhere within 1 s"),
                                    "404": resp("Token not found (or not yours)", ERR)},
    [path_param("token_id", "API token")])}
paths["/api/v1/audit/"] = {"get": op(
    "audit", "The audit log, newest first",
    {"200": resp("OK", {"type": "array", "items": ref("AuditEntry")})},
    [query("actor_id", {"type": "integer"}), query("action", {"type": "string"}),
     query("target_type", {"type": "string"}), query("target_id", {"type": "string"}),
     query("since", TIME, "entries at or after this time")] + PAGING,
    description="Every change through the API or the CLI, written in the same transaction as the change, and "
                "every login success and failure.")}
paths.update(crud("users", "/api/v1/users/", "user_id", "User", "User", "UserCreate", "UserUpdate",
                  conflict="Email already registered",
                  delete_note="An admin cannot delete, deactivate or demote themselves (403)."))
paths.update(crud("servers", "/api/v1/servers/", "server_id", "Server", "Server", "ServerCreate", "ServerUpdate",
                  filters=[query("is_active", {"type": "boolean"})],
                  conflict="Server with this name already exists",
                  delete_note="Deletes the server's alert rules too; its alert events stay as history."))
SD_LABELS = {
    "job": {"type": "string", "description": "the server's `job_name`; `cadvisor` for its cAdvisor"},
    "sentinel_server": {"type": "string", "description": "the server's name"},
    "sentinel_server_id": {"type": "string", "pattern": "^[0-9]+$", "description": "the server's id, as a string"},
}
schemas["SdTargetGroup"] = obj({
    "targets": {"type": "array", "items": dict(INSTANCE, description="host:port; Prometheus's `instance` label"),
                "minItems": 1, "maxItems": 1},
    "labels": obj(SD_LABELS, list(SD_LABELS))}, ["targets", "labels"],
    description="One scrape target with its labels, as Prometheus's http_sd_configs reads it")
paths["/api/v1/sd/targets"] = {"get": op(
    "servers", "The active servers as Prometheus scrape targets (HTTP service discovery)",
    {"200": resp("OK", {"type": "array", "items": ref("SdTargetGroup")})},
    description="Prometheus's HTTP service-discovery format, for `http_sd_configs` (with an `authorization` block "
                "carrying an API token; a viewer token is enough), so that a server registered here is scraped "
                "without editing prometheus.yml. One group per target: every active server's `instance` (job: its "
                "`job_name`) and, when set, its `cadvisor_instance` (job `cadvisor`), ordered by server id; "
                "inactive servers are left out, so deactivating or deleting one stops its scraping at the next "
                "refresh. Servers that share an exporter (same job and address) give ONE target, named after the "
                "lowest id, so it is not scraped twice. The labels are attached to every series scraped from the "
                "target; the metrics path and scheme are Prometheus's defaults (`/metrics`, http) unless the "
                "scrape config sets or relabels them. Not paged: every active server, in one answer.")}
LABEL_NAME = {"type": "string", "pattern": "^[a-zA-Z_][a-zA-Z0-9_]*$", "maxLength": 255}
schemas["ServerDiscover"] = obj({
    "job": {"type": "string", "minLength": 1, "maxLength": 255,
            "description": "the `job` label of Prometheus's active targets to register", "examples": ["node"]},
    "name_label": nullable(dict(LABEL_NAME, description="the label that names each new server (the target's own "
                                                         "label, else looked up for the whole job with ONE query "
                                                         "`group by (instance, <label>) ({job=\"<job>\", "
                                                         "<label>!=\"\"})`, e.g. `nodename` from node_uname_info); "
                                                         "null or absent: the instance names it",
                                examples=["nodename"])),
    "dry_run": {"type": "boolean", "default": False, "description": "true: write nothing, answer what would be done"},
}, ["job"], description="Unknown fields are rejected (422 extra_forbidden).")
server_would_create = {k: v for k, v in schemas["Server"]["properties"].items()
                       if k not in ("id", "created_at", "updated_at")}
schemas["ServerDiscovery"] = obj({
    "job": {"type": "string"},
    "name_label": nullable({"type": "string"}),
    "dry_run": {"type": "boolean"},
    "targets": {"type": "integer", "minimum": 1, "description": "active targets of the job in Prometheus"},
    "created": {"type": "array", "items": {"oneOf": [ref("Server"), obj(server_would_create, list(server_would_create))]},
                "description": "the servers registered now (with dry_run: what would be registered, without `id`, "
                               "`created_at` and `updated_at`)"},
    "existing": {"type": "array", "items": obj({"id": {"type": "integer"}, "name": {"type": "string"},
                                                "instance": {"type": "string"}, "is_active": {"type": "boolean"}},
                                               ["id", "name", "instance", "is_active"]),
                 "description": "targets already registered: a server with the same `job_name` and `instance`, or "
                                "the server a target of Sentinel's own HTTP SD (label `sentinel_server_id`) stands for"},
    "skipped": {"type": "array", "items": obj({"instance": {"type": "string"}, "reason": {"type": "string"}},
                                              ["instance", "reason"]),
                "description": "targets not registered, each with why (instance not host:port, name taken, a "
                               "Sentinel SD target of a deleted server, over the per-call limit)"},
}, ["job", "name_label", "dry_run", "targets", "created", "existing", "skipped"])
paths["/api/v1/servers/discover"] = {"post": op(
    "servers", "Register a Prometheus job's active targets as servers",
    {"200": resp("OK: what was registered (or, with dry_run, would be), what exists, what was skipped",
                 ref("ServerDiscovery")),
     "422": r422("A bad body or `name_label` (not a label name), or `[\"body\", \"job\"]`: Prometheus has no "
                 "active target of this job."),
     **PROMETHEUS_ERRORS},
    body=ref("ServerDiscover"),
    description="Reads Prometheus's active targets (`GET /api/v1/targets?state=active`) and registers every target "
                "whose `job` label is `job` and that is not registered yet, as a server with that `job_name`, its "
                "`instance` label as `instance`, and the description `discovered from Prometheus (job <job>)`; "
                "each creation is audited as `server.create`. Idempotent: run again, the same targets are "
                "`existing`. Names: the `name_label` value, else the instance; a name another server holds "
                "becomes `<name> (<instance>)` (`<instance> (<job>)` when the name is the instance), and when "
                "that is taken too the target is skipped. Targets of Sentinel's own HTTP SD "
                "(GET /api/v1/sd/targets) are never registered twice. At most 10 000 servers are created per "
                "call (the rest are skipped: call again). Concurrent discoveries (several workers, "
                "DISCOVERY_JOBS) never register a target twice. The DISCOVERY_JOBS setting runs the same "
                "discovery periodically and also deactivates servers whose target vanished.")}
PROMQL_422 = ("Prometheus's own rejections are listed on the PromQL's location with its message: type "
              "`promql_bad_data` (the query does not parse) or `promql_execution` (it failed to run).")
paths.update(crud("alert rules", "/api/v1/alerts/rules/", "rule_id", "Alert rule", "AlertRule", "AlertRuleCreate",
                  "AlertRuleUpdate",
                  filters=[query("server_id", {"type": "integer"}), query("is_active", {"type": "boolean"})],
                  written="AlertRuleWritten", written_headers=WARNING,
                  write_422=r422("A query Prometheus rejects is refused on `[\"body\", \"promql\"]` with its "
                                 "message (type `promql_bad_data`), and so is one returning a range vector or a "
                                 "string (type `promql_result_type`)."),
                  write_note="The PromQL (rendered for the rule's server) is evaluated once by Prometheus when the "
                             "rule is created, and on PATCH when `promql` or `server_id` changes. When Prometheus "
                             "cannot answer (unreachable, timeout, or it could not execute the query) the rule is "
                             "saved anyway: the response then carries `warnings` and a `Warning: 299 - \"...\"` "
                             "header."))
paths["/api/v1/alerts/rules/{rule_id}/test"] = {"post": op(
    "alert rules", "Evaluate a rule now (dry run)",
    {"200": resp("OK", ref("AlertRuleTest")),
     "404": resp("Alert rule not found (or its server)", ERR),
     "422": r422(PROMQL_422.replace("the PromQL's location", "`[\"body\", \"promql\"]`") +
                 " A query returning a range vector or a string is a `promql_bad_data` here."),
     **PROMETHEUS_ERRORS},
    [path_param("rule_id", "Alert rule")],
    description="Sends the rule's query to Prometheus now and compares every series with the threshold. Records "
                "nothing (no state change, no event, no notification). No request body.")}

IMPORT_ENTRY = {
    "group": {"type": "string"}, "name": {"type": "string", "description": "alert (or recording rule) name"},
    "line": {"type": "integer", "description": "the rule's line in the file"},
    "action": {"type": "string", "enum": ["created", "updated", "unchanged", "skipped", "failed"],
               "description": "what was done (in a dry run, or with failed rules and no `partial`: what would be)"},
    "rule_id": nullable({"type": "integer", "description": "the stored rule; null for one not (yet) created"}),
    "reason": nullable({"type": "string", "description": "skipped/failed: why (with `line L, column C` when the "
                                                       "problem is in the file itself; `line` always gives the "
                                                       "rule's)"}),
    "notes": {"type": "array", "items": {"type": "string"},
              "description": "what the mapping did that one may not expect (condition split off, severity mapped, "
                             "options ignored…)"},
    "promql": {"type": "string"}, "threshold": nullable({"type": "number"}), "comparison": nullable(COMPARISON),
}
schemas["RuleImportEntry"] = obj(IMPORT_ENTRY, ["group", "name", "line", "action", "rule_id", "reason", "notes"])
schemas["RuleImportReport"] = obj({
    "dry_run": {"type": "boolean"}, "partial": {"type": "boolean"},
    "written": {"type": "boolean", "description": "false: nothing was written (a dry run, or failed rules "
                                                  "without partial)"},
    "counts": obj({k: {"type": "integer"} for k in ("created", "updated", "unchanged", "skipped", "failed")},
                  ["created", "updated", "unchanged", "skipped", "failed"]),
    "rules": {"type": "array", "items": ref("RuleImportEntry"), "description": "every rule of the file, in order"}},
    ["dry_run", "partial", "written", "counts", "rules"])
schemas["RuleImportRejected"] = obj({
    "detail": {"type": "array", "items": ref("ValidationError"),
               "description": "one per failed rule: loc [\"body\", \"groups\", i, \"rules\", j, field…], msg "
                              "naming the group, rule and line"},
    "report": ref("RuleImportReport")}, ["detail", "report"])
import_op = op(
    "alert rules", "Import a Prometheus or vmalert rule file",
    {"200": resp("The report (also for a dry run, and with `partial` when some rules failed)",
                 ref("RuleImportReport")),
     "413": R413,
     "415": resp("Not sent as YAML (application/yaml, application/x-yaml, text/yaml or text/plain)", ERR),
     "422": resp("The file cannot be read as a rule file (malformed YAML, unknown top-level or group fields, with "
                 "`line L, column C` in each msg: `HTTPValidationError`), or some rules cannot be imported and "
                 "`partial` is not set (`RuleImportRejected`: nothing was written)",
                 {"oneOf": [ref("HTTPValidationError"), ref("RuleImportRejected")]}),
     **PROMETHEUS_ERRORS},
    [query("dry_run", {"type": "boolean", "default": False}, "report what would be done, write nothing"),
     query("partial", {"type": "boolean", "default": False},
           "import the rules that can be and report the others (default: all or nothing)")],
    description="The body is a rule file (`groups[].rules[]`: `alert`, `expr`, `for`, `keep_firing_for`, `labels`, "
                "`annotations`; recording rules are skipped). `expr: A > 90` becomes promql A, comparison `>`, "
                "threshold 90 (also `90 < A`); any other expression (and/or/unless, bool, on(), absent()…) is kept "
                "whole and fires for every series it returns (comparison and threshold null). `labels.severity` → "
                "severity, other labels → labels, `annotations.summary`/`description` → summary/description "
                "(templates), other annotations → annotations, group name → rule_group, group interval → "
                "eval_interval_sec. Every rule's PromQL is sent to Prometheus before anything is written "
                "(unreachable: 503, nothing imported). Rules are matched to stored ones by group and alert name "
                "(the k-th of a name in a group to the k-th stored): importing a file twice changes nothing; an "
                "update keeps what a rule file does not say (channels, repeat interval, paused, no-data state). "
                "One transaction: all or nothing unless `partial`.")
import_op["requestBody"] = {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}},
    "text/plain": {"schema": {"type": "string"}}}}
paths["/api/v1/alerts/rules/import"] = {"post": import_op}
paths["/api/v1/alerts/rules/export"] = {"get": op(
    "alert rules", "Export every rule as a Prometheus rule file",
    {"200": resp("A rule file (YAML)", {"type": "string"}, media="application/yaml")},
    description="A rule file that `promtool check rules` accepts: one group per `rule_group` (rules without one: "
                "group `sentinel`; rules of one group with different eval intervals: one group per interval), rules "
                "by id; `expr` is `(promql) <comparison> <threshold>`, or the promql alone for a rule without a "
                "condition; a server rule's `$instance`/`$job` replaced by its server's values. Settings Prometheus "
                "has no equivalent for (recovery_threshold, no_data_state, channels, repeat interval, paused) are "
                "written as a YAML comment above the rule. Export, import into an empty Sentinel, export again: "
                "the same bytes.")}

paths["/api/v1/alerts/rules/preview"] = {"post": op(
    "alert rules", "Evaluate an unsaved rule (dry run)",
    {"200": resp("OK", ref("AlertRuleTest")),
     "422": r422("Validated exactly as a create (every bad field listed, `server_id` must exist). " +
                 PROMQL_422.replace("the PromQL's location", "`[\"body\", \"promql\"]`")),
     **PROMETHEUS_ERRORS},
    body=ref("AlertRuleCreate"),
    description="The body of a create (POST /api/v1/alerts/rules/), evaluated now as "
                "POST /api/v1/alerts/rules/{rule_id}/test evaluates a saved rule: every series with its labels, "
                "value, matched server (fleet rules) and whether it would fire. `rule_id` is null. Saves and "
                "records nothing.")}

paths["/api/v1/metrics/servers/summary"] = {"get": op(
    "metrics", "Every server's current metrics (fleet view)",
    {"200": resp("OK", {"type": "array", "items": ref("MetricsSummary")}),
     "422": r422("A malformed `is_active`."),
     **PROMETHEUS_ERRORS},
    [query("is_active", {"type": "boolean", "default": True}, "active servers (default) or inactive ones")],
    description="One summary per server, ordered by id, each exactly as GET "
                "/api/v1/metrics/servers/{server_id}/summary answers it, all from ONE Prometheus query (every "
                "metric aggregated `by (instance, job)`) whatever the number of servers. A server whose "
                "(instance, job) Prometheus does not scrape is `up: false` with every metric null. The answer "
                "may be reused for up to METRICS_CACHE_TTL_SEC, across API processes when REDIS_URL is set.")}

server_id = path_param("server_id", "Server")
paths["/api/v1/metrics/servers/{server_id}/summary"] = {"get": op(
    "metrics", "A server's current metrics",
    {"200": resp("OK", ref("MetricsSummary")), "404": resp("Server not found", ERR),
     "422": r422(PROMQL_422.replace("the PromQL's location", "`[\"path\", \"server_id\"]`")),
     **PROMETHEUS_ERRORS},
    [server_id],
    description="node_exporter series of the server's `instance` and `job_name`, read from Prometheus, all "
                "queries at one instant and concurrently. A summary may be reused for up to METRICS_CACHE_TTL_SEC "
                "(`timestamp` says when it was evaluated).")}
paths["/api/v1/metrics/servers/{server_id}/range"] = {"get": op(
    "metrics", "One metric of a server over time",
    {"200": resp("OK", ref("MetricRange")), "404": resp("Server not found", ERR),
     "422": r422("Also: `end` not after `start` (on `end`), more than 11 000 points (on `step`). " +
                 PROMQL_422.replace("the PromQL's location", "`[\"query\", \"metric\"]`")),
     **PROMETHEUS_ERRORS},
    [server_id,
     query("metric", METRIC_NAME, "a key of the summary's `metrics`", required=True),
     query("start", UNIX_OR_RFC3339, "default: `end` − 1 hour"),
     query("end", UNIX_OR_RFC3339, "default: now; must be after `start`"),
     query("step", STEP, "default: whole seconds chosen to give at most 300 points; (end − start) / step + 1 "
                         "must not exceed 11 000")],
    description="A Prometheus range query of the summary's expression for this metric. The query parameters are "
                "validated before the server is looked up.")}
paths["/api/v1/metrics/servers/{server_id}/containers"] = {"get": op(
    "metrics", "The containers on a server's host (cAdvisor)",
    {"200": resp("OK", {"type": "array", "items": ref("ContainerMetrics")}),
     "404": resp("Server not found, or the server has no `cadvisor_instance`", ERR),
     "422": r422(PROMQL_422.replace("the PromQL's location", "`[\"path\", \"server_id\"]`")),
     **PROMETHEUS_ERRORS},
    [server_id],
    description="cAdvisor series at the server's `cadvisor_instance`, one entry per container (sorted by name), "
                "evaluated at one instant.")}
paths["/api/v1/metrics/query"] = {"get": op(
    "metrics", "Ad-hoc PromQL instant query",
    {"200": resp("Prometheus's `data`", ref("PrometheusQueryData")),
     "422": r422(PROMQL_422.replace("the PromQL's location", "`[\"query\", \"query\"]`")),
     **PROMETHEUS_ERRORS},
    [query("query", {"type": "string", "minLength": 1, "maxLength": 10000}, "PromQL", required=True),
     query("time", UNIX_OR_RFC3339, "evaluation time; default: Prometheus's now")],
    description="Runs the query as given (no `$instance`/`$job` substitution) with Sentinel's Prometheus "
                "timeout, and returns Prometheus's `data` unchanged.")}
event_id = path_param("event_id", "Alert event")
paths["/api/v1/alerts/events/"] = {"get": op("alert events", "List alert events, newest first",
                                             {"200": resp("OK", {"type": "array", "items": ref("AlertEvent")})},
                                             [query("status", {"type": "string", "enum": ["firing", "resolved"]}),
                                              query("rule_id", {"type": "integer"}),
                                              query("server_id", {"type": "integer"}),
                                              query("since", TIME, "events started at or after this time")] + PAGING)}
paths["/api/v1/alerts/events/{event_id}"] = {"get": op("alert events", "Get an alert event",
                                                       {"200": resp("OK", ref("AlertEventDetail")),
                                                        "404": resp("Alert event not found", ERR)}, [event_id])}
paths["/api/v1/alerts/events/{event_id}/ack"] = {"post": op(
    "alert events", "Acknowledge an alert event", {"200": resp("OK", ref("AlertEvent")),
                                                   "404": resp("Alert event not found", ERR)}, [event_id],
    description="Idempotent; stops repeat notifications for this event.")}
paths["/api/v1/alerts/silences/"] = {
    "get": op("silences", "List silences, newest first",
              {"200": resp("OK", {"type": "array", "items": ref("Silence")})},
              [query("active", {"type": "boolean"}, "only silences in effect now")] + PAGING),
    "post": op("silences", "Create a silence", {"201": resp("Created", ref("Silence"))}, body=ref("SilenceCreate"),
               description="Suppresses notifications of matching events; events are still recorded "
                           "(notification_status: suppressed)."),
}
paths["/api/v1/alerts/silences/{silence_id}"] = {"delete": op(
    "silences", "Delete a silence", {"204": resp("Deleted"), "404": resp("Silence not found", ERR)},
    [path_param("silence_id", "Silence")])}
paths.update(crud("channels", "/api/v1/alerts/channels/", "channel_id", "Channel", "Channel", "ChannelCreate",
                  "ChannelUpdate",
                  filters=[query("type", {"type": "string", "enum": CHANNEL_TYPES})],
                  conflict="Channel with this name already exists; or (PATCH) a secret the update keeps cannot be "
                           "decrypted with the current SECRET_KEY",
                  write_422=r422("Settings are checked for the channel's type, each error at `[\"body\", "
                                 "\"settings\", key]` (list items add their index). Creating more than 1000 "
                                 "channels is refused at `[\"body\"]`."),
                  write_note="Notification channels are stored and managed here (product §9); secret settings "
                             "(tokens, passwords, routing keys, webhook URLs) are stored encrypted with a key "
                             "derived from SECRET_KEY and are never returned: they read `\"***\"`. Changes are in "
                             "the audit log as `channel.create|update|delete`, secrets as `\"***\"`.",
                  delete_note="Refused with 409 `{\"detail\": \"channel is used by rules: …\"}` while a rule's "
                              "`channel_ids` names it."))
paths["/api/v1/alerts/channels/{channel_id}"]["delete"]["responses"]["409"] = resp(
    "The channel is used by rules (`channel is used by rules: High CPU (#3), …`)", ERR)
CHANNEL_TEST_ANSWER = {"type": "object", "required": ["channel_id", "status"], "properties": {
    "channel_id": {"type": "integer"},
    "status": {"type": "string", "enum": ["delivered", "retry", "failed"],
               "description": "`retry`: a temporary failure (5xx, 429, timeout, unreachable) the outbox would retry"},
    "detail": {"type": "string", "description": "the target's answer, without secrets"},
    "retry_after_sec": {"type": "integer", "description": "the wait the target asked for (429)"}}}
paths["/api/v1/alerts/channels/{channel_id}/test"] = {"post": op(
    "channels", "Send a test message through the channel now",
    {"200": resp("The target took the message", CHANNEL_TEST_ANSWER),
     "404": resp("Channel not found", ERR),
     "409": resp("The channel's secrets cannot be decrypted with this SECRET_KEY (`sentinel channels rekey`)", ERR),
     "502": resp("The target did not take the message: its answer in `detail`", CHANNEL_TEST_ANSWER)},
    [path_param("channel_id", "Channel")],
    description="Formats a test alert (rule \"Sentinel test notification\", severity info) as the channel's "
                "type formats alerts, sends it with the stored settings, and answers what the target said. "
                "Nothing is recorded (no event, no outbox row).")}
paths["/api/v1/alerts/channels/{channel_id}/deliveries"] = {"get": op(
    "channels", "The channel's last notifications, newest first",
    {"200": resp("OK", {"type": "array", "items": ref("NotificationDelivery")}),
     "404": resp("Channel not found", ERR), "422": r422("`limit` out of 1..200")},
    [path_param("channel_id", "Channel"),
     query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 20})])}
paths["/api/v1/health/liveness"] = {"get": op("health", "Liveness: the process serves",
                                              {"200": resp("OK", ref("Liveness"))}, secured=False)}
paths["/api/v1/health/readiness"] = {"get": op(
    "health", "Readiness: dependencies answer",
    {"200": resp("Ready: status `ok`, or `degraded` when only Prometheus or Redis is unavailable",
                 ref("Readiness")),
     "503": resp("The database is unavailable (status `unavailable`)", ref("Readiness"))},
    secured=False,
    description="Checks the database, Prometheus (a trivial query with a 2 s timeout) and, when REDIS_URL is "
                "set, Redis (PING). Only the database is required: Prometheus or Redis being down degrades one "
                "feature and is reported, with a 200, so that load balancers keep the instance.")}
paths["/metrics"] = {"get": op(
    "health", "Sentinel's own metrics (Prometheus exposition format)",
    {"200": resp("Text exposition format 0.0.4", {"type": "string"}, media="text/plain; version=0.0.4; charset=utf-8")},
    secured=False,
    description="For the Prometheus that scrapes Sentinel: HTTP requests by route and status "
                "(`sentinel_http_requests_total`, `sentinel_http_request_duration_seconds`), Prometheus queries "
                "(`sentinel_prometheus_queries_total`, `sentinel_prometheus_query_duration_seconds`), WebSocket "
                "clients and polls (`sentinel_ws_*`), rule evaluations (`sentinel_rule_evaluations_total`, "
                "`sentinel_rule_evaluations_skipped_total`, `sentinel_rule_evaluation_duration_seconds`), "
                "notifications (`sentinel_notifications_total` by channel and result). No authentication, as exporters do: bind Sentinel to a "
                "private address or filter /metrics at the proxy.")}
paths["/openapi.json"] = {"get": op("docs", "This OpenAPI document", {"200": resp("OK", {"type": "object"})},
                                    secured=False)}
paths["/docs/{file}"] = {"get": {"tags": ["docs"], "summary": "A file of the interactive documentation",
                                 "security": [], "parameters": [{"name": "file", "in": "path", "required": True,
                                                                 "schema": {"type": "string"}}],
                                 "responses": {"200": {"description": "the file"},
                                               "404": resp("Not Found", ERR)}}}
paths["/docs"] = {"get": {"tags": ["docs"], "summary": "Interactive API documentation (Swagger UI, served locally)",
                          "security": [],
                          "responses": {"200": {"description": "HTML page",
                                                "content": {"text/html": {"schema": {"type": "string"}}}}}}}

# Each operation's security comes from the route table in src/api/routes.cpp:
# its role column is the one place where access is decided.
ROUTES_CPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "routes.cpp")
ROW = re.compile(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*([PVEA]),\s*(\w+)[^}\n]*?(CONSOLE)?\}')
ROLE_OF = {"P": "public", "V": "viewer", "E": "editor", "A": "admin"}
table = {}
with open(ROUTES_CPP) as f:
    for m in ROW.finditer(f.read()):
        # WebSockets and the web console's pages are not API operations.
        if m.group(4) != "websocket" and not m.group(5):
            table[(m.group(1).lower(), m.group(2).rstrip("/") or "/")] = ROLE_OF[m.group(3)]
for path, item in paths.items():
    for method, operation in item.items():
        role = table.get((method, path.rstrip("/") or "/"))
        if role is None:
            raise SystemExit("not in the route table (src/api/routes.cpp): %s %s" % (method.upper(), path))
        operation["x-required-role"] = role
        if role == "public":
            operation["security"] = []
            continue
        operation["security"] = [{"bearer": []}, {"oauth2": []}]
        operation["responses"]["401"] = R401
        if role != "viewer":
            operation["responses"]["403"] = R403
        note = "Requires the **%s** role (or higher)." % role
        operation["description"] = (operation.get("description", "") + "\n\n" + note).strip()

# WebSockets are not OpenAPI operations: described here, in markdown.
WEBSOCKETS = """
## WebSocket: live metrics

`GET /ws/metrics/{server_id}` (WebSocket upgrade) streams the server's summary.

**Token**: `?token=<JWT>`, or the subprotocol header `Sec-WebSocket-Protocol: bearer, <JWT>` (for browsers; the
server then selects the `bearer` subprotocol). The token is checked after the handshake: a bad request is answered
with a close code, not an HTTP status.

**Frames** (JSON text, server to client; client messages, up to 64 KiB, are ignored):

- every WS_METRICS_INTERVAL_SEC (default 5), the first at once:
  `{"type": "metrics", "server_id": 1, "timestamp": "2026-11-23T22:24:26Z", "up": true,
  "metrics": {...same keys as GET /api/v1/metrics/servers/{server_id}/summary...}, "polled_at": 1795990000.123}`
  (`polled_at`: Unix seconds when the poll completed; the first frame may be the latest one of the server's
  stream, shared by all its subscribers);
- when Prometheus fails, in place of a metrics frame:
  `{"type": "error", "server_id": 1, "timestamp": "...", "detail": "Prometheus unavailable: ..."}`;
  the stream goes on and resumes with metrics frames when Prometheus answers again.

**Close codes**: 4401 bad, missing, expired or revoked token, and, within 5 s, when the token expires or is revoked
or its user is deactivated, deleted or changes password; 4403 a role below viewer; 4429 the user already holds
WS_MAX_PER_USER (64) WebSockets; 4404 unknown server (or a malformed id), or the
server was deleted while streaming; 1001 Sentinel is shutting down; 1013 the database is unavailable (try
again later).

One Prometheus poll per server per period, shared by all its subscribers. A slow client loses its oldest
pending frames (at most 4 wait) and never slows the others. Keep-alive: Sentinel sends a ping when nothing has
been received from the client for WS_PING_INTERVAL_SEC (default 15) and drops a client that sends nothing, not
even the pong, for twice that.

## WebSocket: fleet

`GET /ws/fleet` (WebSocket upgrade), same token rules and close codes as `/ws/metrics` (4401, 4403, 4429, 1001,
1013), streams every active server's summary:

- every WS_METRICS_INTERVAL_SEC (at multiples of it on the wall clock), the first at once:
  `{"type": "fleet", "timestamp": "...", "polled_at": 1795990000.123, "servers": [summary, ...]}`, each summary
  as GET /api/v1/metrics/servers/summary lists it;
- with `?delta=1`: the first frame is the full list, each later one only what changed since the previous frame:
  `{"type": "fleet", "delta": true, "timestamp": "...", "polled_at": ..., "servers": [changed or new summaries],
  "removed": [ids of servers deleted or deactivated]}`; a row whose only change is its `uptime_seconds`
  advancing with the clock is not resent (show `uptime_seconds` + (now − its `timestamp`)); a client too slow
  to take every delta is sent a full frame (no `delta` key) again in place of the ones it missed;
- when Prometheus fails: `{"type": "error", "timestamp": "...", "detail": "Prometheus unavailable: ..."}`; the
  stream resumes by itself (a delta client's next frame is relative to the last list it received).

One fleet query per period for all clients of all API processes (with REDIS_URL the processes share the answer).

## WebSocket: alert events

`GET /ws/events` (WebSocket upgrade), same token rules and close codes (4401, 1001, 1013), streams every alert
event as the alert engine creates or resolves it:
`{"type": "alert_event", "event": {...AlertEvent, as GET /api/v1/alerts/events/{event_id}...}}`.
Repeats and acknowledgements are not pushed. With several processes (PostgreSQL) the events travel through Redis
(REDIS_URL), so a client connected to any API process sees the events of every worker; without Redis a process
only pushes the events of its own engine. A client that stops reading loses its oldest events beyond 256 queued.
"""

INFO_DESCRIPTION = ("Self-hosted server monitoring backend: inventory, Prometheus metrics, PromQL alert rules, alert "
                    "events and notifications. Errors are FastAPI-shaped: `{\"detail\": \"...\"}`, or for 422 a "
                    "list of `{loc, msg, type}`.\n" + WEBSOCKETS)

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Sentinel", "version": "0.1.0",
             "description": INFO_DESCRIPTION,
             "license": {"name": "proprietary"}},
    "servers": [{"url": "/"}],
    "tags": [{"name": n} for n in ("auth", "users", "servers", "metrics", "alert rules", "alert events", "silences",
                                   "channels", "audit", "health", "docs")],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "A JWT from /api/v1/auth/login, or an API token (`snt_...`)"},
            "oauth2": {"type": "oauth2", "flows": {"password": {"tokenUrl": "/api/v1/auth/login", "scopes": {}}}},
        },
    },
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print("wrote", out)
