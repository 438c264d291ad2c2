"""知识测验: generating a quiz set from the passages in the store.

Sentences with checkable facts are found once per library state (:mod:`.facts`); each requested quiz
type picks its candidate facts and builds items from them (:mod:`.registry`), mixed evenly across types
and spread across documents. With a model (``backend``) the stems and distractors of types that allow
it are rewritten, then verified against the passage; a proposal that fails keeps the rule item.
"""
from __future__ import annotations

import random
import re
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from policyqa.types import DocumentMeta, QuizItem, QuizSet, SearchFilter

from .. import prompts
from .base import BuildContext, Candidate, QuizType
from .facts import (
    CN_NUM,
    KIND_WEIGHT,
    NUMERIC_FORM,
    Enumeration,
    Fact,
    Pools,
    QuizPassage,
    Sentence,
    canon,
    int_to_cn,
    passage_sentences,
)
from .registry import find_quiz_type, quiz_type_names
from .rewrite import llm_choice_item
from .rules import ROLE_WEIGHT

__all__ = ["MAX_PASSAGES", "QuizError", "QuizGenerator", "fact_weight", "new_seed"]

MAX_PASSAGES = 3000
"""Passages scanned per quiz at most (a deterministic sample of larger libraries)."""


class QuizError(RuntimeError):
    """A quiz cannot be made; the message says what to do."""


