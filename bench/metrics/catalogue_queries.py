#!/usr/bin/env python3
"""Prints the PromQL a summary sends for one server, one expression per line:
`up` first, then the catalogue's nine, as src/prometheus/query_catalogue.cpp
defines them, with $instance / $job filled in (plain values: no quoting needed).

    catalogue_queries.py <query_catalogue.cpp> <instance> <job>
"""
import re
import sys

src = open(sys.argv[1]).read()
head = src.split("constexpr ContainerQueries")[0]  # the container queries are not part of a summary
summary_part, _, up_part = head.partition("constexpr std::string_view up")
summary = re.findall(r'R"\((.*?)\)"', summary_part, re.S)
up = re.findall(r'R"\((.*?)\)"', up_part, re.S)
if len(summary) != 9 or len(up) != 1:
    sys.exit("catalogue_queries.py: expected 9 summary queries and `up` in %s, found %d and %d"
             % (sys.argv[1], len(summary), len(up)))
for q in up + summary:
    print(q.replace("$instance", sys.argv[2]).replace("$job", sys.argv[3]).replace("\n", " "))
