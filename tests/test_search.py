"""End-to-end retrieval on the sample corpus: real e5 embedder, real Qdrant engine."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from assistant.retrieve import Retriever
from policyqa.types import SearchFilter

TWO_MECH_TITLE = "建立“两项机制”推动全面从严治党向纵深发展"


@pytest.fixture(scope="module")
def retriever(resources):
    return Retriever(resources)


def test_two_mechanisms_first_hit_names_both(retriever):
    hits = retriever.search("两项机制", top_k=5).hits
    assert hits, "no hits"
    top = hits[0]
    assert top.title == TWO_MECH_TITLE
    assert "沟通联系办法" in top.text and "联席会议制度" in top.text
    assert top.heading_path[0] == TWO_MECH_TITLE


def test_paraphrased_question_finds_grouping_fact(retriever):
    q = "市直机关的各个单位是怎样分组开展书记联席会的？"
    hits = retriever.search(q, top_k=5).hits
    texts = [h.text for h in hits]
    assert any("122个单位分成8个组" in t for t in texts[:3]), texts


def test_english_question_reaches_chinese_article(retriever):
    hits = retriever.search("how do the 两项机制 work?", top_k=5).hits
    assert hits[0].title == TWO_MECH_TITLE


def test_hit_offsets_point_into_document(retriever, resources):
    hits = retriever.search("联席会议至少每年召开几次", top_k=3).hits
    for h in hits:
        passages = resources.store.doc_passages(h.doc_id)
        assert any(p["start"] == h.start and p["end"] == h.end and p["text"] == h.text for p in passages)
        assert h.end - h.start == len(h.text)


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_single_modes(retriever, mode):
    hits = retriever.search("两项机制 联席会议制度", top_k=3, mode=mode).hits
    assert hits and hits[0].title == TWO_MECH_TITLE


def test_filters(retriever, resources):
    docs = {d.title: d for d in resources.store.list_docs()}
    other = next(d for t, d in docs.items() if t != TWO_MECH_TITLE)
    hits = retriever.search("两项机制", top_k=5, flt=SearchFilter(doc_ids=[other.doc_id])).hits
    assert hits and all(h.doc_id == other.doc_id for h in hits)
    two = docs[TWO_MECH_TITLE]
    assert two.date, "manifest gives the article a date"
    after = retriever.search("两项机制", top_k=10, flt=SearchFilter(date_from=str(int(two.date[:4]) + 1))).hits
    assert all(h.doc_id != two.doc_id for h in after)
    assert all(h.date[:4] > two.date[:4] for h in after)
    none = retriever.search("两项机制", top_k=5, flt=SearchFilter(doc_types=["work_report"])).hits
    assert none == []


def test_cli_search_json(ingested, tmp_path):
    settings, _ = ingested
    home = tmp_path / "home"  # a copy: the session store is held open (embedded mode is single-process)
    shutil.copytree(settings.home_path, home)
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "两项机制是什么", "--top-k", "3", "--json",
         "--home", str(home)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    data = json.loads(out.stdout)
    assert len(data["hits"]) == 3
    assert data["hits"][0]["title"] == TWO_MECH_TITLE
    assert {"title", "heading", "score", "text", "date"} <= set(data["hits"][0])
