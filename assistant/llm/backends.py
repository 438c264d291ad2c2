"""Built-in chat backends, on llama-index's LLM clients.

``local``: a bundled Qwen2.5 GGUF run by llama.cpp (llama-index ``LlamaCPP``).
``openai``: any OpenAI-compatible endpoint (vLLM, Ollama, DeepSeek, Qwen …) via ``OpenAILike``.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator

from .base import ChatBackend, LLMError


def _to_llama_messages(messages: list[dict[str, str]]):
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role=m["role"], content=m["content"]) for m in messages]


def chatml(messages) -> str:
    """Qwen's ChatML template (llama-index's LlamaCPP formats prompts itself)."""
    out = []
    for m in messages:
        role = m.role.value if hasattr(m.role, "value") else str(m.role)
        out.append(f"<|im_start|>{role}\n{m.content}<|im_end|>\n")
    out.append("<|im_start|>assistant\n")
    return "".join(out)


def default_local_model() -> str:
    """The preferred bundled model that is installed (model_files.MODELS), else the smallest one."""
    from .model_files import default_model_key

    return default_model_key()


def _openai_settings() -> tuple[str, str, str]:
    base_url = os.environ.get("POLICYQA_OPENAI_BASE_URL") or os.environ.get("OPENAI_BASE_URL", "")
    model = os.environ.get("POLICYQA_OPENAI_MODEL", "")
    api_key = os.environ.get("POLICYQA_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY") or "none"
    return base_url, model, api_key


class LocalBackend(ChatBackend):
    """llama.cpp on a bundled GGUF (``POLICYQA_LOCAL_MODEL``: qwen2.5-0.5b | qwen2.5-1.5b | a .gguf path)."""

    name = "local"
    label = "本地模型"
    note = "在本机运行；先立即给出原文回答，再用几秒钟补一句通俗的概括"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        import importlib.util

        from .model_files import MODELS, is_installed

        if importlib.util.find_spec("llama_cpp") is None:
            return False, "未安装 llama-cpp-python（运行 make run 安装）"
        key = os.environ.get("POLICYQA_LOCAL_MODEL") or default_local_model()
        if key.endswith(".gguf"):
            return (True, "") if os.path.isfile(key) else (False, f"找不到模型文件 {key}")
        if key not in MODELS:
            return False, f"未知的内置模型 {key!r}（POLICYQA_LOCAL_MODEL），可选：{', '.join(MODELS)}"
        if not is_installed(key):
            return False, "未安装本地模型（运行 make run 安装）"
        return True, ""

    @classmethod
    def model_label(cls) -> str:
        from .model_files import MODELS, is_installed

        key = os.environ.get("POLICYQA_LOCAL_MODEL", "")
        if key.endswith(".gguf"):
            return os.path.basename(key)
        if key:
            return MODELS[key].short_label if key in MODELS else key
        key = default_local_model()
        return MODELS[key].short_label if is_installed(key) else ""

    def __init__(self, model: str = "", n_ctx: int = 4096, threads: int | None = None):
        from .model_files import MODELS, ModelUnavailable, model_path

        key = model or os.environ.get("POLICYQA_LOCAL_MODEL") or default_local_model()
        try:
            path = key if key.endswith(".gguf") else str(model_path(key))
        except ModelUnavailable as exc:
            raise LLMError(str(exc)) from exc
        self.model = MODELS[key].label if key in MODELS else os.path.basename(key)
        try:
            from llama_index.llms.llama_cpp import LlamaCPP
        except ImportError as exc:
            raise LLMError("未安装 llama-cpp-python / llama-index-llms-llama-cpp：请运行 make run") from exc
        try:
            self._llm = LlamaCPP(
                model_path=path, temperature=0.0, max_new_tokens=512, context_window=n_ctx,
                model_kwargs={"n_threads": threads or os.cpu_count() or 2, "n_ctx": n_ctx},
                messages_to_prompt=chatml, completion_to_prompt=lambda c: c, verbose=False,
            )
        except Exception as exc:  # a missing / corrupt GGUF: the engine falls back to extractive answers
            raise LLMError(
                f"本地模型无法加载（{os.path.basename(path)}）：{exc}。请重新运行 make run 安装模型。") from exc
        # One llama.cpp context cannot serve two generations at once.
        self._lock = threading.Lock()

    def stream_chat(self, messages, max_tokens=512, temperature=0.0) -> Iterator[str]:
        with self._lock:
            self._llm.max_new_tokens = max_tokens
            self._llm.temperature = temperature
            # A mild repeat penalty stops small models from looping over the passage list.
            self._llm.generate_kwargs.update({"stop": ["<|im_end|>", "<|endoftext|>"], "repeat_penalty": 1.1})
            try:
                for r in self._llm.stream_chat(_to_llama_messages(messages)):
                    if r.delta:
                        yield r.delta
            except Exception as exc:
                raise LLMError(f"本地模型生成失败：{exc}") from exc


class OpenAIBackend(ChatBackend):
    """An OpenAI-compatible endpoint: ``POLICYQA_OPENAI_BASE_URL``, ``…_MODEL``, ``…_API_KEY``."""

    name = "openai"
    label = "接口模型"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        base_url, model, _ = _openai_settings()
        if not base_url:
            return False, "未设置 POLICYQA_OPENAI_BASE_URL"
        if not model:
            return False, "未设置 POLICYQA_OPENAI_MODEL"
        return True, ""

    @classmethod
    def model_label(cls) -> str:
        base_url, model, _ = _openai_settings()
        return f"{model}（{base_url}）" if base_url and model else model

    def __init__(self, base_url: str = "", model: str = "", api_key: str = "", timeout: float = 60.0):
        env_url, env_model, env_key = _openai_settings()
        base_url, model, api_key = base_url or env_url, model or env_model, api_key or env_key
        if not base_url or not model:
            raise LLMError("使用接口模型需要设置 POLICYQA_OPENAI_BASE_URL 与 POLICYQA_OPENAI_MODEL"
                           "（以及需要时的 POLICYQA_OPENAI_API_KEY）。")
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as exc:
            raise LLMError("未安装 llama-index-llms-openai-like：请运行 make run") from exc
        self.model = model
        self._llm = OpenAILike(model=model, api_base=base_url, api_key=api_key, is_chat_model=True,
                               timeout=timeout, max_retries=0, context_window=32768)

    def stream_chat(self, messages, max_tokens=512, temperature=0.0) -> Iterator[str]:
        self._llm.max_tokens = max_tokens
        self._llm.temperature = temperature
        try:
            for r in self._llm.stream_chat(_to_llama_messages(messages)):
                if r.delta:
                    yield r.delta
        except Exception as exc:
            raise LLMError(f"接口模型调用失败：{exc}") from exc
