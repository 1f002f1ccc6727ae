#!/usr/bin/env python3
"""Writes openapi.json (OpenAPI 3.1) for Sentinel's REST API.

The document is generated from the tables below so that shared pieces
(error responses, paging, security) are written once. Run it after changing
an endpoint: `python3 src/api/openapi/generate.py`; tests/unit/api checks
that every route of the server is documented and nothing else is.
"""
import json
import os

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
    "threshold": {"type": "number"},
    "comparison": COMPARISON,
    "repeat_interval_sec": {"type": "integer", "minimum": 0, "maximum": 31536000, "default": 300,
                            "description": "re-notify while firing; 0 = never repeat"},
    "is_active": {"type": "boolean", "default": True},
    "channel": dict(CHANNEL, default="telegram"),
    "for_sec": {"type": "integer", "minimum": 0, "maximum": 31536000, "default": 0,
                "description": "the condition must hold this long before the alert fires (pending until then)"},
    "recovery_threshold": nullable({"type": "number", "description": "hysteresis: a firing series resolves only "
                                                                     "past this value; must lie on the resolving "
                                                                     "side of threshold; not allowed with == and !="}),
    "no_data_state": dict(NO_DATA, default="ok"),
    "severity": dict(SEVERITY, default="warning"),
    "description": nullable({"type": "string", "maxLength": 2000}),
    "eval_interval_sec": nullable({"type": "integer", "minimum": 1, "maximum": 86400,
                                   "description": "null = ALERT_CHECK_INTERVAL_SEC"}),
}
rule_read_only = {
    "state": {"type": "string", "enum": ["inactive", "pending", "firing", "error"], "readOnly": True},
    "last_evaluated_at": nullable(TIME),
    "last_value": nullable({"type": "number"}),
    "last_error": nullable({"type": "string"}),
}

user_read = {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"},
             "is_active": {"type": "boolean"}, "is_superuser": {"type": "boolean"}, "created_at": TIME}
user_write = {"email": {"type": "string", "format": "email", "maxLength": 254, "description": "stored lower-case"},
              "password": {"type": "string", "minLength": 8, "maxLength": 256, "writeOnly": True},
              "is_active": {"type": "boolean", "default": True},
              "is_superuser": {"type": "boolean", "default": False}}

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
    "Server": obj(dict({"id": {"type": "integer"}}, **server_fields, created_at=TIME, updated_at=TIME),
                  ["id"] + list(server_fields) + ["created_at", "updated_at"]),
    "ServerCreate": obj(server_fields, ["name", "job_name", "instance"],
                        description="Unknown fields are rejected (422 extra_forbidden); read-only fields are ignored."),
    "ServerUpdate": obj(server_fields, description="Partial update: only the fields sent change; null clears a "
                                                    "nullable field."),
    "AlertRule": obj(dict({"id": {"type": "integer"}}, **rule_fields, **rule_read_only, created_at=TIME,
                          updated_at=TIME),
                     ["id"] + list(rule_fields) + list(rule_read_only) + ["created_at", "updated_at"]),
    "AlertRuleCreate": obj(rule_fields, ["name", "metric_name", "promql", "threshold", "comparison"]),
    "AlertRuleUpdate": obj(rule_fields, description="Partial update, validated against the merged rule."),
    "AlertEvent": obj({
        "id": {"type": "integer"}, "rule_id": nullable({"type": "integer"}), "server_id": nullable({"type": "integer"}),
        "rule_name": {"type": "string"}, "status": {"type": "string", "enum": ["firing", "resolved"]},
        "severity": SEVERITY, "value": nullable({"type": "number"}), "threshold": {"type": "number"},
        "comparison": COMPARISON, "labels": {"type": "object", "additionalProperties": {"type": "string"}},
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
    "Readiness": obj({"status": {"type": "string", "enum": ["ok", "unavailable"]},
                      "checks": {"type": "object", "additionalProperties": {"type": "string"},
                                 "description": "per dependency: database (and prometheus, redis when they apply)"}},
                     ["status", "checks"]),
}
schemas["AlertEvent"]["required"] = list(schemas["AlertEvent"]["properties"])
schemas["Silence"]["required"] = list(schemas["Silence"]["properties"])


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def resp(description, schema=None, headers=None):
    r = {"description": description}
    if schema is not None:
        r["content"] = {"application/json": {"schema": schema}}
    if headers:
        r["headers"] = headers
    return r


R401 = resp("Missing, invalid, expired or revoked token", ERR,
            {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}})
R403 = resp("Not allowed (inactive user, not a superuser)", ERR)
R413 = resp("Request body over 1 MiB", ERR)
R415 = resp("Body is not application/json", ERR)
R422 = resp("Validation error: every bad field is listed", ref("HTTPValidationError"))
R503 = resp("Database unavailable", ERR)


def path_param(name, what):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}, "description": what + " id"}


