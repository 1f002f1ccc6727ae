"""Scale-out on real PostgreSQL and Redis: two `--role api` and two `--role worker`
processes on one database, 1 000 rules.

- Exactly once per interval. Two observers:
  * the database: a trigger (installed by this test) logs every claim, i.e. every
    UPDATE of alert_rules that moves next_eval_at and sets a lease: the rule, the slot
    claimed (OLD.next_eval_at), the next slot, the worker. No (rule, slot) is claimed
    twice, every claim moves the schedule on by whole intervals, each rule's claims form
    one chain (a claim's slot is the previous claim's next slot), so every slot of a
    window is claimed exactly once or visibly skipped;
  * Prometheus: each worker reads it through its own RecordingPrometheus, which records
    every query: each claim is one query by the worker that claimed it (and
    sentinel_rule_evaluations_total on each worker's /metrics agrees).
- A SIGKILLed worker's rules are evaluated by the other: at their next slot, and those it
  held (evaluations in flight: its Prometheus stalled, then the kill) at the first slot
  after their lease ran out; last_evaluated_at advances through the API.
- An event created by a worker reaches /ws/events clients of BOTH API processes, once
  each (Redis channel sentinel:alert_events), firing and resolved.

The counted rules query `vector(<n>) < 0` (never fires): the real Prometheus validates
them at creation (through the API processes), the recording stand-in answers them for
the workers (an empty vector, as Prometheus would) and passes every other query on to
the real Prometheus.
"""
import calendar
import collections
import http.client
import json
import math
import os
import re
import secrets
import sys
import threading
import time
import unittest

import cluster
import harness
from ws_client import WsClient

# ALERT_CHECK_INTERVAL_SEC. 5 s: 1 000 rules make 200 evaluations a second, which one
# worker alone keeps up with on a shared 2-core machine with a build running beside it
# (at 2 s, 500 a second, it skipped ~2 % of its slots then). SENTINEL_TEST_MP_INTERVAL
# overrides it for a harder run.
INTERVAL = int(os.environ.get("SENTINEL_TEST_MP_INTERVAL", "5"))
LEASE = max(2 * INTERVAL, 10)  # storage/alert_engine_statements.hpp LeaseRules
RULES = 1000
WINDOW = 4            # full intervals counted with both workers
SETTLE = 3.0          # after a window: its last slots are claimed and their queries recorded
MAX_SKIPPED = 0.01    # share of a window's slots a loaded machine may skip (each one visible)
IN_FLIGHT = 32        # 2 x PROMETHEUS_MAX_CONCURRENCY (16): evaluations a worker runs at once
# Queries a worker's Prometheus answered whose evaluation is not counted yet: the 16 in
# flight, and outcomes in the group commit (alerting/outcome_writer: one batch of up to 64
# being written, the next one filling meanwhile).
UNRECORDED = 16 + 2 * 64
LOCAL = r"vector\((\d+)\) < 0"
RULES_PATH = "/api/v1/alerts/rules/"

DB_ONLY = "multi-process scale-out needs PostgreSQL (several processes on one database); SQLite is one process"

# Every claim of a rule by a worker (storage/alert_engine_store.cpp claim_due_rules), as the
# database sees it. A first slot being given (next_eval_at NULL -> slot) or a reschedule
# (-> NULL) is not a claim; an UPDATE that sets next_eval_at to what it was would be.
CLAIM_LOG = """
CREATE TABLE mp_claims (rule_id BIGINT NOT NULL, slot BIGINT NOT NULL, next_slot BIGINT NOT NULL,
                        owner TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
CREATE FUNCTION mp_log_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mp_claims VALUES (NEW.id, OLD.next_eval_at, NEW.next_eval_at, NEW.lease_owner,
                                extract(epoch FROM clock_timestamp()));
  RETURN NULL;
END $$;
CREATE TRIGGER mp_log_claim AFTER UPDATE OF next_eval_at ON alert_rules FOR EACH ROW
  WHEN (OLD.next_eval_at IS NOT NULL AND NEW.next_eval_at IS NOT NULL AND NEW.lease_owner IS NOT NULL)
  EXECUTE FUNCTION mp_log_claim();
"""

