"""Answer latency per backend on ten questions: retrieval ms, time to first token, total.

    python bench/answer.py [--backends none,local] [--local-model qwen2.5-0.5b] [--home var]

Uses the store in ``--home`` (ingest the sample corpus first: ``make run``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "两项机制是什么？",
    "how do the 两项机制 work?",
    "联席会议多久召开一次？",
    "市直机关的单位是怎样分组的？",
    "《沟通联系办法》采取哪些沟通形式？",
    "全国人大常委会机关党组如何落实意识形态工作责任制？",
    "中央和国家机关党的工作暨纪检工作会议是什么时候召开的？",
    "主题教育中省人大常委会机关制定了多少项举措清单？",
    "机关党建与业务如何深度融合？",
    "2026年中央一号文件的主题是什么？",
]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="none,local")
    ap.add_argument("--local-model", default="qwen2.5-0.5b")
    ap.add_argument("--home", default=None)
    ap.add_argument("--out", type=Path, default=Path("bench/out/answer.json"))
    args = ap.parse_args()
    os.environ.setdefault("POLICYQA_LOCAL_MODEL", args.local_model)

    from assistant.engine import AnswerEngine
    from policyqa.runtime import open_resources
    from policyqa.settings import load_settings

    res = open_resources(load_settings(home=args.home))
    rows = []
    for name in args.backends.split(","):
        engine = AnswerEngine(res, backend=name)
        engine.ask("预热")  # load models outside the measurement
        per_q = []
        for q in QUESTIONS:
            a = engine.ask(q)
            per_q.append({"q": q, "answerable": a.answerable, "backend": a.backend, **a.timings,
                          "chars": len(a.answer)})
        med = lambda k: round(statistics.median(r.get(k, 0) for r in per_q), 1)  # noqa: E731
        mx = lambda k: round(max(r.get(k, 0) for r in per_q), 1)  # noqa: E731
        model = engine.backend().model if engine.backend() else "extractive"
        rows.append({"backend": name, "model": model, "retrieve_ms_p50": med("retrieve_ms"),
                     "first_token_ms_p50": med("first_token_ms"), "total_ms_p50": med("total_ms"),
                     "total_ms_max": mx("total_ms"), "questions": per_q})
    res.close()
    meta = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**meta, "rows": rows}, ensure_ascii=False, indent=2))
    print(f"{meta['date']}, {meta['machine']}, {len(QUESTIONS)} questions")
    print("| backend | model | retrieve p50 ms | first token p50 ms | total p50 ms | total max ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['backend']} | {r['model']} | {r['retrieve_ms_p50']} | {r['first_token_ms_p50']} | "
              f"{r['total_ms_p50']} | {r['total_ms_max']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
