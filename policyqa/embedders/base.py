"""The embedder seam: one small interface, implementations picked by name."""
from __future__ import annotations

import abc
from collections.abc import Sequence

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder cannot be created; the message tells the user what to do."""


class Embedder(abc.ABC):
    """Dense text embedder. Vectors are float32 and L2-normalised."""

    name: str
    """Registry name incl. argument (``e5``, ``use``, ``st:/models/bge-m3``); recorded in the store."""
    dim: int
    label: str = ""
    """Human-readable name for logs and the UI."""

    @abc.abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(N, dim) vectors for passages (documents)."""

    @abc.abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(N, dim) vectors for search queries (asymmetric models add their query prompt)."""

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]



def l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)
