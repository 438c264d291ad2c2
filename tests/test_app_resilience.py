"""The app keeps answering when its model backend hangs or fails: extractive answer with a notice."""
from __future__ import annotations

import openai_server
import pytest
from browser import AppProcess, copy_home


@pytest.mark.parametrize("behaviour, notice", [("hang", "超时"), ("error", "模型")])
def test_app_survives_backend_failure(ingested, tmp_path, behaviour, notice):
    from gradio_client import Client

    server, url, handler = openai_server.start(behaviour)
    settings, _ = ingested
    app = AppProcess(copy_home(settings.home_path, tmp_path / "home"), "--llm", "openai", name=f"app-{behaviour}",
                     env={"POLICYQA_OPENAI_BASE_URL": url, "POLICYQA_OPENAI_MODEL": "test-model",
                          "POLICYQA_OPENAI_API_KEY": "k", "POLICYQA_LLM_FIRST_TOKEN_TIMEOUT_S": "3",
                          "POLICYQA_LLM_TIMEOUT_S": "10"})
    try:
        client = Client(app.wait().url, verbose=False)
        for q in ("两项机制是什么？", "联席会议多久召开一次？"):
            out = client.predict(q, "openai", api_name="/ask")
            assert out["answerable"] and out["backend"] == "none", out
            assert out["citations"] and any(notice in n for n in out["notices"]), out["notices"]
        assert handler.requests, "the backend was never called"
    finally:
        app.stop()
        server.shutdown()
