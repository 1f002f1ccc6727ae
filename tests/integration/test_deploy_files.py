"""The deployment files (product.md §6), checked without a Docker engine:

- deploy/docker-compose.yml: `docker-compose config` (Debian's docker-compose) accepts
  it with .env.example as the .env, and the services, healthchecks, dependencies,
  roles and secrets are what the README promises; without a .env it refuses.
- deploy/prometheus.yml: `promtool check config`, the jobs (the hosts from Sentinel's HTTP
  service discovery, with the token file of the mounted deploy/secrets) and a scrape
  interval that suits Sentinel's [1m] rates.
- deploy/grafana: the provisioning points at the dashboard and the datasource uid the
  dashboard uses; every PromQL expression of the dashboard (template variables filled
  in) is accepted by the test Prometheus, and has data where data exists: a real
  node_exporter, a synthetic cAdvisor and a real Sentinel (with a rule firing and a
  webhook failing) scraped by it. The host panels are the API's own queries.
- deploy/Dockerfile: the build stage installs through scripts/install-deps build,
  the runtime stage installs no -dev package and every library the binary links,
  and .dockerignore keeps what the build copies.
- .env.example: every variable Sentinel reads, defaults as `sentinel check-config`
  prints them, and Sentinel accepts the file as its .env.
- deploy/systemd: deploy/systemd/install (what `make install` runs) into a temporary
  prefix; the units pass `systemd-analyze verify`.

Nothing here depends on the database, so the module runs in the SQLite pass only.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import yaml

import harness
from fixtures import FixtureCadvisor, _Target, prometheus_query, prometheus_values, wait_for

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(REPO, "deploy")
ONE_PASS = "deployment files do not depend on the database: checked in the SQLite pass"


def path(*parts):
    return os.path.join(REPO, *parts)


def read(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read()


def config_variables():
    """The variable names Sentinel reads: the `names` list in src/config/config.cpp."""
    src = read("src", "config", "config.cpp")
    m = re.search(r"std::vector<std::string> names = \{(.*?)\};", src, re.S)
    assert m, "names list not found in src/config/config.cpp"
    names = re.findall(r'"([A-Z][A-Z0-9_]*)"', m.group(1))
    assert len(names) >= 25, names
    return names


def env_example_entries():
    """.env.example as {name: (value, commented)} for `NAME=value` and `# NAME=value` lines."""
    out = {}
    for line in read(".env.example").splitlines():
        m = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if m:
            out[m.group(2)] = (m.group(3), bool(m.group(1)))
    return out


def check_config(cwd, env=None):
    """`sentinel check-config` in `cwd` with nothing but PATH (and `env`) in the environment."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    e.update(env or {})
    return subprocess.run([harness.BIN, "check-config"], cwd=cwd, env=e, capture_output=True, text=True,
                          timeout=30)


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class EnvExample(unittest.TestCase):
    def test_lists_every_variable_sentinel_reads(self):
        entries = env_example_entries()
        missing = [n for n in config_variables() if n not in entries]
        self.assertEqual(missing, [], "variables of src/config/config.cpp missing from .env.example")

    def test_every_variable_has_a_comment(self):
        lines = read(".env.example").splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^[A-Z][A-Z0-9_]*=", line):
                # The entry is preceded by a comment line (possibly one shared by a group).
                j = i - 1
                while j >= 0 and re.match(r"^(#\s*)?[A-Z][A-Z0-9_]*=", lines[j]):
                    j -= 1
                self.assertTrue(j >= 0 and lines[j].startswith("#") and len(lines[j]) > 2,
                                "%s has no comment above it" % line)

    def test_defaults_shown_are_sentinels(self):
        """`# NAME=value` documents a default: it must be what Sentinel really uses."""
        with tempfile.TemporaryDirectory() as d:
            r = check_config(d)
        self.assertEqual(r.returncode, 0, r.stderr)
        effective = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
        known = set(config_variables())
        shown = {n: v for n, (v, commented) in env_example_entries().items() if commented and n in known}
        self.assertGreaterEqual(len(shown), 10, shown)
        for name, value in shown.items():
            self.assertEqual(value, effective.get(name), "default of %s in .env.example" % name)

    def test_sentinel_accepts_it_as_its_env_file(self):
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(path(".env.example"), os.path.join(d, ".env"))
            r = check_config(d)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # It is read: a value set only there shows up in the effective configuration.
            with open(os.path.join(d, ".env"), "a") as f:
                f.write("LOG_FORMAT=json\n")
            r = check_config(d)
            self.assertIn("LOG_FORMAT=json\n", r.stdout)


