"""学习研讨提纲: a study-session outline on a topic, built from the library's own passages.

Without a model the outline is the retrieved documents' structure: their headings become the
一、/（一） levels and the lead sentences of their paragraphs the 1. points, each cited [n]
(verbatim, so fixed formulations stay as written). With a model, the 学习目的 and 研讨题目 are
written and long points reworded; everything the model wrote must pass the answer verifier
(:func:`assistant.grounding.verify_answer`) or is replaced by the extractive version, with a notice.

Topics that several documents speak on (a policy across provincial work reports) are synthesised instead:
the sentences about the topic from every document of the scope, grouped into 3–6 themes with balanced
sources and a 共同点/差异 line each; regulation topics are laid out by the regulations' own structure
(kinds → circumstances → procedures → remedies), every point “《法规》第X条：……”, texts in force only
(:mod:`assistant.outline_multi`). A model may then name the themes, each name verified against its points.

A topic the library names only in passing (one item of a list, "依托乡村振兴、强县工程……") gets no outline but
'too little material' (:func:`topic_treated`); model-written 研讨题目 must also have the shape of a question on
the topic (:func:`question_shape_ok`); 发言参考要点 share the topic's words.

API: ``OutlineBuilder(resources, backend=None).build(topic, length, audience, flt, progress, on_draft) -> Outline``
(``on_draft(outline)``: the outline so far, for a page that shows it as it grows);
``outline_markdown(outline)``; ``outline_docx(outline, path)``.
"""
from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from policyqa.runtime import Resources
from policyqa.store import ScoredPayload
from policyqa.types import (
    OUTLINE_AUDIENCES,
    OUTLINE_LENGTHS,
    Citation,
    DocumentMeta,
    Hit,
    Outline,
    OutlineDoc,
    OutlinePoint,
    OutlineSection,
    SearchFilter,
)
from policyqa.versions import STATUS_LABELS, superseded_ids

from . import prompts
from .answerability import Checker, term_coverage
from .extractive import query_terms
from .grounding import (
    facts_missing,
    markers_of,
    norm,
    overlap,
    split_sentences,
    strip_markers,
    supporting_sentences,
    verify_answer,
)
from .llm import ChatBackend, LLMError, TimeLimitedBackend, default_backend_name, get_backend
from .outline_export import outline_docx, outline_markdown
from .outline_multi import (
    FEW_PASSAGES,
    Gathered,
    SynthSection,
    articles_of,
    clean_source,
    doc_label,
    gather,
    regulation_sections,
    themes,
)
from .retrieve import Retriever, diversify, focus_passages, to_hit
from .retrieve import near_duplicate as _near_duplicate

__all__ = ["AUDIENCES", "LENGTHS", "OutlineBuilder", "outline_docx", "outline_markdown"]

Progress = Callable[[float, str], None]
"""``progress(fraction_done, 说明)``; matches ``gradio.Progress`` and is easy to wrap in tqdm."""


@dataclass(frozen=True)
class Budget:
    sections: int
    """一、 levels at most."""
    points: int
    """1. points directly under an 一、 without subsections."""
    lead_points: int
    """… and under an 一、 that has subsections."""
    subsections: int
    """（一） levels per 一、."""
    sub_points: int
    """1. points per （一）."""
    questions: int
    talking: int
    docs: int
    max_chars: int
    """A point longer than this is cut at a clause boundary."""


LENGTHS: dict[str, Budget] = {
    "short": Budget(sections=3, points=2, lead_points=1, subsections=2, sub_points=1, questions=3, talking=3,
                    docs=2, max_chars=70),
    "standard": Budget(sections=5, points=4, lead_points=2, subsections=4, sub_points=3, questions=4, talking=4,
                       docs=3, max_chars=100),
    "detailed": Budget(sections=8, points=6, lead_points=3, subsections=6, sub_points=4, questions=5, talking=5,
                       docs=5, max_chars=130),
}
assert set(LENGTHS) == set(OUTLINE_LENGTHS)


@dataclass(frozen=True)
class Audience:
    unit: str
    """How a question names the learners' organisation."""
    members: str
    goal: str
    """End of the 学习目的 sentence."""


AUDIENCES: dict[str, Audience] = {
    "支部学习": Audience(unit="本支部", members="党员", goal="引导党员把学习成果转化为做好本职工作的实际行动"),
    "中心组学习": Audience(unit="本单位", members="班子成员", goal="推动班子成员把学习成果转化为谋划工作、推动落实的思路举措"),
}
assert set(AUDIENCES) == set(OUTLINE_AUDIENCES)

SUBQUERY_SUFFIXES = ("意义", "主要内容", "要求", "措施", "机制")
"""Facets searched besides the topic itself (the hint of a standard 学习提纲)."""
STRONG_COVERAGE = 0.75
"""Share (by weight) of the topic's content terms a passage must contain to be material on it."""
MIN_STRONG = 2
REGULATION_SHARE = 0.6
"""Share of the topic's sentences in regulations that makes it a regulation topic."""
MULTI_MIN_DOCS = 4
"""Documents speaking on a topic for a synthesis across documents …"""
MULTI_TOP_SHARE = 0.5
"""… none of them holding this share of the topic's sentences (else it is that document's topic)."""
"""Fewer such passages than this: the library has too little on the topic."""
MAIN_DOC_SHARE = 0.5
"""A document whose title covers the topic, or with this share of its passages on it, is read whole."""
QUESTION_SUPPORT = 0.25
"""Bigram share a 研讨题目 must have with the passage it cites (questions add their own wording)."""
NON_MAIN_SENTENCE = 0.5
"""Share of the topic's term weight a sentence of a side document must carry under a heading on the topic …"""
OFF_HEADING_SENTENCE = 0.7
"""… and under any other heading."""
REPHRASE_SUPPORT = 0.5
"""Bigram share a reworded point must keep with its passage."""
QUESTION_MAX_CHARS = 80
"""A longer 研讨题目 is a copied passage, not a question."""
QUESTION_SHAPE_CHARS = (10, 60)
"""Length bounds of a model-written 研讨题目 (without its [n])."""
MIN_TREATED = 2
"""Sentences that speak of the topic itself (not as one item of a list) the library must hold, unless a
title or heading is on the topic: below this the topic is only mentioned in passing."""
QUESTIONS_MAX_TOKENS = 220
PURPOSE_MAX_TOKENS = 100
REPHRASE_MAX_POINTS = 8
THEME_NAME_TOKENS = 24
THEME_NAME_SUPPORT = 0.6
"""Share of a model-written theme name's bigrams that must occur in the theme's points."""
REPHRASE_TOKENS_PER_POINT = 48
CONTEXT_PASSAGES = 5
CONTEXT_CHARS = 200

