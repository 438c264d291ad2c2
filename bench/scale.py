"""Scale benchmark: the law corpus + 31 work reports through the real ingest pipeline,
LeCoQA retrieval quality for four retrievers, and search latency at the reached size.

    python bench/scale.py [--home /work/scale-home] [--subset lecoqa|all] [--extra-files 400]
                          [--stages ingest,eval,latency] [--out bench/out/scale.json]

Sources (read-only, ../shared): ``corpora/lawrefbook.tar.gz`` is extracted to
``HOME/src/laws`` (kept, so document ids are stable and a rerun resumes: ingest is
incremental); each ``corpora/gov-reports-2026/*.csv`` row becomes ``HOME/src/reports/*.txt``
plus a ``manifest.csv`` (title, date, source, type=work_report).

``--subset lecoqa`` ingests the law files that contain a gold article of
``eval/lecoqa_train.json`` plus ``--extra-files`` other law files drawn at random (seed 0)
as distractors; ``--subset all`` ingests every law file.

Retrieval quality: for each question, a hit is a retrieved passage whose text (whitespace
removed, NFKC) contains a gold article's text. Only questions whose gold articles are all
present in one passage of the store count. recall@k = share of those questions with a hit in
the top k; MRR = mean of 1/rank of the first hit within the top 50 (0 if none).
Retrievers, on the same store: ``Retriever.search(mode=sparse|dense|hybrid)`` (jieba BM25,
dense e5, the hybrid default), and a plain llama-index pipeline over the same source files:
``SimpleDirectoryReader`` → ``SentenceSplitter()`` (defaults) → in-memory ``VectorStoreIndex``
with the same e5 embedder (its vectors cached in ``HOME/cache/llamaindex-e5.sqlite``).
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import random
import re
import resource
import shutil
import statistics
import sys
import tarfile
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from policyqa.settings import load_settings  # noqa: E402

log = logging.getLogger("bench.scale")
_WS = re.compile(r"\s+")
_SKIP_NAMES = {"_index.md", "README.md", "法律法规模版.md"}


def norm(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1) if path.exists() else 0.0


# -- sources ---------------------------------------------------------------------
def prepare_sources(home: Path) -> tuple[list[Path], list[Path]]:
    """Extract the laws and write the reports as text files; returns (law files, report files)."""
    laws = home / "src" / "laws"
    if not (laws / ".extracted").exists():
        shutil.rmtree(laws, ignore_errors=True)
        laws.mkdir(parents=True)
        with tarfile.open(SHARED / "corpora" / "lawrefbook.tar.gz") as tf:
            tf.extractall(laws, filter="data")
        (laws / ".extracted").touch()
    law_files = sorted(p for p in laws.rglob("*.md") if p.name not in _SKIP_NAMES)
    reports = home / "src" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    rows = []
    for f in sorted((SHARED / "corpora" / "gov-reports-2026").glob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                name = f"{r['year']}_{r['province']}_政府工作报告.txt"
                title = r["title"] if r["province"] in r["title"] else f"{r['province']}{r['title']}"
                target = reports / name
                if not target.exists():
                    target.write_text(r["full_text"], encoding="utf-8")
                rows.append({"file": name, "title": title, "date": r["publish_date"], "source": r["source_url"],
                             "author": f"{r['province']}人民政府", "type": "work_report"})
    with open(reports / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "title", "date", "source", "author", "type"])
        w.writeheader()
        w.writerows(rows)
    return law_files, sorted(reports.glob("*.txt"))


def load_questions() -> list[dict]:
    return json.loads((SHARED / "eval" / "lecoqa_train.json").read_text("utf-8"))


def select_laws(law_files: list[Path], subset: str, extra: int, seed: int = 0, gold_first: bool = False) -> list[Path]:
    """``gold_first`` (``--subset all``): the files holding a gold article first, then the others in a seeded
    random order, so that an ingest stopped part-way leaves every question evaluable among random distractors."""
    if subset == "all" and not gold_first:
        return law_files
    from ingest.clean import clean_text
    from ingest.loaders import load_file

    golds = {norm(t) for q in load_questions() for t in q["相关法规"].values()}
    golds.discard("")
    needed: list[Path] = []
    others: list[Path] = []
    for f in law_files:
        text = norm(clean_text(load_file(f, max_bytes=None).text).text)
        (needed if any(g in text for g in golds) else others).append(f)
    rng = random.Random(seed)
    if subset == "all":
        rng.shuffle(others)
        log.info("全库：%d 个含 LeCoQA 标准条文的法规文件在前，其余 %d 个随机顺序", len(needed), len(others))
        return needed + others
    picked = rng.sample(others, min(extra, len(others)))
    log.info("子集：%d 个含 LeCoQA 标准条文的法规文件 + %d 个随机干扰文件", len(needed), len(picked))
    return sorted(needed + picked)


# -- stages ----------------------------------------------------------------------
def stage_ingest(settings, paths: list[Path]) -> dict:
    from ingest.pipeline import Ingestor

    ing = Ingestor.open(settings, progress=True)
    wanted = {str(p.resolve()) for p in paths if p.is_file()}
    for meta in ing.list_docs():  # documents of an earlier, larger selection
        if meta.doc_type != "work_report" and meta.path not in wanted:
            ing.delete(meta.doc_id)
    ing.res.embedder.embed_passages(["预热"])  # model load outside the timed region
    t0 = time.perf_counter()
    report = ing.run(paths)
    wall = time.perf_counter() - t0
    n_new = report.n_passages_written
    t1 = time.perf_counter()
    ing.close()
    ing.res.close()  # builds the HNSW index after a large session
    close_s = time.perf_counter() - t1
    statuses: dict[str, int] = {}
    for f in report.files:
        statuses[f.status] = statuses.get(f.status, 0) + 1
    return {
        "files": len(report.files), "file_status": statuses, "passages_written": n_new,
        "wall_s": round(wall, 1), "embed_s": round(report.embed_seconds, 1),
        "passages_per_s": round(n_new / wall, 2) if wall else 0.0,
        "close_index_s": round(close_s, 1), "peak_rss_mb": rss_mb(),
        "embedder": ing.res.embedder.label,
    }


def store_stats(settings) -> dict:
    from policyqa.runtime import open_resources

    res = open_resources(settings)
    try:
        docs = res.store.list_docs()
        n = res.store.count_passages()
    finally:
        res.close()
    return {"documents": len(docs), "passages": n, "store_mb": dir_mb(settings.store_path),
            "cache_mb": dir_mb(settings.home_path / "cache")}


BUDGETS = (1000, 2500, 5000, 10000)
"""Characters of retrieved text read from the top (passages are ~270 characters, llama-index nodes ~650)."""


def _first_hit(texts: list[str], golds: list[str]) -> tuple[int, int]:
    """(rank of the first passage holding a gold article, characters read up to and including it); 0s if none."""
    chars = 0
    for i, t in enumerate(texts):
        chars += len(t)
        nt = norm(t)
        if any(g in nt for g in golds):
            return i + 1, chars
    return 0, 0


def _metrics(hits: list[tuple[int, int]]) -> dict:
    n = len(hits) or 1
    out = {f"R@{k}": round(sum(1 for r, _ in hits if 0 < r <= k) / n, 3) for k in (1, 5, 10, 50)}
    out["MRR"] = round(sum(1 / r for r, _ in hits if r) / n, 3)
    out.update({f"R@{b}ch": round(sum(1 for r, c in hits if r and c <= b) / n, 3) for b in BUDGETS})
    return out


class _LlamaE5:
    """A llama-index BaseEmbedding over a policyqa embedder, with a per-text SQLite cache."""

    @staticmethod
    def make(embedder, cache):
        from llama_index.core.base.embeddings.base import BaseEmbedding
        from pydantic import PrivateAttr

        class PolicyQAEmbedding(BaseEmbedding):
            _emb = PrivateAttr()
            _cache = PrivateAttr()

            def __init__(self, **kw):
                super().__init__(model_name=embedder.name, embed_batch_size=16, **kw)
                self._emb, self._cache = embedder, cache

            def _get_query_embedding(self, query: str) -> list[float]:
                return self._emb.embed_query(query).tolist()

            async def _aget_query_embedding(self, query: str) -> list[float]:
                return self._get_query_embedding(query)

            def _get_text_embedding(self, text: str) -> list[float]:
                return self._get_text_embeddings([text])[0]

            def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
                vecs, _ = self._cache.embed(texts, self._emb.embed_passages)
                return vecs.tolist()

        return PolicyQAEmbedding()


def stage_llamaindex(settings, source_files: list[Path], out_path: Path, top: int = 50,
                     limit: int | None = None) -> dict:
    """The plain llama-index pipeline over the same files; first-hit ranks for every question.

    Needs no store, so it can run while the ingest stage runs in another process."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from tqdm import tqdm

    from ingest.embed_cache import EmbeddingCache
    from policyqa.embedders import get_embedder

    questions = load_questions()[:limit] if limit else load_questions()
    emb = get_embedder(settings.embedder)
    cache = EmbeddingCache(settings.home_path / "cache" / "llamaindex-e5.sqlite", emb.name, emb.dim)
    docs = SimpleDirectoryReader(input_files=[str(p) for p in source_files]).load_data()
    t0 = time.perf_counter()
    index = VectorStoreIndex.from_documents(docs, embed_model=_LlamaE5.make(emb, cache),
                                            transformations=[SentenceSplitter()], show_progress=True)
    nodes = list(index.docstore.docs.values())
    out: dict = {"build_s": round(time.perf_counter() - t0, 1), "nodes": len(nodes), "documents": len(docs),
                 "mean_node_chars": round(statistics.mean(len(n.get_content()) for n in nodes)),
                 "peak_rss_mb": rss_mb()}
    r = index.as_retriever(similarity_top_k=top)
    ranks = []
    for q in tqdm(questions, desc="llama-index 检索", unit="问"):
        golds = [norm(t) for t in q["相关法规"].values() if norm(t)]
        ranks.append(_first_hit([n.node.get_content() for n in r.retrieve(q["问题"])], golds))
    cache.close()
    out.update(questions=[q["问题"] for q in questions], ranks=ranks)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(out, ensure_ascii=False))
    return {k: v for k, v in out.items() if k not in ("questions", "ranks")}


