"""Grounding rules enforced in code: citation markers, claim checks, sentence support.

The model's answer is never shown as-is: unknown [n] markers are stripped,
sentences whose numbers or quoted formulations are absent from the passages
they cite are removed (and reported), unmarked sentences are attached to the
passage that supports them or dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from policyqa.sparse import formulations
from policyqa.textnorm import normalize_for_index

MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\]")
T = TypeVar("T")
ASIDE = re.compile(r"[(（][^()（）]{0,20}[)）]")
"""A short aside in brackets: "机关党委(总支、支部)书记" reads as 机关党委书记 without it."""
_SENT_END = "。！？!?；;"
_CLOSERS = "”’」』）)】"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
CN_COUNT = re.compile(r"[零一二两三四五六七八九十百千万]+(?:次|个|项|条|组|名|种|类|方面|批|件|期|届|级|章|节|年|月|天|日)")
QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,40})[”\"」』》]")


def norm(text: str) -> str:
    """Loose form for containment checks: simplified, half-width, brackets unified, no spaces."""
    t = normalize_for_index(text)
    t = t.translate(_LOOSE)
    return re.sub(r"\s+", "", t)


_LOOSE = str.maketrans("（），：；“”‘’《》〈〉", "(),:;\"\"''<><>")


def split_sentences(text: str) -> list[str]:
    """Split Chinese text after sentence ends, keeping closing quotes and following [n] markers."""
    out: list[str] = []
    buf = ""
    i = 0
    while i < len(text):
        ch = text[i]
        buf += ch
        i += 1
        if ch in _SENT_END or ch == "\n":
            while i < len(text) and text[i] in _CLOSERS:
                buf += text[i]
                i += 1
            while True:  # markers written after the full stop belong to this sentence
                m = MARKER.match(text, i)
                if not m:
                    break
                buf += m.group(0)
                i = m.end()
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def markers_of(sentence: str) -> list[int]:
    ns: list[int] = []
    for m in MARKER.finditer(sentence):
        ns += [int(x) for x in re.split(r"[,，、]", m.group(1))]
    return ns


def renumber(text: str, items: list[T]) -> tuple[str, list[T]]:
    """Markers renumbered 1..n in order of first use (items cited first, the rest after, in their order).

    Users read [1], [2], [3] under an answer; a plan or a model citing passages 1, 6 and 3 of the
    retrieved list would otherwise show gaps and jumps."""
    order: list[int] = []
    for n in markers_of(text):
        if 1 <= n <= len(items) and n not in order:
            order.append(n)
    order += [n for n in range(1, len(items) + 1) if n not in order]
    if order == list(range(1, len(items) + 1)):
        return text, items
    new = {old: i for i, old in enumerate(order, 1)}

    def sub(m: re.Match[str]) -> str:
        return re.sub(r"\d+", lambda d: str(new.get(int(d.group(0)), d.group(0))), m.group(0))

    return MARKER.sub(sub, text), [items[n - 1] for n in order]


class MarkerOrder:
    """Numbers citation markers 1..n in order of first use while an answer streams in pieces.

    Text already on screen keeps its numbers; a passage first cited by a later piece gets the next number."""

    def __init__(self, shown_text: str = ""):
        self.shown: dict[int, int] = {}
        self.apply(shown_text)

    def apply(self, piece: str) -> str:
        def sub(m: re.Match[str]) -> str:
            return re.sub(r"\d+", lambda d: str(self.shown.setdefault(int(d.group(0)), len(self.shown) + 1)),
                          m.group(0))

        return MARKER.sub(sub, piece)

    def order(self, items: list[T]) -> list[T]:
        """``items`` (numbered 1.. as written) in shown order, the ones never cited after."""
        first = [n for n, _ in sorted(self.shown.items(), key=lambda kv: kv[1]) if 1 <= n <= len(items)]
        return [items[n - 1] for n in first] + [x for n, x in enumerate(items, 1) if n not in self.shown]


def strip_markers(sentence: str) -> str:
    return MARKER.sub("", sentence).strip()


def facts_missing(sentence: str, passages: list[str]) -> list[str]:
    """Numbers and quoted formulations of ``sentence`` found in none of ``passages``."""
    body = strip_markers(sentence)
    hay = "".join(norm(p) for p in passages)
    missing = []
    for num in NUMBER.findall(body):
        if num not in hay:
            missing.append(num)
    for cn in CN_COUNT.findall(body):
        if norm(cn) not in hay:
            missing.append(cn)
    for q in QUOTED.findall(body):
        if norm(q) not in hay:
            missing.append(f"“{q}”")
    # Fixed formulations must stand in the cited text as written (no "两个拥护" for "两个维护").
    nbody = norm(body)
    for f in formulations():
        if f in nbody and f not in hay and f"“{f}”" not in missing:
            missing.append(f"“{f}”")
    return missing


def _bigrams(text: str) -> set[str]:
    t = norm(strip_markers(text))
    t = re.sub(r"[^\w]", "", t)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's character bigrams found in the passage."""
    s = _bigrams(sentence)
    if not s:
        return 0.0
    return len(s & _bigrams(passage)) / len(s)