class QuizGenerator:
    """Quiz sets from the library in ``resources`` (a :class:`policyqa.runtime.Resources`).

    ``backend``: None or ``"none"`` (rules only), a backend name (``local`` | ``openai``) or a ready
    :class:`~assistant.llm.ChatBackend`; with a model the 单选/多选 stems and distractors are rewritten
    and verified against the source passage, and a proposal that fails verification keeps the rule item.
    """

    def __init__(self, resources, backend: Any = None, progress: bool = False):
        self.res = resources
        self.backend = backend
        self.progress = progress
        self._cache_key: tuple = ()
        self._cache: tuple[list[Sentence], Pools] | None = None
        self._lock = threading.Lock()

    # -- corpus ---------------------------------------------------------------------------------
    def _extra(self) -> tuple[str, ...]:
        s = getattr(self.res, "settings", None)
        userdict = getattr(s, "userdict", "") if s is not None else ""
        return (userdict,) if userdict else ()

    def _corpus(self) -> tuple[list[Sentence], Pools]:
        docs = sorted(self.res.store.list_docs(), key=lambda d: d.doc_id)
        if not docs:
            raise QuizError("资料库为空，无法出题。请先导入资料：python -m ingest data/corpus")
        key = tuple((d.doc_id, d.content_hash, d.n_passages) for d in docs)
        with self._lock:
            if self._cache is not None and key == self._cache_key:
                return self._cache
            passages: list[QuizPassage] = []
            for d in docs:
                passages += [QuizPassage.from_payload(p) for p in self.res.store.doc_passages(d.doc_id)]
            if len(passages) > MAX_PASSAGES:  # a large library: a fixed sample keeps extraction quick
                passages = sorted(random.Random(0).sample(passages, MAX_PASSAGES), key=lambda p: (p.doc_id, p.idx))
            extra = self._extra()
            sents: list[Sentence] = []
            pools = Pools()
            for p in _progress(passages, "分析资料中的可出题句子", self.progress and len(passages) > 500, "段"):
                for sent in passage_sentences(p, extra):
                    sents.append(sent)
                    pools.add(sent)
            self._cache_key, self._cache = key, (sents, pools)
            return self._cache

    def _docs(self) -> dict[str, DocumentMeta]:
        return {d.doc_id: d for d in self.res.store.list_docs()}

    def _scope(self, sents: list[Sentence], doc_ids: Sequence[str] | None, topic: str | None,
               chapter: str | None = None, current_only: bool = True) -> tuple[list[Sentence], list[str]]:
        """The sentences in scope and the notices about it.

        ``doc_ids``: document ids, or titles (a title, or a part of one, naming the documents whose
        titles contain it: 监察法 → both versions of 中华人民共和国监察法). ``chapter``: passages whose
        heading path has a heading containing it (第二章, 政务处分的种类和适用). ``current_only``: only
        documents whose :attr:`~policyqa.types.DocumentMeta.status` is current (missing counts as
        current), except documents named by id.
        """
        docs = self._docs()
        notices: list[str] = []
        named: set[str] = set()
        if doc_ids:
            wanted: set[str] = set()
            missing = []
            for ref in doc_ids:
                if ref in docs:
                    wanted.add(ref)
                    named.add(ref)
                    continue
                by_title = {d for d, m in docs.items() if canon(ref) and canon(ref) in canon(m.title)}
                if not by_title:
                    missing.append(ref)
                wanted |= by_title
            if missing:
                raise QuizError(f"资料库中没有文档编号或标题 {'、'.join(missing)}。"
                                "可用 python -m ingest --list 查看文档编号。")
            sents = [s for s in sents if s.p.doc_id in wanted]
        if current_only:
            old = {d for d, m in docs.items() if d not in named and _status(m) != "current"}
            hit = sorted({s.p.doc_id for s in sents if s.p.doc_id in old})
            if hit and doc_ids:  # said when the documents asked for include older texts
                titles = list(dict.fromkeys(docs[d].title for d in hit))
                notices.append(f"已跳过已修订或废止的文本（{'、'.join(f'《{x}》' for x in titles[:3])}"
                               f"{'等' if len(titles) > 3 else ''}），只从现行文本出题。")
            sents = [s for s in sents if s.p.doc_id not in old]
        if chapter:
            want = _chapter_key(chapter)
            inside = [s for s in sents if want and any(want in canon(h) for h in s.p.heading_path[1:] if h)]
            if not inside:
                heads = sorted({h for s in sents for h in s.p.heading_path[1:2] if h and re.match(r"第\S+[章编]", h)})
                hint = f"可选的章：{'、'.join(heads[:8])}。" if heads else "所选文档没有分章。"
                raise QuizError(f"所选范围内没有标题包含“{chapter}”的章节。{hint}")
            sents = inside
        if topic:
            from ..retrieve import Retriever

            flt = SearchFilter(doc_ids=sorted({s.p.doc_id for s in sents}) if doc_ids else [])
            hits = Retriever(self.res).search(topic, top_k=20, flt=flt).hits
            ids = {h.passage_id for h in hits}
            sents = [s for s in sents if s.p.passage_id in ids]
        return sents, notices

    # -- selection ------------------------------------------------------------------------------
    @staticmethod
    def _candidates(sents: list[Sentence], types: Sequence[QuizType],
                    rng: random.Random) -> dict[str, list[Candidate]]:
        out: dict[str, list[Candidate]] = {t.name: [] for t in types}
        for sent in sents:
            for t in types:
                for tg in t.targets(sent):
                    out[t.name].append(Candidate(t.name, sent, tg, sent.score + fact_weight(sent, tg)
                                                 + rng.uniform(0, 2.5)))
        for cs in out.values():
            cs.sort(key=lambda c: -c.rank)
        return out

    def generate(self, n: int = 10, types: Sequence[str] | None = None, doc_ids: Sequence[str] | None = None,
                 topic: str | None = None, seed: int | None = None, chapter: str | None = None,
                 current_only: bool = True) -> QuizSet:
        """A set of ``n`` distinct items of ``types`` (mixed evenly), from ``doc_ids`` (ids or titles) /
        the ``chapter`` (a heading in the passage's path contains it) / passages about ``topic``.

        ``types`` are names of registered quiz types (default: those in the default mix, i.e. 单选, 多选,
        判断, 填空). Deterministic for a given seed and library (the model, if any, runs at temperature 0);
        without a seed a random one is drawn (and recorded in :attr:`QuizSet.seed`). Superseded and repealed
        documents are left out unless ``current_only`` is False or they are named by id.
        """
        if seed is None:
            seed = new_seed()
        types = list(dict.fromkeys(quiz_type_names(default_only=True) if types is None else types))
        known = quiz_type_names()
        bad = [t for t in types if t not in known]
        if bad or not types:
            raise QuizError(f"未知题型：{'、'.join(bad) or '（空）'}。可选：{'、'.join(known)}")
        if n < 1:
            raise QuizError("题目数量至少为 1。")
        qtypes = [qt for qt in map(find_quiz_type, types) if qt is not None]  # all known (checked above)
        rng = random.Random(seed)
        sents, pools = self._corpus()
        scoped, notices = self._scope(sents, doc_ids, topic, chapter, current_only)
        quiz = QuizSet(items=[], seed=seed, types=list(types), doc_ids=list(doc_ids or []), topic=topic or "")
        if chapter:
            quiz.title = f"知识测验（{chapter.strip()}）"
        quiz.notices += notices
        if not scoped:
            quiz.notices.append("所选范围内没有可出题的句子（数字、提法、文件名称、机构或列举）。请换一个主题或文档。")
            return quiz
        cands = self._candidates(scoped, qtypes, rng)
        items = self._select(cands, qtypes, n, pools, rng)
        if len(items) < n:
            quiz.notices.append(f"所选范围内只能出 {len(items)} 道不重复的题目（要求 {n} 道）。")
        order = {t: i for i, t in enumerate(types)}
        items.sort(key=lambda it: order[it.qtype])
        quiz.items = items
        llm = self._llm(quiz)
        if llm is not None:
            self._improve(quiz, llm, rng)
        return quiz

    def _select(self, cands: dict[str, list[Candidate]], qtypes: list[QuizType], n: int, pools: Pools,
                rng: random.Random) -> list[QuizItem]:
        docs = sorted({c.sent.p.doc_id for cs in cands.values() for c in cs})
        rng.shuffle(docs)
        by_doc: dict[tuple[str, str], list[Candidate]] = {}
        for t, cs in cands.items():
            for c in cs:
                by_doc.setdefault((t, c.sent.p.doc_id), []).append(c)
        used_sents: set[tuple[str, int]] = set()
        used_answers: set[str] = set()
        used_stems: set[str] = set()
        items: list[QuizItem] = []
        # One coin per quiz, tossed here whatever the types, so each type sees the same random stream.
        ctx = BuildContext(pools=pools, rng=rng, coin=rng.random() < 0.5)
        plan = [qtypes[i % len(qtypes)] for i in range(n)]
        exhausted: set[str] = set()
        cursor = 0

        def take(qt: QuizType) -> QuizItem | None:
            nonlocal cursor
            for k in range(len(docs)):
                doc = docs[(cursor + k) % len(docs)]
                queue = by_doc.get((qt.name, doc), [])
                while queue:
                    c = queue.pop(0)
                    key = (c.sent.p.passage_id, c.sent.pos)
                    if key in used_sents:
                        continue
                    item = qt.build(c, ctx)
                    if item is None:
                        continue
                    ans = canon(item.qtype + "|" + "|".join(item.answer_texts))
                    if ans in used_answers or canon(item.stem) in used_stems:
                        continue
                    used_sents.add(key)
                    used_answers.add(ans)
                    used_stems.add(canon(item.stem))
                    cursor = (cursor + k + 1) % len(docs)
                    qt.accepted(item, ctx)
                    return item
            return None

        for qt in plan:
            item = take(qt) if qt.name not in exhausted else None
            if item is None:
                exhausted.add(qt.name)
                for alt in qtypes:  # fill the slot with another requested type
                    if alt.name not in exhausted:
                        item = take(alt)
                        if item is not None:
                            break
                        exhausted.add(alt.name)
            if item is None:
                break
            items.append(item)
        return items

    # -- model-written stems and distractors ----------------------------------------------------
    def _llm(self, quiz: QuizSet):
        from ..llm import ChatBackend, LLMError, get_backend

        b = self.backend
        if b is None or b == "none" or b == "":
            return None
        llm: ChatBackend | None
        if isinstance(b, ChatBackend):
            llm = b
        else:
            try:
                llm = get_backend(str(b))
            except LLMError as exc:
                quiz.notices.append(f"模型不可用，题目全部按规则生成：{exc}")
                return None
            if llm is None:  # a name meaning "no model"
                return None
        quiz.backend, quiz.model = llm.name, getattr(llm, "model", "")
        return llm

    def _improve(self, quiz: QuizSet, llm, rng: random.Random) -> None:
        from ..llm import LLMError

        todo = [i for i, it in enumerate(quiz.items) if (qt := find_quiz_type(it.qtype)) is not None and qt.rewrite]
        bar = _progress(todo, "模型改写题干与干扰项", self.progress)
        for i in bar:
            item = quiz.items[i]
            try:
                raw = llm.chat(prompts.quiz_choice_messages(item, n_distractors=len(item.distractors)),
                               max_tokens=220)
            except LLMError as exc:
                quiz.llm_rejected.append(f"第 {i + 1} 题：模型调用失败（{exc}），保留规则题")
                continue
            better, reason = llm_choice_item(item, raw, rng)
            if better is None:
                quiz.llm_rejected.append(f"第 {i + 1} 题：{reason}，保留规则题")
                continue
            quiz.items[i] = better
            quiz.llm_accepted += 1
        if quiz.llm_rejected:
            quiz.notices.append(f"模型改写的 {len(quiz.llm_rejected)} 道题未通过出处核验，已保留规则生成的题目。")


