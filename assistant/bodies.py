"""Which level of a congress (人大) or CPPCC (政协) a question and a document are about.

Articles by 全国人大常委会机关, a 省人大常委会机关 and a 市人大常委会机关 use the same words (机关党组, 主题教育,
专题党课); a question that names one of them ("全国人大机关搞廉政教育……", "湖北人大机关……", "市人大机关……")
must not be answered from another's article. Provinces have their own scope (:mod:`.scope`); this is the
level of the body inside one kind of organ.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from policyqa.types import DocumentMeta

from .scope import SHORT_NAME

ORGANS = ("人大", "政协")
_PROVINCES = "|".join(sorted(SHORT_NAME.values(), key=len, reverse=True))
_BODY = re.compile(rf"(全国|中央|省|自治区|(?:{_PROVINCES})(?:省|自治区)?|市|县)(?:级)?(人大|人民代表大会|政协)")
MIN_MENTIONS = 3
"""A document's text names its own body at least this often, twice as often as any other level."""


def _level(word: str) -> str:
    if word in ("全国", "中央"):
        return "national"
    if word in ("市", "县"):
        return "city" if word == "市" else "county"
    return "province"  # 省, 自治区, a province's name


def levels_in(text: str) -> Counter[tuple[str, str]]:
    """(organ, level) of every body the text names: 全国人大 → (人大, national), 湖北人大 → (人大, province)."""
    return Counter(("人大" if m.group(2) == "人民代表大会" else m.group(2), _level(m.group(1)))
                   for m in _BODY.finditer(text))


def body_named(question: str) -> str:
    """The words that name the asked body, with what follows of its organ ("全国人大常委会机关党组"), or ""."""
    m = re.search(_BODY.pattern + r"(?:常委会|常务委员会)?(?:机关)?(?:党组)?", question)
    return m.group(0) if m else ""


def asked_body(question: str) -> tuple[str, str] | None:
    """The one body a question names, or None (none, or several: "市人大和省人大分别……" compares them)."""
    named = set(levels_in(question))
    return named.pop() if len(named) == 1 else None


def document_body(doc: DocumentMeta, text: str | Callable[[], str]) -> tuple[str, str] | None:
    """The body an article, speech or report is by or about: named in its title, author or source, else (articles
    and speeches) named in its text far more often than any other level of the same organ. Laws and regulations
    have none: they bind every level."""
    if doc.doc_type == "regulation":
        return None
    meta = levels_in(" ".join([doc.title, doc.author or "", doc.source or ""]))
    if len(meta) == 1:
        return next(iter(meta))
    if doc.doc_type not in ("article", "speech"):
        return None  # a government's report names 省人大 as the body it reports to, not as its subject
    counts = levels_in(text() if callable(text) else text)  # a callable: the text is read only when needed
    for organ in ORGANS:
        ranked = [(n, key) for key, n in counts.most_common() if key[0] == organ]
        if ranked and ranked[0][0] >= MIN_MENTIONS and (len(ranked) == 1 or ranked[0][0] >= 2 * ranked[1][0]):
            return ranked[0][1]
    return None


def other_level(asked: tuple[str, str], body: tuple[str, str] | None) -> bool:
    """A document about the same kind of organ at another level than the one asked about."""
    return body is not None and body[0] == asked[0] and body[1] != asked[1]
