"""新旧对照: align the articles of two revisions of a regulation and mark what changed.

The core is pure (text in, typed records out): :func:`parse_articles` cuts a text into its 第X条
articles, :func:`align` pairs the articles of two revisions by content, :func:`compare_texts`
classifies every pair and computes the character-level differences. The functions at the end
(:func:`load_comparison` and helpers) only *read* an already open store to find the revisions of a
work and rebuild their texts from the stored passages; nothing here opens a store or imports ingest.

Alignment (articles are renumbered between revisions, so numbers are never used to pair them):

1. Each article's body (without its 第X条 label, whitespace removed) is a set of character bigrams;
   similarity is the Dice coefficient of two sets, computed for all pairs at once.
2. Backbone: the order-preserving one-to-one pairing with the largest total similarity (dynamic
   programming, like a sequence alignment), pairs below :data:`PAIR_MIN` not allowed.
3. Moved articles: left-over articles are paired greedily when clearly the same text
   (similarity ≥ :data:`MOVE_MIN`) although out of order; such rows are noted “位置调整”.
4. Split and merged articles (the known hard case). An unpaired new article next to a row joins that
   row when most of what the row's old text still lacks (the old bigrams none of the row's new articles
   contain) reappears in it — one old article split into several new ones; symmetrically an unpaired
   old article next to a row joins it when its content is mostly the row's unexplained new text — several
   old articles merged into one. Such a row holds several articles on one side, is 修改, and is noted
   “拆分为…”/“合并为…”. Whatever is not absorbed this way stays 新增 / 删除.

Rows follow the new text's order; a deleted article is placed after the row of the old article before it.

Counting (the summary line): 新增, 修改 and 未修改 count articles of the new text (so that they add up to
its number of articles), 删除 counts articles of the old text.
"""
from __future__ import annotations

import difflib
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from policyqa.types import DocumentMeta

if TYPE_CHECKING:
    from policyqa.store.base import Store

__all__ = [
    "KINDS", "Article", "ArticlePair", "ChangeItem", "CompareError", "Comparison", "DiffSegment", "Revision",
    "align", "change_items", "changes_answer", "compare_revisions", "compare_texts", "document_text",
    "load_comparison", "parse_articles", "pick_revisions", "resolve_work", "revision_of", "work_key",
    "work_revisions", "works_with_revisions",
]

ChangeKind = Literal["新增", "删除", "修改", "未修改"]
KINDS: tuple[ChangeKind, ...] = ("新增", "删除", "修改", "未修改")
DiffOp = Literal["equal", "insert", "delete"]

PAIR_MIN = 0.35
"""Least bigram Dice similarity for two articles to pair in the order-preserving backbone; below
:data:`STRONG_MIN` the pair must also share long stretches of text (:data:`RUNS_MIN`)."""
STRONG_MIN = 0.5
"""Similarity from which a pair may form on similarity alone."""
RUN_MIN = 4
"""Length (characters) from which a common stretch of text counts as shared wording."""
RUNS_MIN = 0.6
"""Least share of the shorter article in common stretches for a weakly similar pair (rewritten, not a
neighbour on another subject that happens to use the same legal vocabulary)."""
MOVE_MIN = 0.5
"""Least similarity for pairing two left-over articles out of order (a moved article), with
:data:`MOVE_RUNS_MIN` of shared wording unless the similarity reaches :data:`MOVE_SURE`."""
MOVE_RUNS_MIN = 0.5
MOVE_SURE = 0.65
ABSORB_MIN = 0.5
"""Split/merge: least share of a row's unexplained bigrams that an adjacent unpaired article must hold."""
ABSORB_OWN_MIN = 0.3
"""Split/merge: least share of the adjacent article's own bigrams found in the row's other side."""
ABSORB_RESIDUE_MIN = 6
"""Split/merge: a row whose unexplained remainder is smaller than this many bigrams absorbs nothing."""


class CompareError(ValueError):
    """Why a comparison cannot be made, in Chinese, one line (shown to the user as is)."""


# -- records -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Article:
    """One 第X条 article of a text, with all its paragraphs."""

    label: str
    """``第四十一条`` (or ``第十条之一``) as printed."""
    number: int
    """The article number as an integer (41); 0 when it cannot be read."""
    text: str
    """The article as printed: label, body and following paragraphs joined by ``\\n``."""
    chapter: str = ""
    """Heading(s) above the article (``第五章 监察程序``, ``… › 第一节 …``), spaces normalised; empty if none."""
    start: int = 0
    """Offset of the article in the text it was parsed from (the stored document text)."""
    end: int = 0

    @property
    def body(self) -> str:
        """The text without its label."""
        return self.text[len(self.label):].strip(" \u3000")


@dataclass(frozen=True)
class DiffSegment:
    """A run of the character-level difference: ``equal`` (both), ``delete`` (old only), ``insert`` (new only)."""

    op: DiffOp
    text: str


