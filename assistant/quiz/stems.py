"""知识测验: the text of an item built from one source sentence — stem window, blanks, ids, explanations.

Shared by the built-in quiz types and available to third-party ones.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from policyqa.types import Passage

from .facts import STEM_MAX, Sentence
from .rules import article_before

BLANK = "（　　）"
LETTERS = "ABCDEFGH"
TRUE_FALSE = ["正确", "错误"]


def window(text: str, s: int, e: int) -> tuple[int, int]:
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


def lead_in(sent: Sentence, cut: bool) -> str:
    """What goes before the stem text: the lead of an enumerated item (政务处分的期间为：……), or ……
    when the sentence is cut (``cut``)."""
    lead = getattr(sent, "lead", "")
    if lead:
        return lead + "……"
    return "……" if cut else ""


def render(sent: Sentence, s: int, e: int, replacement: str) -> str:
    """The stem body: the sentence (or the clauses around the fact) with [s, e) replaced, ending in 。.

    An enumerated item of a regulation is preceded by its lead (政务处分的期间为：……记过，（　　）。).
    """
    ws, we = window(sent.text, s, e)
    body = sent.text[ws:s] + replacement + sent.text[e:we]
    body = lead_in(sent, ws > 0) + body.rstrip("，,；;：: ")
    if not re.search(r"[。！？!?]$", body):
        body += "。"
    return body


def render_blank(sent: Sentence, s: int, e: int) -> str:
    """The stem body with [s, e) left as a blank （　　）."""
    return render(sent, s, e, BLANK)


def statement_span(sent: Sentence, s: int, e: int) -> str:
    """The sentence (or the clauses around [s, e)) as a statement, without its closing punctuation."""
    ws, we = window(sent.text, s, e)
    return sent.text[ws:we].rstrip("，,；;：:。 ")


def title_prefix(p: Passage) -> str:
    """The stem's lead naming the source document: 根据《…》，."""
    return f"根据《{p.title}》，" if p.title else ""


def where(p: Passage, article: str = "") -> str:
    """《title》 › heading path (without the title level) › article (第十三条, when not in the path)."""
    heads = [h for h in p.heading_path[1:] if h]
    if article and article not in heads:
        heads.append(article)
    path = " › ".join(heads)
    return f"《{p.title}》" + (f" › {path}" if path else "")


def article_of(text: str, sentence: str) -> str:
    """The article (第十三条) of a passage ``text`` that ``sentence`` is in ('' when none)."""
    i = text.find(sentence)
    return article_before(text, i + len(sentence) - 1) if i >= 0 else ""


def item_id(*parts: Any) -> str:
    """A stable item id: hash of type, passage, sentence position, fact offset and variant."""
    return hashlib.sha1("|".join(str(x) for x in parts).encode("utf-8")).hexdigest()[:12]


def explain(sent: Sentence, lead: str = "") -> str:
    """The explanation: ``lead`` then the source sentence quoted with where it is (down to its article)."""
    article = getattr(sent, "article", "") or article_of(sent.p.text, sent.text)
    context = getattr(sent, "lead", "")
    quote = f"{context}……{sent.text}" if context else sent.text
    return f"{lead}原文（{where(sent.p, article)}）：“{quote}”"
