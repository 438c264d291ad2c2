"""Store on qdrant-client: embedded local mode (``path=``) or a Qdrant server (``url=``).

The same calls run against both; local mode is qdrant-client's pure-Python
engine (brute force), a server is how large deployments scale out.
"""
from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

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

SCHEMA_VERSION = 1
_META_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "policyqa:meta"))


def build_filter(flt: SearchFilter | None, complete_only: bool = True) -> models.Filter:
    must: list[Any] = []
    if complete_only:
        must.append(models.FieldCondition(key="complete", match=models.MatchValue(value=True)))
    if flt is not None:
        if flt.doc_types:
            must.append(models.FieldCondition(key="doc_type", match=models.MatchAny(any=list(flt.doc_types))))
        if flt.doc_ids:
            must.append(models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(flt.doc_ids))))
        if flt.sources:
            must.append(models.FieldCondition(key="source", match=models.MatchAny(any=list(flt.sources))))
        if flt.date_from or flt.date_to:
            rng = models.Range(
                gte=date_to_int(flt.date_from) if flt.date_from else None,
                lte=date_to_int(flt.date_to, upper=True) if flt.date_to else None,
            )
            must.append(models.FieldCondition(key="date_int", range=rng))
    must_not: list[Any] = [models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(flt.exclude_doc_ids)))] if flt is not None and flt.exclude_doc_ids else []
    return models.Filter(must=must, must_not=must_not or None)


def _doc_filter(doc_id: str, **extra: Any) -> models.Filter:
    must: list[Any] = [models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))]
    must_not: list[Any] = []
    if extra.get("except_hash"):
        must_not.append(models.FieldCondition(key="hash", match=models.MatchValue(value=extra["except_hash"])))
    if extra.get("hash"):
        must.append(models.FieldCondition(key="hash", match=models.MatchValue(value=extra["hash"])))
    return models.Filter(must=must, must_not=must_not or None)


