"""The eval set and harness: file format, verbatim evidence, metric functions, and the CLI on the sample corpus."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT

from eval import metrics as m
from eval.harness import (
    CI_BARS,
    DEFAULT_QUESTIONS,
    EvalFileError,
    aggregate,
    is_english,
    load_questions,
    missed_thresholds,
    render_markdown,
    score_item,
)
from policyqa.types import EvalItem, EvalReport

MAX_EVIDENCE_CHARS = 25


@pytest.fixture(scope="module")
def items():
    return load_questions(DEFAULT_QUESTIONS)


# -- the question set ----------------------------------------------------------------

def test_question_set_mix(items):
    assert len(items) >= 60
    types = [i.type for i in items]
    assert types.count("unanswerable") >= 8
    assert types.count("synthesis") >= 5
    assert sum(1 for i in items if i.history) >= 3, "follow-up questions"
    assert sum(1 for i in items if is_english(i.question)) >= 3, "English questions"
    for i in items:
        if i.answerable:
            assert i.answers and i.evidence, i.id
        else:
            assert i.answers == [] and i.evidence == [], i.id
    assert len({i.id for i in items}) == len(items)
    # A held part that no threshold, rule or prompt was fitted on, with every fact asked three ways.
    held = [i for i in items if i.split == "held"]
    assert len(held) >= 150 and sum(1 for i in held if not i.answerable) >= 40
    fams: dict[str, set[str]] = {}
    for i in held:
        if i.answerable:
            fams.setdefault(i.family, set()).add(i.style)
    assert all(len(s) >= 2 for s in fams.values()) and len(fams) >= 40
    assert len(items) >= 200 and sum(1 for i in items if not i.answerable) >= 40


def test_evidence_is_short_and_verbatim_in_corpus(items, resources):
    corpus = m.norm("\n".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")))
    passages = [m.norm(d.title + p["text"]) for d in resources.store.list_docs()
                for p in resources.store.doc_passages(d.doc_id)]
    for i in items:
        for e in i.evidence:
            assert len(m.norm(e)) <= MAX_EVIDENCE_CHARS, (i.id, e)
            assert m.norm(e) in corpus, f"{i.id}: evidence not verbatim in data/corpus: {e}"
            assert any(m.norm(e) in p for p in passages), f"{i.id}: evidence in no stored passage: {e}"


def test_synthesis_evidence_spans_documents(items, resources):
    """Cross-document items quote more than one document (else they are fact look-ups)."""
    docs = {d.doc_id: [m.norm(p["text"]) for p in resources.store.doc_passages(d.doc_id)]
            for d in resources.store.list_docs()}
    multi = 0
    for i in items:
        if i.type == "synthesis" and len(i.evidence) > 1:
            found = {d for d, ps in docs.items() for e in i.evidence if any(m.norm(e) in p for p in ps)}
            multi += len(found) > 1
    assert multi >= 4


# -- loading -----------------------------------------------------------------------

def _write(tmp_path, rows) -> str:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                 encoding="utf-8")
    return str(p)


def test_load_accepts_files_without_history(tmp_path):
    rows = [{"id": "a", "type": "fact", "question": "联席会议多久召开一次？", "answers": ["两次"], "evidence": ["至少每年召开两次"]},
            "",
            {"id": "b", "type": "unanswerable", "question": "2026年中央一号文件的主题是什么？", "answers": [], "evidence": []},
            {"id": "c", "type": "fact", "question": "那办公室设在哪里？", "answers": ["组织部"], "evidence": ["组织部"],
             "history": [["联席会议多久召开一次？", "至少每年召开两次。"]]}]
    got = load_questions(_write(tmp_path, rows))
    assert [i.id for i in got] == ["a", "b", "c"]
    assert got[0].history == [] and got[2].history == [("联席会议多久召开一次？", "至少每年召开两次。")]
    assert got[1].answerable is False


@pytest.mark.parametrize("row, message", [
    ({"id": "a", "type": "opinion", "question": "x", "answers": [], "evidence": []}, "type"),
    ({"id": "a", "type": "unanswerable", "question": "x", "answers": ["y"], "evidence": []}, r"应为 \[\]"),
    ({"id": "a", "type": "fact", "question": "x", "answers": "两次", "evidence": []}, "answers"),
    ({"id": "a", "type": "fact", "question": "x", "answers": [], "evidence": [], "history": [["只有一问"]]}, "history"),
    ({"type": "fact", "question": "x", "answers": [], "evidence": []}, "id"),
    ({"id": "a", "type": "fact", "question": "x", "answer": []}, "未知字段"),
    ("{not json", "JSON"),
])
def test_load_reports_bad_lines(tmp_path, row, message):
    with pytest.raises(EvalFileError, match=message) as exc:
        load_questions(_write(tmp_path, [row]))
    assert "第 1 行" in str(exc.value)


def test_load_rejects_duplicate_ids_and_missing_file(tmp_path):
    row = {"id": "a", "type": "unanswerable", "question": "x", "answers": [], "evidence": []}
    with pytest.raises(EvalFileError, match="重复"):
        load_questions(_write(tmp_path, [row, row]))
    with pytest.raises(EvalFileError, match="找不到"):
        load_questions(tmp_path / "missing.jsonl")


# -- metric functions on hand-made cases ---------------------------------------------

def test_evidence_matching_normalises_whitespace_and_brackets():
    text = "每年至少与党组（党委） 沟通联系一次，收集信息。"
    assert m.contains_any(text, ["与党组(党委)沟通联系一次"])
    assert m.contains_any(text, ["无关", "收集 信息"])
    assert not m.contains_any(text, ["每年两次"])
    assert not m.contains_any(text, [""])


def test_ranks_hits_and_mrr():
    texts = ["甲乙丙", "联席会至少每年召开两次", "两次"]
    assert m.first_hit_rank(texts, ["至少每年召开两次"]) == 2
    assert m.first_hit_rank(texts, ["没有"]) is None
    assert [m.hit_at(2, k) for k in (1, 3, 5, 10)] == [0.0, 1.0, 1.0, 1.0]
    assert m.hit_at(None, 10) == 0.0
    assert m.reciprocal_rank(2) == 0.5 and m.reciprocal_rank(None) == 0.0


def test_citation_precision_and_recall():
    cited = ["将市直机关122个单位分成8个组", "各组牵头单位由组内单位轮流担任", "无关段落"]
    assert m.citation_counts(cited, ["分成8个组", "轮流担任"]) == (2, 3)
    assert m.citation_recall(cited, ["分成8个组", "任期一年"]) == 0.5
    assert m.citation_recall([], ["分成8个组"]) == 0.0


def test_keypoint_recall_and_percentile():
    assert m.keypoint_recall("分成8个组，每组两个牵头单位。", ["8个组", "牵头单位", "任期一年"]) == pytest.approx(2 / 3)
    assert m.keypoint_recall("修好三门课改革当先锋", ["修好三门课 改革当先锋"]) == 1.0
    assert m.keypoint_recall("任意", []) == 1.0
    assert m.percentile([10, 20, 30, 40], 50) == 25
    assert m.percentile([5], 95) == 5 and m.percentile([], 50) is None
    assert m.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def _item(id_, type_="fact", answers=("8个组",), evidence=("分成8个组",)):
    return EvalItem(id=id_, type=type_, question=f"问题{id_}", answers=list(answers), evidence=list(evidence))


def test_score_and_aggregate_hand_made_run():
    items = [_item("a"), _item("b"), _item("c"), _item("u", "unanswerable", (), ()), _item("v", "unanswerable", (), ())]
    hit = "将市直机关122个单位分成8个组"
    outs = [
        # a: evidence first, cited, key point present.
        score_item(items[0], answer="分成8个组[1]", answered=True, standalone_query="q", retrieved=[hit, "x"],
                   cited=[hit], timings={"total_ms": 10}),
        # b: evidence third, two citations of which one has it, key point missing.
        score_item(items[1], answer="无关[1][2]", answered=True, standalone_query="q", retrieved=["x", "y", hit],
                   cited=["x", hit], timings={"total_ms": 30}),
        # c: evidence not retrieved, refused (a false refusal).
        score_item(items[2], answer="资料库中没有找到", answered=False, standalone_query="q", retrieved=["x"] * 10,
                   cited=[], timings={"total_ms": 20}),
        score_item(items[3], answer="资料库中没有找到", answered=False, standalone_query="q", retrieved=[], cited=[]),
        score_item(items[4], answer="编的[1]", answered=True, standalone_query="q", retrieved=[hit], cited=[hit]),
    ]
    assert outs[0].failures == []
    assert outs[1].evidence_rank == 3 and outs[1].missing_keypoints == ["8个组"]
    assert any("误拒答" in f for f in outs[2].failures) and any("证据" in f for f in outs[2].failures)
    assert outs[3].failures == [] and outs[4].failures == ["未拒答"]
    agg = aggregate(outs, items, top_k=10)
    assert agg["hit@1"] == pytest.approx(1 / 3) and agg["hit@3"] == pytest.approx(2 / 3)
    assert agg["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert agg["citation_precision"] == pytest.approx(2 / 3)  # 2 of 3 cited passages hold evidence
    assert agg["citation_recall"] == pytest.approx((1 + 1 + 0) / 3)
    assert agg["keypoints"] == pytest.approx(1 / 3)
    assert agg["refusal_accuracy"] == 0.5 and agg["false_refusal"] == pytest.approx(1 / 3)
    assert aggregate(outs, items, top_k=3)["hit@5"] is None  # beyond what was retrieved

    report = EvalReport(questions_file="x", backend="none", model="extractive", embedder="e5", top_k=10, metrics=agg,
                        outcomes=outs)
    missed = missed_thresholds(report, {"hit5": 0.5, "refusal": 0.9, "mrr": None, "keypoints": 0.3})
    assert len(missed) == 1 and "拒答准确率" in missed[0] and "--min-refusal" in missed[0]
    md = render_markdown(report)
    ids = {"a", "b", "c", "u", "v"}
    rows = [line for line in md.splitlines() if line.startswith("| ") and line.split("|")[1].strip() in ids]
    assert [r.split("|")[1].strip() for r in rows] == ["b", "c", "v", "a", "u"]  # failures first


# -- the CLI on the sample corpus (real e5 embedder, real Qdrant engine) --------------

def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "eval", *args], capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def home_copy(ingested, tmp_path_factory):
    settings, _ = ingested
    home = tmp_path_factory.mktemp("eval") / "home"  # a copy: the session store may be held open
    shutil.copytree(settings.home_path, home)
    return home


def test_cli_on_sample_corpus_holds_the_bars(home_copy, tmp_path):
    out_md = tmp_path / "report.md"
    r = _run("--llm", "none", "--home", str(home_copy), "--json", "--out", str(out_md), *CI_BARS)
    assert r.returncode == 0, r.stderr[-2000:]
    data = json.loads(r.stdout)
    met = data["metrics"]
    assert 0 <= met["mrr"] <= met["hit@10"] <= 1 and met["hit@1"] <= met["hit@3"] <= met["hit@5"] <= met["hit@10"]
    for key in ("citation_precision", "citation_recall", "keypoints", "false_refusal"):
        assert met[key] is not None and 0 <= met[key] <= 1
    assert len(data["outcomes"]) == sum(1 for i in load_questions(DEFAULT_QUESTIONS) if i.split == "held")
    assert {"embed_ms", "search_ms", "retrieve_ms", "total_ms", "rewrite_ms"} <= set(data["latency"])
    follow = [o for o in data["outcomes"] if o["standalone_query"] != o["question"]]
    assert follow, "follow-ups are retrieved on their rewritten query"
    md = out_md.read_text(encoding="utf-8")
    assert "## 逐题结果（未通过的在前）" in md and "| 证据命中@5 |" in md


def test_cli_prints_table_and_fails_missed_bar(home_copy, tmp_path):
    rows = [{"id": "x1", "type": "fact", "question": "联席会议多久召开一次？", "answers": ["两次"],
             "evidence": ["这句话不在任何资料里"]},
            {"id": "x2", "type": "unanswerable", "question": "2026年中央一号文件的主题是什么？", "answers": [], "evidence": []}]
    r = _run("--questions", _write(tmp_path, rows), "--home", str(home_copy), "--top-k", "5",
             "--min-hit5", "0.5", "--min-refusal", "0.5")
    assert r.returncode == 1, r.stderr[-2000:]
    assert "| 证据命中@5 | 0.000 |" in r.stdout and "| 拒答准确率（不可答题） | 1.000 |" in r.stdout
    assert "| 证据命中@10 | — |" in r.stdout  # top-k 5: nothing to say about rank 10
    assert "未达标" in r.stderr and "--min-hit5" in r.stderr and "--min-refusal" not in r.stderr


def test_cli_empty_store_says_what_to_do(tmp_path):
    r = _run("--home", str(tmp_path / "empty"))
    assert r.returncode == 2
    assert "先运行 python -m ingest data/corpus" in r.stderr


def test_cli_bad_questions_file(tmp_path):
    r = _run("--questions", _write(tmp_path, ["{oops"]))
    assert r.returncode == 2 and "第 1 行" in r.stderr
