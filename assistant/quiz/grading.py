"""知识测验: grading responses and showing keys, each through the item's quiz type."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policyqa.types import QuizItem

from .registry import find_quiz_type

__all__ = ["answer_display", "brief_answer", "grade", "score", "wrong_items"]


def grade(item: QuizItem, response: Any) -> bool:
    """Whether ``response`` answers ``item`` correctly (an empty response never does).

    单选: a letter (``B``, ``b``, ``Ｂ``, ``选B``) or the option's text; 多选: the set of letters in any form
    (``ACD``, ``A、C、D``, ``["A", "C", "D"]``) or the option texts; 判断: 正确/错误, 对/错, √/×, True/False;
    填空: the text, compared without spaces and punctuation, full/half width alike, 八 = 8, with or
    without the measure word after the blank. Other types grade as they declare.
    """
    if response is None or (isinstance(response, str) and not response.strip()):
        return False
    qt = find_quiz_type(item.qtype)
    if qt is None:
        raise ValueError(f"未知题型：{item.qtype}")
    return qt.grade(item, response)


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
    qt = find_quiz_type(item.qtype)
    return qt.display(item) if qt is not None else item.answer


def brief_answer(item: QuizItem) -> str:
    """The key in the app's list of misses: ``B（8个组）``, ``错误``, ``8``."""
    qt = find_quiz_type(item.qtype)
    return qt.brief(item) if qt is not None else item.answer
