"""Embedders picked by name from settings.

Built-ins register through the same hook third parties use: an entry point in
the ``policyqa.embedders`` group whose value is a factory ``f(arg: str) -> Embedder``.
``NAME:ARG`` passes ``ARG`` (e.g. ``st:/models/bge-m3``).
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from importlib.metadata import entry_points

from .base import Embedder, EmbedderError, l2_normalise

__all__ = ["Embedder", "EmbedderError", "available_embedders", "get_embedder", "l2_normalise"]

Factory = Callable[[str], Embedder]


def _builtin() -> dict[str, Factory]:
    from .builtin import E5Embedder, SentenceTransformerEmbedder, UseEmbedder

    return {"e5": E5Embedder, "use": UseEmbedder, "st": SentenceTransformerEmbedder}


@functools.lru_cache(maxsize=1)
def available_embedders() -> dict[str, Factory]:
    factories = dict(_builtin())
    for ep in entry_points(group="policyqa.embedders"):
        if ep.name in factories and ep.value.startswith("policyqa."):
            continue  # our own, already loaded
        try:
            factories[ep.name] = ep.load()
        except Exception:  # a broken plugin must not break the built-ins
            continue
    return factories


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(spec: str) -> Embedder:
    """The (process-wide, cached) embedder for ``spec``, e.g. ``e5``, ``use``, ``st:/path``."""
    with _cache_lock:
        if spec in _cache:
            return _cache[spec]
        name, _, arg = spec.partition(":")
        factories = available_embedders()
        if name not in factories:
            raise EmbedderError(f"未知的嵌入模型 {spec!r}。可用：{', '.join(sorted(factories))}（st 需写成 st:/模型目录）")
        emb = factories[name](arg)
        _cache[spec] = emb
        return emb
