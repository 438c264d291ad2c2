"""Text normalisation for indexing (never for display).

Stray traditional characters in captured web text (橫, 單 in the 两项机制
article) and full-width ASCII would otherwise split the vocabulary of both
the BM25 index and the embedder. We map character by character so that the
mapping is fast (``str.translate``) and cannot shift anything unexpectedly;
phrase-level conversions (zhconv's full converter) are not needed for search.
"""
from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    from zhconv import zhconv as _z

    table: dict[int, str] = {}
    for src, dst in _z.getdict("zh-hans").items():
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table[ord(src)] = dst
    # Full-width ASCII letters/digits/punctuation → half-width; ideographic space → space.
    for cp in range(0xFF01, 0xFF5F):
        ch = chr(cp)
        half = unicodedata.normalize("NFKC", ch)
        if half.isalnum() and len(half) == 1:
            table[cp] = half
    table[0x3000] = " "
    return table


def normalize_for_index(text: str) -> str:
    """Simplified characters, half-width alphanumerics; same length as the input."""
    return text.translate(_table())
