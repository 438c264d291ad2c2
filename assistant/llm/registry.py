"""The one registry of answer backends, filled from the entry-point group ``policyqa.llms``.

Built-ins register exactly like plugins: pyproject.toml lists ``local`` and ``openai`` (ChatBackend
classes) and ``none`` (:data:`NO_MODEL`, the extractive answers without a model) in that group, and a
third-party package adds its own backend with one line in its packaging metadata::

    [project.entry-points."policyqa.llms"]
    mymodel = "mypackage.backend:MyBackend"

An entry point may name

- a :class:`~assistant.llm.base.ChatBackend` subclass: its class attributes ``label`` and ``note`` and
  class methods ``availability()`` and ``model_label()`` describe it; it is created without arguments;
- a :class:`BackendSpec` (for full control, e.g. a factory that returns None);
- any other callable returning a ChatBackend (label = its ``label`` attribute or the name).

Everything that offers a choice of backends (the CLIs, the app) reads :func:`list_backends`;
nothing else lists backend names.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from .base import ChatBackend, LLMError

log = logging.getLogger("policyqa.llm")

GROUP = "policyqa.llms"
NO_MODEL_NAME = "none"
"""The extractive backend: answers are quoted sentences of the passages; ``get_backend`` gives None."""
_OWN_PACKAGE = __name__.split(".")[0]


def _always_available() -> tuple[bool, str]:
    return True, ""


def _no_label() -> str:
    return ""


@dataclass(frozen=True)
class BackendSpec:
    """One registry entry: what the CLIs and the app need to offer a backend without creating it."""

    name: str
    label: str
    """Chinese label: 本地模型 / 接口模型 / 仅检索（原文摘录）…"""
    factory: Callable[[], ChatBackend | None]
    """Creates the backend (may load a model). None means: no model, extractive answers."""
    check: Callable[[], tuple[bool, str]] = _always_available
    """Cheap check (never loads a model): (available, reason in Chinese when not)."""
    describe_model: Callable[[], str] = _no_label
    """The model an instance would use, for display."""
    note: str = ""
    """How it answers, one clause for the app's status line."""
    uses_model: bool = True
    origin: str = ""
    """Where it came from: the entry point ``name = module:attr`` (diagnostics)."""

    def available(self) -> tuple[bool, str]:
        """``check()``, with a failing check reported as unavailable instead of raised."""
        try:
            ok, reason = self.check()
            return bool(ok), str(reason or "")
        except Exception as exc:
            return False, f"可用性检查出错：{exc}"

    def model_label(self) -> str:
        try:
            return str(self.describe_model() or "")
        except Exception:
            return ""

    def status(self) -> str:
        """One Chinese sentence for the app: what answers and how, or why it cannot."""
        ok, reason = self.available()
        if not ok:
            return f"{self.label}不可用：{reason}。将改用原文摘录。"
        model = self.model_label()
        text = f"{self.label} {model}" if model else self.label
        return text + (f"，{self.note}" if self.note else "") + "。"


NO_MODEL = BackendSpec(
    name=NO_MODEL_NAME, label="仅检索（原文摘录）", factory=lambda: None, uses_model=False,
    note="不使用模型，直接摘录原文中回答问题的句子并标注出处（最快）")
"""The entry point ``none`` of this project names this object."""


def _spec_from(ep: EntryPoint, obj: object) -> BackendSpec:
    origin = f"{ep.name} = {ep.value}"
    if isinstance(obj, BackendSpec):
        return dataclasses.replace(obj, name=ep.name, origin=origin)
    if isinstance(obj, type) and issubclass(obj, ChatBackend):
        return BackendSpec(name=ep.name, label=getattr(obj, "label", "") or ep.name, factory=obj,
                           check=obj.availability, describe_model=obj.model_label, note=obj.note or "",
                           origin=origin)
    if callable(obj):
        return BackendSpec(name=ep.name, label=getattr(obj, "label", "") or ep.name, factory=obj,
                           check=getattr(obj, "availability", _always_available),
                           describe_model=getattr(obj, "model_label", _no_label),
                           note=getattr(obj, "note", "") or "", origin=origin)
    raise TypeError(f"{ep.value} 不是 ChatBackend 子类、BackendSpec 或工厂函数")


def _broken(ep: EntryPoint, exc: Exception) -> BackendSpec:
    reason = f"插件 {ep.value} 加载失败：{exc}"

    def fail() -> ChatBackend:
        raise LLMError(reason)

    return BackendSpec(name=ep.name, label=ep.name, factory=fail, check=lambda: (False, reason),
                       origin=f"{ep.name} = {ep.value}")


