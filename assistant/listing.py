"""Announced lists: a sentence that announces its parts ("从四个方面巩固深化主题教育成果。",
"主要做法如下：") whose parts are the lead lines of the paragraphs that follow it.

Work reports and speeches name a list once and give each item its own paragraph, opened by a short
lead ("从严从实加强机关政治生态建设。……", "（一）强化理论武装" or a heading line). Retrieval finds the
announcing sentence (it shares the question's words); the items sit in later passages that share few.
For "从哪几个方面 / 有哪些做法", the answer is the announcement and each item's lead, cited to its own
passage; without this the answer is the announcement alone ("从四个方面……") and names nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from policyqa.types import Hit

from .answerability import cn_int
from .asked import Asked, Form
from .compose import Plan, Planned
from .grounding import split_sentences

_NUM = "一二两三四五六七八九十"
ANNOUNCE = re.compile(rf"([{_NUM}]{{1,3}}|\d{{1,2}})(?:个|项|条|大|点)?"
                      r"(?:方面|方向|重点|环节|举措|措施|任务|特点|原则|要求|做法|工作|途径|路径|抓手|着力点|维度|板块|点)")
"""A count of parts: 四个方面, 三项举措, 五大任务."""
FOLLOWS = re.compile(r"(?:如下|以下几?[个点方面项条]*|下列[^。；]{0,10}|主要是|包括)[:：。]?$|[:：]$")
"""A sentence that hands over to what follows: 具体如下：, 主要做法有以下几点。"""
LEAD_MAX = 32
"""Longest lead sentence of an item paragraph (a lead is a short line; a plain paragraph opens with a long one)."""
MAX_PARTS = 12


@dataclass
class Part:
    text: str
    """The item's lead, verbatim."""
    hit: Hit
    """The stored passage that holds it."""
    offset: int


def announced_count(sentence: str) -> int | None:
    """The number of parts a sentence announces (0 for an open "如下：" / "以下几点"), or None."""
    body = sentence.rstrip("。；;，, ")
    m = ANNOUNCE.search(body)
    # The count is said by the clause's verb ("从四个方面巩固", "抓好十个方面工作"), not its subject
    # ("，十方面民生实事圆满完成" reports a result).
    opens_clause = m is not None and (m.start() == 0 or body[m.start() - 1] in "，,；;：:。")
    if m and not opens_clause and (m.end() >= len(body) - 12 or FOLLOWS.search(body)):
        n = int(m.group(1)) if m.group(1).isdigit() else cn_int(m.group(1))
        if n and 2 <= n <= MAX_PARTS:
            return n
    if FOLLOWS.search(sentence.rstrip()):
        return 0
    return None


def _doc_text(passages: list[Hit]) -> str:
    """The document's text rebuilt from its passages (each is a verbatim slice at its offsets); the
    whitespace between passages (paragraph breaks, dropped by the splitter) reads as a line break."""
    end = max((p.end for p in passages), default=0)
    buf = ["\n"] * end
    for p in passages:
        if p.end - p.start == len(p.text):
            buf[p.start:p.end] = list(p.text)
    return "".join(buf)


_ORDINALS = (
    ("paren", re.compile(rf"^[（(]([{_NUM}]{{1,3}})[）)]")),
    ("shi", re.compile(rf"^([{_NUM}]{{1,3}})是")),
    ("dun", re.compile(rf"^([{_NUM}]{{1,3}})、")),
    ("digit", re.compile(r"^(\d{1,2})[.、．]")),
    ("dash", re.compile(r"^(——)")),
)
_STOP = re.compile(r"^(?:#|第[一二三四五六七八九十百零\d]+[条章节编])")
"""A heading or the next article ends a list."""


def _ordinal(line: str) -> tuple[str, int | None]:
    """(style, number) of a line's leading ordinal: ("paren", 2) for （二）, ("dash", None) for ——, ("", None)."""
    for style, rx in _ORDINALS:
        m = rx.match(line)
        if m:
            g = m.group(1)
            return style, (None if style == "dash" else int(g) if g.isdigit() else cn_int(g))
    return "", None


def _lead(line: str) -> tuple[str, bool] | None:
    """The lead of an item paragraph: (a heading line without a full stop, True) or (a short first
    sentence followed by more text, False)."""
    if line and not re.search(r"[。；！？]", line) and len(line) <= 2 * LEAD_MAX:
        return line, True
    sents = split_sentences(line)
    if len(sents) > 1 and len(sents[0]) <= LEAD_MAX and sents[0].endswith(("。", "：", ":")):
        return sents[0], False
    return None


BODY_LINES = 6
"""Body paragraphs an unnumbered item under a heading line may have before the next item."""
NUMBERED_BODY_LINES = 60
"""Body paragraphs between numbered items (（一）…（二）…): their sub-points are not items."""


