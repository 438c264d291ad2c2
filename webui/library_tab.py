"""资料库 tab: list, upload (with progress and per-file results), delete, re-index."""
from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from policyqa.types import DocumentMeta, IngestReport

from . import render
from .service import AppService

log = logging.getLogger("policyqa.app")

STATUS = {"added": "已导入", "updated": "已更新", "unchanged": "未变化", "skipped": "已跳过"}
DOC_HEADERS = ["标题", "类型", "日期", "版本与效力", "段落数", "导入时间"]
RESULT_HEADERS = ["文件", "结果", "段落数", "说明"]
DETAILS_EMPTY = "在上表中点击一行，这里显示该文档的详细信息。"


def upload_file_types() -> list[str]:
    """Extensions the upload component accepts: every format in the table (``ingest.loaders``), plugins included."""
    from ingest.loaders import SUPPORTED_SUFFIXES  # the ingest package loads lazily, as in service.py

    return list(SUPPORTED_SUFFIXES)


def upload_label(max_upload_mb: int) -> str:
    """The upload component's label, listing the supported extensions from the format table."""
    from ingest.loaders import formats_text

    return f"上传资料（{formats_text()}；单个文件不超过 {max_upload_mb} MB）"


def doc_choices(svc: AppService) -> list[tuple[str, str]]:
    return [(f"{d.title}（{d.version or d.date}）" if d.version or d.date else d.title, d.doc_id)
            for d in sorted(svc.docs(), key=lambda d: d.title)]


def _result_rows(report: IngestReport, rejected: list[tuple[str, str]], names: dict[str, str]) -> list[list]:
    rows = [[name, "已拒绝", 0, reason] for name, reason in rejected]
    for f in report.files:
        rows.append([names.get(f.path, Path(f.path).name), STATUS.get(f.status, f.status), f.n_passages,
                     f.reason or f.title])
    return rows


def _progress_fn(progress: gr.Progress):
    """Map the ingest job's callbacks (``file``: files done; ``embed``: passages of the current file) to a bar."""
    state = {"files": (0, 1)}

    def on_progress(stage: str, done: int, total: int) -> None:
        if stage == "file":
            state["files"] = (done, max(total, 1))
            progress(state["files"], desc=f"已处理 {done}/{total} 个文件", unit="个")
        elif stage == "embed":
            f_done, f_total = state["files"]
            progress((done, max(total, 1)), desc=f"第 {f_done + 1}/{f_total} 个文件：嵌入与入库", unit="段")

    return on_progress


def _summary(report: IngestReport, rejected: list, extra: str = "") -> str:
    parts = [f"新增 {report.count('added')} 篇", f"更新 {report.count('updated')} 篇",
             f"未变化 {report.count('unchanged')} 篇"]
    bad = report.count("skipped") + len(rejected)
    if bad:
        parts.append(f"跳过/拒绝 {bad} 个（原因见下表）")
    return "，".join(parts) + f"；写入 {report.n_passages_written} 段，用时 {report.seconds:.1f} 秒。" + extra


def delete_question(d: DocumentMeta) -> str:
    """What 删除文档 will remove, asked before anything happens."""
    version = f"（{d.version}）" if d.version else f"（{d.date}）" if d.date else ""
    return (f"**确认删除《{render.md_escape(d.title)}》{render.md_escape(version)}吗？**  \n"
            f"将从资料库中移除这篇文档及其全部 {d.n_passages} 段原文，问答、提纲和测验不再引用它；"
            "通过本页上传的源文件也一并删除。此操作不能撤销。")


def reindex_question(docs: list[DocumentMeta]) -> str:
    """What 重新索引 will do, asked before anything happens."""
    missing = [d for d in docs if not d.path or not Path(d.path).exists()]
    n_passages = sum(d.n_passages for d in docs)
    text = (f"**确认重新索引全部 {len(docs)} 篇文档（共 {n_passages} 段）吗？**  \n"
            "将重新读取每篇文档的源文件：源文件有改动的，原有段落会被删除并按新内容重新导入；未改动的保持不变。")
    if missing:
        titles = "、".join(f"《{render.md_escape(d.title)}》" for d in missing[:5]) + ("等" if len(missing) > 5 else "")
        text += f"源文件已不存在的 {len(missing)} 篇（{titles}）保留原索引。"
    return text


