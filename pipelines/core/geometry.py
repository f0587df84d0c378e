"""Plane geometry the readers share: 1-D clustering of coordinates and disjoint sets.

Every reader turns positions into structure the same few ways: coordinates that are "the
same line" grouped within a tolerance (rule positions, column centres, header anchors) and
merged grid positions grouped into spans. One implementation of each, here.
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable


def groups_1d(values: Iterable[float], tol: float, *, chain: bool = True) -> list[list[float]]:
    """Sorted values split into groups where a gap exceeds `tol`.

    chain=True compares each value with the group's last value (a group may drift: word
    centres along a column); chain=False with the group's first value (a group never spans
    more than `tol`: a ruling line drawn as several segments).
    """
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1 if chain else 0] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def cluster_means(values: Iterable[float], tol: float, min_size: int = 1) -> list[float]:
    """The mean of each chained group with at least `min_size` members."""
    return [sum(g) / len(g) for g in groups_1d(values, tol) if len(g) >= min_size]


def cluster_leaders(values: Iterable[float], tol: float) -> list[float]:
    """The first (smallest) value of each group no wider than `tol`: rule positions."""
    return [g[0] for g in groups_1d(values, tol, chain=False)]


def disjoint_sets(keys: Iterable[Hashable]) -> tuple[Callable, Callable]:
    """(find, union) over `keys`; a union's root is the smaller key (the top-left grid position
    owns a merged span)."""
    parent = {k: k for k in keys}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    return find, union


def span_sets(nrows: int, ncols: int) -> tuple[Callable, Callable]:
    """Disjoint sets over the positions of a grid: merged cells become one set owned by its
    top-left position."""
    return disjoint_sets((r, c) for r in range(nrows) for c in range(ncols))