def new_seed() -> int:
    """A fresh random seed (a session's quiz differs from the last session's; the seed reproduces it)."""
    return secrets.randbelow(1_000_000)


def _status(meta: DocumentMeta) -> str:
    return (getattr(meta, "status", "") or "current").strip() or "current"


def _chapter_key(chapter: str) -> str:
    """第二章 / 2 / 二 (→ 第二章) / 政务处分的种类, as compared with headings."""
    c = chapter.strip()
    if re.fullmatch(r"\d+", c):
        c = f"第{int_to_cn(int(c), liang=False)}章"
    elif re.fullmatch(f"[{CN_NUM}]+", c):
        c = f"第{c}章"
    return canon(c)


def fact_weight(sent: Sentence, target: Fact | Enumeration | None) -> float:
    """How much testing ``target`` is worth: in a regulation its role in the rule (deadlines, sanctions,
    conditions, deciders, procedures, amounts first), elsewhere its kind."""
    if sent.p.doc_type == "regulation":
        if isinstance(target, Fact):
            return ROLE_WEIGHT.get(target.role, 0.5)
        if isinstance(target, Enumeration):
            return ROLE_WEIGHT.get(target.role, 1.0) + (0.5 if target.block else 0.0)
        return 0.0
    kind = target.kind if isinstance(target, Fact) else "list"
    weight = KIND_WEIGHT.get(kind, 1.0)
    if isinstance(target, Fact) and kind == "formulation" and NUMERIC_FORM.match(target.text):
        weight += 0.5
    return weight


def _progress(seq: list, desc: str, enabled: bool, unit: str = "题"):
    if not enabled or not seq:
        return seq
    from tqdm import tqdm

    return tqdm(seq, desc=desc, unit=unit)
