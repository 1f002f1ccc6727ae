"""Helpers shared by the alert-engine modules (test_alerting.py, test_alerting_edges.py): rules and
events through the API, and what the fake Telegram and the webhook receiver saw about a rule.

Everything takes the Sentinel and the fakes as parameters; each module binds its own."""
import secrets

from fixtures import wait_for

RULES = "/api/v1/alerts/rules/"
EVENTS = "/api/v1/alerts/events/"


def uniq(what):
    """A name nobody else uses: its random suffix also finds it in messages."""
    return "%s-%s" % (what, secrets.token_hex(4))


class AlertingView:
    """Rules and events of one Sentinel through the API, and what the fake Telegram (tg) and the
    webhook receiver (hook) saw about a rule. Methods taking `sentinel` ask that Sentinel
    instead of the default one."""

    def __init__(self, sentinel, tg=None, hook=None):
        self.sentinel, self.tg, self.hook = sentinel, tg, hook

    def get_rule(self, rule_id, sentinel=None):
        s = sentinel or self.sentinel
        r = s.request("GET", RULES + "%d" % rule_id, token=s.admin_token)
        assert r.status == 200, r
        return r.json()

    def events(self, sentinel=None, **query):
        s = sentinel or self.sentinel
        qs = "&".join("%s=%s" % (k, v) for k, v in query.items())
        r = s.request("GET", EVENTS + ("?" + qs if qs else ""), token=s.admin_token)
        assert r.status == 200, r
        return r.json()

    def rule_events(self, rule_id, sentinel=None, **query):
        return self.events(sentinel, rule_id=rule_id, limit=1000, **query)

    def event_with(self, rule_id, sentinel=None, timeout=20, **want):
        """Waits for the rule's single event to match `want`; returns it."""
        def match():
            evs = self.rule_events(rule_id, sentinel)
            return len(evs) == 1 and all(evs[0].get(k) == v for k, v in want.items()) and evs[0]
        return wait_for(match, timeout, "the event of rule %d with %r" % (rule_id, want))

    def rule_with(self, rule_id, sentinel=None, timeout=20, evaluated=False, **want):
        """Waits for the rule's fields to match `want` (with evaluated, also for a first
        evaluation); returns the rule."""
        def match():
            rule = self.get_rule(rule_id, sentinel)
            return (not evaluated or rule["last_evaluated_at"]) \
                and all(rule.get(k) == v for k, v in want.items()) and rule
        return wait_for(match, timeout, "rule %d with %r" % (rule_id, want))

    def messages(self, name, kind=None):
        """Telegram messages accepted by the fake whose heading names this rule, oldest first."""
        out = [m for m in self.tg.messages() if name in m["plain_text"].split("\n", 1)[0]]
        return [m for m in out if kind is None or kind_of(m) == kind]

    def wait_messages(self, name, kind=None, count=1, timeout=20):
        return wait_for(lambda: len(self.messages(name, kind)) >= count and self.messages(name, kind), timeout,
                        "%d %s message(s) for %s" % (count, kind or "any", name))

    def telegram_requests(self, name):
        """Every sendMessage request about this rule, with the fake's answer (matched on the
        random suffix of the name, which HTML escaping leaves alone)."""
        key = name[-8:]
        return [r for r in self.tg.requests() if key in str((r.get("params") or {}).get("text", ""))]

    def hook_requests(self, name):
        """Webhook deliveries whose first alert is this rule's."""
        out = []
        for r in self.hook.requests():
            alerts = (r.get("json") or {}).get("alerts") or []
            if alerts and alerts[0].get("labels", {}).get("alertname") == name:
                out.append(r)
        return out


def kind_of(message):
    """firing, repeat or resolved, from the heading of a Telegram message."""
    head = message["plain_text"].split("\n", 1)[0]
    if "STILL FIRING" in head:
        return "repeat"
    if "RESOLVED" in head:
        return "resolved"
    if "FIRING" in head:
        return "firing"
    return "?"