class QdrantClientStore(Store):
    def __init__(self, collection: str, dim: int, embedder: str, *, path: str | None = None,
                 url: str | None = None, api_key: str | None = None):
        super().__init__(collection, dim, embedder)
        self.backend = "server" if url else "local"
        try:
            if url:
                self.client = QdrantClient(url=url, api_key=api_key or None, timeout=60)
            else:
                self.client = QdrantClient(path=path)
        except RuntimeError as exc:  # local mode holds a lock on its folder
            if "already accessed" in str(exc):
                raise StoreError(
                    f"向量库目录 {path} 正被另一个进程使用（例如正在运行的应用或另一个导入任务）。"
                    "请先关闭它，或在应用的“资料库”页上传文件；多进程共享请使用 Qdrant 服务（设置 QDRANT_URL）。"
                ) from exc
            raise
        except Exception as exc:
            if url:
                raise StoreError(f"无法连接 Qdrant 服务 {url}：{exc}。请检查 QDRANT_URL 与网络。") from exc
            raise
        self._ensure()

    # -- schema -----------------------------------------------------------
    def _ensure(self) -> None:
        c = self.client
        if not c.collection_exists(self.docs_collection):
            c.create_collection(self.docs_collection, vectors_config={})
        meta = c.retrieve(self.docs_collection, [_META_ID], with_payload=True)
        if meta:
            p = meta[0].payload or {}
            if p.get("dim") != self.dim or p.get("embedder") != self.embedder:
                raise StoreError(
                    f"集合 {self.collection} 由嵌入模型 {p.get('embedder')}（{p.get('dim')} 维）建立，"
                    f"当前设置为 {self.embedder}（{self.dim} 维）。请改回原模型，或换一个集合名后重新导入。"
                )
        if not c.collection_exists(self.collection):
            c.create_collection(
                self.collection,
                vectors_config={DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            with warnings.catch_warnings():  # local mode ignores payload indexes and warns; servers use them
                warnings.simplefilter("ignore")
                for key in KEYWORD_INDEXES:
                    c.create_payload_index(self.collection, key, models.PayloadSchemaType.KEYWORD)
                for key in INTEGER_INDEXES:
                    c.create_payload_index(self.collection, key, models.PayloadSchemaType.INTEGER)
                for key in BOOL_INDEXES:
                    c.create_payload_index(self.collection, key, models.PayloadSchemaType.BOOL)
        if not meta:
            c.upsert(self.docs_collection, [models.PointStruct(
                id=_META_ID, vector={},
                payload={"kind": "meta", "dim": self.dim, "embedder": self.embedder, "schema": SCHEMA_VERSION},
            )])

    # -- passages ---------------------------------------------------------
    def upsert_passages(self, records: Sequence[PointRecord]) -> None:
        if not records:
            return
        points = [
            models.PointStruct(
                id=r.id,
                vector={
                    DENSE: np.asarray(r.dense, dtype=np.float32).tolist(),
                    SPARSE: models.SparseVector(indices=list(r.sparse_indices), values=list(r.sparse_values)),
                },
                payload=r.payload,
            )
            for r in records
        ]
        self.client.upsert(self.collection, points, wait=True)

    def mark_complete(self, doc_id: str, content_hash: str) -> None:
        self.client.set_payload(self.collection, {"complete": True},
                                points=_doc_filter(doc_id, hash=content_hash), wait=True)

    def delete_passages(self, doc_id: str, except_hash: str | None = None) -> None:
        self.client.delete(self.collection, points_selector=models.FilterSelector(
            filter=_doc_filter(doc_id, except_hash=except_hash)), wait=True)

    def delete_incomplete(self) -> int:
        flt = models.Filter(must=[models.FieldCondition(key="complete", match=models.MatchValue(value=False))])
        n = self.client.count(self.collection, count_filter=flt, exact=True).count
        if n:
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=flt), wait=True)
        return n

    def count_passages(self, doc_id: str | None = None, complete_only: bool = True) -> int:
        must: list[Any] = []
        if complete_only:
            must.append(models.FieldCondition(key="complete", match=models.MatchValue(value=True)))
        if doc_id:
            must.append(models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)))
        return self.client.count(self.collection, count_filter=models.Filter(must=must), exact=True).count

    def doc_passages(self, doc_id: str) -> list[dict[str, Any]]:
        flt = models.Filter(must=[
            models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
            models.FieldCondition(key="complete", match=models.MatchValue(value=True)),
        ])
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            points, offset = self.client.scroll(self.collection, scroll_filter=flt, limit=256,
                                                offset=offset, with_payload=True, with_vectors=False)
            out.extend(dict(p.payload or {}, id=str(p.id)) for p in points)
            if offset is None:
                break
        return sorted(out, key=lambda p: p.get("idx", 0))

    def query(self, dense, sparse, limit, flt=None, mode: Mode = "hybrid", prefetch_k: int = 40, lead: bool = False):
        qf = build_filter(flt)
        want, limit = limit, limit + TIE_SLACK
        sv = models.SparseVector(indices=list(sparse[0]), values=list(sparse[1])) if sparse else None
        if mode == "sparse" or (mode == "hybrid" and dense is None):
            if sv is None or not sv.indices:
                return []
            res = self.client.query_points(self.collection, query=sv, using=SPARSE, query_filter=qf,
                                           limit=limit, with_payload=True)
        elif mode == "dense" or sv is None or not sv.indices:
            res = self.client.query_points(self.collection, query=np.asarray(dense, dtype=np.float32).tolist(),
                                           using=DENSE, query_filter=qf, limit=limit, with_payload=True)
        else:
            pk = max(prefetch_k, want)
            prefetch = [
                models.Prefetch(query=np.asarray(dense, dtype=np.float32).tolist(), using=DENSE,
                                filter=qf, limit=pk),
                models.Prefetch(query=sv, using=SPARSE, filter=qf, limit=pk),
            ]
            if lead:
                must = qf.must if isinstance(qf.must, list) else []  # build_filter always sets a list
                lf = models.Filter(must=[*must, models.FieldCondition(key="idx", match=models.MatchValue(value=0))])
                prefetch.append(models.Prefetch(query=sv, using=SPARSE, filter=lf, limit=pk))
            res = self.client.query_points(
                self.collection,
                prefetch=prefetch,
                query=models.RrfQuery(rrf=models.Rrf(k=RRF_K, weights=[1.0, 1.0, LEAD_WEIGHT] if lead else None)),
                query_filter=qf, limit=limit, with_payload=True,
            )
        return settle_ties([ScoredPayload(id=str(p.id), score=float(p.score), payload=dict(p.payload or {}))
                            for p in res.points], want)

    # -- document registry ------------------------------------------------
    @staticmethod
    def _doc_point_id(doc_id: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "policyqa:doc:" + doc_id))

    def put_doc(self, meta: DocumentMeta, flush: bool = True) -> None:
        self.client.upsert(self.docs_collection, [models.PointStruct(
            id=self._doc_point_id(meta.doc_id), vector={}, payload=dict(meta.to_payload(), kind="doc"))], wait=True)

    def get_doc(self, doc_id: str) -> DocumentMeta | None:
        pts = self.client.retrieve(self.docs_collection, [self._doc_point_id(doc_id)], with_payload=True)
        return DocumentMeta.from_payload(pts[0].payload or {}) if pts else None

    def list_docs(self) -> list[DocumentMeta]:
        flt = models.Filter(must=[models.FieldCondition(key="kind", match=models.MatchValue(value="doc"))])
        out: list[DocumentMeta] = []
        offset = None
        while True:
            pts, offset = self.client.scroll(self.docs_collection, scroll_filter=flt, limit=512,
                                             offset=offset, with_payload=True)
            out.extend(DocumentMeta.from_payload(p.payload or {}) for p in pts)
            if offset is None:
                break
        return sorted(out, key=lambda m: (m.title, m.doc_id))

    def delete_doc(self, doc_id: str) -> None:
        self.client.delete(self.docs_collection, points_selector=models.PointIdsList(
            points=[self._doc_point_id(doc_id)]), wait=True)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:
            pass