def compose(workdir, *args, env_file=True):
    cmd = ["docker-compose"]
    if env_file:
        cmd += ["--env-file", os.path.join(workdir, ".env")]
    cmd += ["-f", os.path.join(workdir, "deploy", "docker-compose.yml")] + list(args)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    env.pop("POSTGRES_PASSWORD", None)
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
@unittest.skipUnless(shutil.which("docker-compose"), "docker-compose not installed (scripts/install-deps test)")
class ComposeFile(unittest.TestCase):
    """A temporary copy of deploy/ with .env.example as its .env beside it (never a .env
    in the repository)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sentinel-compose-")
        shutil.copytree(DEPLOY, os.path.join(cls.dir, "deploy"))
        shutil.copy(path(".env.example"), os.path.join(cls.dir, ".env"))
        r = compose(cls.dir, "config")
        cls.result = r
        cls.config = yaml.safe_load(r.stdout) if r.returncode == 0 else None
        cls.env = {n: v for n, (v, commented) in env_example_entries().items() if not commented}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def service(self, name):
        self.assertIsNotNone(self.config, self.result.stderr)
        return self.config["services"][name]

    def test_config_passes(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertEqual(set(self.config["services"]),
                         {"api", "worker", "postgres", "redis", "prometheus", "node-exporter", "cadvisor", "grafana"})
        self.assertNotIn("version", yaml.safe_load(read("deploy", "docker-compose.yml")),
                         "a version key 3.x makes docker-compose 1.29 drop depends_on conditions")

    def test_refuses_without_the_env_file(self):
        os.rename(os.path.join(self.dir, ".env"), os.path.join(self.dir, "env.off"))
        try:
            r = compose(self.dir, "config", env_file=False)
        finally:
            os.rename(os.path.join(self.dir, "env.off"), os.path.join(self.dir, ".env"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("POSTGRES_PASSWORD", r.stderr)

    def test_roles_addresses_and_secrets(self):
        for name, role in (("api", "api"), ("worker", "worker")):
            s = self.service(name)
            self.assertEqual(s["command"], ["serve", "--role", role])
            env = s["environment"]
            self.assertEqual(env["HOST"], "0.0.0.0")
            self.assertEqual(env["DATABASE_URL"],
                             "postgresql://sentinel:%s@postgres:5432/sentinel" % self.env["POSTGRES_PASSWORD"])
            self.assertEqual(env["REDIS_URL"], "redis://redis:6379/0")
            self.assertEqual(env["PROMETHEUS_URL"], "http://prometheus:9090")
            # Everything else comes from .env (env_file): secrets and channels.
            for var in ("SECRET_KEY", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "WEBHOOK_URL"):
                self.assertIn(var, env)
            self.assertEqual(s["build"]["dockerfile"], "deploy/Dockerfile")
            self.assertTrue(os.path.samefile(s["build"]["context"], self.dir))
            self.assertIn("/data", [v.split(":")[1] if isinstance(v, str) else v["target"] for v in s["volumes"]])
        self.assertEqual(self.service("postgres")["environment"]["POSTGRES_PASSWORD"], self.env["POSTGRES_PASSWORD"])
        grafana = self.service("grafana")["environment"]
        self.assertEqual((grafana["GF_SECURITY_ADMIN_USER"], grafana["GF_SECURITY_ADMIN_PASSWORD"]), ("admin", "admin"))

    def test_published_ports(self):
        published = {}
        for name, s in self.config["services"].items():
            for p in s.get("ports", []):
                published[int(p["published"])] = (name, int(p["target"]))
        self.assertEqual(published, {8000: ("api", 8000), 3000: ("grafana", 3000), 9090: ("prometheus", 9090)})

    def test_healthchecks_and_dependencies(self):
        for name, s in self.config["services"].items():
            self.assertIn("healthcheck", s, name)
            self.assertIn(s["healthcheck"]["test"][0], ("CMD", "CMD-SHELL"), name)
        for name in ("api", "worker"):
            test = self.service(name)["healthcheck"]["test"]
            self.assertIn("http://127.0.0.1:8000/api/v1/health/liveness", test)
            deps = self.service(name)["depends_on"]
            for dep in ("postgres", "redis"):
                self.assertEqual(deps[dep], {"condition": "service_healthy"}, (name, dep))
        self.assertEqual(self.service("grafana")["depends_on"]["prometheus"], {"condition": "service_healthy"})

    def test_mounted_files_exist(self):
        for name, s in self.config["services"].items():
            for v in s.get("volumes", []):
                source = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
                if source.startswith(self.dir):
                    self.assertTrue(os.path.exists(source), "%s mounts missing %s" % (name, source))
        mounts = [v for v in self.service("prometheus")["volumes"] if "prometheus.yml" in str(v)]
        self.assertEqual(len(mounts), 1, self.service("prometheus")["volumes"])

    def test_every_substituted_variable_is_in_env_example(self):
        code = "\n".join(line.split("#")[0] for line in read("deploy", "docker-compose.yml").splitlines())
        used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", code))
        self.assertIn("POSTGRES_PASSWORD", used)
        self.assertEqual(sorted(used - set(env_example_entries())), [])


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class PrometheusConfig(unittest.TestCase):
    def test_promtool_check_config(self):
        r = subprocess.run(["promtool", "check", "config", path("deploy", "prometheus.yml")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout + r.stderr)

    def test_jobs_and_interval(self):
        cfg = yaml.safe_load(read("deploy", "prometheus.yml"))
        interval = cfg["global"]["scrape_interval"]
        self.assertRegex(interval, r"^\d+s$")
        self.assertLessEqual(int(interval[:-1]), 30, "Sentinel's [1m] rates need several samples a minute")
        jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
        # The hosts come from Sentinel's HTTP service discovery (product.md §10), through the
        # api service, with the token file of the folder docker-compose mounts; no static job
        # lists an exporter besides (it would be scraped twice).
        [http_sd] = jobs["sentinel-servers"]["http_sd_configs"]
        self.assertEqual(http_sd["url"], "http://api:8000/api/v1/sd/targets")
        self.assertRegex(http_sd["refresh_interval"], r"^\d+s$")
        self.assertLessEqual(int(http_sd["refresh_interval"][:-1]), 60)
        # Prometheus's http_sd does not default the type to Bearer (prometheus/docs#2377).
        self.assertEqual(http_sd["authorization"]["type"], "Bearer")
        token_file = http_sd["authorization"]["credentials_file"]
        mounts = yaml.safe_load(read("deploy", "docker-compose.yml"))["services"]["prometheus"]["volumes"]
        folders = {m.split(":")[1]: m.split(":")[0] for m in mounts if m.startswith("./")}
        self.assertEqual(folders.get(os.path.dirname(token_file)), "./secrets")
        self.assertTrue(os.path.isfile(os.path.join(DEPLOY, "secrets", ".gitignore")))
        self.assertNotIn(os.path.basename(token_file),
                         subprocess.run(["git", "-C", REPO, "ls-files", "deploy/secrets"], capture_output=True,
                                        text=True).stdout, "the token file is never committed")
        statics = [t for j in cfg["scrape_configs"] for c in j.get("static_configs", []) for t in c["targets"]]
        self.assertEqual(statics, ["localhost:9090"])
        sd = jobs["sentinel"]["dns_sd_configs"][0]
        self.assertEqual((sorted(sd["names"]), sd["type"], sd["port"]), (["api", "worker"], "A", 8000))
        self.assertIn("prometheus", jobs)


# --- Grafana --------------------------------------------------------------------------

DASHBOARD = ("deploy", "grafana", "dashboards", "sentinel.json")
GRAFANA_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


def dashboard():
    return json.loads(read(*DASHBOARD))


def panels(dash):
    for p in dash["panels"]:
        yield p
        yield from p.get("panels", [])


def targets(dash):
    """[(panel title, target)] of every query panel."""
    return [(p["title"], t) for p in panels(dash) for t in p.get("targets", [])]


def catalogue():
    """The raw PromQL strings of src/prometheus/query_catalogue.cpp."""
    return re.findall(r'R"\((.*?)\)"', read("src", "prometheus", "query_catalogue.cpp"), re.S)


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class GrafanaFiles(unittest.TestCase):
    def test_provisioning_points_at_the_dashboard_and_datasource(self):
        ds = yaml.safe_load(read("deploy", "grafana", "provisioning", "datasources", "prometheus.yml"))
        [source] = ds["datasources"]
        self.assertEqual((source["type"], source["url"], source["isDefault"]),
                         ("prometheus", "http://prometheus:9090", True))
        provider = yaml.safe_load(read("deploy", "grafana", "provisioning", "dashboards", "sentinel.yml"))
        [p] = provider["providers"]
        self.assertEqual(p["type"], "file")
        # The container path of the provider is where docker-compose mounts deploy/grafana/dashboards.
        mounts = yaml.safe_load(read("deploy", "docker-compose.yml"))["services"]["grafana"]["volumes"]
        host = {m.split(":")[1]: m.split(":")[0] for m in mounts}
        self.assertEqual(host.get(p["options"]["path"]), "./grafana/dashboards")
        self.assertEqual(host.get("/etc/grafana/provisioning"), "./grafana/provisioning")
        self.assertTrue(os.path.isfile(os.path.join(DEPLOY, "grafana", "dashboards", "sentinel.json")))
        # Every panel and query uses the provisioned datasource, by uid.
        dash = dashboard()
        uids = {json.dumps(p["datasource"], sort_keys=True) for p in panels(dash) if p["type"] != "row"}
        uids |= {json.dumps(t["datasource"], sort_keys=True) for _, t in targets(dash)}
        uids |= {json.dumps(v["datasource"], sort_keys=True) for v in dash["templating"]["list"]}
        self.assertEqual(uids, {json.dumps({"type": "prometheus", "uid": source["uid"]}, sort_keys=True)})

    def test_dashboard_shape(self):
        dash = dashboard()
        self.assertEqual((dash["title"], dash["uid"]), ("Sentinel", "sentinel"))
        variables = {v["name"]: v for v in dash["templating"]["list"]}
        self.assertEqual(variables["instance"]["definition"], 'label_values(node_uname_info{job="$job"}, instance)')
        self.assertIn("node_uname_info", variables["job"]["definition"])
        self.assertEqual({p.get("repeat") for p in dash["panels"] if p["type"] == "row"}, {None, "instance", "cadvisor"})
        ids = [p["id"] for p in panels(dash)]
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        exprs = " ".join(t["expr"] for _, t in targets(dash))
        for metric in ("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes",
                       "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
                       "container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                       "sentinel_http_requests_total", "sentinel_http_request_duration_seconds_bucket",
                       "sentinel_rule_evaluations_total", "sentinel_rule_evaluation_duration_seconds_bucket",
                       "sentinel_rule_evaluations_skipped_total", "sentinel_rules", "sentinel_notifications_total",
                       "sentinel_outbox_depth", "sentinel_prometheus_query_duration_seconds_bucket",
                       "sentinel_ws_clients", "sentinel_ws_event_clients", "sentinel_db_pool_connections",
                       "sentinel_build_info", "process_resident_memory_bytes", "process_cpu_seconds_total"):
            self.assertRegex(exprs, r"\b%s\b" % metric)
        # DB-wide gauges are reported alike by every process: max, never sum.
        self.assertIn("max by (state) (sentinel_rules)", exprs)
        self.assertIn("max by (channel) (sentinel_outbox_depth)", exprs)

    def test_host_and_container_panels_are_the_apis_queries(self):
        """The same PromQL as the API's summary and container endpoints, so the numbers match."""
        exprs = {t["expr"] for _, t in targets(dashboard())}
        cat = catalogue()
        host = [q for q in cat if re.search(r"node_(cpu_seconds|memory_MemAvailable|filesystem_avail|network_"
                                            r"(receive|transmit)_bytes)", q)]
        self.assertEqual(len(host), 5, host)
        for q in host:
            self.assertIn(q, exprs)
        containers = [q.replace("$instance", "$cadvisor") for q in cat
                      if re.search(r"container_(cpu_usage_seconds_total|memory_working_set_bytes)", q)]
        self.assertEqual(len(containers), 2, containers)
        for q in containers:
            self.assertIn(q, exprs)


