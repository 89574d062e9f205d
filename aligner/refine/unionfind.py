"""Disjoint sets, for the steps that join things transitively.

Components of a tuple's sentences (:mod:`.components`), the original tuples a spread clause joins
(:mod:`.finish`) and the tuples that share a sentence's pieces (:mod:`.texts`) are all the
connected parts of a relation given pair by pair.
"""

from __future__ import annotations

from collections.abc import Iterable


class UnionFind:
    """Disjoint sets of keys (sortable, hashable); the smallest key of a set represents it."""

    def __init__(self, keys: Iterable) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key):
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
