"""Open the shared resources (embedder + store) once per process.

The embedded Qdrant store is single-process (local mode locks its folder), so
the app, the retriever and in-app uploads must share one handle.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from .embedders import Embedder, get_embedder
from .settings import Settings, load_settings
from .store import Store, open_store

log = logging.getLogger("policyqa")


@dataclass
class Resources:
    settings: Settings
    embedder: Embedder
    store: Store

    def close(self) -> None:
        self.store.close()


_lock = threading.Lock()


def open_resources(settings: Settings | None = None) -> Resources:
    settings = settings or load_settings()
    with _lock:
        emb = get_embedder(settings.embedder)
        store = open_store(settings, emb.dim, emb.name)
    log.debug("opened store %s (%s) with embedder %s", store.collection, store.backend, emb.name)
    return Resources(settings=settings, embedder=emb, store=store)


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