Claim = collections.namedtuple("Claim", "rule slot next worker at")


def log(msg):
    sys.stderr.write("[multiprocess] %s\n" % msg)
    sys.stderr.flush()


@unittest.skipUnless(harness.DB_KIND == "postgresql", DB_ONLY)
class MultiProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prometheus = harness.test_env("PROMETHEUS_URL")
        redis = harness.test_env("REDIS_URL")
        if not prometheus or not redis:
            raise RuntimeError("SENTINEL_TEST_PROMETHEUS_URL / SENTINEL_TEST_REDIS_URL not available: "
                               "run through ctest (scripts/test-env)")
        cls.recorders = []
        cls.cluster = None
        try:
            cls.recorders = [cluster.RecordingPrometheus(prometheus, LOCAL) for _ in range(2)]
            cls.cluster = cluster.Cluster({"REDIS_URL": redis, "ALERT_CHECK_INTERVAL_SEC": str(INTERVAL)})
            c = cls.cluster
            cls.api_a, cls.api_b = c.add("api", name="api-a"), c.add("api", name="api-b")
            cls.workers = [c.add("worker", {"PROMETHEUS_URL": r.url}, name="worker-%d" % (i + 1))
                           for i, r in enumerate(cls.recorders)]
            started = time.time()
            c.start_all()  # a fresh database: the four migrate and bootstrap at once
            log("4 processes up in %.2f s" % (time.time() - started))
            users = c.sql("SELECT count(*) FROM users")
            if users != [["1"]]:
                raise AssertionError("first superuser created %s times by 4 processes starting at once" % users)
            c.sql(CLAIM_LOG)
            cls.worker_of_pid = {str(w.pid): i for i, w in enumerate(cls.workers)}
            cls.token = cls.api_a.admin_token
            cls.rule_ids = cls.create_rules()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def create_rules(cls):
        """RULES rules through both API processes at once (8 connections); {n: rule id}."""
        ids, errors = {}, []
        started = time.time()

        def create(k):
            s = (cls.api_a, cls.api_b)[k % 2]
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            try:
                for n in range(k, RULES, 8):
                    r = s.request("POST", RULES_PATH, {
                        "name": "mp-%04d" % n, "metric_name": "mp", "promql": "vector(%d) < 0" % n,
                        "threshold": 0, "comparison": ">", "channel": "none"}, token=cls.token, conn=conn)
                    if r.status != 201:
                        errors.append((n, r))
                        return
                    ids[n] = r.json()["id"]
            except Exception as e:  # noqa: reported below
                errors.append((k, e))
            finally:
                conn.close()

        threads = [threading.Thread(target=create, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise AssertionError("creating rules failed: %r" % errors[:3])
        cls.created_at = time.time()
        log("%d rules created in %.2f s through both API processes" % (RULES, cls.created_at - started))
        return ids

    @classmethod
    def tearDownClass(cls):
        unclean = []
        for m in (cls.cluster.members if cls.cluster else []):
            if m.proc and m.proc.poll() is None:
                try:
                    code = m.stop(expect_clean=False)
                except AssertionError as e:
                    code = str(e)
                if code != 0:
                    unclean.append("%s: %s\n%s" % (m.name, code, m.read_log()))
        if cls.cluster:
            cls.cluster.close()
        for r in cls.recorders:
            r.close()
        if unclean:
            raise AssertionError("SIGTERM did not stop every process cleanly:\n" + "\n".join(unclean))

    def assert_none(self, found, what):
        """Fails with how many and a few of them (not a diff of a thousand rules)."""
        if found:
            items = sorted(found.items()) if isinstance(found, dict) else sorted(found)
            self.fail("%s: %d, e.g. %r" % (what, len(items), items[:5]))

    # --- observers -----------------------------------------------------------
    def assert_running(self, *members):
        for m in members:
            if m.proc.poll() is not None:
                self.fail("%s exited with %s:\n%s" % (m.name, m.proc.returncode, m.read_log()))

    @staticmethod
    def engine_metrics(worker):
        """(evaluations ok, evaluations failed, slots skipped) from a worker's GET /metrics."""
        r = worker.request("GET", "/metrics")
        assert r.status == 200, r
        totals = collections.Counter()
        for (name, labels), value in harness.parse_metrics_text(r.body):
            if name == "sentinel_rule_evaluations_total":
                totals[labels.get("result")] += value
            elif name == "sentinel_rule_evaluations_skipped_total":
                totals["skipped"] += value
        return totals["ok"], totals["error"], totals["skipped"]

    def claims(self):
        """Every claim of a counted rule so far, [Claim], worker = index in self.workers."""
        counted = set(self.rule_ids.values())
        out = []
        for rule, slot, nxt, owner, at in self.cluster.sql("SELECT rule_id, slot, next_slot, owner, at FROM mp_claims"):
            if int(rule) in counted:
                out.append(Claim(int(rule), int(slot), int(nxt), self.worker_of_pid.get(owner.split(":")[-2]),
                                 float(at)))
        return out

    def evaluations(self):
        """[(rule id, evaluation time Sentinel sent, worker index)] from both recorders."""
        out = []
        for w, rec in enumerate(self.recorders):
            for promql, at, _ in rec.snapshot():
                m = re.fullmatch(LOCAL, promql)
                if m and at is not None:
                    out.append((self.rule_ids[int(m.group(1))], at, w))
        return out

    # --- assertions ------------------------------------------------------------
    def assert_one_chain_per_rule(self, claims):
        """No slot claimed twice; each claim moves next_eval_at on by whole intervals (more
        than one: skipped slots); each claim's slot is the previous claim's next slot."""
        unknown = [c for c in claims if c.worker is None]
        if unknown:
            self.fail("claims by an unknown owner: %r" % unknown[:3])
        twice = [k for k, n in collections.Counter((c.rule, c.slot) for c in claims).items() if n > 1]
        if twice:
            self.fail("%d (rule, slot) pairs claimed more than once, e.g. %r"
                      % (len(twice), [[c for c in claims if (c.rule, c.slot) == k] for k in twice[:3]]))
        bad_step = [c for c in claims if c.next - c.slot < INTERVAL or (c.next - c.slot) % INTERVAL]
        if bad_step:
            self.fail("%d claims did not move the rule on by whole intervals, e.g. %r" % (len(bad_step), bad_step[:3]))
        chains = collections.defaultdict(list)
        for c in sorted(claims, key=lambda c: c.slot):
            chains[c.rule].append(c)
        broken = [(a, b) for chain in chains.values() for a, b in zip(chain, chain[1:]) if b.slot != a.next]
        if broken:
            self.fail("%d claims not at the slot the previous one scheduled, e.g. %r" % (len(broken), broken[:3]))
        never = set(self.rule_ids.values()) - set(chains)
        if never:
            self.fail("%d rules never claimed, e.g. %r" % (len(never), sorted(never)[:5]))
        return chains

    def assert_claims_evaluated(self, claims, evals, unanswered=()):
        """Each claim is one query by the worker that claimed it: per (rule, worker) as many
        queries as claims, but for each rule's latest claim (maybe still in flight) and for
        `unanswered` (rule, worker) pairs (claims whose query never left a killed worker)."""
        n_claims = collections.Counter((c.rule, c.worker) for c in claims)
        n_evals = collections.Counter((r, w) for r, _, w in evals)
        latest = {}
        for c in claims:
            if c.rule not in latest or c.slot > latest[c.rule].slot:
                latest[c.rule] = c
        wrong = {}
        for key in set(n_claims) | set(n_evals):
            diff = n_claims[key] - n_evals[key]
            if diff == 0:
                continue
            may_lack = key in unanswered or latest[key[0]].worker == key[1]
            if not (diff == 1 and may_lack):
                wrong[key] = (n_claims[key], n_evals[key])
        if wrong:
            self.fail("%d (rule, worker) pairs whose claims and queries differ, e.g. %r (claims, queries)"
                      % (len(wrong), sorted(wrong.items())[:5]))

    def assert_window(self, chains, t0, t1, what):
        """Every slot in [t0, t1) of every rule claimed once or skipped; returns the claims of
        the window by worker and the number of skipped slots."""
        per_worker, skipped, unaccounted = collections.Counter(), 0, {}
        for rule, chain in chains.items():
            covered = 0
            for c in chain:
                if t0 <= c.slot < t1:
                    per_worker[c.worker] += 1
                    covered += 1
                # The slots a claim jumped over (claimed late, or leased when due).
                for s in range(c.slot + INTERVAL, c.next, INTERVAL):
                    if t0 <= s < t1:
                        skipped += 1
                        covered += 1
            if covered != (t1 - t0) // INTERVAL:
                unaccounted[rule] = covered
        if unaccounted:
            self.fail("%s: %d rules whose slots in [%d, %d) were not all claimed by %.1f, e.g. %r (slots covered)"
                      % (what, len(unaccounted), t0, t1, time.time(), sorted(unaccounted.items())[:5]))
        total = sum(per_worker.values()) + skipped
        self.assertLessEqual(skipped, MAX_SKIPPED * total, "%s: %d of %d slots skipped" % (what, skipped, total))
        return per_worker, skipped

    def rules_via_api(self, api):
        rules = []
        for skip in (0, 1000):
            r = api.request("GET", RULES_PATH + "?limit=1000&skip=%d" % skip, token=self.token)
            self.assertEqual(r.status, 200, r)
            rules += [x for x in r.json() if x["name"].startswith("mp-0")]
        self.assertEqual(len(rules), RULES)
        return rules

    @staticmethod
    def unix(iso):
        return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))

    # --- tests (in name order: the kill comes after the two-worker window) -----------
    def test_1_each_rule_evaluated_exactly_once_per_interval(self):
        # Every rule's first slot lies within one interval of its creation.
        t0 = math.ceil(self.created_at) + INTERVAL + 1
        t1 = t0 + WINDOW * INTERVAL
        time.sleep(max(0.0, t1 + SETTLE - time.time()))
        self.assert_running(*self.cluster.members)

        # Sentinel's own count, then at once the queries its Prometheus saw: at least as many.
        counted = [self.engine_metrics(w) + (len(rec.snapshot()),) for w, rec in zip(self.workers, self.recorders)]
        evals = self.evaluations()
        claims = self.claims()
        chains = self.assert_one_chain_per_rule(claims)
        self.assert_claims_evaluated(claims, evals)
        per_worker, skipped = self.assert_window(chains, t0, t1, "two workers")

        total = sum(per_worker.values())
        shares = [per_worker[w] / total for w in range(2)]
        log("window of %d x %d s: %d slots, %d claimed and evaluated once, %d skipped; split worker-1 %d "
            "(%.1f %%), worker-2 %d (%.1f %%); whole run so far: %d claims, %d queries; per worker /metrics "
            "(ok, error, skipped, queries seen) %r"
            % (WINDOW, INTERVAL, RULES * WINDOW, total, skipped, per_worker[0], 100 * shares[0], per_worker[1],
               100 * shares[1], len(claims), len(evals), counted))
        for w in range(2):
            self.assertGreater(shares[w], 0.10, "worker-%d took %.1f %% of the evaluations" % (w + 1, 100 * shares[w]))

        for w, (ok, error, _, seen) in enumerate(counted):
            if error:
                self.fail("worker-%d: %d failed evaluations\n%s" % (w + 1, error, self.workers[w].read_log()))
            # Queried but not counted: at most UNRECORDED, plus the few started between the reads.
            self.assertTrue(ok <= seen <= ok + UNRECORDED + 20, "worker-%d: /metrics says %d evaluations, "
                            "its Prometheus saw %d queries" % (w + 1, ok, seen))

        # The API shows them evaluated too (both API processes read the one database).
        for api in (self.api_a, self.api_b):
            stale = [r["id"] for r in self.rules_via_api(api)
                     if not r["last_evaluated_at"] or self.unix(r["last_evaluated_at"]) < t1 - INTERVAL - 1]
            self.assert_none(stale, "%s: rules not evaluated lately" % api.name)

    def test_2_killed_worker_rules_continue_on_the_other(self):
        victim, survivor = self.workers
        v, s = 0, 1
        self.assert_running(victim, survivor)
        # The victim's Prometheus stops answering: its evaluations stay in flight, their
        # rules leased to it (IN_FLIGHT of them; 16 queries reach Prometheus, the others
        # wait in Sentinel's client), as they would be were it killed mid-query.
        stalled_from = len(self.recorders[v].snapshot())
        self.recorders[v].stall()
        wait_until = time.time() + 3
        while len(self.recorders[v].snapshot()) - stalled_from < 16 and time.time() < wait_until:
            time.sleep(0.05)
        time.sleep(0.3)
        pid = victim.pid
        t_kill = time.time()
        victim.kill()
        held = {int(i): int(e) for i, e, owner in self.cluster.sql(
            "SELECT id, lease_expires_at, lease_owner FROM alert_rules WHERE lease_owner IS NOT NULL")
            if owner.split(":")[-2] == str(pid)}
        self.assertGreaterEqual(len(held), 16, "the dead worker held fewer leases than it had queries in flight")
        deadline = max(held.values()) + INTERVAL + 5

        # Every rule evaluated by the survivor after the kill: at its next slot, or for
        # a rule leased by the dead worker at the first slot after the lease ran out.
        pending = set(self.rule_ids.values())
        first_after = {}
        while pending and time.time() < deadline:
            time.sleep(0.25)
            for rule, at, w in self.evaluations():
                if w == s and at > t_kill and rule in pending:
                    pending.discard(rule)
                    first_after[rule] = at
        self.assertEqual(len(pending), 0, "%d rules not evaluated by the survivor within %.0f s of the kill "
                         "(%d of them leased by the dead worker)"
                         % (len(pending), deadline - t_kill, len(pending & set(held))))
        free_late = {r: round(at - t_kill, 2) for r, at in first_after.items()
                     if r not in held and at - t_kill > INTERVAL + 2}
        self.assert_none(free_late, "rules not leased by the dead worker waited more than an interval")
        early = {r: (first_after[r], e) for r, e in held.items() if first_after[r] < e}
        self.assert_none(early, "rules of the dead worker evaluated before their lease ran out")
        held_late = {r: (first_after[r], e) for r, e in held.items() if first_after[r] > e + INTERVAL + 2}
        self.assert_none(held_late, "rules of the dead worker not evaluated at the first slot after the lease")
        moved_at = max(at for r, at in first_after.items() if r not in held) - t_kill
        held_at = max(first_after[r] for r in held) - t_kill

        # Through the API (last_evaluated_at, whole seconds): every rule after the kill.
        while True:
            stale = [r["id"] for r in self.rules_via_api(self.api_b)
                     if not r["last_evaluated_at"] or self.unix(r["last_evaluated_at"]) <= t_kill]
            if not stale or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assert_none(stale, "last_evaluated_at did not advance after the kill")
        errors = [r["id"] for r in self.rules_via_api(self.api_b) if r["state"] == "error"]
        self.assert_none(errors, "rules in state error")

        # The survivor alone: still one chain per rule, every slot of two intervals its own.
        t0 = math.ceil(time.time()) + 1
        t1 = t0 + 2 * INTERVAL
        time.sleep(max(0.0, t1 + SETTLE - time.time()))
        self.assert_running(survivor, self.api_a, self.api_b)
        evals = self.evaluations()
        claims = self.claims()
        chains = self.assert_one_chain_per_rule(claims)
        self.assert_claims_evaluated(claims, evals, unanswered={(r, v) for r in held})
        per_worker, skipped = self.assert_window(chains, t0, t1, "survivor alone")
        self.assertEqual(per_worker[v], 0)
        jumped = sum((c.next - c.slot) // INTERVAL - 1 for c in claims if c.rule in held and c.worker == s
                     and c.at > t_kill and c.slot < t_kill + LEASE)
        log("kill: the dead worker (pid %d) held %d rules; every rule evaluated by the survivor within %.1f s "
            "of the kill, the held ones within %.1f s (lease %d s, interval %d s; %d of their slots skipped); "
            "survivor alone: %d slots claimed and evaluated once of %d in 2 intervals, %d skipped"
            % (pid, len(held), moved_at, held_at, LEASE, INTERVAL, jumped, per_worker[s], 2 * RULES, skipped))

    def test_3_event_reaches_ws_clients_of_both_api_processes(self):
        self.assert_running(self.api_a, self.api_b)
        # One client with the token as a subprotocol, one with ?token=.
        ws_a = WsClient.connect("127.0.0.1", self.api_a.port, "/ws/events", subprotocols=["bearer", self.token])
        ws_b = WsClient.connect("127.0.0.1", self.api_b.port, "/ws/events?token=" + self.token)
        self.addCleanup(ws_a.abort)
        self.addCleanup(ws_b.abort)
        self.assertEqual(ws_a.status, 101)
        self.assertEqual(ws_b.status, 101)
        # Redis is shared with other test modules (its channel too): only our rule's frames count.
        name = "mp-fire-" + secrets.token_hex(4)
        frames = {"api-a": [], "api-b": []}

        def collect(until):
            for ws, key in ((ws_a, "api-a"), (ws_b, "api-b")):
                while True:
                    try:
                        msg = ws.recv(timeout=0.05)
                    except TimeoutError:
                        break
                    self.assertEqual(msg[0], "text", msg)
                    frame = json.loads(msg[1])
                    self.assertEqual(frame.get("type"), "alert_event", frame)
                    if frame["event"].get("rule_name") == name:
                        frames[key].append(frame["event"])
            return all(any(until(e) for e in f) for f in frames.values())

        def wait(until, what, timeout=15):
            deadline = time.time() + timeout
            while not collect(until):
                self.assertLess(time.time(), deadline, "%s: not on both /ws/events clients within %d s: %r"
                                % (what, timeout, frames))

        r = self.api_a.request("POST", RULES_PATH, {
            "name": name, "metric_name": "mp", "promql": "vector(1)", "threshold": 0, "comparison": ">",
            "channel": "none", "eval_interval_sec": 1, "repeat_interval_sec": 0}, token=self.token)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        created = time.time()
        wait(lambda e: e["status"] == "firing", "firing event")
        fired_after = time.time() - created
        event = next(e for e in frames["api-b"] if e["status"] == "firing")
        self.assertEqual(event["rule_id"], rule["id"])
        self.assertEqual(event["value"], 1)
        stored = self.api_b.request("GET", "/api/v1/alerts/events/%d" % event["id"], token=self.token)
        self.assertEqual(stored.status, 200, stored)
        stored_event = stored.json()
        self.assertIn("notifications", stored_event)  # GET adds where its notifications went
        del stored_event["notifications"]
        self.assertEqual(stored_event, event, "the frame's event is the API's AlertEvent")
        self.assertEqual(next(e for e in frames["api-a"] if e["status"] == "firing")["id"], event["id"])

        # Resolved, through the other API process.
        r = self.api_b.request("PATCH", RULES_PATH + "%d" % rule["id"], {"threshold": 5}, token=self.token)
        self.assertEqual(r.status, 200, r)
        wait(lambda e: e["status"] == "resolved" and e["id"] == event["id"], "resolved event")
        time.sleep(1.0)  # anything sent twice would be here by now
        collect(lambda e: True)
        for key, got in frames.items():
            kinds = collections.Counter((e["id"], e["status"]) for e in got)
            self.assertEqual(kinds, {(event["id"], "firing"): 1, (event["id"], "resolved"): 1},
                             "%s got %r" % (key, got))
        by = [w + 1 for w, rec in enumerate(self.recorders) if any(q == "vector(1)" for q, _, _ in rec.snapshot())]
        log("event %d fired %.1f s after its rule was created through api-a (evaluated by worker %r); "
            "firing and resolved frames reached both api-a and api-b once each" % (event["id"], fired_after, by))


if __name__ == "__main__":
    unittest.main()
