"""Answer backends by name, from one registry (registry.py) filled through the entry-point group
``policyqa.llms``: the built-ins ``local`` | ``openai`` | ``none`` (extractive, no model) and plugins.

A plugin's entry point names a :class:`ChatBackend` subclass (or a factory / :class:`BackendSpec`);
see registry.py. :class:`TimeLimitedBackend` (guard.py) bounds the time of each call.
"""
from __future__ import annotations

from collections.abc import Callable

from .base import ChatBackend, LLMError
from .guard import TimeLimitedBackend
from .registry import (
    NO_MODEL_NAME,
    BackendSpec,
    backend_info,
    backend_label,
    backend_names,
    default_backend_name,
    get_backend,
    list_backends,
    refresh,
)

# The created backends by name: registry.get_backend reads this attribute, so a test may replace it.
from .registry import _cache as _cache

__all__ = [
    "NO_MODEL_NAME",
    "BackendSpec",
    "ChatBackend",
    "LLMError",
    "TimeLimitedBackend",
    "available_backends",
    "backend_info",
    "backend_label",
    "backend_names",
    "default_backend_name",
    "get_backend",
    "list_backends",
    "refresh",
]


def available_backends() -> dict[str, Callable[[], ChatBackend | None]]:
    """Factories of the model backends by name (``none`` excluded); kept for older callers."""
    return {s.name: s.factory for s in list_backends() if s.uses_model}
