#!/usr/bin/env python3
"""Prints the summary's PromQL for one server, as src/prometheus/query_catalogue.cpp
defines it, with $instance / $job filled in (plain values: no quoting needed):
one expression per line, `up` first, then the catalogue's nine; with --combined,
the single query a summary sends instead (summary_query(): each expression tagged
by label_replace with its key in label sentinel_metric, joined with `or`; its
exact form is pinned by tests/unit/prometheus/query_catalogue_test.cpp).

    catalogue_queries.py [--combined] <query_catalogue.cpp> <instance> <job>
"""
import re
import sys

args = sys.argv[1:]
combined = args[:1] == ["--combined"]
if combined:
    args = args[1:]
src = open(args[0]).read()
head = src.split("constexpr ContainerQueries")[0]  # the container queries are not part of a summary
summary_part, _, up_part = head.partition("constexpr std::string_view up")
summary = re.findall(r'R"\((.*?)\)"', summary_part, re.S)
up = re.findall(r'R"\((.*?)\)"', up_part, re.S)
if len(summary) != 9 or len(up) != 1:
    sys.exit("catalogue_queries.py: expected 9 summary queries and `up` in %s, found %d and %d"
             % (args[0], len(summary), len(up)))
keys = ["up"] + re.findall(r'\{"(\w+)",\s*R"\(', summary_part)
if len(keys) != 10:
    sys.exit("catalogue_queries.py: expected 9 summary keys in %s, found %d" % (args[0], len(keys) - 1))
queries = [q.replace("$instance", args[1]).replace("$job", args[2]).replace("\n", " ") for q in up + summary]
if combined:
    print(" or ".join('label_replace(%s, "sentinel_metric", "%s", "", "")' % (q, k) for q, k in zip(queries, keys)))
else:
    for q in queries:
        print(q)
