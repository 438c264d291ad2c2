"""LeCoQA statute lookup: query understanding, law prior, case memory and a feature reranker.

    python bench/lecoqa.py --home /tmp/lq/sub [--out bench/out/lecoqa.json] [--write-resources]

The store is one built by ``bench/scale.py`` (``--subset lecoqa`` or ``all``). Honest split: the
question ids of ``../shared/eval/lecoqa_train.json`` are split once, seeded (``--seed 15``,
``--dev-frac 0.2``), before anything is tuned; everything is learnt on the train part (dictionary,
law prior, case memory, reranker weights), and the figures reported are the dev part's. Train
questions get their features from 5-fold cross-fitting (knowledge built without their own fold),
so that the reranker learns how much to trust features it will see on unseen questions.

Table: today's hybrid, each piece alone without the reranker (query terms in the BM25 query; RRF with the likely
law's passages; RRF with the past questions' articles), the reranker with each piece (each on the pool its lists
bring, see ``Candidate.src``) and all together; per row R@1/5/10/50, MRR, recall within reading budgets in
characters, and latency p50/p95 (e5 query + the timed parts that row needs). ``--pool`` sets the candidates taken
from each list; ``--hook-check`` measures the shipped ``Retriever.search`` path end to end.

Hit, recall@k, MRR and the reading budgets are those of bench/scale.py.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import _first_hit, _metrics, load_questions, norm  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402

log = logging.getLogger("bench.lecoqa")


def split_ids(questions: list[dict], frac: float, seed: int) -> set[int]:
    ids = sorted(q["query_id"] for q in questions)
    return set(random.Random(seed).sample(ids, round(frac * len(ids))))


_ART_START = re.compile(r"(?m)^[ \t\u3000]*(?=第[零〇一二三四五六七八九十百千两0-9]+条)")


def article_units(text: str, tokens: list[str]) -> list[str]:
    """A passage cut at its article starts (第X条 at a line start), the articles sharing the most
    question words first: what a reader sees when results are shown one article at a time."""
    parts = [p for p in _ART_START.split(text) if p.strip()]
    if len(parts) <= 1:
        return [text]
    return sorted(parts, key=lambda p: -sum(len(t) for t in tokens if t in p))


def pct(xs: list[float], p: int) -> float:
    return round(statistics.quantiles(xs, n=100)[p - 1], 1) if len(xs) > 1 else (xs[0] if xs else 0.0)


def hook_check(settings, questions: list[dict], limit: int | None) -> int:
    """The shipped path: ``Retriever.search`` (top 10) with the setting off and on, on dev questions."""
    from assistant.retrieve import Retriever
    from policyqa.runtime import open_resources

    out = {}
    for on in (False, True):
        res = open_resources(settings.with_(statute_rerank=on))
        try:
            raw = [p["text"] for m in res.store.list_docs() for p in res.store.doc_passages(m.doc_id)]
            big = "\x00".join(norm(t) for t in raw)
            retr = Retriever(res)
            ranks, lat = [], []
            items = [(q["问题"], [norm(t) for t in q["相关法规"].values() if norm(t)]) for q in questions]
            items = [(q, g) for q, g in items if g and all(x in big for x in g)][:limit]
            for q, _ in items[:5]:
                retr.search(q, top_k=10)
            for q, golds in items:
                r = retr.search(q, top_k=10)
                lat.append(r.timings["total_ms"])
                ranks.append(_first_hit([h.text for h in r.hits], golds))
            m = _metrics(ranks)
            out["on" if on else "off"] = {"questions": len(items), "R@1": m["R@1"], "R@5": m["R@5"],
                                          "R@10": m["R@10"], "MRR@10": m["MRR"],
                                          "total_p50_ms": pct(lat, 50), "total_p95_ms": pct(lat, 95)}
        finally:
            res.close()
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--dev-frac", type=float, default=0.2)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--pool", type=int, default=None, help="candidates from each list (default: rerank.POOL)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lecoqa.json")
    ap.add_argument("--write-resources", action="store_true",
                    help="write the train-part knowledge and reranker weights to policyqa/resources/lecoqa/")
    ap.add_argument("--hook-check", action="store_true",
                    help="only: search the dev questions through Retriever.search with statute_rerank on and off "
                         "(the shipped resources), recall@10 / MRR@10 and latency")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from tqdm import tqdm

    from assistant import rerank
    from assistant.query_terms import (
        RESOURCE_DIR,
        Definitions,
        build_knowledge,
        question_tokens,
        save_knowledge,
        sparse_query,
    )
    from assistant.retrieve import Retriever
    from policyqa import sparse
    from policyqa.runtime import open_resources

    args.pool = args.pool or rerank.POOL
    questions = load_questions()
    dev_ids = split_ids(questions, args.dev_frac, args.seed)
    settings = load_settings(config=os.devnull, home=str(args.home.resolve()))
    if args.hook_check:
        return hook_check(settings, [q for q in questions if q["query_id"] in dev_ids], args.limit)
    res = open_resources(settings)
    out: dict = {"home": str(args.home), "seed": args.seed, "dev_frac": args.dev_frac, "dev_ids": sorted(dev_ids)}
    try:
        raw = [p["text"] for m in res.store.list_docs() for p in res.store.doc_passages(m.doc_id)]
        big = "\x00".join(norm(t) for t in raw)
        out["passages"] = len(raw)
        items = []
        for q in questions:
            golds = [norm(t) for t in q["相关法规"].values() if norm(t)]
            if golds and all(g in big for g in golds):
                items.append((q, golds))
        del big
        if args.limit:
            items = items[:args.limit]
        log.info("%d 段；%d 个可评问题（dev %d）", len(raw), len(items), sum(q["query_id"] in dev_ids for q, _ in items))
        vec_path = args.home / "lecoqa-qvec.npy"
        if vec_path.exists():
            allvec = np.load(vec_path)
        else:
            allvec = np.stack([res.embedder.embed_query(q["问题"]) for q in tqdm(questions, desc="问题向量")])
            np.save(vec_path, allvec)
        row = {q["query_id"]: i for i, q in enumerate(questions)}
        train_q = [q for q in questions if q["query_id"] not in dev_ids]
        rng = random.Random(args.seed + 1)
        fold_of = {q["query_id"]: rng.randrange(args.folds) for q in train_q}

        def knowledge(qs: list[dict]):
            return build_knowledge(qs, allvec[[row[q["query_id"]] for q in qs]])

        kn_full = knowledge(train_q)
        kn_fold = {f: knowledge([q for q in train_q if fold_of[q["query_id"]] != f]) for f in range(args.folds)}
        defs_path = RESOURCE_DIR / "definitions.tsv"  # corpus-defined terms (本法所称…是指…), measured on their own
        laws_dir = args.home / "src" / "laws"
        if args.write_resources and laws_dir.is_dir():
            skip = {"_index.md", "README.md", "法律法规模版.md"}
            defs_path.parent.mkdir(parents=True, exist_ok=True)
            defs_path.write_text(Definitions.from_texts(
                p.read_text("utf-8", errors="ignore") for p in sorted(laws_dir.rglob("*.md")) if p.name not in skip
            ).to_tsv(), encoding="utf-8")
        defs = Definitions.from_tsv(defs_path.read_text("utf-8")) if defs_path.exists() else Definitions([])
        retr = Retriever(res)
        shipped = None
        try:  # the weights in the repository (trained on whichever store wrote them), for comparison
            shipped = rerank.LinearModel.from_json(json.loads((RESOURCE_DIR / "reranker.json").read_text("utf-8")))
        except (OSError, ValueError, KeyError):
            pass
        for q, _ in items[:5]:  # warm-up
            retr.search(q["问题"], top_k=50)
            rerank.feature_candidates(res, q["问题"], allvec[row[q["query_id"]]], None, kn_full, pool=args.pool)

        recs = []
        for q, golds in tqdm(items, desc="候选与特征", unit="问"):
            qt = q["问题"]
            dev = q["query_id"] in dev_ids
            kn = kn_full if dev else kn_fold[fold_of[q["query_id"]]]
            r = retr.search(qt, top_k=50, mode="hybrid")
            base = _first_hit([h.text for h in r.hits], golds)
            vec = allvec[row[q["query_id"]]]
            tm: dict[str, float] = {}
            cands = rerank.feature_candidates(res, qt, vec, None, kn, pool=args.pool, timings=tm)
            # the dictionary alone: hybrid with the expanded BM25 query, no reranker
            t0 = time.perf_counter()
            toks = question_tokens(qt)
            xvec = sparse_query(toks, kn.terms.expand(toks), rerank.EXPANSION_WEIGHT)
            hx = res.store.query(vec, xvec, limit=50, mode="hybrid", prefetch_k=50)
            hx_ms = (time.perf_counter() - t0) * 1000
            # the BM25 half only, to size the dictionary's effect on lexical retrieval
            sx = res.store.query(None, xvec, limit=50, mode="sparse")
            t0 = time.perf_counter()
            s0 = res.store.query(None, sparse.query_vector(qt), limit=50, mode="sparse")
            s0_ms = (time.perf_counter() - t0) * 1000
            dexp = defs.expand(toks)
            if dexp:
                dvec = sparse_query(toks, dexp, rerank.EXPANSION_WEIGHT)
                sd = _first_hit([f.payload["text"] for f in res.store.query(None, dvec, limit=50, mode="sparse")], golds)
            recs.append({
                "def_fired": bool(dexp),
                "dev": dev, "fold": -1 if dev else fold_of[q["query_id"]], "golds": golds, "base": base,
                "embed_ms": r.timings["embed_ms"], "base_ms": r.timings["total_ms"], "tm": tm,
                "hx_ms": r.timings["embed_ms"] + hx_ms, "s0_ms": s0_ms,
                "hx": _first_hit([f.payload["text"] for f in hx], golds),
                "sx": _first_hit([f.payload["text"] for f in sx], golds),
                "s0": _first_hit([f.payload["text"] for f in s0], golds),
                "sd": sd if dexp else None,
                "texts": [c.sp.payload["text"] for c in cands], "tokens": toks,
                "docs": [c.sp.payload.get("doc_id", "") for c in cands],
                "src": [c.src for c in cands],
                "y": np.array([int(any(g in norm(c.sp.payload["text"]) for g in golds)) for c in cands], dtype=int),
                "X": np.array([[c.feats[f] for f in rerank.FEATURES] for c in cands], dtype=np.float64).reshape(
                    len(cands), len(rerank.FEATURES)),
            })
        dv_n = max(1, sum(r["dev"] for r in recs))
        out["dev_pool_recall"] = round(sum(1 for r in recs if r["dev"] and r["y"].any()) / dv_n, 3)
        out["mean_pool"] = round(statistics.mean(len(r["y"]) for r in recs), 1)

        feats = list(rerank.FEATURES)
        retrieval = ["h_rr", "h_in", "d_cos", "d_rr", "s_bm", "s_rr", "length", "report"]
        dictionary = ["x_bm", "x_rr", "x_in"]
        prior_f = ["prior", "prior_top", "doc_agg", "title_in_q"]
        memory_f = ["mem_max", "mem_sum", "mem_rr", "pop"]
        # name → (features, lists whose candidates make the pool): each piece brings its own candidates
        groups: dict[str, tuple[list[str], set[str]]] = {
            "rerank: retrieval features only": (retrieval, {"h", "d", "s"}),
            "rerank + query terms": (retrieval + dictionary, {"h", "d", "s", "x"}),
            "rerank + law prior": (retrieval + prior_f, {"h", "d", "s", "p"}),
            "rerank + case memory": (retrieval + memory_f, {"h", "d", "s", "m"}),
            "rerank + query terms + law prior": (retrieval + dictionary + prior_f, {"h", "d", "s", "x", "p"}),
            "all together (LR, shipped form)": (feats, {"h", "d", "s", "x", "p", "m"}),
        }

        def view(r: dict, cols: list[str], srcs: set[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
            """The record restricted to a piece's pool and features (doc_agg from the lists it has)."""
            keep = [i for i, s in enumerate(r["src"]) if srcs & s.keys()]
            X = r["X"][keep][:, [feats.index(c) for c in cols]].copy() if keep else np.zeros((0, len(cols)))
            if "doc_agg" in cols and "x" not in srcs and keep:
                agg: dict[str, float] = {}
                for i in keep:
                    agg[r["docs"][i]] = agg.get(r["docs"][i], 0.0) + r["X"][i][0]
                X[:, cols.index("doc_agg")] = [agg[r["docs"][i]] for i in keep]
            return X, r["y"][keep], keep

        def ranks_for(score_fn, rs, cols=feats, srcs=frozenset("hdsxpm"), units=False):
            outr = []
            for r in rs:
                X, _, keep = view(r, cols, set(srcs))
                if not keep:
                    outr.append((0, 0))
                    continue
                s = score_fn(X)
                order = sorted(range(len(s)), key=lambda i: (-s[i], -r["X"][keep[i]][0]))[:50]
                texts = [r["texts"][keep[i]] for i in order]
                if units:
                    texts = [u for t in texts for u in article_units(t, r["tokens"])][:50]
                outr.append(_first_hit(texts, r["golds"]))
            return outr

        def fused(r: dict, names: tuple[str, ...], k: int = 60) -> list[str]:
            """Reciprocal-rank fusion (k = 60, not tuned) of the hybrid list with other lists, no learning."""
            sc = [sum(1.0 / (k + s[n]) for n in names if n in s) for s in r["src"]]
            order = sorted((i for i in range(len(sc)) if sc[i] > 0), key=lambda i: -sc[i])[:50]
            return [r["texts"][i] for i in order]

        tr = [r for r in recs if not r["dev"]]
        dv = [r for r in recs if r["dev"]]

        def lat(rs, parts: set[str]) -> list[float]:
            return [r["embed_ms"] + sum(v for k, v in r["tm"].items() if k in parts) for r in rs]

        table: dict[str, dict] = {}
        latency: dict[str, list[float]] = {}
        table["hybrid (default)"] = _metrics([r["base"] for r in dv])
        latency["hybrid (default)"] = [r["base_ms"] for r in dv]
        table["jieba-BM25 alone"] = _metrics([r["s0"] for r in dv])
        latency["jieba-BM25 alone"] = [r["s0_ms"] for r in dv]
        table["+ query terms: hybrid with dictionary BM25 query (no reranker)"] = _metrics([r["hx"] for r in dv])
        latency["+ query terms: hybrid with dictionary BM25 query (no reranker)"] = [r["hx_ms"] for r in dv]
        table["BM25 + query terms (no reranker)"] = _metrics([r["sx"] for r in dv])
        table["BM25 + corpus definitions (no reranker)"] = _metrics([r["sd"] or r["s0"] for r in dv])
        table["+ law prior: hybrid RRF likely law's passages (no reranker)"] = _metrics(
            [_first_hit(fused(r, ("h", "p")), r["golds"]) for r in dv])
        latency["+ law prior: hybrid RRF likely law's passages (no reranker)"] = lat(dv, {"h", "p", "feat"})
        table["+ case memory: hybrid RRF past questions' articles (no reranker)"] = _metrics(
            [_first_hit(fused(r, ("h", "m")), r["golds"]) for r in dv])
        latency["+ case memory: hybrid RRF past questions' articles (no reranker)"] = lat(dv, {"h", "m", "feat"})
        out["definitions_fired_dev"] = sum(r["def_fired"] for r in dv)
        models = {}
        for name, (cols, srcs) in groups.items():
            views = [view(r, cols, srcs) for r in tr]
            Xtr = np.vstack([v[0] for v in views if len(v[2])])
            ytr = np.concatenate([v[1] for v in views if len(v[2])])
            mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-9
            lr = LogisticRegression(C=1.0, max_iter=2000).fit((Xtr - mu) / sd, ytr)
            m = rerank.LinearModel(tuple(cols), mu, sd, lr.coef_[0], float(lr.intercept_[0]))
            models[name] = m
            table[name] = _metrics(ranks_for(lambda X, m=m: ((X - m.mean) / m.scale) @ m.coef + m.intercept, dv,
                                             cols, srcs))
            latency[name] = lat(dv, srcs | {"feat"})
            log.info("%s: %s", name, table[name])
        best = models["all together (LR, shipped form)"]
        if shipped is not None and shipped.features == rerank.FEATURES:
            table["all together, weights in the repository before this run"] = _metrics(
                ranks_for(lambda X: ((X - shipped.mean) / shipped.scale) @ shipped.coef + shipped.intercept, dv))
        Xall = np.vstack([r["X"] for r in tr if len(r["y"])])
        yall = np.concatenate([r["y"] for r in tr if len(r["y"])])
        gbm = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                             random_state=0).fit(Xall, yall)
        table["all together, gradient boosting (sklearn HGB)"] = _metrics(
            ranks_for(lambda X: gbm.predict_proba(X)[:, 1], dv))
        latency["all together, gradient boosting (sklearn HGB)"] = latency["all together (LR, shipped form)"]
        table["hybrid, article units"] = _metrics(ranks_for(lambda X: X[:, 0], dv, units=True))
        table["all together (LR), article units"] = _metrics(ranks_for(
            lambda X: ((X - best.mean) / best.scale) @ best.coef + best.intercept, dv, units=True))
        for name, xs in latency.items():
            table[name]["p50_ms"], table[name]["p95_ms"] = pct(xs, 50), pct(xs, 95)
        # a second, larger estimate: 5-fold cross-validation over the train part (features already cross-fitted)
        cv_ranks = []
        for f in range(args.folds):
            fit = [r for r in tr if r["fold"] != f and len(r["y"])]
            m_lr = LogisticRegression(C=1.0, max_iter=2000)
            Xf = np.vstack([r["X"] for r in fit])
            mu, sd = Xf.mean(0), Xf.std(0) + 1e-9
            m_lr.fit((Xf - mu) / sd, np.concatenate([r["y"] for r in fit]))
            cv_ranks += ranks_for(lambda X, m=m_lr, mu=mu, sd=sd: ((X - mu) / sd) @ m.coef_[0],
                                  [r for r in tr if r["fold"] == f])
        out["train_cv"] = {"hybrid (default)": _metrics([r["base"] for r in tr]),
                           "all features (LR), 5-fold CV": _metrics(cv_ranks)}
        out["dev_questions"] = len(dv)
        out["train_questions"] = len(tr)
        out["pool"] = args.pool
        out["table"] = table
        parts = sorted({k for r in dv for k in r["tm"]})
        out["latency_parts_p50_ms"] = {k: pct([r["tm"].get(k, 0.0) for r in dv], 50) for k in parts}
        out["latency_parts_p50_ms"]["embed"] = pct([r["embed_ms"] for r in dv], 50)
        out["weights"] = dict(zip(feats, np.round(best.coef, 3).tolist()))
        if args.write_resources:
            save_knowledge(kn_full, RESOURCE_DIR)
            (RESOURCE_DIR / "reranker.json").write_text(json.dumps(best.to_json(), indent=1), encoding="utf-8")
            log.info("已写入 %s", RESOURCE_DIR)
    finally:
        res.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "dev_ids"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
