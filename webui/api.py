"""Programmatic endpoints (``gradio_client`` / HTTP), behind the same login as the page.

``/ask`` is the public JSON endpoint. The ``cli_*`` endpoints serve the command-line tools while the app
holds the store (``policyqa/app_link.py``): they return whole records as plain dataclass dicts, which the
command line rebuilds and prints exactly as it prints local results. Errors a user should read come back
in-band as ``{"error": …}``.
"""
from __future__ import annotations

import hmac
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from policyqa.app_link import from_plain, to_plain
from policyqa.types import SearchFilter

from .service import AppService

_DONE = object()


def _filter(filters: dict | None) -> SearchFilter:
    return from_plain(SearchFilter, filters or {})


def _with_progress(work: Callable[[Callable[..., None]], dict]) -> Iterator[dict]:
    """Run ``work(report)`` on a thread; yield ``{"progress": [...]}`` for each report, then its result."""
    events: queue.Queue[Any] = queue.Queue()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work(lambda *a: events.put({"progress": list(a)}))
        except BaseException as exc:  # handed to the request thread below
            box["exc"] = exc
        finally:
            events.put(_DONE)

    threading.Thread(target=run, daemon=True, name="cli-progress").start()
    while (ev := events.get()) is not _DONE:
        yield ev
    if "exc" in box:
        raise box["exc"]
    yield box["result"]


def register(svc: AppService, link_secret: str | None = None) -> None:
    """The endpoints; ``link_secret`` (from the app record) guards ingesting paths on the server's disk."""

    def ask(question: str, backend: str = "none") -> dict:
        """Answer one question from the library; returns the verified answer with its citations."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("请输入问题。")
        return svc.engine.ask(question[:500], backend=backend or None).to_dict()

    gr.api(ask, api_name="ask", concurrency_limit=8, concurrency_id="chat")

    # -- for the command line (policyqa/app_link.py) ------------------------------------------------
    def cli_status() -> dict:
        """The app's default answer backend and store collection."""
        return {"backend": svc.engine.backend_name, "collection": svc.res.store.collection}

    def cli_search(query: str, top_k: int = 5, mode: str = "hybrid", filters: dict | None = None) -> dict:
        """``python -m assistant search``: the retrieval result (every hit field)."""
        result = svc.engine.retriever.search(query, top_k=int(top_k), flt=_filter(filters), mode=mode)  # type: ignore[arg-type]
        return {"result": to_plain(replace(result, query_vector=None))}

    def cli_answer(question: str, history: list | None = None, backend: str = "",
                   filters: dict | None = None) -> Iterator[dict]:
        """``python -m assistant ask|chat``: ``{"text": streamed so far}`` …, then ``{"answer": …}``."""
        from assistant.engine import Final, Token

        text = ""
        hist = [(str(q), str(a)) for q, a in (history or [])]
        for ev in svc.engine.stream(question, history=hist, flt=_filter(filters), backend=backend or None):
            if isinstance(ev, Token):
                text += ev.text
                yield {"text": text}
            elif isinstance(ev, Final):
                yield {"answer": to_plain(ev.answer)}

    def cli_outline(topic: str, length: str = "standard", audience: str = "支部学习", backend: str = "none",
                    filters: dict | None = None) -> Iterator[dict]:
        """``python -m assistant outline``: ``{"progress": [fraction, stage]}`` …, then the outline."""
        from assistant.outline import OutlineBuilder

        def work(report: Callable[..., None]) -> dict:
            try:
                outline = OutlineBuilder(svc.res, backend=backend or None).build(
                    topic, length=length, audience=audience, flt=_filter(filters), progress=report)
            except ValueError as exc:
                return {"error": str(exc)}
            return {"outline": to_plain(outline)}

        yield from _with_progress(work)

    def cli_quiz(n: int = 10, types: list | None = None, doc_ids: list | None = None, topic: str = "",
                 seed: int | None = None, chapter: str = "", current_only: bool = True,
                 backend: str = "none") -> dict:
        """``python -m assistant quiz``: the quiz set."""
        from assistant.quiz import QuizError, QuizGenerator

        try:
            quiz = QuizGenerator(svc.res, backend=backend or None).generate(
                n=int(n), types=list(types or []), doc_ids=list(doc_ids or []) or None, topic=topic,
                seed=None if seed is None else int(seed), chapter=chapter or None, current_only=bool(current_only))
        except QuizError as exc:
            return {"error": str(exc)}
        return {"quiz": to_plain(quiz)}

    def cli_compare(work: str, from_: str = "", to: str = "") -> dict:
        """``python -m assistant compare``: the comparison of two revisions."""
        from assistant.compare import CompareError, load_comparison

        try:
            return {"comparison": to_plain(load_comparison(svc.res.store, work, from_, to))}
        except CompareError as exc:
            return {"error": str(exc)}

    def cli_docs() -> dict:
        """``python -m ingest --list``: every document record."""
        return {"collection": svc.res.store.collection, "docs": [to_plain(d) for d in svc.docs()]}

    def cli_delete(doc_ids: list) -> dict:
        """``python -m ingest --delete``: ``[doc id, title or None]`` for each id."""
        out = []
        for doc_id in doc_ids:
            meta = svc.delete(str(doc_id))
            out.append([doc_id, meta.title if meta is not None else None])
        return {"deleted": out}

    def cli_ingest(paths: list, prune: bool = False, secret: str = "") -> Iterator[dict]:
        """``python -m ingest 路径…``: files and folders on the server's disk, as the ingest job reads them;
        ``{"progress": [stage, done, total]}`` …, then the report."""
        if not link_secret or not hmac.compare_digest(str(secret), link_secret):
            yield {"error": "只有能读取本机数据目录的命令行可以让应用导入服务器上的文件。", "code": 2}
            return
        from ingest.lock import IngestBusy

        def work(report: Callable[..., None]) -> dict:
            try:
                with svc._ingesting(report) as ing:  # the service's one-at-a-time ingest on the shared store
                    rep = ing.run([Path(p) for p in paths], prune=bool(prune))
            except IngestBusy as exc:
                return {"error": str(exc), "code": 3}
            return {"report": to_plain(rep)}

        yield from _with_progress(work)

    private = {"api_visibility": "undocumented"}
    gr.api(cli_status, api_name="cli_status", **private)
    gr.api(cli_search, api_name="cli_search", concurrency_limit=8, concurrency_id="chat", **private)
    gr.api(cli_answer, api_name="cli_answer", concurrency_limit=8, concurrency_id="chat", **private)
    gr.api(cli_outline, api_name="cli_outline", concurrency_limit=2, concurrency_id="outline", **private)
    gr.api(cli_quiz, api_name="cli_quiz", concurrency_limit=2, concurrency_id="quiz", **private)
    gr.api(cli_compare, api_name="cli_compare", concurrency_limit=2, concurrency_id="compare", **private)
    gr.api(cli_docs, api_name="cli_docs", **private)
    gr.api(cli_delete, api_name="cli_delete", concurrency_limit=1, concurrency_id="ingest", **private)
    gr.api(cli_ingest, api_name="cli_ingest", concurrency_limit=1, concurrency_id="ingest", **private)
