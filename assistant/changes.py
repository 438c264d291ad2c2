"""Questions about what a revision changed, answered from the 新旧对照 of the two texts, each line cited.

"2024年修改监察法增加了哪些内容？" is not answered by retrieval (no passage says what was added): the two
revisions are aligned article by article (:mod:`assistant.compare`) and the answer lists the new, deleted
or modified articles, citing the stored passage of each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from policyqa.store.base import Store
from policyqa.textnorm import normalize_for_index
from policyqa.types import DocumentMeta, Hit
from policyqa.versions import by_work

from .answerability import abbreviates, focus_terms
from .compare import ChangeItem, CompareError, change_items, pick_revisions, work_revisions
from .grounding import overlap, split_sentences
from .retrieve import hit_from_payload

__all__ = ["ChangesAnswer", "answer_changes", "asks_for_changes"]

_CHANGE_Q = re.compile(
    r"(?:修改|修订|修正|改动|调整)(?:后|中|时|了)?[^？?。]{0,16}?(?:新?增加|新增|增设|补充|删除|删去|删掉|去掉|修改|改动|变化|不同|区别)"
    r"(?:了|的)?(?:哪些|什么|几|多少)"
    r"|(?:有|做了|作了)(?:哪些|什么|何)(?:变化|修改|改动|调整|不同|区别)|新增(?:了)?(?:哪些|什么)|增加了(?:哪些|什么)(?:内容|条|规定|措施)"
    r"|删除了(?:哪些|什么)|(?:新|又)(?:加|增加|增)了?(?:谁|哪些人|哪位|哪几位|哪些|什么)|新旧对照|前后(?:有什么|有哪些)?(?:变化|不同)"
    r"|相比[^？?。]{0,40}?(?:增加|新增|删除|删去|变化|不同|区别)(?:了)?(?:哪些|什么|几)"
    r"|相比[^？?。]{0,60}?(?:有何|有什么|有哪些)?(?:变化|不同|区别|调整)"
    r"|\bwhat (?:changed|was added|did the \w+ (?:add|change))\b|\bchanges? (?:made )?(?:in|to|by) the\b"
    r"|\b(?:amendment|revision)\b.{0,60}\b(?:add|added|change|changed|delete|deleted|remove|removed)\b",
    re.I)
_ADDED = re.compile(r"增加|新增|增设|补充|新加|加了|\badd(?:ed|s)?\b|\bnew\b", re.I)
_DELETED = re.compile(r"删除|删去|删掉|去掉|\b(?:remove|delete)[ds]?\b", re.I)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NOT_TOPIC = re.compile(r"修[订正改]|增加|新增|删除|变化|规定|内容|条文|现行|相比|哪些|什么|有何|要求|不同|区别|新加|法律|条例|\d|[a-zA-Z]")
_KIND = re.compile(r"(?:实施)?(?:条例|办法|规定|细则|法)$")
MAX_LINES = 8
TOPIC_NEAR_BEST = 0.75
SENTENCE_LIMIT = 70


@dataclass
class ChangesAnswer:
    text: str
    """Lines, each ending with [n]."""
    hits: list[Hit]


def asks_for_changes(question: str) -> bool:
    return bool(_CHANGE_Q.search(normalize_for_index(question)))


def _kinds(question: str) -> tuple[str, ...]:
    if _ADDED.search(question) and not _DELETED.search(question):
        return ("新增",)
    if _DELETED.search(question) and not _ADDED.search(question):
        return ("删除",)
    return ("新增", "删除", "修改")


def _passage_at(store: Store, doc_id: str, offset: int, cache: dict[str, list[dict]]) -> Hit | None:
    if doc_id not in cache:
        cache[doc_id] = store.doc_passages(doc_id)
    for p in cache[doc_id]:
        if int(p.get("start", 0)) <= offset < int(p.get("end", 0)):
            return hit_from_payload(p)
    return None


def _as_said(item: ChangeItem, topic: dict[str, float]) -> ChangeItem:
    """A modified article asked about by topic ("发起人人数有何变化"), shown as the sentence that changed, now and
    before ("现为“……一人以上二百人以下为发起人……”，原为“……二人以上……”"), not only the words inserted and deleted."""
    if item.kind != "修改" or item.was is None:
        return item
    old = {_unlabelled(s) for s in split_sentences(item.was.text)} - {""}
    changed = [s for s in map(_unlabelled, split_sentences(item.article.text)) if s and s not in old]
    if not changed:
        return item
    now = max(changed, key=lambda s: sum(w for t, w in topic.items() if t in s))
    before = max(old, key=lambda s: overlap(now, s), default="")  # the old sentence most like it
    where = item.text.split("增加", 1)[0].split("删去", 1)[0].rstrip("，")
    said = f"{where}现为“{_clip(now)}”" + (f"，原为“{_clip(before)}”" if before else "")
    return replace(item, text=said)


def _unlabelled(sentence: str) -> str:
    return re.sub(r"^第[一二三四五六七八九十百零〇]+条(?:之[一二三四五六七八九十]+)?\s*", "", sentence.strip())


def _clip(sentence: str, limit: int = SENTENCE_LIMIT) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit] + "……"


def answer_changes(store: Store, question: str, docs: list[DocumentMeta]) -> ChangesAnswer | None:
    """The cited list of changes between the two revisions the question means, or None when the question
    names no work with two revisions in ``docs`` (the documents in scope)."""
    groups = by_work(docs)
    works = [w for w, g in groups.items() if len(g) > 1]
    if len(works) > 1:  # "保密法" in scope with its 实施条例: the work of the kind the question names (法, 条例)
        kind = {w: m.group(0) if (m := _KIND.search(w)) else "" for w in works}
        works = [w for w in works if kind[w] and kind[w] in question] or [w for w in works if kind[w] in ("", "法")]
    if len(works) != 1:
        return None
    revs = work_revisions(store, groups[works[0]])
    # A year names a revision: the newest is what the law was changed to, an older one what it was changed from
    # ("2024年修改监察法……" vs "与2018年监察法相比……").
    named = [r for y in _YEAR.findall(question) for r in revs if r.date.startswith(y)]
    to_spec = next((r.doc_id for r in named if r is revs[-1]), "")
    from_spec = next((r.doc_id for r in named if r is not revs[-1]), "")
    try:
        old, new = pick_revisions(revs, from_spec, to_spec)
        from .compare import compare_revisions

        comparison = compare_revisions(old, new)
    except CompareError:
        return None
    kinds = _kinds(question)
    items = change_items(comparison, kinds)
    # "保密的事项增加了哪些": the changes of the articles on that topic (words added to them count too).
    # The articles naming most of the topic come first (发起人 and 股份有限公司, before those naming only 设立),
    # and only those near the best: a topic of many words is not every article that names one of them.
    topic = {t: w for t, w in focus_terms(question).items()
             if len(t) >= 2 and t not in works[0] and not abbreviates(t, works[0]) and not _NOT_TOPIC.search(t)}
    if topic:
        def weight(it: ChangeItem) -> float:
            return sum(w for t, w in topic.items() if t in it.article.text)

        focused = change_items(comparison, ("增加",) if kinds == ("新增",) else (*kinds, "修改"))
        best = max(map(weight, focused), default=0.0)
        if best > 0:
            items = sorted((it for it in focused if weight(it) >= TOPIC_NEAR_BEST * best), key=lambda it: -weight(it))
            items = [_as_said(it, topic) for it in items]
    hits: list[Hit] = []
    lines: list[str] = []
    cache: dict[str, list[dict]] = {}
    for it in items[:MAX_LINES]:
        hit = _passage_at(store, it.doc_id, it.article.start, cache)
        if hit is None:
            continue
        known = next((i for i, h in enumerate(hits, 1) if h.passage_id == hit.passage_id), 0)
        if not known:
            hits.append(hit)
            known = len(hits)
        lines.append(f"{it.text}[{known}]")
    head = comparison.summary() + "。"
    if not lines:  # "删除了哪些": none — say so, citing the new text's opening (its revision record)
        opening = _passage_at(store, new.doc_id, 0, cache) or next(
            (hit_from_payload(p) for p in cache.get(new.doc_id, [])[:1]), None)
        if opening is None:
            return None
        what = "、".join(_kinds(question))
        return ChangesAnswer(text=f"{head}[1]\n{new.label}的文本与{old.label}的文本相比，没有{what}的条文。[1]",
                             hits=[opening])
    more = f"\n（另有 {len(items) - MAX_LINES} 处，见“新旧对照”）" if len(items) > MAX_LINES else ""
    return ChangesAnswer(text=head + "\n" + "\n".join(lines) + more, hits=hits)