@dataclass
class ArticlePair:
    """One row of the 新旧对照表: old article(s) on the left, new article(s) on the right."""

    kind: ChangeKind
    old: tuple[Article, ...] = ()
    """Empty for 新增; several for a merge."""
    new: tuple[Article, ...] = ()
    """Empty for 删除; several for a split."""
    segments: tuple[DiffSegment, ...] = ()
    """The row's text as differences: the body of the first article then the following articles in full.
    新增 is one insert, 删除 one delete, 未修改 one equal segment."""
    similarity: float = 0.0
    """Bigram Dice similarity of the two sides (0 for 新增/删除)."""
    moved: bool = False
    """Paired out of order (位置调整)."""
    note: str = ""
    """Chinese note on the row: 条文序号变化, 位置调整, 拆分/合并."""

    @property
    def renumbered(self) -> bool:
        """Both sides present and the article numbers differ (条文序号变化)."""
        return bool(self.old and self.new) and [a.label for a in self.old] != [a.label for a in self.new]

    @property
    def old_label(self) -> str:
        return "、".join(a.label for a in self.old)

    @property
    def new_label(self) -> str:
        return "、".join(a.label for a in self.new)

    def old_side(self) -> list[DiffSegment]:
        """Segments shown in the 修订前 column (equal and deleted text)."""
        return [s for s in self.segments if s.op != "insert"]

    def new_side(self) -> list[DiffSegment]:
        """Segments shown in the 修订后 column (equal and inserted text)."""
        return [s for s in self.segments if s.op != "delete"]

    @property
    def inserted(self) -> list[str]:
        """Inserted runs of text (at least one visible character), in order."""
        return [s.text for s in self.segments if s.op == "insert" and s.text.strip()]

    @property
    def deleted(self) -> list[str]:
        return [s.text for s in self.segments if s.op == "delete" and s.text.strip()]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": [asdict(a) for a in self.old], "new": [asdict(a) for a in self.new],
                "old_label": self.old_label, "new_label": self.new_label, "renumbered": self.renumbered,
                "moved": self.moved, "note": self.note, "similarity": round(self.similarity, 3),
                "segments": [[s.op, s.text] for s in self.segments]}


@dataclass
class Revision:
    """One revision of a work: a stored document and the date and version label of its text."""

    doc_id: str
    title: str
    work: str
    date: str = ""
    """ISO date of this text (its latest revision act)."""
    version: str = ""
    """``2024年12月25日修正``; the date as printed when no act is named."""
    status: str = ""
    text: str = field(default="", repr=False)
    """The document text (rebuilt from the stored passages); not part of :meth:`to_dict`."""

    @property
    def label(self) -> str:
        return self.version or self.date or self.doc_id

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title, "work": self.work, "date": self.date,
                "version": self.version, "status": self.status, "label": self.label}


@dataclass
class Comparison:
    """Two revisions of a work, article by article, in the new text's order."""

    work: str
    old: Revision
    new: Revision
    pairs: list[ArticlePair]
    n_old_articles: int
    n_new_articles: int
    seconds: float = 0.0

    def rows(self, kind: ChangeKind) -> list[ArticlePair]:
        return [p for p in self.pairs if p.kind == kind]

    @property
    def n_added(self) -> int:
        return sum(len(p.new) for p in self.rows("新增"))

    @property
    def n_deleted(self) -> int:
        return sum(len(p.old) for p in self.rows("删除"))

    @property
    def n_modified(self) -> int:
        return sum(len(p.new) for p in self.rows("修改"))

    @property
    def n_unchanged(self) -> int:
        return sum(len(p.new) for p in self.rows("未修改"))

    @property
    def n_renumbered(self) -> int:
        """Unchanged articles whose number changed."""
        return sum(1 for p in self.rows("未修改") if p.renumbered)

    def counts(self) -> dict[str, int]:
        return {"新增": self.n_added, "删除": self.n_deleted, "修改": self.n_modified, "未修改": self.n_unchanged,
                "序号变化": self.n_renumbered}

    def summary(self) -> str:
        """``监察法：2018年3月20日通过 → 2024年12月25日修正，新增 N 条，删除 N 条，修改 N 条，未修改 N 条（其中序号变化 N 条）``"""
        return (f"{self.work or self.new.title}：{self.old.label} → {self.new.label}，新增 {self.n_added} 条，删除 {self.n_deleted} 条，"
                f"修改 {self.n_modified} 条，未修改 {self.n_unchanged} 条（其中序号变化 {self.n_renumbered} 条）")

    def to_dict(self) -> dict[str, Any]:
        return {"work": self.work, "old": self.old.to_dict(), "new": self.new.to_dict(), "summary": self.summary(),
                "counts": self.counts(), "n_old_articles": self.n_old_articles,
                "n_new_articles": self.n_new_articles, "seconds": round(self.seconds, 3),
                "pairs": [p.to_dict() for p in self.pairs]}


# -- parsing -------------------------------------------------------------------------------------

_CN_NUM = "〇零一二三四五六七八九十百千两"
_ZW = "\u200b\u200c\u200d\u2060\ufeff"
_ARTICLE_RE = re.compile(rf"第([{_CN_NUM}0-9０-９]+)条(之[{_CN_NUM}]+)?(?![的、，,。及与或第至款项中规所])")
_HEADING_RE = re.compile(rf"^#{{0,6}}\s*(第[{_CN_NUM}0-9]+(?:编|章|节|部分))(?![的、，,。及与或第至款项中规所])[\s\u3000]*(.*)$")
_SPACES = re.compile(r"[\s\u3000" + _ZW + r"]+")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(s: str) -> int:
    """``四十一`` → 41, ``一百零二`` → 102, ``41`` → 41; 0 when unreadable."""
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isdigit():
        return int(s)
    total, digit = 0, 0
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            return 0
    return total + digit


