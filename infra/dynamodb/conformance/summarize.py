#!/usr/bin/env python3
"""Summarises a vitest JSON report of the DynamoDB conformance suite: per tier and group, then every failure."""
import collections
import json
import sys

report = json.load(open(sys.argv[1]))
total, passed, failures = collections.Counter(), collections.Counter(), []
for f in report["testResults"]:
    path = f["name"].split("tests/")[-1]
    group = "/".join(path.split("/")[:2])
    for a in f["assertionResults"]:
        total[group] += 1
        if a["status"] == "passed":
            passed[group] += 1
        else:
            message = (a.get("failureMessages") or ["skipped"])[0].splitlines()[0][:160]
            failures.append((group, path.split("/")[-1], a["title"], a["status"], message))

print("| tier / group | passed | of | % |\n|---|---|---|---|")
tiers = collections.OrderedDict()
for g in sorted(total):
    t = g.split("/")[0]
    tiers.setdefault(t, [0, 0])
    tiers[t][0] += passed[g]
    tiers[t][1] += total[g]
    print(f"| {g} | {passed[g]} | {total[g]} | {100 * passed[g] / total[g]:.1f} |")
for t, (p, n) in tiers.items():
    print(f"| **{t}** | **{p}** | **{n}** | **{100 * p / n:.1f}** |")
p, n = sum(passed.values()), sum(total.values())
print(f"| **all** | **{p}** | **{n}** | **{100 * p / n:.1f}** |")
print("\nFailures:\n")
for g, file, title, status, message in failures:
    print(f"- {g}/{file}: {title} ({status}): {message}")
