"""新旧对照 tab: pick a regulation held in two or more revisions, compare two of them article by article.

The table is built from :func:`assistant.compare_export.table_rows` (the same layout as the Markdown and
Word exports): 修订前 left, 修订后 right, inserted text in ``<ins>``, deleted text in ``<del>``, runs of
unchanged articles folded into ``<details>``. All document text is escaped here.
"""
from __future__ import annotations

import html
import re
import time

import gradio as gr

from assistant.compare import (
    CompareError,
    Comparison,
    Revision,
    changes_answer,
    compare_revisions,
    work_revisions,
    works_with_revisions,
)
from assistant.compare_export import (
    LEGEND,
    Span,
    TableRow,
    comparison_docx,
    comparison_markdown,
    pair_cells,
    table_rows,
)
from policyqa.types import DocumentMeta

from . import render
from .service import AppService, export_path

STATUS = {"current": "现行", "superseded": "已被修订", "repealed": "已废止"}
EMPTY = "<div class='pq-empty'>选择一部法规和两个版本，点“对照”。资料库中同一部法规导入了两个以上版本时才会出现在这里。</div>"

CSS = """
<style>
#pq-cmp-grid { display: flex; flex-direction: column; gap: 0; }
#pq-cmp-grid table.pq-cmp { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0 !important;
                             font-size: 0.95em; }
#pq-cmp-grid table.pq-cmp col { width: 50%; }
#pq-cmp-grid table.pq-cmp th { background: #e2e8f0; color: #0f172a; font-weight: 700; text-align: center !important;
                                padding: 6px; border: 1px solid #cbd5e1; }
#pq-cmp-grid table.pq-cmp td { vertical-align: top; padding: 6px 8px; border: 1px solid #cbd5e1; line-height: 1.75;
                                word-break: break-all; text-align: left; }
#pq-cmp-grid tr.pq-cmp-ch td { background: #f8fafc; font-weight: 700; text-align: center !important; }
#pq-cmp-grid ins { background: #dcfce7; color: #14532d; text-decoration: underline; font-weight: 700; }
#pq-cmp-grid del { background: #fee2e2; color: #7f1d1d; text-decoration: line-through; }
#pq-cmp-grid .pq-lab { font-weight: 700; }
#pq-cmp-grid .pq-tag { display: inline-block; font-size: 0.78em; padding: 0 6px; margin-right: 6px; border-radius: 4px;
                       color: #fff; line-height: 1.6; }
#pq-cmp-grid .pq-tag-add { background: #15803d; } #pq-cmp-grid .pq-tag-del { background: #b91c1c; }
#pq-cmp-grid .pq-tag-mod { background: #b45309; } #pq-cmp-grid .pq-tag-num { background: #64748b; }
#pq-cmp-grid .pq-cmp-note { color: #64748b; font-size: 0.85em; margin-top: 4px; }
#pq-cmp-grid details.pq-cmp-fold { margin: 0; }
#pq-cmp-grid details.pq-cmp-fold > summary { cursor: pointer; color: #475569; padding: 4px 8px;
                                             border: 1px solid #cbd5e1; border-top: none; background: #f8fafc;
                                             font-size: 0.9em; }
#pq-cmp-grid details.pq-cmp-fold[open] > summary { color: #1d4ed8; }
.pq-cmp-sum { font-weight: 600; margin: 4px 0; }
.pq-cmp-meta { color: #64748b; font-size: 0.9em; }
.pq-cmp-legend { color: #64748b; font-size: 0.85em; margin: 4px 0 8px; }
.pq-cmp-adds { margin: 6px 0 10px; padding-left: 1.2em; line-height: 1.7; }
</style>
"""


def work_choices(svc: AppService) -> list[tuple[str, str]]:
    """(label, work) of every work held in more than one document."""
    return [(f"{w}（{len(g)} 个版本）", w) for w, g in works_with_revisions(svc.docs()).items()]


def _docs_of(svc: AppService, work: str) -> list[DocumentMeta]:
    return works_with_revisions(svc.docs()).get(work, [])


def _revisions(svc: AppService, work: str) -> list[Revision]:
    revs = work_revisions(svc.res.store, _docs_of(svc, work))
    for r in revs:
        r.work = work
    return revs


