"""The answer-backend seam: chat models behind one small interface, picked by name."""
from __future__ import annotations

import abc
from collections.abc import Iterator


class LLMError(RuntimeError):
    """The model failed or is unavailable; the engine falls back to extractive answers."""


class ChatBackend(abc.ABC):
    name: str
    """Registry name: ``local`` | ``openai`` | a plugin's name."""
    label: str
    """What the UI shows: 本地模型 / 接口模型."""
    model: str
    """Model identifier, recorded in every answer."""
    note: str = ""
    """How this backend answers, one clause for the app's status line (在本机运行……)."""

    # The registry (registry.py) reads these from a backend class without creating an instance.
    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Whether the backend can start here, and if not why (Chinese). Cheap: never loads a model."""
        return True, ""

    @classmethod
    def model_label(cls) -> str:
        """The model an instance would use, for display (may be empty)."""
        return ""

    @abc.abstractmethod
    def stream_chat(self, messages: list[dict[str, str]], max_tokens: int = 512,
                    temperature: float = 0.0) -> Iterator[str]:
        """Yield text deltas of the assistant's reply. Raises :class:`LLMError`."""

    def chat(self, messages: list[dict[str, str]], max_tokens: int = 512, temperature: float = 0.0) -> str:
        return "".join(self.stream_chat(messages, max_tokens=max_tokens, temperature=temperature))