def build(svc: AppService, doc_dropdowns: list[gr.Dropdown]):
    """Build the tab; ``doc_dropdowns`` (the other tabs' document filters) follow library changes."""
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.Dataframe(render.docs_rows(svc.docs()), headers=DOC_HEADERS, interactive=False,
                                 label="已导入的文档（点击一行查看详情）", elem_id="pq-doc-table", wrap=True,
                                 column_widths=["42%", "9%", "13%", "10%", "9%", "17%"])
            with gr.Accordion("文档详情", open=False, elem_id="pq-doc-details-box") as details_box:
                details = gr.Markdown(DETAILS_EMPTY, elem_id="pq-doc-details")
            with gr.Row():
                refresh = gr.Button("刷新", size="sm")
                reindex = gr.Button("重新索引（重新读取源文件）", size="sm", elem_id="pq-reindex-btn")
            with gr.Row():
                victim = gr.Dropdown(doc_choices(svc), label="选择要删除的文档", elem_id="pq-delete-doc", scale=3)
                delete = gr.Button("删除文档", variant="stop", elem_id="pq-delete-btn", scale=1)
            # Destructive actions wait here for 确认 / 取消; ``pending`` holds what was asked (not what the
            # dropdown shows by the time the user confirms).
            pending = gr.State(None)
            with gr.Column(visible=False, elem_id="pq-confirm") as confirm_box:
                confirm_text = gr.Markdown("", elem_id="pq-confirm-text")
                with gr.Row():
                    confirm = gr.Button("确认删除", variant="stop", size="sm", elem_id="pq-confirm-yes", scale=0,
                                        min_width=140)
                    cancel = gr.Button("取消", size="sm", elem_id="pq-confirm-no", scale=0, min_width=100)
            lib_msg = gr.Markdown("", elem_id="pq-lib-msg")
        with gr.Column(scale=2):
            files = gr.File(label=upload_label(svc.settings.max_upload_mb), file_count="multiple",
                            file_types=upload_file_types(), elem_id="pq-upload", type="filepath")
            go = gr.Button("导入上传的文件", variant="primary", elem_id="pq-upload-btn")
            summary = gr.Markdown("", elem_id="pq-upload-summary")
            results = gr.Dataframe(headers=RESULT_HEADERS, interactive=False, label="逐个文件的结果",
                                   elem_id="pq-upload-results", wrap=True, column_widths=["30%", "14%", "10%", "46%"])

    def refreshed():
        ch = doc_choices(svc)
        return (render.docs_rows(svc.docs()), gr.update(choices=ch, value=None),
                *[gr.update(choices=ch) for _ in doc_dropdowns])

    lib_outs = [table, victim, *doc_dropdowns]
    keep = [gr.update() for _ in lib_outs]
    hidden = gr.update(visible=False)

    def do_upload(paths: list[str] | None, progress=gr.Progress()):
        if not paths:  # a hint in the summary line, not an error state over the page
            return ("请先选择要上传的文件（点击上方的上传区域，或把文件拖到那里），再点“导入上传的文件”。", gr.update(), gr.update(),
                    *keep)
        # Gradio keeps the original name as the temp file's name.
        pairs = [(Path(p), Path(p).name) for p in paths]

        on_progress = _progress_fn(progress)

        progress(0, desc="检查文件……")
        try:
            report, rejected, names = svc.upload(pairs, on_progress)
        except Exception:  # the files stay selected; one calm line instead of error badges
            log.exception("上传导入失败")
            return ("这次导入没有完成，文件仍在上传区域中，请稍后再点一次“导入上传的文件”。", gr.update(), gr.update(),
                    *keep)
        return (_summary(report, rejected), _result_rows(report, rejected, names), None, *refreshed())

    go.click(do_upload, files, [summary, results, files, *lib_outs], concurrency_limit=1, concurrency_id="ingest",
             api_visibility="private")

    confirm_outs = [confirm_box, confirm_text, confirm, pending, lib_msg]

    def ask_delete(doc_id: str | None):
        d = next((x for x in svc.docs() if x.doc_id == doc_id), None) if doc_id else None
        if d is None:
            text = "请先在下拉框中选择要删除的文档。" if not doc_id else "该文档已不存在，请点“刷新”。"
            return hidden, gr.update(), gr.update(), None, text
        return (gr.update(visible=True), delete_question(d), gr.update(value="确认删除"), ("delete", d.doc_id), "")

    delete.click(ask_delete, victim, confirm_outs, queue=False, api_visibility="private")

    def ask_reindex():
        docs = svc.docs()
        if not docs:
            return hidden, gr.update(), gr.update(), None, "资料库中还没有文档，无需重新索引。可以先在右侧上传文件。"
        return (gr.update(visible=True), reindex_question(docs), gr.update(value="确认重新索引"), ("reindex", ""), "")

    reindex.click(ask_reindex, None, confirm_outs, queue=False, api_visibility="private")

    def do_cancel(what):
        text = "已取消，没有删除任何内容。" if what and what[0] == "delete" else "已取消，资料库没有改动。"
        return hidden, None, text

    cancel.click(do_cancel, pending, [confirm_box, pending, lib_msg], queue=False, api_visibility="private")

    def do_confirm(what, progress=gr.Progress()):
        if not what:  # a second click after the first one already ran
            return (hidden, None, gr.update(), gr.update(), *keep)
        try:
            if what[0] == "delete":
                meta = svc.delete(what[1])
                text = f"已删除《{render.md_escape(meta.title)}》及其全部 {meta.n_passages} 段。" if meta \
                    else "该文档已不存在。"
            else:
                report, missing = svc.reindex(_progress_fn(progress))
                text = _summary(report, [])
                if missing:
                    text += "\n\n源文件已不存在（保留原索引）：" + "、".join(render.md_escape(t) for t in missing)
        except Exception:
            log.exception("资料库操作失败：%s", what)
            return (hidden, None, "这次操作没有完成，资料库没有改动，请稍后再试。", gr.update(), *keep)
        # A deleted document's details must not stay on show.
        return (hidden, None, text, DETAILS_EMPTY if what[0] == "delete" else gr.update(), *refreshed())

    confirm.click(do_confirm, pending, [confirm_box, pending, lib_msg, details, *lib_outs], concurrency_limit=1,
                  concurrency_id="ingest", api_visibility="private")

    def show_details(evt: gr.SelectData):
        # The clicked row's values name the document (the table may be older than the library by now).
        docs = render.sorted_docs(svc.docs())
        want = [str(x) for x in (evt.row_value or [])]
        d = next((d for d, r in zip(docs, render.docs_rows(docs)) if [str(x) for x in r] == want), None)
        if d is None:
            return "这篇文档已不在资料库中，请点“刷新”。", gr.update(open=True), gr.update()
        return render.doc_details(d), gr.update(open=True), gr.update(value=d.doc_id)

    table.select(show_details, None, [details, details_box, victim], queue=False, api_visibility="private")
    refresh.click(refreshed, None, lib_outs, queue=False)
    return table, refreshed, lib_outs
