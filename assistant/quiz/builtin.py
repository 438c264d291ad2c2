"""知识测验: the built-in quiz types 单选, 多选, 判断, 填空.

Every item is built from one source sentence and one checkable fact in it: 填空 blanks the fact; 判断
states the sentence as written (true) or with the fact replaced by another of the same kind (false);
单选/多选 offer the fact(s) among distractors of the same kind drawn from the corpus. A distractor never
occurs in the cited passage, so it cannot be a second correct answer.
"""
from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from policyqa.types import QuizItem

from .base import BuildContext, Candidate, QuizType
from .facts import (
    Enumeration,
    Fact,
    Pools,
    Sentence,
    alternatives,
    canon,
    common_prefix,
    common_suffix,
    form_class,
    int_to_cn,
    list_alternatives,
    num_canon,
    pick_distractors,
)
from .stems import (
    BLANK,
    LETTERS,
    TRUE_FALSE,
    explain,
    item_id,
    lead_in,
    render,
    render_blank,
    statement_span,
    title_prefix,
    window,
)

__all__ = ["BUILTIN_TYPES", "FillBlank", "MultipleChoice", "SingleChoice", "TrueFalse"]


# -- item construction -------------------------------------------------------------------------

def leaks(stem: str, keys: Sequence[str]) -> bool:
    """Whether the stem (its title lead included) shows a key outside its blank: such an item answers itself."""
    parts = [canon(x) for x in stem.split(BLANK)]
    return any(canon(k) and canon(k) in part for k in keys for part in parts)


def _fill_item(qtype: str, sent: Sentence, fact: Fact) -> QuizItem | None:
    if fact.blank_start < 0:
        return None
    answer = sent.text[fact.blank_start:fact.blank_end]
    stem_body = render_blank(sent, fact.blank_start, fact.blank_end)
    stem = title_prefix(sent.p) + stem_body
    if leaks(stem, [fact.text if fact.kind == "number" else answer]):
        return None  # e.g. the law named in the lead 根据《…》 blanked in the sentence
    accept = []
    if fact.kind == "number" and fact.value is not None:  # number facts always carry their value
        value = int(fact.value) if fact.value == int(fact.value) else fact.value
        accept = [f"{answer}{fact.approx}{fact.measure}", f"{answer}{fact.approx}{fact.measure}{fact.noun}", str(value)]
        if isinstance(value, int) and value < 10000:
            accept.append(int_to_cn(value, liang=False))
    elif fact.kind == "title":
        accept = [answer.strip("《》")]
    accept = [a for a in dict.fromkeys(accept) if a and a != answer]
    return QuizItem(id=item_id(qtype, sent.p.passage_id, sent.pos, fact.start), qtype=qtype,
                    stem=stem, options=[], answer=answer, answer_texts=[answer],
                    explanation=explain(sent, f"答案：{answer}。"), source=sent.quiz_source(),
                    kind=fact.kind, accept=accept)


def _choice_item(qtype: str, sent: Sentence, fact: Fact, pools: Pools, rng: random.Random) -> QuizItem | None:
    stem = title_prefix(sent.p) + render_blank(sent, fact.start, fact.end)
    if leaks(stem, [fact.text]):
        return None
    alts = pick_distractors(alternatives(fact, pools, rng, sent.p), [fact.text], sent.p, 3)
    if len(alts) < 3:
        return None
    options = [fact.text] + alts
    rng.shuffle(options)
    letter = LETTERS[options.index(fact.text)]
    return QuizItem(id=item_id(qtype, sent.p.passage_id, sent.pos, fact.start), qtype=qtype,
                    stem=stem, options=options,
                    answer=letter, answer_texts=[fact.text],
                    explanation=explain(sent, f"正确答案为{letter}（{fact.text}）。"),
                    source=sent.quiz_source(), kind=fact.kind, distractors=alts)


def block_stem(sent: Sentence) -> str | None:
    """The stem of a block enumeration's lead: 公职人员有下列（　　）情形之一的，…; 政务处分的种类包括（　　）."""
    lead = sent.text.rstrip("：: ")
    if "下列" in lead:
        return lead.replace("下列", "下列" + BLANK, 1) + "。"
    m = re.search(r"(?:为|是|包括|有|如下)$", lead)
    if not m:
        return None
    return lead[:m.start()] + "包括" + BLANK + "。"


