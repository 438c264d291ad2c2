"""Programmatic endpoints (``gradio_client`` / HTTP), behind the same login as the page."""
from __future__ import annotations

import gradio as gr

from .service import AppService


def register(svc: AppService) -> None:
    def ask(question: str, backend: str = "none") -> dict:
        """Answer one question from the library; returns the verified answer with its citations."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("请输入问题。")
        return svc.engine.ask(question[:500], backend=backend or None).to_dict()

    gr.api(ask, api_name="ask", concurrency_limit=8, concurrency_id="chat")
