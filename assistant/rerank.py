"""Optional reranking: a cross-encoder from a local directory, or the statute feature reranker.

Cross-encoder: off by default, no Chinese cross-encoder ships offline here. Users with e.g.
bge-reranker on disk set ``POLICYQA_RERANKER=/models/bge-reranker-v2-m3``.

Feature reranker (``statute_rerank``): see the section below; it applies only in a library of many laws
and to questions whose hits are statute articles (:func:`applies`).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from policyqa.store import ScoredPayload
from policyqa.types import Hit, SearchFilter

from .query_terms import (
    ARTICLE,
    RESOURCE_DIR,
    Knowledge,
    article_key,
    law_name,
    load_knowledge,
    norm,
    passage_keys,
    question_tokens,
    sparse_query,
)

_cache: dict[str, object] = {}
_lock = threading.Lock()


class RerankerError(RuntimeError):
    pass


def load_cross_encoder(path: str):
    with _lock:
        if path not in _cache:
            if not Path(path).is_dir():
                raise RerankerError(f"重排序模型目录不存在：{path}（POLICYQA_RERANKER 应指向本地 sentence-transformers CrossEncoder 目录）")
            os.environ["HF_HUB_OFFLINE"] = "1"
            from sentence_transformers import CrossEncoder

            try:
                _cache[path] = CrossEncoder(path, device="cpu", local_files_only=True)
            except Exception as exc:
                raise RerankerError(f"无法加载重排序模型 {path}：{exc}") from exc
        return _cache[path]


def rerank(query: str, hits: list[Hit], path: str) -> list[Hit]:
    """``hits`` re-ordered by the cross-encoder's score (which replaces ``score``)."""
    if not hits:
        return hits
    model = load_cross_encoder(path)
    scores = model.predict([(query, h.text) for h in hits], convert_to_numpy=True)
    ranked = sorted(zip(scores.tolist(), hits), key=lambda x: -x[0])
    return [dataclasses.replace(h, score=float(s)) for s, h in ranked]


# -- feature reranker ----------------------------------------------------------------
# For statute lookup with questions in everyday words (LeCoQA-style). A logistic regression over
# cheap features of a widened candidate pool: the hybrid, dense and BM25 ranks, BM25 with the
# statute words of the term dictionary, the law prior of the passage's document, the past questions
# whose answers the passage holds. Trained by bench/lecoqa.py on LeCoQA's train split; the weights
# and the dictionaries live in policyqa/resources/lecoqa/.

FEATURES = ("h_rr", "h_in", "d_cos", "d_rr", "s_bm", "s_rr", "x_bm", "x_rr", "x_in", "prior", "prior_top",
            "doc_agg", "title_in_q", "mem_max", "mem_sum", "mem_rr", "pop", "length", "report")
POOL = 50
"""Candidates taken from each list."""
EXPANSION_WEIGHT = 0.5
"""Weight of dictionary statute words in the BM25 query (question words: 1.0)."""
MEMORY_K = 8
"""Nearest past questions consulted."""
INJECT_SIM = 0.93
"""Past questions at least this similar (e5 query-to-query cosines are high: the median nearest is 0.94)
have their answering articles looked up and added as candidates (the first :data:`INJECT_K` at most)."""
INJECT_K = 3
MEM_FLOOR = 0.85
"""Similarities are counted above this floor."""
_RR_K = 2


@dataclass
class Candidate:
    sp: ScoredPayload
    feats: dict[str, float]
    src: dict[str, int] = dataclasses.field(default_factory=dict)
    """Its rank in each list it came from: ``h`` hybrid, ``d`` dense, ``s`` BM25, ``x`` dictionary BM25, ``p`` the
    likely law's passages, ``m`` the nearest past questions' articles (bench/lecoqa.py builds per-piece pools)."""


_law_docs: dict[int, tuple[float, dict[str, list[str]]]] = {}


def _docs_by_law(store) -> dict[str, list[str]]:
    """Law short name → document ids of the store (refreshed every minute)."""
    now = time.monotonic()
    hit = _law_docs.get(id(store))
    if hit is None or now - hit[0] > 60:
        by: dict[str, list[str]] = {}
        for m in store.list_docs():
            by.setdefault(law_name(m.title), []).append(m.doc_id)
        hit = (now, by)
        _law_docs[id(store)] = hit
    return hit[1]


