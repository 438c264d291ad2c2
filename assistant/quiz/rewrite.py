"""知识测验: a model's stem and distractors for a choice item, kept only when they pass verification against
the source passage (otherwise the rule item stays)."""
from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence

from policyqa.types import QuizItem

from .. import prompts
from ..grounding import facts_missing, norm, overlap
from .facts import (
    BODY_SUFFIX,
    CN_NUM,
    NUMBER_FACT,
    NUMERIC_FORM,
    canon,
    occurs_in,
    ok_distractor,
    same_kind_term,
    similar_length,
)
from .rules import DECIDER_SUFFIX, body_class, term_family
from .stems import BLANK, LETTERS

__all__ = ["llm_choice_item", "verify_choice"]


def _parse_json(raw: str) -> dict | None:
    m = re.search(r"\{.*\}", raw or "", re.DOTALL)
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
    if any(not occurs_in(k, hay) for k in keys):
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
        if occurs_in(d, hay):
            return f"干扰项“{d}”出现在原文中"
        if not ok_distractor(d, keys, hay, taken):
            return f"干扰项“{d}”与答案或其他选项重复"
        why = _kind_mismatch(item, d)
        if why:
            return f"干扰项“{d}”{why}"
        taken.append(d)
    return None


def _kind_mismatch(item: QuizItem, d: str) -> str:
    """Why ``d`` is not of the same kind as ``item``'s key ('' when it is)."""
    key = item.answer_texts[0]
    if _copied_from_prompt(d):
        return "照抄了提示词中的示例"
    if item.kind == "number":
        m = NUMBER_FACT.search(key)
        if not re.search(rf"[\d{CN_NUM}]", d) or (m and m.group("measure") not in d):
            return "不是同类的数字"
    elif item.kind == "frequency":
        if not d.startswith("每") or len(d) > 4:
            return "不是频次"
    elif item.kind == "title":
        if not (d.startswith("《") and d.endswith("》")):
            return "不是文件名称"
    elif item.kind == "body":
        if not (BODY_SUFFIX.search(d) or DECIDER_SUFFIX.search(d)):
            return "不是机构名称"
        if body_class(key) and body_class(d) != body_class(key):
            return "不是同类的机构"
    elif item.kind == "term":
        if not same_kind_term(d, term_family(key, item.source.text)):
            return "不是同类的规定用语"
    elif item.kind == "formulation" and (bool(NUMERIC_FORM.match(key)) != bool(NUMERIC_FORM.match(d))
                                         or not similar_length(d, key, 0.5)):
        return "不是同类的提法"
    lens = [len(k) for k in item.answer_texts]
    if not min(lens) - 3 <= len(d) <= max(lens) * 2 + 2:
        return "长度与正确答案相差太大"
    return ""


_PROMPT_EXAMPLES = {canon(part) for found in re.findall(r'"([^"]+)"|正确答案：(\S+)', prompts.QUIZ_SYSTEM)
                    for part in found if part}


def _copied_from_prompt(d: str) -> bool:
    """A distractor taken from the prompt's example (its options, its key, or a phrase of four or more
    characters of the prompt); short words the prompt happens to use (一个) are not copies."""
    c = canon(d)
    return c in _PROMPT_EXAMPLES or (len(c) >= 4 and c in canon(prompts.QUIZ_SYSTEM))


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
    if item.source.title and f"《{item.source.title}》" not in stem:  # the stem names its source
        stem = f"根据《{item.source.title}》，" + stem
    if not re.search(r"[。？?）)]$", stem):
        stem += "。"
    correct = list(item.answer_texts)
    options = correct + dis
    rng.shuffle(options)
    letters = "".join(LETTERS[i] for i, o in enumerate(options) if o in correct)
    correct = [o for o in options if o in correct]  # in option order, as the letters are
    expl = item.explanation.split("原文", 1)
    lead = f"正确答案为{letters}（{'；'.join(correct)}）。"
    return QuizItem(id=item.id, qtype=item.qtype, stem=stem, options=options, answer=letters, answer_texts=correct,
                    explanation=lead + "原文" + expl[1] if len(expl) == 2 else lead + item.explanation,
                    source=item.source, kind=item.kind, distractors=dis, origin="llm"), ""
