"""Query understanding for statute lookup: everyday words → statute wording, which law, which article.

Built from consultation questions paired with the statute articles that answer them (LeCoQA's
train split; never a test split) and from the store's own document titles:

- :class:`TermDictionary`: question word → statute words that co-occur with it in the gold
  articles far more often than chance (爱人 → 配偶, 老板 → 用人单位 …), added to the BM25 query
  at a lower weight.
- :class:`LawPrior`: naive Bayes over question words → the law a question belongs to
  (劳动合同法, 民法典 …), a soft prior for the reranker.
- :class:`CaseMemory`: the train questions' e5 vectors and the keys of their gold articles; the
  articles answering the nearest past questions are candidates and a reranker feature.

:class:`Knowledge` bundles the three; :func:`load_knowledge` reads them from
``policyqa/resources/lecoqa/`` (written by ``bench/lecoqa.py --write-resources``).
"""
from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from policyqa import sparse

RESOURCE_DIR = Path(__file__).resolve().parents[1] / "policyqa" / "resources" / "lecoqa"

_WS = re.compile(r"\s+")
_NUM = "零〇一二三四五六七八九十百千万两0-9"
ARTICLE = re.compile(rf"第[{_NUM}]+条(之[{_NUM}]+)?")
"""An article number (第九百六十七条, 第十条之一)."""
_LAW_OF_GOLD = re.compile(rf"^(.*?)第[{_NUM}]+条")
KEY_CHARS = 16
"""Characters of an article's normalised text (after its number) that identify it."""


def norm(text: str) -> str:
    """NFKC, no whitespace: the form article texts are compared in."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def law_name(title: str) -> str:
    """A law's short name: ``中华人民共和国民法典第九百六十七条`` / ``《中华人民共和国民法典》`` → ``民法典``."""
    t = norm(title).strip("《》")
    m = _LAW_OF_GOLD.match(t)
    if m:
        t = m.group(1)
    t = re.sub(r"[(（][^)）]*[)）]$", "", t)  # (2021修正) …
    for prefix in ("中华人民共和国", "中國人民共和國"):
        if t.startswith(prefix):
            t = t[len(prefix):]
    return t.strip("《》")


def article_key(text: str) -> str:
    """Key of one article's body text (its first :data:`KEY_CHARS` characters, number removed)."""
    t = norm(text)
    m = ARTICLE.match(t)
    if m:
        t = t[m.end():]
    return t[:KEY_CHARS]


def passage_keys(text: str) -> set[str]:
    """Keys of the articles that start inside a passage (and of its opening text)."""
    t = norm(text)
    keys = {t[:KEY_CHARS]}
    for m in ARTICLE.finditer(t):
        keys.add(t[m.end():m.end() + KEY_CHARS])
    keys.discard("")
    return keys


def question_tokens(question: str) -> list[str]:
    return list(dict.fromkeys(sparse.tokenize(question)))


# -- term dictionary ---------------------------------------------------------------
@dataclass
class TermDictionary:
    """Question word → [(statute word, weight)]."""

    expansions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, pairs: Iterable[tuple[Sequence[str], Sequence[str]]], min_pair: int = 2, min_lift: float = 4.0,
              per_term: int = 4) -> TermDictionary:
        """``pairs``: (question tokens, gold-article tokens) per question.

        Keeps statute words that co-occur with a question word in ≥ ``min_pair`` questions, are
        ≥ ``min_lift`` times likelier with it than without, and are not in the question already."""
        n = 0
        q_count: Counter = Counter()
        a_count: Counter = Counter()
        qa: Counter = Counter()
        for qt, at in pairs:
            qs, as_ = set(qt), set(at)
            n += 1
            q_count.update(qs)
            a_count.update(as_)
            qa.update((q, a) for q in qs for a in as_ - qs)
        by_q: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (q, a), c in qa.items():
            if c < min_pair or len(a) < 2:
                continue
            lift = (c / q_count[q]) / (a_count[a] / n)
            if lift < min_lift:
                continue
            by_q[q].append((a, round((c / q_count[q]) * min(1.0, math.log(lift) / math.log(50)), 4)))
        return cls({q: sorted(v, key=lambda x: (-x[1], x[0]))[:per_term] for q, v in by_q.items()})  # ties: by word

    def expand(self, tokens: Sequence[str], max_terms: int = 12) -> dict[str, float]:
        """Statute words for ``tokens`` (not among them), with weights in (0, 1]."""
        out: dict[str, float] = {}
        have = set(tokens)
        for t in tokens:
            for a, w in self.expansions.get(t, ()):
                if a not in have:
                    out[a] = max(out.get(a, 0.0), w)
        return dict(sorted(out.items(), key=lambda x: -x[1])[:max_terms])

    def to_tsv(self) -> str:
        return "".join(f"{q}\t{' '.join(f'{a}:{w}' for a, w in v)}\n" for q, v in sorted(self.expansions.items()))

    @classmethod
    def from_tsv(cls, text: str) -> TermDictionary:
        exp = {}
        for line in text.splitlines():
            if "\t" not in line:
                continue
            q, rest = line.split("\t", 1)
            exp[q] = [(a, float(w)) for a, w in (x.rsplit(":", 1) for x in rest.split())]
        return cls(exp)


