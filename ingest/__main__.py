"""``python -m ingest [PATHS…] [--prune] [--list] [--delete DOC_ID] [--json]``"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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
    from policyqa.embedders import EmbedderError
    from policyqa.store import StoreError

    from .lock import IngestBusy
    from .pipeline import Ingestor

    try:
        ing = Ingestor.open(settings, progress=not (args.quiet or args.json))
    except (StoreError, EmbedderError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    try:
        if args.list:
            docs = ing.list_docs()
            if args.json:
                print(json.dumps([d.to_payload() for d in docs], ensure_ascii=False, indent=2))
            else:
                print(f"共 {len(docs)} 篇文档（集合 {ing.res.store.collection}）：")
                for d in sorted(docs, key=lambda d: (d.doc_type, d.work or d.title, d.date)):
                    print(f"  {d.doc_id}  {DOC_TYPES.get(d.doc_type, d.doc_type)}  {d.date or '日期不详':10}  "
                          f"{d.n_passages:4d} 段  {d.title}{version_note(d)}")
            return 0
        if args.delete:
            code = 0
            for doc_id in args.delete:
                meta = ing.delete(doc_id)
                if meta is None:
                    print(f"未找到文档 {doc_id}（用 --list 查看文档编号）", file=sys.stderr)
                    code = 1
                else:
                    print(f"已删除：{doc_id} {meta.title}")
            return code
        paths = args.paths or [Path("data/corpus")]
        report = ing.run(paths, prune=args.prune)
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            print_summary(report)
        ok = sum(1 for f in report.files if f.status != "skipped")
        if ok == 0 and not report.deleted and not (args.prune and not report.files):
            print("没有成功导入任何文件。", file=sys.stderr)
            return 1
        return 0
    except IngestBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 3
    finally:
        ing.close()
        ing.res.close()


if __name__ == "__main__":
    sys.exit(main())
