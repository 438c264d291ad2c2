"""The 新旧对照表 of a :class:`~assistant.compare.Comparison` as Markdown, Word (.docx) and terminal text.

Layout cadres study from: two columns, 修订前 on the left, 修订后 on the right, one row per article
(or per split / merged group), chapter headings as their own rows, unchanged articles folded into one
row per run. Inserted text is marked on the right (Markdown ``**加粗**``; Word bold + underline),
deleted text on the left (Markdown ``~~删除线~~``; Word strikethrough).

:func:`table_rows` is the one layout all renderings share (the app's HTML view included).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .compare import ArticlePair, Comparison, DiffSegment
from .docx_fonts import A4_MM, MARGINS_MM, set_element_font, set_print_styles

__all__ = ["LEGEND", "Span", "TableRow", "comparison_docx", "comparison_markdown", "comparison_text", "fold_text",
           "pair_cells", "table_rows"]

Mark = Literal["", "ins", "del"]
LEGEND = "说明：左栏为修订前条文，右栏为修订后条文；加粗（Word 中加粗并加下划线）为新增的内容，删除线为删去的内容；未修改的条文折叠为一行。"
_ZWSP = "\u200b"


@dataclass(frozen=True)
class Span:
    """A run of cell text: plain, inserted (``ins``) or deleted (``del``)."""

    text: str
    mark: Mark = ""


@dataclass
class TableRow:
    """One row of the 新旧对照表."""

    kind: Literal["chapter", "article", "fold"]
    left: list[Span] = field(default_factory=list)
    right: list[Span] = field(default_factory=list)
    pair: ArticlePair | None = None
    """The article row's pair."""
    folded: list[ArticlePair] = field(default_factory=list)
    """A fold row's unchanged pairs (shown in full by the app when opened)."""
    note: str = ""
    """拆分 / 合并 / 位置调整, shown under the row."""


def _range(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]}至{labels[-1]}"


def fold_text(pairs: list[ArticlePair]) -> tuple[str, str]:
    """The two cells of a folded run of unchanged articles."""
    old = [a.label for p in pairs for a in p.old]
    new = [a.label for p in pairs for a in p.new]
    moved = sum(1 for p in pairs if p.renumbered)
    count = f"，共 {len(pairs)} 条" if len(pairs) > 1 else ""
    left = f"（{_range(old)}{count}，内容未修改）"
    right = f"（{_range(new)}" + ("，条文序号调整）" if moved else "，内容未修改）")
    return left, right