def _clean_line(line: str) -> str:
    return line.strip().strip(_ZW).strip()


def _heading_text(line: str) -> str | None:
    """``## 第一章 总 则`` / ``第一章总则`` → ``第一章 总则`` (spaces inside the name dropped); None for other
    lines (a sentence that merely starts with ``第二章`` is not a heading)."""
    m = _HEADING_RE.match(line)
    if not m:
        return None
    head, name = m.group(1), _SPACES.sub("", m.group(2))
    if len(name) > 30 or any(ch in name for ch in "。；，：！？;:!?"):
        return None
    return f"{head} {name}" if name else head


def parse_articles(text: str) -> list[Article]:
    """The 第X条 articles of a text in order.

    An article starts at a line beginning with ``第X条`` (not ``第X条的``/``第X条规定`` … references) and
    runs over the following lines up to the next article or the next 编/章/节 heading; its chapter is the
    heading path above it. Text before the first article (title, revision header) is not an article.
    """
    out: list[Article] = []
    heads: dict[str, str] = {}  # level word → heading, outermost first
    cur: tuple[str, int, str, int] | None = None  # (label, number, chapter, start)
    cur_end = 0
    pos = 0

    def close() -> None:
        nonlocal cur
        if cur is not None:
            label, number, chapter, start = cur
            lines = [_clean_line(ln) for ln in text[start:cur_end].split("\n")]
            body = "\n".join(ln for ln in lines if ln)
            out.append(Article(label=label, number=number, text=body, chapter=chapter, start=start, end=cur_end))
            cur = None

    for raw in text.split("\n"):
        start, pos = pos, pos + len(raw) + 1
        line = _clean_line(raw)
        if not line:
            continue
        head = _heading_text(line)
        if head is not None:
            close()
            level = next(w for w in ("编", "部分", "章", "节") if w in head.split(" ")[0])
            order = ("编", "部分", "章", "节")
            for w in order[order.index(level):]:
                heads.pop(w, None)
            heads[level] = head
            continue
        if line.startswith("#"):  # other Markdown headings (title, annexes) end an article
            close()
            continue
        m = _ARTICLE_RE.match(line)
        if m:
            close()
            label = m.group(0)
            cur = (label, cn_to_int(m.group(1)), " › ".join(heads.values()), start + raw.index(label))
            cur_end = start + len(raw.rstrip())
            continue
        if cur is not None:
            cur_end = start + len(raw.rstrip())
    close()
    return out


# -- similarity and alignment ----------------------------------------------------------------------

_HALF_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


def _width(s: str) -> str:
    """Half-width punctuation as full-width (one character for one: offsets are kept)."""
    return s.translate(_HALF_TO_FULL)


def _norm(s: str) -> str:
    """What is compared: no whitespace, punctuation full-width (``:`` and ``：`` are the same text)."""
    return _width(_SPACES.sub("", s))


def _grams(s: str) -> set[str]:
    s = _norm(s)
    if len(s) < 2:
        return {s} if s else set()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _seq(arts: Sequence[Article]) -> str:
    """The compared text of a row side: the first article's body, then the following articles in full."""
    if not arts:
        return ""
    return "\n".join([arts[0].body, *(a.text for a in arts[1:])])


@dataclass
class _Sim:
    """Bigram statistics of two article lists (old × new)."""

    old_grams: list[set[str]]
    new_grams: list[set[str]]
    dice: np.ndarray
    old_norm: list[str]
    new_norm: list[str]
    _runs: dict[tuple[int, int], float] = field(default_factory=dict)

    @classmethod
    def build(cls, old: Sequence[Article], new: Sequence[Article]) -> _Sim:
        og = [_grams(a.body) for a in old]
        ng = [_grams(a.body) for a in new]
        from scipy.sparse import csr_matrix  # a dependency of sentence-transformers (requirements.lock)

        vocab: dict[str, int] = {}
        coords = [([i for i, g in enumerate(grams) for _ in g],
                   [vocab.setdefault(x, len(vocab)) for g in grams for x in g]) for grams in (og, ng)]
        om, nm = (csr_matrix((np.ones(len(c), dtype=np.float32), (r, c)), shape=(len(grams), max(1, len(vocab))),
                             dtype=np.float32) for (r, c), grams in zip(coords, (og, ng)))
        inter = np.asarray((om @ nm.T).toarray(), dtype=np.float64)
        sizes = np.array([len(g) for g in og], dtype=np.float64)[:, None] + \
            np.array([len(g) for g in ng], dtype=np.float64)[None, :]
        dice = np.where(sizes > 0, 2.0 * inter / np.maximum(sizes, 1.0), 0.0)
        return cls(og, ng, dice, [_norm(a.body) for a in old], [_norm(a.body) for a in new])

    def runs(self, i: int, j: int) -> float:
        """Share of the shorter article lying in stretches of ≥ :data:`RUN_MIN` characters common to both."""
        key = (i, j)
        if key not in self._runs:
            x, y = self.old_norm[i], self.new_norm[j]
            sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
            m = sum(b.size for b in sm.get_matching_blocks() if b.size >= RUN_MIN)
            self._runs[key] = m / max(1, min(len(x), len(y)))
        return self._runs[key]

    def weights(self) -> np.ndarray:
        """Backbone weights: the similarity where a pair may form, else 0 (see :data:`PAIR_MIN`)."""
        w = np.where(self.dice >= STRONG_MIN, self.dice, 0.0)
        for i, j in np.argwhere((self.dice >= PAIR_MIN) & (self.dice < STRONG_MIN)):
            if self.runs(int(i), int(j)) >= RUNS_MIN:
                w[i, j] = self.dice[i, j]
        return w

    def movable(self, i: int, j: int) -> bool:
        """Two left-over articles are the same text although out of order."""
        d = float(self.dice[i, j])
        return d >= MOVE_MIN and (d >= MOVE_SURE or self.runs(i, j) >= MOVE_RUNS_MIN)