def revision_choices(revs: list[Revision]) -> list[tuple[str, str]]:
    out = []
    for r in revs:
        status = STATUS.get(r.status, "")
        out.append((f"{r.label}" + (f"（{status}）" if status and r.status != "current" else ""), r.doc_id))
    return out


def _spans(spans: list[Span]) -> str:
    out = []
    for s in spans:
        text = html.escape(s.text).replace("\n", "<br>")
        out.append(f"<ins>{text}</ins>" if s.mark == "ins" else f"<del>{text}</del>" if s.mark == "del" else text)
    return "".join(out)


_LABEL = re.compile(r"^第[^　\s]{1,12}条(?:之[^　\s]{1,4})?　")


def _cell(spans: list[Span]) -> str:
    """A cell's HTML; the leading article label is bold."""
    if not spans:
        return ""
    first, rest = spans[0], spans[1:]
    m = _LABEL.match(first.text)
    if not m:
        return _spans(spans)
    label = f"<span class='pq-lab'>{html.escape(m.group(0))}</span>"
    tail = first.text[m.end():]
    if first.mark == "ins":
        head = f"<ins>{label}{html.escape(tail).replace(chr(10), '<br>')}</ins>"
    elif first.mark == "del":
        head = f"<del>{label}{html.escape(tail).replace(chr(10), '<br>')}</del>"
    else:
        head = label + _spans([Span(tail)])
    return head + _spans(rest)


def _tag(r: TableRow) -> str:
    p = r.pair
    if p is None:
        return ""
    cls = {"新增": "add", "删除": "del", "修改": "mod", "未修改": "num"}[p.kind]
    text = "序号变化" if p.kind == "未修改" and p.renumbered else p.kind
    return f"<span class='pq-tag pq-tag-{cls}'>{text}</span>"


def _row_html(r: TableRow) -> str:
    if r.kind == "chapter":
        return (f"<tr class='pq-cmp-ch'><td>{_spans(r.left)}</td><td>{_spans(r.right)}</td></tr>")
    note = f"<div class='pq-cmp-note'>{html.escape(r.note)}</div>" if r.note else ""
    kind = r.pair.kind if r.pair else ""
    return (f"<tr class='pq-cmp-row' data-kind='{kind}'><td>{_cell(r.left)}</td>"
            f"<td>{_tag(r)}{_cell(r.right)}{note}</td></tr>")


def _table(rows: list[str], head: bool = False) -> str:
    th = "<thead><tr><th>修订前</th><th>修订后</th></tr></thead>" if head else ""
    return f"<table class='pq-cmp'><colgroup><col><col></colgroup>{th}<tbody>{''.join(rows)}</tbody></table>"


def comparison_html(c: Comparison, include_unchanged: bool = False) -> str:
    """The 新旧对照表 as escaped HTML: tables of rows, each run of unchanged articles a <details> (opened: in full)."""
    parts = [_table([], head=True)]
    pending: list[str] = []
    for r in table_rows(c, include_unchanged):
        if r.kind != "fold":
            pending.append(_row_html(r))
            continue
        if pending:
            parts.append(_table(pending))
            pending = []
        inner = []
        for p in r.folded:
            left, right = pair_cells(p)
            inner.append(_row_html(TableRow("article", left, right, pair=p)))
        summary = f"{html.escape(r.left[0].text)} → {html.escape(r.right[0].text)}"
        parts.append(f"<details class='pq-cmp-fold'><summary>{summary}</summary>{_table(inner)}</details>")
    if pending:
        parts.append(_table(pending))
    return CSS + f"<div class='pq-cmp-wrap' id='pq-cmp-grid'>{''.join(parts)}</div>"


def summary_html(c: Comparison) -> str:
    # Each line without its trailing 〔《法》（版本）第X条〕: the version is named once, above.
    adds = [re.sub(r"\s*〔《[^〕]*〕\s*$", "", line) for line in changes_answer(c, "新增")[1:]]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in adds) if c.n_added else ""
    return (f"<div class='pq-cmp-sum' id='pq-cmp-summary-line'>{html.escape(c.summary())}</div>"
            f"<div class='pq-cmp-meta'>修订前：《{html.escape(c.old.title)}》（{html.escape(c.old.label)}）；"
            f"修订后：《{html.escape(c.new.title)}》（{html.escape(c.new.label)}）</div>"
            + (f"<div class='pq-cmp-meta'>新增条文：</div><ol class='pq-cmp-adds'>{items}</ol>" if items else "")
            + f"<div class='pq-cmp-legend'>{html.escape(LEGEND)}</div>")


