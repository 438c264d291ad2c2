"""Ingest throughput: end-to-end passages/s against the embedder's raw encode.

    python bench/ingest.py [PATHS…] [--embedder e5] [--out bench/out/ingest.json]

Ingests into a fresh temporary data directory (no embedding cache), then
re-encodes the very same passage texts with the bare embedder; the ratio shows
what loading, cleaning, splitting, BM25 and Qdrant writes cost on top of the
model.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policyqa.settings import load_settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", type=Path, default=[Path("data/corpus")])
    ap.add_argument("--embedder", default=None)
    ap.add_argument("--store", default=None, help="local | edge")
    ap.add_argument("--out", type=Path, default=Path("bench/out/ingest.json"))
    args = ap.parse_args()

    from ingest.pipeline import Ingestor, embed_text

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=home, embedder=args.embedder, store=args.store)
        ing = Ingestor.open(settings, progress=True)
        ing.res.embedder.embed_passages(["预热"])  # load the model outside the timed region
        t0 = time.perf_counter()
        report = ing.run(args.paths)
        e2e = time.perf_counter() - t0
        n = report.n_passages_written
        texts = []
        for meta in ing.list_docs():
            for p in ing.res.store.doc_passages(meta.doc_id):
                texts.append(embed_text(meta.title, p["heading"], p["text"]))
        t1 = time.perf_counter()
        bs = settings.embed_batch
        for i in range(0, len(texts), bs):
            ing.res.embedder.embed_passages(texts[i:i + bs])
        raw = time.perf_counter() - t1
        ing.close()
        ing.res.close()
    row = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "embedder": settings.embedder,
        "store": settings.store,
        "files": len(report.files),
        "passages": n,
        "e2e_seconds": round(e2e, 2),
        "e2e_passages_per_s": round(n / e2e, 2) if e2e else 0,
        "raw_encode_seconds": round(raw, 2),
        "raw_passages_per_s": round(len(texts) / raw, 2) if raw else 0,
        "ratio_e2e_to_raw": round((n / e2e) / (len(texts) / raw), 3) if e2e and raw and texts else 0,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, ensure_ascii=False, indent=2))
    print("| date | embedder | store | passages | e2e s | e2e p/s | raw p/s | ratio | max RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {row['date']} | {row['embedder']} | {row['store']} | {n} | {row['e2e_seconds']} | "
          f"{row['e2e_passages_per_s']} | {row['raw_passages_per_s']} | {row['ratio_e2e_to_raw']} | {row['max_rss_mb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