_CLAUSE = "，,；;：:"
_OPENERS = {"“": "”", "《": "》", "(": ")", "（": "）", "「": "」", "‘": "’"}
_CUE = re.compile(r"有利于|意义|关键|必须|明确|主要|坚持|推动|建立|制定|是")
_FACT_CUE = re.compile(r"每年|每季度|至少|定期|\d|[一二两三四五六七八九十]+(?:个|项|种|次|方面)")
_REQ_CUE = re.compile(r"要|必须|坚持|确保|切实|推动|加强|做到|落实|坚决")
_KEY_POINT = re.compile(r"有利于|关键|必须|根本|核心|首要")
_SUBORDINATE = re.compile(r"^(针对|为了|为|随着|通过|根据|按照|围绕|从|在[^，,]{0,20}(中|上|下|时))")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.、．]\s*)")
"""Numbering printed in a heading ("四、…"): the outline numbers its own levels."""
_META = re.compile(r"来源[:：]|作者[:：]|责任编辑|^\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}|年第\d+期")
_Q_MEANING = re.compile(r"意义|作用|重要性|必要性")
_ASKS = re.compile(r"[？?]|如何|怎样|怎么|为什么|哪些|什么|谈谈|是否")
_Q_CONTENT = re.compile(r"内容|方式|规则|制度|机制|办法|措施|举措|路径|要求|任务")


# -- internal records -------------------------------------------------------------

@dataclass
class _Sent:
    hit: Hit
    text: str
    order: tuple[int, int, int]
    """(passage idx, paragraph, sentence) for document order."""
    lead: bool
    score: float = 0.0


@dataclass
class _Pt:
    text: str
    """Without markers."""
    pids: list[str]
    origin: str = "extract"


@dataclass
class _Sec:
    heading: str
    doc_id: str
    order: tuple[int, int, int]
    sents: list[_Sent] = field(default_factory=list)
    """Sentences directly under the heading."""
    subs: list[_Sec] = field(default_factory=list)
    score: float = 0.0
    points: list[_Pt] = field(default_factory=list)
    is_title: bool = False


@dataclass
class _Doc:
    doc_id: str
    title: str
    hits: list[Hit]
    main: bool
    score: float
    rank: int = 0


# -- text helpers -----------------------------------------------------------------

def _bare(text: str) -> str:
    return norm(text).strip("—-－ 。.：:")


def _balanced(text: str) -> bool:
    for o, c in _OPENERS.items():
        if text.count(o) != text.count(c):
            return False
    return text.count('"') % 2 == 0


def shorten(sentence: str, max_chars: int) -> str:
    """A long sentence cut at a clause boundary (never inside quotes or brackets), ending with 。."""
    s = sentence.strip().lstrip("—－-").strip()
    if s.endswith(("；", ";", "，", ",", "：", ":")):
        s = s[:-1] + "。"
    if len(s) <= max_chars:
        return s if s[-1] in "。！？!?”’）)" else s + "。"
    cuts = [i for i, ch in enumerate(s) if ch in _CLAUSE and i >= 15 and _balanced(s[:i])]
    # Never end on a subordinate clause ("……，在党组坚强领导下。").
    cuts = [i for k, i in enumerate(cuts) if not _SUBORDINATE.match(s[(cuts[k - 1] + 1) if k else 0:i])]
    before = [i for i in cuts if i <= max_chars]
    after = [i for i in cuts if max_chars < i <= int(max_chars * 1.6)]
    if before:
        return s[:before[-1]] + "。"
    if after:
        return s[:after[0]] + "。"
    return s


def _term_score(terms: dict[str, float], text: str) -> float:
    """Weights of the topic terms in ``text``, a term inside a longer matched one counted once."""
    t = norm(text)
    found = {k: w for k, w in terms.items() if norm(k) in t}
    return sum(w for k, w in found.items() if not any(k != o and k in o for o in found))


def _listed(text: str, a: int, b: int) -> bool:
    """Is ``text[a:b]`` one item of an enumeration ("依托乡村振兴、强县工程……")?"""
    return (a > 0 and text[a - 1] in "、") or (b < len(text) and text[b] in "、")


def treated_score(terms: dict[str, float], text: str) -> float:
    """Like :func:`_term_score`, counting only the topic's words where the text speaks of them, not where they
    are one item of a list: the runs of adjacent topic words are the spans judged."""
    t = norm(text)
    spans: list[list[int]] = []
    for k in terms:
        nk = norm(k)
        for m in re.finditer(re.escape(nk), t) if nk else ():
            spans.append([m.start(), m.end()])
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    free = "".join(t[a:b] + "|" for a, b in merged if not _listed(t, a, b))
    return _term_score(terms, free)


def topic_treated(topic: str, terms: dict[str, float], hits: list[Hit]) -> tuple[bool, int]:
    """Does the library treat the topic, judged on the topic's own words (not on any retrieval hit)?

    Yes when a title or heading of the passages is on the topic, or when at least :data:`MIN_TREATED`
    sentences name most of the topic other than as one item of a list. Also returns how many passages
    mention the topic at all (for the 'too little' message)."""
    full = _term_score(terms, "".join(terms)) or 1.0
    sentences = 0
    mentioned = 0
    for h in hits:
        if any(_term_score(terms, x) / full >= STRONG_COVERAGE for x in [h.title, *h.heading_path] if x):
            return True, len(hits)
        if _term_score(terms, h.text) / full >= STRONG_COVERAGE:
            mentioned += 1
        sentences += sum(treated_score(terms, x) / full >= STRONG_COVERAGE for x in split_sentences(h.text))
    return sentences >= MIN_TREATED, mentioned


def _fragment(text: str, max_chars: int) -> bool:
    """Cutting this sentence to length would leave only its subordinate opening clause."""
    return len(text) > max_chars and bool(_SUBORDINATE.match(text))


def _crisp(text: str, max_chars: int) -> float:
    """Prefer sentences that need no cutting, short ones a little more; a long sentence opening with
    a subordinate clause would be cut to a fragment."""
    n = len(text)
    return (0.3 if n <= 50 else 0.0) - 0.01 * max(0, n - max_chars)


def _on_topic(s: _Sent, path: list[str], strong: set[str], terms: dict[str, float], full: float) -> bool:
    """May a sentence of a document not about the topic enter the outline? Under a heading on the
    topic, a sentence naming half of it will do; elsewhere only a sentence from a passage on the topic
    that names most of it."""
    ts = _term_score(terms, s.text) / full
    if _term_score(terms, " ".join(path)) / full >= 0.5:
        return ts >= NON_MAIN_SENTENCE
    return s.hit.passage_id in strong and ts >= OFF_HEADING_SENTENCE


def _quoted(h: str) -> str:
    return h if "“" in h or "《" in h else f"“{h}”"


# -- the builder ------------------------------------------------------------------