def build_tab(svc: AppService) -> None:
    """The 新旧对照 tab (its work list refreshes whenever the tab is opened)."""
    with gr.Tab("新旧对照", id="compare") as tab:
        with gr.Row(equal_height=True):
            work = gr.Dropdown(work_choices(svc), value=None, label="法规（资料库中有两个以上版本的）", scale=3,
                               elem_id="pq-cmp-work")
            old = gr.Dropdown([], label="修订前版本", scale=2, elem_id="pq-cmp-from")
            new = gr.Dropdown([], label="修订后版本", scale=2, elem_id="pq-cmp-to")
            with gr.Column(scale=1, min_width=120):
                show_all = gr.Checkbox(False, label="展开未修改条文", elem_id="pq-cmp-all")
                go = gr.Button("对照", variant="primary", elem_id="pq-cmp-go")
        hint_line = gr.HTML("", elem_id="pq-cmp-hint")
        summary = gr.HTML("", elem_id="pq-cmp-summary")
        with gr.Row():
            dl_docx = gr.DownloadButton("下载新旧对照表（Word）", visible=False, elem_id="pq-cmp-docx")
            dl_md = gr.DownloadButton("下载新旧对照表（Markdown）", visible=False, elem_id="pq-cmp-md")
        table = gr.HTML(EMPTY, elem_id="pq-cmp-table")

        def refreshed(current: str | None):
            ch = work_choices(svc)
            keep = current if current in [w for _, w in ch] else None
            return gr.update(choices=ch, value=keep)

        def picked(work_: str | None):
            if not work_:
                return gr.update(choices=[], value=None), gr.update(choices=[], value=None)
            revs = _revisions(svc, work_)
            ch = revision_choices(revs)
            if len(ch) < 2:
                return gr.update(choices=ch, value=None), gr.update(choices=ch, value=None)
            return gr.update(choices=ch, value=ch[-2][1]), gr.update(choices=ch, value=ch[-1][1])

        def run(work_: str | None, old_id: str | None, new_id: str | None, all_: bool):
            # A choice that cannot be compared: one calm line under the choices; the choices and the last
            # table stay as they are.
            keep = gr.update()

            def hint(text: str):
                return render.notices_html([text]), keep, keep, keep, keep

            if not work_:
                return hint("请先选择一部法规（资料库中导入了两个以上版本的法规才会列出）。")
            if not old_id or not new_id:
                return hint("请选择修订前和修订后两个版本。")
            revs = {r.doc_id: r for r in _revisions(svc, work_)}
            if old_id not in revs or new_id not in revs:
                return hint("所选版本已不在资料库中，请重新选择法规和版本。")
            a, b = revs[old_id], revs[new_id]
            if a.doc_id == b.doc_id:
                return hint(f"修订前与修订后选的是同一个版本（{a.label}），请另选一个版本。")
            if (a.date, a.doc_id) > (b.date, b.doc_id):
                return hint(f"修订前版本（{a.label}）晚于修订后版本（{b.label}），请把两个版本对调。")
            try:
                c = compare_revisions(a, b)
            except CompareError as exc:
                return hint(str(exc))
            stamp = time.strftime("%Y%m%d-%H%M%S")
            docx = comparison_docx(c, export_path(f"{work_}新旧对照表", "docx", stamp), include_unchanged=all_)
            md = export_path(f"{work_}新旧对照表", "md", stamp)
            md.write_text(comparison_markdown(c, include_unchanged=all_), encoding="utf-8")
            return ("", summary_html(c), comparison_html(c, include_unchanged=all_),
                    gr.update(value=str(docx), visible=True), gr.update(value=str(md), visible=True))

        tab.select(refreshed, work, work, queue=False, api_visibility="private")
        work.change(picked, work, [old, new], api_visibility="private")
        go.click(run, [work, old, new, show_all], [hint_line, summary, table, dl_docx, dl_md], concurrency_limit=2,
                 concurrency_id="compare", api_visibility="private")