def _coalesce(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for sp in spans:
        if not sp.text:
            continue
        if out and out[-1].mark == sp.mark:
            out[-1] = Span(out[-1].text + sp.text, sp.mark)
        else:
            out.append(sp)
    return out


def pair_cells(p: ArticlePair) -> tuple[list[Span], list[Span]]:
    """The two cells of an article row: the first article's label, then its marked text."""
    left: list[Span] = []
    right: list[Span] = []
    if p.old:
        left.append(Span(p.old[0].label + "　", "del" if p.kind == "删除" else ""))
        left += [Span(s.text, "del" if s.op == "delete" else "") for s in p.old_side()]
    if p.new:
        right.append(Span(p.new[0].label + "　", "ins" if p.kind == "新增" else ""))
        right += [Span(s.text, "ins" if s.op == "insert" else "") for s in p.new_side()]
    return _coalesce(left), _coalesce(right)


def _chapter(p: ArticlePair, side: str) -> list[str]:
    arts = p.old if side == "old" else p.new
    return arts[0].chapter.split(" › ") if arts and arts[0].chapter else []


def _changed(path: list[str], last: list[str]) -> list[str]:
    """The headings of ``path`` from the first level that differs from ``last`` (章 and 节 both when the 章 changes)."""
    k = 0
    while k < min(len(path), len(last)) and path[k] == last[k]:
        k += 1
    return path[k:]


def table_rows(comparison: Comparison, include_unchanged: bool = False) -> list[TableRow]:
    """The rows of the 新旧对照表 in the new text's order.

    A chapter row appears where the chapter (or section) of either side changes. Unless
    ``include_unchanged``, each run of consecutive unchanged articles within one chapter becomes a single
    fold row; an unchanged article that moved is shown in full.
    """
    rows: list[TableRow] = []
    last_old: list[str] = []
    last_new: list[str] = []
    run: list[ArticlePair] = []

    def flush() -> None:
        if run:
            left, right = fold_text(run)
            rows.append(TableRow("fold", [Span(left)], [Span(right)], folded=list(run)))
            run.clear()

    for p in comparison.pairs:
        co, cn = _chapter(p, "old"), _chapter(p, "new")
        ch_o = _changed(co, last_old) if p.old and co != last_old else []
        ch_n = _changed(cn, last_new) if p.new and cn != last_new else []
        if ch_o or ch_n:
            flush()
            rows.append(TableRow("chapter", [Span("\n".join(ch_o))] if ch_o else [],
                                 [Span("\n".join(ch_n))] if ch_n else []))
        if p.old:
            last_old = co
        if p.new:
            last_new = cn
        if p.kind == "未修改" and not include_unchanged and not p.moved:
            run.append(p)
            continue
        flush()
        left, right = pair_cells(p)
        keep = [n for n in p.note.split("；") if n and not n.startswith("条文序号变化")]
        rows.append(TableRow("article", left, right, pair=p, note="；".join(keep)))
    flush()
    return rows


def _header_lines(c: Comparison) -> list[str]:
    return [f"修订前：《{c.old.title}》（{c.old.label}）", f"修订后：《{c.new.title}》（{c.new.label}）", c.summary()]


# -- Markdown ------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_~[]<>|#"})
def _flanks(ch: str) -> bool:
    """Whether CommonMark counts ``ch`` as whitespace or punctuation next to a ``**``/``~~`` delimiter."""
    return not ch or ch.isspace() or unicodedata.category(ch)[0] in "PSZ"


def _md_cell(spans: list[Span]) -> str:
    """One table cell: marked runs as ``**…**`` / ``~~…~~``, paragraphs joined by ``<br>``.

    A delimiter next to CJK punctuation inside a sentence (``国家机关**、中国…**``) would not open or close
    emphasis, so a zero-width space goes between them there (and only there).
    """
    lines: list[list[Span]] = [[]]
    for s in spans:
        for k, piece in enumerate(s.text.split("\n")):
            if k:
                lines.append([])
            if piece:
                lines[-1].append(Span(piece, s.mark))
    out: list[str] = []
    for line in lines:
        parts = []
        for i, sp in enumerate(line):
            text = sp.text.translate(_MD_SPECIAL)
            if sp.mark:
                before = line[i - 1].text[-1] if i > 0 else ""
                after = line[i + 1].text[0] if i + 1 < len(line) else ""
                if _flanks(sp.text[0]) and not _flanks(before):
                    text = _ZWSP + text
                if _flanks(sp.text[-1]) and not _flanks(after):
                    text += _ZWSP
                delim = "**" if sp.mark == "ins" else "~~"
                text = f"{delim}{text}{delim}"
            parts.append(text)
        out.append("".join(parts))
    return "<br>".join(out).strip() or " "


def comparison_markdown(comparison: Comparison, include_unchanged: bool = False) -> str:
    """The 新旧对照表 as a Markdown document (a two-column table 修订前 | 修订后)."""
    c = comparison
    lines = [f"# 《{c.new.title}》新旧对照表", ""]
    lines += [f"> {h}  " for h in _header_lines(c)]
    lines += [">", f"> {LEGEND}", "", "| 修订前 | 修订后 |", "| --- | --- |"]
    for r in table_rows(c, include_unchanged):
        if r.kind == "chapter":
            left, right = ("<br>".join(f"**{h.translate(_MD_SPECIAL)}**" for h in "".join(x.text for x in side).split("\n")
                                       if h) or " " for side in (r.left, r.right))
            lines.append(f"| {left} | {right} |")
        elif r.kind == "fold":
            lines.append(f"| *{_md_cell(r.left)}* | *{_md_cell(r.right)}* |")
        else:
            right = _md_cell(r.right)
            if r.note:
                right += f"<br>*（{r.note.translate(_MD_SPECIAL)}）*"
            lines.append(f"| {_md_cell(r.left)} | {right} |")
    return "\n".join(lines) + "\n"


# -- terminal text --------------------------------------------------------------------------------

def _marked_text(segments: list[DiffSegment]) -> str:
    out = []
    for s in segments:
        if s.op == "insert":
            out.append(f"[+{s.text}+]")
        elif s.op == "delete":
            out.append(f"[-{s.text}-]")
        else:
            out.append(s.text)
    return "".join(out)


def comparison_text(comparison: Comparison, include_unchanged: bool = False) -> str:
    """Plain text for a terminal: one block per changed article, ``[+新增+]`` and ``[-删去-]`` inline."""
    c = comparison
    out = [c.summary(), f"（修订前：{c.old.doc_id}；修订后：{c.new.doc_id}；插入记为 [+…+]，删去记为 [-…-]）", ""]
    for r in table_rows(c, include_unchanged):
        if r.kind == "chapter":
            names = [x.replace("\n", " ") for x in ("".join(s.text for s in r.left), "".join(s.text for s in r.right))
                     if x]
            out.append("== " + (" / ".join(dict.fromkeys(names))) + " ==")
            continue
        if r.kind == "fold":
            out.append(f"  {r.left[0].text} → {r.right[0].text}")
            continue
        p = r.pair
        assert p is not None
        if p.kind == "新增":
            head = f"【新增】{p.new_label}"
        elif p.kind == "删除":
            head = f"【删除】原{p.old_label}"
        elif p.renumbered:
            head = f"【{p.kind}】{p.new_label}（原{p.old_label}）"
        else:
            head = f"【{p.kind}】{p.new_label}"
        if r.note:
            head += f"　{r.note}"
        out.append(head)
        body = _marked_text(list(p.segments)) if p.kind == "修改" else (
            p.segments[0].text if p.segments else "")
        out += ["    " + ln for ln in body.split("\n")]
    return "\n".join(out).rstrip() + "\n"


# -- Word ----------------------------------------------------------------------------------------

def _fill_cell(cell, spans: list[Span], italic: bool = False, bold: bool = False, center: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    para = cell.paragraphs[0]
    for s in spans:
        for k, piece in enumerate(s.text.split("\n")):
            if k:
                para = cell.add_paragraph()
            if not piece:
                continue
            run = para.add_run(piece)
            run.italic = italic or None
            if bold:
                run.bold = True
                set_element_font(run._element, "黑体")
            if s.mark == "ins":
                run.bold = True
                run.underline = True
            elif s.mark == "del":
                run.font.strike = True
    if center:
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _repeat_header(row) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    trpr.append(el)


def comparison_docx(comparison: Comparison, path: str | Path, include_unchanged: bool = False) -> Path:
    """Write the 新旧对照表 as a Word document (A4 with 公文 margins and fonts, a real two-column table; the header
    row repeats on each page)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    c = comparison
    path = Path(path)
    if path.suffix.lower() != ".docx":
        path = path.with_suffix(".docx")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    # A4 with the 公文 margins; a two-column table reads best in 仿宋 小四 (12 pt).
    set_print_styles(doc, body_pt=12, heading_pt=16, title_pt=22)
    doc.core_properties.title = f"《{c.new.title}》新旧对照表"
    doc.core_properties.author = "政策研学助手"
    title = doc.add_paragraph(f"《{c.new.title}》新旧对照表", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in _header_lines(c):
        doc.add_paragraph(line)
    legend = doc.add_paragraph()
    legend.add_run(LEGEND).font.size = Pt(9)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    width = Mm((A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 2)
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, ("修订前", "修订后")):
        _fill_cell(cell, [Span(text)], bold=True, center=True)
    for r in table_rows(c, include_unchanged):
        cells = table.add_row().cells
        if r.kind == "chapter":
            _fill_cell(cells[0], r.left, bold=True, center=True)
            _fill_cell(cells[1], r.right, bold=True, center=True)
        elif r.kind == "fold":
            _fill_cell(cells[0], r.left, italic=True)
            _fill_cell(cells[1], r.right, italic=True)
        else:
            _fill_cell(cells[0], r.left)
            _fill_cell(cells[1], r.right)
            if r.note:
                note = cells[1].add_paragraph().add_run(f"（{r.note}）")
                note.italic = True
                note.font.size = Pt(9)
    for row in table.rows:
        for cell in row.cells:
            cell.width = width
    doc.save(str(path))
    return path
