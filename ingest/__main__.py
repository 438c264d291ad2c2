"""``python -m ingest [PATHS…] [--prune] [--list] [--delete DOC_ID] [--json]``"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyqa.app_link import AppLink, from_plain
from policyqa.runtime import setup_logging
from policyqa.settings import load_settings
from policyqa.types import DOC_TYPES, DocumentMeta, IngestReport
from policyqa.versions import status_label

STATUS_ZH = {"added": "新增", "updated": "更新", "unchanged": "未变", "skipped": "跳过"}


def print_summary(report: IngestReport) -> None:
    d = report.to_dict()
    n_docs = d["added"] + d["updated"] + d["unchanged"]
    print(f"\n导入完成：{len(report.files)} 个文件，{n_docs} 篇文档"
          f"（新增 {d['added']}，更新 {d['updated']}，未变 {d['unchanged']}），"
          f"写入 {d['passages_written']} 个段落，跳过 {d['skipped']} 个，"
          f"删除 {len(report.deleted)} 篇，用时 {report.seconds:.1f} 秒（嵌入 {report.embed_seconds:.1f} 秒）。")
    for f in report.files:
        if f.status == "skipped":
            print(f"  跳过  {f.path}：{f.reason}")
        elif f.status in ("added", "updated"):
            print(f"  {STATUS_ZH[f.status]}  {f.title}（{f.n_passages} 段，{f.doc_id}）")
    for doc_id in report.deleted:
        print(f"  删除  {doc_id}")


def version_note(d: DocumentMeta) -> str:
    """ ``（2024年12月25日修正，现行）`` / ``（2018年3月20日通过，已被修订：2024-12-25）`` for versioned texts."""
    if not d.work:
        return ""
    status = status_label(d)
    if d.status == "superseded" and d.superseded_on:
        status += f"：{d.superseded_on}"
    return f"（{'，'.join(x for x in (d.version, status) if x)}）"


def print_docs(docs: list[DocumentMeta], collection: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps([d.to_payload() for d in docs], ensure_ascii=False, indent=2))
        return
    print(f"共 {len(docs)} 篇文档（集合 {collection}）：")
    for d in sorted(docs, key=lambda d: (d.doc_type, d.work or d.title, d.date)):
        print(f"  {d.doc_id}  {DOC_TYPES.get(d.doc_type, d.doc_type)}  {d.date or '日期不详':10}  "
              f"{d.n_passages:4d} 段  {d.title}{version_note(d)}")


def print_deleted(doc_id: str, title: str | None) -> int:
    if title is None:
        print(f"未找到文档 {doc_id}（用 --list 查看文档编号）", file=sys.stderr)
        return 1
    print(f"已删除：{doc_id} {title}")
    return 0


def finish_run(report: IngestReport, args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(report)
    ok = sum(1 for f in report.files if f.status != "skipped")
    if ok == 0 and not report.deleted and not (args.prune and not report.files):
        print("没有成功导入任何文件。", file=sys.stderr)
        return 1
    return 0


def via_app(link: AppLink, args: argparse.Namespace) -> int:
    """The command run by the app that holds the store (policyqa/app_link.py); prints as a local run does."""
    if args.list:
        out = link.call("cli_docs")
        print_docs([from_plain(DocumentMeta, d) for d in out["docs"]], out["collection"], args.json)
        return 0
    if args.delete:
        codes = [print_deleted(doc_id, title) for doc_id, title in link.call("cli_delete", args.delete)["deleted"]]
        return max(codes, default=0)
    given = args.paths or [Path("data/corpus")]
    # The app resolves nothing against its own working directory: send absolute paths, show them as given.
    absolute = {str(p.absolute()): str(p) for p in given}
    bar = None
    reply: dict = {}
    for ev in link.stream("cli_ingest", list(absolute), bool(args.prune), link.record.secret):
        if "progress" not in ev:
            reply = ev
        elif ev["progress"][0] == "file" and not (args.quiet or args.json):
            from tqdm import tqdm

            stage, done, total = ev["progress"]
            bar = bar or tqdm(total=total, desc="导入与入库", unit="文件", file=sys.stderr)
            bar.update(done - bar.n)
    if bar is not None:
        bar.close()
    if "error" in reply:
        print(f"错误：{reply['error']}", file=sys.stderr)
        return int(reply.get("code", 2))
    report = from_plain(IngestReport, reply["report"])
    for f in report.files:
        for full, shown in absolute.items():
            if f.path == full or f.path.startswith(full.rstrip("/") + "/"):
                f.path = shown + f.path[len(full):]
                break
    return finish_run(report, args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest", description="把文档导入向量库（Qdrant）。")
    ap.add_argument("paths", nargs="*", type=Path, help="文件或目录（默认 data/corpus）")
    ap.add_argument("--prune", action="store_true", help="删除文件已不存在的文档")
    ap.add_argument("--list", action="store_true", help="列出已导入的文档")
    ap.add_argument("--delete", metavar="DOC_ID", action="append", help="删除文档（可重复）")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出")
    ap.add_argument("--embedder", help="嵌入模型：e5 | use | st:/模型目录")
    ap.add_argument("--home", help="数据目录（默认 var/）")
    ap.add_argument("--quiet", action="store_true", help="不显示进度条")
    args = ap.parse_args(argv)

    settings = load_settings(embedder=args.embedder, home=args.home)
    setup_logging("WARNING" if args.json else settings.log_level)
    from policyqa.app_link import AppLinkError, route, serving

    def through(link: AppLink) -> int:
        try:
            return via_app(link, args)
        except AppLinkError as err:
            print(f"错误：{err}", file=sys.stderr)
            return 2
        finally:
            link.close()

    app = serving(settings)
    if app is not None:  # the running app holds the store: it does the work
        return through(app)
    from policyqa.embedders import EmbedderError
    from policyqa.store import StoreError

    from .lock import IngestBusy
    from .pipeline import Ingestor

    try:
        ing = Ingestor.open(settings, progress=not (args.quiet or args.json))
    except StoreError as exc:
        try:  # held by a running app not found above? (with no live app recorded, exc stands)
            return through(route(settings.home_path, exc))
        except StoreError:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
    except EmbedderError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    try:
        if args.list:
            print_docs(ing.list_docs(), ing.res.store.collection, args.json)
            return 0
        if args.delete:
            code = 0
            for doc_id in args.delete:
                meta = ing.delete(doc_id)
                code = max(code, print_deleted(doc_id, meta.title if meta is not None else None))
            return code
        paths = args.paths or [Path("data/corpus")]
        return finish_run(ing.run(paths, prune=args.prune), args)
    except IngestBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 3
    finally:
        ing.close()
        ing.res.close()


if __name__ == "__main__":
    sys.exit(main())
