"""One cited line when the text in force and the revision it replaced differ on what the answer quotes.

A cadre quoting 监察法 must know that 2024年修正 changed the rule he is reading. For each sentence of
the answer taken from a revised text, the replaced revision is searched for the same sentence: found
verbatim, nothing changed; found in another wording (similar enough to be the same provision), the
answer gets "修订前（……）为：“……”[n]" with the old passage as its own citation. A provision the old text
lacks is not claimed new from a search miss: the 新旧对照 view answers that.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.types import DocumentMeta, Hit, SearchFilter
from policyqa.versions import version_label

from .grounding import markers_of, norm, split_sentences, strip_markers
from .retrieve import to_hit

__all__ = ["difference_line"]

SAME_PROVISION = 0.55
"""Similarity (difflib ratio of the normalised sentences) above which two sentences are one provision."""
_ARTICLE_HEAD = re.compile(r"^第[一二三四五六七八九十百零〇]+条\s*")


def _core(sentence: str) -> str:
    """Words only: full- and half-width punctuation differ between revisions without a change of rule."""
    return re.sub(r"[^\w]", "", norm(_ARTICLE_HEAD.sub("", strip_markers(sentence).strip())))


def difference_line(res: Resources, text: str, hits: list[Hit], docs: list[DocumentMeta]) -> tuple[str, Hit] | None:
    """("修订前（2018年3月20日通过）为：“……”", the old passage) for the first quoted sentence whose
    wording the replaced revision differs in; None when nothing quoted changed (or nothing was revised)."""
    replaced = {d.superseded_by: d for d in docs if d.status == "superseded" and d.superseded_by}
    if not replaced:
        return None
    for sentence in split_sentences(text):
        for n in markers_of(sentence):
            if not 1 <= n <= len(hits) or hits[n - 1].doc_id not in replaced:
                continue
            old = replaced[hits[n - 1].doc_id]
            core = _core(sentence)
            if len(core) < 8:
                continue
            found = res.store.query(None, sparse.query_vector(strip_markers(sentence)), limit=3, mode="sparse",
                                    flt=SearchFilter(doc_ids=[old.doc_id]))
            old_hits = [to_hit(f) for f in found]
            if not old_hits or any(core in _core(h.text) for h in old_hits):
                continue
            best, best_ratio, where = "", 0.0, old_hits[0]
            for h in old_hits:
                for s in split_sentences(h.text):
                    r = SequenceMatcher(None, core, _core(s), autojunk=False).ratio()
                    if r > best_ratio:
                        best, best_ratio, where = s, r, h
            if best_ratio < SAME_PROVISION:
                continue
            shown = _ARTICLE_HEAD.sub("", best.strip())
            return f"修订前（{version_label(old)}）为：“{shown}”", where
    return None