def announced_parts(sentence: str, passages: list[Hit], text: str | None = None) -> list[Part] | None:
    """The parts ``sentence`` announces in the document made of ``passages``, or None when it announces
    none, does not end its paragraph, or the paragraphs after it are not led by short lines.

    Numbered items (（一）, 一是, ——) must continue the first item's numbering; lines between them are
    the items' bodies (their own sub-points included)."""
    n = announced_count(sentence)
    if n is None:
        return None
    text = _doc_text(passages) if text is None else text  # ``text``: the same, built once by the caller
    at = text.find(sentence)
    if at < 0:
        return None
    end = at + len(sentence)
    if text[end:].lstrip(" \t\u3000")[:1] not in ("\n", ""):
        return None  # the sentence runs on in its paragraph: its parts are inline, not announced
    parts: list[Part] = []
    style = ""  # the items' numbering, from the first item
    headed = False  # items are heading lines, each followed by body paragraphs
    body = 0
    for m in re.finditer(r"[^\n]+", text[end:]):
        line = m.group(0).strip(" \t\u3000")
        if not line:
            continue
        if _STOP.match(line):
            break
        kind, num = _ordinal(line)
        lead = _lead(line)
        if parts and style:
            if kind != style:
                if kind == "dun" or body >= NUMBERED_BODY_LINES:
                    break  # a higher-level heading (二、) or too far
                body += 1
                continue
            if num is not None and num != len(parts) + 1:
                break  # the numbering restarts: another list
        elif lead is None or (parts and lead[1] != headed) or (parts and kind):
            if headed and body < BODY_LINES and not kind:
                body += 1
                continue
            break
        if lead is None:
            break
        off = end + m.start() + m.group(0).find(lead[0])
        holder = next((p for p in passages if p.start <= off < p.end), None)
        if holder is None:
            break
        if not parts:
            style = kind
        parts.append(Part(lead[0], holder, off))
        headed, body = lead[1], 0
        if (n and len(parts) == n) or len(parts) == MAX_PARTS:
            break
    if (n and len(parts) != n) or len(parts) < 2:
        return None
    return parts


def announcement_before(item: str, passages: list[Hit]) -> tuple[str, Hit] | None:
    """For a numbered item ("八是全面提高治理效能……"): the sentence that announces its list, with its passage."""
    if not _ordinal(item)[0]:
        return None
    text = _doc_text(passages)
    at = text.find(item)
    if at < 0:
        return None
    lo = max(0, at - LOOK_BACK)
    for sent in reversed(split_sentences(text[lo:at])[-LOOK_BACK_SENTENCES:]):
        if announced_count(sent) is None:
            continue
        parts = announced_parts(sent, passages, text)
        if parts and any(p.text in item or item in p.text for p in parts):
            off = text.rfind(sent, lo, at)
            holder = next((p for p in passages if p.start <= off < p.end), None)
            return (sent, holder) if holder is not None else None
    return None


LOOK_BACK = 6000
"""Characters searched before a numbered item for the sentence announcing its list."""
LOOK_BACK_SENTENCES = 120


def grow_plan(plan: Plan, hits: list[Hit], asked: Asked,
              fetch: Callable[[str], list[Hit]]) -> tuple[Plan, list[Hit]] | None:
    """For a question asking what the parts are: the plan's (or a spare) sentence that announces parts, or
    the announcement of a numbered item the plan found, followed by each part's lead cited to its own passage.
    Returns the new plan and the hits it cites (``hits`` plus the passages not among them), or None when no
    announced parts are found (or their number is not the one asked: "哪四个方面" needs four)."""
    # how a thing is done or planned ("从四个方面巩固深化主题教育成果" the best answer to "下一步怎么巩固"): the
    # announced parts are the answer too, when the announcement is (nearly) the plan's best sentence
    how = not asked.wants(Form.ENUMERATION) and (asked.wants(Form.OPERATION) or asked.forms == [Form.GENERAL])
    if not asked.wants(Form.ENUMERATION) and not how:
        return None
    docs: dict[str, list[Hit]] = {}
    top = max((s.score for s in plan.sentences), default=0.0)
    cands = [*plan.sentences, *(s for s in plan.spare if s.score >= SPARE_SHARE * top)]
    # (by the question's words: a sentence near in meaning is no better answer than the announcement it outranks)
    top_said = max((s.score - s.meaning for s in plan.sentences), default=0.0)
    for cand in sorted(cands, key=lambda s: -s.score):  # the announcement closest to the question first
        doc_id = hits[cand.n - 1].doc_id
        announces = announced_count(cand.text) is not None
        if how and (not announces or cand.score - cand.meaning < HOW_SHARE * top_said):
            continue
        if not announces and not _ordinal(cand.text)[0]:
            continue
        if doc_id not in docs:
            docs[doc_id] = fetch(doc_id)
        found = (cand.text, hits[cand.n - 1]) if announces else announcement_before(cand.text, docs[doc_id])
        if found is None:
            continue
        count = announced_count(found[0])
        if count is None or (asked.count and count and count != asked.count):
            continue
        parts = announced_parts(found[0], docs[doc_id])
        if not parts or (asked.count and len(parts) != asked.count):
            continue
        return _listed(plan, cand, found, parts, hits)
    return None


def _listed(plan: Plan, cand: Planned, found: tuple[str, Hit], parts: list[Part],
            hits: list[Hit]) -> tuple[Plan, list[Hit]]:
    out = list(hits)
    ids = {h.passage_id: n for n, h in enumerate(out, 1)}

    def number(h: Hit) -> int:
        if h.passage_id not in ids:
            out.append(h)
            ids[h.passage_id] = len(out)
        return ids[h.passage_id]

    planned = [Planned(number(found[1]), 0, found[0], cand.score, [Form.ENUMERATION])]
    planned += [Planned(number(part.hit), 1 + i, part.text, 0.0, [Form.ENUMERATION]) for i, part in enumerate(parts)]
    spare = [s for s in [*plan.sentences, *plan.spare] if s is not cand]
    return Plan(planned, spare=spare[:4]), out


HOW_SHARE = 0.8
"""… for a how-question, an announcement scoring this share of the plan's best is its answer."""
SPARE_SHARE = 0.8
"""A spare sentence (not in the plan) is tried as an announcement when it scores this share of the plan's best."""
