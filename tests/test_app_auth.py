"""Login protects the page and the API; the app binds 127.0.0.1 unless told otherwise."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from browser import AppProcess, copy_home


@pytest.fixture(scope="module")
def locked_app(ingested, tmp_path_factory):
    settings, _ = ingested
    home = copy_home(settings.home_path, tmp_path_factory.mktemp("authhome") / "home")
    proc = AppProcess(home, "--llm", "none", env={"POLICYQA_AUTH": "tester:s3cret-口令"}, name="app-auth").wait()
    yield proc
    proc.stop()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_page_and_api_need_login(locked_app):
    from gradio_client import Client

    base = locked_app.url.rstrip("/")
    status, body = _get(base + "/config")
    assert status in (401, 403), (status, body[:200])
    status, body = _get(base + "/gradio_api/info")
    assert status in (401, 403), (status, body[:200])
    with pytest.raises(Exception):
        Client(locked_app.url, verbose=False).predict("两项机制是什么？", "none", api_name="/ask")
    with pytest.raises(Exception):
        Client(locked_app.url, auth=("tester", "wrong"), verbose=False)
    out = Client(locked_app.url, auth=("tester", "s3cret-口令"), verbose=False).predict(
        "两项机制是什么？", "none", api_name="/ask")
    assert out["answerable"] and any("两项机制" in c["title"] for c in out["citations"])


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp*, hex little-endian IPv4)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            f = line.split()
            addr, p = f[1].split(":")
            if f[3] == "0A" and int(p, 16) == port:
                out.add(".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(addr) == 8 else addr)
    return out


def test_default_bind_is_loopback(locked_app):
    assert _listening(locked_app.port) == {"127.0.0.1"}
