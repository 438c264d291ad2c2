"""The one place that builds what the user gets: an answer with its citations, or a refusal that says
in plain words what was not found."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policyqa.types import Answer, Citation, Hit

from . import prompts
from .asked import FORM_ZH, Asked, Form
from .grounding import markers_of, renumber, split_sentences, strip_markers, supporting_sentences

if TYPE_CHECKING:
    from .engine import Event

NOTICE_LIMIT = 1
"""Notices shown with one answer (the most important first)."""


@dataclass
class Context:
    """What every answer of one question records."""

    question: str
    standalone: str
    hits: list[Hit]
    t0: float
    timings: dict[str, float]
    notices: list[str] = field(default_factory=list)
    backend: str = "none"
    model: str = "extractive"
    model_sentences: int = 0


def _finish(ctx: Context) -> dict[str, float]:
    ctx.timings.setdefault("first_token_ms", (time.perf_counter() - ctx.t0) * 1000)
    ctx.timings["total_ms"] = (time.perf_counter() - ctx.t0) * 1000
    return ctx.timings


def answered(ctx: Context, text: str, hits: list[Hit]) -> Answer:
    """An answer whose [n] refer to ``hits`` (1-based); each cited passage carries its supporting sentences."""
    text, hits = renumber(text, hits)
    cited: list[int] = []
    for s in split_sentences(text):
        cited += [n for n in markers_of(s) if n not in cited and 1 <= n <= len(hits)]
    citations = []
    for n in cited:
        c = Citation.from_hit(n, hits[n - 1])
        claims = [strip_markers(s) for s in split_sentences(text) if n in markers_of(s)]
        c.support = list(dict.fromkeys(x for cl in claims for x in supporting_sentences(cl, c.text)))
        citations.append(c)
    return Answer(question=ctx.question, answer=text, answerable=True, citations=citations,
                  standalone_query=ctx.standalone, backend=ctx.backend, model=ctx.model, timings=_finish(ctx),
                  notices=ctx.notices[:NOTICE_LIMIT], model_sentences=ctx.model_sentences)


def refusal_notice(unsupported: list[str] | None = None, asked: Asked | None = None,
                   missing: list[Form] | None = None) -> str:
    """One plain line saying what was not found."""
    if unsupported:
        return "资料中没有找到问题里提到的：" + "、".join(x if x.startswith(("“", "《")) else f"“{x}”"
                                                   for x in unsupported[:5]) + "。"
    if asked is not None and asked.docfact:
        what = {"author": "作者", "source": "来源或出处", "date": "日期", "title": "标题",
                "count_articles": "条文数目", "count_chapters": "章节数目", "parts": "部分划分"}.get(asked.docfact, "这一信息")
        return f"资料库的文档信息中没有载明所问文件的{what}。"
    if missing == [Form.ENUMERATION]:
        what = f"“{asked.formulation}”" if asked is not None and asked.formulation else "这个话题"
        return f"资料中提到了{what}，但没有列出具体是哪些。"
    if missing == [Form.WHO] and asked is not None and asked.outcome:
        return "资料中提到了这项活动，但没有说明结果。"
    if missing == [Form.WHO] and asked is not None and asked.role:  # "办公室主任是谁"
        return f"资料中提到了这个机构，但没有写明{asked.role[0]}是谁。"
    if missing == [Form.WHO] and asked is not None and asked.person:  # "每组对口联系的领导分别是谁"
        return "资料中提到了这个话题，但没有写明具体是谁。"
    if missing == [Form.QUANTITY] and asked is not None and asked.unit in ("元", "%"):  # 多少经费 / 百分之多少
        return "资料中提到了这个话题，但没有说明所问的" + ("金额" if asked.unit == "元" else "比例") + "。"
    if missing and asked is not None:  # what exactly was asked: "……没有说明由谁签发 / 标准或条件 / 具体是哪个省"
        said = {Form.ATTRIBUTE: "所问的" + asked.attribute.label if asked.attribute else "",
                Form.WHERE: f"具体是哪个{asked.place_kind}" if asked.place_kind else ""}
        if any(said.get(f) for f in missing):
            return "资料中提到了这个话题，但没有说明" + "、".join(said.get(f) or "所问的" + FORM_ZH[f] for f in missing) + "。"
    if missing:
        return "资料中提到了这个话题，但没有说明所问的" + "、".join(FORM_ZH[f] for f in missing) + "。"
    return ""


def refuse(ctx: Context, unsupported: list[str] | None = None, not_stated: Asked | None = None,
           missing: list[Form] | None = None, notice: str = "") -> Iterator[Event]:
    """Yield the refusal text and the final refused :class:`Answer` (nearest passages for reference); ``notice``:
    what was not found, when the caller can say it more exactly than :func:`refusal_notice`."""
    from .engine import Final, Token

    notice = notice or refusal_notice(unsupported, not_stated, missing)
    notices = ([notice] if notice else []) + ctx.notices
    yield Token(prompts.NOT_FOUND)
    yield Final(Answer(question=ctx.question, answer=prompts.NOT_FOUND, answerable=False,
                       standalone_query=ctx.standalone,
                       nearest=[Citation.from_hit(n, h) for n, h in enumerate(ctx.hits[:3], 1)],
                       backend=ctx.backend, model=ctx.model, timings=_finish(ctx), notices=notices[:NOTICE_LIMIT]))
