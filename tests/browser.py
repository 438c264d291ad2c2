"""Helpers for the browser tests: run app.py on a copy of the session store, drive Debian's chromium."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
# The flags the machine's notes give for a closed network (no background connections).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock", "ingest.lock"))
    return dst


class AppProcess:
    """``python app.py`` in a subprocess on 127.0.0.1; logs to test-output."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None, name: str = "app"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT / f"{name}.log"
        self._log = open(self.log_path, "w")
        full_env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--home", str(home), "--port", str(self.port), *args],
            cwd=str(ROOT), env=full_env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120.0) -> AppProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return self
            except Exception:
                time.sleep(0.5)
        raise TimeoutError(f"app.py did not start in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def launch_browser(pw):
    if not Path(CHROMIUM).exists():
        raise RuntimeError("没有找到 /usr/bin/chromium：请用 make test 运行（它会安装 Debian 的 chromium 和中文字体）。")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_page(browser, timeout_ms: int = 90_000, locale: str = "zh-CN", **context: object):
    """A new 1400×1000 page; script errors collected in ``page.errors`` (load the app with :func:`goto_app`)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale, **context)
    pg = ctx.new_page()
    pg.set_default_timeout(timeout_ms)
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return pg


def goto_app(pg, url: str) -> None:
    pg.goto(url, wait_until="load")
    pg.wait_for_selector("#pq-question textarea")


def shot(page, name: str, full: bool = True) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def new_chat(page) -> None:
    """Click 新对话 and wait until its reply has landed (export hidden, notices and cards emptied); the question box
    is left as it was. The chat tab is made visible first: in a hidden tab every element "is hidden" already."""
    page.locator("#pq-question textarea").wait_for(state="visible")
    page.click("button:has-text('新对话')")
    page.wait_for_function("() => (!document.querySelector('#pq-export') || "
                           "document.querySelector('#pq-export').offsetParent === null) && "
                           "(document.querySelector('#pq-notices') || {textContent: ''}).textContent.trim() === '' && "
                           "document.querySelectorAll('#pq-cards .pq-card').length === 0")
    page.wait_for_timeout(300)


def wait_for_answer(page, what: str) -> None:
    """Wait until the answer is final (the export button shows); on a timeout, say what the page showed then."""
    try:
        page.wait_for_function("() => { const e = document.querySelector('#pq-export');"
                               " return e && e.offsetParent !== null; }")
    except Exception as exc:
        shot(page, "timeout-" + re.sub(r"\W+", "_", what)[:40])
        chat = page.locator("#pq-chat").inner_text()[-600:]
        notes = page.locator("#pq-notices").inner_text()[-300:]
        raise AssertionError(f"no final answer to {what!r}: chat={chat!r} notices={notes!r}") from exc
