"""The README's command-line tools work while the app serves (issue 12, item 9).

A real app (``app.py --llm none`` behind a login) holds a real store; the real CLI runs as a subprocess on
the same data directory, finds the app's record and runs through it. Its output must be what the same
command prints on an unlocked copy of the store (run here in-process), timings aside. When what holds the
store is not a live app, the store's clear message stands.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from browser import AppProcess, copy_home
from conftest import ROOT

AUTH = "tester:s3cret-口令"
QUESTION = "两项机制是怎么运作的？"


def _env(auth: str | None = AUTH) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1",
               POLICYQA_CONFIG=os.devnull)
    env.pop("POLICYQA_AUTH", None)
    if auth is not None:
        env["POLICYQA_AUTH"] = auth
    return env


def cli(module: str, *args: str, home: Path, auth: str | None = AUTH, cwd: Path = ROOT, stdin: str | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args, "--home", str(home)], cwd=str(cwd), env=_env(auth),
                          input=stdin, capture_output=True, text=True, timeout=timeout, check=False)


def local(capsys, module: str, *args: str, home: Path) -> tuple[int, str, str]:
    """The same command in this process on an unlocked store."""
    if module == "assistant":
        from assistant.__main__ import main
    else:
        from ingest.__main__ import main
    capsys.readouterr()
    code = main([*args, "--home", str(home)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _steady(text: str) -> str:
    """Output without what differs from run to run (milliseconds, seconds)."""
    text = re.sub(r"\d+(\.\d+)? ms", "N ms", text)
    return re.sub(r"用时 \d+(\.\d+)? 秒（嵌入 \d+(\.\d+)? 秒）", "用时 N 秒", text)


@pytest.fixture(scope="module")
def homes(ingested, tmp_path_factory):
    """(the app's data directory, an unlocked copy of the same store)."""
    settings, _ = ingested
    base = tmp_path_factory.mktemp("cliapp")
    return copy_home(settings.home_path, base / "home"), copy_home(settings.home_path, base / "copy")


@pytest.fixture(scope="module")
def app(homes):
    proc = AppProcess(homes[0], "--llm", "none", env={"POLICYQA_AUTH": AUTH, "POLICYQA_CONFIG": os.devnull},
                      name="app-cli").wait()
    yield proc
    if proc.proc.poll() is None:
        proc.stop()


def test_app_records_where_it_serves(app, homes):
    rec_path = homes[0] / "app.json"
    rec = json.loads(rec_path.read_text(encoding="utf-8"))
    assert rec["pid"] == app.proc.pid and rec["url"] == app.url and rec["auth"] is True
    assert rec["home"] == str(homes[0].resolve())
    assert len(rec["secret"]) >= 32 and "s3cret" not in rec_path.read_text(encoding="utf-8")
    assert stat.S_IMODE(rec_path.stat().st_mode) == 0o600


def test_ask_through_app_prints_as_locally(app, homes, capsys):
    home, copy = homes
    run = cli("assistant", "ask", QUESTION, "--llm", "none", home=home)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "出处：" in run.stdout and "[1]" in run.stdout and "两项机制" in run.stdout
    code, out, _ = local(capsys, "assistant", "ask", QUESTION, "--llm", "none", home=copy)
    assert code == 0 and _steady(run.stdout) == _steady(out)

    as_json = cli("assistant", "ask", "how do the 两项机制 work?", "--llm", "none", "--json", home=home)
    assert as_json.returncode == 0, as_json.stderr[-2000:]
    ans = json.loads(as_json.stdout)
    assert ans["answerable"] and ans["citations"]
    assert any("两项机制" in c["title"] for c in ans["citations"])
    assert all(f"[{c['n']}]" in ans["answer"] for c in ans["citations"])


def test_chat_through_app_keeps_the_conversation(app, homes, capsys, monkeypatch):
    home, copy = homes
    talk = "两项机制是怎么运作的？\n那联席会议多久开一次？\n/退出\n"
    run = cli("assistant", "chat", "--llm", "none", home=home, stdin=talk)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "政策研学助手（none）" in run.stdout and "（按“两项机制" in run.stdout  # the follow-up was completed
    monkeypatch.setattr("sys.stdin", io.StringIO(talk))
    code, out, _ = local(capsys, "assistant", "chat", "--llm", "none", home=copy)
    assert code == 0 and _steady(run.stdout) == _steady(out)


def test_search_outline_quiz_through_app_print_as_locally(app, homes, capsys):
    home, copy = homes
    for args in (["search", "两项机制是什么", "--top-k", "3"],
                 ["outline", "两项机制", "--length", "short", "--llm", "none"],
                 ["quiz", "--n", "4", "--seed", "3", "--types", "单选,填空"]):
        run = cli("assistant", *args, home=home)
        code, out, err = local(capsys, "assistant", *args, home=copy)
        assert (run.returncode, _steady(run.stdout)) == (code, _steady(out)), (args, run.stderr[-2000:])
        assert run.stdout.strip(), args
    # An error reported by the app reads as the local one does.
    run = cli("assistant", "compare", "不存在的法规", home=home)
    code, out, err = local(capsys, "assistant", "compare", "不存在的法规", home=copy)
    assert run.returncode == code == 2 and run.stderr.strip() == err.strip() and err.startswith("错误：")


def test_ingest_list_add_delete_through_app(app, homes, capsys, tmp_path):
    home, copy = homes
    listed = cli("ingest", "--list", home=home)
    assert listed.returncode == 0, listed.stderr[-2000:]
    code, out, _ = local(capsys, "ingest", "--list", home=copy)
    assert listed.stdout == out and "两项机制" in listed.stdout and "共 5 篇文档" in listed.stdout

    doc = tmp_path / "青松湖巡湖制度.md"
    doc.write_text("# 青松湖巡湖制度\n\n青松湖管理处规定，每月第一个星期三为巡湖日，由湖长带队巡查沿岸排口。\n"
                   "巡湖发现的问题在三个工作日内交办整改。\n", encoding="utf-8")
    # A relative path, as a user types it: resolved on this side, shown as given.
    added = cli("ingest", doc.name, "--quiet", home=home, cwd=tmp_path)
    assert added.returncode == 0, added.stderr[-2000:]
    assert "新增 1" in added.stdout and "新增  青松湖巡湖制度" in added.stdout
    as_json = json.loads(cli("ingest", "--list", "--json", home=home).stdout)
    new = [d for d in as_json if d["title"] == "青松湖巡湖制度"]
    assert len(new) == 1 and new[0]["path"] == str(doc)

    ans = json.loads(cli("assistant", "ask", "青松湖的巡湖日是哪天？", "--llm", "none", "--json", home=home).stdout)
    assert ans["answerable"] and any(c["title"] == "青松湖巡湖制度" for c in ans["citations"])
    assert "星期三" in ans["answer"]

    gone = cli("ingest", "--delete", new[0]["doc_id"], "--delete", "d000000000000", home=home)
    assert gone.returncode == 1
    assert f"已删除：{new[0]['doc_id']} 青松湖巡湖制度" in gone.stdout and "未找到文档 d000000000000" in gone.stderr
    assert "青松湖" not in cli("ingest", "--list", home=home).stdout


def test_versions_ingest_compare_and_as_of_through_app(app, homes, capsys, monkeypatch, tmp_path):
    """Two revisions of a law ingested through the app; 新旧对照 and an as-of question print as locally."""
    home, copy = homes
    monkeypatch.chdir(ROOT)
    laws = ["data/starter/laws/监察法(2018-03-20).md", "data/starter/laws/监察法(2024-12-25).md"]
    printed = []
    for args in ([*laws, "--quiet"], ["--list"]):
        run = cli("ingest", *args, home=home)
        code, out, _ = local(capsys, "ingest", *args, home=copy)
        assert (run.returncode, _steady(run.stdout)) == (code, _steady(out)), (args, run.stderr[-2000:])
        printed.append(out)
    assert "新增 2" in printed[0] and "现行" in printed[1] and "已被修订" in printed[1]
    for args in (["compare", "监察法"],
                 ["ask", "留置时间最长多久？", "--as-of", "2020-01-01", "--llm", "none"]):
        run = cli("assistant", *args, home=home)
        code, out, _ = local(capsys, "assistant", *args, home=copy)
        assert (run.returncode, _steady(run.stdout)) == (code, _steady(out)), (args, run.stderr[-2000:])
        assert code == 0 and "2018" in out
    docx = tmp_path / "监察法新旧对照.docx"
    run = cli("assistant", "compare", "监察法", "--out", str(docx), home=home)
    assert run.returncode == 0 and "已导出新旧对照表" in run.stdout and docx.stat().st_size > 5000


def test_path_ingest_needs_the_record_secret(app, homes, tmp_path):
    """Logged in is not enough to make the app read files on its disk: the secret in app.json is needed."""
    from gradio_client import Client

    c = Client(app.url, auth=("tester", "s3cret-口令"), verbose=False)
    out = c.predict([str(ROOT / "README.md")], False, "wrong", api_name="/cli_ingest")
    assert "error" in out and "report" not in out
    assert "README" not in cli("ingest", "--list", home=homes[0]).stdout


def test_login_comes_from_policyqa_auth(app, homes):
    home = homes[0]
    missing = cli("assistant", "search", "两项机制", home=home, auth=None)
    assert missing.returncode == 2 and "POLICYQA_AUTH" in missing.stderr and "登录" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) <= 2
    wrong = cli("ingest", "--list", home=home, auth="tester:wrong")
    assert wrong.returncode == 2 and "登录该应用失败" in wrong.stderr and "Traceback" not in wrong.stderr


