"""Optional cross-encoder rerank from a local sentence-transformers model directory.

Off by default: no Chinese cross-encoder ships offline here. Users with e.g.
bge-reranker on disk set ``POLICYQA_RERANKER=/models/bge-reranker-v2-m3``.
"""
from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path

from policyqa.types import Hit

_cache: dict[str, object] = {}
_lock = threading.Lock()


class RerankerError(RuntimeError):
    pass


def load_cross_encoder(path: str):
    with _lock:
        if path not in _cache:
            if not Path(path).is_dir():
                raise RerankerError(f"重排序模型目录不存在：{path}（POLICYQA_RERANKER 应指向本地 sentence-transformers CrossEncoder 目录）")
            os.environ["HF_HUB_OFFLINE"] = "1"
            from sentence_transformers import CrossEncoder

            try:
                _cache[path] = CrossEncoder(path, device="cpu", local_files_only=True)
            except Exception as exc:
                raise RerankerError(f"无法加载重排序模型 {path}：{exc}") from exc
        return _cache[path]


def rerank(query: str, hits: list[Hit], path: str) -> list[Hit]:
    """``hits`` re-ordered by the cross-encoder's score (which replaces ``score``)."""
    if not hits:
        return hits
    model = load_cross_encoder(path)
    scores = model.predict([(query, h.text) for h in hits], convert_to_numpy=True)
    ranked = sorted(zip(scores.tolist(), hits), key=lambda x: -x[0])
    return [dataclasses.replace(h, score=float(s)) for s, h in ranked]
