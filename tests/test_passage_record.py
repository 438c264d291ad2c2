"""The passage record: one Passage from ingest to UI, payload conversion in one place, JSON keys unchanged."""
from __future__ import annotations

import dataclasses
import json

import pytest

from assistant.quiz.facts import QuizPassage, Sentence
from assistant.retrieve import hit_from_payload, to_hit
from policyqa.store import ScoredPayload
from policyqa.store.base import PASSAGE_FIELDS
from policyqa.types import Citation, Hit, Outline, Passage, QuizItem, QuizSet, QuizSource, date_to_int

# The payload keys stores have always held (written by ingest before Passage.to_payload existed).
LEGACY_PAYLOAD_KEYS = {"doc_id", "hash", "idx", "text", "heading", "start", "end", "title", "date", "date_int",
                       "doc_type", "source", "path", "complete"}
HIT_KEYS = ["passage_id", "doc_id", "title", "heading_path", "text", "score", "date", "doc_type", "source", "idx",
            "start", "end", "path", "heading"]
CITATION_KEYS = ["n", "passage_id", "doc_id", "title", "heading", "date", "text", "score", "support", "doc_type",
                 "source", "start", "end"]
QUIZ_SOURCE_KEYS = ["doc_id", "passage_id", "title", "heading", "date", "text", "sentence", "heading_path",
                    "doc_type", "source", "start", "end"]


def _passage(**kw) -> Passage:
    base = dict(passage_id="p-1", doc_id="d0123456789ab", title="关于两项机制的通知", heading_path=["关于两项机制的通知", "一、总则"],
                text="每年开展两次专项检查。", date="2025-04-03", doc_type="regulation", source="市直机关工委", idx=3,
                start=120, end=131, path="/corpus/a.txt", content_hash="abc123")
    return Passage(**{**base, **kw})


def _legacy_payload() -> dict:
    """A payload exactly as the ingest pipeline wrote it before the record existed."""
    return {"doc_id": "d0123456789ab", "hash": "abc123", "idx": 3, "text": "每年开展两次专项检查。",
            "heading": ["关于两项机制的通知", "一、总则"], "start": 120, "end": 131, "title": "关于两项机制的通知",
            "date": "2025-04-03", "date_int": 20250403, "doc_type": "regulation", "source": "市直机关工委",
            "path": "/corpus/a.txt", "complete": True}


# -- payload <-> Passage ---------------------------------------------------------------

VERSION_KEYS = {"work", "version"}
"""Added with revision-aware documents; payloads written before them read back with empty values."""


def test_passage_fields_derived_from_record():
    assert set(PASSAGE_FIELDS) == LEGACY_PAYLOAD_KEYS | VERSION_KEYS
    assert len(PASSAGE_FIELDS) == len(LEGACY_PAYLOAD_KEYS | VERSION_KEYS)
    assert PASSAGE_FIELDS == Passage.payload_keys()
    assert set(_passage().to_payload()) == set(PASSAGE_FIELDS)


def test_payload_round_trip():
    p = _passage()
    payload = p.to_payload()
    assert payload["heading"] == p.heading_path and payload["heading"] is not p.heading_path
    assert payload["hash"] == "abc123" and payload["date_int"] == date_to_int("2025-04-03") == 20250403
    assert payload["complete"] is False and p.to_payload(complete=True)["complete"] is True
    assert "passage_id" not in payload and "content_hash" not in payload
    assert Passage.from_payload(payload, passage_id="p-1") == p
    assert Passage.from_payload(json.loads(json.dumps(payload)), passage_id="p-1") == p


def test_legacy_payload_reads_and_writes_back_identically():
    legacy = _legacy_payload()
    p = Passage.from_payload(legacy, passage_id="p-1")
    assert p == _passage()
    # Written back: the legacy keys unchanged, the version keys added empty.
    assert p.to_payload(complete=True) == {**legacy, "work": "", "version": ""}


def test_from_payload_id_defaults_and_coercion():
    # doc_passages() adds the point id as "id"; some engines hand integers back as floats
    p = Passage.from_payload({"id": "p-9", "doc_id": "d1", "idx": 2.0, "start": 5.0, "end": 9.0, "heading": None,
                              "text": "正文", "title": None, "unknown": 1})
    assert (p.passage_id, p.idx, p.start, p.end) == ("p-9", 2, 5, 9)
    assert isinstance(p.idx, int) and p.heading_path == [] and p.title == ""
    assert (p.doc_type, p.date, p.source, p.path, p.content_hash) == ("article", "", "", "", "")
    assert Passage.from_payload({"id": "p-9"}, passage_id="explicit").passage_id == "explicit"


# -- Hit ---------------------------------------------------------------------------------

