"""知识测验: the quiz-type registry.

Built-ins register through the same hook third parties use: :func:`register_quiz_type`, called for each
entry point in the ``policyqa.quiz_types`` group (value: a :class:`~assistant.quiz.base.QuizType`
subclass or instance), e.g. in a plugin's pyproject.toml::

    [project.entry-points."policyqa.quiz_types"]
    sort = "my_plugin.quiz:Ordering"

Types are listed in registration order (the order of sections in a paper): built-ins first, then
entry points by name, then types registered at run time.
"""
from __future__ import annotations

import logging
import threading
from importlib.metadata import entry_points

from .base import WIDGETS, QuizType
from .builtin import BUILTIN_TYPES

__all__ = [
    "ENTRY_POINT_GROUP",
    "find_quiz_type",
    "quiz_type_names",
    "quiz_types",
    "register_quiz_type",
    "unregister_quiz_type",
]

ENTRY_POINT_GROUP = "policyqa.quiz_types"

log = logging.getLogger("policyqa.quiz")

_types: dict[str, QuizType] = {}
_loaded = False
_lock = threading.RLock()


def _ensure_loaded() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        for cls in BUILTIN_TYPES:
            register_quiz_type(cls)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.value.startswith("assistant.quiz."):
                continue  # our own, already registered
            try:
                register_quiz_type(ep.load())
            except Exception as exc:  # a broken plugin must not break the built-ins
                log.warning("题型插件 %s（%s）无法加载：%s", ep.name, ep.value, exc, exc_info=True)


def register_quiz_type(qtype: QuizType | type[QuizType], replace: bool = False) -> QuizType:
    """Add a quiz type (a :class:`QuizType` subclass or instance); returns the registered instance.

    Registering the same class again is a no-op; another type under a taken name needs ``replace=True``.
    """
    obj = qtype() if isinstance(qtype, type) else qtype
    if not isinstance(obj, QuizType):
        raise TypeError(f"题型必须是 QuizType 的子类或实例：{qtype!r}")
    if not obj.name or not obj.section:
        raise ValueError(f"题型缺少名称或试卷中的分节名称：{qtype!r}")
    if obj.widget not in WIDGETS:
        raise ValueError(f"题型 {obj.name} 的作答控件 {obj.widget!r} 不在 {'、'.join(WIDGETS)} 之中")
    with _lock:
        _ensure_loaded()
        old = _types.get(obj.name)
        if old is not None and not replace:
            if type(old) is type(obj):
                return old
            raise ValueError(f"题型 {obj.name} 已存在（{old!r}）；替换请传 replace=True")
        _types[obj.name] = obj
        return obj


def unregister_quiz_type(name: str) -> QuizType | None:
    """Remove a quiz type; returns it (None if there was none)."""
    with _lock:
        _ensure_loaded()
        return _types.pop(name, None)


def quiz_types() -> list[QuizType]:
    """The registered quiz types in paper order."""
    with _lock:
        _ensure_loaded()
        return list(_types.values())


def quiz_type_names(default_only: bool = False) -> tuple[str, ...]:
    """Names of the registered types in paper order (``default_only``: those in the default mix)."""
    return tuple(t.name for t in quiz_types() if t.default or not default_only)


def find_quiz_type(name: str) -> QuizType | None:
    """The type registered as ``name``, or None."""
    with _lock:
        _ensure_loaded()
        return _types.get(name)