def test_lock_held_by_no_app_keeps_the_clear_message(app, homes, tmp_path):
    """An ingest job (here: this process) holds the store; recorded: no app, a dead one, one not answering, or
    (in a copied data directory) a live app serving another directory."""
    from conftest import make_settings

    from policyqa.runtime import open_resources

    home = copy_home(homes[1], tmp_path / "held")
    res = open_resources(make_settings(home))
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        rec = json.loads((homes[0] / "app.json").read_text(encoding="utf-8"))  # the live app's, of another home
        records = [None,
                   dict(rec, pid=int(dead.stdout), home=str(home.resolve())),
                   dict(rec, url="http://127.0.0.1:9/", pid=os.getpid(), home=str(home.resolve())),
                   rec]
        commands = [[("assistant", ["ask", QUESTION, "--llm", "none"])], [("ingest", ["--list"])],
                    [("assistant", ["search", "两项机制"])], [("ingest", ["--list"])]]
        for rec, cmds in zip(records, commands, strict=True):
            if rec is not None:
                (home / "app.json").write_text(json.dumps(rec), encoding="utf-8")
            for module, args in cmds:
                run = cli(module, *args, home=home)
                assert run.returncode == 2, (rec, run.stdout, run.stderr[-1000:])
                assert "正被另一个进程使用" in run.stderr and "QDRANT_URL" in run.stderr, run.stderr
                assert len(run.stderr.strip().splitlines()) <= 3 and "Traceback" not in run.stderr
    finally:
        res.close()
        shutil.rmtree(home, ignore_errors=True)


def test_record_removed_when_app_stops(app, homes):
    assert (homes[0] / "app.json").exists()
    app.stop()
    assert app.proc.returncode is not None
    assert not (homes[0] / "app.json").exists()