def test_hit_is_the_passage_with_a_score():
    payload = _legacy_payload()
    hit = hit_from_payload(payload, 0.7, "p-1")
    assert isinstance(hit, Passage) and hit.score == 0.7
    assert hit.as_passage() == _passage() and type(hit.as_passage()) is Passage
    assert hit.heading == "关于两项机制的通知 › 一、总则"
    assert (hit.title, hit.doc_id, hit.idx, hit.text) == ("关于两项机制的通知", "d0123456789ab", 3, "每年开展两次专项检查。")
    assert to_hit(ScoredPayload(id="p-1", score=0.7, payload=payload)) == hit
    assert hit_from_payload(dict(payload, id="p-2")).passage_id == "p-2"

    changed = dataclasses.replace(hit, text="改写后的文字")
    assert isinstance(changed, Hit) and changed.text == "改写后的文字" and changed.score == 0.7
    assert changed.passage_id == hit.passage_id and hit.text == "每年开展两次专项检查。"


def test_hit_keyword_construction_and_json_keys():
    hit = Hit(passage_id="", doc_id="d1", title="", heading_path=[], text="标题", score=0.0)
    assert hit.doc_type == "article" and hit.content_hash == ""
    d = hit_from_payload(_legacy_payload(), 0.5, "p-1").to_dict()
    assert list(d) == HIT_KEYS
    assert d["heading"] == "关于两项机制的通知 › 一、总则" and d["heading_path"] == ["关于两项机制的通知", "一、总则"]


# -- Citation and QuizSource -----------------------------------------------------------

def test_citation_holds_the_passage():
    hit = hit_from_payload(_legacy_payload(), 0.5, "p-1")
    c = Citation.from_hit(2, hit)
    assert c.passage == _passage() and type(c.passage) is Passage
    assert (c.n, c.score, c.support) == (2, 0.5, [])
    for name in ("passage_id", "doc_id", "title", "heading", "date", "text", "doc_type", "source", "start", "end",
                 "heading_path", "idx", "path"):
        assert getattr(c, name) == getattr(hit, name), name
    c.support = ["每年开展两次专项检查。"]
    d = c.to_dict()
    assert list(d) == CITATION_KEYS
    assert d == {"n": 2, "passage_id": "p-1", "doc_id": "d0123456789ab", "title": "关于两项机制的通知",
                 "heading": "关于两项机制的通知 › 一、总则", "date": "2025-04-03", "text": "每年开展两次专项检查。",
                 "score": 0.5, "support": ["每年开展两次专项检查。"], "doc_type": "regulation", "source": "市直机关工委",
                 "start": 120, "end": 131}
    json.dumps(d, ensure_ascii=False)


def test_quiz_source_holds_the_passage():
    qp = QuizPassage.from_payload(_legacy_payload(), passage_id="p-1")
    assert isinstance(qp, Passage) and qp.id == "p-1"
    sent = Sentence(p=qp, pos=0, text="每年开展两次专项检查。", score=1.0)
    src = sent.quiz_source()
    assert src == qp.quiz_source(sent.text)
    assert src.passage == _passage() and type(src.passage) is Passage
    assert (src.title, src.heading, src.text, src.sentence) == (qp.title, qp.heading, qp.text, sent.text)
    assert list(src.to_dict()) == QUIZ_SOURCE_KEYS

    c = src.to_citation(4)
    assert (c.n, c.score, c.support, c.passage) == (4, 0.0, [sent.text], src.passage)
    assert list(c.to_dict()) == CITATION_KEYS


@pytest.mark.parametrize("nested", ["item", "set"])
def test_quiz_and_outline_json_keep_flat_records(nested):
    src = QuizSource(passage=_passage(), sentence="每年开展两次专项检查。")
    item = QuizItem(id="i1", qtype="single", stem="……（　　）", options=["两次", "三次"], answer="A", answer_texts=["两次"],
                    explanation="原文", source=src)
    d = item.to_dict() if nested == "item" else QuizSet(items=[item]).to_dict()["items"][0]
    assert list(d["source"]) == QUIZ_SOURCE_KEYS and d["source"] == src.to_dict()
    assert list(d)[:9] == ["id", "qtype", "stem", "options", "answer", "answer_texts", "explanation", "source", "kind"]

    c = Citation(n=1, passage=_passage(), score=0.3)
    o = Outline(topic="两项机制", citations=[c], nearest=[c]).to_dict()
    assert [list(x) for x in o["citations"] + o["nearest"]] == [CITATION_KEYS, CITATION_KEYS]
    json.dumps(o, ensure_ascii=False)


# -- ingest writes the record ------------------------------------------------------------

def test_ingested_payloads_are_passage_records(resources):
    store = resources.store
    docs = store.list_docs()
    assert docs
    for meta in docs[:2]:
        payloads = store.doc_passages(meta.doc_id)
        assert len(payloads) == meta.n_passages
        for payload in payloads:
            stored = {k: v for k, v in payload.items() if k != "id"}
            assert set(stored) == set(PASSAGE_FIELDS)
            p = Passage.from_payload(payload)
            assert p.passage_id == payload["id"] and p.content_hash == meta.content_hash
            assert (p.title, p.date, p.doc_type, p.path) == (meta.title, meta.date, meta.doc_type, meta.path)
            assert p.to_payload(complete=True) == stored
