"""Store on qdrant-edge: Qdrant's engine embedded in the process (``qdrant_edge``).

Layout under ``path``::

    <collection>/        passages shard: dense ``dense`` (cosine, HNSW) + sparse ``bm25`` (IDF)
    <collection>_docs/   document registry shard (payload only) + the meta record
    <collection>.lock    fcntl lock: one process at a time

Semantics match :class:`~.qdrant_client_store.QdrantClientStore`: the same
payload, filters, (weighted) RRF fusion inside the engine with the shared
constants of :mod:`.base`, the same meta check.

Engine notes (qdrant-edge-py 0.9.0), found by testing:

* Durability: every update is appended to the shard's write-ahead log before
  ``update`` returns, so it survives process exit and ``kill -9`` (the WAL is
  replayed on :meth:`EdgeShard.load`; tested in ``tests/test_store.py``). Edge
  documents no fsync per update and runs no background flush, so we
  ``flush()`` (≈5-80 ms) at document boundaries (:meth:`put_doc`,
  :meth:`delete_doc`, :meth:`delete_incomplete`) and on close, so that an OS
  crash or power loss should lose at most the document being written. Bulk
  ingest writes a group of short documents, then flushes once
  (``put_doc(flush=False)`` + :meth:`flush`): an OS crash may then lose the
  group, which the next run re-ingests (registry and passage counts disagree).
* Locking: the engine holds an exclusive lock on each shard's WAL; a second
  ``load`` (same or another process) fails with ``WouldBlock``. We add our own
  lock file so that the pair of shards is taken atomically (also while creating)
  and the user gets a clear message.
* ``MatchValue(True)`` is converted to the *integer* 1 by the bindings (Python
  ``bool`` is an ``int``) and then never matches a boolean payload; a
  ``numpy.bool_`` is converted to a real boolean, so we use that.
* Points come back with ``uuid.UUID`` ids; UUID strings are accepted on input.
* There is no background optimizer: new points land in a plain (brute force)
  appendable segment until :meth:`optimize` runs. We optimize on close when this
  session wrote many points, which builds the HNSW graphs.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import qdrant_edge as qe

from ..types import DocumentMeta, SearchFilter
from .base import (
    BOOL_INDEXES,
    DENSE,
    INTEGER_INDEXES,
    KEYWORD_INDEXES,
    LEAD_WEIGHT,
    RRF_K,
    SPARSE,
    TIE_SLACK,
    Mode,
    PointRecord,
    ScoredPayload,
    Store,
    StoreError,
    date_to_int,
    settle_ties,
)

log = logging.getLogger("policyqa.store")

SCHEMA_VERSION = 1
_META_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "policyqa:meta"))
# HNSW build parameters (Qdrant's defaults, spelled out).
HNSW_M = 16
HNSW_EF_CONSTRUCT = 100
HNSW_FULL_SCAN_THRESHOLD_KB = 10_000
# Build indexes on close once a session has written this many passages.
OPTIMIZE_AFTER = 2_000
_PAGE = 512


def _true(value: bool = True) -> Any:
    """A boolean the bindings keep boolean (see module docstring)."""
    return np.bool_(value)


def _match(key: str, value: Any) -> qe.FieldCondition:
    if isinstance(value, bool):
        value = _true(value)
    return qe.FieldCondition(key=key, match=qe.MatchValue(value))


def build_filter(flt: SearchFilter | None, complete_only: bool = True) -> qe.Filter:
    must: list[Any] = []
    if complete_only:
        must.append(_match("complete", True))
    if flt is not None:
        if flt.doc_types:
            must.append(qe.FieldCondition(key="doc_type", match=qe.MatchAny(list(flt.doc_types))))
        if flt.doc_ids:
            must.append(qe.FieldCondition(key="doc_id", match=qe.MatchAny(list(flt.doc_ids))))
        if flt.sources:
            must.append(qe.FieldCondition(key="source", match=qe.MatchAny(list(flt.sources))))
        if flt.date_from or flt.date_to:
            rng = qe.RangeFloat(
                gte=float(date_to_int(flt.date_from)) if flt.date_from else None,
                lte=float(date_to_int(flt.date_to, upper=True)) if flt.date_to else None,
            )
            must.append(qe.FieldCondition(key="date_int", range=rng))
    must_not: list[Any] = [qe.FieldCondition(key="doc_id", match=qe.MatchAny(list(flt.exclude_doc_ids)))] if flt is not None and flt.exclude_doc_ids else []
    return qe.Filter(must=must, must_not=must_not or None)


def _doc_filter(doc_id: str, *, hash: str | None = None, except_hash: str | None = None) -> qe.Filter:
    must: list[Any] = [_match("doc_id", doc_id)]
    if hash:
        must.append(_match("hash", hash))
    must_not: list[Any] | None = [_match("hash", except_hash)] if except_hash else None
    return qe.Filter(must=must, must_not=must_not)


def _is_locked_error(exc: BaseException) -> bool:
    text = str(exc)
    return "WouldBlock" in text or "Resource temporarily unavailable" in text


class EdgeStore(Store):
    backend = "edge"

    def __init__(self, collection: str, dim: int, embedder: str, *, path: str):
        super().__init__(collection, dim, embedder)
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_fh: Any = None
        self._passages: qe.EdgeShard | None = None
        self._docs: qe.EdgeShard | None = None
        self._written = 0
        self._dirty = False
        self._docs_dirty = False
        self._lock()
        try:
            self._ensure()
        except BaseException:
            self._release()
            raise

    # -- opening ----------------------------------------------------------
    def _busy_error(self) -> StoreError:
        return StoreError(
            f"向量库目录 {self.path} 中的集合 {self.collection} 正被另一个进程使用"
            "（例如正在运行的应用或另一个导入任务）。请先关闭它，或在应用的“资料库”页上传文件；"
            "多进程共享请使用 Qdrant 服务（设置 QDRANT_URL）。"
        )

    def _lock(self) -> None:
        fh = open(self.path / f"{self.collection}.lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise self._busy_error() from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._lock_fh = fh

    def _open(self, name: str, config: qe.EdgeConfig) -> qe.EdgeShard:
        shard_dir = self.path / name
        try:
            segments = shard_dir / "segments"
            if (shard_dir / "edge_config.json").is_file() or (segments.is_dir() and any(segments.iterdir())):
                # Passing the config checks it against the stored vectors and updates the tunables.
                return qe.EdgeShard.load(str(shard_dir), config)
            return qe.EdgeShard.create(str(shard_dir), config)
        except Exception as exc:
            if _is_locked_error(exc):
                raise self._busy_error() from exc
            raise StoreError(f"无法打开向量库 {shard_dir}：{exc}。若文件已损坏，请删除该目录后重新导入。") from exc

    def _passages_config(self) -> qe.EdgeConfig:
        return qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=self.dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                           full_scan_threshold=HNSW_FULL_SCAN_THRESHOLD_KB),
            # Payload stays mmapped but cached: reading 10 payloads from "cold" storage cost
            # 2-6 ms a query in bench/store.py, more than the HNSW search itself.
            payload_memory=qe.Memory.Cached,
        )

    @staticmethod
    def _docs_config() -> qe.EdgeConfig:
        # Edge needs at least one vector in a shard's config; registry points simply have none.
        return qe.EdgeConfig(sparse_vectors={"none": qe.EdgeSparseVectorParams()})

    def _ensure(self) -> None:
        self._docs = self._open(self.docs_collection, self._docs_config())
        meta = self._docs.retrieve([_META_ID], True, False)
        if meta:
            p = meta[0].payload or {}
            if p.get("dim") != self.dim or p.get("embedder") != self.embedder:
                raise StoreError(
                    f"集合 {self.collection} 由嵌入模型 {p.get('embedder')}（{p.get('dim')} 维）建立，"
                    f"当前设置为 {self.embedder}（{self.dim} 维）。请改回原模型，或换一个集合名后重新导入。"
                )
        stored_dim = self._stored_dim()
        if stored_dim is not None and stored_dim != self.dim:
            raise StoreError(
                f"集合 {self.collection} 的向量为 {stored_dim} 维，当前嵌入模型 {self.embedder} 为 {self.dim} 维。"
                "请改回原模型，或换一个集合名后重新导入。"
            )
        self._passages = self._open(self.collection, self._passages_config())
        # Create missing payload indexes (all of them on a new shard; idempotent on reopen).
        have = set(self._passages.info().payload_schema)
        wanted = ([(k, qe.PayloadSchemaType.Keyword) for k in KEYWORD_INDEXES]
                  + [(k, qe.PayloadSchemaType.Integer) for k in INTEGER_INDEXES]
                  + [(k, qe.PayloadSchemaType.Bool) for k in BOOL_INDEXES])
        missing = [(k, t) for k, t in wanted if k not in have]
        for key, schema in missing:
            self._passages.update(qe.UpdateOperation.create_field_index(key, schema))
        if missing:
            self._passages.flush()
        if not meta:
            self._docs.update(qe.UpdateOperation.upsert_points([qe.Point(
                id=_META_ID, vector={},
                payload={"kind": "meta", "dim": self.dim, "embedder": self.embedder, "schema": SCHEMA_VERSION},
            )]))
            self._docs.flush()

    def _stored_dim(self) -> int | None:
        """Size of the dense vector as persisted in the passages shard's ``edge_config.json``."""
        try:
            cfg = json.loads((self.path / self.collection / "edge_config.json").read_text("utf-8"))
            return int(cfg["vectors"][DENSE]["size"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def shard(self) -> qe.EdgeShard:
        if self._passages is None:
            raise StoreError("向量库已关闭。")
        return self._passages

    @property
    def docs_shard(self) -> qe.EdgeShard:
        if self._docs is None:
            raise StoreError("向量库已关闭。")
        return self._docs

    # -- passages ---------------------------------------------------------
    def upsert_passages(self, records: Sequence[PointRecord]) -> None:
        if not records:
            return
        points = [
            qe.Point(
                id=r.id,
                vector={
                    DENSE: np.asarray(r.dense, dtype=np.float32).tolist(),
                    SPARSE: qe.SparseVector(indices=[int(i) for i in r.sparse_indices],
                                            values=[float(v) for v in r.sparse_values]),
                },
                payload=r.payload,
            )
            for r in records
        ]
        self.shard.update(qe.UpdateOperation.upsert_points(points))
        self._written += len(points)
        self._dirty = True

    def mark_complete(self, doc_id: str, content_hash: str) -> None:
        self.shard.update(qe.UpdateOperation.set_payload_by_filter(
            _doc_filter(doc_id, hash=content_hash), {"complete": True}))
        self._dirty = True

    def delete_passages(self, doc_id: str, except_hash: str | None = None) -> None:
        self.shard.update(qe.UpdateOperation.delete_points_by_filter(
            _doc_filter(doc_id, except_hash=except_hash)))
        self._dirty = True

    def delete_incomplete(self) -> int:
        flt = qe.Filter(must=[_match("complete", False)])
        n = self.shard.count(qe.CountRequest(exact=True, filter=flt))
        if n:
            self.shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
            self._dirty = True
            self.flush()
        return n

    def count_passages(self, doc_id: str | None = None, complete_only: bool = True) -> int:
        must: list[Any] = []
        if complete_only:
            must.append(_match("complete", True))
        if doc_id:
            must.append(_match("doc_id", doc_id))
        return self.shard.count(qe.CountRequest(exact=True, filter=qe.Filter(must=must)))

    def _scroll(self, shard: qe.EdgeShard, flt: qe.Filter) -> list[qe.Record]:
        out: list[qe.Record] = []
        offset = None
        while True:
            points, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=_PAGE, filter=flt,
                                                           with_payload=True, with_vector=False))
            out.extend(points)
            if offset is None:
                return out

    def doc_passages(self, doc_id: str) -> list[dict[str, Any]]:
        flt = qe.Filter(must=[_match("doc_id", doc_id), _match("complete", True)])
        out = [dict(p.payload or {}, id=str(p.id)) for p in self._scroll(self.shard, flt)]
        return sorted(out, key=lambda p: p.get("idx", 0))

    def query(self, dense, sparse, limit, flt=None, mode: Mode = "hybrid", prefetch_k: int = 40,
              lead: bool = False):
        qf = build_filter(flt)
        want, limit = limit, limit + TIE_SLACK
        sv = None
        if sparse and len(sparse[0]):
            sv = qe.SparseVector(indices=[int(i) for i in sparse[0]], values=[float(v) for v in sparse[1]])
        if mode == "sparse" or (mode == "hybrid" and dense is None):
            if sv is None:
                return []
            req = qe.QueryRequest(limit=limit, query=qe.Query.Nearest(sv, using=SPARSE), filter=qf,
                                  with_payload=True)
        elif mode == "dense" or sv is None:
            req = qe.QueryRequest(limit=limit, query=qe.Query.Nearest(_dense(dense), using=DENSE), filter=qf,
                                  with_payload=True)
        else:
            pk = max(prefetch_k, want)
            prefetches = [
                qe.Prefetch(limit=pk, query=qe.Query.Nearest(_dense(dense), using=DENSE), filter=qf),
                qe.Prefetch(limit=pk, query=qe.Query.Nearest(sv, using=SPARSE), filter=qf),
            ]
            if lead:  # third list: BM25 over documents' opening passages (see Store.query)
                lf = build_filter(flt)
                lf = qe.Filter(must=list(lf.must or []) + [_match("idx", 0)])
                prefetches.append(qe.Prefetch(limit=pk, query=qe.Query.Nearest(sv, using=SPARSE), filter=lf))
            # qdrant_edge's stubs nest Rrf in Fusion; at run time Fusion.Rrf is a subclass of Fusion.
            fusion = cast(qe.Fusion, qe.Fusion.Rrf(k=RRF_K, weights=[1.0, 1.0, LEAD_WEIGHT] if lead else None))
            req = qe.QueryRequest(
                limit=limit,
                prefetches=prefetches,
                query=fusion,
                filter=qf,
                with_payload=True,
            )
        return settle_ties([ScoredPayload(id=str(p.id), score=float(p.score), payload=dict(p.payload or {}))
                            for p in self.shard.query(req)], want)

    # -- document registry ------------------------------------------------
    @staticmethod
    def _doc_point_id(doc_id: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "policyqa:doc:" + doc_id))

    def put_doc(self, meta: DocumentMeta, flush: bool = True) -> None:
        self.docs_shard.update(qe.UpdateOperation.upsert_points([qe.Point(
            id=self._doc_point_id(meta.doc_id), vector={}, payload=dict(meta.to_payload(), kind="doc"))]))
        self._docs_dirty = True
        if flush:
            self.flush()  # a document is complete: make it durable (passages first, then the registry)

    def get_doc(self, doc_id: str) -> DocumentMeta | None:
        pts = self.docs_shard.retrieve([self._doc_point_id(doc_id)], True, False)
        return DocumentMeta.from_payload(pts[0].payload or {}) if pts else None

    def list_docs(self) -> list[DocumentMeta]:
        flt = qe.Filter(must=[_match("kind", "doc")])
        out = [DocumentMeta.from_payload(p.payload or {}) for p in self._scroll(self.docs_shard, flt)]
        return sorted(out, key=lambda m: (m.title, m.doc_id))

    def delete_doc(self, doc_id: str) -> None:
        self.docs_shard.update(qe.UpdateOperation.delete_points([self._doc_point_id(doc_id)]))
        self._docs_dirty = True
        self.flush()

    # -- maintenance ------------------------------------------------------
    def flush(self) -> None:
        """Persist everything written so far (segments and WAL) to disk."""
        if self._passages is not None and self._dirty:
            self._passages.flush()
            self._dirty = False
        if self._docs is not None and self._docs_dirty:
            self._docs.flush()
            self._docs_dirty = False

    def optimize(self) -> bool:
        """Merge segments and build the HNSW / payload indexes; blocks until done."""
        log.info("正在为向量库 %s 建立索引（HNSW），数据量大时需要一两分钟……", self.collection)
        changed = self.shard.optimize()
        self._written = 0
        self.shard.flush()
        return changed

    def close(self) -> None:
        try:
            if self._passages is not None and self._written >= OPTIMIZE_AFTER:
                self.optimize()
            self.flush()
        finally:
            self._release()

    def _release(self) -> None:
        for name in ("_passages", "_docs"):
            shard = getattr(self, name)
            setattr(self, name, None)
            if shard is not None:
                try:
                    shard.close()
                except Exception:
                    pass
        if self._lock_fh is not None:
            try:
                fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            finally:
                self._lock_fh.close()
                self._lock_fh = None


def _dense(vec: Any) -> list[float]:
    return np.asarray(vec, dtype=np.float32).tolist()
