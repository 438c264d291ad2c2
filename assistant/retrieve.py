"""Retrieval: hybrid dense + BM25 search fused by RRF inside Qdrant.

The shared retrieval function the answer engine, outlines, quizzes, the app
and the eval harness call.
"""
from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.store import ScoredPayload
from policyqa.store.base import RRF_K
from policyqa.textnorm import normalize_for_index
from policyqa.types import Hit, SearchFilter

from .grounding import overlap
from .rerank import maybe_feature_rerank

Mode = Literal["hybrid", "dense", "sparse"]

LABEL_DOCS = 2
"""Documents (of the top hits) searched for passages labelled with the question's intent."""
LABEL_WEIGHT = 1.0
"""Weight of the labelled-passages list when it is fused with the hybrid results."""


def hit_from_payload(p: dict[str, Any], score: float = 0.0, passage_id: str | None = None) -> Hit:
    """A stored passage payload as a :class:`Hit` (the payload is read by :meth:`Passage.from_payload`)."""
    return Hit.from_payload(p, passage_id=passage_id, score=score)


def to_hit(sp: ScoredPayload) -> Hit:
    return hit_from_payload(sp.payload, sp.score, sp.id)


def near_duplicate(a: str, b: str) -> bool:
    return overlap(a, b) > 0.8 and overlap(b, a) > 0.8


def diversify(hits: list[Hit], k: int, per_doc: int = 3) -> list[Hit]:
    """Top-k hits without near-duplicates; past ``per_doc`` passages of one document, a further
    passage of it is taken only if no other document has a comparably scored one left."""
    out: list[Hit] = []
    counts: dict[str, int] = {}
    for i, h in enumerate(hits):
        if len(out) >= k:
            break
        if any(near_duplicate(h.text, o.text) for o in out):
            continue
        if counts.get(h.doc_id, 0) >= per_doc and any(
                o.doc_id != h.doc_id and counts.get(o.doc_id, 0) < per_doc and o.score >= 0.5 * h.score
                for o in hits[i + 1:]):
            continue
        out.append(h)
        counts[h.doc_id] = counts.get(h.doc_id, 0) + 1
    return out


def focus_passages(question: str, hits: list[Hit], max_chars: int = 260, overview: bool = False) -> list[Hit]:
    """Copies of ``hits`` whose text is cut to the sentences most relevant to the question (in order).

    Verification still runs against the full passages, so a cut never lets a claim through.
    """
    from .extractive import score_sentences

    out = []
    for h in hits:
        if len(h.text) <= max_chars:
            out.append(h)
            continue
        sents = score_sentences(question, [h], overview)
        keep: set[int] = set()
        used = 0
        for s in sorted(sents, key=lambda x: -x.score):
            if used + len(s.text) > max_chars and keep:
                continue
            keep.add(s.pos)
            used += len(s.text)
        text = "……".join(s.text for s in sorted(sents, key=lambda x: x.pos) if s.pos in keep)
        out.append(dataclasses.replace(h, text=text))
    return out


_QUESTION_WORDS = re.compile(
    r"是什么|是指什么|指什么|指的是|什么是|有哪些|包括哪些|怎么样|怎样|如何|怎么|哪些|"
    r"哪[一二两三四五六七八九十几]+[项个条种类方面]|的含义|含义|主要内容|内容|介绍|概述|[“”\"《》]|"
    r"运作|运行|机制的|[？?。！!，,\s]|到底|究竟|具体|是啥|指啥|[那这](?=[两二三四五六七八九十几])|"
    r"what is|what are|how do(es)?|how|work|the|do|is|are|about", re.I)


# Question wording → the labels policy texts put on the passages that answer it (headings such as
# "运行方式", "议事规则", lead-ins such as "主要内容。", source lines). Added to the BM25 query only:
# "两项机制是怎么运作的" must reach the passages headed 运行方式 / 议事规则.
INTENT_TERMS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"运作|运行|运转|怎么(开展|实施|执行|落实|操作)|如何(开展|实施|执行|落实|操作)|"
                r"\bhow\b.*\b(work|works|working|operate|operates|run|runs)\b", re.I),
     "运行方式 议事规则 运行"),
    # what a thing is for: texts say so with 有利于 / 作用 ("建立沟通联系机制有利于履行党建责任")
    (re.compile(r"意义|好处|有啥用|有什么用|有何用|图[个的]?啥|为什么要|为何要|\bwhy\b|\bpurpose\b|\bsignifican|"
                r"\bwhat good\b|\bwhat is the point\b", re.I), "意义 有利于"),
    (re.compile(r"发表[在于的]|刊物|刊登|出处|出自|\bpublished\b|\bsource\b", re.I), "来源"),
    (re.compile(r"作者|谁写|\bauthor|\bwrote\b", re.I), "作者"),
]


