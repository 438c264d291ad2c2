"""The ingestion job end to end: real e5 embedder, real Qdrant engine (embedded)."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from conftest import CORPUS, ROOT, make_settings

from ingest import Ingestor
from policyqa.runtime import open_resources

CLUTTER = re.compile(r"投稿邮箱|站内搜索|文字缩放|送签|签发|扫一扫|ICP备|公网安备|随便看|Copyright|版权所有|词典首页")


def _ingest(home: Path, paths, prune=False):
    ing = Ingestor.open(make_settings(home), progress=False)
    try:
        return ing.run(paths, prune=prune)
    finally:
        ing.close()
        ing.res.close()


def _store_state(home: Path):
    """(registry docs, {doc_id: visible passage payloads}) of a store."""
    res = open_resources(make_settings(home))
    try:
        docs = {d.doc_id: d for d in res.store.list_docs()}
        passages = {d: res.store.doc_passages(d) for d in docs}
        total = res.store.count_passages()
        return docs, passages, total
    finally:
        res.close()


def test_sample_corpus(ingested):
    settings, report = ingested
    d = report.to_dict()
    assert d["added"] == 5 and d["skipped"] == 0
    docs, passages, total = _store_state_copy(settings.home_path)
    assert len(docs) == 5
    assert total == sum(m.n_passages for m in docs.values()) == d["passages_written"]
    for doc_id, meta in docs.items():
        ps = passages[doc_id]
        assert [p["idx"] for p in ps] == list(range(meta.n_passages))
        assert meta.title and meta.date and meta.source and meta.doc_type
        for p in ps:
            assert not CLUTTER.search(p["text"]), p["text"]
            assert p["heading"][0] == meta.title
            assert p["end"] - p["start"] == len(p["text"])
    titles = {m.title for m in docs.values()}
    assert "建立“两项机制”推动全面从严治党向纵深发展" in titles


def _store_state_copy(home: Path):
    # The session store may be held open by search tests in this process: read a copy.
    import tempfile

    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(home, tmp / "h")
    return _store_state(tmp / "h")


def test_rerun_changes_nothing(fresh_home):
    first = _ingest(fresh_home, [CORPUS]).to_dict()
    assert first["added"] == 5
    _, _, total1 = _store_state(fresh_home)
    second = _ingest(fresh_home, [CORPUS]).to_dict()
    assert (second["added"], second["updated"], second["unchanged"], second["passages_written"]) == (0, 0, 5, 0)
    assert second["deleted"] == []
    _, _, total2 = _store_state(fresh_home)
    assert total1 == total2


def test_changed_file_replaces_its_passages(fresh_home, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    _ingest(fresh_home, [corpus])
    docs, passages, _ = _store_state(fresh_home)
    target = next(p for p in corpus.glob("*.txt") if "两项机制" in p.name)
    old_meta = next(m for m in docs.values() if Path(m.path).name == target.name)
    text = target.read_text(encoding="utf-8")
    marker = "补充说明：市直机关工委于每季度末汇总各组联席会议纪要并印发通报。"
    target.write_text(text.replace("运行方式。", marker + "\n运行方式。", 1), encoding="utf-8")
    rep = _ingest(fresh_home, [corpus]).to_dict()
    assert (rep["added"], rep["updated"], rep["unchanged"]) == (0, 1, 4)
    docs2, passages2, total2 = _store_state(fresh_home)
    new_meta = docs2[old_meta.doc_id]
    assert new_meta.content_hash != old_meta.content_hash
    ps = passages2[old_meta.doc_id]
    assert any(marker in p["text"] for p in ps)
    assert all(p["hash"] == new_meta.content_hash for p in ps)
    assert len(ps) == new_meta.n_passages
    assert total2 == sum(m.n_passages for m in docs2.values())


def test_prune_and_delete(fresh_home, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    _ingest(fresh_home, [corpus])
    docs, _, _ = _store_state(fresh_home)
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.unlink()
    rep = _ingest(fresh_home, [corpus], prune=True)
    assert len(rep.deleted) == 1
    docs2, _, total2 = _store_state(fresh_home)
    assert len(docs2) == 4 and all(Path(m.path).exists() for m in docs2.values())
    assert total2 == sum(m.n_passages for m in docs2.values())
    # --delete through the CLI
    doc_id = sorted(docs2)[0]
    out = subprocess.run([sys.executable, "-m", "ingest", "--delete", doc_id, "--home", str(fresh_home)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "已删除" in out.stdout
    docs3, _, total3 = _store_state(fresh_home)
    assert doc_id not in docs3 and len(docs3) == 3
    assert total3 == sum(m.n_passages for m in docs3.values())
    out = subprocess.run([sys.executable, "-m", "ingest", "--delete", "dnope", "--home", str(fresh_home)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 1 and "未找到" in out.stderr


def test_bad_files_are_skipped_and_run_goes_on(fresh_home, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    shutil.copy(next(CORPUS.glob("*两项机制*")), d / "good.txt")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (d / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (d / "table.xlsx").write_bytes(b"whatever")
    out = subprocess.run([sys.executable, "-m", "ingest", str(d), "--home", str(fresh_home), "--quiet"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout
    for name in ("empty.txt", "binary.txt", "broken.docx", "table.xlsx"):
        assert re.search(r"跳过\s+\S*" + re.escape(name) + "：.+", lines), lines
    assert "新增" in lines
    docs, _, _ = _store_state(fresh_home)
    assert len(docs) == 1
    # Nothing ingestible at all → non-zero exit.
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("   \n")
    out = subprocess.run([sys.executable, "-m", "ingest", str(bad), "--home", str(tmp_path / "h2"), "--quiet"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 1
    assert "文件为空" in out.stdout


def test_list_cli(fresh_home):
    _ingest(fresh_home, [CORPUS])
    out = subprocess.run([sys.executable, "-m", "ingest", "--list", "--home", str(fresh_home)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300, check=True)
    assert "共 5 篇文档" in out.stdout
    assert "建立“两项机制”推动全面从严治党向纵深发展" in out.stdout


def _many_docs(dst: Path, n: int) -> None:
    """n distinct documents made from the sample corpus paragraphs (real text, distinct content)."""
    dst.mkdir()
    paras = []
    for f in sorted(CORPUS.glob("*.txt")):
        paras += [line for line in f.read_text(encoding="utf-8").splitlines() if len(line) > 80]
    for i in range(n):
        body = "\n".join(paras[(i * 3 + k) % len(paras)] for k in range(3))
        (dst / f"doc{i:03d}.txt").write_text(f"第{i}号学习材料\n{body}\n（编号 {i}）\n", encoding="utf-8")


def test_kill_9_mid_run_leaves_no_half_document(tmp_path):
    """SIGKILL the job mid-write (real embedding, no cache), check visibility, rerun, compare with a clean run."""
    corpus = tmp_path / "corpus"
    _many_docs(corpus, 40)
    home = tmp_path / "home"
    # Small embedding groups (a few documents each), so that the run writes in many steps.
    env = dict(os.environ, PYTHONUNBUFFERED="1", POLICYQA_EMBED_BATCH="8")
    proc = subprocess.Popen([sys.executable, "-m", "ingest", str(corpus), "--home", str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    # Kill once the progress bar shows passages being embedded and stored.
    buf = b""
    deadline = time.time() + 300
    killed = False
    while time.time() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        m = re.findall(rb"\xe5\x85\xa5\xe5\xba\x93:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)", buf)  # "入库: NN%|…| a/b"
        if m and int(m[-1][0]) >= int(m[-1][1]) // 2:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=60)
    assert killed, buf.decode("utf-8", "replace")[-2000:]
    killed_copy = tmp_path / "killed"
    shutil.copytree(home, killed_copy)
    # A clean run of the same corpus gives the expected passages per document.
    clean_home = tmp_path / "clean"
    shutil.copytree(home / "cache", clean_home / "cache")
    _ingest(clean_home, [corpus])
    docs_b, passages_b, total_b = _store_state(clean_home)
    # Right after the kill: every document is either fully visible or not at all.
    res = open_resources(make_settings(killed_copy))
    try:
        counts = {d: res.store.count_passages(d) for d in docs_b}
        total_visible = res.store.count_passages()
    finally:
        res.close()
    assert total_visible == sum(counts.values())
    assert all(counts[d] in (0, docs_b[d].n_passages) for d in docs_b), counts
    assert 0 < total_visible < total_b, "the kill should land mid-run"
    # Rerun and compare with a clean run.
    rep = _ingest(home, [corpus]).to_dict()
    assert rep["skipped"] == 0
    docs_a, passages_a, total_a = _store_state(home)
    assert total_a == total_b == sum(m.n_passages for m in docs_b.values())
    assert len(docs_a) == len(docs_b) == 40
    for doc_id, ps in passages_a.items():
        assert Counter(p["idx"] for p in ps) == Counter(range(docs_a[doc_id].n_passages))
        assert [p["text"] for p in ps] == [p["text"] for p in passages_b[doc_id]]
