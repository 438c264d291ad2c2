"""BM25 sparse vectors over jieba tokens, stored in Qdrant with the IDF modifier.

Qdrant computes IDF over the collection at query time; we store the
term-frequency half of BM25 for each passage and a 1.0 per query term. We
tokenise with jieba ourselves (rather than Qdrant's built-in BM25 tokenizer)
because the jieba user dictionary keeps fixed political formulations
(两个确立, 全面从严治党 …) as single terms, and search-mode segmentation also
indexes their parts.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import zlib
from collections import Counter
from pathlib import Path

from .textnorm import normalize_for_index

K1 = 1.2
B = 0.75
AVG_LEN = 160.0
"""Assumed average passage length in tokens (search-mode tokens of a ~320-char passage)."""
VERSION = "bm25-jieba-1"
"""Changes to tokenisation or weighting must bump this: it is part of every content hash."""

_BUNDLED_DICT = Path(__file__).parent / "resources" / "userdict.txt"
_STOPWORDS = set(
    "的 了 和 与 及 以及 或 是 在 为 对 于 把 被 将 等 之 其 这 那 有 也 都 就 并 而 又 从 以 向 由 上 中 下 个 "
    "我们 你们 他们 它们 我 你 他 她 它 一 一个 一些 这个 那个 这些 那些 什么 怎么 如何 哪些 吗 呢 吧 啊 "
    "the a an of to and or in on for is are was were be how what which do does".split()
)
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)

_lock = threading.Lock()
_tokenizer = None
_tokenizer_key: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def formulations() -> tuple[str, ...]:
    """The fixed political formulations of the bundled dictionary (two characters or more)."""
    words = [line.split()[0] for line in _BUNDLED_DICT.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(w for w in words if len(w) >= 2)


def _get_tokenizer(extra_dicts: tuple[str, ...] = ()):
    global _tokenizer, _tokenizer_key
    with _lock:
        if _tokenizer is None or _tokenizer_key != extra_dicts:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            tok.load_userdict(str(_BUNDLED_DICT))
            for d in extra_dicts:
                if d and Path(d).is_file():
                    tok.load_userdict(d)
            _tokenizer, _tokenizer_key = tok, extra_dicts
        return _tokenizer


def tokenize(text: str, extra_dicts: tuple[str, ...] = ()) -> list[str]:
    """Search-mode jieba tokens of normalised text, stopwords and punctuation removed."""
    tok = _get_tokenizer(extra_dicts)
    out = []
    for t in tok.cut_for_search(normalize_for_index(text).lower()):
        t = t.strip()
        if not t or t in _STOPWORDS or not _TOKEN_OK.search(t):
            continue
        out.append(t)
    return out


def token_id(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & 0x7FFFFFFF


def _merge(counts: Counter) -> dict[int, float]:
    merged: dict[int, float] = {}
    for t, c in counts.items():
        i = token_id(t)
        merged[i] = merged.get(i, 0.0) + c
    return merged


def doc_vector(text: str, extra_dicts: tuple[str, ...] = ()) -> tuple[list[int], list[float]]:
    """BM25 term-frequency weights of a passage (IDF is applied by Qdrant)."""
    tokens = tokenize(text, extra_dicts)
    if not tokens:
        return [], []
    tf = _merge(Counter(tokens))
    norm = K1 * (1 - B + B * len(tokens) / AVG_LEN)
    idx = sorted(tf)
    return idx, [tf[i] * (K1 + 1) / (tf[i] + norm) for i in idx]


def query_vector(text: str, extra_dicts: tuple[str, ...] = ()) -> tuple[list[int], list[float]]:
    """One weight per distinct query term."""
    ids = sorted({token_id(t) for t in tokenize(text, extra_dicts)})
    return ids, [1.0] * len(ids)
