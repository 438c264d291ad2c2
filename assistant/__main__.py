"""``python -m assistant search "问题" [--top-k 5] [--json]``"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from policyqa.app_link import AppLink, from_plain, to_plain
from policyqa.runtime import setup_logging
from policyqa.settings import load_settings
from policyqa.types import DOC_TYPES, SearchFilter
from policyqa.versions import as_of_date

if TYPE_CHECKING:
    from policyqa.runtime import Resources
    from policyqa.types import Answer

T = TypeVar("T")


def _as_of(value: str) -> str:
    try:
        return as_of_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _filter_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--type", dest="doc_types", action="append", choices=sorted(DOC_TYPES),
                    help="文档类型（可重复）")
    ap.add_argument("--doc", dest="doc_ids", action="append", help="只在这些文档编号中检索（可重复）")
    ap.add_argument("--source", dest="sources", action="append", help="来源/发布机关（可重复）")
    ap.add_argument("--from", dest="date_from", default="", help="起始日期，如 2024 或 2024-06-01")
    ap.add_argument("--to", dest="date_to", default="", help="截止日期")
    ap.add_argument("--as-of", dest="as_of", default="", metavar="日期", type=_as_of,
                    help="按该日有效的法规版本回答，如 2020-01-01（默认：现行文本）")


def _filter(args: argparse.Namespace) -> SearchFilter:
    return SearchFilter(doc_types=args.doc_types or [], doc_ids=args.doc_ids or [],
                        sources=args.sources or [], date_from=args.date_from, date_to=args.date_to,
                        as_of=getattr(args, "as_of", "") or "")


# -- the store here, or the running app that holds it (policyqa/app_link.py) -------------------------

def _open(args: argparse.Namespace) -> Resources | AppLink:
    """Open the store; when it is held by a running app recorded in the data directory, the link to that
    app instead (with no live app, the store's own "in use" error stands)."""
    from policyqa.app_link import route, serving
    from policyqa.runtime import open_resources
    from policyqa.store import StoreError

    settings = load_settings(embedder=args.embedder, home=args.home)
    link = serving(settings)
    if link is not None:
        return link
    try:
        return open_resources(settings)
    except StoreError as exc:
        return route(settings.home_path, exc)


def _echo(text: str) -> None:
    print(text, end="", flush=True)


def _plain_filter(args: argparse.Namespace) -> dict:
    return to_plain(_filter(args))


def _result(out: dict, key: str, tp: type[T], error: Callable[[str], Exception]) -> T:
    """The record ``key`` of an app endpoint's reply, rebuilt; an in-band error raised as ``error``."""
    if "error" in out:
        raise error(out["error"])
    return from_plain(tp, out[key])


def _remote_answer(link: AppLink, question: str, history: list[tuple[str, str]], backend: str | None,
                   flt: dict, on_text: Callable[[str], Any] | None = None) -> Answer:
    """An answer from the app, its streamed text handed to ``on_text`` piece by piece as it comes."""
    from policyqa.types import Answer

    shown = ""
    final = None
    for ev in link.stream("cli_answer", question, [list(h) for h in history], backend or "", flt):
        if "text" in ev:
            if on_text is not None and len(ev["text"]) > len(shown):
                on_text(ev["text"][len(shown):])
            shown = ev["text"]
        elif "answer" in ev:
            final = from_plain(Answer, ev["answer"])
    assert final is not None, "the answer stream ended without an answer"
    return final


def cmd_search(args: argparse.Namespace) -> int:
    from .retrieve import Retriever, SearchResult

    res = _open(args)
    try:
        if isinstance(res, AppLink):
            result = _result(res.call("cli_search", args.query, args.top_k, args.mode, _plain_filter(args)),
                             "result", SearchResult, RuntimeError)
        else:
            result = Retriever(res).search(args.query, top_k=args.top_k, flt=_filter(args), mode=args.mode)
    finally:
        res.close()
    if args.json:
        print(json.dumps({"query": result.query, "mode": result.mode, "timings": result.timings,
                          "hits": [h.to_dict() for h in result.hits]}, ensure_ascii=False, indent=2))
        return 0
    if not result.hits:
        print("没有找到相关段落。资料库是否为空？先运行：python -m ingest data/corpus")
        return 1
    for i, h in enumerate(result.hits, 1):
        date = f"（{h.version or h.date}）" if h.version or h.date else ""
        print(f"[{i}] {h.title}{date}  得分 {h.score:.4f}")
        print(f"    {h.heading}")
        text = h.text if len(h.text) <= 300 or args.full else h.text[:300] + "……"
        print("    " + text.replace("\n", "\n    "))
        print()
    print(f"检索用时 {result.timings['total_ms']:.0f} ms（{result.mode}）")
    return 0


def _print_answer(ans, show_sources: bool = True) -> None:
    print()
    if ans.standalone_query and ans.standalone_query.strip() != ans.question.strip():
        print(f"（按“{ans.standalone_query}”检索）")
    for n in ans.notices:
        print(f"（提示：{n}）")
    if show_sources:
        cites = ans.citations if ans.answerable else ans.nearest
        if cites:
            print("\n出处：" if ans.answerable else "\n最接近的段落（供参考）：")
        for c in cites:
            date = f"，{c.passage.version or c.date}" if c.passage.version or c.date else ""
            print(f"  [{c.n}] 《{c.title}》{date} — {c.heading}")
            print("      " + (c.text if len(c.text) <= 160 else c.text[:160] + "……"))
    t = ans.timings
    print(f"\n（{ans.backend}/{ans.model}；检索 {t.get('retrieve_ms', 0):.0f} ms，首字 {t.get('first_token_ms', 0):.0f} ms，"
          f"总计 {t.get('total_ms', 0):.0f} ms）")


def cmd_ask(args: argparse.Namespace) -> int:
    from .engine import AnswerEngine, Final, Token

    res = _open(args)
    try:
        if isinstance(res, AppLink):
            if args.json:
                ans = _remote_answer(res, args.question, [], args.llm, _plain_filter(args))
                print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
                return 0
            final = _remote_answer(res, args.question, [], args.llm, _plain_filter(args), on_text=_echo)
        else:
            engine = AnswerEngine(res, backend=args.llm)
            if args.json:
                ans = engine.ask(args.question, flt=_filter(args))
                print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
                return 0
            final = None
            for ev in engine.stream(args.question, flt=_filter(args)):
                if isinstance(ev, Token):
                    _echo(ev.text)
                elif isinstance(ev, Final):
                    final = ev.answer
        assert final is not None, "the answer stream ended without a Final event"
        if final.backend != "none":
            print("\n\n核验后的回答：\n" + final.answer)
        _print_answer(final)
        return 0
    finally:
        res.close()


def cmd_chat(args: argparse.Namespace) -> int:
    from .engine import AnswerEngine, Event, Final, Token

    res = _open(args)
    history: list[tuple[str, str]] = []
    if isinstance(res, AppLink):
        link = res
        backend_name = args.llm or link.call("cli_status")["backend"]

        def events(q: str) -> Iterator[Event]:  # the app streams the text as it answers
            yield Final(_remote_answer(link, q, history, args.llm, {}, on_text=_echo))
    else:
        engine = AnswerEngine(res, backend=args.llm)
        backend_name = engine.backend_name

        def events(q: str) -> Iterator[Event]:
            return engine.stream(q, history=history)
    print(f"政策研学助手（{backend_name}）。输入问题，回车提问；输入 /清空 重新开始，/退出 结束。")
    try:
        while True:
            try:
                q = input("\n问：").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not q:
                continue
            if q in ("/退出", "/quit", "/exit"):
                return 0
            if q in ("/清空", "/clear"):
                history.clear()
                print("已清空对话。")
                continue
            final = None
            print("答：", end="", flush=True)
            ev: Event
            for ev in events(q):
                if isinstance(ev, Token):
                    _echo(ev.text)
                elif isinstance(ev, Final):
                    final = ev.answer
            assert final is not None, "the answer stream ended without a Final event"
            if final.backend != "none":
                print("\n（核验后）" + final.answer)
            _print_answer(final)
            history.append((q, final.answer))
    finally:
        res.close()


def cmd_quiz(args: argparse.Namespace) -> int:
    import re
    from pathlib import Path

    from policyqa.types import QuizSet

    from .quiz import QuizError, QuizGenerator, quiz_docx, quiz_markdown

    types = [t for t in re.split(r"[,，、\s]+", args.types) if t]
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".md", ".docx"):
        print(f"错误：--out 只支持 .md 或 .docx 文件：{out}", file=sys.stderr)
        return 2
    res = _open(args)
    try:
        if isinstance(res, AppLink):
            quiz = _result(res.call("cli_quiz", args.n, types, args.doc_ids or [], args.topic, args.seed,
                                     args.chapter, not args.all_versions, args.llm), "quiz", QuizSet, QuizError)
        else:
            gen = QuizGenerator(res, backend=args.llm, progress=not args.json)
            quiz = gen.generate(n=args.n, types=types, doc_ids=args.doc_ids, topic=args.topic, seed=args.seed,
                                chapter=args.chapter or None, current_only=not args.all_versions)
    except QuizError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        res.close()
    if out is not None:
        if out.suffix.lower() == ".docx":
            quiz_docx(quiz, out, with_key=not args.no_key)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(quiz_markdown(quiz, with_key=not args.no_key), encoding="utf-8")
    seed_note = f"随机种子：{quiz.seed}（用 --seed {quiz.seed} 可重出这套题）" if args.seed is None else ""
    if args.json:
        print(json.dumps(quiz.to_dict(), ensure_ascii=False, indent=2))
    elif out is None:
        print(quiz_markdown(quiz, with_key=not args.no_key))
    else:
        print(f"已导出 {len(quiz.items)} 道题{'（含答案与解析）' if not args.no_key else ''}：{out}")
        for note in quiz.notices:
            print(f"（提示：{note}）")
    if seed_note:  # on stderr, so that --json stays one JSON document
        print(seed_note, file=sys.stderr)
    return 0 if quiz.items else 1