class SentinelTarget(_Target):
    """A real Sentinel's /metrics as a target of the test Prometheus (job "sentinel")."""

    def __init__(self, address):
        super().__init__(None, "sentinel", address, "/metrics")
        self.instance = address
        self._write_target()

    def _forget(self):
        pass  # no fixture exporter state behind this target


def substitute(expr, values):
    def one(m):
        name = m.group(1) or m.group(2)
        if name not in values:
            raise AssertionError("no value for template variable $%s in %r" % (name, expr))
        return values[name]
    return GRAFANA_VARIABLE.sub(one, expr)


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class DashboardQueries(unittest.TestCase):
    """Every expression against the test Prometheus, which scrapes a real node_exporter
    (job node), a synthetic cAdvisor and, for this module, a real Sentinel whose rule fires
    every second and whose webhook receiver is down (so evaluations, Prometheus queries and
    notification retries all happen)."""

    @classmethod
    def setUpClass(cls):
        cls.node = harness.test_env("NODE_EXPORTER")
        if not cls.node:
            raise unittest.SkipTest("no node_exporter in the test environment")
        cls.sentinel = harness.Sentinel({"WEBHOOK_URL": "http://127.0.0.1:1/hook", "ALERT_CHECK_INTERVAL_SEC": "1"})
        cls.sentinel.start()
        cls.target = None
        cls.cadvisor = None
        try:
            r = cls.sentinel.request("POST", "/api/v1/alerts/rules/", {
                "name": "deploy-dashboard", "metric_name": "always", "promql": "vector(1)", "threshold": 0,
                "comparison": ">", "channel": "webhook", "eval_interval_sec": 1}, token=cls.sentinel.admin_token)
            assert r.status == 201, r
            cls.target = SentinelTarget("127.0.0.1:%d" % cls.sentinel.port)
            cls.cadvisor = FixtureCadvisor(containers=[
                {"name": "api", "image": "sentinel:local", "cpu_cores": 0.5, "memory_working_set_bytes": 3e7},
                {"name": "postgres", "image": "postgres:15", "cpu_cores": 0.25, "memory_working_set_bytes": 2e8}])
            cls.values = {"job": "node", "instance": cls.node, "cadvisor": cls.cadvisor.instance,
                          "__rate_interval": "1m", "__interval": "15s", "__range": "1h"}
            cls.target.wait_until_up()
            cls.cadvisor.wait_until_scraped()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for t in (cls.target, cls.cadvisor):
            if t:
                t.remove()
        cls.sentinel.close()

    def query(self, expr):
        r = prometheus_query(substitute(expr, self.values))
        self.assertEqual(r.get("status"), "success", "%s: %s" % (expr, r.get("error")))
        return r["data"]["result"]

    def wait_for_data(self, title, expr, timeout=30):
        return wait_for(lambda: self.query(expr), timeout, "data for %r: %s" % (title, expr), interval=0.5)

    def test_every_expression_is_accepted(self):
        ts = targets(dashboard())
        self.assertGreaterEqual(len(ts), 20)
        for title, t in ts:
            with self.subTest(panel=title):
                self.query(t["expr"])

    def test_variables_find_the_scraped_targets(self):
        found = {}
        for v in dashboard()["templating"]["list"]:
            m = re.match(r"^label_values\((.*),\s*(\w+)\)$", v["definition"])
            self.assertIsNotNone(m, v["definition"])
            series = self.query(m.group(1))
            found[v["name"]] = {s["metric"].get(m.group(2)) for s in series}
        self.assertIn("node", found["job"])
        self.assertIn(self.node, found["instance"])
        self.assertIn(self.cadvisor.instance, found["cadvisor"])

    def test_host_panels_show_the_node_exporter(self):
        by_title = {}
        for title, t in targets(dashboard()):
            if "node_" in t["expr"] or t["expr"].startswith("max(up{"):
                by_title.setdefault(title, []).append(t["expr"])
        self.assertEqual(set(by_title), {"Up", "CPU usage", "Memory usage", "Disk usage of /", "Network"})
        for title, exprs in by_title.items():
            for expr in exprs:
                result = self.wait_for_data(title, expr)
                self.assertEqual(len(result), 1, (title, result))
                value = float(result[0]["value"][1])
                if title == "Up":
                    self.assertEqual(value, 1.0)
                elif title == "Network":
                    self.assertGreaterEqual(value, 0.0)
                else:
                    self.assertTrue(0.0 <= value <= 100.0, (title, value))

    def test_container_panels_show_the_containers(self):
        for title, t in targets(dashboard()):
            if "container_" not in t["expr"]:
                continue
            result = self.wait_for_data(title, t["expr"])
            self.assertEqual({s["metric"]["name"] for s in result}, {"api", "postgres"}, title)
            if "memory" in t["expr"]:
                got = {s["metric"]["name"]: float(s["value"][1]) for s in result}
                self.assertEqual(got, {"api": 3e7, "postgres": 2e8})

    def test_sentinel_panels_show_sentinel(self):
        """Every panel about Sentinel has data once Sentinel has served, evaluated and tried
        to notify; the joins on sentinel_build_info add the role."""
        for _ in range(5):
            self.sentinel.request("GET", "/api/v1/health/liveness")
        for title, t in targets(dashboard()):
            expr = t["expr"]
            if not re.search(r"\b(sentinel_|process_)", expr):
                continue
            result = self.wait_for_data(title, expr, timeout=45)
            if "group_left (role)" in expr:
                # This module's Sentinel (role all), by its instance: another test may
                # have a Sentinel of its own scraped by the shared Prometheus.
                self.assertIn(("all", self.target.instance),
                              {(s["metric"].get("role"), s["metric"].get("instance")) for s in result}, title)
            if "sentinel_notifications_total" in expr:
                self.assertIn(("webhook", "retried"),
                              {(s["metric"].get("channel"), s["metric"].get("result")) for s in result})

    def test_sentinel_exports_every_metric_the_dashboard_uses(self):
        text = self.sentinel.request("GET", "/metrics").body
        families = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
        missing = set()
        for _, t in targets(dashboard()):
            for name in re.findall(r"\b((?:sentinel|process)_\w+)", t["expr"]):
                family = re.sub(r"_(bucket|count|sum)$", "", name)
                if name not in families and family not in families:
                    missing.add(name)
        self.assertEqual(sorted(missing), [])