def intent_terms(query: str) -> str:
    """Labels (see :data:`INTENT_TERMS`) that the question's wording asks for, space-separated."""
    return " ".join(terms for pat, terms in INTENT_TERMS if pat.search(query))


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
               mode: Mode = "hybrid", lead: bool | None = None, dense_text: str | None = None) -> SearchResult:
        """``lead``: fuse in documents' opening passages (default: for overview queries; the answer
        engine also asks for them for enumerations and definitions, which openings state).
        ``dense_text``: what the dense vector embeds instead of ``query`` (an English question with its
        glossary terms: the multilingual embedder reads the English too)."""
        s = self.res.settings
        k = top_k or s.top_k
        t0 = time.perf_counter()
        norm = normalize_for_index(query.strip())
        dense = (self.res.embedder.embed_query(normalize_for_index(dense_text or norm))
                 if mode in ("hybrid", "dense") else None)
        t1 = time.perf_counter()
        extra = (s.userdict,) if s.userdict else ()
        intent = intent_terms(norm)
        sp = sparse.query_vector(f"{norm} {intent}", extra) if mode in ("hybrid", "sparse") else None
        found = self.res.store.query(dense, sp, limit=k, flt=flt, mode=mode, prefetch_k=s.prefetch_k,
                                     lead=mode == "hybrid" and (is_overview(norm) if lead is None else lead))
        if intent and mode == "hybrid" and found:
            found = self._with_labelled(found, intent, k, flt, extra)
        found = maybe_feature_rerank(self.res, norm, dense, found, k, flt, mode)  # statute_rerank: only in a library of many laws
        t2 = time.perf_counter()
        # Fusion ties (equal reciprocal ranks) come back from the engine in no fixed order: break them by
        # document order, so that one question gets one answer run after run.
        hits = sorted((to_hit(f) for f in found), key=lambda h: (-round(h.score, 6), h.doc_id, h.idx))
        return SearchResult(query=query, hits=hits, mode=mode, timings={
            "embed_ms": (t1 - t0) * 1000, "search_ms": (t2 - t1) * 1000, "total_ms": (t2 - t0) * 1000},
            query_vector=dense)

    def _with_labelled(self, found: list[ScoredPayload], intent: str, k: int, flt: SearchFilter | None,
                       extra: tuple[str, ...]) -> list[ScoredPayload]:
        """Fuse in the passages labelled with what the question asks for (heading 运行方式 …).

        The labels are looked up by BM25 (headings are part of the indexed text) inside the
        documents of the top hits only, so that "how does X work" reaches the 运行方式 section
        of the document about X, not every 运行 in the library.
        """
        docs = list(dict.fromkeys(f.payload.get("doc_id", "") for f in found[:LABEL_DOCS]))
        if flt is not None and flt.doc_ids:
            docs = [d for d in docs if d in flt.doc_ids]
        lflt = dataclasses.replace(flt, doc_ids=docs) if flt is not None else SearchFilter(doc_ids=docs)
        labelled = self.res.store.query(None, sparse.query_vector(intent, extra), limit=k, flt=lflt, mode="sparse")
        scores: dict[str, float] = {}
        by_id: dict[str, ScoredPayload] = {}
        for weight, ranked in ((1.0, found), (LABEL_WEIGHT, labelled)):
            for rank, f in enumerate(ranked, 1):
                scores[f.id] = scores.get(f.id, 0.0) + weight / (rank + RRF_K - 1)
                by_id.setdefault(f.id, f)
        order = sorted(scores, key=lambda i: -scores[i])[:k]
        return [dataclasses.replace(by_id[i], score=scores[i]) for i in order]
