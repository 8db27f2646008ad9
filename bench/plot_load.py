"""Reads Locust's stats history (--csv-full-history) and the per-request summary beside
it, prints a Markdown table per load step and per request, and draws latency against
load as an SVG (no plotting library: a few lines and labels).

usage: plot_load.py PREFIX_stats_history.csv OUT.svg [BASELINE_stats_history.csv]

The baseline is the same Locust steps against the plain-text axum server: Locust and
this machine's own share of the latency, in the same run.
"""

import csv
import statistics
import sys
from collections import defaultdict

history, svg_path = sys.argv[1], sys.argv[2]
baseline_history = sys.argv[3] if len(sys.argv) > 3 else None


def per_step(path):
    steps = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated" or row["50%"] in ("N/A", ""):
                continue
            steps[int(row["User Count"])].append(row)
    table = []
    for users in sorted(steps):
        rows = steps[users][10:] or steps[users]  # past the step's first seconds
        pick = lambda key: statistics.median(float(r[key]) for r in rows)
        table.append(
            {
                "users": users,
                "rps": statistics.mean(float(r["Requests/s"]) for r in rows),
                "fails": statistics.mean(float(r["Failures/s"]) for r in rows),
                "p50": pick("50%"),
                "p95": pick("95%"),
                "p99": pick("99%"),
            }
        )
    return table


table = per_step(history)
base = {t["users"]: t for t in per_step(baseline_history)} if baseline_history else {}
print("| visitors | requests/s | failures/s | p50 ms | p95 ms | p99 ms | baseline requests/s | baseline p50 / p99 ms |")
print("|---|---|---|---|---|---|---|---|")
for t in table:
    b = base.get(t["users"])
    b_cols = f"{b['rps']:.0f} | {b['p50']:.0f} / {b['p99']:.0f}" if b else "– | –"
    print(f"| {t['users']} | {t['rps']:.0f} | {t['fails']:.1f} | {t['p50']:.0f} | {t['p95']:.0f} | {t['p99']:.0f} | {b_cols} |")


def ms(text):
    """A median as Locust writes it (a float below 1 ms): two decimals there, whole above."""
    value = float(text)
    return f"{value:.2f}" if value < 1 else f"{value:.0f}"


summary = history.replace("_stats_history.csv", "_stats.csv")
print()
print("| request | count | failures | median ms | p95 ms | p99 ms |")
print("|---|---|---|---|---|---|")
with open(summary, newline="") as f:
    for row in csv.DictReader(f):
        print(f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {ms(row['Median Response Time'])} | {row['95%']} | {row['99%']} |")

# The chart: x by step (evenly spaced, labelled with the visitors), y in ms.
W, H, L, R, T, B = 560, 300, 56, 20, 20, 50
top = max([t["p99"] for t in table] + [1]) * 1.15
x = lambda i: L + (W - L - R) * (i / max(len(table) - 1, 1))
y = lambda ms: T + (H - T - B) * (1 - ms / top)
parts = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
    '<title>Anxin city load test: latency against load</title>',
    f'<rect width="{W}" height="{H}" fill="white"/>',
    f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
    f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>',
    f'<text x="{(W + L) / 2}" y="{H - 12}" text-anchor="middle">visitors at once (requests/s below)</text>',
    f'<text x="14" y="{(H - B + T) / 2}" transform="rotate(-90 14 {(H - B + T) / 2})" text-anchor="middle">latency (ms)</text>',
]
for k in range(5):
    ms = top * k / 4
    parts.append(f'<text x="{L - 6}" y="{y(ms) + 4:.0f}" text-anchor="end">{ms:.0f}</text>')
    parts.append(f'<line x1="{L}" y1="{y(ms):.0f}" x2="{W - R}" y2="{y(ms):.0f}" stroke="#ddd"/>')
for i, t in enumerate(table):
    parts.append(f'<text x="{x(i):.0f}" y="{H - B + 16}" text-anchor="middle">{t["users"]}</text>')
    parts.append(f'<text x="{x(i):.0f}" y="{H - B + 30}" text-anchor="middle" fill="#555">{t["rps"]:.0f}/s</text>')
for key, colour, dash in (("p50", "#2f6f62", ""), ("p95", "#b5651d", "6 3"), ("p99", "#7a1f5c", "2 3")):
    points = " ".join(f"{x(i):.0f},{y(t[key]):.0f}" for i, t in enumerate(table))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
    if table:
        last = len(table) - 1
        parts.append(f'<text x="{x(last) - 4:.0f}" y="{y(table[last][key]) - 6:.0f}" text-anchor="end" fill="{colour}">{key} {table[last][key]:.0f} ms</text>')
if base:
    points = " ".join(f"{x(i):.0f},{y(base[t['users']]['p99']):.0f}" for i, t in enumerate(table) if t["users"] in base)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#999" stroke-width="1.5"/>')
    parts.append(f'<text x="{L + 8}" y="{T + 14}" fill="#777">grey: p99 of the plain baseline under the same load</text>')
parts.append("</svg>")
with open(svg_path, "w") as f:
    f.write("\n".join(parts) + "\n")
