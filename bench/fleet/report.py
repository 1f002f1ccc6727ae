#!/usr/bin/env python3
"""The figures of a bench/fleet/run.sh run and a met / NOT met line per target.

    report.py WORK_DIR HOSTS
"""
import json
import os
import sys

work, hosts = sys.argv[1], int(sys.argv[2])


def load(name):
    p = os.path.join(work, name)
    return json.load(open(p)) if os.path.exists(p) else None


def ok(c):
    return "met" if c else "NOT met"


ms = lambda s: "%.1f ms" % (1e3 * s)  # noqa: E731
targets = []
p1 = load("part1.json")
if p1:
    s = p1["summary"]
    print("1. ten fleet rules over %d hosts, medians of %d cycles (%d s windows, one evaluation per second):"
          % (hosts, s["cycles"], s["window"]))
    rows = [
        ("", "Sentinel", "Prometheus in-process", "vmalert"),
        ("wall time per evaluation of the ten", "%s (from trigger %s)" % (ms(s["sen_seconds"]), ms(s["sen_from_trigger"])),
         "%s (last_duration %s)" % (ms(s["prom_wall"]), ms(s["prom_wall_last_median"])), ms(s["vm_wall"])),
        ("CPU of the evaluator per evaluation", ms(s["sen_cpu"]), ms(s["prom_cpu"]), ms(s["vm_cpu"])),
        ("Prometheus CPU answering its queries", ms(s["sen_prom_cpu"]), "(in the line above)", ms(s["vm_prom_cpu"])),
        ("Prometheus /api/v1/query per evaluation", "%.1f" % s["sen_queries"], "0", "%.1f" % s["vm_queries"]),
        ("RSS", "%d MiB (peak %d)" % (s["sen_rss_kb"] // 1024, s["sen_hwm_kb"] // 1024), "-",
         "%d MiB" % (s["vm_rss_kb"] // 1024)),
    ]
    for r in rows:
        print("  %-42s %-34s %-34s %s" % r)
    print("  Sentinel timed rounds (claim -> 10th evaluation recorded): %s s"
          % " ".join("%.3f" % x for x in s["sen_round_all"]))
    print("  idle CPU per second: Sentinel %s, Prometheus %s (scraping); errors: Sentinel %d, vmalert %d,"
          " Prometheus rule failures %d; evaluations counted right: %s"
          % (ms(s["sen_idle_cpu_per_s"]), ms(s["prom_idle_cpu_per_s"]), s["sen_errors"], s["vm_errors"],
             s["prom_failures"], s["sen_evaluations_ok"]))
    targets.append("fleet round < 0.5 s: %s (%.3f s claim -> last evaluation; %.3f s from the trigger,"
                   " including the scheduler's <= 250 ms poll: %s)"
                   % (ok(s["sen_seconds"] < 0.5), s["sen_seconds"], s["sen_from_trigger"],
                      ok(s["sen_from_trigger"] < 0.5)))
    targets.append("Sentinel CPU per round < Prometheus in-process CPU for the same rules: %s (%s vs %s; %.2f x)"
                   % (ok(s["sen_cpu"] < s["prom_cpu"]), ms(s["sen_cpu"]), ms(s["prom_cpu"]),
                      s["sen_cpu"] / s["prom_cpu"] if s["prom_cpu"] > 0 else float("nan")))
    targets.append("Sentinel RSS <= 40 MiB: %s (%d MiB after part 1, peak during it %d MiB)"
                   % (ok(s["sen_hwm_kb"] <= 40 * 1024), s["sen_rss_kb"] // 1024, s["sen_hwm_kb"] // 1024))

for name in ("part2-sqlite.json", "part2-pg.json"):
    p2 = load(name)
    if not p2:
        continue
    s = p2["summary"]
    f = lambda x: "-" if x is None else "%.3f s" % x  # noqa: E731
    pg = " + PostgreSQL" if s["label"] == "PostgreSQL" else ""
    print("2. %s firing storm, %d series of one fleet rule, channel %s, median of %d: quiet round %s;"
          " %d firing events readable %s after the claim (%s from trigger; evaluation recorded %s;"
          " Sentinel CPU %s until then, %s in all%s; sink%s CPU %s); resolved %s (evaluation %s, CPU %s until then, %s"
          " in all%s; sink%s CPU %s); checks %s,"
          " %d errors; RSS %d MiB (peak %d)"
          % (s["label"], s["hosts"], s["channel"], s["storms"], f(s["round_seconds"]), s["hosts"], f(s["fire_seconds"]),
             f(s["fire_from_trigger"]), f(s["fire_recorded"]), f(s["fire_cpu_written"]), f(s["fire_cpu"]),
             "; notifications delivered %s" % f(s["fire_notified"]) if s["fire_notified"] is not None else "",
             pg, f(s["fire_others_cpu"]), f(s["resolve_seconds"]), f(s["resolve_recorded"]), f(s["resolve_cpu_written"]),
             f(s["resolve_cpu"]),
             "; notifications delivered %s" % f(s["resolve_notified"]) if s["resolve_notified"] is not None else "",
             pg, f(s["resolve_others_cpu"]),
             "OK" if s["checks_ok"] else "FAILED", s["errors"], s["rss_kb"] // 1024, s["hwm_kb"] // 1024))
    limit = s["round_seconds"] + 1
    worst_fire, worst_resolve = max(s["fire_all"]), max(s["resolve_all"])
    targets.append("%s storm within one round + 1 s (%.3f s): firing %s (median %.3f s, worst %.3f s);"
                   " resolution %s (median %.3f s, worst %.3f s)"
                   % (s["label"], limit, ok(worst_fire <= limit), s["fire_seconds"], worst_fire,
                      ok(worst_resolve <= limit), s["resolve_seconds"], worst_resolve))

p3 = load("part3.json")
if p3 is not None:
    if not p3["available"]:
        print("3. fleet summary: not available in this build (GET answered %d)" % p3["status"])
        targets.append("fleet summary <= 2 x single summary: not measured (no endpoint)")
    else:
        full, fewer = p3["full"], p3["fewer"]
        print("3. fleet summary, no cache: %d servers: %s median (p90 %s), %d bytes, %.2f Prometheus queries per call;"
              " single summary %s (p90 %s), %.2f queries per call; fleet / single %.2f x"
              % (p3["servers"], ms(full["fleet"]["median"]), ms(full["fleet"]["p90"]), full["fleet"]["bytes"],
                 full["fleet"]["queries_per_call"], ms(full["single"]["median"]), ms(full["single"]["p90"]),
                 full["single"]["queries_per_call"], p3["ratio"]))
        if "raw_fleet" in full:
            print("   straight to Prometheus, no Sentinel: the fleet query %s (p90 %s), a single summary's query %s;"
                  " Sentinel's fleet call / the raw fleet query %.2f x"
                  % (ms(full["raw_fleet"]["median"]), ms(full["raw_fleet"]["p90"]), ms(full["raw_single"]["median"]),
                     full["fleet"]["median"] / full["raw_fleet"]["median"]))
        if fewer:
            print("   %d active servers: fleet %s median, %d entries, %.2f queries per call"
                  % (p3["fewer_count"], ms(fewer["fleet"]["median"]), fewer["entries"],
                     fewer["fleet"]["queries_per_call"]))
        if p3["problems"]:
            print("   answer problems: %s" % "; ".join(p3["problems"][:5]))
        targets.append("fleet summary <= 2 x single summary: %s (%.2f x: %s vs %s)"
                       % (ok(p3["ratio"] <= 2), p3["ratio"], ms(full["fleet"]["median"]), ms(full["single"]["median"])))
        if fewer:
            same = abs(fewer["fleet"]["queries_per_call"] - full["fleet"]["queries_per_call"]) < 0.05
            targets.append("Prometheus queries per fleet call independent of the number of servers: %s"
                           " (%.2f with %d servers, %.2f with %d)"
                           % (ok(same), full["fleet"]["queries_per_call"], p3["servers"],
                              fewer["fleet"]["queries_per_call"], p3["fewer_count"]))

p4 = load("part4.json")
if p4 is not None:
    if not p4["available"]:
        print("4. /ws/fleet: not available in this build (handshake answered %d)" % p4["status"])
        targets.append("/ws/fleet p99 lag < 100 ms: not measured (no endpoint)")
    else:
        most = max(r["clients"] for r in p4["modes"].values())
        for mode, r in p4["modes"].items():
            print("4. /ws/fleet %s: %d clients; lag p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms; frames %d / %.0f"
                  " (%d..%d per client; %d delta, %d error, %d lost); %.0f bytes per client per s (largest frame %d); Sentinel CPU %.1f %%,"
                  " RSS %d MiB (peak %d); Prometheus %.2f queries/s; %.2f polls/s"
                  % (mode, r["clients"], r["lag_p50_ms"], r["lag_p90_ms"], r["lag_p99_ms"], r["lag_max_ms"], r["frames"],
                     r["expected"], r["per_client_min"], r["per_client_max"], r["delta_frames"], r["error_frames"], r["closed"], r["bytes_per_client_per_s"],
                     r["frame_bytes_max"], r["sentinel_cpu_pct"], r["rss_kb"] // 1024, r["hwm_kb"] // 1024,
                     r["prom_queries_per_s"], r["polls_per_s"]))
            if r["clients"] == most:
                targets.append("/ws/fleet (%s, %d clients) p99 lag < 100 ms: %s (%.1f ms)"
                               % (mode, r["clients"], ok(r["lag_p99_ms"] < 100), r["lag_p99_ms"]))

print()
print("targets:")
for t in targets:
    print("  " + t)