class OutlineBuilder:
    """Builds :class:`~policyqa.types.Outline` objects over open resources.

    ``backend``: ``none`` | ``local`` | ``openai`` | a ready :class:`ChatBackend` | None (the default
    backend, as for answers).
    """

    def __init__(self, resources: Resources, backend: str | ChatBackend | None = None):
        self.res = resources
        self.retriever = Retriever(resources)
        self.checker = Checker(resources)
        self._backend = backend
        self._passages: dict[str, list[Hit]] = {}
        self._on_draft: Callable[[Outline], None] = lambda o: None

    def backend(self) -> ChatBackend | None:
        """The model for this outline, time-bounded like answers; None without one. Raises LLMError."""
        b = self._backend
        inner = b if isinstance(b, ChatBackend) else get_backend(b if b is not None else default_backend_name())
        if inner is None:
            return None
        s = self.res.settings
        return TimeLimitedBackend(inner, s.llm_timeout_s, s.llm_first_token_timeout_s)

    # -- public ----------------------------------------------------------------
    def build(self, topic: str, length: str = "standard", audience: str = "支部学习",
              flt: SearchFilter | None = None, progress: Progress | None = None,
              on_draft: Callable[[Outline], None] | None = None) -> Outline:
        """The outline on ``topic``. ``on_draft(outline)`` is called with the outline as it stands whenever a
        part of it is ready (the extractive outline first, then after each step of the model), so that a page
        can show it section by section; the returned outline is the finished one (checked sources, timings)."""
        self._on_draft = on_draft or (lambda o: None)
        topic = re.sub(r"\s+", " ", (topic or "").strip().strip("“”\"《》"))
        if not topic:
            raise ValueError("请输入学习主题，例如：两项机制、机关党建与业务融合。")
        if len(topic) > 60:
            raise ValueError("学习主题太长：请用 60 字以内的短语概括，例如“机关党建与业务融合”。")
        if length not in LENGTHS:
            raise ValueError(f"篇幅只能是 {' / '.join(LENGTHS)}（{' / '.join(OUTLINE_LENGTHS.values())}）。")
        if audience not in AUDIENCES:
            raise ValueError(f"学习形式只能是：{' / '.join(AUDIENCES)}。")
        budget, aud = LENGTHS[length], AUDIENCES[audience]
        step = progress or (lambda f, d: None)
        t0 = time.perf_counter()
        notices: list[str] = []
        try:
            llm = self.backend()
        except LLMError as exc:
            llm = None
            notices.append(f"模型不可用，已改为依据原文生成提纲：{exc}")

        if not (flt and flt.doc_ids):
            gone = superseded_ids(self._metas()) | set(flt.exclude_doc_ids if flt else [])
            if gone:
                flt = dataclasses.replace(flt or SearchFilter(), exclude_doc_ids=sorted(gone))
        step(0.05, "检索资料")
        found = self.retriever.search(topic, top_k=24, flt=flt)
        r0_hits = diversify(found.hits, 8)
        r0 = self.checker.verdict(topic, r0_hits, found.query_vector, flt)
        pool = self._gather(topic, flt)
        terms = {t: w for t, w in query_terms(topic).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
        cov = {pid: term_coverage(topic, [h])[0] for pid, (h, _) in pool.items()}
        strong = [pid for pid, c in cov.items() if c >= STRONG_COVERAGE]
        out = Outline(topic=topic, length=length, audience=audience, notices=notices)
        treated, mentioned = topic_treated(topic, terms, [pool[pid][0] for pid in strong])
        if not r0.answerable or len(strong) < MIN_STRONG or not treated:
            if mentioned and r0.answerable:
                out.notices.append(prompts.OUTLINE_ONLY_MENTIONED.format(topic=topic, n=mentioned))
            return self._not_enough(out, topic, r0_hits, t0, (time.perf_counter() - t0) * 1000)

        step(0.25, "组织提纲结构")
        synth = self._synthesis(out, topic, flt, terms, budget, aud)
        if synth:
            return self._finish(out, llm, budget, step, t0, None)
        docs = self._documents(topic, pool, strong, flt, budget)
        pool = self._broaden(topic, docs, pool, flt)
        cov.update({pid: term_coverage(topic, [h])[0] for pid, (h, _) in pool.items() if pid not in cov})
        strong_ids = {pid for pid, c in cov.items() if c >= STRONG_COVERAGE}
        retrieve_ms = (time.perf_counter() - t0) * 1000
        secs = self._sections(docs, pool, strong_ids, terms, budget)
        if sum(len(s.points) + sum(len(x.points) for x in s.subs) for s in secs) < MIN_STRONG:
            return self._not_enough(out, topic, r0_hits, t0, retrieve_ms)
        used = {norm(p.text) for s in secs for p in s.points + [q for x in s.subs for q in x.points]}
        purpose = self._purpose(topic, secs, docs, aud)
        questions = self._questions(topic, secs, docs, aud, budget.questions)
        talking = self._talking(secs, docs, pool, strong_ids, terms, used, budget)
        self._finalize(out, purpose, secs, questions, talking, docs)
        if len(out.questions) < 3:
            out.notices.append("资料较少，研讨题目不足 3 道，可结合本单位实际补充。")
        return self._finish(out, llm, budget, step, t0, retrieve_ms)

    @staticmethod
    def _not_enough(out: Outline, topic: str, r0_hits: list[Hit], t0: float, retrieve_ms: float) -> Outline:
        """Too little on the topic: say so, with the nearest passages for reference."""
        out.enough_material = False
        out.notices.insert(0, prompts.OUTLINE_NOT_ENOUGH.format(topic=topic))
        out.nearest = [Citation.from_hit(n, h) for n, h in enumerate(r0_hits[:3], 1)]
        out.timings = {"retrieve_ms": retrieve_ms, "total_ms": (time.perf_counter() - t0) * 1000}
        return out

    def _finish(self, out: Outline, llm: ChatBackend | None, budget: Budget, step: Progress, t0: float,
                retrieve_ms: float | None) -> Outline:
        """The model's refinement when there is one, then the source check and timings (``retrieve_ms`` None:
        the synthesis recorded its own, else the time so far)."""
        out.backend, out.model = "none", "extractive"
        self._on_draft(out)
        if llm is not None:
            t1 = time.perf_counter()
            self._refine(out, llm, budget, step)
            out.timings["llm_ms"] = (time.perf_counter() - t1) * 1000
        step(0.95, "核验出处")
        self._supports(out)
        out.timings["retrieve_ms"] = (retrieve_ms if retrieve_ms is not None
                                      else out.timings.get("retrieve_ms", (time.perf_counter() - t0) * 1000))
        out.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        step(1.0, "完成")
        return out

    # -- topic synthesis across documents (assistant/outline_multi.py) ---------------
    def _metas(self) -> list[DocumentMeta]:
        try:
            return self.res.store.list_docs()
        except Exception:  # a store without a registry: no synthesis
            return []

    def _passages_of(self, doc_id: str) -> list[Hit]:
        if doc_id not in self._passages:
            self._passages[doc_id] = [to_hit(ScoredPayload(id=p["id"], score=0.0, payload=p))
                                      for p in self.res.store.doc_passages(doc_id)]
        return self._passages[doc_id]

    def _synthesis(self, out: Outline, topic: str, flt: SearchFilter | None, terms: dict[str, float],
                   budget: Budget, aud: Audience) -> bool:
        """A many-document topic as themes, a regulation topic by the regulations' structure; False:
        the topic belongs to one document (or too few), built from that document's structure instead."""
        metas = self._metas()
        if not metas:
            return False
        only = set(flt.doc_ids) if flt and flt.doc_ids else None
        exclude = set(flt.exclude_doc_ids) if flt else set()
        if not only:
            exclude |= superseded_ids(metas)
        if flt and (flt.date_from or flt.date_to or flt.sources):
            exclude |= {d.doc_id for d in metas if (flt.date_from and (d.date or "") < flt.date_from)
                        or (flt.date_to and (d.date or "")[:len(flt.date_to)] > flt.date_to)
                        or (flt.sources and d.source not in flt.sources)}
        full = _term_score(terms, "".join(terms)) or 1.0
        g = gather(metas, self._passages_of, topic, lambda t: _term_score(terms, t) / full, exclude, only,
                   set(flt.doc_types) if flt and flt.doc_types else None)
        if len(g.sentences) < MIN_STRONG:
            return False
        per_doc: dict[str, int] = {}
        for s in g.sentences:
            per_doc[s.hit.doc_id] = per_doc.get(s.hit.doc_id, 0) + 1
        total = sum(per_doc.values())
        reg = sum(c for d, c in per_doc.items() if g.docs[d].doc_type == "regulation") / total
        if reg >= REGULATION_SHARE:
            return self._regulation(out, topic, g, per_doc, budget, aud)
        if len(per_doc) >= MULTI_MIN_DOCS and max(per_doc.values()) / total < MULTI_TOP_SHARE:
            return self._multi(out, topic, g, terms, budget, aud)
        return False

    @staticmethod
    def _synth_docs(g: Gathered) -> list[_Doc]:
        docs: dict[str, _Doc] = {}
        for h in g.passages.values():
            d = docs.setdefault(h.doc_id, _Doc(doc_id=h.doc_id, title=h.title, hits=[], main=False, score=0.0))
            d.hits.append(h)
        return list(docs.values())

    @staticmethod
    def _to_secs(secs: list[SynthSection]) -> list[_Sec]:
        return [_Sec(heading=s.heading, doc_id=s.doc_ids[0] if s.doc_ids else "", order=(i, 0, 0),
                     points=[_Pt(text=p.text, pids=p.pids, origin=p.origin) for p in s.points])
                for i, s in enumerate(secs) if s.points]

    def _multi(self, out: Outline, topic: str, g: Gathered, terms: dict[str, float], budget: Budget,
               aud: Audience) -> bool:
        labels = {d: doc_label(m, m.title) for d, m in g.docs.items()}
        synth = themes(g, topic, set(terms) | {topic}, max_themes=min(6, budget.sections + 1),
                       per_theme=max(2, budget.sub_points), max_chars=budget.max_chars, shorten=shorten,
                       labels=labels, many_docs=True)
        secs = self._to_secs(synth)
        if len(secs) < 2:
            return False
        if len(g.passages) < FEW_PASSAGES:
            out.notices.append(f"资料中关于“{topic}”的内容较少（{len(g.passages)}段），以下要点仅依据这些段落整理，未作扩充。")
        reports = [d for d in g.docs.values() if d.doc_type == "work_report"]
        if len(reports) == len(g.docs):
            whose = f"{len(reports)}个省份的政府工作报告"
        elif reports:
            whose = f"{len(g.docs)}份资料（其中{len(reports)}个省份的政府工作报告）"
        else:
            whose = f"{len(g.docs)}份资料"
        names = "、".join(_quoted(s.heading) for s in secs[:3])
        purpose = [_Pt(text=f"围绕“{topic}”，对照学习{whose}中的相关部署，把握{names}等重点，"
                            f"了解各地的共同做法和不同侧重，{aud.goal}。",
                       pids=list(dict.fromkeys(s.points[0].pids[0] for s in secs[:3])))]
        templates = (
            "各地在{h}方面提出了哪些具体举措？{unit}可以借鉴哪些做法？",
            "对照{h}的部署，{unit}在推进“{topic}”上还有哪些差距？应如何改进？",
            "如何理解{h}与“{topic}”的关系？结合{unit}实际谈谈体会。",
        )
        questions: list[_Pt] = []
        for i, s in enumerate(secs):
            if len(questions) >= budget.questions:
                break
            q = templates[i % len(templates)].format(h=_quoted(s.heading), unit=aud.unit, topic=topic)
            questions.append(_Pt(text=q, pids=[s.points[-1].pids[0]]))
        if len(questions) < 3:
            questions.append(_Pt(text=f"比较各地推进“{topic}”的不同做法，哪些经验适合{aud.unit}？",
                                 pids=[secs[0].points[0].pids[0]]))
        used = {p for s in secs for pt in s.points for p in pt.pids}
        used_text = [pt.text for s in secs for pt in s.points]
        talking: list[_Pt] = []
        for ts in sorted(g.sentences, key=lambda x: (x.hit.passage_id in used, -len(_REQ_CUE.findall(x.text)),
                                                     abs(len(x.text) - 60))):
            if len(talking) >= budget.talking:
                break
            if not _REQ_CUE.search(ts.text):
                continue
            text = shorten(ts.text, budget.max_chars)
            if norm(topic) not in norm(text) or any(_near_duplicate(text, t) for t in used_text):
                continue
            talking.append(_Pt(text=text, pids=[ts.hit.passage_id]))
            used_text.append(text)
        self._finalize(out, purpose, secs, questions, talking, self._synth_docs(g))
        return True

    def _regulation(self, out: Outline, topic: str, g: Gathered, per_doc: dict[str, int], budget: Budget,
                    aud: Audience) -> bool:
        regs = sorted((m for m in g.docs.values() if m.doc_type == "regulation"),
                      key=lambda m: -per_doc.get(m.doc_id, 0))
        arts = []
        for m in regs:
            work = m.work or re.sub(r"^中华人民共和国", "", m.title)
            arts += articles_of(self._passages_of(m.doc_id), work)
        synth = regulation_sections(arts, topic, per_facet=max(2, budget.sub_points + 1),
                                    max_chars=int(budget.max_chars * 1.3), shorten=shorten)
        for ss in synth:
            for sp in ss.points:
                for pid in sp.pids:
                    if pid not in g.passages:
                        g.passages[pid] = next(a.hit for a in arts if a.hit.passage_id == pid)
        secs = self._to_secs(synth)
        if len(secs) < 2:
            return False
        cited = [hm.group(1) for x in secs for p in x.points if (hm := re.match(r"《([^》]+)》", p.text))]
        works = "》《".join(list(dict.fromkeys(cited))[:3])
        names = "、".join(s.heading for s in secs)
        purpose = [_Pt(text=f"围绕“{topic}”，学习《{works}》的现行文本，掌握{names}等规定，{aud.goal}。",
                       pids=list(dict.fromkeys(s.points[0].pids[0] for s in secs[:3])))]
        questions: list[_Pt] = []
        for i, s in enumerate(secs):
            if len(questions) >= budget.questions:
                break
            h = _quoted(s.heading)
            q = (f"法规关于{h}有哪些规定？{aud.members}应如何对照遵守？" if i % 2 == 0
                 else f"结合{aud.unit}实际，如何在工作中准确把握{h}的规定？")
            questions.append(_Pt(text=q, pids=[s.points[0].pids[0]]))
        if len(questions) < 3:
            questions.append(_Pt(text=f"学习“{topic}”的有关规定，{aud.unit}在依规依法履职方面还有哪些需要改进？",
                                 pids=[secs[0].points[0].pids[0]]))
        used = {p.text for s in secs for p in s.points}
        terms = query_terms(topic)
        talking: list[_Pt] = []
        for ss in synth:
            for sp in ss.points:
                if len(talking) < min(3, budget.talking) and "应当" in sp.text and sp.text in used \
                        and _term_score(terms, sp.text.split("：", 1)[-1]):
                    talking.append(_Pt(text=sp.text, pids=sp.pids))
        self._finalize(out, purpose, secs, questions, talking, self._synth_docs(g))
        return True

    # -- retrieval -------------------------------------------------------------
    def _gather(self, topic: str, flt: SearchFilter | None) -> dict[str, tuple[Hit, float]]:
        """Hits of the topic and its facet sub-queries, scored by reciprocal rank summed over queries."""
        queries = [topic] + [f"{topic}{s}" for s in SUBQUERY_SUFFIXES if s not in topic]
        pool: dict[str, tuple[Hit, float]] = {}
        for q in queries:
            self._add(pool, self.retriever.search(q, top_k=12, flt=flt).hits)
        return pool

    @staticmethod
    def _add(pool: dict[str, tuple[Hit, float]], hits: list[Hit], weight: float = 1.0,
             keep: Callable[[Hit], bool] | None = None) -> None:
        for rank, h in enumerate(hits):
            if keep is not None and not keep(h):
                continue
            old = pool.get(h.passage_id)
            pool[h.passage_id] = (old[0] if old else h, (old[1] if old else 0.0) + weight / (rank + 2))

    def _documents(self, topic: str, pool: dict[str, tuple[Hit, float]], strong: list[str],
                   flt: SearchFilter | None, budget: Budget) -> list[_Doc]:
        scores: dict[str, float] = {}
        for pid in strong:
            h, s = pool[pid]
            scores[h.doc_id] = scores.get(h.doc_id, 0.0) + s
        chosen = set(flt.doc_ids) if flt and flt.doc_ids else set()
        docs: list[_Doc] = []
        # A couple more documents than the outline may use: sections compete on relevance below.
        for doc_id, score in sorted(scores.items(), key=lambda x: -x[1])[:budget.docs + 2]:
            hits = [to_hit(ScoredPayload(id=p["id"], score=0.0, payload=p)) for p in self.res.store.doc_passages(doc_id)]
            if not hits:
                continue
            title_cov = term_coverage(topic, [Hit(passage_id="", doc_id=doc_id, title="", heading_path=[],
                                                  text=hits[0].title, score=0.0)])[0]
            share = sum(term_coverage(topic, [h])[0] >= STRONG_COVERAGE for h in hits) / len(hits)
            main = doc_id in chosen or title_cov >= STRONG_COVERAGE or share >= MAIN_DOC_SHARE
            docs.append(_Doc(doc_id=doc_id, title=hits[0].title, hits=hits, main=main, score=score))
        docs.sort(key=lambda d: (not d.main, -d.score))
        for i, d in enumerate(docs):
            d.rank = i
        return docs

    def _broaden(self, topic: str, docs: list[_Doc], pool: dict[str, tuple[Hit, float]],
                 flt: SearchFilter | None) -> dict[str, tuple[Hit, float]]:
        """Search the library with the top document's headings: other documents on the same facets."""
        if not docs:
            return pool
        heads = list(dict.fromkeys(h.heading_path[1] for h in docs[0].hits if len(h.heading_path) > 1))[:4]
        pool = dict(pool)
        for head in heads:
            q = head if _term_score(query_terms(topic), head) else f"{topic} {head}"
            self._add(pool, self.retriever.search(q, top_k=8, flt=flt).hits, weight=0.5,
                      keep=lambda h: term_coverage(topic, [h])[0] >= STRONG_COVERAGE)
        return pool

    # -- structure ---------------------------------------------------------------
    def _paragraphs(self, doc: _Doc, terms: dict[str, float]) -> list[tuple[list[str], _Sent]]:
        """(heading path below the title, sentence) for every content sentence of the document."""
        out: list[tuple[list[str], _Sent]] = []
        prev: Hit | None = None
        for h in doc.hits:
            continuation = prev is not None and prev.end == h.start
            prev = h
            heads = [_NUMBERING.sub("", x).strip() or x for x in h.heading_path[1:] if x]
            bare_heads = {_bare(x) for x in h.heading_path}
            for pi, para in enumerate(h.text.split("\n")):
                para = para.strip()
                if not para or _bare(para) in bare_heads or _META.search(para):
                    continue
                if not re.search(r"[。！？!?；;]", para) and len(para) < 40:
                    continue
                sents = [s for s in split_sentences(para)]
                path = list(heads)
                if sents:
                    first = _bare(sents[0])
                    if heads and first == _bare(heads[-1]):
                        sents = sents[1:]
                    elif len(first) <= 12 and not re.search(r"[,，、；;]", first) and len(sents) > 1:
                        path = path[:1] + [sents[0].strip("—－- ").rstrip("。.：:")]
                        sents = sents[1:]
                for si, s in enumerate(sents):
                    body = s.strip().lstrip("—－-").strip()
                    if len(body) < 10 or not re.search(r"[\u4e00-\u9fff]", body):
                        continue
                    if len(body) < 16 and not _term_score(terms, body) and not _FACT_CUE.search(body):
                        continue  # a rhetorical opener ("春华秋实,岁物丰成。")
                    lead = si == 0 and not (pi == 0 and continuation)
                    out.append((path, _Sent(hit=h, text=body, order=(h.idx, pi, si), lead=lead)))
        return out

    def _sections(self, docs: list[_Doc], pool: dict[str, tuple[Hit, float]], strong: set[str],
                  terms: dict[str, float], budget: Budget) -> list[_Sec]:
        candidates: list[_Sec] = []
        full = _term_score(terms, "".join(terms)) or 1.0
        for doc in docs:
            by_key: dict[tuple[str, ...], _Sec] = {}
            for path, s in self._paragraphs(doc, terms):
                if _fragment(s.text, budget.max_chars) or not (doc.main or _on_topic(s, path, strong, terms, full)):
                    continue
                ts = _term_score(terms, s.text)
                s.score = (2.0 if s.lead and doc.main else 1.0 if s.lead else 0.0) + ts \
                    + (0.5 if _CUE.search(s.text) else 0.0) + (0.6 if _FACT_CUE.search(s.text) else 0.0) \
                    + 0.5 * pool.get(s.hit.passage_id, (None, 0.0))[1] + _crisp(s.text, budget.max_chars)
                h1 = path[0] if path else ""
                key = (h1,)
                if key not in by_key:
                    by_key[key] = _Sec(heading=h1 or doc.title, doc_id=doc.doc_id, order=(doc.rank, *s.order[:2]),
                                       is_title=not h1)
                sec = by_key[key]
                if len(path) > 1:
                    sub = next((x for x in sec.subs if x.heading == path[1]), None)
                    if sub is None:
                        sub = _Sec(heading=path[1], doc_id=doc.doc_id, order=(doc.rank, *s.order[:2]))
                        sec.subs.append(sub)
                    sub.sents.append(s)
                else:
                    sec.sents.append(s)
            for sec in by_key.values():
                pids = {x.hit.passage_id for x in sec.sents + [y for sub in sec.subs for y in sub.sents]}
                heads = " ".join([sec.heading] + [x.heading for x in sec.subs])
                sec.score = sum(pool[pid][1] for pid in pids if pid in pool) + (1.0 if doc.main else 0.0) \
                    + (1.0 if sec.is_title and doc.main else 0.0) + min(1.0, _term_score(terms, heads) / full) \
                    - 0.1 * doc.rank
                self._pick_points(sec, budget)
                if len(sec.subs) == 1 and not sec.points:  # one relevant subsection: let it stand alone
                    only = sec.subs[0]
                    sec = _Sec(heading=only.heading, doc_id=sec.doc_id, order=sec.order, points=only.points,
                               score=sec.score)
                if sec.points or sec.subs:
                    candidates.append(sec)
        chosen: list[_Sec] = []
        used_docs: set[str] = set()
        for sec in sorted(candidates, key=lambda x: -x.score):
            if len(chosen) >= budget.sections:
                break
            if sec.doc_id in used_docs or len(used_docs) < budget.docs:
                chosen.append(sec)
                used_docs.add(sec.doc_id)
        return sorted(chosen, key=lambda x: x.order)

    def _pick_points(self, sec: _Sec, budget: Budget) -> None:
        taken: list[str] = []

        def pick(sents: list[_Sent], cap: int) -> list[_Pt]:
            chosen: list[_Sent] = []
            for s in sorted(sents, key=lambda x: (-x.score, len(x.text))):
                if len(chosen) >= cap:
                    break
                short = shorten(s.text, budget.max_chars)
                if any(_near_duplicate(short, t) for t in taken):
                    continue
                chosen.append(s)
                taken.append(short)
            chosen.sort(key=lambda x: x.order)
            return [_Pt(text=shorten(s.text, budget.max_chars), pids=[s.hit.passage_id]) for s in chosen]

        subs = sorted(sec.subs, key=lambda x: -max((s.score for s in x.sents), default=0))[:budget.subsections]
        subs.sort(key=lambda x: x.order)
        sec.points = pick(sec.sents, budget.lead_points if subs else budget.points)
        for sub in subs:
            sub.points = pick(sub.sents, budget.sub_points)
        sec.subs = [x for x in subs if x.points]

    # -- purpose, questions, talking points ----------------------------------------
    @staticmethod
    def _first_pid(sec: _Sec) -> str:
        pts = sec.points or [p for x in sec.subs for p in x.points]
        return pts[0].pids[0]

    def _purpose(self, topic: str, secs: list[_Sec], docs: list[_Doc], aud: Audience) -> list[_Pt]:
        cited_docs = [d for d in docs if any(s.doc_id == d.doc_id for s in secs)]
        heads = [s for s in secs if not s.is_title][:3]
        what = "、".join(_quoted(s.heading.rstrip("。")) for s in heads) if heads else f"“{topic}”的主要内容"
        more = f"等{len(cited_docs)}篇资料" if len(cited_docs) > 1 else ""
        text = f"围绕“{topic}”，原原本本学习《{cited_docs[0].title}》{more}，重点把握{what}等内容，{aud.goal}。"
        pids = list(dict.fromkeys(self._first_pid(s) for s in (heads or secs[:1])))
        return [_Pt(text=text, pids=pids)]

    def _questions(self, topic: str, secs: list[_Sec], docs: list[_Doc], aud: Audience, n: int) -> list[_Pt]:
        by_heading: list[_Pt] = []
        for s in secs:
            if s.is_title:
                continue
            h = _quoted(s.heading.rstrip("。"))
            if _Q_MEANING.search(h):
                q = f"如何深刻认识{h}？结合{aud.unit}实际谈谈体会。"
            elif _Q_CONTENT.search(h):
                q = f"{h}有哪些要点？{aud.unit}可以从中借鉴什么？"
            else:
                q = f"对照{h}的要求，{aud.unit}还有哪些差距？应如何改进？"
            by_heading.append(_Pt(text=q, pids=[self._first_pid(s)]))
        by_point: list[_Pt] = []
        for s in secs:
            for p in s.points + [q for x in s.subs for q in x.points]:
                core = re.split(r"[，,；;。]", p.text)[0]
                if _KEY_POINT.search(core) and 8 <= len(core) <= 40 and _balanced(core) \
                        and not re.search(r"(指出|提出|强调|认为|表示)$", core):
                    by_point.append(_Pt(text=f"原文提出：{core}。{aud.members}应如何理解和落实？", pids=p.pids))
        out: list[_Pt] = []
        # Alternate: a section-level question, then a point-level one.
        for pair in zip(by_heading + [None] * len(by_point), by_point + [None] * len(by_heading)):
            for cand in pair:
                if cand is not None and len(out) < n and all(cand.text != o.text for o in out):
                    out.append(cand)
        if len(out) < n:
            title_pid = next((self._first_pid(s) for s in secs if s.is_title), self._first_pid(secs[0]))
            d = next(d for d in docs if d.doc_id == secs[0].doc_id)
            out.append(_Pt(text=f"学习《{d.title}》，{aud.unit}在落实“{topic}”方面还有哪些工作可以改进？",
                           pids=[title_pid]))
        return out[:n]

    def _talking(self, secs: list[_Sec], docs: list[_Doc], pool: dict[str, tuple[Hit, float]], strong: set[str],
                 terms: dict[str, float], used: set[str], budget: Budget) -> list[_Pt]:
        in_outline = {s.doc_id for s in secs}
        full = _term_score(terms, "".join(terms)) or 1.0
        cands: list[_Sent] = []
        for doc in docs:
            if doc.doc_id not in in_outline:
                continue
            for path, s in self._paragraphs(doc, terms):
                if not _REQ_CUE.search(s.text) or _fragment(s.text, budget.max_chars):
                    continue
                # On topic: a talking point shares the topic's own words, whatever document it is from.
                if not _term_score(terms, s.text):
                    continue
                if not (doc.main or _on_topic(s, path, strong, terms, full)):
                    continue
                s.score = _term_score(terms, s.text) + (0.5 if doc.main else 0.0) \
                    + len(_REQ_CUE.findall(s.text)) * 0.2 + 0.5 * pool.get(s.hit.passage_id, (None, 0.0))[1] \
                    + _crisp(s.text, budget.max_chars) - (0.5 if re.match(r"(首先|其次|再次|最后|同时|另外)", s.text) else 0.0)
                cands.append(s)
        out: list[_Pt] = []
        # Sentences not yet in the body first; with too few of them, the body's own requirement sentences.
        for allow_used in (False, True):
            for s in sorted(cands, key=lambda x: -x.score):
                text = shorten(s.text, budget.max_chars)
                if len(out) >= budget.talking or (allow_used and len(out) >= 2):
                    break
                if (norm(text) in used and not allow_used) or any(_near_duplicate(text, o.text) for o in out):
                    continue
                out.append(_Pt(text=text, pids=[s.hit.passage_id]))
        return out

    # -- numbering ---------------------------------------------------------------
    def _finalize(self, out: Outline, purpose: list[_Pt], secs: list[_Sec], questions: list[_Pt],
                  talking: list[_Pt], docs: list[_Doc]) -> None:
        """Number the cited passages in reading order and build the public records."""
        hits = {h.passage_id: h for d in docs for h in d.hits}
        number: dict[str, int] = {}

        def pt(p: _Pt) -> OutlinePoint:
            ns = []
            for pid in p.pids:
                if pid not in number:
                    number[pid] = len(number) + 1
                ns.append(number[pid])
            body = p.text if p.text[-1] in "。！？!?”’）)" else p.text + "。"
            return OutlinePoint(text=body + "".join(f"[{n}]" for n in ns), cites=ns, origin=p.origin)

        # Body first, so that the 参考资料 list follows the outline's order.
        sections = [OutlineSection(heading=s.heading, doc_id=s.doc_id, points=[pt(p) for p in s.points],
                                   subsections=[OutlineSection(heading=x.heading, doc_id=x.doc_id,
                                                               points=[pt(p) for p in x.points]) for x in s.subs])
                    for s in secs]
        out.purpose = [pt(p) for p in purpose]
        out.sections = sections
        out.questions = [pt(p) for p in questions]
        out.talking_points = [pt(p) for p in talking]
        out.citations = [Citation.from_hit(n, hits[pid]) for pid, n in sorted(number.items(), key=lambda x: x[1])]
        self._documents_list(out)

    def _documents_list(self, out: Outline) -> None:
        """重点学习篇目 as a reader wants them: title, issuer, date, revision; never a web address."""
        by_doc: dict[str, OutlineDoc] = {}
        count: dict[str, int] = {}
        metas = {m.doc_id: m for m in self._metas()}
        for c in out.citations:
            if c.doc_id not in by_doc:
                m = metas.get(c.doc_id)
                source, date = clean_source(c.source), c.date
                if m is not None:
                    source = clean_source(m.issuer or m.source)
                    if m.work and m.version:  # 2024年12月25日修正（现行）: the date is in the revision
                        source = "，".join(x for x in (source, m.version, STATUS_LABELS.get(m.status, "")) if x)
                        date = ""
                by_doc[c.doc_id] = OutlineDoc(doc_id=c.doc_id, title=c.title, date=date, source=source,
                                              doc_type=c.doc_type)
            d = by_doc[c.doc_id]
            d.cites.append(c.n)
        for p in out.body_points():
            for n in p.cites:
                doc_id = out.citations[n - 1].doc_id
                count[doc_id] = count.get(doc_id, 0) + 1
        out.documents = sorted(by_doc.values(), key=lambda d: (-count.get(d.doc_id, 0), d.cites[0]))

    def _supports(self, out: Outline) -> None:
        texts: dict[int, list[str]] = {}
        for p in out.purpose + out.body_points() + out.questions + out.talking_points:
            for s in split_sentences(p.text):
                for n in markers_of(s):
                    texts.setdefault(n, []).append(strip_markers(s))
        for c in out.citations:
            c.support = list(dict.fromkeys(x for cl in texts.get(c.n, []) for x in supporting_sentences(cl, c.text)))

    # -- the model's part ------------------------------------------------------------
    def _refine(self, out: Outline, llm: ChatBackend, budget: Budget, step: Progress) -> None:
        """Let the model write the 研讨题目 and 学习目的 and reword long points; keep only what verifies."""
        passages = {c.n: c.text for c in out.citations}
        titles = {c.n: c.title for c in out.citations}
        hits = {c.n: Hit(**{f.name: getattr(c.passage, f.name) for f in dataclasses.fields(c.passage)}, score=c.score)
                for c in out.citations}
        kept = 0
        failed: list[str] = []
        counts: dict[int, int] = {}
        for p in out.body_points():
            for n in p.cites:
                counts[n] = counts.get(n, 0) + 1
        top = sorted(sorted(counts, key=lambda n: -counts[n])[:CONTEXT_PASSAGES])
        numbered = list(zip(top, focus_passages(out.topic, [hits[n] for n in top], max_chars=CONTEXT_CHARS)))
        rejected = 0
        try:
            # 1. 研讨题目
            step(0.35, "模型拟写研讨题目")
            qraw = llm.chat(prompts.outline_questions_messages(out.topic, out.audience, numbered, budget.questions),
                            max_tokens=QUESTIONS_MAX_TOKENS)
            qlines = parse_questions(qraw)
            good: list[OutlinePoint] = []
            qpassages = question_passages(out.citations)
            qterms = query_terms(out.topic)
            misshapen = 0
            for line in qlines:
                q = verify_question(line, qpassages)
                if q is not None and not question_shape_ok(q.text, out.topic, qterms):
                    q = None  # ungrammatical or off the topic: the rule-based questions stand instead
                    misshapen += 1
                if q is not None and not any(_near_duplicate(q.text, g.text) for g in good):
                    good.append(q)
            if misshapen:
                out.notices.append(f"模型拟写的研讨题目有 {misshapen} 个语句不通或偏离主题，未采用。")
            if not qlines:
                out.notices.append("模型没有写出研讨题目，以下研讨题目依据资料原文生成。")
            elif len(good) < len(qlines):
                failed.append("研讨题目")
            if good:
                kept += 1
                extract = [q for q in out.questions if not any(_near_duplicate(q.text, g.text) for g in good)]
                out.questions = (good + extract)[:max(3, budget.questions)]
            self._on_draft(out)
            # 2. 学习目的
            step(0.5, "模型撰写学习目的")
            praw = llm.chat(prompts.outline_purpose_messages(out.topic, out.audience, numbered),
                            max_tokens=PURPOSE_MAX_TOKENS)
            purpose = parse_purpose(praw)
            v = verify_answer(purpose, passages, titles=titles) if purpose else None
            if v is not None and v.cited and not v.dropped:
                out.purpose = [OutlinePoint(text=v.text, cites=v.cited, origin="llm")]
                out.notices += v.notices
                kept += 1
            else:
                failed.append("学习目的")
            self._on_draft(out)
            # 3. Theme names of a synthesis across documents (its sections open with a 共同点 line).
            self._name_themes(out, llm, step)
            self._on_draft(out)
            # 4. Shorter wordings of the longest points, one 一、 section at a time (the page shows each
            # section as soon as it is done).
            # Not the 共同点/差异 lines (they are counts, not passage text) nor "《法》第X条：" points (the
            # article reference must stay).
            pts = sorted((p for p in out.body_points() if len(strip_markers(p.text)) > 30
                          and p.origin == "extract" and not p.text.startswith("《")),
                         key=lambda p: -len(p.text))[:REPHRASE_MAX_POINTS]
            chosen = {id(p) for p in pts}
            groups = [[p for p in [*s.points, *(q for x in s.subsections for q in x.points)] if id(p) in chosen]
                      for s in out.sections]
            groups = [g for g in groups if g]
            for gi, group in enumerate(groups, 1):
                step(0.65 + 0.28 * (gi - 1) / len(groups), f"模型精简要点（第 {gi}/{len(groups)} 部分）")
                raw = llm.chat(prompts.outline_rephrase_messages([p.text for p in group]),
                               max_tokens=REPHRASE_TOKENS_PER_POINT * len(group))
                ok, bad = self._rephrased(group, parse_numbered(raw), passages)
                kept += ok
                rejected += bad
                self._on_draft(out)
        except LLMError as exc:
            out.notices.append(f"模型未能完成撰写（{exc}），未完成的部分依据资料原文生成。")
        if rejected:
            out.notices.append(f"模型改写的 {rejected} 条要点未通过出处核验，保留原文表述。")
        if kept:
            out.backend, out.model = llm.name, llm.model
            if failed:
                out.notices.append(f"模型撰写的{'、'.join(failed)}未能全部通过出处核验，已改用依据资料原文生成的内容。")
        else:
            out.notices.append("模型撰写的内容未能通过出处核验，以下为依据资料原文生成的提纲。")


    @staticmethod
    def _rephrased(pts: list[OutlinePoint], new: dict[int, str], passages: dict[int, str]) -> tuple[int, int]:
        """Apply the model's shorter wordings ``new`` (numbered as ``pts``) that verify; (kept, rejected)."""
        kept = rejected = 0
        for i, p in enumerate(pts, 1):
            cand = new.get(i)
            old = strip_markers(p.text)
            if not cand or overlap(strip_markers(cand), old) < REPHRASE_SUPPORT or \
                    len(strip_markers(cand)) >= len(old):
                continue  # missing, misnumbered (another point's text) or not shorter: keep the original
            vp = verify_answer(cand, {n: passages[n] for n in p.cites}, min_support=REPHRASE_SUPPORT)
            if vp.cited and not vp.dropped and len(strip_markers(vp.text)) >= 8:
                p.text, p.cites, p.origin = vp.text, vp.cited, "llm"
                kept += 1
            else:
                rejected += 1
        return kept, rejected

    @staticmethod
    def _name_themes(out: Outline, llm: ChatBackend, step: Progress) -> None:
        """Model-written theme names, each kept only when its wording comes from the theme's own points."""
        secs = [s for s in out.sections if s.points and s.points[0].origin == "summary"]
        if not secs:
            return
        step(0.6, "模型拟写主题名称")
        listing = [(s.heading, [strip_markers(p.text) for p in s.points if p.origin != "summary"]) for s in secs]
        raw = llm.chat(prompts.outline_theme_names_messages(out.topic, listing), max_tokens=THEME_NAME_TOKENS * len(secs))
        names = parse_numbered(raw)
        renamed = 0
        for i, (s, (_, points)) in enumerate(zip(secs, listing), 1):
            name = re.sub(r"[“”\"《》\[\]\d]|^标题[：:]", "", names.get(i, "")).strip(" 。.：:")
            if verify_theme_name(name, points) and name != s.heading:
                s.heading = name
                renamed += 1
        if renamed < len(secs):
            out.notices.append(f"模型拟写的主题名称有 {len(secs) - renamed} 个未通过核验，沿用原文中的说法。")


_DOUBLED = re.compile(r"(的|了|地|得|是|和|与|及|在|对|把|将|被|之)\1|的[地得]|如何(?:如何|怎样|怎么)|？.*？")
_VERB_AFTER_DE = re.compile(r"的(?:适应|推动|加强|坚持|落实|推进|实现|建立|健全|完善|提高|提升|促进|做好|发挥|开展|"
                            r"深化|强化|贯彻|紧贴|探索|形成|增强|激发|履行)(?:新|各|全|本|党|[^，。？]{0,4}的)")
"""An object-taking verb straight after 的 ("什么是“两项机制”的适应新的形势？")."""


def question_shape_ok(text: str, topic: str, terms: dict[str, float] | None = None) -> bool:
    """The shape of a model-written 研讨题目: one question ending in ？, 10–60 characters, quotes and brackets
    balanced, no doubled particles ("的的", "的适应新的形势") and naming the topic or one of its words."""
    body = strip_markers(text).strip()
    lo, hi = QUESTION_SHAPE_CHARS
    if not body.endswith("？") or body.count("？") != 1 or not lo <= len(body) <= hi:
        return False
    if not _balanced(body) or _DOUBLED.search(body) or _VERB_AFTER_DE.search(body):
        return False
    if any(body.find(o) > body.find(c) for o, c in (("“", "”"), ("《", "》"), ("（", "）")) if o in body):
        return False
    words = [k for k in (terms if terms is not None else query_terms(topic)) if len(k) >= 2]
    return norm(topic) in norm(body) or any(norm(k) in norm(body) for k in words)


def verify_theme_name(name: str, points: list[str]) -> bool:
    """A theme name passes when it is 4–14 characters, asks nothing and its wording (bigrams) comes from the
    theme's points; a number in it must appear in them."""
    if not 4 <= len(name) <= 14 or _ASKS.search(name):
        return False
    text = norm("".join(points))
    grams = [norm(name)[i:i + 2] for i in range(len(norm(name)) - 1)]
    if not grams or sum(g in text for g in grams) / len(grams) < THEME_NAME_SUPPORT:
        return False
    return all(d in text for d in re.findall(r"\d+", name))


def parse_purpose(raw: str) -> str:
    """The 学习目的 sentence from the model's reply (first non-empty line, label removed)."""
    for line in (raw or "").replace("**", "").splitlines():
        line = re.sub(r"^\s*(学习目的)?\s*[：:]?\s*", "", line).strip()
        if line:
            return line
    return ""


def parse_questions(raw: str) -> list[str]:
    """Question lines, numbered or not: each cut to its first sentence, which must ask something
    (small models write "如何理解……。" followed by copied passage text)."""
    out = []
    for line in (raw or "").replace("**", "").splitlines():
        line = re.sub(r"^\s*(?:[-*]\s*)?(?:\d{1,2}\s*[.、．)）]\s*)?", "", line).strip()
        sents = split_sentences(line)
        if not sents:
            continue
        first = sents[0]
        body, marks = strip_markers(first), "".join(f"[{n}]" for n in markers_of(first))
        if not body.endswith(("？", "?")):
            if not re.match(r"(如何|怎样|怎么|为什么|为何|哪些|谈谈)", body):
                continue
            body = body.rstrip("。！!；;，,") + "？"
        q = body + marks
        if q not in out:
            out.append(q)
    return out


def parse_numbered(raw: str) -> dict[int, str]:
    """``1. text`` lines → {1: text}; the first occurrence of a number wins."""
    out: dict[int, str] = {}
    for line in (raw or "").splitlines():
        m = re.match(r"\s*(?:[-*]\s*)?(\d{1,2})\s*[.、．)）]\s*(.+)", line)
        if m and int(m.group(1)) not in out:
            out[int(m.group(1))] = m.group(2).strip()
    return out


def question_passages(citations: list[Citation]) -> dict[int, str]:
    """What a 研讨题目 may draw on: each cited passage with its heading path (a question may ask
    about the section a passage stands under)."""
    return {c.n: f"{c.heading}\n{c.text}" for c in citations}


def verify_question(line: str, passages: dict[int, str]) -> OutlinePoint | None:
    """A 研讨题目 passes when it cites a given passage, shares enough wording with it (the same
    verifier as answers, applied to the question as one sentence) and quotes nothing absent from it."""
    body = re.sub(r"\[(编号|n|N|数字)\]", "", line)
    ns = [n for n in markers_of(body) if n in passages]
    body = strip_markers(body).strip()
    if not body or not 8 <= len(body) <= QUESTION_MAX_CHARS or not _ASKS.search(body):
        return None
    if not ns:  # unmarked: attach the passage it clearly comes from
        best = max(passages, key=lambda n: overlap(body, passages[n]), default=None)
        if best is None or overlap(body, passages[best]) < 0.5:
            return None
        ns = [best]
    flat = re.sub(r"[。！？!?；;](?=.)", "，", body).rstrip("。？?，,") + "？"
    v = verify_answer(flat + "".join(f"[{n}]" for n in ns), {n: passages[n] for n in ns},
                      attach_threshold=1.1, min_support=QUESTION_SUPPORT)
    if not v.cited or v.dropped or facts_missing(flat, [passages[n] for n in v.cited]):
        return None
    return OutlinePoint(text=v.text, cites=v.cited, origin="llm")
