"""The ingestion job: files → load → clean → split → embed → store.

Incremental and idempotent: a document's content hash covers its cleaned text
and the whole indexing recipe; an unchanged document is skipped, a changed one
replaces its passages. Crash-safe: new passages are written invisible
(``complete=False``), then the old version is deleted, then the new one is
made visible, then the registry record is written.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tqdm import tqdm

from policyqa import sparse
from policyqa.runtime import Resources, open_resources
from policyqa.settings import Settings
from policyqa.store import PointRecord, date_to_int, embedder_slug
from policyqa.textnorm import normalize_for_index
from policyqa.types import Document, DocumentMeta, FileResult, IngestReport

from .clean import clean_text
from .embed_cache import EmbeddingCache
from .loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from .lock import IngestLock
from .metadata import extract_metadata, read_manifest
from .split import Chunk, split_document

log = logging.getLogger("policyqa.ingest")

RECIPE_VERSION = "v1"
_IGNORED_NAMES = {"manifest.csv", "README.md", "readme.md", ".DS_Store", "Thumbs.db"}

ProgressFn = Callable[[str, int, int], None]
"""Optional callback ``(stage, done, total)`` for UIs (the app's upload progress)."""


def doc_id_for(path: Path) -> str:
    return "d" + hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:12]


def passage_id(doc_id: str, content_hash: str, idx: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"policyqa:{doc_id}:{content_hash}:{idx}"))


