"""The store seam: one small interface over Qdrant engines.

Two implementations: :mod:`.qdrant_client_store` (qdrant-client; embedded
local mode or a Qdrant server given ``QDRANT_URL``) and :mod:`.edge_store`
(qdrant-edge, Qdrant's in-process engine). Both hold the same schema:

* passages collection ``<name>``: named dense vector ``dense`` (cosine), sparse
  vector ``bm25`` (IDF modifier: IDF is computed by Qdrant), payload
  :data:`PASSAGE_FIELDS` (:meth:`~policyqa.types.Passage.to_payload`);
* documents collection ``<name>_docs``: one record per document
  (:class:`~policyqa.types.DocumentMeta`), written after its passages.

Crash safety: passages are written with ``complete=False`` and only flipped to
``True`` once all of a document's passages are stored; search filters on
``complete``, so a half-written document is never visible.
"""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..types import DocumentMeta, Passage, SearchFilter
from ..types import date_to_int as date_to_int  # re-exported: stores and callers import it from here

DENSE = "dense"
SPARSE = "bm25"

# Payload of a passage point, derived from the record (Passage.to_payload builds it, Passage.from_payload
# reads it); keyword/integer/bool indexes are created on the indexed ones.
PASSAGE_FIELDS: tuple[str, ...] = Passage.payload_keys()
KEYWORD_INDEXES = ("doc_id", "hash", "doc_type", "source")
INTEGER_INDEXES = ("date_int", "idx")
BOOL_INDEXES = ("complete",)

Mode = Literal["hybrid", "dense", "sparse"]

RRF_K = 2
"""Rank constant of reciprocal rank fusion (Qdrant's default): 1 / (rank / weight + k - 1)."""
LEAD_WEIGHT = 3.0
"""Weight of the opening-passages list in the fusion of an overview query."""


@dataclass
class PointRecord:
    """One passage ready to be written."""

    id: str
    dense: np.ndarray
    sparse_indices: list[int]
    sparse_values: list[float]
    payload: dict[str, Any]


@dataclass
class ScoredPayload:
    id: str
    score: float
    payload: dict[str, Any]


TIE_SLACK = 8
"""Extra points fetched beyond ``limit`` so that points tied with the last one can be ordered here."""


def settle_ties(points: list[ScoredPayload], limit: int) -> list[ScoredPayload]:
    """Order equal scores by document and position, then cut at ``limit``.

    Reciprocal rank fusion ties often (rank 1 in one list only scores the same in either list), and the
    engine orders tied points by its internal offsets, which depend on the order of ingest: the same
    library ingested twice could show a different 5th passage. Scores are rounded so that sums of
    the same fractions added in another order compare equal.
    """
    def key(p: ScoredPayload) -> tuple[float, str, int, str]:
        return (-round(p.score, 9), str(p.payload.get("doc_id", "")), int(p.payload.get("idx", 0) or 0), p.id)

    return sorted(points, key=key)[:limit]


class StoreError(RuntimeError):
    """A store problem with a message that tells the user what to do."""


class Store(abc.ABC):
    """Abstract Qdrant-backed store for passages and the document registry."""

    backend: str = "?"

    def __init__(self, collection: str, dim: int, embedder: str):
        self.collection = collection
        self.docs_collection = collection + "_docs"
        self.dim = dim
        self.embedder = embedder

    # -- passages ---------------------------------------------------------
    @abc.abstractmethod
    def upsert_passages(self, records: Sequence[PointRecord]) -> None: ...

    @abc.abstractmethod
    def mark_complete(self, doc_id: str, content_hash: str) -> None:
        """Make a document version visible to search."""

    @abc.abstractmethod
    def delete_passages(self, doc_id: str, except_hash: str | None = None) -> None:
        """Delete a document's passages (all, or all versions but ``except_hash``)."""

    @abc.abstractmethod
    def delete_incomplete(self) -> int:
        """Remove passages left invisible by an interrupted run; returns how many."""

    @abc.abstractmethod
    def count_passages(self, doc_id: str | None = None, complete_only: bool = True) -> int: ...

    @abc.abstractmethod
    def doc_passages(self, doc_id: str) -> list[dict[str, Any]]:
        """Payloads of a document's visible passages, in document order."""

    @abc.abstractmethod
    def query(
        self,
        dense: np.ndarray | None,
        sparse: tuple[list[int], list[float]] | None,
        limit: int,
        flt: SearchFilter | None = None,
        mode: Mode = "hybrid",
        prefetch_k: int = 40,
        lead: bool = False,
    ) -> list[ScoredPayload]:
        """Dense, BM25, or both fused with reciprocal rank fusion inside Qdrant.

        ``lead`` (hybrid only) adds a third ranked list to the fusion: BM25 over the documents'
        opening passages (``idx == 0``). For overview queries ("两项机制是什么") the opening passage
        of the document about the topic is the best answer, though the topic's name is repeated
        more often in later passages.
        """

    # -- document registry ------------------------------------------------
    @abc.abstractmethod
    def put_doc(self, meta: DocumentMeta, flush: bool = True) -> None:
        """Write the registry record; ``flush=False`` leaves durability to a later :meth:`flush`
        (bulk ingest flushes once per group of documents)."""

    def flush(self) -> None:  # pragma: no cover - servers persist on their own
        """Persist what was written so far (embedded engines)."""

    @abc.abstractmethod
    def get_doc(self, doc_id: str) -> DocumentMeta | None: ...

    @abc.abstractmethod
    def list_docs(self) -> list[DocumentMeta]: ...

    @abc.abstractmethod
    def delete_doc(self, doc_id: str) -> None:
        """Remove the registry record (passages are deleted separately, first)."""

    def close(self) -> None:  # pragma: no cover - trivial default
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
