"""A time-limited backend: a hung or slow model becomes an :class:`LLMError`, not a stuck request."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from .base import ChatBackend, LLMError

TIMEOUT_MESSAGE = "模型响应超时"


class TimeLimitedBackend(ChatBackend):
    """``inner`` with every call time-bounded, as one answer uses a backend.

    :meth:`stream_chat` runs the inner backend in a worker thread and raises
    ``LLMError("模型响应超时")`` when the first token takes longer than ``first_token_timeout_s`` or
    the whole reply longer than ``timeout_s``. Once a call has failed or timed out, :attr:`failed`
    holds the error and every later call fails at once with it (no second wait for a dead model).
    Create one per answer (or per document being drafted).
    """

    def __init__(self, inner: ChatBackend, timeout_s: float, first_token_timeout_s: float):
        self.inner = inner
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self.failed: LLMError | None = None
        self.name, self.model = inner.name, inner.model
        self.label = getattr(inner, "label", inner.name)
        self.note = getattr(inner, "note", "")

    def stream_chat(self, messages, max_tokens=512, temperature=0.0) -> Iterator[str]:
        if self.failed is not None:
            raise LLMError(str(self.failed))
        try:
            yield from self._generate(messages, max_tokens, temperature)
        except LLMError as exc:
            self.failed = exc
            raise

    def _generate(self, messages, max_tokens: int, temperature: float) -> Iterator[str]:
        q: queue.Queue = queue.Queue()
        stop = threading.Event()
        inner = self.inner

        def work() -> None:
            try:
                for d in inner.stream_chat(messages, max_tokens=max_tokens, temperature=temperature):
                    if stop.is_set():
                        break
                    q.put(("tok", d))
                q.put(("end", None))
            except Exception as exc:
                q.put(("err", exc))

        threading.Thread(target=work, daemon=True, name="llm-generate").start()
        start = time.monotonic()
        got_first = False
        try:
            while True:
                left = self.timeout_s - (time.monotonic() - start)
                if left <= 0:  # a model that keeps talking past the limit is stopped too, not only a silent one
                    raise LLMError(TIMEOUT_MESSAGE)
                limit = left if got_first else min(self.first_token_timeout_s, left)
                try:
                    kind, val = q.get(timeout=max(0.1, limit))
                except queue.Empty:
                    raise LLMError(TIMEOUT_MESSAGE) from None
                if kind == "tok":
                    got_first = True
                    yield val
                elif kind == "end":
                    return
                else:
                    if isinstance(val, LLMError):
                        raise val
                    raise LLMError(str(val) or type(val).__name__) from val
        finally:
            stop.set()  # the worker stops at its next token; a hung one is left behind (daemon thread)
