"""The ingestion job: files → load → clean → split → embed → store.

Incremental and idempotent: a document's content hash covers its cleaned text
and the whole indexing recipe; an unchanged document is skipped, a changed one
replaces its passages. Crash-safe: new passages are written invisible
(``complete=False``), then the old version is deleted, then the new one is
made visible, then the registry record is written.

Memory stays bounded by the largest file (not the corpus): files are read and split
one at a time; short documents are embedded and written in groups of at most
``embed_batch`` passages, and a long document's passages go to the store in batches
(they are invisible until the document is complete, so partial batches are safe).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from policyqa import sparse
from policyqa.runtime import Resources, open_resources
from policyqa.settings import Settings
from policyqa.store import PointRecord, embedder_slug
from policyqa.textnorm import normalize_for_index
from policyqa.types import Document, DocumentMeta, FileResult, IngestReport, Passage
from policyqa.versions import STATUS_LABELS, assign_status

from .clean import clean_text
from .embed_cache import EmbeddingCache
from .loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from .lock import IngestLock
from .metadata import extract_metadata, read_manifest
from .revisions import RevisionInfo, parse_revisions, work_title
from .split import Chunk, split_document

log = logging.getLogger("policyqa.ingest")

RECIPE_VERSION = "v2"  # v2: passages carry work / version
_IGNORED_NAMES = {"manifest.csv", "README.md", "readme.md", ".DS_Store", "Thumbs.db"}

ProgressFn = Callable[[str, int, int], None]
"""Optional callback ``(stage, done, total)`` for UIs (the app's upload progress):
``("file", files done, files in the run)`` after each file and
``("embed", passages done, passages of the current file)`` while a file is embedded and stored."""

UPSERT_BATCH = 256
STREAM_BATCH = 256
"""At most this many passages per embedding call when one long document is streamed."""
SPARSE_MEMO = 1024
"""BM25 vectors remembered per run: repeated passages (boilerplate) are tokenised once."""
INNER_BAR_MIN = 500
"""Files with at least this many passages get their own progress bar."""


def one_line(text: object, limit: int = 200) -> str:
    """A message squeezed to one line (reasons in the run summary are one line each)."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[:limit - 1] + "…"


def display_path(path: Path | str) -> str:
    """The path as printable text (names that are not valid UTF-8 get U+FFFD)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


META_HEAD_CHARS = 200_000
META_TAIL_CHARS = 20_000


def _excerpt(text: str) -> str:
    """Head and tail of a very long text: metadata reads the first and last lines only
    (title, dateline, source, signature), so a 50 MB file is not split into lines again."""
    if len(text) <= META_HEAD_CHARS + META_TAIL_CHARS:
        return text
    head_end = text.rfind("\n", 0, META_HEAD_CHARS)
    tail_start = text.find("\n", len(text) - META_TAIL_CHARS)
    head = text[:head_end if head_end > 0 else META_HEAD_CHARS]
    tail = text[tail_start + 1 if tail_start >= 0 else len(text) - META_TAIL_CHARS:]
    return f"{head}\n{tail}"


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
        errors: list[OSError] = []
        if not p.is_dir():
            candidates: Iterable[Path] = [p]
        else:
            candidates = sorted(
                Path(root) / name
                for root, dirs, files in os.walk(p, followlinks=False, onerror=errors.append)
                for name in files
                if not name.startswith(".") and name not in _IGNORED_NAMES
            )
        for err in errors:
            yield Path(err.filename or p), f"无法读取目录：{one_line(err.strerror or err)}"
        for f in candidates:
            try:
                str(f).encode("utf-8")
            except UnicodeEncodeError:
                yield f, "文件名含有无法识别的字符（不是 UTF-8 编码），请重命名后再导入"
                continue
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
    _sparse_memo: Callable[[str], tuple[list[int], list[float]]] | None = field(default=None, init=False)

    @classmethod
    def open(cls, settings: Settings | None = None, **kw) -> Ingestor:
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
        raw = load_file(path, max_bytes=s.max_file_mb * 1024 * 1024)
        cleaned = clean_text(raw.text)
        if not cleaned.text.strip():
            raise LoadError("清理后没有正文内容")
        hints = extract_metadata(_excerpt(raw.text), _excerpt(cleaned.text), path, raw.title_hint)
        over = manifest.get(path.name, {})
        title = over.get("title") or hints.title or path.stem
        doc_type = over.get("type") or hints.doc_type or "article"
        # A regulation is dated by its latest revision (the header's last act), not its first adoption.
        rev = parse_revisions(_excerpt(raw.text)) if doc_type == "regulation" else RevisionInfo()
        del raw  # only the cleaned text is kept (large files: one copy less while splitting)
        date = over.get("date") or rev.date or hints.date
        # Everything a passage payload repeats from its document is part of the version: a manifest
        # that re-dates or re-types a file re-writes its passages.
        stamp = "|".join((title, date, doc_type, over.get("source") or hints.source or rev.issuer, rev.version))
        digest = hashlib.sha256(f"{self.recipe}\n{stamp}\n{cleaned.text}".encode()).hexdigest()[:16]
        meta = DocumentMeta(
            doc_id=doc_id_for(path),
            title=title,
            path=str(path.resolve()),
            content_hash=digest,
            date=date,
            date_text=(rev.version if rev.date and not over.get("date") else hints.date_text or over.get("date", "")),
            source=over.get("source") or hints.source or rev.issuer,
            author=over.get("author") or hints.author,
            doc_type=doc_type,
            n_chars=len(cleaned.text),
            work=work_title(title) if doc_type == "regulation" else "",
            version=rev.version if rev.date and date == rev.date else "",
            first_date=rev.first_date,
            history=rev.history,
            issuer=rev.issuer,
            doc_number=rev.doc_number,
            status="repealed" if over.get("status") == "repealed" else "current",
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
    def _sparse(self, text: str) -> tuple[list[int], list[float]]:
        if self._sparse_memo is None:
            extra = self._extra_dicts()
            self._sparse_memo = functools.lru_cache(maxsize=SPARSE_MEMO)(lambda t: sparse.doc_vector(t, extra))
        return self._sparse_memo(text)

    def _records(self, meta: DocumentMeta, chunks: list[Chunk], texts: list[str], vecs, first: int) -> list[PointRecord]:
        out = []
        for j, (c, text) in enumerate(zip(chunks, texts)):
            k = first + j
            si, sv = self._sparse(text)
            p = Passage(passage_id=passage_id(meta.doc_id, meta.content_hash, k), doc_id=meta.doc_id,
                        content_hash=meta.content_hash, idx=k, text=c.text, heading_path=c.heading_path,
                        start=c.start, end=c.end, title=meta.title, date=meta.date, doc_type=meta.doc_type,
                        source=meta.source, path=meta.path, work=meta.work, version=meta.version)
            out.append(PointRecord(id=p.passage_id, dense=vecs[j], sparse_indices=si, sparse_values=sv,
                                   payload=p.to_payload(complete=False)))
        return out

    def _finish(self, meta: DocumentMeta, flush: bool = True) -> None:
        """Old version out, new version visible, then the registry record: see module docstring."""
        store = self.res.store
        store.delete_passages(meta.doc_id, except_hash=meta.content_hash)
        store.mark_complete(meta.doc_id, meta.content_hash)
        meta.ingested_at = datetime.now(UTC).isoformat(timespec="seconds")
        store.put_doc(meta, flush=flush)

    def _embed_missing(self, texts: list[str]) -> tuple[np.ndarray | None, float]:
        """The embedder on texts the cache does not hold (runs on the group worker thread)."""
        t0 = time.perf_counter()
        vecs = np.asarray(self.res.embedder.embed_passages(texts), dtype=np.float32) if texts else None
        return vecs, time.perf_counter() - t0

    def _stream(self, prep: Prepared, report: IngestReport) -> None:
        """Embed and store one long document in batches (memory bounded by the batch, not the file)."""
        meta, chunks = prep.doc.meta, prep.chunks
        store = self.res.store
        n = len(chunks)
        step = max(1, min(STREAM_BATCH, self.settings.embed_batch))
        pending: list[PointRecord] = []
        inner = tqdm(total=n, desc=f"嵌入 {one_line(meta.title, 20)}", unit="段", leave=False,
                     disable=not self.progress or n < INNER_BAR_MIN)
        try:
            for i in range(0, n, step):
                part = chunks[i:i + step]
                texts = [embed_text(meta.title, c.heading_path, c.text) for c in part]
                t0 = time.perf_counter()
                vecs, _ = self.cache().embed(texts, self.res.embedder.embed_passages)
                report.embed_seconds += time.perf_counter() - t0
                pending += self._records(meta, part, texts, vecs, i)
                if len(pending) >= UPSERT_BATCH:
                    store.upsert_passages(pending)
                    pending = []
                inner.update(len(part))
                if self.on_progress:
                    self.on_progress("embed", min(i + step, n), n)
            store.upsert_passages(pending)
        finally:
            inner.close()
        self._finish(meta)

    def run(self, paths: Iterable[Path], prune: bool = False) -> IngestReport:
        """Ingest files and folders; returns the per-file report (in the order of the files).

        Files are read one at a time; short documents are embedded in groups, long ones
        streamed (see :class:`_Run`). Waits for another run on the same data
        directory to finish (see :class:`IngestLock`).
        """
        report = IngestReport()
        t_start = time.perf_counter()
        with IngestLock(self.settings.home_path):
            try:
                store = self.res.store
                leftovers = store.delete_incomplete()
                if leftovers:
                    log.info("清理了上次中断留下的 %d 个未完成段落", leftovers)
                files = list(iter_files(paths))
                # miniters=1: tqdm would otherwise print only every n-th file after a fast stretch
                # (unchanged files), and the bar would lag behind the run by dozens of files.
                with tqdm(total=len(files), desc="导入与入库", unit="文件", disable=not self.progress,
                          miniters=1) as bar, ThreadPoolExecutor(1, thread_name_prefix="embed-group") as pool:
                    results = _Run(self, pool, report, bar, len(files)).go(files)
                report.files.extend(results)
                if prune:
                    report.deleted = self._prune()
                self._refresh_versions()
            finally:
                self._end_run()
        report.seconds = time.perf_counter() - t_start
        return report

    def _prepare_one(self, f: Path, reason: str, manifests: dict[Path, dict[str, dict[str, str]]]
                     ) -> FileResult | Prepared:
        """Load, clean and split one file, or its result if it is skipped or unchanged. Never raises."""
        if reason:
            return FileResult(path=display_path(f), status="skipped", reason=one_line(reason))
        try:
            if f.parent not in manifests:
                manifests[f.parent] = read_manifest(f.parent)
            prep = self.prepare(f, manifests[f.parent])
        except LoadError as exc:
            log.warning("跳过 %s：%s", display_path(f), exc)
            return FileResult(path=display_path(f), status="skipped", reason=one_line(exc))
        except Exception as exc:  # a bug or an odd file must not stop the run
            log.exception("处理 %s 时出错", display_path(f))
            return FileResult(path=display_path(f), status="skipped",
                              reason=one_line(f"处理失败：{type(exc).__name__}：{exc}"))
        meta = prep.doc.meta
        prep.previous = self.res.store.get_doc(meta.doc_id)
        if self._is_current(meta, prep.previous):
            return FileResult(path=str(f), status="unchanged", doc_id=meta.doc_id, title=meta.title,
                              n_passages=meta.n_passages)
        return prep

    def _written(self, prep: Prepared) -> FileResult:
        meta = prep.doc.meta
        return FileResult(path=str(prep.path), status="updated" if prep.previous else "added", doc_id=meta.doc_id,
                          title=meta.title, n_passages=meta.n_passages)

    def _failed(self, prep: Prepared, exc: BaseException) -> FileResult:
        log.error("写入 %s 失败：%s", prep.path, exc, exc_info=exc)
        try:  # this document's invisible passages; the next run would remove them anyway
            self.res.store.delete_incomplete()
        except Exception:
            pass
        return FileResult(path=str(prep.path), status="skipped", reason=one_line(f"写入向量库失败：{exc}"))

    def _end_run(self) -> None:
        """Per-run state: the SQLite cache connection belongs to the run's thread (the app runs
        uploads on worker threads), the BM25 memo to the run."""
        self._sparse_memo = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _prune(self) -> list[str]:
        gone = [m for m in self.res.store.list_docs() if not Path(m.path).exists()]
        for m in gone:
            self._delete(m.doc_id)
            log.info("已移除（文件不存在）：%s %s", m.doc_id, m.title)
        return [m.doc_id for m in gone]

    def _delete(self, doc_id: str) -> None:
        self.res.store.delete_passages(doc_id)
        self.res.store.delete_doc(doc_id)

    def _refresh_versions(self) -> None:
        """现行 / 已被修订 over the whole library: an added revision supersedes the one before it, a
        deleted one gives force back to its predecessor."""
        for meta in assign_status(self.res.store.list_docs()):
            self.res.store.put_doc(meta, flush=False)
            log.info("%s（%s）：%s", meta.title, meta.version or meta.date, STATUS_LABELS[meta.status])
        self.res.store.flush()

    def delete(self, doc_id: str) -> DocumentMeta | None:
        """Delete a document and its passages; returns its metadata, or None if unknown."""
        with IngestLock(self.settings.home_path):
            meta = self.res.store.get_doc(doc_id)
            if meta is None and not self.res.store.count_passages(doc_id, complete_only=False):
                return None
            self._delete(doc_id)
            self._refresh_versions()
            return meta

    def list_docs(self) -> list[DocumentMeta]:
        return self.res.store.list_docs()

    def close(self) -> None:
        self._end_run()


@dataclass
class _Group:
    items: list[tuple[int, Prepared, list[str]]] = field(default_factory=list)
    """(index of the file in the run, the prepared document, its embedding texts)."""
    n: int = 0
    """Passages in the group."""
    vecs: np.ndarray | None = None
    miss: list[int] = field(default_factory=list)
    future: Future | None = None

    def add(self, i: int, prep: Prepared, texts: list[str]) -> None:
        self.items.append((i, prep, texts))
        self.n += len(texts)

    @property
    def texts(self) -> list[str]:
        return [t for _, _, ts in self.items for t in ts]


class _Run:
    """One run's loop over the files, in order.

    Short documents are embedded in groups of ``settings.embed_batch`` passages: the embedder then
    runs length-sorted batches across documents (bulk ingest of short laws: ~34 → ~55 passages/s),
    and a group is embedded on the worker thread while this thread prepares the next group and
    writes the previous one (BM25 tokenising and store writes overlap the model). A document of
    that many passages or more is streamed on its own, so memory stays bounded by the group."""

    def __init__(self, ing: Ingestor, pool: ThreadPoolExecutor, report: IngestReport, bar: tqdm, total: int):
        self.ing, self.pool, self.report, self.bar, self.total = ing, pool, report, bar, total
        self.results: list[FileResult | None] = []
        self.group_size = max(1, ing.settings.embed_batch)
        self.done = 0
        self.written = 0
        self.manifests: dict[Path, dict[str, dict[str, str]]] = {}

    def go(self, files: list[tuple[Path, str]]) -> list[FileResult]:
        group, in_flight = _Group(), None
        self.results = [None] * len(files)
        for i, (f, reason) in enumerate(files):
            r = self.ing._prepare_one(f, reason, self.manifests)
            if isinstance(r, FileResult):
                self._result(i, r)
                continue
            if len(r.chunks) >= self.group_size:  # long document: write what is queued, then stream it
                self._write_group(self._rotate(group, in_flight))
                group, in_flight = _Group(), None
                try:
                    self.ing._stream(r, self.report)
                    self._result(i, self.ing._written(r))
                except Exception as exc:
                    self._result(i, self.ing._failed(r, exc))
                continue
            meta = r.doc.meta
            texts = [embed_text(meta.title, c.heading_path, c.text) for c in r.chunks]
            group.add(i, r, texts)
            if group.n >= self.group_size:
                in_flight = self._rotate(group, in_flight)
                group = _Group()
        self._write_group(self._rotate(group, in_flight))
        return [r for r in self.results if r is not None]

    def _rotate(self, group: _Group, in_flight: _Group | None) -> _Group | None:
        """Start embedding ``group``, then write the group that was embedding; returns the new in-flight group."""
        if group.items:
            texts = group.texts
            group.vecs, group.miss = self.ing.cache().lookup(texts)
            group.future = self.pool.submit(self.ing._embed_missing, [texts[j] for j in group.miss])
        self._write_group(in_flight)
        return group if group.items else None

    def _write_group(self, group: _Group | None) -> None:
        if group is None:
            return
        ing, store = self.ing, self.ing.res.store
        try:
            assert group.future is not None, "_rotate starts every group it hands on"
            got, secs = group.future.result()
        except Exception as exc:  # the embedder failed: every document of the group is reported
            for i, prep, _ in group.items:
                self._result(i, ing._failed(prep, exc))
            return
        vecs = group.vecs
        assert vecs is not None, "_rotate looks every group it hands on up in the cache"
        self.report.embed_seconds += secs
        if group.miss:
            vecs[group.miss] = got
            texts = group.texts
            ing.cache().put([texts[j] for j in group.miss], got)
        at = 0
        for i, prep, ts in group.items:
            meta, n = prep.doc.meta, len(ts)
            try:
                recs = ing._records(meta, prep.chunks, ts, vecs[at:at + n], 0)
                for k in range(0, n, UPSERT_BATCH):
                    store.upsert_passages(recs[k:k + UPSERT_BATCH])
                ing._finish(meta, flush=False)
                self._result(i, ing._written(prep))
            except Exception as exc:
                self._result(i, ing._failed(prep, exc))
            if ing.on_progress:
                ing.on_progress("embed", n, n)
            at += n
        store.flush()  # one flush per group: passages first, then the registry (see EdgeStore)

    def _result(self, i: int, r: FileResult) -> None:
        self.results[i] = r
        self.done += 1
        if r.status in ("added", "updated"):
            self.written += r.n_passages
        self.bar.set_postfix_str(f"已写入 {self.written} 段", refresh=False)
        self.bar.update(1)
        if self.ing.on_progress:
            self.ing.on_progress("file", self.done, self.total)
