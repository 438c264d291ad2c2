"""The app's one shared state: resources (embedder + store), answer engine, uploads.

One store handle serves every session (the embedded store is single-process).
Uploads embed with their own embedder instance so that a long upload never
holds the lock that query embedding needs: chat stays responsive meanwhile.
"""
from __future__ import annotations

import logging
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.engine import AnswerEngine
from assistant.llm import LLMError, backend_info, backend_names, default_backend_name, list_backends
from policyqa.embedders import available_embedders
from policyqa.runtime import Resources, open_resources
from policyqa.settings import Settings
from policyqa.types import Citation, DocumentMeta, IngestReport
from policyqa.versions import version_status

log = logging.getLogger("policyqa.app")

EXPORT_DIR = Path(tempfile.gettempdir()) / "policyqa-exports"


def export_path(label: str, suffix: str, stamp: str | None = None) -> Path:
    """A file for a download: ``<label>-<time>.<suffix>`` in the exports folder (label cut to letters, ≤20)."""
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w\u4e00-\u9fff]+", "", label)[:20] or "导出"
    return EXPORT_DIR / f"{stem}-{stamp or time.strftime('%Y%m%d-%H%M%S')}.{suffix}"


class _BackendLabels(Mapping[str, str]):
    """Backend name → Chinese label, read from the backend registry (assistant/llm/registry.py) on use."""

    def __getitem__(self, name: str) -> str:
        try:
            return backend_info(name).label
        except LLMError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(backend_names())

    def __len__(self) -> int:
        return len(backend_names())


BACKEND_LABELS: Mapping[str, str] = _BackendLabels()


@dataclass
class BackendInfo:
    name: str
    label: str
    available: bool
    detail: str = ""
    """The model when available (or how it answers), else why not."""


# Developer words in a backend's "why not" (environment variables, package names, make targets).
# (Upper-case abbreviations such as GDP are ordinary text and stay.)
_DEV_TEXT = re.compile(r"[A-Za-z0-9]*_[A-Za-z0-9_]+|[A-Za-z]*[a-z][A-Za-z]{2,}|https?://")


def plain_reason(name: str, reason: str) -> str:
    """Why a backend cannot answer, said to a reader: no environment variables, packages or commands.

    The registry's own reason (for administrators) is logged instead."""
    if not _DEV_TEXT.search(reason):
        return reason
    log.info("回答后端 %s 不可用：%s", name, reason)
    if name == "openai":
        return "还没有配置模型接口，需要管理员填写接口地址和模型名称后重新启动"
    if name == "local":
        return "这台电脑上还没有安装可用的本地模型"
    return "当前环境没有配置好，需要管理员处理"


def plain_notice(text: str) -> str:
    """A notice from the engine as a reader reads it: parentheses and clauses that carry developer text
    (exception messages, variable names) are left out; the Chinese sentence around them stays."""
    if not _DEV_TEXT.search(text):
        return text
    log.info("提示（原文）：%s", text)
    text = re.sub(r"（[^（）]*）", lambda m: "" if _DEV_TEXT.search(m.group(0)) else m.group(0), text)
    out = []
    for sent in re.findall(r"[^。]+。?", text):
        if _DEV_TEXT.search(sent):
            head = re.split(r"[：:]", sent, maxsplit=1)[0]
            if head != sent and not _DEV_TEXT.search(head):
                out.append(head.rstrip("，, ") + "。")
            continue
        out.append(sent)
    return "".join(out) or "模型这次没有参与回答，以上为资料原文摘录。"


def plain_status(name: str) -> str:
    """The app's one line under 回答方式: what answers and how, or in plain words why it cannot."""
    try:
        spec = backend_info(name)
    except LLMError:
        return "未知的回答方式，将改用原文摘录。"
    ok, reason = spec.available()
    if not ok:
        return f"{spec.label}暂不可用：{plain_reason(name, reason)}。将改用原文摘录。"
    return spec.label + (f"，{spec.note}" if spec.note else "") + "。"


def backend_infos() -> list[BackendInfo]:
    """The answer backends a user can choose here (every registered one), with why one is unavailable."""
    out = []
    for spec in list_backends():
        ok, reason = spec.available()
        out.append(BackendInfo(spec.name, spec.label, ok, (spec.model_label() or spec.note) if ok else reason))
    return out