def sparse_query(tokens: Sequence[str], expansion: dict[str, float], weight: float = 0.5) -> tuple[list[int], list[float]]:
    """A BM25 query vector: the question's own tokens at 1.0, statute words at ``weight`` × theirs."""
    vec: dict[int, float] = {}
    for t in tokens:
        vec[sparse.token_id(t)] = 1.0
    for a, w in expansion.items():
        i = sparse.token_id(a)
        vec[i] = max(vec.get(i, 0.0), weight * w)
    ids = sorted(vec)
    return ids, [vec[i] for i in ids]


# -- law prior ---------------------------------------------------------------------
@dataclass
class LawPrior:
    """Multinomial naive Bayes: question tokens → law short name."""

    law_counts: dict[str, int] = field(default_factory=dict)
    token_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """law → token → questions of that law with the token."""

    @classmethod
    def build(cls, items: Iterable[tuple[Sequence[str], Sequence[str]]]) -> LawPrior:
        """``items``: (question tokens, law names of its gold articles)."""
        lc: Counter = Counter()
        tc: dict[str, Counter] = defaultdict(Counter)
        for toks, laws in items:
            for law in set(laws):
                lc[law] += 1
                tc[law].update(set(toks))
        return cls(dict(lc), {k: dict(v) for k, v in tc.items()})

    @functools.cached_property
    def _stats(self) -> tuple[int, set[str], dict[str, int]]:
        vocab = {t for c in self.token_counts.values() for t in c}
        return (sum(self.law_counts.values()), vocab,
                {law: sum(c.values()) for law, c in self.token_counts.items()})

    def scores(self, tokens: Sequence[str], alpha: float = 0.5) -> dict[str, float]:
        """Posterior probability of each known law for a question (multinomial, add-``alpha``)."""
        if not self.law_counts:
            return {}
        total, vocab, sums = self._stats
        toks = [t for t in set(tokens) if t in vocab]
        logp = {}
        for law, n in self.law_counts.items():
            tc = self.token_counts.get(law, {})
            denom = sums.get(law, 0) + alpha * len(vocab)
            logp[law] = math.log(n / total) + sum(math.log((tc.get(t, 0) + alpha) / denom) for t in toks)
        m = max(logp.values())
        z = sum(math.exp(v - m) for v in logp.values())
        return {law: math.exp(v - m) / z for law, v in logp.items()}

    def to_json(self) -> dict:
        return {"law_counts": self.law_counts, "token_counts": self.token_counts}