def feature_candidates(res, query: str, dense, flt: SearchFilter | None, kn: Knowledge,
                       pool: int = POOL, memory_mask=None, timings: dict[str, float] | None = None) -> list[Candidate]:
    """The widened candidate pool of one question, with the features of :data:`FEATURES`.

    ``timings``, if given, receives the milliseconds of each part (keys as :attr:`Candidate.src`, and
    ``feat`` for tokenising, the prior and the features)."""
    from policyqa import sparse

    store = res.store
    tm: dict[str, float] = {} if timings is None else timings
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        tm[name] = tm.get(name, 0.0) + (now - t) * 1000
        t = now

    toks = question_tokens(query)
    orig = sparse.query_vector(query)
    exp = kn.terms.expand(toks)
    xvec = sparse_query(toks, exp, EXPANSION_WEIGHT)
    prior = kn.prior.scores(toks)
    top_law = max(prior, key=lambda k: prior[k]) if prior else ""
    lap("feat")
    lists: dict[str, list[ScoredPayload]] = {}
    lists["h"] = store.query(dense, orig, limit=pool, flt=flt, mode="hybrid", prefetch_k=pool)
    lap("h")
    lists["d"] = store.query(dense, None, limit=pool, flt=flt, mode="dense") if dense is not None else []
    lap("d")
    lists["s"] = store.query(None, orig, limit=pool, flt=flt, mode="sparse")
    lap("s")
    lists["x"] = store.query(None, xvec, limit=pool, flt=flt, mode="sparse")
    lap("x")
    lists["p"] = []
    if top_law and prior[top_law] >= 0.3:  # the likely law's own best passages
        docs = _docs_by_law(store).get(top_law, [])
        if flt is not None and flt.doc_ids:  # never outside the documents the user asked for
            docs = [d for d in docs if d in flt.doc_ids]
        if docs:
            lf = dataclasses.replace(flt, doc_ids=list(docs)) if flt is not None else SearchFilter(doc_ids=list(docs))
            lists["p"] = store.query(dense, xvec, limit=10, flt=lf, mode="hybrid", prefetch_k=pool)
    lap("p")
    neighbours = kn.memory.neighbours(dense, MEMORY_K, memory_mask) if dense is not None else []
    lists["m"] = []
    for i, sim in neighbours[:INJECT_K]:
        if sim < INJECT_SIM:
            break
        for text in kn.memory.texts[i]:  # find the passage holding each answering article
            key = article_key(text)
            for f in store.query(None, sparse.query_vector(text), limit=3, flt=flt, mode="sparse"):
                if key in passage_keys(f.payload.get("text", "")):
                    lists["m"].append(f)
                    break
    lap("m")
    by_id: dict[str, ScoredPayload] = {}
    ranks: dict[str, dict[str, tuple[int, float]]] = {}
    for name, found in lists.items():
        for r, f in enumerate(found, 1):
            by_id.setdefault(f.id, f)
            ranks.setdefault(f.id, {}).setdefault(name, (r, f.score))
    d_floor = min((f.score for f in lists["d"]), default=0.0) - 0.02
    s_max = max((f.score for f in lists["s"]), default=1.0) or 1.0
    x_max = max((f.score for f in lists["x"]), default=1.0) or 1.0
    qn = norm(query)
    cands = []
    for pid, f in by_id.items():
        rk = ranks[pid]
        p = f.payload
        law = law_name(p.get("title", ""))
        keys = passage_keys(p.get("text", ""))
        mem = [(r, max(0.0, sim - MEM_FLOOR) / (1 - MEM_FLOOR)) for r, (i, sim) in enumerate(neighbours, 1)
               if any(k in keys for k in kn.memory.keys[i])]

        def rr(name: str, rk: dict[str, tuple[int, float]] = rk) -> float:
            return 1.0 / (rk[name][0] + _RR_K) if name in rk else 0.0

        cands.append(Candidate(f, {
            "h_rr": rr("h"), "h_in": float("h" in rk),
            "d_cos": rk["d"][1] if "d" in rk else d_floor, "d_rr": rr("d"),
            "s_bm": rk["s"][1] / s_max if "s" in rk else 0.0, "s_rr": rr("s"),
            "x_bm": rk["x"][1] / x_max if "x" in rk else 0.0, "x_rr": rr("x"), "x_in": float("x" in rk),
            "prior": prior.get(law, 0.0), "prior_top": float(bool(law) and law == top_law),
            "doc_agg": 0.0, "title_in_q": float(len(law) >= 2 and law in qn),
            "mem_max": max((m for _, m in mem), default=0.0), "mem_sum": float(sum(m for _, m in mem)),
            "mem_rr": 1.0 / mem[0][0] if mem else 0.0,
            "pop": math.log1p(sum(kn.popularity.get(k, 0) for k in keys)),
            "length": len(p.get("text", "")) / 1000.0, "report": float(p.get("doc_type") == "work_report"),
        }, {name: r for name, (r, _) in rk.items()}))
    agg: dict[str, float] = {}
    for c in cands:
        d = c.sp.payload.get("doc_id", "")
        agg[d] = agg.get(d, 0.0) + c.feats["h_rr"] + c.feats["x_rr"]
    for c in cands:
        c.feats["doc_agg"] = agg[c.sp.payload.get("doc_id", "")]
    lap("feat")
    return cands