def stage_eval(settings, top: int = 50, llamaindex: Path | None = None, limit: int | None = None) -> dict:
    from tqdm import tqdm

    from assistant.retrieve import Retriever
    from policyqa.runtime import open_resources

    questions = load_questions()[:limit] if limit else load_questions()
    res = open_resources(settings)
    out: dict = {}
    try:
        raw = [p["text"] for m in res.store.list_docs() for p in res.store.doc_passages(m.doc_id)]
        passages = [norm(t) for t in raw]
        big = "\x00".join(passages)
        evaluable = []
        for q in questions:
            golds = [norm(t) for t in q["相关法规"].values() if norm(t)]
            if golds and all(g in big for g in golds):  # the \x00 separator keeps matches inside one passage
                evaluable.append((q["问题"], golds))
        out["questions"] = len(questions)
        out["evaluable"] = len(evaluable)
        log.info("LeCoQA：%d 个问题中 %d 个的标准条文全部在库中", len(questions), len(evaluable))
        retr = Retriever(res)
        out["mean_passage_chars"] = round(statistics.mean(len(t) for t in raw))
        ranks: dict[str, list[tuple[int, int]]] = {"jieba-BM25": [], "dense e5": [], "hybrid (default)": []}
        modes: dict[str, Literal["hybrid", "dense", "sparse"]] = {
            "jieba-BM25": "sparse", "dense e5": "dense", "hybrid (default)": "hybrid"}
        for qtext, golds in tqdm(evaluable, desc="检索评测", unit="问"):
            for label, mode in modes.items():
                hits = retr.search(qtext, top_k=top, mode=mode).hits
                ranks[label].append(_first_hit([h.text for h in hits], golds))
        if llamaindex:
            li = json.loads(llamaindex.read_text()) if llamaindex.exists() else None
            if li is None or len(li["ranks"]) < len(questions):
                log.warning("没有 llama-index 结果（%s）：请先运行 --stages llamaindex", llamaindex)
            else:
                by_q = dict(zip(li["questions"], li["ranks"]))
                ranks["llama-index default"] = [tuple(by_q[q]) for q, _ in evaluable]
                out["llamaindex"] = {k: v for k, v in li.items() if k not in ("questions", "ranks")}
        out["retrievers"] = {k: _metrics(v) for k, v in ranks.items()}
    finally:
        res.close()
    return out


