"""The statute-lookup pieces: term dictionary, law prior, case memory, feature reranker, retriever hook.

Real parts: 劳动合同法 and 公司法 from the law corpus in a real store with the real e5 embedder.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from assistant import rerank
from assistant.query_terms import (
    RESOURCE_DIR,
    CaseMemory,
    Definitions,
    LawPrior,
    TermDictionary,
    article_key,
    build_knowledge,
    definitions_in,
    law_name,
    load_knowledge,
    passage_keys,
    sparse_query,
)
from policyqa import sparse
from policyqa.settings import load_settings
from policyqa.types import SearchFilter

ART_1079 = "夫妻一方要求离婚的，可以由有关组织进行调解或者直接向人民法院提起离婚诉讼。"
ART_1062 = "夫妻在婚姻关系存续期间所得的下列财产，为夫妻的共同财产，归夫妻共同所有。"
ART_LAB = "用人单位自用工之日起即与劳动者建立劳动关系。用人单位应当建立职工名册备查。"


def _q(qid: int, text: str, golds: dict[str, str]) -> dict:
    return {"query_id": qid, "问题": text, "相关法规": golds}


QUESTIONS = [
    _q(1, "老公不同意离婚怎么办？", {"中华人民共和国民法典第一千零七十九条": ART_1079}),
    _q(2, "我想和老公离婚，要去法院吗？", {"中华人民共和国民法典第一千零七十九条": ART_1079}),
    _q(3, "老公婚后买的房子算共同财产吗？", {"中华人民共和国民法典第一千零六十二条": ART_1062}),
    _q(4, "老板没签合同，我算员工吗？", {"劳动合同法第七条": ART_LAB}),
    _q(5, "老板不给签合同，劳动关系从哪天算？", {"劳动合同法第七条": ART_LAB}),
]


def test_law_names_and_article_keys():
    assert law_name("中华人民共和国民法典第九百六十七条") == "民法典"
    assert law_name("劳动合同法第七条") == "劳动合同法"
    assert law_name("《中华人民共和国劳动合同法(2012修正)》") == "劳动合同法"
    assert law_name("第十条之一") == ""
    passage = f"第一千零七十八条　婚姻登记机关……\n第一千零七十九条　{ART_1079}"
    assert article_key(ART_1079) in passage_keys(passage)
    assert article_key("第七条 " + ART_LAB) == article_key(ART_LAB)
    assert article_key(ART_LAB) not in passage_keys(passage)


def test_term_dictionary_maps_everyday_words_to_statute_words():
    pairs = [(sparse.tokenize(q["问题"]), [t for g in q["相关法规"].values() for t in sparse.tokenize(g)])
             for q in QUESTIONS]
    d = TermDictionary.build(pairs, min_pair=2, min_lift=1.2, per_term=20)
    exp = d.expand(sparse.tokenize("老板拖着不签合同"))
    assert "用人单位" in exp and all(0 < w <= 1 for w in exp.values())
    assert "老板" not in exp  # never the question's own words
    assert TermDictionary.from_tsv(d.to_tsv()).expansions == d.expansions
    ids, vals = sparse_query(["老板"], {"用人单位": 0.8}, weight=0.5)
    assert dict(zip(ids, vals)) == {sparse.token_id("老板"): 1.0, sparse.token_id("用人单位"): 0.4}


def test_law_prior_points_at_the_right_law():
    prior = LawPrior.build([(sparse.tokenize(q["问题"]), [law_name(n) for n in q["相关法规"]]) for q in QUESTIONS])
    s = prior.scores(sparse.tokenize("离婚后房子怎么分"))
    assert max(s, key=lambda k: s[k]) == "民法典"
    s = prior.scores(sparse.tokenize("老板不签劳动合同"))
    assert max(s, key=lambda k: s[k]) == "劳动合同法"
    assert math.isclose(sum(s.values()), 1.0)
    assert LawPrior().scores(["x"]) == {}


def test_corpus_definitions_are_found_from_their_wording():
    text = ("第九十三条　本法所称国家工作人员，是指国家机关中从事公务的人员。\n"
            "第九十五条　本法所称重伤，是指有下列情形之一的伤害：")
    assert definitions_in(text) == [("国家工作人员", "国家机关中从事公务的人员"), ("重伤", "有下列情形之一的伤害:")]
    defs = Definitions.from_texts([text])
    exp = defs.expand(sparse.tokenize("在国家机关从事公务的人收了钱"))
    assert "工作人员" in exp or "国家工作人员" in exp
    assert defs.expand(sparse.tokenize("邻居家的狗咬人")) == {}
    assert Definitions.from_tsv(defs.to_tsv()).entries == defs.entries


def test_case_memory_neighbours_respect_the_mask():
    vec = np.eye(3, dtype=np.float32)
    mem = CaseMemory(vec, [["a"], ["b"], ["c"]], [["A"], ["B"], ["C"]])
    assert mem.neighbours(np.array([0.9, 0.1, 0.0]), k=2)[0][0] == 0
    assert mem.neighbours(np.array([0.9, 0.1, 0.0]), k=2, mask=np.array([False, True, True]))[0][0] == 1


def _knowledge():
    vecs = np.zeros((len(QUESTIONS), 384), np.float32)
    for i in range(len(QUESTIONS)):
        vecs[i, i] = 1.0
    return build_knowledge(QUESTIONS, vecs)


@pytest.fixture(scope="module")
def labour_store(tmp_path_factory, ingested):
    """劳动合同法 and 公司法 from the law corpus in a real store (real e5, real Qdrant engine)."""
    import tarfile

    from conftest import SHARED, ingest_store

    tar_path = SHARED / "corpora" / "lawrefbook.tar.gz"
    if not tar_path.is_file():
        pytest.skip("../shared/corpora/lawrefbook.tar.gz 不在")
    from policyqa.runtime import open_resources

    src = tmp_path_factory.mktemp("labour-src")
    with tarfile.open(tar_path) as tar:
        for m in tar:
            name = m.name.rsplit("/", 1)[-1]
            if name.startswith(("劳动合同法(", "公司法(2023")) and name.endswith(".md"):
                f = tar.extractfile(m)
                if f is not None:
                    (src / name).write_bytes(f.read())
    settings, _ = ingest_store(tmp_path_factory.mktemp("labour-home"), [src], ingested[0].home_path)
    res = open_resources(settings)
    yield res, res.store.list_docs()
    res.close()


def test_feature_candidates_on_a_real_store(labour_store):
    res, _docs = labour_store
    q = res.embedder.embed_query("老板不跟我签劳动合同怎么办")
    cands = rerank.feature_candidates(res, "老板不跟我签劳动合同怎么办", q, None, _knowledge())
    assert len(cands) >= 10
    assert all(set(c.feats) == set(rerank.FEATURES) for c in cands)
    assert all(math.isfinite(v) for c in cands for v in c.feats.values())
    assert all(c.src and set(c.src) <= set("hdsxpm") and min(c.src.values()) >= 1 for c in cands)
    tm: dict[str, float] = {}
    rerank.feature_candidates(res, "老板不跟我签劳动合同怎么办", q, None, _knowledge(), timings=tm)
    assert set(tm) == {"h", "d", "s", "x", "p", "m", "feat"} and all(v >= 0 for v in tm.values())
    # a model that trusts the law prior ranks the labour-contract articles above the company law
    feats = rerank.FEATURES
    model = rerank.LinearModel(feats, np.zeros(len(feats)), np.ones(len(feats)),
                               np.array([1.0 if f == "prior" else 0.0 for f in feats]), 0.0)
    ranked = rerank.rank_candidates(cands, model)
    assert "劳动合同法" in str(ranked[0].payload.get("title", ""))
    assert all(0 < r.score < 1 for r in ranked)
    again = rerank.LinearModel.from_json(model.to_json())
    assert [r.id for r in rerank.rank_candidates(cands, again)] == [r.id for r in ranked]


def _above_cut(hits) -> list[str]:
    cut = round(hits[-1].score, 6) if hits else 0.0
    return [h.passage_id for h in hits if round(h.score, 6) > cut]


@pytest.mark.skipif(not (RESOURCE_DIR / "reranker.json").exists(), reason="resources not written")
def test_hook_on_by_default_and_gated(labour_store, monkeypatch):
    from assistant.retrieve import Retriever

    res, docs = labour_store
    assert load_settings(config="/nonexistent.toml").statute_rerank  # on by default: the gate decides where
    question = "老板一直不跟我签书面合同，我能要求双倍工资吗？"
    off_res = dataclasses.replace(res, settings=dataclasses.replace(res.settings, statute_rerank=False))
    off = Retriever(off_res).search(question, top_k=5)
    on_res = dataclasses.replace(res, settings=dataclasses.replace(res.settings, statute_rerank=True))
    # two laws are not a statute library: the setting alone changes nothing
    assert rerank._known_law_docs(res.store, load_knowledge()) == 2 < rerank.MIN_LAWS
    same = Retriever(on_res).search(question, top_k=5)
    # equal fusion scores at the cut (1/3 each) may be filled by either tied passage: compare the scores, and the
    # passages above the cut
    assert [round(h.score, 6) for h in same.hits] == [round(h.score, 6) for h in off.hits]
    assert _above_cut(same.hits) == _above_cut(off.hits)
    monkeypatch.setattr(rerank, "MIN_LAWS", 2)
    on = Retriever(on_res).search(question, top_k=5)
    assert len(on.hits) == 5
    assert any("书面劳动合同" in h.text for h in on.hits), [h.text[:40] for h in on.hits]
    assert [h.passage_id for h in on.hits] != [h.passage_id for h in off.hits] or on.hits[0].score != off.hits[0].score
    # the user's document filter holds for every candidate the reranker adds
    company = next(d.doc_id for d in docs if "公司法" in d.title)
    only = Retriever(on_res).search(question, top_k=5, flt=SearchFilter(doc_ids=[company]))
    assert only.hits and {h.doc_id for h in only.hits} == {company}


@pytest.mark.skipif(not (RESOURCE_DIR / "reranker.json").exists(), reason="resources not written")
def test_reranker_applies_only_to_statute_questions(labour_store, monkeypatch):
    from policyqa.store import ScoredPayload

    res, _docs = labour_store
    kn = load_knowledge()
    article = ScoredPayload("a", 1.0, {"text": "第七条　用人单位自用工之日起即与劳动者建立劳动关系。"})
    prose = ScoredPayload("b", 1.0, {"text": "各级机关党组织要把党的政治建设摆在首位。"})
    assert not rerank.applies(res, kn, [article, article])  # a library of two laws
    monkeypatch.setattr(rerank, "MIN_LAWS", 2)
    assert rerank.applies(res, kn, [article, article, prose])
    assert not rerank.applies(res, kn, [article, prose, prose])  # hits mostly not statute articles
    assert not rerank.applies(res, kn, [])


@pytest.mark.skipif(not (RESOURCE_DIR / "reranker.json").exists(), reason="resources not written")
def test_shipped_resources_load_and_fit_the_feature_list():
    kn = load_knowledge()
    model = rerank.load_model()
    assert model.features == rerank.FEATURES
    assert len(kn.memory.keys) == kn.memory.vectors.shape[0] > 500
    assert kn.terms.expansions and kn.prior.law_counts
    defs = Definitions.from_tsv((RESOURCE_DIR / "definitions.tsv").read_text(encoding="utf-8"))
    assert len(defs.entries) > 1000
    size = sum(f.stat().st_size for f in RESOURCE_DIR.iterdir())
    assert size < 2 * 2**20
