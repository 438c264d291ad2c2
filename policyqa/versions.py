"""Revisions of one work across the library: which text is in force, which was replaced and when.

Documents of the same :attr:`~policyqa.types.DocumentMeta.work` are revisions of one regulation. The
newest is 现行; each older one is 已被修订 by the next newer. 已废止 comes from the manifest (or the
document) and is never overridden. Both ingest (which writes the status) and the query side (which
chooses texts by date) read these functions.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from .types import DocumentMeta

__all__ = ["STATUS_LABELS", "as_of_date", "assign_status", "by_work", "in_force_ids", "revisions", "status_label",
           "superseded_ids", "version_label", "version_status"]

STATUS_LABELS = {"current": "现行", "superseded": "已被修订", "repealed": "已废止"}


def status_label(meta: DocumentMeta) -> str:
    return STATUS_LABELS.get(meta.status, "") if meta.work else ""


def as_of_date(value: str) -> str:
    """``2020`` → ``2020-12-31``, ``2020-06`` → ``2020-06-31``, ``2020-6-1`` → ``2020-06-01``: the revisions
    in force at the end of the period given; ``""`` for none. Raises ValueError (in Chinese) on anything else."""
    v = (value or "").strip().replace("/", "-").replace(".", "-")
    if not v:
        return ""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", v) or re.fullmatch(
        r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?", v)
    if not m or not (1 <= int(m.group(2) or 1) <= 12 and 1 <= int(m.group(3) or 1) <= 31):
        raise ValueError(f"日期“{value}”格式不对：请写成 2020、2020-06 或 2020-06-01。")
    return f"{int(m.group(1)):04d}-{int(m.group(2) or 12):02d}-{int(m.group(3) or 31):02d}"


def version_status(meta: DocumentMeta) -> str:
    """``现行`` / ``已被修订（2024-12-25）`` / ``已废止``."""
    label = status_label(meta)
    if meta.status == "superseded" and meta.superseded_on:
        label += f"（{meta.superseded_on}）"
    return label


def version_label(meta: DocumentMeta) -> str:
    """``2024年12月25日修正`` (or the date as printed when the header names no act)."""
    return meta.version or meta.date_text or meta.date


def _order(meta: DocumentMeta) -> tuple[str, str, str]:
    return (meta.date or "", meta.ingested_at or "", meta.doc_id)


def by_work(docs: Iterable[DocumentMeta]) -> dict[str, list[DocumentMeta]]:
    """Versioned documents grouped by work, each group oldest first."""
    groups: dict[str, list[DocumentMeta]] = {}
    for d in docs:
        if d.work:
            groups.setdefault(d.work, []).append(d)
    return {w: sorted(g, key=_order) for w, g in groups.items()}


def revisions(docs: Iterable[DocumentMeta], work: str) -> list[DocumentMeta]:
    return by_work(docs).get(work, [])


def assign_status(docs: Iterable[DocumentMeta]) -> list[DocumentMeta]:
    """The documents whose status must change, as updated copies (the input is not modified)."""
    changed = []
    for group in by_work(docs).values():
        live = [d for d in group if d.status != "repealed"]
        for i, d in enumerate(live):
            newer = next((n for n in live[i + 1:] if (n.date or "") > (d.date or "")), None)
            want = (("superseded", newer.doc_id, newer.date) if newer is not None else ("current", "", ""))
            if (d.status, d.superseded_by, d.superseded_on) != want:
                changed.append(dataclasses.replace(d, status=want[0], superseded_by=want[1], superseded_on=want[2]))
    return changed


def superseded_ids(docs: Iterable[DocumentMeta]) -> set[str]:
    """Documents not in force today: replaced by a newer revision, or repealed."""
    return {d.doc_id for d in docs if d.work and d.status in ("superseded", "repealed")}


def in_force_ids(docs: Iterable[DocumentMeta], as_of: str) -> tuple[set[str], set[str]]:
    """(in force on ``as_of``, not in force on it) among versioned documents.

    The revision in force on a date is the newest whose text date is on or before it; a work with no
    revision by then has none in force. Unversioned documents are in neither set.
    """
    keep: set[str] = set()
    drop: set[str] = set()
    for group in by_work(docs).values():
        before = [d for d in group if d.date and d.date[:10] <= as_of and d.status != "repealed"]
        chosen = before[-1] if before else None
        for d in group:
            (keep if d is chosen else drop).add(d.doc_id)
    return keep, drop