def _backbone(w: np.ndarray) -> list[tuple[int, int]]:
    """Order-preserving one-to-one pairs (i, j) maximising the summed weight; pairs of weight 0 excluded."""
    n, m = w.shape
    score = np.zeros((n + 1, m + 1), dtype=np.float64)
    for i in range(1, n + 1):
        prev, row, wi = score[i - 1], score[i], w[i - 1]
        for j in range(1, m + 1):
            best = prev[j] if prev[j] >= row[j - 1] else row[j - 1]
            if wi[j - 1] > 0 and prev[j - 1] + wi[j - 1] > best:
                best = prev[j - 1] + wi[j - 1]
            row[j] = best
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if w[i - 1, j - 1] > 0 and score[i, j] == score[i - 1, j - 1] + w[i - 1, j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i, j] == score[i - 1, j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


@dataclass
class _Row:
    old: list[int]
    new: list[int]
    moved: bool = False
    grouped: str = ""  # "split" | "merge" | "regroup" (both) when articles were absorbed


def align(old: Sequence[Article], new: Sequence[Article]) -> list[ArticlePair]:
    """Pair the articles of two revisions by content and classify each row (see the module docstring)."""
    if not old and not new:
        return []
    sim = _Sim.build(old, new)
    rows: list[_Row] = [_Row([i], [j]) for i, j in _backbone(sim.weights())] if old and new else []
    # moved articles: left-overs that are clearly the same text, best first
    used_o = {i for r in rows for i in r.old}
    used_n = {j for r in rows for j in r.new}
    free_o = [i for i in range(len(old)) if i not in used_o]
    free_n = [j for j in range(len(new)) if j not in used_n]
    cands = sorted(((float(sim.dice[i, j]), i, j) for i in free_o for j in free_n if sim.dice[i, j] >= MOVE_MIN
                    and sim.movable(i, j)), reverse=True)
    for _, i, j in cands:
        if i in used_o or j in used_n:
            continue
        rows.append(_Row([i], [j], moved=True))
        used_o.add(i)
        used_n.add(j)
    _absorb(rows, sim, used_o, used_n, len(old), len(new))
    for i in range(len(old)):
        if i not in used_o:
            rows.append(_Row([i], []))
    for j in range(len(new)):
        if j not in used_n:
            rows.append(_Row([], [j]))
    return [_classify(r, old, new, sim) for r in _order(rows)]


def _absorb(rows: list[_Row], sim: _Sim, used_o: set[int], used_n: set[int], n_old: int, n_new: int) -> None:
    """Join unpaired articles adjacent to a row that they continue (split) or that they fed (merge)."""
    while True:
        best: tuple[float, int, str, int] | None = None  # (score, row index, side, article index)
        new_row = {j: k for k, r in enumerate(rows) for j in r.new}
        old_row = {i: k for k, r in enumerate(rows) for i in r.old}
        for k, r in enumerate(rows):
            if not r.old or not r.new or r.moved:
                continue
            o_set = set().union(*(sim.old_grams[i] for i in r.old))
            n_set = set().union(*(sim.new_grams[j] for j in r.new))
            left_o, left_n = o_set - n_set, n_set - o_set
            if len(left_o) >= ABSORB_RESIDUE_MIN:  # the old side is not all said: a split?
                for j in (min(r.new) - 1, max(r.new) + 1):
                    if 0 <= j < n_new and j not in used_n and j not in new_row:
                        g = sim.new_grams[j]
                        if not g:
                            continue
                        cover, own = len(left_o & g) / len(left_o), len(g & o_set) / len(g)
                        if cover >= ABSORB_MIN and own >= ABSORB_OWN_MIN and (best is None or cover > best[0]):
                            best = (cover, k, "new", j)
            if len(left_n) >= ABSORB_RESIDUE_MIN:  # the new side says more: a merge?
                for i in (min(r.old) - 1, max(r.old) + 1):
                    if 0 <= i < n_old and i not in used_o and i not in old_row:
                        g = sim.old_grams[i]
                        if not g:
                            continue
                        cover, own = len(left_n & g) / len(left_n), len(g & n_set) / len(g)
                        if own >= ABSORB_MIN and cover >= ABSORB_OWN_MIN and (best is None or own > best[0]):
                            best = (own, k, "old", i)
        if best is None:
            return
        _, k, side, idx = best
        r = rows[k]
        if side == "new":
            r.new = sorted([*r.new, idx])
            used_n.add(idx)
        else:
            r.old = sorted([*r.old, idx])
            used_o.add(idx)
        kind = "split" if side == "new" else "merge"
        r.grouped = kind if r.grouped in ("", kind) else "regroup"


def _order(rows: list[_Row]) -> list[_Row]:
    """Rows in the new text's order; a deleted article after the row of the old article before it."""
    row_of_old = {i: r for r in rows for i in r.old}
    keyed: list[tuple[tuple[float, int, int], _Row]] = []
    for r in rows:
        if r.new:
            keyed.append(((min(r.new), 0, 0), r))
            continue
        i = r.old[0]
        anchor = -1.0
        for p in range(i - 1, -1, -1):
            q = row_of_old.get(p)
            if q is not None and q.new and not q.moved:
                anchor = float(min(q.new))
                break
        keyed.append(((anchor, 1, i), r))
    keyed.sort(key=lambda kr: kr[0])
    return [r for _, r in keyed]


def _classify(r: _Row, old: Sequence[Article], new: Sequence[Article], sim: _Sim) -> ArticlePair:
    o = tuple(old[i] for i in r.old)
    n = tuple(new[j] for j in r.new)
    if not o:
        return ArticlePair("新增", new=n, segments=(DiffSegment("insert", _seq(n)),))
    if not n:
        return ArticlePair("删除", old=o, segments=(DiffSegment("delete", _seq(o)),))
    if len(o) == 1 and len(n) == 1:
        similarity = float(sim.dice[r.old[0], r.new[0]])
    else:
        og = set().union(*(sim.old_grams[i] for i in r.old))
        ng = set().union(*(sim.new_grams[j] for j in r.new))
        similarity = 2 * len(og & ng) / max(1, len(og) + len(ng))
    notes = []
    if r.grouped == "split":
        notes.append(f"原{o[0].label}拆分为{'、'.join(a.label for a in n)}")
    elif r.grouped == "merge":
        notes.append(f"原{'、'.join(a.label for a in o)}合并为{n[0].label}")
    elif r.grouped == "regroup":
        notes.append(f"原{'、'.join(a.label for a in o)}调整为{'、'.join(a.label for a in n)}")
    if r.moved:
        notes.append("位置调整")
    old_seq, new_seq = _seq(o), _seq(n)
    if len(o) == len(n) == 1 and _norm(old_seq) == _norm(new_seq):
        if o[0].label != n[0].label:
            notes.insert(0, f"条文序号变化：{o[0].label} → {n[0].label}")
        return ArticlePair("未修改", o, n, (DiffSegment("equal", new_seq),), similarity, r.moved, "；".join(notes))
    if len(o) == len(n) == 1 and o[0].label != n[0].label:
        notes.insert(0, f"条文序号变化：{o[0].label} → {n[0].label}")
    return ArticlePair("修改", o, n, tuple(char_diff(old_seq, new_seq)), similarity, r.moved, "；".join(notes))


# -- character-level difference ---------------------------------------------------------------------

_STRUCTURAL = set("，。、；：？！\n \u3000")
_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _tokens(text: str) -> list[str]:
    """Words of a text (jieba, no HMM; the tokens concatenate back to the text)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            _tokenizer = tok
    return list(_tokenizer.cut(text, HMM=False))


def char_diff(old: str, new: str) -> list[DiffSegment]:
    """Character-level difference of two texts as equal / delete / insert runs, cut at word boundaries.

    The texts are compared as sequences of words (jieba), so that a change never splits a word
    (``深化`` → ``深入`` is one replacement, not ``深`` kept and ``化``/``入`` swapped); full- and
    half-width punctuation count as equal. Short equal runs stranded between changes (a shared ``的``
    or ``，`` inside a rewritten phrase) are folded into the change, so that a rewritten phrase reads as
    one deletion and one insertion instead of confetti.
    """
    old_n, new_n = _width(old), _width(new)
    ot, nt = _tokens(old_n), _tokens(new_n)
    o_at = [0]
    for t in ot:
        o_at.append(o_at[-1] + len(t))
    n_at = [0]
    for t in nt:
        n_at.append(n_at[-1] + len(t))
    sm = difflib.SequenceMatcher(None, ot, nt, autojunk=False)
    merged: list[list[str]] = []  # [op, old part, new part]
    for tag, a0, a1, b0, b1 in sm.get_opcodes():
        op = "equal" if tag == "equal" else "change"
        a, b = old[o_at[a0]:o_at[a1]], new[n_at[b0]:n_at[b1]]
        if merged and merged[-1][0] == op == "change":
            merged[-1][1] += a
            merged[-1][2] += b
        else:
            merged.append([op, a, b])
    changed = True
    while changed:
        changed = False
        for k in range(1, len(merged) - 1):
            op, a, b = merged[k]
            if op != "equal" or merged[k - 1][0] != "change" or merged[k + 1][0] != "change":
                continue
            before = max(len(merged[k - 1][1]), len(merged[k - 1][2]))
            after = max(len(merged[k + 1][1]), len(merged[k + 1][2]))
            if len(b) <= 2 or (len(b) <= 4 and len(b) * 2 <= min(before, after)):
                prev, nxt = merged[k - 1], merged[k + 1]
                merged[k - 1] = ["change", prev[1] + a + nxt[1], prev[2] + b + nxt[2]]
                del merged[k:k + 2]
                changed = True
                break
    out: list[DiffSegment] = []
    for op, a, b in merged:
        if op == "equal":
            if b:
                out.append(DiffSegment("equal", b))
            continue
        # a change whose one side is only punctuation found in the other side (``。\n`` → ``……措施。\n……``)
        # is a pure insertion (deletion) around that punctuation: keep the punctuation as equal text
        sides: tuple[tuple[str, str, DiffOp], ...] = ((a, b, "insert"), (b, a, "delete"))
        for short, long_, op_long in sides:
            k = long_.find(short) if short and not (set(short) - _STRUCTURAL) else -1
            if k >= 0:
                head, tail = long_[:k], long_[k + len(short):]
                out += [seg for seg in (DiffSegment(op_long, head), DiffSegment("equal", short),
                                        DiffSegment(op_long, tail)) if seg.text]
                break
        else:
            if a:
                out.append(DiffSegment("delete", a))
            if b:
                out.append(DiffSegment("insert", b))
    return out


def compare_texts(old_text: str, new_text: str, old: Revision | None = None, new: Revision | None = None,
                  work: str = "") -> Comparison:
    """Compare two texts article by article. Raises :class:`CompareError` when either has no 第X条 articles."""
    t0 = time.perf_counter()
    old_arts, new_arts = parse_articles(old_text), parse_articles(new_text)
    for arts, rev, which in ((old_arts, old, "修订前"), (new_arts, new, "修订后")):
        if not arts:
            name = f"《{rev.title}》（{rev.label}）" if rev is not None else which + "的文本"
            raise CompareError(f"{name}没有按“第X条”分条，无法逐条对照。")
    pairs = align(old_arts, new_arts)
    old = old or Revision(doc_id="", title=work or "修订前文本", work=work, version="修订前")
    new = new or Revision(doc_id="", title=work or "修订后文本", work=work, version="修订后")
    return Comparison(work=work or old.work or new.work, old=old, new=new, pairs=pairs,
                      n_old_articles=len(old_arts), n_new_articles=len(new_arts), seconds=time.perf_counter() - t0)


def compare_revisions(old: Revision, new: Revision) -> Comparison:
    """Compare two loaded revisions (their ``text`` filled)."""
    return compare_texts(old.text, new.text, old, new, work=new.work or old.work)


# -- answering "what changed" -----------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeItem:
    """One change, as a short Chinese line and the article it cites."""

    kind: str
    """新增 | 删除 | 修改 | 序号变化."""
    text: str
    """The line without its citation."""
    doc_id: str
    """The revision whose article is cited (the new text; the old one for 删除)."""
    article: Article
    cite: str
    """``《中华人民共和国监察法》（2024年12月25日修正）第二十一条``."""
    was: Article | None = None
    """For 修改: the old article it was changed from."""

    @property
    def line(self) -> str:
        return f"{self.text}〔{self.cite}〕"


def _short(s: str, limit: int = 60) -> str:
    s = s.replace("\n", " ").strip()
    if len(s) <= limit:
        return s
    cut = s[:limit]
    stop = max(cut.rfind(p) for p in "。；：")
    return (cut[:stop + 1] if stop >= limit // 2 else cut) + "……"


def _quote_runs(runs: Sequence[str], limit: int = 4) -> str:
    runs = [x for x in (r.strip("、，。；：,;: \n\u3000") for r in runs) if x]
    shown = [f"“{_short(r, 30)}”" for r in runs[:limit]]
    return "、".join(shown) + (f"等 {len(runs)} 处" if len(runs) > limit else "")


def change_items(comparison: Comparison, kind: str | Iterable[str] = ("新增", "修改", "删除")) -> list[ChangeItem]:
    """The changes of a comparison as :class:`ChangeItem` records, in the new text's order.

    ``kind``: any of 新增, 删除, 修改, 序号变化 (unchanged but renumbered), or 增加 (what was added:
    new articles and the insertions inside modified ones).
    """
    kinds = {kind} if isinstance(kind, str) else set(kind)
    c = comparison
    new_cite = f"《{c.new.title}》（{c.new.label}）"
    old_cite = f"《{c.old.title}》（{c.old.label}）"
    out: list[ChangeItem] = []
    for p in c.pairs:
        if p.kind == "新增" and kinds & {"新增", "增加"}:
            for a in p.new:
                out.append(ChangeItem("新增", f"新增{a.label}：{_short(a.body)}", c.new.doc_id, a, new_cite + a.label))
        elif p.kind == "删除" and "删除" in kinds:
            for a in p.old:
                out.append(ChangeItem("删除", f"删去原{a.label}：{_short(a.body)}", c.old.doc_id, a,
                                      old_cite + a.label))
        elif p.kind == "修改" and kinds & {"修改", "增加"}:
            where = p.new_label + (f"（原{p.old_label}）" if p.renumbered else "")
            parts = []
            if p.inserted:
                parts.append("增加" + _quote_runs(p.inserted))
            if p.deleted and "修改" in kinds:
                parts.append("删去" + _quote_runs(p.deleted))
            if not parts:
                continue
            if p.note and ("拆分" in p.note or "合并" in p.note):
                parts.insert(0, p.note.split("；")[0])
            out.append(ChangeItem("修改", f"{where}{'，'.join(parts)}", c.new.doc_id, p.new[0],
                                  new_cite + p.new[0].label, p.old[0] if p.old else None))
        elif p.kind == "未修改" and p.renumbered and "序号变化" in kinds:
            out.append(ChangeItem("序号变化", f"原{p.old_label}改为{p.new_label}，内容未变", c.new.doc_id, p.new[0],
                                  new_cite + p.new[0].label))
    return out


def changes_answer(comparison: Comparison, kind: str | Iterable[str] = "新增", limit: int | None = None) -> list[str]:
    """Short Chinese lines answering “what changed”, each citing its article.

    For “2024年修改监察法增加了哪些内容？” call it with ``kind="新增"`` (whole new articles) or
    ``kind="增加"`` (new articles and the words added to modified ones); other kinds: 删除, 修改 (with
    what was added and removed), 序号变化. The first line is :meth:`Comparison.summary`; each further line
    reads ``新增第二十一条：监察机关根据案件情况……〔《中华人民共和国监察法》（2024年12月25日修正）第二十一条〕``.
    ``limit`` keeps the first lines and says how many more there are. :func:`change_items` gives the same
    as records (doc id and article offsets, to map a line to its stored passage).
    """
    items = change_items(comparison, kind)
    lines = [comparison.summary() + "。"]
    if not items:
        what = kind if isinstance(kind, str) else "、".join(kind)
        lines.append(f"两个版本之间没有“{what}”的条文。")
        return lines
    shown = items if limit is None else items[:limit]
    lines += [it.line for it in shown]
    if len(shown) < len(items):
        lines.append(f"（另有 {len(items) - len(shown)} 处，见完整的新旧对照表）")
    return lines


# -- revisions in the library ------------------------------------------------------------------------

_TITLE_PREFIX = re.compile(r"^(?:中华人民共和国|中国共产党)(?=.)")
_TITLE_SUFFIX = re.compile(r"[（(][^（）()]*(?:修订|修正|修改|试行|草案|年)[^（）()]*[）)]\s*$")
_HEADER_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_HEADER_KINDS = ("修订", "修正", "通过", "批准", "公布", "发布", "印发")
_STEM_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def work_key(meta: DocumentMeta) -> str:
    """The work a document is a revision of: :attr:`DocumentMeta.work` when ingest filled it, else the
    title without 中华人民共和国 and without a trailing （2018年修订）-type note."""
    if meta.work:
        return meta.work
    t = re.sub(r"[\s《》]+", "", meta.title or "")
    prev = None
    while prev != t:
        prev = t
        t = _TITLE_SUFFIX.sub("", t)
    return _TITLE_PREFIX.sub("", t) or (meta.title or meta.doc_id)


def _header_revision(text: str) -> tuple[str, str]:
    """(ISO date, version label) of the latest dated act in the text's header (before its first article)."""
    best: tuple[str, str] = ("", "")
    for line in text.split("\n"):
        s = line.strip().strip(_ZW)
        if not s:
            continue
        if _ARTICLE_RE.match(s) or _heading_text(s.lstrip("#").strip()) is not None or s.startswith("## "):
            break
        m = _HEADER_DATE.search(s)
        if not m or m.start() > 4:
            continue
        tail = _TITLE_PREFIX.sub("", re.sub(r"《[^》]*》", "", s[m.end():]))
        kind = max(_HEADER_KINDS, key=lambda k: (tail.rfind(k), -_HEADER_KINDS.index(k)))
        if tail.rfind(kind) < 0:
            kind = ""
        y, mo, d = (int(x) for x in m.groups())
        iso = f"{y:04d}-{mo:02d}-{d:02d}"
        if iso >= best[0]:
            best = (iso, f"{y}年{mo}月{d}日{kind}")
    return best


def revision_of(meta: DocumentMeta, text: str = "") -> Revision:
    """The revision record of a stored document.

    Ingest fills :attr:`DocumentMeta.version` and makes :attr:`DocumentMeta.date` the text's own
    (latest) date; for documents stored before that, the date and label are read from the text's
    header lines (the latest dated act), then from a ``(2024-12-25)`` in the file name, then the
    stored date.
    """
    if meta.version:
        date, version = meta.date, meta.version
    else:
        date, version = _header_revision(text) if text else ("", "")
        if not date:
            m = _STEM_DATE.search(meta.path.rsplit("/", 1)[-1]) if meta.path else None
            if m:
                date = "-".join(m.groups())
                version = f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"
            else:
                date, version = meta.date, meta.date_text or meta.date
    return Revision(doc_id=meta.doc_id, title=meta.title, work=work_key(meta), date=date, version=version,
                    status=meta.status, text=text)


def document_text(store: Store, doc_id: str) -> str:
    """A stored document's text rebuilt from its passages.

    Passages are verbatim slices ``text[start:end]`` in order; between two of them ingest drops only
    whitespace (and the title line), so each gap is filled with newlines and every offset stays that
    of the original text. Overlapping passages (none today) are joined without repeating the overlap.
    """
    parts: list[str] = []
    length = 0
    for p in sorted(store.doc_passages(doc_id), key=lambda p: (int(p.get("start", 0)), int(p.get("idx", 0)))):
        start, chunk = int(p.get("start", 0)), str(p.get("text", ""))
        if start >= length:
            parts.append("\n" * (start - length) + chunk)
            length = start + len(chunk)
        elif start + len(chunk) > length:
            parts.append(chunk[length - start:])
            length = start + len(chunk)
    return "".join(parts)


def works_with_revisions(docs: Iterable[DocumentMeta]) -> dict[str, list[DocumentMeta]]:
    """Works held in more than one document: work → its documents (ordered by stored date, then title)."""
    groups: dict[str, list[DocumentMeta]] = {}
    for d in docs:
        groups.setdefault(work_key(d), []).append(d)
    return {w: sorted(g, key=lambda d: (d.date, d.ingested_at, d.doc_id)) for w, g in sorted(groups.items())
            if len(g) > 1}


def _query_key(q: str) -> str:
    return work_key(DocumentMeta(doc_id="", title=q, path="", content_hash=""))


def resolve_work(docs: Sequence[DocumentMeta], query: str) -> tuple[str, list[DocumentMeta]]:
    """The work a user means — a doc id, a full title, or a fragment such as ``监察法`` — and its documents.

    Raises :class:`CompareError` (in Chinese) when nothing matches or the fragment names several works.
    """
    q = (query or "").strip()
    if not q:
        raise CompareError("请给出要对照的法规标题或文档编号，例如：监察法。")
    groups: dict[str, list[DocumentMeta]] = {}
    for d in docs:
        groups.setdefault(work_key(d), []).append(d)
    hit = next((d for d in docs if d.doc_id == q), None)
    if hit is not None:
        w = work_key(hit)
        return w, groups[w]
    key = _query_key(q)
    exact = [w for w in groups if w == key or any(d.title == q for d in groups[w])]
    found = exact or [w for w in groups if key and (key in w or any(key in d.title for d in groups[w]))]
    if not found:
        raise CompareError(f"资料库中没有找到“{q}”。可用 python -m ingest --list 查看已导入的文档。")
    if len(found) > 1:
        multi = [w for w in found if len(groups[w]) > 1]
        if len(multi) == 1:
            found = multi
        else:
            names = "、".join(sorted(found)[:8])
            raise CompareError(f"“{q}”对应多部法规：{names}。请写得更具体。")
    return found[0], groups[found[0]]


def work_revisions(store: Store, docs: Sequence[DocumentMeta]) -> list[Revision]:
    """The revisions of one work's documents, texts loaded, oldest first (one per date: the newest ingest)."""
    revs = [revision_of(d, document_text(store, d.doc_id)) for d in docs]
    by_date: dict[str, Revision] = {}
    ingested = {d.doc_id: d.ingested_at for d in docs}
    for r in sorted(revs, key=lambda r: (r.date, ingested.get(r.doc_id, ""), r.doc_id)):
        by_date[r.date or r.doc_id] = r
    return sorted(by_date.values(), key=lambda r: (r.date, r.doc_id))


def _date_prefix(spec: str) -> str:
    """``2024`` / ``2024-12-25`` / ``2024年3月`` / ``20241225`` → the digits a matching ISO date starts with."""
    s = spec.strip()
    if s.isdigit():
        return s
    m = re.match(r"(\d{4})(?:\s*[年\-/.]\s*(\d{1,2}))?(?:\s*[月\-/.]\s*(\d{1,2}))?", s)
    if not m:
        return ""
    return m.group(1) + "".join(f"{int(x):02d}" for x in m.groups()[1:] if x)


def _pick(revs: Sequence[Revision], spec: str, which: str) -> Revision:
    s = spec.strip()
    for r in revs:
        if r.doc_id == s:
            return r
    digits = _date_prefix(s)
    hits = [r for r in revs if digits and r.date.replace("-", "").startswith(digits)]
    labels = "、".join(f"{r.label}（{r.doc_id}）" for r in revs)
    if not hits:
        raise CompareError(f"{which}“{spec}”不是这部法规已导入的版本。可选：{labels}。")
    if len(hits) > 1:
        raise CompareError(f"{which}“{spec}”对应多个版本，请写出完整日期或文档编号。可选：{labels}。")
    return hits[0]


def pick_revisions(revs: Sequence[Revision], from_spec: str = "", to_spec: str = "") -> tuple[Revision, Revision]:
    """The two revisions to compare: ``--from``/``--to`` as a year, a date (``2024-12-25``, ``2024年12月``) or
    a doc id; by default the newest and the one before it (or the one before ``--to``)."""
    if len(revs) < 2:
        only = f"（{revs[0].label}）" if revs else ""
        name = revs[0].work if revs else "这部法规"
        raise CompareError(f"资料库中《{name}》只有一个版本{only}，无法对照。请先导入另一个版本。")
    new = _pick(revs, to_spec, "--to") if to_spec else None
    old = _pick(revs, from_spec, "--from") if from_spec else None
    if new is None:
        later = [r for r in revs if old is None or (r.date, r.doc_id) > (old.date, old.doc_id)]
        if not later:
            raise CompareError(f"--from（{old.label if old else ''}）是已导入的最新版本，没有更新的版本可以对照。")
        new = later[-1]
    if old is None:
        earlier = [r for r in revs if (r.date, r.doc_id) < (new.date, new.doc_id)]
        if not earlier:
            raise CompareError(f"{new.label}是已导入的最早版本，没有更早的版本可以对照。")
        old = earlier[-1]
    if old.doc_id == new.doc_id:
        raise CompareError("--from 与 --to 是同一个版本。")
    if (old.date, old.doc_id) > (new.date, new.doc_id):
        raise CompareError(f"--from（{old.label}）晚于 --to（{new.label}）：修订前的版本应当在前。")
    return old, new


def load_comparison(store: Store, query: str, from_spec: str = "", to_spec: str = "") -> Comparison:
    """Resolve ``query`` to a work in an open store, pick two revisions and compare them."""
    work, docs = resolve_work(store.list_docs(), query)
    revs = work_revisions(store, docs)
    for r in revs:
        r.work = work
    old, new = pick_revisions(revs, from_spec, to_spec)
    return compare_revisions(old, new)