class AppService:
    def __init__(self, settings: Settings, backend: str | None = None):
        self.settings = settings
        self.res: Resources = open_resources(settings)
        self.backend = backend or default_backend_name()
        self.engine = AnswerEngine(self.res, backend=self.backend, timeout_s=settings.llm_timeout_s,
                                   first_token_timeout_s=settings.llm_first_token_timeout_s)
        self._upload_lock = threading.Lock()
        self._ingest_res: Resources | None = None

    # -- answering ------------------------------------------------------------
    def backends(self) -> list[BackendInfo]:
        return backend_infos()

    def backend_status(self, name: str) -> str:
        return plain_status(name)

    def available(self, name: str) -> bool:
        """Whether backend ``name`` can answer now (the registry's cheap check; never loads a model)."""
        try:
            return backend_info(name).available()[0]
        except LLMError:
            return False

    def context_of(self, cites: list[Citation]) -> dict[str, tuple[str, str]]:
        """For each cited passage, the text of the passage before and after it in its document."""
        out: dict[str, tuple[str, str]] = {}
        by_doc: dict[str, list[dict]] = {}
        for c in cites:
            if c.doc_id not in by_doc:
                try:
                    by_doc[c.doc_id] = self.res.store.doc_passages(c.doc_id)
                except Exception:  # a deleted document: no context, the card still shows
                    by_doc[c.doc_id] = []
            ps = by_doc[c.doc_id]
            ids = [p.get("id") for p in ps]
            if c.passage_id in ids:
                i = ids.index(c.passage_id)
                before = ps[i - 1]["text"] if i > 0 else ""
                after = ps[i + 1]["text"] if i + 1 < len(ps) else ""
                out[c.passage_id] = (before, after)
        return out

    # -- library ------------------------------------------------------------
    def docs(self) -> list[DocumentMeta]:
        return self.res.store.list_docs()

    def statuses(self) -> dict[str, str]:
        """Doc id → 现行 / 已被修订（2024-12-25）/ 已废止, for versioned documents (shown on source cards)."""
        return {d.doc_id: version_status(d) for d in self.docs() if d.work}

    @contextmanager
    def _ingesting(self, on_progress: Callable[[str, int, int], None] | None = None):
        """An Ingestor on the shared store, one at a time in this process, closed afterwards."""
        from ingest import Ingestor

        with self._upload_lock:
            if self._ingest_res is None:
                # A second embedder instance, not the cached one the retriever uses (see module doc).
                name, _, arg = self.settings.embedder.partition(":")
                emb = available_embedders()[name](arg)
                self._ingest_res = Resources(settings=self.settings, embedder=emb, store=self.res.store)
            ing = Ingestor(self._ingest_res, progress=False, on_progress=on_progress)
            try:
                yield ing
            finally:
                ing.close()

    @property
    def uploads_dir(self) -> Path:
        return self.settings.home_path / "uploads"

    def upload(self, files: list[tuple[Path, str]],
               on_progress: Callable[[str, int, int], None] | None = None
               ) -> tuple[IngestReport, list[tuple[str, str]], dict[str, str]]:
        """Check, store and ingest uploaded files ``(temp path, original name)``.

        Returns the ingest report, the rejected files with their reasons, and stored path → original name."""
        from ingest import UploadRejected, accept_upload

        rejected: list[tuple[str, str]] = []
        saved: list[Path] = []
        names: dict[str, str] = {}
        for tmp, name in files:
            try:
                saved.append(accept_upload(Path(tmp), name, self.settings))
                names[str(saved[-1])] = name
            except UploadRejected as exc:
                rejected.append((name, str(exc)))
        report = IngestReport()
        if saved:
            with self._ingesting(on_progress) as ing:
                report = ing.run(saved)
        for f in report.files:
            if f.status == "skipped":
                # A file the job could not read is of no use in the library folder.
                try:
                    p = Path(f.path)
                    if p.parent == self.uploads_dir:
                        p.unlink(missing_ok=True)
                except OSError:
                    pass
        log.info("上传：%d 个文件导入，%d 个被拒绝", len(saved), len(rejected))
        return report, rejected, names

    def delete(self, doc_id: str) -> DocumentMeta | None:
        with self._ingesting() as ing:
            meta = ing.delete(doc_id)
        if meta is not None and meta.path:
            p = Path(meta.path)
            # Files that came in through the app live in uploads/: remove them, or re-indexing brings them back.
            if p.parent == self.uploads_dir and p.exists():
                p.unlink()
        return meta

    def reindex(self, on_progress: Callable[[str, int, int], None] | None = None) -> tuple[IngestReport, list[str]]:
        """Re-read every document's source file; changed files are re-embedded. Returns missing sources too."""
        docs = self.docs()
        present = [Path(d.path) for d in docs if d.path and Path(d.path).exists()]
        missing = [d.title for d in docs if not d.path or not Path(d.path).exists()]
        with self._ingesting(on_progress) as ing:
            report = ing.run(present)
        return report, missing

    def close(self) -> None:
        self.res.close()
