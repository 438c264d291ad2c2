"""Answers per backend over the eval set: latency (first text on screen, model's first verified sentence,
total), the model's own wording kept, key points, refusals.

    python bench/answer.py [--backends none,local] [--split held|tune|all] [--limit 60] [--home var]

Uses the store in ``--home`` (ingest the sample corpus first: ``make run``) and eval/questions.jsonl.
``--limit N`` takes every k-th question so that the subset keeps the set's mix of forms and styles.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _spread(items: list, limit: int) -> list:
    if not limit or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="none,local")
    ap.add_argument("--local-model", default="", help="qwen2.5-1.5b | qwen2.5-0.5b (default: the installed bundled model)")
    ap.add_argument("--split", default="held", choices=["tune", "held", "all"])
    ap.add_argument("--limit", type=int, default=0, help="at most this many questions, spread over the set")
    ap.add_argument("--home", default=None)
    ap.add_argument("--out", type=Path, default=Path("bench/out/answer.json"))
    args = ap.parse_args()
    if args.local_model:
        os.environ["POLICYQA_LOCAL_MODEL"] = args.local_model

    from assistant.engine import AnswerEngine
    from eval.harness import DEFAULT_QUESTIONS, load_questions, run_eval
    from policyqa.runtime import open_resources
    from policyqa.settings import load_settings

    items = [i for i in load_questions(DEFAULT_QUESTIONS) if args.split == "all" or i.split == args.split]
    items = _spread(items, args.limit)
    settings = load_settings(home=args.home)
    res = open_resources(settings)
    rows = []
    for name in args.backends.split(","):
        engine = AnswerEngine(res, backend=name, timeout_s=settings.llm_timeout_s,
                              first_token_timeout_s=settings.llm_first_token_timeout_s)
        engine.ask("两项机制是什么？")  # load the model outside the measurement
        report = run_eval(engine, items, progress=True, questions_file=str(DEFAULT_QUESTIONS))
        lat = report.latency

        def p(stage: str, q: str, lat=lat) -> float | None:
            v = lat.get(stage, {}).get(q)
            return None if v is None else round(v)

        rows.append({
            "backend": name, "model": report.model, "questions": len(items),
            "first_text_ms_p50": p("first_token_ms", "p50"), "model_first_ms_p50": p("model_first_ms", "p50"),
            "total_ms_p50": p("total_ms", "p50"), "total_ms_p95": p("total_ms", "p95"),
            **{k: (None if v is None else round(v, 3)) for k, v in report.metrics.items()},
        })
    res.close()
    meta = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "split": args.split, "limit": args.limit}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**meta, "rows": rows}, ensure_ascii=False, indent=2))
    print(f"{meta['date']}, {meta['machine']}, split {args.split}, {len(items)} questions")
    print("| backend | model | first text p50 ms | model's first sentence p50 ms | total p50 ms | total p95 ms | "
          "model wording kept | key points | refusal | false refusal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['backend']} | {r['model']} | {r['first_text_ms_p50']} | {r['model_first_ms_p50'] or '—'} | "
              f"{r['total_ms_p50']} | {r['total_ms_p95']} | {r['model_wording'] if r['model_wording'] is not None else '—'} | "
              f"{r['keypoints']} | {r['refusal_accuracy']} | {r['false_refusal']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
