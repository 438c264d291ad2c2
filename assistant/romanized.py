"""Chinese names written in pinyin inside English questions ("You Jinxia", "Chutian Zhuren", "Cai Qi").

No glossary can list every author, periodical or place; the library itself names them. A romanized name
is matched, syllables joined and toneless, against the pinyin of every 2–6 character span of the texts
the question already reaches (document titles, authors, sources and the passages nearest the English
question): the span that reads the same is the name in Chinese. The span must stand as a name (a record's
author or source, 《…》, or a word jieba tags as a name in its sentence). A name the library does not hold stays
unresolved, so an English question about someone the texts never mention is still refused.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

MIN_LETTERS = 4
"""Shorter runs ("Li", "Xi") read as too many things to be resolved by sound alone."""
SPAN = (2, 6)


def _letters(run: str) -> str:
    """'Lü Heshun' / 'Lyu Heshun' / 'Lu Heshun' → 'luheshun'."""
    s = re.sub(r"\blyu", "lu", run.lower().replace("ü", "u"))
    return re.sub(r"[^a-z]", "", s)


@functools.lru_cache(maxsize=4096)
def _syllables(chunk: str) -> tuple[str, ...]:
    """Toneless pinyin per character of an all-Han ``chunk`` (ü as u: 吕 → lu)."""
    from pypinyin import lazy_pinyin

    return tuple(p.replace("v", "u") for p in lazy_pinyin(chunk))


_RUN = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-zü]+(?:[\s-]+[A-Z][a-zü]+){0,2})\b")


def runs(question: str) -> list[str]:
    """Capitalised words mid-sentence, adjacent ones joined: the names an English question may spell in pinyin."""
    return list(dict.fromkeys(m.group(1) for m in _RUN.finditer(question.strip())))


_NAME_FLAGS = ("nr", "ns", "nt", "nz")


def _is_name(span: str, chunk: str, text: str) -> bool:
    """The span stands as a name: inside 《》, or one word jieba tags as a person, place, organ or proper noun
    in its sentence (so "Li Xi" does not become 利息 of some article)."""
    if f"《{span}》" in text or re.search(rf"[:：]\s*{span}", text):
        return True
    from .names import pos_tagger

    return any(w.word == span and w.flag.startswith(_NAME_FLAGS) for w in pos_tagger().cut(chunk))


@functools.lru_cache(maxsize=1)
def _valid_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (read off pypinyin's readings of the common CJK block, once)."""
    from pypinyin import lazy_pinyin

    return frozenset(p.replace("v", "u") for p in lazy_pinyin([chr(c) for c in range(0x4E00, 0x9FA6)]))


def reads_as_pinyin(run: str) -> bool:
    """Two or three capitalised words that each split into pinyin syllables ("Li Qiang", "Wang Huning"): a Chinese
    person's name, not English words ("Party Building")."""
    words = run.split()
    if not 2 <= len(words) <= 3:
        return False
    valid = _valid_syllables()

    def splits(w: str) -> bool:
        ok = [True] + [False] * len(w)
        for i in range(1, len(w) + 1):
            ok[i] = any(ok[j] and w[j:i] in valid for j in range(max(0, i - 6), i))
        return ok[-1]

    return all(splits(_letters(w)) for w in words)


def resolve(runs: Iterable[str], texts: Iterable[str], records: Iterable[str] = ()) -> dict[str, str]:
    """Each romanized run → the Chinese span that reads the same: a whole field of the document ``records``
    (author, source) or a name in ``texts``."""
    wanted: dict[str, list[str]] = {}
    for r in runs:
        if len(_letters(r)) >= MIN_LETTERS:
            wanted.setdefault(_letters(r), []).append(r)
    spans: dict[str, str] = {}  # letters → Chinese
    if not wanted:
        return {}
    longest = max(map(len, wanted))
    for field in records:
        key = _letters("".join(_syllables(field))) if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", field) else ""
        if key in wanted:
            spans.setdefault(key, field)
    for text in texts:
        if len(spans) == len(wanted):
            break
        for chunk in re.findall(r"[\u4e00-\u9fff]{2,}", text):
            syl = _syllables(chunk)
            for i in range(len(chunk)):
                joined = ""
                for j in range(i, min(len(chunk), i + SPAN[1])):
                    joined += syl[j]
                    if (j - i + 1 >= SPAN[0] and joined in wanted and joined not in spans
                            and _is_name(chunk[i:j + 1], chunk, text)):
                        spans[joined] = chunk[i:j + 1]
                    if len(joined) > longest:
                        break
    return {r: spans[key] for key, rs in wanted.items() if key in spans for r in rs}
