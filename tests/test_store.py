"""Store contract: the same behaviour from every embedded backend.

Each test runs against qdrant-client local mode (``local``) and qdrant-edge
(``edge``) with real engines and small real vectors; a few tests compare the two
backends with each other or probe one engine's specifics (locking, crash
durability, index build).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest

from policyqa.store.base import LEAD_WEIGHT, RRF_K, PointRecord, Store, StoreError, date_to_int
from policyqa.types import DocumentMeta, SearchFilter

ROOT = Path(__file__).resolve().parents[1]
DIM = 8
BACKENDS = ["local", "edge"]


def open_backend(backend: str, path: Path, dim: int = DIM, embedder: str = "test-emb",
                 collection: str = "t") -> Store:
    if backend == "local":
        from policyqa.store.qdrant_client_store import QdrantClientStore

        return QdrantClientStore(collection, dim, embedder, path=str(path))
    from policyqa.store.edge_store import EdgeStore

    return EdgeStore(collection, dim, embedder, path=str(path))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture()
def store(backend, tmp_path):
    s = open_backend(backend, tmp_path / "db")
    yield s
    s.close()


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def pid(doc_id: str, h: str, idx: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_id}:{h}:{idx}"))


def rec(doc_id: str, idx: int, dense, sparse=((0,), (1.0,)), h: str = "h1", complete: bool = False,
        doc_type: str = "article", source: str = "src", date: str = "2024-01-01", **extra) -> PointRecord:
    payload = {
        "doc_id": doc_id, "hash": h, "idx": idx, "text": f"第{idx}段 {doc_id} 正文", "heading": ["标题", f"第{idx}节"],
        "start": idx * 10, "end": idx * 10 + 9, "title": f"标题 {doc_id}", "date": date,
        "date_int": date_to_int(date), "doc_type": doc_type, "source": source, "path": f"/x/{doc_id}.txt",
        "complete": complete, **extra,
    }
    return PointRecord(id=pid(doc_id, h, idx), dense=unit(dense), sparse_indices=list(sparse[0]),
                       sparse_values=list(sparse[1]), payload=payload)


def random_records(rng, doc_id: str, n: int, h: str = "h1", **kw) -> list[PointRecord]:
    return [rec(doc_id, i, rng.standard_normal(DIM), sparse=((int(i % 7), 100 + i), (1.0, 0.5)), h=h, **kw)
            for i in range(n)]


def ids(hits) -> list[str]:
    return [h.id for h in hits]


def meta(doc_id: str, title: str, n: int = 3, h: str = "h1") -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title=title, path=f"/x/{doc_id}.txt", content_hash=h, date="2024-05-01",
                        source="某部门", doc_type="regulation", n_passages=n, n_chars=900,
                        ingested_at="2025-01-01T00:00:00+00:00")


# -- visibility (crash-safety contract) ----------------------------------------

def test_incomplete_is_invisible_until_marked(store):
    rng = np.random.default_rng(0)
    recs = random_records(rng, "d1", 6)
    store.upsert_passages(list(reversed(recs)))
    q = recs[0].dense
    assert store.count_passages() == 0
    assert store.count_passages("d1") == 0
    assert store.count_passages("d1", complete_only=False) == 6
    assert store.doc_passages("d1") == []
    for mode in ("hybrid", "dense", "sparse"):
        assert store.query(q, ([0], [1.0]), limit=10, mode=mode) == [], mode

    store.mark_complete("d1", "h1")
    assert store.count_passages() == 6
    assert store.count_passages("d1") == 6
    assert ids(store.query(q, None, limit=1, mode="dense")) == [recs[0].id]
    passages = store.doc_passages("d1")
    assert [p["idx"] for p in passages] == list(range(6))
    assert passages[2]["text"] == "第2段 d1 正文" and passages[2]["heading"] == ["标题", "第2节"]
    assert passages[2]["complete"] is True
    assert passages[2]["id"] == recs[2].id


def test_mark_complete_only_touches_that_version(store):
    rng = np.random.default_rng(1)
    store.upsert_passages(random_records(rng, "d1", 3, h="old") + random_records(rng, "d1", 4, h="new")
                          + random_records(rng, "d2", 2, h="new"))
    store.mark_complete("d1", "new")
    assert store.count_passages() == 4
    assert {p["hash"] for p in store.doc_passages("d1")} == {"new"}
    assert store.count_passages("d2") == 0


def test_delete_passages_except_hash(store):
    rng = np.random.default_rng(2)
    store.upsert_passages(random_records(rng, "d1", 3, h="v1", complete=True)
                          + random_records(rng, "d1", 5, h="v2", complete=True)
                          + random_records(rng, "d2", 2, h="v1", complete=True))
    assert store.count_passages("d1") == 8
    store.delete_passages("d1", except_hash="v2")
    left = store.doc_passages("d1")
    assert len(left) == 5 and {p["hash"] for p in left} == {"v2"}
    assert store.count_passages("d2") == 2
    store.delete_passages("d1")
    assert store.count_passages("d1", complete_only=False) == 0
    assert store.count_passages() == 2


def test_delete_incomplete(store):
    rng = np.random.default_rng(3)
    store.upsert_passages(random_records(rng, "done", 4, complete=True) + random_records(rng, "half", 3))
    assert store.delete_incomplete() == 3
    assert store.count_passages(complete_only=False) == 4
    assert store.count_passages("half", complete_only=False) == 0
    assert store.delete_incomplete() == 0
    assert store.count_passages() == 4


# -- filters ---------------------------------------------------------------------

FILTER_DOCS = [
    # doc_id, doc_type, source, date
    ("a", "regulation", "国务院", "2020-03-05"),
    ("b", "speech", "国务院", "2021-07-01"),
    ("c", "work_report", "省政府", "2022-01-15"),
    ("d", "article", "人民日报", "2022-12-31"),
    ("e", "regulation", "省政府", "2023"),
    ("f", "article", "人民日报", ""),
]


@pytest.fixture()
def filter_store(store):
    rng = np.random.default_rng(4)
    recs = []
    for doc_id, doc_type, source, date in FILTER_DOCS:
        recs += [rec(doc_id, i, rng.standard_normal(DIM), sparse=((1, 2), (1.0, 1.0)), complete=True,
                     doc_type=doc_type, source=source, date=date) for i in range(3)]
    recs += [rec("z", i, rng.standard_normal(DIM), sparse=((1, 2), (1.0, 1.0)), doc_type="regulation",
                 date="2021-01-01") for i in range(3)]  # incomplete: never returned
    store.upsert_passages(recs)
    return store


@pytest.mark.parametrize("flt, expected", [
    (SearchFilter(), {"a", "b", "c", "d", "e", "f"}),
    (SearchFilter(doc_types=["regulation"]), {"a", "e"}),
    (SearchFilter(doc_types=["speech", "work_report"]), {"b", "c"}),
    (SearchFilter(doc_ids=["a", "d", "nope"]), {"a", "d"}),
    (SearchFilter(sources=["人民日报"]), {"d", "f"}),
    (SearchFilter(date_from="2021-07-01"), {"b", "c", "d", "e"}),
    (SearchFilter(date_to="2021-07-01"), {"a", "b", "f"}),  # undated → date_int 0
    (SearchFilter(date_from="2022", date_to="2022"), {"c", "d"}),
    (SearchFilter(date_from="2021-08", date_to="2022-06-30"), {"c"}),
    (SearchFilter(doc_types=["regulation"], sources=["省政府"], date_from="2021"), {"e"}),
    (SearchFilter(doc_types=["nothing"]), set()),
])
@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_filters(filter_store, flt, expected, mode):
    q = unit(np.ones(DIM))
    hits = filter_store.query(q, ([1], [1.0]), limit=100, flt=flt, mode=mode, prefetch_k=100)
    got = {h.payload["doc_id"] for h in hits}
    assert got == expected
    assert len(hits) == 3 * len(expected)


# -- ranking -----------------------------------------------------------------------

def hybrid_fixture_records() -> tuple[list[PointRecord], np.ndarray]:
    """Dense-only matches, one sparse-only match, and fillers that match neither well."""
    rng = np.random.default_rng(5)
    q = unit(rng.standard_normal(DIM))
    recs = []
    u = rng.standard_normal(DIM)
    u = unit(u - u.dot(q) * q)
    for i in range(4):  # near the query at growing angles, no query term
        theta = 0.1 * (i + 1)
        recs.append(rec("dense", i, np.cos(theta) * q + np.sin(theta) * u, sparse=((50 + i,), (1.0,)),
                        complete=True))
    recs.append(rec("sparse", 0, -q + 0.01 * rng.standard_normal(DIM), sparse=((7, 51), (1.0, 1.0)), complete=True))
    for i in range(15):  # fillers: orthogonal-ish, no query term
        v = rng.standard_normal(DIM)
        v -= v.dot(q) * q
        recs.append(rec("filler", i, v, sparse=((60 + i,), (1.0,)), complete=True))
    return recs, q


def test_hybrid_unions_dense_only_and_sparse_only_hits(store):
    recs, q = hybrid_fixture_records()
    store.upsert_passages(recs)
    sp = ([7], [1.0])
    dense_ids = ids(store.query(q, sp, limit=3, mode="dense"))
    sparse_ids = ids(store.query(q, sp, limit=3, mode="sparse"))
    sparse_only = recs[4].id
    assert dense_ids == [r.id for r in recs[:3]]
    assert sparse_ids == [sparse_only]
    # limit 4 → each prefetch takes max(prefetch_k, limit) = 4 candidates
    hybrid = store.query(q, sp, limit=4, mode="hybrid", prefetch_k=2)
    hyb = ids(hybrid)
    assert sparse_only in hyb and recs[0].id in hyb
    assert RRF_K == 2  # the expected scores below
    # RRF with k=2: 1/(2 + rank) from each list → d0 and the sparse hit 1/2, d1 1/3, d2 1/4 (d3 1/5 cut)
    assert set(hyb[:2]) == {recs[0].id, sparse_only}
    assert hyb[2:] == [recs[1].id, recs[2].id]
    assert [h.score for h in hybrid] == pytest.approx([1 / 2, 1 / 2, 1 / 3, 1 / 4], rel=1e-4)
    # a point in both lists adds up: query the sparse hit's own term too
    both = store.query(q, ([7, 50], [1.0, 2.0]), limit=4, mode="hybrid", prefetch_k=2)
    assert both[0].id == recs[0].id and both[0].score == pytest.approx(1 / 2 + 1 / 2, rel=1e-4)


def test_tied_fusion_scores_ordered_by_document_not_by_ingest_order(backend, tmp_path):
    """Equal RRF scores are ordered by document and position, so a 5th passage does not depend on
    the order the library was ingested in (the engine orders ties by its internal offsets)."""
    recs, q = hybrid_fixture_records()
    sp = ([7], [1.0])
    seen = []
    for name, order in (("fwd", recs), ("rev", recs[::-1])):
        st = open_backend(backend, tmp_path / name)
        for r in order:  # one point per call: internal offsets follow this order
            st.upsert_passages([r])
        hyb = st.query(q, sp, limit=2, mode="hybrid", prefetch_k=2)
        seen.append(ids(hyb))
        st.close()
    # d0 (dense rank 1) and the sparse hit (sparse rank 1) both score 1/2: document "dense" < "sparse"
    assert seen[0] == seen[1] == [recs[0].id, recs[4].id]


def test_hybrid_lead_adds_opening_passages_list(store):
    rng = np.random.default_rng(13)
    T = 42
    recs = [rec("a", 0, rng.standard_normal(DIM), sparse=((T,), (0.5,)), complete=True)]
    recs += [rec("a", i, rng.standard_normal(DIM), sparse=((T,), (2.0 - 0.1 * i,)), complete=True) for i in (1, 2, 3)]
    recs += [rec("b", 0, rng.standard_normal(DIM), sparse=((7,), (1.0,)), complete=True)]
    recs += [rec("b", i, rng.standard_normal(DIM), sparse=((T,), (1.0,)), complete=True) for i in (1, 2)]
    store.upsert_passages(recs)
    q = rng.standard_normal(DIM)
    plain = {h.id: h.score for h in store.query(q, ([T], [1.0]), limit=7, prefetch_k=7)}
    led = {h.id: h.score for h in store.query(q, ([T], [1.0]), limit=7, prefetch_k=7, lead=True)}
    a0 = recs[0].id
    # a0 is the only opening passage with the term: first in the third (weighted) list; the rest unchanged
    assert led[a0] == pytest.approx(plain[a0] + 1 / (1 / LEAD_WEIGHT + RRF_K - 1), rel=1e-4)
    assert {k: v for k, v in led.items() if k != a0} == pytest.approx({k: v for k, v in plain.items() if k != a0})
    # the lead list honours the filter too
    flt = SearchFilter(doc_ids=["b"])
    assert [h.score for h in store.query(q, ([T], [1.0]), limit=7, flt=flt, lead=True)] == pytest.approx(
        [h.score for h in store.query(q, ([T], [1.0]), limit=7, flt=flt)])
    # single modes ignore it
    assert ids(store.query(q, ([T], [1.0]), limit=7, mode="sparse", lead=True)) == ids(
        store.query(q, ([T], [1.0]), limit=7, mode="sparse"))


def test_hybrid_without_sparse_terms_falls_back_to_dense(store):
    recs, q = hybrid_fixture_records()
    store.upsert_passages(recs)
    assert ids(store.query(q, ([], []), limit=3)) == [r.id for r in recs[:3]]
    assert ids(store.query(q, None, limit=3)) == [r.id for r in recs[:3]]
    assert store.query(q, ([], []), limit=3, mode="sparse") == []


def test_sparse_idf_rare_term_outranks_common_term(store):
    rng = np.random.default_rng(6)
    COMMON, RARE = 1, 2
    recs = [rec("c", i, rng.standard_normal(DIM), sparse=((COMMON, 300 + i), (1.0, 1.0)), complete=True)
            for i in range(40)]
    # Without IDF the common-term point would win (1.5 > 1.0).
    common = rec("x", 0, rng.standard_normal(DIM), sparse=((COMMON,), (1.5,)), complete=True)
    rare = rec("x", 1, rng.standard_normal(DIM), sparse=((RARE,), (1.0,)), complete=True)
    recs += [common, rare] + [rec("f", i, rng.standard_normal(DIM), sparse=((500 + i,), (1.0,)), complete=True)
                              for i in range(10)]
    store.upsert_passages(recs)
    hits = store.query(None, ([COMMON, RARE], [1.0, 1.0]), limit=5, mode="sparse")
    assert hits[0].id == rare.id
    by_id = {h.id: h.score for h in store.query(None, ([COMMON, RARE], [1.0, 1.0]), limit=60, mode="sparse")}
    assert by_id[rare.id] > 5 * by_id[common.id]


def test_dense_nearest_neighbours_match_brute_force(store):
    rng = np.random.default_rng(7)
    n = 500
    X = rng.standard_normal((n, DIM)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    recs = [rec(f"d{i // 10}", i % 10, X[i], sparse=((i,), (1.0,)), complete=True) for i in range(n)]
    for i in range(0, n, 128):
        store.upsert_passages(recs[i:i + 128])
    Q = rng.standard_normal((25, DIM)).astype(np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    sims = Q @ X.T
    for qi in range(len(Q)):
        hits = store.query(Q[qi], None, limit=10, mode="dense")
        truth = np.argsort(-sims[qi])[:10]
        assert ids(hits) == [recs[j].id for j in truth]
        np.testing.assert_allclose([h.score for h in hits], sims[qi][truth], rtol=1e-4, atol=1e-5)


def test_backends_agree(tmp_path):
    """Same data, same queries: identical ids and scores from both engines in every mode."""
    rng = np.random.default_rng(8)
    recs = []
    for d in range(30):
        for i in range(8):
            toks = sorted(set(int(t) for t in rng.zipf(1.5, size=6) % 200))
            vals = [float(v) for v in rng.uniform(0.5, 2.0, size=len(toks))]  # no ties within a prefetch
            recs.append(rec(f"d{d}", i, rng.standard_normal(DIM), sparse=(toks, vals),
                            complete=True, doc_type=["regulation", "speech"][d % 2]))
    stores = {b: open_backend(b, tmp_path / b) for b in BACKENDS}
    try:
        for s in stores.values():
            s.upsert_passages(recs)
        for _ in range(10):
            q = rng.standard_normal(DIM)
            sp = ([int(t) for t in sorted(set(rng.zipf(1.5, size=3) % 200))], None)
            sp = (sp[0], [1.0] * len(sp[0]))
            for mode, lead in (("dense", False), ("sparse", False), ("hybrid", False), ("hybrid", True)):
                for flt in (None, SearchFilter(doc_types=["speech"])):
                    res = {b: s.query(q, sp, limit=8, flt=flt, mode=mode, prefetch_k=12, lead=lead)
                           for b, s in stores.items()}
                    a, e = res["local"], res["edge"]
                    assert [round(h.score, 4) for h in a] == pytest.approx([round(h.score, 4) for h in e], abs=2e-4)
                    # ties may be ordered differently; compare ids per distinct score
                    ga = sorted((round(h.score, 4), h.id) for h in a)
                    ge = sorted((round(h.score, 4), h.id) for h in e)
                    if len({s for s, _ in ga}) == len(ga):
                        assert ga == ge, (mode, flt)
    finally:
        for s in stores.values():
            s.close()


# -- document registry ------------------------------------------------------------

def test_doc_registry(store):
    assert store.list_docs() == []
    assert store.get_doc("d1") is None
    m1, m2, m3 = meta("d1", "B 文件"), meta("d2", "A 文件"), meta("d3", "A 文件")
    for m in (m1, m2, m3):
        store.put_doc(m)
    assert store.get_doc("d1") == m1
    assert [m.doc_id for m in store.list_docs()] == ["d2", "d3", "d1"]  # by (title, doc_id)
    m1b = meta("d1", "B 文件（修订）", n=7, h="h2")
    store.put_doc(m1b)
    assert store.get_doc("d1") == m1b
    assert len(store.list_docs()) == 3
    store.delete_doc("d2")
    assert store.get_doc("d2") is None
    assert [m.doc_id for m in store.list_docs()] == ["d3", "d1"]
    store.delete_doc("never-there")


def test_doc_registry_pages_past_one_scroll_page(store):
    metas = [meta(f"d{i:04d}", f"文件{i:04d}") for i in range(700)]
    for m in metas:
        store.put_doc(m)
    assert [m.doc_id for m in store.list_docs()] == [m.doc_id for m in metas]


# -- persistence ----------------------------------------------------------------------

def test_reopen_keeps_data(backend, tmp_path):
    rng = np.random.default_rng(9)
    recs = random_records(rng, "d1", 5, complete=True) + random_records(rng, "half", 2)
    s = open_backend(backend, tmp_path / "db")
    s.upsert_passages(recs)
    s.put_doc(meta("d1", "文件一", n=5))
    s.close()
    s = open_backend(backend, tmp_path / "db")
    try:
        assert s.count_passages() == 5
        assert s.count_passages(complete_only=False) == 7
        assert s.get_doc("d1").title == "文件一"
        assert ids(s.query(recs[3].dense, None, limit=1, mode="dense")) == [recs[3].id]
        assert [p["idx"] for p in s.doc_passages("d1")] == list(range(5))
        s.mark_complete("half", "h1")
    finally:
        s.close()
    s = open_backend(backend, tmp_path / "db")
    try:
        assert s.count_passages() == 7
    finally:
        s.close()


@pytest.mark.parametrize("dim, embedder", [(16, "test-emb"), (DIM, "other-emb")])
def test_embedder_or_dim_mismatch_raises(backend, tmp_path, dim, embedder):
    s = open_backend(backend, tmp_path / "db")
    s.close()
    with pytest.raises(StoreError, match="嵌入模型"):
        open_backend(backend, tmp_path / "db", dim=dim, embedder=embedder)
    # the failed open released everything: the right settings still open the store
    open_backend(backend, tmp_path / "db").close()


def _child(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


CHILD_PRELUDE = """
import os, signal, sys, uuid
import numpy as np
sys.path.insert(0, {root!r})
from tests.test_store import open_backend, random_records, meta
"""


def test_survives_kill_9_after_calls_return(backend, tmp_path):
    db = tmp_path / "db"
    code = CHILD_PRELUDE.format(root=str(ROOT)) + f"""
