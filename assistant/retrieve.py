"""Retrieval: hybrid dense + BM25 search fused by RRF inside Qdrant.

The shared retrieval function the answer engine, outlines, quizzes, the app
and the eval harness call.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.store import ScoredPayload
from policyqa.textnorm import normalize_for_index
from policyqa.types import Hit, SearchFilter

Mode = Literal["hybrid", "dense", "sparse"]


def to_hit(sp: ScoredPayload) -> Hit:
    p = sp.payload
    return Hit(
        passage_id=sp.id, doc_id=p.get("doc_id", ""), title=p.get("title", ""),
        heading_path=list(p.get("heading") or []), text=p.get("text", ""), score=sp.score,
        date=p.get("date", ""), doc_type=p.get("doc_type", "article"), source=p.get("source", ""),
        idx=int(p.get("idx", 0)), start=int(p.get("start", 0)), end=int(p.get("end", 0)), path=p.get("path", ""),
    )


_QUESTION_WORDS = re.compile(
    r"是什么|是指什么|指什么|什么是|有哪些|包括哪些|怎么样|怎样|如何|怎么|哪些|的含义|含义|主要内容|内容|介绍|概述|"
    r"运作|运行|机制的|[？?。！!，,\s]|what is|what are|how do(es)?|how|work|the|do|is|are|about", re.I)


def is_overview(query: str) -> bool:
    """A query that names a topic and asks what it is / how it works, with no further specifics.

    ("两项机制", "两项机制是什么？", "how do the 两项机制 work?" — but not "联席会议多久召开一次？")
    """
    core = _QUESTION_WORDS.sub("", query)
    toks = set(sparse.tokenize(core))
    maximal = [t for t in toks if not any(t != o and t in o for o in toks)]
    return 0 < len(core) <= 8 and len(maximal) <= 2


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    mode: str
    timings: dict[str, float] = field(default_factory=dict)
    """Milliseconds: embed_ms, search_ms, total_ms."""
    query_vector: Any = None
    """The dense query embedding (numpy array), when one was computed."""


class Retriever:
    def __init__(self, res: Resources):
        self.res = res

    def search(self, query: str, top_k: int | None = None, flt: SearchFilter | None = None,
               mode: Mode = "hybrid") -> SearchResult:
        s = self.res.settings
        k = top_k or s.top_k
        t0 = time.perf_counter()
        norm = normalize_for_index(query.strip())
        dense = self.res.embedder.embed_query(norm) if mode in ("hybrid", "dense") else None
        t1 = time.perf_counter()
        extra = (s.userdict,) if s.userdict else ()
        sp = sparse.query_vector(norm, extra) if mode in ("hybrid", "sparse") else None
        found = self.res.store.query(dense, sp, limit=k, flt=flt, mode=mode, prefetch_k=s.prefetch_k,
                                     lead=mode == "hybrid" and is_overview(norm))
        t2 = time.perf_counter()
        return SearchResult(query=query, hits=[to_hit(f) for f in found], mode=mode, timings={
            "embed_ms": (t1 - t0) * 1000, "search_ms": (t2 - t1) * 1000, "total_ms": (t2 - t0) * 1000},
            query_vector=dense)
