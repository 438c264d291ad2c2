"""``python -m eval [--questions FILE] [--llm 后端名] [--top-k 10] [--json] [--out report.md] [--min-… X]``"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyqa.runtime import setup_logging
from policyqa.settings import load_settings

from .harness import DEFAULT_QUESTIONS, MAX_THRESHOLDS, SPLITS, THRESHOLDS, EvalFileError, load_questions


def _unit(value: str) -> float:
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError("应为 0 到 1 之间的数")
    return v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval", description="政策研学助手评测：检索、引用、要点与拒答指标。")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="题目文件（JSONL，默认 eval/questions.jsonl）")
    from assistant.llm import NO_MODEL_NAME, list_backends

    backends = list_backends()
    named = " / ".join(f"{b.name} {b.label}" for b in backends)
    ap.add_argument("--llm", choices=[b.name for b in backends], default=NO_MODEL_NAME,
                    help=f"回答后端：{named}（默认 {NO_MODEL_NAME}）")
    ap.add_argument("--split", choices=[*SPLITS, "all"], default="all",
                    help="只评测题目的一部分：tune（调参部分）| held（留出部分，从未据以调参）| all（默认）")
    ap.add_argument("--top-k", type=int, default=10, help="检索指标看前几个段落（默认 10）")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出完整结果（指标、延迟、逐题）")
    ap.add_argument("--out", type=Path, help="把 Markdown 报告（含逐题表，未通过的在前）写到此文件")
    ap.add_argument("--embedder", help="嵌入模型：e5 | use | st:/模型目录")
    ap.add_argument("--home", help="数据目录（默认 var/）")
    ap.add_argument("--quiet", action="store_true", help="不显示进度条")
    for opt, key in THRESHOLDS.items():
        ap.add_argument(f"--min-{opt.replace('_', '-')}", dest=f"min_{opt}", type=_unit, metavar="X",
                        help=f"{key} 低于 X 时退出码为 1")
    for opt, key in MAX_THRESHOLDS.items():
        ap.add_argument(f"--max-{opt.replace('_', '-')}", dest=f"max_{opt}", type=_unit, metavar="X",
                        help=f"{key} 高于 X 时退出码为 1")
    args = ap.parse_args(argv)
    if args.top_k < 1:
        ap.error("--top-k 至少为 1")
    setup_logging("WARNING")

    try:
        items = load_questions(args.questions)
    except EvalFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.split != "all":
        items = [i for i in items if i.split == args.split]
        if not items:
            print(f"错误：题目文件中没有 split={args.split} 的题目", file=sys.stderr)
            return 2

    from assistant.engine import AnswerEngine
    from assistant.llm import LLMError
    from policyqa.embedders import EmbedderError
    from policyqa.runtime import open_resources
    from policyqa.store import StoreError

    from .harness import missed_thresholds, render_markdown, render_stdout, run_eval

    settings = load_settings(embedder=args.embedder, home=args.home)
    try:
        res = open_resources(settings)
    except (StoreError, EmbedderError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    try:
        if not res.store.list_docs():
            print(f"错误：资料库为空（{settings.home_path}）。先运行 python -m ingest data/corpus"
                  + (f" --home {args.home}" if args.home else ""), file=sys.stderr)
            return 2
        engine = AnswerEngine(res, backend=args.llm)
        if args.llm != "none":
            try:
                engine.backend()
            except LLMError as exc:
                print(f"错误：回答后端 {args.llm} 不可用：{exc}（可改用 --llm none）", file=sys.stderr)
                return 2
        report = run_eval(engine, items, top_k=args.top_k, progress=not (args.quiet or args.json),
                          questions_file=str(args.questions))
    finally:
        res.close()

    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render_markdown(report), encoding="utf-8")
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_stdout(report))
        if args.out:
            print(f"\n报告已写入 {args.out}")
    missed = missed_thresholds(report, {opt: getattr(args, f"min_{opt}") for opt in THRESHOLDS},
                               {opt: getattr(args, f"max_{opt}") for opt in MAX_THRESHOLDS})
    for line in missed:
        print(f"未达标：{line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
