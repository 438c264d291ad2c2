"""Answer backends by name: ``local`` | ``openai`` | ``none`` (extractive, no model).

Built-ins register through the entry-point group ``policyqa.llms`` like plugins
do; a plugin's factory takes keyword settings and returns a :class:`ChatBackend`.
"""
from __future__ import annotations

import functools
import threading
from importlib.metadata import entry_points
from typing import Callable

from .base import ChatBackend, LLMError

__all__ = ["ChatBackend", "LLMError", "get_backend", "available_backends"]


@functools.lru_cache(maxsize=1)
def available_backends() -> dict[str, Callable[..., ChatBackend]]:
    from .backends import LocalBackend, OpenAIBackend

    out: dict[str, Callable[..., ChatBackend]] = {"local": LocalBackend, "openai": OpenAIBackend}
    for ep in entry_points(group="policyqa.llms"):
        if ep.name in out and ep.value.startswith("assistant."):
            continue
        try:
            out[ep.name] = ep.load()
        except Exception:
            continue
    return out


_cache: dict[str, ChatBackend] = {}
_lock = threading.Lock()


def get_backend(name: str) -> ChatBackend | None:
    """The chat backend ``name`` (cached), or None for ``none``. Raises LLMError if unavailable."""
    if name in ("none", "", None):
        return None
    with _lock:
        if name not in _cache:
            factories = available_backends()
            if name not in factories:
                raise LLMError(f"未知的回答后端 {name!r}，可选：none, {', '.join(sorted(factories))}")
            _cache[name] = factories[name]()
        return _cache[name]