def query(name, schema, description=None):
    p = {"name": name, "in": "query", "required": False, "schema": schema}
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
    if secured:
        o["security"] = [{"bearer": []}, {"oauth2": []}]
        o["responses"]["401"] = R401
        o["responses"]["503"] = R503
    if body is not None:
        o["responses"].update({"413": R413, "415": R415})
    if body is not None or params:
        o["responses"]["422"] = R422
    return o


def crud(tag, base, param, what, read, create, update, filters=(), conflict=None, delete_note=None, superuser=False):
    not_found = resp(what + " not found", ERR)
    extra = {"403": R403} if superuser else {}
    created = {"201": resp("Created", ref(read))}
    if conflict:
        created["409"] = resp(conflict, ERR)
    updated = {"200": resp("Updated", ref(read)), "404": not_found}
    if conflict:
        updated["409"] = resp(conflict, ERR)
    pid = path_param(param, what)
    return {
        base: {
            "get": op(tag, "List " + what.lower() + "s", dict({"200": resp("OK", {"type": "array", "items": ref(read)})},
                                                                **extra), list(filters) + PAGING),
            "post": op(tag, "Create " + what.lower(), dict(created, **extra), body=ref(create)),
        },
        base + "{" + param + "}": {
            "get": op(tag, "Get " + what.lower(), dict({"200": resp("OK", ref(read)), "404": not_found}, **extra),
                      [pid]),
            "patch": op(tag, "Update " + what.lower() + " (partial)", dict(updated, **extra), [pid], body=ref(update)),
            "delete": op(tag, "Delete " + what.lower(), dict({"204": resp("Deleted"), "404": not_found}, **extra),
                         [pid], description=delete_note),
        },
    }


paths = {}
paths["/api/v1/auth/login"] = {"post": {
    "tags": ["auth"], "summary": "Log in (OAuth2 password flow)",
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
paths.update(crud("users", "/api/v1/users/", "user_id", "User", "User", "UserCreate", "UserUpdate",
                  conflict="Email already registered", superuser=True,
                  delete_note="A superuser cannot delete, deactivate or demote themselves (403)."))
paths.update(crud("servers", "/api/v1/servers/", "server_id", "Server", "Server", "ServerCreate", "ServerUpdate",
                  filters=[query("is_active", {"type": "boolean"})],
                  conflict="Server with this name already exists",
                  delete_note="Deletes the server's alert rules too; its alert events stay as history."))
paths.update(crud("alert rules", "/api/v1/alerts/rules/", "rule_id", "Alert rule", "AlertRule", "AlertRuleCreate",
                  "AlertRuleUpdate",
                  filters=[query("server_id", {"type": "integer"}), query("is_active", {"type": "boolean"})]))
event_id = path_param("event_id", "Alert event")
paths["/api/v1/alerts/events/"] = {"get": op("alert events", "List alert events, newest first",
                                             {"200": resp("OK", {"type": "array", "items": ref("AlertEvent")})},
                                             [query("status", {"type": "string", "enum": ["firing", "resolved"]}),
                                              query("rule_id", {"type": "integer"}),
                                              query("server_id", {"type": "integer"}),
                                              query("since", TIME, "events started at or after this time")] + PAGING)}
paths["/api/v1/alerts/events/{event_id}"] = {"get": op("alert events", "Get an alert event",
                                                       {"200": resp("OK", ref("AlertEvent")),
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
paths["/api/v1/health/liveness"] = {"get": op("health", "Liveness: the process serves",
                                              {"200": resp("OK", ref("Liveness"))}, secured=False)}
paths["/api/v1/health/readiness"] = {"get": op("health", "Readiness: dependencies answer",
                                               {"200": resp("Ready", ref("Readiness")),
                                                "503": resp("A dependency is unavailable", ref("Readiness"))},
                                               secured=False)}
paths["/openapi.json"] = {"get": op("docs", "This OpenAPI document", {"200": resp("OK", {"type": "object"})},
                                    secured=False)}
paths["/docs"] = {"get": {"tags": ["docs"], "summary": "Interactive API documentation (Swagger UI, served locally)",
                          "responses": {"200": {"description": "HTML page",
                                                "content": {"text/html": {"schema": {"type": "string"}}}}}}}

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Sentinel", "version": "0.1.0",
             "description": "Self-hosted server monitoring backend: inventory, Prometheus metrics, PromQL alert "
                            "rules, alert events and notifications. Errors are FastAPI-shaped: "
                            "`{\"detail\": \"...\"}`, or for 422 a list of `{loc, msg, type}`.",
             "license": {"name": "proprietary"}},
    "servers": [{"url": "/"}],
    "tags": [{"name": n} for n in ("auth", "users", "servers", "alert rules", "alert events", "silences", "health",
                                   "docs")],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "oauth2": {"type": "oauth2", "flows": {"password": {"tokenUrl": "/api/v1/auth/login", "scopes": {}}}},
        },
    },
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print("wrote", out)