def cmd_outline(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from policyqa.types import Outline

    from .outline import OutlineBuilder, outline_docx, outline_markdown

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".md", ".docx"):
        print(f"错误：--out 只支持 .md 或 .docx 文件：{out}", file=sys.stderr)
        return 2
    res = _open(args)
    bar = tqdm(total=100, desc="生成提纲", file=sys.stderr, disable=args.json,
               bar_format="{desc}: {percentage:3.0f}%|{bar}|")

    def progress(frac: float, desc: str) -> None:
        bar.set_description_str(f"生成提纲（{desc}）")
        bar.update(max(0, round(frac * 100) - bar.n))

    try:
        if isinstance(res, AppLink):
            reply: dict = {}
            for ev in res.stream("cli_outline", args.topic, args.length, args.audience, args.llm,
                                  _plain_filter(args)):
                if "progress" in ev:
                    progress(*ev["progress"])
                else:
                    reply = ev
            outline = _result(reply, "outline", Outline, ValueError)
        else:
            outline = OutlineBuilder(res, backend=args.llm).build(args.topic, length=args.length,
                                                                  audience=args.audience, flt=_filter(args),
                                                                  progress=progress)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        res.close()
    if out is not None:
        if out.suffix.lower() == ".docx":
            outline_docx(outline, out)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(outline_markdown(outline), encoding="utf-8")
    if args.json:
        print(json.dumps(outline.to_dict(), ensure_ascii=False, indent=2))
    elif out is None:
        print(outline_markdown(outline))
    else:
        print(f"已导出学习研讨提纲：{out}")
        for note in outline.notices:
            print(f"（提示：{note}）")
    return 0 if outline.enough_material else 1