# --- Dockerfile ------------------------------------------------------------------------

def dockerfile_stages():
    """deploy/Dockerfile as [(stage name, base image, [instructions])], continuation lines joined."""
    text = re.sub(r"\\\n", " ", read("deploy", "Dockerfile"))
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            stages.append((m.group(2), m.group(1), []))
        else:
            stages[-1][2].append((word.upper(), rest.strip()))
    return stages


def apt_installed(instructions):
    pkgs = []
    for word, rest in instructions:
        if word == "RUN":
            for m in re.finditer(r"apt-get install ((?:[^&;|])*)", rest):
                pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}  # in every Debian image (apt needs them)


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class Dockerfile(unittest.TestCase):
    def test_stages(self):
        stages = dockerfile_stages()
        self.assertEqual([(n, b) for n, b, _ in stages], [("build", "debian:12"), ("runtime", "debian:12-slim")])
        runtime = dict((w, r) for w, r in stages[1][2] if w in ("USER", "ENTRYPOINT", "CMD", "WORKDIR", "EXPOSE",
                                                                    "VOLUME", "HEALTHCHECK"))
        self.assertEqual(json.loads(runtime["ENTRYPOINT"]), ["sentinel"])
        self.assertEqual(json.loads(runtime["CMD"]), ["serve"])
        self.assertNotIn(runtime["USER"].split(":")[0], ("root", "0"))
        self.assertEqual(json.loads(runtime["VOLUME"]), ["/data"])
        # ./data (the SQLite default and data/secret.key) must be the volume.
        self.assertEqual(os.path.normpath(os.path.join(runtime["WORKDIR"], "data")), "/data")
        self.assertEqual(runtime["EXPOSE"], "8000")
        self.assertIn("/api/v1/health/liveness", runtime["HEALTHCHECK"])
        env = " ".join(r for w, r in stages[1][2] if w == "ENV")
        self.assertIn("HOST=0.0.0.0", env)

    def test_build_stage_installs_through_install_deps(self):
        """One list of build packages: the build stage runs scripts/install-deps build (it
        installs exactly `scripts/install-deps --print build`) and installs nothing else."""
        _, _, build = dockerfile_stages()[0]
        self.assertIn(("COPY", "scripts/install-deps /src/scripts/install-deps"), build)
        runs = [r for w, r in build if w == "RUN"]
        self.assertTrue(any(re.search(r"(^|\s)/src/scripts/install-deps build(\s|$)", r) for r in runs), runs)
        self.assertEqual(apt_installed(build), [])
        listed = subprocess.run([path("scripts", "install-deps"), "--print", "build"], capture_output=True,
                                text=True, check=True).stdout.split()
        self.assertIn("libsoci-dev", listed)
        build_cmd = " ".join(runs)
        self.assertIn("-DCMAKE_BUILD_TYPE=Release", build_cmd)
        self.assertIn("-DBUILD_TESTING=OFF", build_cmd)
        self.assertIn("--target sentinel", build_cmd)

    def test_runtime_stage_has_the_linked_libraries_and_no_dev_package(self):
        _, _, runtime = dockerfile_stages()[1]
        installed = apt_installed(runtime)
        self.assertEqual([p for p in installed if p.endswith("-dev")], [])
        self.assertIn("ca-certificates", installed)
        # Every package named exists in this Debian release (the machine has them all).
        for p in installed:
            r = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", p], capture_output=True, text=True)
            self.assertIn("install ok installed", r.stdout, p)
        # The packages owning the binary's NEEDED libraries are all installed there.
        dyn = subprocess.run(["readelf", "-d", harness.BIN], capture_output=True, text=True, check=True).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn)
        self.assertIn("libsoci_core.so.4.0", needed)
        resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(
            ["ldd", harness.BIN], capture_output=True, text=True, check=True).stdout, re.M))
        owners = set()
        for lib in needed:
            where = resolved[lib]
            # dpkg knows /usr/lib/... where the merged /usr makes ldd say /lib/...
            candidates = [where] + (["/usr" + where] if where.startswith("/lib") else [])
            found = [subprocess.run(["dpkg", "-S", c], capture_output=True, text=True) for c in candidates]
            pkgs = [r.stdout.split(":")[0] for r in found if r.returncode == 0]
            self.assertTrue(pkgs, "no package owns %s (%s)" % (lib, where))
            owners.add(pkgs[0])
        # A `make asan` binary also links the sanitizer runtimes; the image never builds one.
        sanitizers = {p for p in owners if re.match(r"lib(asan|ubsan|lsan|tsan)\d+$", p)}
        self.assertEqual(sorted(owners - sanitizers - BASE_IMAGE_PACKAGES - set(installed)), [])

    def test_dockerignore_keeps_what_the_build_copies(self):
        rules = [line.strip() for line in read(".dockerignore").splitlines()
                 if line.strip() and not line.startswith("#")]
        self.assertEqual(rules[0], "*", "a whitelist: everything else stays out of the context")
        kept = [r[1:].rstrip("/") for r in rules if r.startswith("!")]
        for _, _, instructions in dockerfile_stages():
            for word, rest in instructions:
                if word == "COPY" and not rest.startswith("--from"):
                    for src in rest.split()[:-1]:
                        self.assertTrue(os.path.exists(path(src)), src)
                        self.assertTrue(any(src == k or src.startswith(k + "/") for k in kept),
                                        "%s is excluded by .dockerignore" % src)
        for secret in (".env", "data", ".git", "build"):
            self.assertFalse(any(secret == k or secret.startswith(k + "/") for k in kept), secret)

    def test_the_image_holds_every_file_the_release_configure_reads(self):
        # A CMake file that reads ${PROJECT_SOURCE_DIR}/<dir>/… outside what the
        # image copies breaks `docker build` at configure time (web/web.cmake
        # once did). Tests, fuzzing and scripts are not configured there
        # (BUILD_TESTING=OFF).
        copied = set()
        for _, _, instructions in dockerfile_stages():
            for word, rest in instructions:
                if word == "COPY" and not rest.startswith("--from"):
                    copied.update(src.rstrip("/") for src in rest.split()[:-1])
        cmake_files = ["CMakeLists.txt"]
        for top in ("cmake", "src", "web"):
            for dirpath, dirnames, files in os.walk(path(top)):
                dirnames[:] = [d for d in dirnames if d not in ("node_modules", "dist", "dist-tests")]
                cmake_files += [os.path.relpath(os.path.join(dirpath, f), path())
                                for f in files if f == "CMakeLists.txt" or f.endswith(".cmake")]
        for f in cmake_files:
            for ref in re.findall(r"\$\{PROJECT_SOURCE_DIR\}/([A-Za-z0-9_.-]+)", read(f)):
                self.assertTrue(any(ref == c or ref.startswith(c + "/") for c in copied),
                                "%s reads %s, which deploy/Dockerfile does not copy" % (f, ref))