def embed_text(title: str, heading_path: list[str], text: str) -> str:
    """What the embedder and BM25 see: the heading context, then the passage (normalised)."""
    context = " › ".join([title] + [h for h in heading_path[1:] if h])
    return normalize_for_index(f"{context}\n{text}")


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Files under ``paths`` (recursively, never following directory symlinks).

    Yields ``(path, reason)``; a non-empty reason means the path is to be reported as skipped.
    """
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        if not p.exists():
            yield p, "文件或目录不存在"
            continue
        if p.is_file():
            candidates: Iterable[Path] = [p]
        else:
            candidates = sorted(
                Path(root) / name
                for root, dirs, files in os.walk(p, followlinks=False)
                for name in files
                if not name.startswith(".") and name not in _IGNORED_NAMES
            )
        for f in candidates:
            try:
                real = f.resolve(strict=True)
            except (OSError, RuntimeError):
                yield f, "无法解析路径（可能是失效或循环的符号链接）"
                continue
            if real in seen:
                continue
            seen.add(real)
            if not real.is_file():
                yield f, "不是普通文件"
            elif f.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield f, f"不支持的文件格式：{f.suffix or '（无扩展名）'}（支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}）"
            else:
                yield f, ""


@dataclass
class Prepared:
    path: Path
    doc: Document
    chunks: list[Chunk]
    previous: DocumentMeta | None = None


@dataclass
class Ingestor:
    """Holds the shared resources; ``run`` ingests paths, ``delete``/``list`` manage documents."""

    res: Resources
    progress: bool = True
    on_progress: ProgressFn | None = None
    _cache: EmbeddingCache | None = field(default=None, init=False)

    @classmethod
    def open(cls, settings: Settings | None = None, **kw) -> "Ingestor":
        return cls(open_resources(settings), **kw)

    @property
    def settings(self) -> Settings:
        return self.res.settings

    @property
    def recipe(self) -> str:
        s = self.settings
        return (f"{RECIPE_VERSION}|split:{s.chunk_target}/{s.chunk_max}/{s.article_max}"
                f"|emb:{self.res.embedder.name}|{sparse.VERSION}")

    def _extra_dicts(self) -> tuple[str, ...]:
        return (self.settings.userdict,) if self.settings.userdict else ()

    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            emb = self.res.embedder
            self._cache = EmbeddingCache(self.settings.home_path / "cache" / f"emb-{embedder_slug(emb.name)}.sqlite",
                                         emb.name, emb.dim)
        return self._cache

    # -- preparing ----------------------------------------------------------
    def prepare(self, path: Path, manifest: dict[str, dict[str, str]]) -> Prepared:
        """Load, clean, extract metadata and split one file. Raises LoadError."""
        s = self.settings
        raw = load_file(path, max_bytes=None)
        cleaned = clean_text(raw.text)
        if not cleaned.text.strip():
            raise LoadError("清理后没有正文内容")
        hints = extract_metadata(raw.text, cleaned.text, path, raw.title_hint)
        over = manifest.get(path.name, {})
        title = over.get("title") or hints.title or path.stem
        doc_type = over.get("type") or hints.doc_type or "article"
        date = over.get("date") or hints.date
        digest = hashlib.sha256(f"{self.recipe}\n{title}\n{cleaned.text}".encode("utf-8")).hexdigest()[:16]
        meta = DocumentMeta(
            doc_id=doc_id_for(path),
            title=title,
            path=str(path.resolve()),
            content_hash=digest,
            date=date,
            date_text=hints.date_text or over.get("date", ""),
            source=over.get("source") or hints.source,
            author=over.get("author") or hints.author,
            doc_type=doc_type,
            n_chars=len(cleaned.text),
        )
        chunks = split_document(cleaned.text, title, target=s.chunk_target, max_chars=s.chunk_max,
                                article_max=s.article_max)
        if not chunks:
            raise LoadError("没有可检索的正文段落")
        meta.n_passages = len(chunks)
        return Prepared(path=path, doc=Document(meta=meta, text=cleaned.text, removed_lines=cleaned.removed),
                        chunks=chunks)

    def _is_current(self, meta: DocumentMeta, prev: DocumentMeta | None) -> bool:
        store = self.res.store
        return (prev is not None and prev.content_hash == meta.content_hash
                and store.count_passages(meta.doc_id) == prev.n_passages)

    # -- writing --------------------------------------------------------------
    def _write(self, prep: Prepared, bar: tqdm | None, report: IngestReport) -> None:
        meta, chunks = prep.doc.meta, prep.chunks
        store, emb = self.res.store, self.res.embedder
        texts = [embed_text(meta.title, c.heading_path, c.text) for c in chunks]
        batch = max(1, self.settings.embed_batch)
        records: list[PointRecord] = []
        for i in range(0, len(chunks), batch):
            t0 = time.perf_counter()
            vecs, _ = self.cache().embed(texts[i:i + batch], emb.embed_passages)
            report.embed_seconds += time.perf_counter() - t0
            for j, vec in enumerate(vecs):
                k = i + j
                c = chunks[k]
                si, sv = sparse.doc_vector(texts[k], self._extra_dicts())
                records.append(PointRecord(
                    id=passage_id(meta.doc_id, meta.content_hash, k), dense=vec,
                    sparse_indices=si, sparse_values=sv,
                    payload={
                        "doc_id": meta.doc_id, "hash": meta.content_hash, "idx": k, "text": c.text,
                        "heading": c.heading_path, "start": c.start, "end": c.end,
                        "title": meta.title, "date": meta.date, "date_int": date_to_int(meta.date),
                        "doc_type": meta.doc_type, "source": meta.source, "path": meta.path,
                        "complete": False,
                    },
                ))
            if bar is not None:
                bar.update(len(vecs))
            if self.on_progress:
                self.on_progress("embed", bar.n if bar is not None else k + 1, bar.total if bar is not None else len(chunks))
        for i in range(0, len(records), 256):
            store.upsert_passages(records[i:i + 256])
        # Old version out, new version visible, then the registry record: see module docstring.
        store.delete_passages(meta.doc_id, except_hash=meta.content_hash)
        store.mark_complete(meta.doc_id, meta.content_hash)
        meta.ingested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        store.put_doc(meta)

    def run(self, paths: Iterable[Path], prune: bool = False) -> IngestReport:
        """Ingest files and folders; returns the per-file report."""
        report = IngestReport()
        t_start = time.perf_counter()
        with IngestLock(self.settings.home_path):
            store = self.res.store
            leftovers = store.delete_incomplete()
            if leftovers:
                log.info("清理了上次中断留下的 %d 个未完成段落", leftovers)
            files = list(iter_files(paths))
            manifests: dict[Path, dict[str, dict[str, str]]] = {}
            todo: list[Prepared] = []
            for f, reason in tqdm(files, desc="读取与切分", unit="文件", disable=not self.progress):
                if reason:
                    report.files.append(FileResult(path=str(f), status="skipped", reason=reason))
                    continue
                if f.parent not in manifests:
                    manifests[f.parent] = read_manifest(f.parent)
                try:
                    prep = self.prepare(f, manifests[f.parent])
                except LoadError as exc:
                    report.files.append(FileResult(path=str(f), status="skipped", reason=str(exc)))
                    log.warning("跳过 %s：%s", f, exc)
                    continue
                except Exception as exc:  # a bug or odd file must not stop the run
                    log.exception("处理 %s 时出错", f)
                    report.files.append(FileResult(path=str(f), status="skipped", reason=f"处理失败：{exc}"))
                    continue
                prep.previous = store.get_doc(prep.doc.meta.doc_id)
                meta = prep.doc.meta
                if self._is_current(meta, prep.previous):
                    report.files.append(FileResult(path=str(f), status="unchanged", doc_id=meta.doc_id,
                                                   title=meta.title, n_passages=meta.n_passages))
                else:
                    todo.append(prep)
            total = sum(len(p.chunks) for p in todo)
            with tqdm(total=total, desc="嵌入与入库", unit="段", disable=not self.progress or not total) as bar:
                for prep in todo:
                    meta = prep.doc.meta
                    try:
                        self._write(prep, bar, report)
                    except Exception as exc:
                        log.exception("写入 %s 失败", prep.path)
                        report.files.append(FileResult(path=str(prep.path), status="skipped",
                                                       reason=f"写入向量库失败：{exc}"))
                        continue
                    status = "updated" if prep.previous else "added"
                    report.files.append(FileResult(path=str(prep.path), status=status, doc_id=meta.doc_id,
                                                   title=meta.title, n_passages=meta.n_passages))
            if prune:
                report.deleted = self._prune()
        report.seconds = time.perf_counter() - t_start
        return report

    def _prune(self) -> list[str]:
        gone = [m for m in self.res.store.list_docs() if not Path(m.path).exists()]
        for m in gone:
            self._delete(m.doc_id)
            log.info("已移除（文件不存在）：%s %s", m.doc_id, m.title)
        return [m.doc_id for m in gone]

    def _delete(self, doc_id: str) -> None:
        self.res.store.delete_passages(doc_id)
        self.res.store.delete_doc(doc_id)

    def delete(self, doc_id: str) -> DocumentMeta | None:
        """Delete a document and its passages; returns its metadata, or None if unknown."""
        with IngestLock(self.settings.home_path):
            meta = self.res.store.get_doc(doc_id)
            if meta is None and not self.res.store.count_passages(doc_id, complete_only=False):
                return None
            self._delete(doc_id)
            return meta

    def list_docs(self) -> list[DocumentMeta]:
        return self.res.store.list_docs()

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