def cmd_compare(args: argparse.Namespace) -> int:
    """新旧对照: two revisions of a regulation, article by article (assistant/compare.py)."""
    from pathlib import Path

    from .compare import CompareError, Comparison, load_comparison
    from .compare_export import comparison_docx, comparison_markdown, comparison_text

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".md", ".docx"):
        print(f"错误：--out 只支持 .md 或 .docx 文件：{out}", file=sys.stderr)
        return 2
    res = _open(args)
    try:
        if isinstance(res, AppLink):
            comparison = _result(res.call("cli_compare", args.work, args.from_, args.to), "comparison",
                                 Comparison, CompareError)
        else:
            comparison = load_comparison(res.store, args.work, args.from_, args.to)
    except CompareError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        res.close()
    if out is not None:
        if out.suffix.lower() == ".docx":
            comparison_docx(comparison, out, include_unchanged=args.all)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(comparison_markdown(comparison, include_unchanged=args.all), encoding="utf-8")
    if args.json:
        print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
    elif out is None:
        print(comparison_text(comparison, include_unchanged=args.all), end="")
    else:
        print(comparison.summary())
        print(f"已导出新旧对照表：{out}")
    return 0


def _backend_choices() -> tuple[list[str], str, str, str]:
    """The registered answer backends (assistant/llm/registry.py): names, help naming all of them,
    help naming the model backends, the no-model name."""
    from .llm import NO_MODEL_NAME, list_backends

    specs = list_backends()
    return ([s.name for s in specs], " / ".join(f"{s.name} {s.label}" for s in specs),
            " / ".join(f"{s.name} {s.label}" for s in specs if s.uses_model), NO_MODEL_NAME)