def _multi_item(qtype: str, sent: Sentence, lst: Enumeration, pools: Pools, rng: random.Random) -> QuizItem | None:
    items = list(lst.items)
    if lst.block:
        body = block_stem(sent)
        if body is None:
            return None
        stem = title_prefix(sent.p) + body
    else:
        stem = title_prefix(sent.p) + render_blank(sent, lst.start, lst.end)
    if leaks(stem, items):
        return None
    correct = sorted(rng.sample(items, 4), key=items.index) if len(items) > 4 else items
    n_wrong = max(4, len(correct) + 1) - len(correct)
    # Of the kind and length class of the options shown; never another item of the enumeration.
    cands = [c for c in list_alternatives(correct, pools, rng, sent.p, family=lst.family, block=lst.block)
             if c not in items]
    alts = pick_distractors(cands, items, sent.p, n_wrong)
    if len(alts) < n_wrong:
        return None
    options = correct + alts
    rng.shuffle(options)
    letters = "".join(LETTERS[i] for i, o in enumerate(options) if o in correct)
    keys = [o for o in options if o in correct]  # in option order, as the letters are
    return QuizItem(id=item_id(qtype, sent.p.passage_id, sent.pos, lst.start), qtype=qtype, stem=stem, options=options,
                    answer=letters, answer_texts=keys,
                    explanation=explain(sent, f"正确答案为{letters}（{'；'.join(keys)}）。"),
                    source=sent.quiz_source(), kind="list", distractors=alts)


def _judge_item(qtype: str, sent: Sentence, target: Fact | Enumeration | None, truth: bool, pools: Pools,
                rng: random.Random) -> QuizItem | None:
    p = sent.p
    if isinstance(target, Enumeration) and target.block:
        return None  # a block is tested by 多选 only
    if truth:
        s, e = (target.start, target.end) if target is not None else (0, len(sent.text))
        statement = statement_span(sent, s, e)
        ws, _ = window(sent.text, s, e)
        body = lead_in(sent, ws > 0) + statement + "。"
        return QuizItem(id=item_id(qtype, p.passage_id, sent.pos, s, "T"), qtype=qtype,
                        stem=title_prefix(p) + body + BLANK, options=list(TRUE_FALSE), answer="正确",
                        answer_texts=[statement], explanation=explain(sent, "正确，与原文一致。"),
                        source=sent.quiz_source(), kind=target.kind if isinstance(target, Fact) else "list")
    if target is None:  # a false statement needs a fact to alter
        return None
    if isinstance(target, Enumeration):
        original = rng.choice(target.items)
        s = target.start + sent.text[target.start:target.end].find(original)
        e = s + len(original)
        # Only a replacement of the same pattern reads naturally (以学促干 → 以学促行).
        affix = common_suffix(target.items) or common_prefix(target.items)
        cands = [c for c in list_alternatives(target.items, pools, rng, p, family=target.family)
                 if target.family or (affix and (c.endswith(affix) if common_suffix(target.items)
                                                 else c.startswith(affix)))]
        alts = pick_distractors(cands, target.items, p, 1)
        kind = "list"
    else:
        original, s, e, kind = target.text, target.start, target.end, target.kind
        cands = alternatives(target, pools, rng, p)
        if kind == "formulation" and form_class(original) != "numeric":
            cands = [c for c in cands if c[-1] == original[-1] or c[-2:] == original[-2:]]
        alts = pick_distractors(cands, [target.text], p, 1)
    if not alts or s < target.start:
        return None
    altered = alts[0]
    body = render(sent, s, e, altered)
    return QuizItem(id=item_id(qtype, p.passage_id, sent.pos, s, "F"), qtype=qtype,
                    stem=title_prefix(p) + body + BLANK, options=list(TRUE_FALSE), answer="错误",
                    answer_texts=[original], explanation=explain(sent, f"错误。原文为“{original}”，不是“{altered}”。"),
                    source=sent.quiz_source(), kind=kind, altered=altered)


# -- reading responses -------------------------------------------------------------------------

_TRUE = {"正确", "对", "是", "√", "✓", "✔", "t", "true", "y", "yes", "1", "a", "真", "对的", "正确的"}
_FALSE = {"错误", "错", "否", "×", "✗", "✘", "x", "f", "false", "n", "no", "0", "b", "假", "错的", "不正确", "不对"}


def choice_letters(item: QuizItem, response: Any) -> set[str]:
    """The option letters a response names: letters in any form, or option texts."""
    valid = item.letters
    if isinstance(response, (list, tuple, set, frozenset)):
        out: set[str] = set()
        for r in response:
            out |= choice_letters(item, r)
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


def truth_value(response: Any) -> bool | None:
    """正确/错误, 对/错, √/×, True/False … as a bool; None when the response is neither."""
    if isinstance(response, bool):
        return response
    t = unicodedata.normalize("NFKC", str(response)).strip().lower()
    t = re.sub(r"[。.!！\s]", "", t)
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


# -- the types ---------------------------------------------------------------------------------

