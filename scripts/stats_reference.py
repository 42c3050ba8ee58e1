#!/usr/bin/env python3
"""Reference values for the two-sample statistics of the expression language.

Writes tests/fixtures/stats/reference.json: for each case, the two samples
and what scipy (and a brute-force Hodges-Lehmann) say about them:

- mwu_p: scipy.stats.mannwhitneyu(a, b, use_continuity=True,
  alternative="two-sided", method="asymptotic").pvalue
- u_a:   its statistic (U of the first sample)
- shift: median of all pairwise differences a_i - b_j (brute force)
- every value null when either side has fewer than 20 samples
- shift_lo / shift_hi: the order statistics D(k) and D(mn + 1 - k) of the
  sorted differences, k = floor(mn/2 - 1.959963984540054 * sigma + 1/2)
  clamped to [1, ceil(mn/2)], sigma the tie-corrected null standard
  deviation of U: sqrt(m*n/12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))).

Run from the repository root:  python3 scripts/stats_reference.py
(needs numpy and scipy; the output is committed, so tests never need them).
"""
import json
import math
import os

import numpy as np
from scipy import stats

Z = 1.959963984540054
MIN_SAMPLES = 20


def reference(a, b):
    if min(len(a), len(b)) < MIN_SAMPLES:
        # below the minimum every statistic is unknown (null), never a value
        return {k: None for k in ("mwu_p", "u_a", "shift", "shift_lo", "shift_hi")}
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = len(a), len(b)
    res = stats.mannwhitneyu(a, b, use_continuity=True,
                             alternative="two-sided", method="asymptotic")
    d = np.sort(np.subtract.outer(a, b).ravel())
    mn = m * n
    shift = d[mn // 2] if mn % 2 else (d[mn // 2 - 1] + d[mn // 2]) / 2.0
    both = np.concatenate([a, b])
    _, counts = np.unique(both, return_counts=True)
    tie = float(np.sum(counts.astype(float) ** 3 - counts))
    N = m + n
    sigma = math.sqrt(m * n / 12.0 * ((N + 1) - tie / (N * (N - 1))))
    k = math.floor(mn / 2.0 - Z * sigma + 0.5)
    k = int(min(max(k, 1), math.ceil(mn / 2.0)))
    p = float(res.pvalue)
    if math.isnan(p):  # every value equal: scipy divides 0 by 0
        p = 1.0
    return {
        "mwu_p": p,
        "u_a": float(res.statistic),
        "shift": float(shift),
        "shift_lo": float(d[k - 1]),
        "shift_hi": float(d[mn - k]),
    }


def cases():
    rng = np.random.default_rng(20261202)
    out = []

    def add(name, a, b):
        a = [float(v) for v in a]
        b = [float(v) for v in b]
        out.append({"name": name, "a": a, "b": b, **reference(a, b)})

    add("identical samples", list(range(30)), list(range(30)))
    add("all values equal", [5.0] * 25, [5.0] * 25)
    add("shifted by 10", list(rng.normal(100, 5, 40).round(3)),
        list(rng.normal(90, 5, 40).round(3)))
    add("shifted by -3, small spread", list(rng.normal(47, 1, 30).round(2)),
        list(rng.normal(50, 1, 30).round(2)))
    add("heavy ties (integers 0..4)", list(rng.integers(0, 5, 50)),
        list(rng.integers(1, 6, 45)))
    add("unequal sizes 20 vs 77", list(rng.normal(120, 15, 20).round(1)),
        list(rng.normal(110, 30, 77).round(1)))
    add("unequal sizes 150 vs 21", list(rng.exponential(40, 150).round(2)),
        list(rng.exponential(60, 21).round(2)))
    add("tiny samples at the minimum (20 vs 20)", list(range(20)),
        list(range(3, 23)))
    add("no overlap", list(range(100, 130)), list(range(0, 25)))
    add("latency-like, target 50 ms slower",
        list((rng.lognormal(math.log(300), 0.2, 60) + 50).round(1)),
        list(rng.lognormal(math.log(300), 0.2, 60).round(1)))
    add("latency-like, same distribution",
        list(rng.lognormal(math.log(300), 0.3, 120).round(0)),
        list(rng.lognormal(math.log(300), 0.3, 110).round(0)))
    add("negative and zero values", list(rng.normal(0, 2, 33).round(0)),
        list(rng.normal(-1, 2, 31).round(0)))
    add("tiny samples below the minimum (19 vs 40): unknown", list(range(19)),
        list(range(40)))
    add("tiny samples below the minimum (3 vs 3): unknown", [1, 2, 3], [7, 8, 9])
    return out


def main():
    path = os.path.join("tests", "fixtures", "stats", "reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    doc = {
        "generated_by": "scripts/stats_reference.py",
        "scipy": stats.__name__ and __import__("scipy").__version__,
        "method": "mannwhitneyu(use_continuity=True, alternative='two-sided', method='asymptotic'); Hodges-Lehmann by brute force",
        "cases": cases(),
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {path} ({len(doc['cases'])} cases)")


if __name__ == "__main__":
    main()
