"""Metric functions of the eval harness (pure; unit-tested on hand-made cases).

Matching is on a loose form of both sides (:func:`assistant.grounding.norm`: whitespace removed,
full/half-width brackets, commas, colons and quotes unified, traditional → simplified).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from assistant.grounding import norm

HIT_KS = (1, 3, 5, 10)


def contains_any(text: str, quotes: Sequence[str]) -> bool:
    """Whether ``text`` contains at least one of ``quotes`` (loose matching)."""
    t = norm(text)
    return any(norm(q) in t for q in quotes if q)


def first_hit_rank(texts: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first text containing any evidence quote, or None."""
    for i, t in enumerate(texts, 1):
        if contains_any(t, evidence):
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def citation_counts(cited_texts: Sequence[str], evidence: Sequence[str]) -> tuple[int, int]:
    """(cited passages containing any evidence quote, cited passages)."""
    return sum(1 for t in cited_texts if contains_any(t, evidence)), len(cited_texts)


def citation_recall(cited_texts: Sequence[str], evidence: Sequence[str]) -> float:
    """Share of the evidence quotes found in at least one cited passage."""
    quotes = [q for q in evidence if q]
    if not quotes:
        return 0.0
    hay = [norm(t) for t in cited_texts]
    return sum(1 for q in quotes if any(norm(q) in h for h in hay)) / len(quotes)


def keypoint_recall(answer: str, keypoints: Sequence[str]) -> float:
    """Share of the key points (numbers, names, fixed formulations) that appear in ``answer``."""
    pts = [p for p in keypoints if p]
    if not pts:
        return 1.0
    a = norm(answer)
    return sum(1 for p in pts if norm(p) in a) / len(pts)


def mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (``p`` in 0…100), as numpy's default; None when empty."""
    vals = sorted(values)
    if not vals:
        return None
    pos = (len(vals) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