def main(argv: list[str] | None = None) -> int:
    llms, llm_help, models_help, no_model = _backend_choices()
    ap = argparse.ArgumentParser(prog="python -m assistant", description="政策研学助手：检索与问答。")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("search", help="检索相关段落（混合检索：向量 + BM25）")
    s.add_argument("query")
    s.add_argument("--top-k", type=int, default=5)
    s.add_argument("--mode", choices=["hybrid", "dense", "sparse"], default="hybrid")
    s.add_argument("--json", action="store_true")
    s.add_argument("--full", action="store_true", help="显示完整段落")
    s.add_argument("--embedder")
    s.add_argument("--home")
    _filter_args(s)
    s.set_defaults(func=cmd_search)
    a = sub.add_parser("ask", help="提问，得到带出处的回答")
    a.add_argument("question")
    a.add_argument("--llm", choices=llms, default=None, help=f"回答后端：{llm_help}（默认按配置）")
    a.add_argument("--json", action="store_true")
    a.add_argument("--embedder")
    a.add_argument("--home")
    _filter_args(a)
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("chat", help="终端多轮对话")
    c.add_argument("--llm", choices=llms, default=None, help=f"回答后端：{llm_help}（默认按配置）")
    c.add_argument("--embedder")
    c.add_argument("--home")
    c.set_defaults(func=cmd_chat)
    qz = sub.add_parser("quiz", help="知识测验：从资料中出题（单选、多选、判断、填空），可导出 Markdown / Word")
    qz.add_argument("--doc", dest="doc_ids", action="append",
                    help="只从这些文档出题：文档编号或标题（标题的一部分也可，如 监察法；可重复）")
    qz.add_argument("--chapter", default="", help="只从标题路径含此章节的段落出题（如 第二章、2、政务处分的种类和适用）")
    qz.add_argument("--topic", default="", help="只从与该主题相关的段落出题")
    qz.add_argument("--types", default="单选,多选,判断,填空", help="题型，逗号分隔（默认四种都出）")
    qz.add_argument("--n", type=int, default=10, help="题目数量（默认 10）")
    qz.add_argument("--seed", type=int, default=None,
                    help="随机种子：相同种子出同一套题（默认每次随机，并在标准错误输出所用的种子）")
    qz.add_argument("--all-versions", action="store_true",
                    help="也从已修订、已废止的文本出题（默认只用现行文本；用 --doc 指定编号的文档总会使用）")
    qz.add_argument("--json", action="store_true")
    qz.add_argument("--out", help="导出到文件：.md 或 .docx")
    qz.add_argument("--no-key", action="store_true", help="不附答案与解析")
    qz.add_argument("--llm", choices=llms, default=no_model,
                    help=f"{no_model} 按规则出题（默认）；选用模型（{models_help}）时改写题干与干扰项（经出处核验）")
    qz.add_argument("--embedder")
    qz.add_argument("--home")
    qz.set_defaults(func=cmd_quiz)
    ol = sub.add_parser("outline", help="学习研讨提纲：按主题从资料生成带出处的提纲，可导出 Markdown / Word")
    ol.add_argument("topic", help="学习主题，如：机关党建与业务融合")
    ol.add_argument("--length", choices=["short", "standard", "detailed"], default="standard",
                    help="篇幅：short 简要 / standard 标准（默认）/ detailed 详细")
    ol.add_argument("--audience", choices=["支部学习", "中心组学习"], default="支部学习", help="学习形式（默认 支部学习）")
    ol.add_argument("--llm", choices=llms, default=no_model,
                    help=f"{no_model} 依据原文摘录（默认）；选用模型（{models_help}）时"
                         "撰写学习目的、研讨题目并精简要点（经出处核验）")
    ol.add_argument("--json", action="store_true")
    ol.add_argument("--out", help="导出到文件：.md 或 .docx")
    ol.add_argument("--embedder")
    ol.add_argument("--home")
    _filter_args(ol)
    ol.set_defaults(func=cmd_outline)
    cp = sub.add_parser("compare", help="新旧对照：逐条对照一部法规的两个版本（新增、删除、修改、序号变化），可导出 Markdown / Word")
    cp.add_argument("work", help="法规标题或其中几个字（如 监察法），或文档编号")
    cp.add_argument("--from", dest="from_", default="", help="修订前的版本：年份、日期（2018、2018-03-20）或文档编号（默认：修订后版本的上一版）")
    cp.add_argument("--to", default="", help="修订后的版本：年份、日期或文档编号（默认：最新版本）")
    cp.add_argument("--all", action="store_true", help="也列出未修改的条文（默认折叠为一行）")
    cp.add_argument("--json", action="store_true")
    cp.add_argument("--out", help="导出新旧对照表：.md 或 .docx")
    cp.add_argument("--embedder")
    cp.add_argument("--home")
    cp.set_defaults(func=cmd_compare)
    args = ap.parse_args(argv)
    setup_logging("WARNING")
    from policyqa.app_link import AppLinkError
    from policyqa.embedders import EmbedderError
    from policyqa.store import StoreError

    try:
        return args.func(args)
    except (StoreError, EmbedderError, AppLinkError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