class _Lettered(QuizType):
    """Choice items: lettered options, the key a string of letters."""

    rewrite = True

    def choices(self, item: QuizItem) -> list[tuple[str, str]]:
        return [(f"{L}. {o}", L) for L, o in zip(item.letters, item.options)]

    def brief(self, item: QuizItem) -> str:
        return item.answer + "（" + "；".join(item.answer_texts) + "）"

    def paper_options(self, item: QuizItem) -> list[str]:
        return [f"{LETTERS[i]}．{o}" for i, o in enumerate(item.options)]


class SingleChoice(_Lettered):
    """单选: a fact among three same-kind distractors; answered with a letter (``B``, ``选B``) or the option."""

    name = "单选"
    section = "单项选择题"
    widget = "radio"

    def targets(self, sent: Sentence) -> list[Fact | Enumeration]:
        return list(sent.facts)

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        if not isinstance(cand.target, Fact):  # targets() yields facts only
            return None
        return _choice_item(self.name, cand.sent, cand.target, ctx.pools, ctx.rng)

    def grade(self, item: QuizItem, response: Any) -> bool:
        got = choice_letters(item, response)
        return len(got) == 1 and got == set(item.answer)

    def display(self, item: QuizItem) -> str:
        return f"{item.answer}．{item.options[LETTERS.index(item.answer)]}"


class MultipleChoice(_Lettered):
    """多选: the items of an enumeration among distractors; answered with the set of letters in any form."""

    name = "多选"
    section = "多项选择题"
    widget = "checkbox"

    def targets(self, sent: Sentence) -> list[Fact | Enumeration]:
        return list(sent.lists)

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        if not isinstance(cand.target, Enumeration):  # targets() yields enumerations only
            return None
        return _multi_item(self.name, cand.sent, cand.target, ctx.pools, ctx.rng)

    def grade(self, item: QuizItem, response: Any) -> bool:
        return choice_letters(item, response) == set(item.answer)

    def display(self, item: QuizItem) -> str:
        return "、".join(item.answer) + "（" + "；".join(item.options[LETTERS.index(c)] for c in item.answer) + "）"


class TrueFalse(QuizType):
    """判断: the sentence as written or with one fact altered; true and false statements alternate."""

    name = "判断"
    section = "判断题"
    widget = "radio"
    max_misses = 8
    """Candidates passed over in a row for want of the statement due (true or false) before the other is made."""

    def targets(self, sent: Sentence) -> list[Fact | Enumeration]:
        return list(sent.facts) + [lst for lst in sent.lists if not lst.block]

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        truth = ctx.state.get(self.name, ctx.coin)
        item = _judge_item(self.name, cand.sent, cand.target, truth, ctx.pools, ctx.rng)
        if item is None:
            # A fact with no same-kind replacement makes no false statement: pass it over for another
            # candidate rather than tipping the quiz towards true statements, unless many in a row fail.
            misses = ctx.state.get(self.name + ":misses", 0) + 1
            ctx.state[self.name + ":misses"] = misses
            if misses < self.max_misses:
                return None
            item = _judge_item(self.name, cand.sent, cand.target, not truth, ctx.pools, ctx.rng)
        return item

    def accepted(self, item: QuizItem, ctx: BuildContext) -> None:
        ctx.state[self.name] = item.answer != "正确"  # the next statement the other way round
        ctx.state[self.name + ":misses"] = 0

    def grade(self, item: QuizItem, response: Any) -> bool:
        got = truth_value(response)
        return got is not None and got == (item.answer == "正确")

    def choices(self, item: QuizItem) -> list[tuple[str, str]]:
        return [(o, o) for o in item.options or TRUE_FALSE]

    def display(self, item: QuizItem) -> str:
        return "正确" if item.answer == "正确" else f"错误（原文为“{item.answer_texts[0]}”，不是“{item.altered}”）"


class FillBlank(QuizType):
    """填空: the fact blanked; compared without spaces and punctuation, full/half width alike, 八 = 8,
    with or without the measure word after the blank."""

    name = "填空"
    section = "填空题"
    widget = "text"
    placeholder = "填写括号中的内容"

    def targets(self, sent: Sentence) -> list[Fact | Enumeration]:
        return [f for f in sent.facts if f.blank_start >= 0]

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        if not isinstance(cand.target, Fact):  # targets() yields facts only
            return None
        return _fill_item(self.name, cand.sent, cand.target)

    def grade(self, item: QuizItem, response: Any) -> bool:
        r = num_canon(str(response))
        return bool(r) and r in {num_canon(a) for a in [item.answer, *item.accept]}


BUILTIN_TYPES: tuple[type[QuizType], ...] = (SingleChoice, MultipleChoice, TrueFalse, FillBlank)
"""In the order a paper lists them."""