from pathlib import Path
s = open_backend({backend!r}, Path({str(db)!r}))
rng = np.random.default_rng(10)
s.upsert_passages(random_records(rng, "d1", 20))
s.mark_complete("d1", "h1")
s.put_doc(meta("d1", "文件一", n=20))
s.upsert_passages(random_records(rng, "d2", 3, h="h9"))  # not yet marked complete
s.delete_passages("d1", except_hash="zzz")                # deletes all of d1
s.upsert_passages(random_records(rng, "d1", 4, h="h2"))
s.mark_complete("d1", "h2")
print("written", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    r = _child(code)
    assert "written" in r.stdout, r.stderr
    assert r.returncode == -9
    s = open_backend(backend, db)
    try:
        assert s.count_passages("d1") == 4
        assert {p["hash"] for p in s.doc_passages("d1")} == {"h2"}
        assert s.count_passages("d2", complete_only=False) == 3
        assert s.get_doc("d1").n_passages == 20
        assert s.delete_incomplete() == 3
    finally:
        s.close()


def test_second_process_cannot_open_while_held(backend, tmp_path):
    db = tmp_path / "db"
    s = open_backend(backend, db)
    try:
        code = CHILD_PRELUDE.format(root=str(ROOT)) + f"""
from pathlib import Path
from policyqa.store.base import StoreError
try:
    open_backend({backend!r}, Path({str(db)!r}))
except StoreError as exc:
    print("STORE_ERROR", exc)
    sys.exit(3)
print("OPENED")
"""
        r = _child(code)
        assert r.returncode == 3, (r.stdout, r.stderr)
        assert "正被另一个进程使用" in r.stdout
    finally:
        s.close()
    # released on close: the other process can open it now
    r = _child(CHILD_PRELUDE.format(root=str(ROOT)) + f"""
from pathlib import Path
open_backend({backend!r}, Path({str(db)!r})).close()
print("OPENED")
""")
    assert "OPENED" in r.stdout, r.stderr


def test_edge_second_opener_in_same_process_fails(tmp_path):
    s = open_backend("edge", tmp_path / "db")
    try:
        with pytest.raises(StoreError, match="正被另一个进程使用"):
            open_backend("edge", tmp_path / "db")
        assert s.count_passages() == 0  # the first store is unaffected
    finally:
        s.close()


def test_edge_index_build_on_close_keeps_results(tmp_path):
    from policyqa.store import edge_store

    rng = np.random.default_rng(11)
    n = edge_store.OPTIMIZE_AFTER + 300
    X = rng.standard_normal((n, DIM)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    recs = [rec(f"d{i // 50}", i % 50, X[i], sparse=((i % 11,), (1.0,)), complete=True) for i in range(n)]
    s = open_backend("edge", tmp_path / "db")
    for i in range(0, n, 256):
        s.upsert_passages(recs[i:i + 256])
    s.delete_passages("d0")
    s.close()  # runs the optimizer (segments merged, deletions vacuumed)
    s = open_backend("edge", tmp_path / "db")
    try:
        assert s.count_passages() == n - 50
        q = X[123]
        truth = np.argsort(-(X[50:] @ q))[:5] + 50
        assert ids(s.query(q, None, limit=5, mode="dense")) == [recs[j].id for j in truth]
    finally:
        s.close()


def test_edge_dim_checked_against_shard_even_without_registry(tmp_path):
    import shutil

    s = open_backend("edge", tmp_path / "db")
    s.upsert_passages(random_records(np.random.default_rng(12), "d1", 2, complete=True))
    s.close()
    shutil.rmtree(tmp_path / "db" / "t_docs")  # registry (and its meta record) lost, passages kept
    with pytest.raises(StoreError, match="维"):
        open_backend("edge", tmp_path / "db", dim=16)
    s = open_backend("edge", tmp_path / "db")
    try:
        assert s.count_passages() == 2
    finally:
        s.close()