# --- systemd ---------------------------------------------------------------------------

def unit_keys(text):
    keys = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            keys.setdefault(m.group(1), []).append(m.group(2))
    return keys


@unittest.skipIf(harness.DB_KIND != "sqlite", ONE_PASS)
class SystemdInstall(unittest.TestCase):
    """deploy/systemd/install (what `make install` runs after its Release build) into a
    temporary prefix, configuration and unit folders."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sentinel-install-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.env = dict(os.environ, DESTDIR="", PREFIX=os.path.join(self.root, "usr"),
                        SYSCONFDIR=os.path.join(self.root, "etc"), UNITDIR=os.path.join(self.root, "units"))

    def install(self):
        r = subprocess.run([path("deploy", "systemd", "install"), harness.BIN], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def test_install_layout(self):
        self.install()
        binary = os.path.join(self.root, "usr", "bin", "sentinel")
        self.assertTrue(os.access(binary, os.X_OK))
        self.assertTrue(subprocess.run([binary, "version"], capture_output=True, text=True).stdout
                        .startswith("sentinel "))
        env_file = os.path.join(self.root, "etc", "sentinel", "sentinel.env")
        self.assertEqual(stat.S_IMODE(os.stat(env_file).st_mode), 0o600)
        with open(env_file) as f:
            content = f.read()
        self.assertIn("SECRET_KEY=", content)
        self.assertIsNone(re.search(r"^(GF_|POSTGRES_)\w+=", content, re.M), "the Docker Compose section is left out")
        for unit, role_arg in (("sentinel.service", ""), ("sentinel@.service", " --role %i")):
            with open(os.path.join(self.root, "units", unit)) as f:
                keys = unit_keys(f.read())
            self.assertEqual(keys["ExecStart"], [binary + " serve" + role_arg])
            self.assertEqual(keys["EnvironmentFile"][0], env_file)
            self.assertEqual(keys["User"], ["sentinel"])
            self.assertEqual(keys["WorkingDirectory"], ["/var/lib/sentinel"])
            self.assertEqual(keys["ReadWritePaths"], ["/var/lib/sentinel"])
            self.assertEqual(keys["Restart"], ["on-failure"])
            self.assertEqual(keys["KillSignal"], ["SIGTERM"])
            for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
                self.assertEqual(keys[hardening], ["yes"], hardening)
            self.assertEqual(keys["ProtectSystem"], ["strict"])

    def test_existing_configuration_is_kept(self):
        self.install()
        env_file = os.path.join(self.root, "etc", "sentinel", "sentinel.env")
        with open(env_file, "a") as f:
            f.write("SECRET_KEY=mine-mine-mine-mine-mine-mine-mine-mine\n")
        r = self.install()
        self.assertIn("kept", r.stdout)
        with open(env_file) as f:
            self.assertIn("SECRET_KEY=mine-mine", f.read())

    def test_the_installed_env_file_configures_sentinel(self):
        """The example as installed is a valid configuration for the installed binary."""
        self.install()
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(os.path.join(self.root, "etc", "sentinel", "sentinel.env"), os.path.join(d, ".env"))
            r = check_config(d)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_units_verify(self):
        self.install()
        units = os.path.join(self.root, "units")
        # A template is verified through an instance of it.
        for role in ("api", "worker"):
            os.symlink("sentinel@.service", os.path.join(units, "sentinel@%s.service" % role))
        for unit in ("sentinel.service", "sentinel@api.service", "sentinel@worker.service"):
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(units, unit)],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # Unknown keys and bad values are only warnings: any output is a failure.
            self.assertEqual((r.stdout + r.stderr).strip(), "", unit)


if __name__ == "__main__":
    unittest.main()