def stage_latency(settings, n: int = 200) -> dict:
    from assistant.retrieve import Retriever
    from policyqa.runtime import open_resources

    qs = [q["问题"] for q in load_questions()[:n]]
    res = open_resources(settings)
    try:
        build_s = None
        if hasattr(res.store, "optimize"):  # an interrupted ingest never closed the store: build the index
            t0 = time.perf_counter()
            res.store.optimize()
            build_s = round(time.perf_counter() - t0, 1)
        retr = Retriever(res)
        for q in qs[:5]:
            retr.search(q)
        out: dict[str, Any] = {"passages": res.store.count_passages(), "queries": len(qs), "index_build_s": build_s,
               "store_mb": dir_mb(settings.store_path)}
        for mode in ("hybrid", "dense", "sparse"):
            tot, srch = [], []
            for q in qs:
                t = retr.search(q, mode=mode).timings
                tot.append(t["total_ms"])
                srch.append(t["search_ms"])
            pct = lambda xs, p: round(statistics.quantiles(xs, n=100)[p - 1], 1)  # noqa: E731
            out[mode] = {"total_p50": pct(tot, 50), "total_p95": pct(tot, 95),
                         "search_p50": pct(srch, 50), "search_p95": pct(srch, 95)}
    finally:
        res.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, default=Path("/work/scale-home"))
    ap.add_argument("--subset", choices=["lecoqa", "all"], default="lecoqa")
    ap.add_argument("--extra-files", type=int, default=400)
    ap.add_argument("--stages", default="ingest,llamaindex,eval,latency",
                    help="comma-separated; llamaindex needs no store and may run beside ingest")
    ap.add_argument("--no-llamaindex", action="store_true")
    ap.add_argument("--gold-first", action="store_true",
                    help="--subset all: ingest the files holding LeCoQA gold articles first, the rest in random order")
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N questions")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    home = args.home.resolve()
    settings = load_settings(config=os.devnull, home=str(home))
    law_files, report_files = prepare_sources(home)
    laws = select_laws(law_files, args.subset, args.extra_files, gold_first=args.gold_first)
    sources = laws + report_files
    result = json.loads(args.out.read_text()) if args.out.exists() else {}
    result.update({
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "subset": args.subset, "law_files": len(laws), "report_files": len(report_files),
        "e5_engine": os.environ.get("POLICYQA_E5_ENGINE", "torch"),
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))

    stages = set(args.stages.split(","))
    if "ingest" in stages:
        reports = [home / "src" / "reports"]
        result["ingest"] = stage_ingest(settings, reports + laws if args.gold_first else laws + reports)
        result["store"] = store_stats(settings)
        save()
        log.info("导入：%s；库：%s", result["ingest"], result["store"])
    li_path = args.out.with_name(args.out.stem + "-llamaindex.json")
    if "llamaindex" in stages:
        info = stage_llamaindex(settings, sources, li_path, limit=args.limit)
        log.info("llama-index：%s", info)
    if "eval" in stages:
        result["eval"] = stage_eval(settings, llamaindex=None if args.no_llamaindex else li_path, limit=args.limit)
        save()
        log.info("评测：%s", json.dumps(result["eval"], ensure_ascii=False))
    if "latency" in stages:
        result["latency"] = stage_latency(settings)
        save()
        log.info("延迟：%s", result["latency"])
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
