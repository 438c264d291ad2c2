"""Open the configured Qdrant store (embedded or server)."""
from __future__ import annotations

from ..settings import Settings
from .base import DENSE, SPARSE, PointRecord, ScoredPayload, Store, StoreError, date_to_int

__all__ = ["DENSE", "SPARSE", "PointRecord", "ScoredPayload", "Store", "StoreError", "date_to_int", "open_store"]


def open_store(settings: Settings, dim: int, embedder: str) -> Store:
    """The passages store for ``settings``: a Qdrant server if ``qdrant_url`` is set, else embedded."""
    collection = f"{settings.collection}_{embedder_slug(embedder)}"
    if settings.qdrant_url:
        from .qdrant_client_store import QdrantClientStore

        return QdrantClientStore(collection, dim, embedder, url=settings.qdrant_url,
                                 api_key=settings.qdrant_api_key)
    settings.store_path.mkdir(parents=True, exist_ok=True)
    if settings.store == "edge":
        from .edge_store import EdgeStore

        return EdgeStore(collection, dim, embedder, path=str(settings.store_path))
    if settings.store == "local":
        from .qdrant_client_store import QdrantClientStore

        return QdrantClientStore(collection, dim, embedder, path=str(settings.store_path))
    raise StoreError(f"未知的存储后端 {settings.store!r}：请设为 local 或 edge（或设置 QDRANT_URL 使用 Qdrant 服务）。")


def embedder_slug(name: str) -> str:
    """Collection-name-safe form of an embedder name (``st:/x/bge-m3`` → ``st_bge_m3``)."""
    import re

    if name.startswith("st:"):
        name = "st_" + name.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_").lower() or "default"
