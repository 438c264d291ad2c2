"""How near each candidate sentence is to the question in meaning, by the library's own embedder.

Sentence scoring (:func:`.extractive.score_sentences`) counts the question's words in a sentence. A question put
in everyday words ("让老百姓说得上话的地方都有哪几种站点") or translated from English by the glossary shares
few words with the sentence that answers it, though the multilingual embedder (e5) places the two near each
other. The similarity is given to the scorer as a z-score among the candidates of one answer, so that it ranks
sentences without depending on the model's absolute cosine scale.

Sentence vectors are cached by text: a chat comes back to the same passages, and the outline and quiz read the
same library.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np

from policyqa.embedders import Embedder

log = logging.getLogger(__name__)

CACHE_SIZE = 20_000
"""Sentence vectors kept (384 floats each: about 30 MB)."""
Z_FLOOR, Z_CEIL = -1.0, 2.5
"""A sentence's z-score is clipped: far below the rest is no worse than "unrelated", far above no surer."""


_CACHES: dict[str, tuple[OrderedDict[str, np.ndarray], threading.Lock]] = {}
_CACHES_LOCK = threading.Lock()


class SentenceSimilarity:
    """Cosine similarity of sentences to a question, z-scored among the sentences of one answer."""

    def __init__(self, embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        # one cache per embedder for the whole process: the app's engine, the eval and the outline share it
        with _CACHES_LOCK:
            self._cache, self._lock = _CACHES.setdefault(embedder.name, (OrderedDict(), threading.Lock()))

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        # Embedding happens under the lock: sessions asking at once wait for one computation instead of each
        # embedding the same sentences (20 sessions' first questions would cost 20 times the CPU).
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                for t, v in zip(missing, self.embedder.embed_passages(missing)):
                    self._cache[t] = v
            for t in texts:
                self._cache.move_to_end(t)
            out = np.stack([self._cache[t] for t in texts])
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return out

    def scores(self, questions: Iterable[str], sentences: Sequence[str]) -> dict[str, float]:
        """Sentence → z-score of its best cosine to any of ``questions`` (the question as asked and as rewritten);
        empty when there are too few sentences to compare."""
        sents = list(dict.fromkeys(s for s in sentences if s.strip()))
        qs = [q for q in dict.fromkeys(questions) if q.strip()]
        if len(sents) < 3 or not qs:
            return {}
        try:
            sv = self._vectors(sents)
            qv = self.embedder.embed_queries(qs)
        except Exception as exc:  # the answer stands on its words alone
            log.warning("句子语义相似度计算失败，仅按词语匹配排序：%s", exc)
            return {}
        cos = (sv @ qv.T).max(axis=1)
        sd = float(cos.std())
        if sd < 1e-6:
            return {}
        z = np.clip((cos - float(cos.mean())) / sd, Z_FLOOR, Z_CEIL)
        return {s: float(v) for s, v in zip(sents, z)}
