"""The exact 0/1 covering knapsack behind threshold plans: least effort reaching a share of points.

Dynamic programming over integer-scaled points, O(n * P) with n candidates and P the points still
needed. No heuristic: with ~85 criteria an exact optimum is cheap.
"""

from __future__ import annotations

import math


def passes(score: float, value: float, inclusive: bool, epsilon: float) -> bool:
    return score >= value - epsilon if inclusive else score > value + epsilon


def _scale(values: list[float]) -> int:
    for k in (1, 2, 4, 5, 10, 20, 100, 1000):
        if all(abs(v * k - round(v * k)) < 1e-9 for v in values):
            return k
    return 10000  # finer than any grid we know; rounding then stays below the epsilon of scores


def knapsack_cover(items: list[tuple[str, float, float]], met: float, applicable: float,
                   rules: list[tuple[float, bool]], epsilon: float = 1e-9) -> tuple[list[str], bool]:
    """Minimum-effort subset of `items` (id, points, effort) so that (met + chosen points) /
    applicable passes every rule (value, inclusive). Ties keep fewer points. Returns (chosen ids,
    whether the rules can be passed at all)."""
    if applicable <= 0:
        return [], False
    k = _scale([p for _, p, _ in items] + [met])
    total = sum(round(p * k) for _, p, _ in items)

    def ok(extra: int) -> bool:
        score = (met + extra / k) / applicable
        return all(passes(score, v, inc, epsilon) for v, inc in rules)

    if ok(0):
        return [], True
    if not ok(total):
        return [], False
    need = max(0, math.ceil((max(v for v, _ in rules) * applicable - met) * k - 1e-6))
    while not ok(need):
        need += 1
    while need > 0 and ok(need - 1):
        need -= 1
    return _reconstruct(items, k, need), True


def _reconstruct(items: list[tuple[str, float, float]], k: int, need: int) -> list[str]:
    """Classic table reconstruction: rows[i][j] = least effort with the first i items reaching j."""
    inf = float("inf")
    rows = [[0.0] + [inf] * need]
    for _, points, effort in items:
        p = round(points * k)
        prev = rows[-1]
        row = list(prev)
        for j in range(need + 1):
            if prev[j] == inf:
                continue
            to = min(need, j + p)
            if prev[j] + effort < row[to] - 1e-12:
                row[to] = prev[j] + effort
        rows.append(row)
    chosen: list[str] = []
    j = need
    for i in range(len(items), 0, -1):
        if rows[i][j] == rows[i - 1][j]:
            continue
        cid, points, effort = items[i - 1]
        p = round(points * k)
        # the predecessor state j0 with min(need, j0 + p) == j and rows[i-1][j0] + effort == rows[i][j]
        candidates = range(j - p, j + 1) if j == need else [j - p]
        for j0 in candidates:
            if 0 <= j0 <= need and min(need, j0 + p) == j and abs(rows[i - 1][j0] + effort - rows[i][j]) < 1e-9:
                chosen.append(cid)
                j = j0
                break
    return chosen