def supporting_sentences(claim: str, passage: str, limit: int = 2) -> list[str]:
    """Sentences of ``passage`` that best support ``claim`` (for highlighting)."""
    scored = [(overlap(claim, s), s) for s in split_sentences(passage)]
    scored = [x for x in scored if x[0] >= 0.3]
    scored.sort(key=lambda x: -x[0])
    return [s for _, s in scored[:limit]]


@dataclass
class Verified:
    text: str
    cited: list[int]
    """Passage numbers cited in ``text``, in first-cited order."""
    notices: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def verify_answer(answer: str, passages: dict[int, str], attach_threshold: float = 0.5,
                  titles: dict[int, str] | None = None, min_support: float = 0.3) -> Verified:
    """Apply the grounding rules to a model answer over numbered ``passages``.

    A kept sentence cites only given passages, shares at least ``min_support`` of its character
    bigrams with them, has all its numbers and quoted formulations in them, and is not a mere
    echo of a document title (small models like to answer with the title).
    """
    titles = titles or {}
    answer = re.sub(r"\[(编号|n|N|数字)\]", "", answer)
    if re.match(r"\s*\[\d{1,2}\]", answer):
        # "[1] 句子。[2] 句子。": markers written before their sentences; move each behind it.
        answer = re.sub(r"\[(\d{1,2})\]\s*([^\[\]]+)", lambda m: m.group(2).rstrip() + f"[{m.group(1)}]", answer)
    kept: list[str] = []
    cited: list[int] = []
    notices: list[str] = []
    dropped: list[str] = []
    unknown = 0
    recited = 0
    for sent in split_sentences(answer):
        ns = markers_of(sent)
        valid = [n for n in dict.fromkeys(ns) if n in passages]
        unknown += len(ns) - len([n for n in ns if n in passages])
        body = strip_markers(sent)
        if not re.search(r"[\w\u4e00-\u9fff]", body):
            continue
        if not valid:
            # Unmarked claim: attach the passage that supports it, if one clearly does.
            best = clear_support(body, passages, attach_threshold)
            if best is not None:
                valid = [best]
            else:
                dropped.append(body)
                continue
        if any(overlap(body, titles.get(n, "")) >= 0.8 for n in valid) or \
                any(body == strip_markers(k) for k in kept):
            continue  # a title echo or a repeated sentence says nothing
        if overlap(body, "".join(passages[n] for n in valid)) < min_support:
            # Mis-cited (small models do this): re-cite to the passage that clearly says it, else drop.
            best = clear_support(body, passages, attach_threshold)
            if best is not None:
                valid = [best]
                recited += 1
            else:
                dropped.append(body)
                continue
        missing = facts_missing(body, [passages[n] for n in valid])
        if missing:
            dropped.append(body)
            notices.append(f"已删去一句无法在所引段落中核实的内容（{ '、'.join(missing[:3]) }）。")
            continue
        kept.append(with_markers(body, valid))
        cited += [n for n in valid if n not in cited]
    if unknown:
        notices.append(f"已去除 {unknown} 个不存在的引用编号。")
    if recited:
        notices.append(f"已更正 {recited} 处引用编号，使其指向真正包含该内容的段落。")
    return Verified(text="".join(kept), cited=cited, notices=notices, dropped=dropped)


def clear_support(body: str, passages: dict[int, str], threshold: float) -> int | None:
    """The passage sharing most of ``body``'s bigrams, if it shares at least ``threshold``."""
    best = max(passages, key=lambda n: overlap(body, passages[n]), default=None)
    return best if best is not None and overlap(body, passages[best]) >= threshold else None


def with_markers(body: str, ns: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in ns)
    if body and body[-1] in _SENT_END + _CLOSERS:
        return body + marks
    return body + "。" + marks
