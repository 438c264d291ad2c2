"""知识测验: quiz items (单选, 多选, 判断, 填空) drawn from the passages in the store.

Without a model every item is built from one source sentence and one checkable fact in it
(a number with its measure word, a frequency, a fixed formulation, a 《》 title, a body name,
an enumeration): 填空 blanks the fact; 判断 states the sentence as written (true) or with the fact
replaced by another of the same kind (false); 单选/多选 offer the fact(s) among distractors of the
same kind drawn from the corpus. A distractor never occurs in the cited passage, so it cannot be
a second correct answer. With a model (``backend``) the 单选/多选 stems and distractors are
rewritten, then verified against the passage; a proposal that fails keeps the rule item.

Public API: :class:`QuizGenerator`, :func:`grade`, :func:`score`, :func:`wrong_items`,
:func:`answer_display`, :func:`quiz_markdown`, :func:`quiz_docx`.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from policyqa.types import QUIZ_TYPES, QuizItem, QuizSet, SearchFilter

from . import prompts
from .grounding import facts_missing, norm, overlap
from .quiz_facts import (_BODY_SUFFIX, _CN_NUM, _KIND_WEIGHT, _NUMERIC_FORM, NUMBER_FACT, STEM_MAX, _alternatives,
                         _common_prefix, _common_suffix, _Fact, _form_class, _in, _List, _list_alternatives,
                         _num_canon, _ok_distractor, _Passage, _pick_distractors, _Pools, _Sent, _similar_length,
                         canon, cn_to_int, int_to_cn, passage_sentences)

BLANK = "（　　）"
LETTERS = "ABCDEFGH"
TRUE_FALSE = ["正确", "错误"]
MAX_PASSAGES = 3000
"""Passages scanned per quiz at most (a deterministic sample of larger libraries)."""


# -- item construction -------------------------------------------------------------------------

class QuizError(RuntimeError):
    """A quiz cannot be made; the message says what to do."""


def _window(text: str, s: int, e: int) -> tuple[int, int]:
    """Span of ``text`` shown in a stem: the whole sentence, or for a long one the clauses around [s, e)."""
    if len(text) <= STEM_MAX:
        return 0, len(text)
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;：:]", text)] + [len(text)]
    bounds = sorted(set(bounds))
    # Clause indices covering the fact.
    i = max(k for k in range(len(bounds) - 1) if bounds[k] <= s)
    j = min(k for k in range(1, len(bounds)) if bounds[k] >= e)
    lo, hi = i, j
    if bounds[j] - bounds[0] <= STEM_MAX:  # keep the subject: from the sentence start
        lo = 0
    while True:
        grew = False
        if hi < len(bounds) - 1 and bounds[hi + 1] - bounds[lo] <= STEM_MAX and hi - j < 1:
            hi += 1
            grew = True
        if lo > 0 and bounds[hi] - bounds[lo - 1] <= STEM_MAX and i - lo < 1:
            lo -= 1
            grew = True
        if not grew:
            break
    while bounds[hi] - bounds[lo] < 30 and hi < len(bounds) - 1:  # too short to be understood alone
        hi += 1
    return bounds[lo], bounds[hi]


def _render(sent: _Sent, s: int, e: int, replacement: str) -> str:
    """The stem body: the sentence (or the clauses around the fact) with [s, e) replaced, ending in 。."""
    ws, we = _window(sent.text, s, e)
    body = sent.text[ws:s] + replacement + sent.text[e:we]
    body = body.rstrip("，,；;：: ")
    if ws > 0:
        body = "……" + body
    if not re.search(r"[。！？!?]$", body):
        body += "。"
    return body


def _statement_span(sent: _Sent, s: int, e: int) -> str:
    ws, we = _window(sent.text, s, e)
    return sent.text[ws:we].rstrip("，,；;：:。 ")


def _title_prefix(p: _Passage) -> str:
    return f"根据《{p.title}》，" if p.title else ""


def _where(p: _Passage) -> str:
    path = " › ".join(h for h in p.heading_path[1:] if h)
    return f"《{p.title}》" + (f" › {path}" if path else "")


def _item_id(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(x) for x in parts).encode("utf-8")).hexdigest()[:12]


def _explain(sent: _Sent, lead: str = "") -> str:
    return f"{lead}原文（{_where(sent.p)}）：“{sent.text}”"


def _fill_item(sent: _Sent, fact: _Fact) -> QuizItem | None:
    if fact.blank_start < 0:
        return None
    answer = sent.text[fact.blank_start:fact.blank_end]
    stem_body = _render_blank(sent, fact.blank_start, fact.blank_end)
    accept = []
    if fact.kind == "number":
        value = int(fact.value) if fact.value == int(fact.value) else fact.value
        accept = [f"{answer}{fact.approx}{fact.measure}", f"{answer}{fact.approx}{fact.measure}{fact.noun}", str(value)]
        if isinstance(value, int) and value < 10000:
            accept.append(int_to_cn(value, liang=False))
    elif fact.kind == "title":
        accept = [answer.strip("《》")]
    accept = [a for a in dict.fromkeys(accept) if a and a != answer]
    return QuizItem(id=_item_id("填空", sent.p.id, sent.pos, fact.start), qtype="填空",
                    stem=_title_prefix(sent.p) + stem_body, options=[], answer=answer, answer_texts=[answer],
                    explanation=_explain(sent, f"答案：{answer}。"), source=sent.p.quiz_source(sent.text),
                    kind=fact.kind, accept=accept)


def _render_blank(sent: _Sent, s: int, e: int) -> str:
    return _render(sent, s, e, BLANK)


def _choice_item(sent: _Sent, fact: _Fact, pools: _Pools, rng: random.Random) -> QuizItem | None:
    alts = _pick_distractors(_alternatives(fact, pools, rng), [fact.text], sent.p, 3)
    if len(alts) < 3:
        return None
    options = [fact.text] + alts
    rng.shuffle(options)
    letter = LETTERS[options.index(fact.text)]
    return QuizItem(id=_item_id("单选", sent.p.id, sent.pos, fact.start), qtype="单选",
                    stem=_title_prefix(sent.p) + _render_blank(sent, fact.start, fact.end), options=options,
                    answer=letter, answer_texts=[fact.text],
                    explanation=_explain(sent, f"正确答案为{letter}（{fact.text}）。"),
                    source=sent.p.quiz_source(sent.text), kind=fact.kind, distractors=alts)


def _multi_item(sent: _Sent, lst: _List, pools: _Pools, rng: random.Random) -> QuizItem | None:
    items = list(lst.items)
    correct = sorted(rng.sample(items, 4), key=items.index) if len(items) > 4 else items
    n_wrong = max(4, len(correct) + 1) - len(correct)
    alts = _pick_distractors(_list_alternatives(items, pools, rng), items, sent.p, n_wrong)
    if len(alts) < n_wrong:
        return None
    options = correct + alts
    rng.shuffle(options)
    letters = "".join(LETTERS[i] for i, o in enumerate(options) if o in correct)
    stem = _title_prefix(sent.p) + _render_blank(sent, lst.start, lst.end)
    return QuizItem(id=_item_id("多选", sent.p.id, sent.pos, lst.start), qtype="多选", stem=stem, options=options,
                    answer=letters, answer_texts=correct,
                    explanation=_explain(sent, f"正确答案为{letters}（{'；'.join(correct)}）。"),
                    source=sent.p.quiz_source(sent.text), kind="list", distractors=alts)


def _judge_item(sent: _Sent, target: _Fact | _List | None, truth: bool, pools: _Pools,
                rng: random.Random) -> QuizItem | None:
    p = sent.p
    if truth:
        s, e = (target.start, target.end) if target is not None else (0, len(sent.text))
        statement = _statement_span(sent, s, e)
        ws, _ = _window(sent.text, s, e)
        body = ("……" if ws > 0 else "") + statement + "。"
        return QuizItem(id=_item_id("判断", p.id, sent.pos, s, "T"), qtype="判断",
                        stem=_title_prefix(p) + body + BLANK, options=list(TRUE_FALSE), answer="正确",
                        answer_texts=[statement], explanation=_explain(sent, "正确，与原文一致。"),
                        source=p.quiz_source(sent.text), kind=target.kind if isinstance(target, _Fact) else "list")
    if isinstance(target, _List):
        original = rng.choice(target.items)
        s = target.start + sent.text[target.start:target.end].find(original)
        e = s + len(original)
        # Only a replacement of the same pattern reads naturally (以学促干 → 以学促行).
        affix = _common_suffix(target.items) or _common_prefix(target.items)
        cands = [c for c in _list_alternatives(target.items, pools, rng)
                 if affix and (c.endswith(affix) if _common_suffix(target.items) else c.startswith(affix))]
        alts = _pick_distractors(cands, target.items, p, 1)
        kind = "list"
    else:
        original, s, e, kind = target.text, target.start, target.end, target.kind
        cands = _alternatives(target, pools, rng)
        if kind == "formulation" and _form_class(original) != "numeric":
            cands = [c for c in cands if c[-1] == original[-1] or c[-2:] == original[-2:]]
        alts = _pick_distractors(cands, [target.text], p, 1)
    if not alts or s < target.start:
        return None
    altered = alts[0]
    body = _render(sent, s, e, altered)
    return QuizItem(id=_item_id("判断", p.id, sent.pos, s, "F"), qtype="判断",
                    stem=_title_prefix(p) + body + BLANK, options=list(TRUE_FALSE), answer="错误",
                    answer_texts=[original], explanation=_explain(sent, f"错误。原文为“{original}”，不是“{altered}”。"),
                    source=p.quiz_source(sent.text), kind=kind, altered=altered)


# -- grading -----------------------------------------------------------------------------------

_TRUE = {"正确", "对", "是", "√", "✓", "✔", "t", "true", "y", "yes", "1", "a", "真", "对的", "正确的"}
_FALSE = {"错误", "错", "否", "×", "✗", "✘", "x", "f", "false", "n", "no", "0", "b", "假", "错的", "不正确", "不对"}


def _choice_letters(item: QuizItem, response: Any) -> set[str]:
    valid = item.letters
    if isinstance(response, (list, tuple, set, frozenset)):
        out: set[str] = set()
        for r in response:
            out |= _choice_letters(item, r)
        return out
    text = unicodedata.normalize("NFKC", str(response)).strip()
    by_text = {canon(o): LETTERS[i] for i, o in enumerate(item.options)}
    if canon(text) in by_text:
        return {by_text[canon(text)]}
    parts = [x for x in re.split(r"[,，、;；\s]+", text) if x]
    if len(parts) > 1 and all(canon(x) in by_text for x in parts):
        return {by_text[canon(x)] for x in parts}
    letters = re.sub(r"[^A-Za-z]", "", re.sub(r"^(选|答案|答)[:：是为]?", "", text)).upper()
    if not letters or any(ch not in valid for ch in letters):
        return set()
    return set(letters)


def _truth(response: Any) -> bool | None:
    if isinstance(response, bool):
        return response
    t = unicodedata.normalize("NFKC", str(response)).strip().lower()
    t = re.sub(r"[。.!！\s]", "", t)
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def grade(item: QuizItem, response: Any) -> bool:
    """Whether ``response`` answers ``item`` correctly.

    单选: a letter (``B``, ``b``, ``Ｂ``, ``选B``) or the option's text; 多选: the set of letters in any form
    (``ACD``, ``A、C、D``, ``["A", "C", "D"]``) or the option texts; 判断: 正确/错误, 对/错, √/×, True/False;
    填空: the text, compared without spaces and punctuation, full/half width alike, 八 = 8, with or
    without the measure word after the blank.
    """
    if response is None or (isinstance(response, str) and not response.strip()):
        return False
    if item.qtype == "单选":
        got = _choice_letters(item, response)
        return len(got) == 1 and got == set(item.answer)
    if item.qtype == "多选":
        return _choice_letters(item, response) == set(item.answer)
    if item.qtype == "判断":
        got = _truth(response)
        return got is not None and got == (item.answer == "正确")
    if item.qtype == "填空":
        r = _num_canon(str(response))
        return bool(r) and r in {_num_canon(a) for a in [item.answer, *item.accept]}
    raise ValueError(f"未知题型：{item.qtype}")


def _responses_for(items: Sequence[QuizItem], responses: Sequence[Any] | Mapping[Any, Any]) -> list[Any]:
    if isinstance(responses, Mapping):
        return [responses.get(it.id, responses.get(i)) for i, it in enumerate(items)]
    rs = list(responses)
    return rs + [None] * (len(items) - len(rs))


def score(items: Sequence[QuizItem], responses: Sequence[Any] | Mapping[Any, Any]) -> tuple[int, int]:
    """(correct, total) for ``responses`` given in item order, or keyed by item id or index."""
    rs = _responses_for(items, responses)
    return sum(1 for it, r in zip(items, rs) if grade(it, r)), len(items)


def wrong_items(items: Sequence[QuizItem], responses: Sequence[Any] | Mapping[Any, Any]) -> list[QuizItem]:
    """The items answered wrongly (or not at all), for a retry round."""
    rs = _responses_for(items, responses)
    return [it for it, r in zip(items, rs) if not grade(it, r)]


def answer_display(item: QuizItem) -> str:
    """The key as a reader wants it: ``B．8个组``, ``A、C（…；…）``, ``错误（原文为“…”）``, ``8``."""
    if item.qtype == "单选":
        return f"{item.answer}．{item.options[LETTERS.index(item.answer)]}"
    if item.qtype == "多选":
        return "、".join(item.answer) + "（" + "；".join(item.options[LETTERS.index(c)] for c in item.answer) + "）"
    if item.qtype == "判断":
        return "正确" if item.answer == "正确" else f"错误（原文为“{item.answer_texts[0]}”，不是“{item.altered}”）"
    return item.answer


# -- the generator -----------------------------------------------------------------------------

@dataclass
class _Candidate:
    qtype: str
    sent: _Sent
    target: _Fact | _List | None
    rank: float


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
        self._cache: tuple[list[_Sent], _Pools] | None = None
        self._lock = threading.Lock()

    # -- corpus ---------------------------------------------------------------------------------
    def _extra(self) -> tuple[str, ...]:
        s = getattr(self.res, "settings", None)
        return (s.userdict,) if s is not None and getattr(s, "userdict", "") else ()

    def _corpus(self) -> tuple[list[_Sent], _Pools]:
        docs = sorted(self.res.store.list_docs(), key=lambda d: d.doc_id)
        if not docs:
            raise QuizError("资料库为空，无法出题。请先导入资料：python -m ingest data/corpus")
        key = tuple((d.doc_id, d.content_hash, d.n_passages) for d in docs)
        with self._lock:
            if self._cache is not None and key == self._cache_key:
                return self._cache
            passages: list[_Passage] = []
            for d in docs:
                passages += [_Passage.from_payload(p) for p in self.res.store.doc_passages(d.doc_id)]
            if len(passages) > MAX_PASSAGES:  # a large library: a fixed sample keeps extraction quick
                passages = sorted(random.Random(0).sample(passages, MAX_PASSAGES), key=lambda p: (p.doc_id, p.idx))
            extra = self._extra()
            sents: list[_Sent] = []
            pools = _Pools()
            for p in _progress(passages, "分析资料中的可出题句子", self.progress and len(passages) > 500, "段"):
                for sent in passage_sentences(p, extra):
                    sents.append(sent)
                    pools.add(sent)
            self._cache_key, self._cache = key, (sents, pools)
            return self._cache

    def _scope(self, sents: list[_Sent], doc_ids: Sequence[str] | None, topic: str | None) -> list[_Sent]:
        if doc_ids:
            known = {s.p.doc_id for s in sents} | {d.doc_id for d in self.res.store.list_docs()}
            missing = [d for d in doc_ids if d not in known]
            if missing:
                raise QuizError(f"资料库中没有文档编号 {'、'.join(missing)}。可用 python -m ingest --list 查看文档编号。")
            sents = [s for s in sents if s.p.doc_id in set(doc_ids)]
        if topic:
            from .retrieve import Retriever

            flt = SearchFilter(doc_ids=list(doc_ids or []))
            hits = Retriever(self.res).search(topic, top_k=20, flt=flt).hits
            ids = {h.passage_id for h in hits}
            sents = [s for s in sents if s.p.id in ids]
        return sents

    # -- selection ------------------------------------------------------------------------------
    @staticmethod
    def _candidates(sents: list[_Sent], types: Sequence[str], rng: random.Random) -> dict[str, list[_Candidate]]:
        out: dict[str, list[_Candidate]] = {t: [] for t in types}
        for sent in sents:
            for t in types:
                targets: list[_Fact | _List] = []
                if t in ("单选", "判断"):
                    targets += sent.facts
                if t == "填空":
                    targets += [f for f in sent.facts if f.blank_start >= 0]
                if t in ("多选", "判断"):
                    targets += sent.lists
                for tg in targets:
                    kind = tg.kind if isinstance(tg, _Fact) else "list"
                    weight = _KIND_WEIGHT[kind]
                    if kind == "formulation" and _NUMERIC_FORM.match(tg.text):
                        weight += 0.5
                    out[t].append(_Candidate(t, sent, tg, sent.score + weight + rng.uniform(0, 2.5)))
        for t in out:
            out[t].sort(key=lambda c: -c.rank)
        return out

    def generate(self, n: int = 10, types: Sequence[str] = QUIZ_TYPES, doc_ids: Sequence[str] | None = None,
                 topic: str | None = None, seed: int = 0) -> QuizSet:
        """A set of ``n`` distinct items of ``types`` (mixed evenly), from ``doc_ids`` / passages about ``topic``.

        Deterministic for a given seed and library (the model, if any, runs at temperature 0).
        """
        types = [t for t in dict.fromkeys(types)]
        bad = [t for t in types if t not in QUIZ_TYPES]
        if bad or not types:
            raise QuizError(f"未知题型：{'、'.join(bad) or '（空）'}。可选：{'、'.join(QUIZ_TYPES)}")
        if n < 1:
            raise QuizError("题目数量至少为 1。")
        rng = random.Random(seed)
        sents, pools = self._corpus()
        scoped = self._scope(sents, doc_ids, topic)
        quiz = QuizSet(items=[], seed=seed, types=list(types), doc_ids=list(doc_ids or []), topic=topic or "")
        if not scoped:
            quiz.notices.append("所选范围内没有可出题的句子（数字、提法、文件名称、机构或列举）。请换一个主题或文档。")
            return quiz
        cands = self._candidates(scoped, types, rng)
        items = self._select(cands, types, n, pools, rng)
        if len(items) < n:
            quiz.notices.append(f"所选范围内只能出 {len(items)} 道不重复的题目（要求 {n} 道）。")
        order = {t: i for i, t in enumerate(types)}
        items.sort(key=lambda it: order[it.qtype])
        quiz.items = items
        llm = self._llm(quiz)
        if llm is not None:
            self._improve(quiz, llm, rng)
        return quiz

    def _select(self, cands: dict[str, list[_Candidate]], types: list[str], n: int, pools: _Pools,
                rng: random.Random) -> list[QuizItem]:
        docs = sorted({c.sent.p.doc_id for cs in cands.values() for c in cs})
        rng.shuffle(docs)
        by_doc: dict[tuple[str, str], list[_Candidate]] = {}
        for t, cs in cands.items():
            for c in cs:
                by_doc.setdefault((t, c.sent.p.doc_id), []).append(c)
        used_sents: set[tuple[str, int]] = set()
        used_answers: set[str] = set()
        used_stems: set[str] = set()
        items: list[QuizItem] = []
        truth_next = rng.random() < 0.5
        plan = [types[i % len(types)] for i in range(n)]
        exhausted: set[str] = set()
        cursor = 0

        def take(t: str) -> QuizItem | None:
            nonlocal cursor, truth_next
            for k in range(len(docs)):
                doc = docs[(cursor + k) % len(docs)]
                queue = by_doc.get((t, doc), [])
                while queue:
                    c = queue.pop(0)
                    key = (c.sent.p.id, c.sent.pos)
                    if key in used_sents:
                        continue
                    item = self._build(c, pools, rng, truth_next)
                    if item is None and t == "判断":
                        item = self._build(c, pools, rng, not truth_next)
                    if item is None:
                        continue
                    ans = canon(item.qtype + "|" + "|".join(item.answer_texts))
                    if ans in used_answers or canon(item.stem) in used_stems:
                        continue
                    used_sents.add(key)
                    used_answers.add(ans)
                    used_stems.add(canon(item.stem))
                    cursor = (cursor + k + 1) % len(docs)
                    if t == "判断":
                        truth_next = item.answer != "正确"
                    return item
            return None

        for t in plan:
            item = take(t) if t not in exhausted else None
            if item is None:
                exhausted.add(t)
                for alt in types:  # fill the slot with another requested type
                    if alt not in exhausted:
                        item = take(alt)
                        if item is not None:
                            break
                        exhausted.add(alt)
            if item is None:
                break
            items.append(item)
        return items

    @staticmethod
    def _build(c: _Candidate, pools: _Pools, rng: random.Random, truth: bool) -> QuizItem | None:
        if c.qtype == "填空":
            return _fill_item(c.sent, c.target)
        if c.qtype == "单选":
            return _choice_item(c.sent, c.target, pools, rng)
        if c.qtype == "多选":
            return _multi_item(c.sent, c.target, pools, rng)
        return _judge_item(c.sent, c.target, truth, pools, rng)

    # -- model-written stems and distractors ----------------------------------------------------
    def _llm(self, quiz: QuizSet):
        from .llm import ChatBackend, LLMError, get_backend

        b = self.backend
        if b is None or b == "none" or b == "":
            return None
        if isinstance(b, ChatBackend):
            llm = b
        else:
            try:
                llm = get_backend(str(b))
            except LLMError as exc:
                quiz.notices.append(f"模型不可用，题目全部按规则生成：{exc}")
                return None
        quiz.backend, quiz.model = llm.name, getattr(llm, "model", "")
        return llm

    def _improve(self, quiz: QuizSet, llm, rng: random.Random) -> None:
        from .llm import LLMError

        todo = [i for i, it in enumerate(quiz.items) if it.qtype in ("单选", "多选")]
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


def _progress(seq: list, desc: str, enabled: bool, unit: str = "题"):
    if not enabled or not seq:
        return seq
    from tqdm import tqdm

    return tqdm(seq, desc=desc, unit=unit)


def _parse_json(raw: str) -> dict | None:
    m = re.search(r"\{.*\}", raw or "", re.S)
    if not m:
        return None
    text = m.group(0)
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            data = json.loads(attempt)
            return data if isinstance(data, dict) else None
        except json.JSONDecodeError:
            continue
    return None


_BLANK_ANY = re.compile(r"[（(]\s*[　 _＿]*\s*[)）]|_{2,}|＿{2,}")


def verify_choice(item: QuizItem, stem: str, distractors: Sequence[str]) -> str | None:
    """Why a model's stem/distractors for ``item`` fail against the source passage (None: they pass).

    The key must be in the passage and absent from the stem; the stem must be about the passage and
    state no number or formulation the passage lacks; each distractor must be absent from the passage,
    distinct, of the key's kind, and neither contain nor be contained in a key.
    """
    passage = item.source.text
    hay = norm(passage)
    keys = item.answer_texts
    if any(not _in(k, hay) for k in keys):
        return "答案在原文中找不到"
    if not stem or not _BLANK_ANY.search(stem):
        return "题干没有（　　）空位"
    if not 8 <= len(stem) <= 200:
        return "题干长度不合适"
    cstem = canon(_BLANK_ANY.sub("", stem))
    if any(canon(k) and canon(k) in cstem for k in keys):
        return "题干泄露了答案"
    missing = facts_missing(_BLANK_ANY.sub("", stem), [passage, item.source.title])
    if missing:
        return f"题干含原文没有的内容（{'、'.join(missing[:2])}）"
    if overlap(stem, passage) < 0.5:
        return "题干与原文关系不大"
    if len(distractors) != len(item.distractors):
        return f"干扰项数量应为 {len(item.distractors)} 个"
    taken: list[str] = []
    for d in distractors:
        if not isinstance(d, str) or not d.strip():
            return "干扰项为空"
        d = d.strip()
        if _in(d, hay):
            return f"干扰项“{d}”出现在原文中"
        if not _ok_distractor(d, keys, hay, taken):
            return f"干扰项“{d}”与答案或其他选项重复"
        why = _kind_mismatch(item, d)
        if why:
            return f"干扰项“{d}”{why}"
        taken.append(d)
    return None


def _kind_mismatch(item: QuizItem, d: str) -> str:
    """Why ``d`` is not of the same kind as ``item``'s key ('' when it is)."""
    key = item.answer_texts[0]
    if canon(d) in canon(prompts.QUIZ_SYSTEM):
        return "照抄了提示词中的示例"
    if item.kind == "number":
        m = NUMBER_FACT.search(key)
        if not re.search(rf"[\d{_CN_NUM}]", d) or (m and m.group("measure") not in d):
            return "不是同类的数字"
    elif item.kind == "frequency":
        if not d.startswith("每") or len(d) > 4:
            return "不是频次"
    elif item.kind == "title":
        if not (d.startswith("《") and d.endswith("》")):
            return "不是文件名称"
    elif item.kind == "body":
        if not _BODY_SUFFIX.search(d):
            return "不是机构名称"
    elif item.kind == "formulation":
        if bool(_NUMERIC_FORM.match(key)) != bool(_NUMERIC_FORM.match(d)) or not _similar_length(d, key, 0.5):
            return "不是同类的提法"
    lens = [len(k) for k in item.answer_texts]
    if not min(lens) - 3 <= len(d) <= max(lens) * 2 + 2:
        return "长度与正确答案相差太大"
    return ""


