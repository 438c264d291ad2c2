"""Embedded store engines: qdrant-client local mode vs qdrant-edge.

    python bench/store.py [--sizes 5000,20000,50000] [--out bench/out/store.json]
                          [--queries 200] [--local-query-cap 50000:50] [--engines local,edge]

Synthetic passages shaped like the real ones: 384-dim unit vectors drawn from
a mixture of clusters of uneven size (so an HNSW graph has real work to do),
BM25-style sparse vectors of ~30 Zipf-distributed hashed token ids, and the
real payload (≈300 Chinese characters of text plus metadata). Everything goes
through the project's :class:`~policyqa.store.base.Store` interface.

Per engine and size:

* ``upsert_s``: bulk write of all but the last 20 documents, batches of 256
  (the ingest pipeline's batch), already marked complete;
* ``commit_ms``: median time to write one 20-passage document the way the
  pipeline does (upsert incomplete → delete old versions → mark complete →
  registry record, which on edge includes the per-document flush);
* ``index_s``: edge only — ``optimize()`` builds the HNSW graphs (runs on close
  after a large ingest); local mode has no index;
* ``reopen_s``: ``close()`` + open again (local mode reloads every point into
  memory, edge maps its segments);
* query latency p50/p95 in ms over ``--queries`` queries after reopening
  (hybrid = dense + BM25 prefetch 40 each, RRF in the engine; dense only), with
  the ``complete`` filter the app always applies, top 10 with payload;
* ``recall@10``: dense top-10 ids vs exact numpy brute force over all points.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policyqa.store.base import PointRecord, Store, date_to_int
from policyqa.types import DocumentMeta

DIM = 384
PASSAGES_PER_DOC = 20
COMMIT_DOCS = 20
NNZ = 30
VOCAB = 60_000
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
         "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合"
         "还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
         "结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路"
         "级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热"
         "领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万"
         "每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影")
TYPES = ["regulation", "speech", "work_report", "article"]
SOURCES = ["国务院", "中共中央办公厅", "省人民政府", "人民日报", "求是", "市委组织部"]


# -- synthetic corpus ------------------------------------------------------------------

class Corpus:
    def __init__(self, n: int, seed: int = 0, n_queries: int = 200):
        rng = np.random.default_rng(seed)
        n_clusters = max(16, n // 150)
        centers = rng.standard_normal((n_clusters, DIM)).astype(np.float32)
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
        weights = 1.0 / np.arange(1, n_clusters + 1) ** 0.7  # uneven cluster sizes
        weights /= weights.sum()

        def draw(m: int) -> np.ndarray:
            c = rng.choice(n_clusters, size=m, p=weights)
            x = centers[c] + rng.standard_normal((m, DIM)).astype(np.float32) * (1.1 / np.sqrt(DIM))
            return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

        self.X = draw(n)
        self.Q = draw(n_queries)
        self.sparse = [self._sparse(rng, NNZ, tf=True) for _ in range(n)]
        self.q_sparse = [self._sparse(rng, 8, tf=False) for _ in range(n_queries)]
        self.n = n
        self.n_docs = (n + PASSAGES_PER_DOC - 1) // PASSAGES_PER_DOC
        chars = np.array(list(CHARS))
        self.texts = ["".join(rng.choice(chars, size=int(rng.integers(260, 340)))) for _ in range(n)]
        self.doc_dates = [f"{int(rng.integers(2012, 2026))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
                          for _ in range(self.n_docs)]

    @staticmethod
    def _sparse(rng, nnz: int, tf: bool) -> tuple[list[int], list[float]]:
        ranks: list[int] = []
        seen: set[int] = set()
        while len(ranks) < nnz:
            for r in rng.zipf(1.15, size=nnz * 2):
                r = int(r)
                if r <= VOCAB and r not in seen:
                    seen.add(r)
                    ranks.append(r)
                    if len(ranks) == nnz:
                        break
        idx = [(r * 2654435761) & 0x7FFFFFFF for r in ranks]  # hashed ids, like policyqa.sparse
        order = np.argsort(idx)
        vals = rng.uniform(0.8, 2.2, size=nnz) if tf else np.ones(nnz)
        return [int(idx[i]) for i in order], [float(vals[i]) for i in order]

    def doc_id(self, d: int) -> str:
        return f"d{d:012x}"

    def point_id(self, row: int, h: str = "h1") -> str:
        d, i = divmod(row, PASSAGES_PER_DOC)
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.doc_id(d)}:{h}:{i}"))

    def record(self, row: int, h: str = "h1", complete: bool = True) -> PointRecord:
        d, i = divmod(row, PASSAGES_PER_DOC)
        date = self.doc_dates[d]
        payload = {
            "doc_id": self.doc_id(d), "hash": h, "idx": i, "text": self.texts[row],
            "heading": [f"文件{d}", f"第{i // 5 + 1}部分"], "start": i * 300, "end": i * 300 + len(self.texts[row]),
            "title": f"关于推进第{d}项工作的通知", "date": date, "date_int": date_to_int(date),
            "doc_type": TYPES[d % len(TYPES)], "source": SOURCES[d % len(SOURCES)],
            "path": f"/data/corpus/{self.doc_id(d)}.docx", "complete": complete,
        }
        si, sv = self.sparse[row]
        return PointRecord(id=self.point_id(row, h), dense=self.X[row], sparse_indices=si, sparse_values=sv,
                           payload=payload)

    def meta(self, d: int, h: str) -> DocumentMeta:
        return DocumentMeta(doc_id=self.doc_id(d), title=f"关于推进第{d}项工作的通知",
                            path=f"/data/corpus/{self.doc_id(d)}.docx", content_hash=h, date=self.doc_dates[d],
                            doc_type=TYPES[d % len(TYPES)], source=SOURCES[d % len(SOURCES)],
                            n_passages=PASSAGES_PER_DOC, n_chars=6000,
                            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"))


# -- engines -----------------------------------------------------------------------------

def open_engine(engine: str, path: Path) -> Store:
    if engine == "local":
        from policyqa.store.qdrant_client_store import QdrantClientStore

        return QdrantClientStore("bench", DIM, "bench-emb", path=str(path))
    from policyqa.store.edge_store import EdgeStore

    return EdgeStore("bench", DIM, "bench-emb", path=str(path))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(np.floor(k)), int(np.ceil(k))
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def dir_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True)
    return round(int(out.stdout.split()[0]) / 1024, 1) if out.returncode == 0 else float("nan")


def run_one(engine: str, corpus: Corpus, n_queries: int, workdir: Path) -> dict:
    path = workdir / f"{engine}-{corpus.n}"
    shutil.rmtree(path, ignore_errors=True)
    row: dict = {"engine": engine, "n": corpus.n}
    store = open_engine(engine, path)

    bulk_rows = corpus.n - COMMIT_DOCS * PASSAGES_PER_DOC
    bulk_docs = bulk_rows // PASSAGES_PER_DOC
    t0 = time.perf_counter()
    for i in range(0, bulk_rows, 256):
        store.upsert_passages([corpus.record(r) for r in range(i, min(bulk_rows, i + 256))])
    row["upsert_s"] = round(time.perf_counter() - t0, 2)
    for d in range(bulk_docs):  # registry records (untimed)
        store.put_doc(corpus.meta(d, "h1"))
    commit = []
    for d in range(bulk_docs, corpus.n_docs):
        rows = range(d * PASSAGES_PER_DOC, min(corpus.n, (d + 1) * PASSAGES_PER_DOC))
        t = time.perf_counter()
        store.upsert_passages([corpus.record(r, complete=False) for r in rows])
        store.delete_passages(corpus.doc_id(d), except_hash="h1")
        store.mark_complete(corpus.doc_id(d), "h1")
        store.put_doc(corpus.meta(d, "h1"))
        commit.append(time.perf_counter() - t)
    row["commit_ms"] = round(statistics.median(commit) * 1000, 1)
    assert store.count_passages() == corpus.n, store.count_passages()

    if engine == "edge":
        t = time.perf_counter()
        store.optimize()
        row["index_s"] = round(time.perf_counter() - t, 2)
    else:
        row["index_s"] = None
    t = time.perf_counter()
    store.close()
    store = open_engine(engine, path)
    row["reopen_s"] = round(time.perf_counter() - t, 2)
    row["disk_mb"] = dir_mb(path)

    nq = min(n_queries, len(corpus.Q))
    row["queries"] = nq
    store.query(corpus.Q[0], corpus.q_sparse[0], limit=10)  # warm-up
    lat_h, lat_d, recall = [], [], []
    ids = np.array([corpus.point_id(r) for r in range(corpus.n)])
    for qi in range(nq):
        q, sp = corpus.Q[qi], corpus.q_sparse[qi]
        t = time.perf_counter()
        hits = store.query(q, sp, limit=10, mode="hybrid", prefetch_k=40)
        lat_h.append(time.perf_counter() - t)
        assert hits
        t = time.perf_counter()
        hits = store.query(q, None, limit=10, mode="dense")
        lat_d.append(time.perf_counter() - t)
        truth = set(ids[np.argsort(-(corpus.X @ q))[:10]])
        recall.append(len(truth & {h.id for h in hits}) / 10)
    store.close()
    row.update({
        "hybrid_p50_ms": round(pct(lat_h, 0.5) * 1000, 2), "hybrid_p95_ms": round(pct(lat_h, 0.95) * 1000, 2),
        "dense_p50_ms": round(pct(lat_d, 0.5) * 1000, 2), "dense_p95_ms": round(pct(lat_d, 0.95) * 1000, 2),
        "recall_at_10": round(float(np.mean(recall)), 4),
    })
    shutil.rmtree(path, ignore_errors=True)
    return row


def table(rows: list[dict]) -> str:
    out = ["| engine | N | upsert s | commit ms/doc | index build s | reopen s | hybrid p50 / p95 ms | "
           "dense p50 / p95 ms | dense recall@10 | disk MB | queries |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(
            f"| {r['engine']} | {r['n']:,} | {r['upsert_s']} | {r['commit_ms']} | "
            f"{'—' if r['index_s'] is None else r['index_s']} | {r['reopen_s']} | "
            f"{r['hybrid_p50_ms']} / {r['hybrid_p95_ms']} | {r['dense_p50_ms']} / {r['dense_p95_ms']} | "
            f"{r['recall_at_10']:.3f} | {r['disk_mb']} | {r['queries']} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,20000,50000")
    ap.add_argument("--engines", default="local,edge")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--local-query-cap", default="20000:50",
                    help="N:Q — local mode runs at most Q queries from size N up (its BM25 is pure Python)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/store.json"))
    ap.add_argument("--workdir", type=Path, default=None, help="where stores are written (default: a temp dir)")
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    cap_n, cap_q = (int(x) for x in args.local_query_cap.split(":"))
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for n in sizes:
            t = time.perf_counter()
            corpus = Corpus(n, seed=n, n_queries=args.queries)
            print(f"[N={n}] corpus generated in {time.perf_counter() - t:.1f}s", file=sys.stderr, flush=True)
            for engine in engines:
                nq = min(args.queries, cap_q) if engine == "local" and n >= cap_n else args.queries
                t = time.perf_counter()
                row = run_one(engine, corpus, nq, Path(tmp))
                row["total_s"] = round(time.perf_counter() - t, 1)
                print(f"[N={n}] {engine}: {row}", file=sys.stderr, flush=True)
                rows.append(row)
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": _versions(),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"{result['date']} · {result['machine']} · {result['versions']}")
    print(table(rows))
    return 0


def _versions() -> str:
    from importlib.metadata import version

    return f"qdrant-client {version('qdrant-client')}, qdrant-edge-py {version('qdrant-edge-py')}"


if __name__ == "__main__":
    sys.exit(main())