@dataclass
class LinearModel:
    """Standardised features → logistic regression score."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def score(self, cands: list[Candidate]) -> np.ndarray:
        if not cands:
            return np.zeros(0)
        x = np.array([[c.feats[f] for f in self.features] for c in cands], dtype=np.float64)
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_json(cls, d: dict) -> LinearModel:
        return cls(tuple(d["features"]), np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]),
                   float(d["intercept"]))


@functools.lru_cache(maxsize=2)
def load_model(path: str = str(RESOURCE_DIR / "reranker.json")) -> LinearModel:
    return LinearModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def rank_candidates(cands: list[Candidate], model: LinearModel) -> list[ScoredPayload]:
    """Candidates best first, the model's probability as ``score`` (ties: the hybrid order)."""
    s = model.score(cands)
    order = sorted(range(len(cands)), key=lambda i: (-s[i], -cands[i].feats["h_rr"]))
    return [dataclasses.replace(cands[i].sp, score=float(1.0 / (1.0 + math.exp(-s[i])))) for i in order]


MIN_LAWS = 10
"""The reranker applies only in a library that holds at least this many of the laws the law prior knows
(a statute library), ..."""
STATUTE_SHARE = 0.5
"""... and only to questions whose hybrid hits are at least this share statute articles (第X条): questions
about the library's other documents keep the hybrid order."""


def _known_law_docs(store, kn: Knowledge) -> int:
    by_law = _docs_by_law(store)
    return sum(1 for law in kn.prior.law_counts if law in by_law)


def applies(res, kn: Knowledge, found: list[ScoredPayload]) -> bool:
    """Whether the statute reranker is meant for this library and this question (see :data:`MIN_LAWS`)."""
    if not found or _known_law_docs(res.store, kn) < MIN_LAWS:
        return False
    statute = sum(1 for f in found if ARTICLE.search(norm(f.payload.get("text", ""))))
    return statute >= STATUTE_SHARE * len(found)


def maybe_feature_rerank(res, query: str, dense, found: list[ScoredPayload], k: int, flt: SearchFilter | None,
                         mode: str) -> list[ScoredPayload]:
    """The retriever's hook: ``found`` unchanged unless ``settings.statute_rerank`` is on (hybrid mode) and
    :func:`applies` (a library of many laws, a question answered by statute articles).

    Then the top ``k`` of the widened, feature-reranked pool (see :func:`feature_candidates`)."""
    if not getattr(res.settings, "statute_rerank", False) or mode != "hybrid" or dense is None or not found:
        return found
    try:
        kn = load_knowledge()
        model = load_model()
    except (OSError, ValueError, KeyError):
        return found
    if not applies(res, kn, found):
        return found
    return rank_candidates(feature_candidates(res, query, dense, flt, kn), model)[:k]