def _builtin(ep: EntryPoint) -> bool:
    return ep.module.split(".")[0] == _OWN_PACKAGE


_lock = threading.RLock()
_specs: dict[str, BackendSpec] | None = None
_cache: dict[str, ChatBackend] = {}


def _load() -> dict[str, BackendSpec]:
    found: dict[str, tuple[bool, int, str, BackendSpec]] = {}
    for i, ep in enumerate(entry_points(group=GROUP)):
        builtin = _builtin(ep)
        if ep.name == NO_MODEL_NAME and not builtin:
            log.warning("回答后端名 %s 保留给原文摘录，忽略插件 %s", NO_MODEL_NAME, ep.value)
            continue
        if ep.name in found:
            prev_builtin, _, prev_value, _ = found[ep.name]
            if builtin or not prev_builtin:  # the first one wins, except that a plugin replaces a built-in
                if ep.value != prev_value:
                    log.warning("回答后端 %s 重复注册，忽略 %s（已有 %s）", ep.name, ep.value, prev_value)
                continue
            log.info("回答后端 %s 由插件 %s 提供（替换内置的 %s）", ep.name, ep.value, prev_value)
        try:
            spec = _spec_from(ep, ep.load())
        except Exception as exc:
            log.warning("回答后端插件 %s 加载失败：%s", ep.value, exc)
            spec = _broken(ep, exc)
        found[ep.name] = (builtin, i, ep.value, spec)
    if not any(t[0] for t in found.values()):
        log.warning("入口点组 %s 中没有内置回答后端：项目未安装？请运行 pip install -e .", GROUP)
    if NO_MODEL_NAME not in found:
        found[NO_MODEL_NAME] = (True, len(found), "", dataclasses.replace(NO_MODEL, origin="registry fallback"))
    # Model backends first (built-ins in pyproject order, then plugins), the no-model choice last.
    ordered = sorted(found.values(), key=lambda t: (not t[3].uses_model, not t[0], t[1]))
    return {t[3].name: t[3] for t in ordered}


def _registry() -> dict[str, BackendSpec]:
    global _specs
    with _lock:
        if _specs is None:
            _specs = _load()
        return _specs


def refresh() -> None:
    """Forget the loaded entry points and created backends (after installing a plugin at run time)."""
    global _specs
    with _lock:
        importlib.invalidate_caches()
        _specs = None
        _instances().clear()


def list_backends() -> list[BackendSpec]:
    """Every registered backend, ``none`` included: model backends first, the no-model choice last."""
    return list(_registry().values())


def backend_names() -> list[str]:
    return list(_registry())


def backend_info(name: str) -> BackendSpec:
    """The registry entry ``name``. Raises :class:`LLMError` (listing the choices) when there is none."""
    specs = _registry()
    if name not in specs:
        raise LLMError(f"未知的回答后端 {name!r}，可选：{', '.join(specs)}")
    return specs[name]


def backend_label(name: str) -> str:
    """The Chinese label of ``name``; the name itself for an unknown one."""
    spec = _registry().get(name)
    return spec.label if spec else name


def _instances() -> dict[str, ChatBackend]:
    # The backend instances live in assistant.llm._cache (tests replace that dict to start afresh).
    pkg = sys.modules.get(__package__ or "")
    cache = getattr(pkg, "_cache", None)
    return cache if isinstance(cache, dict) else _cache


def get_backend(name: str | None) -> ChatBackend | None:
    """The chat backend ``name`` (created once per process), or None for ``none`` / empty.

    Raises :class:`LLMError` when the name is unknown or the backend cannot start.
    """
    if not name or name == NO_MODEL_NAME:
        return None
    with _lock:
        cache = _instances()
        if name in cache:
            return cache[name]
        spec = backend_info(name)
        try:
            backend = spec.factory()
        except LLMError:
            raise
        except Exception as exc:  # a plugin's own error type: the engine only falls back on LLMError
            raise LLMError(f"回答后端 {name} 无法启动：{exc}") from exc
        if backend is None:
            return None
        if not isinstance(backend, ChatBackend):
            raise LLMError(f"回答后端 {name} 的工厂返回了 {type(backend).__name__}，不是 ChatBackend")
        cache[name] = backend
        return backend


def default_backend_name() -> str:
    """``POLICYQA_LLM`` if set; else ``local`` when llama.cpp and a bundled model are installed; else ``none``."""
    from .model_files import installed_models

    env = os.environ.get("POLICYQA_LLM")
    if env:
        return env
    if importlib.util.find_spec("llama_cpp") is not None and installed_models():
        return "local"
    return NO_MODEL_NAME
