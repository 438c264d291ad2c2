"""资料库 tab: list, upload (with progress and per-file results), delete, re-index."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from policyqa.types import IngestReport

from . import render
from .service import AppService

STATUS = {"added": "已导入", "updated": "已更新", "unchanged": "未变化", "skipped": "已跳过"}
DOC_HEADERS = ["标题", "类型", "日期", "版本与效力", "段落数", "导入时间", "编号"]
RESULT_HEADERS = ["文件", "结果", "段落数", "说明"]


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


def build(svc: AppService, doc_dropdowns: list[gr.Dropdown]):
    """Build the tab; ``doc_dropdowns`` (the other tabs' document filters) follow library changes."""
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.Dataframe(render.docs_rows(svc.docs()), headers=DOC_HEADERS, interactive=False,
                                 label="已导入的文档", elem_id="pq-doc-table", wrap=True,
                                 column_widths=["40%", "9%", "13%", "8%", "17%", "13%"])
            with gr.Row():
                refresh = gr.Button("刷新", size="sm")
                reindex = gr.Button("重新索引（重新读取源文件）", size="sm")
            with gr.Row():
                victim = gr.Dropdown(doc_choices(svc), label="选择要删除的文档", elem_id="pq-delete-doc", scale=3)
                delete = gr.Button("删除文档", variant="stop", elem_id="pq-delete-btn", scale=1)
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

    def do_upload(paths: list[str] | None, progress=gr.Progress()):
        if not paths:  # a hint in the summary line, not an error state over the page
            return ("请先选择要上传的文件。", gr.update(), gr.update(), *[gr.update() for _ in lib_outs])
        # Gradio keeps the original name as the temp file's name.
        pairs = [(Path(p), Path(p).name) for p in paths]

        on_progress = _progress_fn(progress)

        progress(0, desc="检查文件……")
        report, rejected, names = svc.upload(pairs, on_progress)
        return (_summary(report, rejected), _result_rows(report, rejected, names), None, *refreshed())

    go.click(do_upload, files, [summary, results, files, *lib_outs], concurrency_limit=1, concurrency_id="ingest",
             api_visibility="private")

    def do_delete(doc_id: str | None):
        if not doc_id:
            return ("请先在下拉框中选择要删除的文档。", *[gr.update() for _ in lib_outs])
        meta = svc.delete(doc_id)
        text = f"已删除《{render.md_escape(meta.title)}》及其全部段落。" if meta else "该文档已不存在。"
        return (text, *refreshed())

    delete.click(do_delete, victim, [lib_msg, *lib_outs], concurrency_limit=1, concurrency_id="ingest",
                 api_visibility="private")

    def do_reindex(progress=gr.Progress()):
        report, missing = svc.reindex(_progress_fn(progress))
        extra = ""
        if missing:
            extra = "\n\n源文件已不存在（保留原索引）：" + "、".join(render.md_escape(t) for t in missing)
        return (_summary(report, []) + extra, *refreshed())

    reindex.click(do_reindex, None, [lib_msg, *lib_outs], concurrency_limit=1, concurrency_id="ingest",
                  api_visibility="private")
    refresh.click(refreshed, None, lib_outs, queue=False)
    return table, refreshed, lib_outs