def _blank_keys(stem: str, keys: Sequence[str]) -> str:
    """A model stem that states the key(s) instead of leaving a blank: blank them (once, contiguous)."""
    if _BLANK_ANY.search(stem):
        return stem
    spans = []
    for k in keys:
        i = stem.find(k)
        if i < 0 or stem.count(k) != 1:
            return stem
        spans.append((i, i + len(k)))
    s, e = min(x[0] for x in spans), max(x[1] for x in spans)
    if (e - s) - sum(len(k) for k in keys) > 2 * len(keys):  # other words between the keys
        return stem
    return stem[:s] + BLANK + stem[e:]


def llm_choice_item(item: QuizItem, raw: str, rng: random.Random) -> tuple[QuizItem | None, str]:
    """The model's proposal for a 单选/多选 ``item`` as a verified item, or (None, why it was rejected)."""
    data = _parse_json(raw)
    if data is None:
        return None, "模型输出不是 JSON"
    stem = data.get("题干") or data.get("stem") or ""
    dis = data.get("干扰项") or data.get("distractors") or []
    if not isinstance(stem, str) or not isinstance(dis, list):
        return None, "模型输出格式不对"
    stem = _blank_keys(stem.strip(), item.answer_texts)
    dis = [str(d).strip().strip("“”\"") for d in dis][:len(item.distractors)]
    reason = verify_choice(item, stem, dis)
    if reason:
        return None, reason
    stem = _BLANK_ANY.sub(BLANK, stem, count=1)
    if "《" not in stem and item.source.title:
        stem = f"根据《{item.source.title}》，" + stem
    if not re.search(r"[。？?）)]$", stem):
        stem += "。"
    correct = list(item.answer_texts)
    options = correct + dis
    rng.shuffle(options)
    letters = "".join(LETTERS[i] for i, o in enumerate(options) if o in correct)
    expl = item.explanation.split("原文", 1)
    lead = f"正确答案为{letters}（{'；'.join(correct)}）。"
    return QuizItem(id=item.id, qtype=item.qtype, stem=stem, options=options, answer=letters, answer_texts=correct,
                    explanation=lead + "原文" + expl[1] if len(expl) == 2 else lead + item.explanation,
                    source=item.source, kind=item.kind, distractors=dis, origin="llm"), ""


from .quiz_export import quiz_docx, quiz_markdown  # noqa: E402  (re-exported for callers)

__all__ = ["QuizGenerator", "QuizError", "grade", "score", "wrong_items", "answer_display", "verify_choice",
           "llm_choice_item", "quiz_markdown", "quiz_docx", "BLANK"]
