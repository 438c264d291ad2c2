"""Render a :class:`~policyqa.types.Outline` as Markdown or as a Word document (.docx, python-docx)."""
from __future__ import annotations

from pathlib import Path

from policyqa.types import OUTLINE_LENGTHS, Citation, Outline

from .docx_fonts import set_print_styles

_DIGITS = "零一二三四五六七八九"
TALK_INTRO = {
    "支部学习": "发言可结合本职岗位，围绕以下原文要点谈认识、找差距、提措施：",
    "中心组学习": "发言可结合分管领域工作，围绕以下原文要点谈认识、谈思路、谈举措：",
}


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1–99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _source_line(source: str, date: str) -> str:
    parts = [x for x in (source, date) if x]
    return f"（{'，'.join(parts)}）" if parts else ""


def reference_line(c: Citation) -> str:
    """``[n] 《标题》，标题路径，日期`` for the 参考资料 list."""
    path = c.heading.split(" › ")[1:] if c.heading else []
    where = " › ".join(path) if path else "开篇部分"
    date = f"，{c.date}" if c.date else ""
    return f"[{c.n}] 《{c.title}》，{where}{date}"


def _mode_line(o: Outline) -> str:
    how = "依据资料原文摘录" if o.backend == "none" else f"模型撰写并经出处核验（{o.backend}/{o.model}）"
    return f"学习形式：{o.audience}　篇幅：{OUTLINE_LENGTHS.get(o.length, o.length)}　生成方式：{how}"


def _print_line(o: Outline) -> str:
    """The line under the printed title: for the reader, without how it was made (that stays in the app)."""
    return f"学习形式：{o.audience}　篇幅：{OUTLINE_LENGTHS.get(o.length, o.length)}"


def _body(o: Outline) -> list[tuple[int, str, list[str]]]:
    """(heading level 1–2, heading, point texts) in reading order."""
    out: list[tuple[int, str, list[str]]] = []
    for i, s in enumerate(o.sections, 1):
        out.append((1, f"{cn_number(i)}、{s.heading}", [p.text for p in s.points]))
        for j, sub in enumerate(s.subsections, 1):
            out.append((2, f"（{cn_number(j)}）{sub.heading}", [p.text for p in sub.points]))
    return out


def outline_markdown(outline: Outline) -> str:
    o = outline
    lines = [f"# 学习研讨提纲：{o.topic}", "", f"> {_mode_line(o)}"]
    for n in o.notices:
        lines.append(f">\n> 提示：{n}")
    lines.append("")
    if not o.enough_material:
        if o.nearest:
            lines += ["## 最接近的段落（供参考）", ""]
            for c in o.nearest:
                text = c.text if len(c.text) <= 120 else c.text[:120] + "……"
                lines += [reference_line(c), "", f"> {text}", ""]
        return "\n".join(lines).rstrip() + "\n"
    lines += ["## 学习主题", "", o.topic, "", "## 学习目的", ""]
    lines += [p.text for p in o.purpose] + [""]
    lines += ["## 重点学习篇目", ""]
    lines += [f"{i}. 《{d.title}》{_source_line(d.source, d.date)}" for i, d in enumerate(o.documents, 1)] + [""]
    lines += ["## 学习要点", ""]
    for level, head, points in _body(o):
        lines += [f"{'###' if level == 1 else '####'} {head}", ""]
        lines += [f"{k}. {t}" for k, t in enumerate(points, 1)]
        if points:
            lines.append("")
    lines += ["## 研讨题目", ""]
    lines += [f"{k}. {q.text}" for k, q in enumerate(o.questions, 1)] + [""]
    if o.talking_points:
        lines += ["## 发言参考要点", "", TALK_INTRO.get(o.audience, ""), ""]
        lines += [f"{k}. {t.text}" for k, t in enumerate(o.talking_points, 1)] + [""]
    lines += ["## 参考资料", ""]
    lines += [reference_line(c) for c in o.citations]
    return "\n".join(lines).rstrip() + "\n"


def outline_docx(outline: Outline, path: str | Path) -> Path:
    """Write the outline as a Word document for print (A4, 公文 margins and fonts, see
    :func:`assistant.docx_fonts.set_print_styles`); returns the path written (suffix .docx). The model's name
    and the checking notices stay in the app: the printed outline is the outline."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    o = outline
    path = Path(path)
    if path.suffix.lower() != ".docx":
        path = path.with_suffix(".docx")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    set_print_styles(doc)
    doc.core_properties.title = f"学习研讨提纲：{o.topic}"
    doc.core_properties.author = "政策研学助手"
    doc.add_heading(f"学习研讨提纲：{o.topic}", level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_print_line(o)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not o.enough_material:
        doc.add_paragraph(f"资料库中关于“{o.topic}”的资料太少，未能起草提纲。")
        if o.nearest:
            doc.add_heading("最接近的段落（供参考）", level=1)
            for c in o.nearest:
                doc.add_paragraph(reference_line(c))
                doc.add_paragraph(c.text if len(c.text) <= 200 else c.text[:200] + "……")
        doc.save(str(path))
        return path
    doc.add_heading("学习主题", level=1)
    doc.add_paragraph(o.topic)
    doc.add_heading("学习目的", level=1)
    for p in o.purpose:
        doc.add_paragraph(p.text)
    doc.add_heading("重点学习篇目", level=1)
    for i, d in enumerate(o.documents, 1):
        doc.add_paragraph(f"{i}. 《{d.title}》{_source_line(d.source, d.date)}")
    doc.add_heading("学习要点", level=1)
    for level, head, points in _body(o):
        doc.add_heading(head, level=level + 1)
        for k, t in enumerate(points, 1):
            doc.add_paragraph(f"{k}. {t}")
    doc.add_heading("研讨题目", level=1)
    for k, q in enumerate(o.questions, 1):
        doc.add_paragraph(f"{k}. {q.text}")
    if o.talking_points:
        doc.add_heading("发言参考要点", level=1)
        doc.add_paragraph(TALK_INTRO.get(o.audience, ""))
        for k, tp in enumerate(o.talking_points, 1):
            doc.add_paragraph(f"{k}. {tp.text}")
    doc.add_heading("参考资料", level=1)
    for c in o.citations:
        doc.add_paragraph(reference_line(c))
    doc.save(str(path))
    return path


__all__ = ["cn_number", "outline_docx", "outline_markdown", "reference_line"]
