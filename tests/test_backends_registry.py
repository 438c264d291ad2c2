"""The backend registry (assistant/llm/registry.py) through real entry points, and TimeLimitedBackend.

A toy backend is "installed" as a real distribution: a ``*.dist-info`` directory with an
``entry_points.txt`` in a temporary directory put on the path. Without editing any project file it
becomes selectable in the CLI and is listed by the app with its label and availability.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT

from assistant.llm import (
    ChatBackend,
    LLMError,
    TimeLimitedBackend,
    backend_info,
    backend_names,
    default_backend_name,
    get_backend,
    list_backends,
    refresh,
)

TOY_MODULE = r'''
"""A toy answer backend: a short gist — the first clause of the first material sentence not written yet."""
import os
import re

from assistant.llm import ChatBackend


class ToyBackend(ChatBackend):
    name = "toy"
    label = "玩具模型"
    note = "仅供测试"
    model = "toy-echo"

    @classmethod
    def availability(cls):
        if os.environ.get("TOY_BACKEND_READY"):
            return True, ""
        return False, "未设置 TOY_BACKEND_READY"

    @classmethod
    def model_label(cls):
        return "Toy-Echo-1"

    def stream_chat(self, messages, max_tokens=512, temperature=0.0):
        material, _, rest = messages[-1]["content"].partition("</资料>")
        answer = "资料中没有找到相关内容。"
        for n, text in re.findall(r"^\[(\d+)\] (.+)$", material, re.M):
            fresh = [s for s in re.findall(r"[^。！？]{8,}[。！？]", text) if s not in rest]
            if fresh:
                answer = "简要地说，" + re.split("[,，]", fresh[0].rstrip("。！？"))[0] + f"。[{n}]"
                break
        for i in range(0, len(answer), 4):
            yield answer[i:i + 4]
'''

ENTRY_POINTS = """\
[policyqa.llms]
toy = policyqa_toy_backend:ToyBackend
broken = policyqa_toy_missing_module:Nothing
"""


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    """A directory that, on sys.path / PYTHONPATH, installs the toy backend as the distribution policyqa-toy."""
    d = tmp_path_factory.mktemp("plugin")
    (d / "policyqa_toy_backend.py").write_text(textwrap.dedent(TOY_MODULE), encoding="utf-8")
    info = d / "policyqa_toy-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: policyqa-toy\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return d


@pytest.fixture()
def toy_installed(plugin_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_dir))
    refresh()
    yield plugin_dir
    monkeypatch.undo()
    refresh()


def _env(plugin_dir: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("POLICYQA_LLM", "TOY_BACKEND_READY")}
    if plugin_dir is not None:
        rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([str(plugin_dir), str(ROOT), *rest])
    env.update(extra)
    return env


# -- the registry ---------------------------------------------------------------

def test_builtins_come_from_the_entry_point_group():
    refresh()
    names = backend_names()
    assert names[:2] == ["local", "openai"] and names[-1] == "none", names
    for name in ("local", "openai", "none"):
        spec = backend_info(name)
        assert spec.origin.startswith(f"{name} = assistant.llm."), spec.origin  # registered via pyproject.toml
    assert [s.label for s in list_backends() if s.name in ("local", "openai", "none")] == \
        ["本地模型", "接口模型", "仅检索（原文摘录）"]
    assert get_backend("none") is None and get_backend("") is None and get_backend(None) is None
    with pytest.raises(LLMError, match="未知的回答后端"):
        get_backend("no-such-backend")


def test_availability_is_cheap_and_explains(monkeypatch):
    monkeypatch.delenv("POLICYQA_OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    ok, reason = backend_info("openai").available()
    assert not ok and "POLICYQA_OPENAI_BASE_URL" in reason
    monkeypatch.setenv("POLICYQA_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("POLICYQA_OPENAI_MODEL", "m")
    assert backend_info("openai").available() == (True, "")
    assert backend_info("openai").model_label() == "m（http://127.0.0.1:9/v1）"
    monkeypatch.setenv("POLICYQA_LOCAL_MODEL", "/nonexistent/model.gguf")
    ok, reason = backend_info("local").available()
    assert not ok and reason
    assert backend_info("none").available() == (True, "")


def test_default_backend_name(monkeypatch):
    monkeypatch.setenv("POLICYQA_LLM", "openai")
    assert default_backend_name() == "openai"
    monkeypatch.delenv("POLICYQA_LLM")
    assert default_backend_name() in ("local", "none")


# -- a plugin backend -----------------------------------------------------------

def test_plugin_backend_is_registered_and_listed_by_the_app(toy_installed, monkeypatch):
    from webui.service import BACKEND_LABELS, backend_infos

    monkeypatch.delenv("TOY_BACKEND_READY", raising=False)
    spec = backend_info("toy")
    assert spec.label == "玩具模型" and spec.origin == "toy = policyqa_toy_backend:ToyBackend"
    names = backend_names()
    assert names.index("toy") > names.index("openai") and names[-1] == "none", names
    infos = {b.name: b for b in backend_infos()}
    assert infos["toy"].label == "玩具模型" and not infos["toy"].available
    assert infos["toy"].detail == "未设置 TOY_BACKEND_READY"
    assert BACKEND_LABELS["toy"] == "玩具模型" and "toy" in BACKEND_LABELS
    assert spec.status() == "玩具模型不可用：未设置 TOY_BACKEND_READY。将改用原文摘录。"

    monkeypatch.setenv("TOY_BACKEND_READY", "1")
    infos = {b.name: b for b in backend_infos()}
    assert infos["toy"].available and infos["toy"].detail == "Toy-Echo-1"
    assert spec.status() == "玩具模型 Toy-Echo-1，仅供测试。"
    toy = get_backend("toy")
    assert isinstance(toy, ChatBackend) and toy.name == "toy" and get_backend("toy") is toy
    prompt = ("<资料>\n[1] 这是第一段资料的第一句话。\n[2] 这是第二段资料的第一句话。\n</资料>\n"
              "已写好：这是第一段资料的第一句话。")
    assert toy.chat([{"role": "user", "content": prompt}]) == "简要地说，这是第二段资料的第一句话。[2]"

    # A plugin that cannot be imported is listed as unavailable with the reason; it breaks nothing else.
    assert not infos["broken"].available and "加载失败" in infos["broken"].detail
    with pytest.raises(LLMError, match="加载失败"):
        get_backend("broken")


def test_plugin_backend_is_gone_without_its_distribution(toy_installed, monkeypatch):
    monkeypatch.undo()
    refresh()
    assert "toy" not in backend_names()


def test_cli_selects_and_answers_with_a_plugin_backend(plugin_dir, ingested, tmp_path):
    settings, _ = ingested
    home = tmp_path / "home"
    shutil.copytree(settings.home_path, home)
    q = "两项机制是什么？"
    base = [sys.executable, "-m", "assistant", "ask", q, "--llm", "toy", "--json", "--home", str(home)]

    # Not installed: not a choice.
    out = subprocess.run(base, check=False, capture_output=True, text=True, cwd=tmp_path, env=_env(None), timeout=120)
    assert out.returncode == 2 and "toy" in out.stderr and "invalid choice" in out.stderr, out.stderr

    help_ = subprocess.run([sys.executable, "-m", "assistant", "ask", "--help"], check=False, capture_output=True,
                           text=True, cwd=tmp_path, env=_env(plugin_dir), timeout=120)
    assert help_.returncode == 0 and "toy 玩具模型" in help_.stdout, help_.stdout + help_.stderr

    out = subprocess.run(base, check=False, capture_output=True, text=True, cwd=tmp_path,
                         env=_env(plugin_dir, TOY_BACKEND_READY="1"), timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["answerable"] and data["backend"] == "toy" and data["model"] == "toy-echo", data
    assert data["citations"] and data["answer"].endswith("]"), data


# -- TimeLimitedBackend ---------------------------------------------------------

class _Scripted(ChatBackend):
    """Sleeps ``delay`` s before the first token, then yields ``tokens`` one per ``gap`` s (or raises ``error``)."""

    name, label, model = "scripted", "测试", "scripted-1"

    def __init__(self, delay: float = 0.0, tokens=("一", "二", "三"), gap: float = 0.0, error: Exception | None = None):
        self.delay, self.tokens, self.gap, self.error = delay, tokens, gap, error
        self.calls = 0

    def stream_chat(self, messages, max_tokens=512, temperature=0.0):
        self.calls += 1
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        for t in self.tokens:
            yield t
            time.sleep(self.gap)


MSGS = [{"role": "user", "content": "问题"}]


def test_time_limited_backend_passes_tokens_through():
    inner = _Scripted()
    tl = TimeLimitedBackend(inner, timeout_s=5, first_token_timeout_s=5)
    assert (tl.name, tl.model, tl.label) == ("scripted", "scripted-1", "测试")
    assert list(tl.stream_chat(MSGS)) == ["一", "二", "三"]
    assert tl.chat(MSGS) == "一二三" and tl.failed is None and inner.calls == 2


def test_slow_first_token_times_out_quickly_and_later_calls_fail_at_once():
    inner = _Scripted(delay=5.0)
    tl = TimeLimitedBackend(inner, timeout_s=30, first_token_timeout_s=0.3)
    t0 = time.monotonic()
    with pytest.raises(LLMError, match="模型响应超时"):
        list(tl.stream_chat(MSGS))
    assert time.monotonic() - t0 < 2.0
    assert isinstance(tl.failed, LLMError)
    t0 = time.monotonic()
    with pytest.raises(LLMError, match="模型响应超时"):
        tl.chat(MSGS)
    assert time.monotonic() - t0 < 0.1 and inner.calls == 1


def test_whole_answer_time_limit():
    inner = _Scripted(tokens=["字"] * 100, gap=0.1)
    tl = TimeLimitedBackend(inner, timeout_s=0.5, first_token_timeout_s=5)
    got: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(LLMError, match="模型响应超时"):
        got.extend(tl.stream_chat(MSGS))  # keeps the tokens that came before the timeout
    assert 0 < len(got) < 100 and time.monotonic() - t0 < 2.0


def test_inner_errors_become_llm_errors_and_stick():
    tl = TimeLimitedBackend(_Scripted(error=ValueError("连接被拒绝")), timeout_s=5, first_token_timeout_s=5)
    with pytest.raises(LLMError, match="连接被拒绝"):
        tl.chat(MSGS)
    with pytest.raises(LLMError, match="连接被拒绝"):
        tl.chat(MSGS)
    tl = TimeLimitedBackend(_Scripted(error=LLMError("接口模型调用失败")), timeout_s=5, first_token_timeout_s=5)
    with pytest.raises(LLMError, match="接口模型调用失败"):
        tl.chat(MSGS)