# -- case memory -------------------------------------------------------------------
@dataclass
class CaseMemory:
    """Past questions (unit e5 vectors) and the article keys / texts that answered them."""

    vectors: np.ndarray
    keys: list[list[str]]
    texts: list[list[str]]

    def neighbours(self, qvec: np.ndarray, k: int = 5, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        if not len(self.keys):
            return []
        sims = self.vectors @ np.asarray(qvec, dtype=np.float32)
        if mask is not None:
            sims = np.where(mask, sims, -1.0)
        top = np.argsort(-sims)[:k]
        return [(int(i), float(sims[i])) for i in top if sims[i] > -1.0]


@dataclass
class Knowledge:
    terms: TermDictionary
    prior: LawPrior
    memory: CaseMemory
    popularity: dict[str, int] = field(default_factory=dict)
    """Article key → number of past questions it answered."""


def build_knowledge(questions: Sequence[dict], vectors: np.ndarray | None) -> Knowledge:
    """From LeCoQA-format items (``问题``, ``相关法规``); ``vectors``: their e5 query vectors (or None)."""
    pairs, laws, keys, texts = [], [], [], []
    pop: Counter = Counter()
    for q in questions:
        qt = question_tokens(q["问题"])
        golds = [(name, t) for name, t in q["相关法规"].items() if norm(t)]
        at = [tok for _, t in golds for tok in sparse.tokenize(t)]
        pairs.append((qt, at))
        laws.append((qt, [law_name(name) for name, _ in golds]))
        ks = [article_key(t) for _, t in golds]
        keys.append(ks)
        texts.append([norm(t) for _, t in golds])
        pop.update(set(ks))
    vec = np.zeros((len(questions), 384), np.float32) if vectors is None else np.asarray(vectors, np.float32)
    return Knowledge(TermDictionary.build(pairs), LawPrior.build(laws), CaseMemory(vec, keys, texts), dict(pop))


def save_knowledge(kn: Knowledge, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "terms.tsv").write_text(kn.terms.to_tsv(), encoding="utf-8")
    (directory / "law_prior.json").write_text(json.dumps(kn.prior.to_json(), ensure_ascii=False), encoding="utf-8")
    (directory / "memory.json").write_text(json.dumps({"keys": kn.memory.keys, "texts": kn.memory.texts},
                                                      ensure_ascii=False), encoding="utf-8")
    np.save(directory / "memory_vectors.npy", kn.memory.vectors.astype(np.float16))


@functools.lru_cache(maxsize=2)
def load_knowledge(directory: str = str(RESOURCE_DIR)) -> Knowledge:
    d = Path(directory)
    terms = TermDictionary.from_tsv((d / "terms.tsv").read_text(encoding="utf-8"))
    pj = json.loads((d / "law_prior.json").read_text(encoding="utf-8"))
    mj = json.loads((d / "memory.json").read_text(encoding="utf-8"))
    vec = np.load(d / "memory_vectors.npy").astype(np.float32)
    pop: Counter = Counter()
    for ks in mj["keys"]:
        pop.update(set(ks))
    return Knowledge(terms, LawPrior(pj["law_counts"], pj["token_counts"]), CaseMemory(vec, mj["keys"], mj["texts"]),
                     dict(pop))


# -- defined terms of the corpus -----------------------------------------------------
DEFINITION = re.compile(r"本(?:法|条例|规定|办法|解释|细则|决定)所称(?:的)?([^，,。；;：:“”\"\s]{2,15}?)[，,]?(?:是指|指)"
                        r"([^。；;]{4,60})")
"""本法所称国家工作人员，是指国家机关中从事公务的人员 → (国家工作人员, 国家机关中从事公务的人员).
Matched on NFKC text, where ，；： are , ; :."""


def definitions_in(text: str) -> list[tuple[str, str]]:
    """The (term, definition) pairs a statute text states."""
    return [(m.group(1), m.group(2)) for m in DEFINITION.finditer(norm(text))]


@dataclass
class Definitions:
    """Defined terms of the corpus, found from the words of their definitions."""

    entries: list[tuple[str, tuple[str, ...]]]
    """(term, tokens of its definition)."""

    @functools.cached_property
    def _index(self) -> tuple[dict[str, list[int]], dict[str, float]]:
        inv: dict[str, list[int]] = defaultdict(list)
        for i, (_, toks) in enumerate(self.entries):
            for t in set(toks):
                inv[t].append(i)
        n = len(self.entries) or 1
        return dict(inv), {t: math.log(1 + n / len(ids)) for t, ids in inv.items()}

    def expand(self, tokens: Sequence[str], min_shared: int = 2, min_share: float = 0.35,
               max_terms: int = 3) -> dict[str, float]:
        """Tokens of the terms whose definitions share ≥ ``min_shared`` words and ≥ ``min_share`` of their
        IDF mass with the question; weight = that share."""
        inv, idf = self._index
        shared: dict[int, list[str]] = defaultdict(list)
        for t in set(tokens):
            if len(t) >= 2:
                for i in inv.get(t, ()):
                    shared[i].append(t)
        scored = []
        for i, ts in shared.items():
            if len(ts) < min_shared:
                continue
            total = sum(idf[t] for t in set(self.entries[i][1]))
            share = sum(idf[t] for t in ts) / total if total else 0.0
            if share >= min_share:
                scored.append((share, self.entries[i][0]))
        out: dict[str, float] = {}
        have = set(tokens)
        for share, term in sorted(scored, reverse=True)[:max_terms]:
            for t in sparse.tokenize(term):
                if t not in have:
                    out[t] = max(out.get(t, 0.0), min(1.0, share))
        return out

    def to_tsv(self) -> str:
        return "".join(f"{term}\t{' '.join(toks)}\n" for term, toks in self.entries)

    @classmethod
    def from_tsv(cls, text: str) -> Definitions:
        return cls([(a, tuple(b.split())) for a, b in (line.split("\t", 1) for line in text.splitlines() if "\t" in line)])

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Definitions:
        seen: dict[str, tuple[str, ...]] = {}
        for text in texts:
            for term, definition in definitions_in(text):
                toks = tuple(dict.fromkeys(t for t in sparse.tokenize(definition) if len(t) >= 2))
                if toks and term not in seen:
                    seen[term] = toks
        return cls(sorted(seen.items()))
