"""知识测验 export: Markdown and Word (.docx via python-docx), with or without the answer key.

Sections follow the registered quiz types (paper order, each type's section name); each type says which
lines go under its stems (lettered options) and how its key is shown.
"""
from __future__ import annotations

from pathlib import Path

from policyqa.types import QuizItem, QuizSet

from ..docx_fonts import set_print_styles
from .base import QuizType
from .facts import int_to_cn
from .grading import answer_display
from .registry import quiz_types
from .stems import article_of

__all__ = ["quiz_docx", "quiz_markdown"]

def _sections(quiz: QuizSet) -> list[tuple[QuizType, list[tuple[int, QuizItem]]]]:
    """Items grouped by type in paper order, numbered continuously from 1."""
    order = [t for t in quiz_types() if any(it.qtype == t.name for it in quiz.items)]
    numbered = []
    n = 0
    for t in order:
        group = []
        for it in quiz.items:
            if it.qtype == t.name:
                n += 1
                group.append((n, it))
        numbered.append((t, group))
    return numbered


def _scope(quiz: QuizSet) -> str:
    parts = []
    if quiz.topic:
        parts.append(f"主题“{quiz.topic}”")
    if quiz.doc_ids:
        titles = list(dict.fromkeys(it.source.title for it in quiz.items))
        parts.append("文档：" + "、".join(f"《{t}》" for t in titles) if titles else "指定文档")
    return "；".join(parts) or "全部资料"


def _print_summary(quiz: QuizSet) -> str:
    """The line under the printed title: what the paper holds, not how it was made (model, seed stay in the app)."""
    counts = [f"{t.name} {len(group)}" for t, group in _sections(quiz)]
    return f"共 {len(quiz.items)} 题（{'、'.join(counts)}）；出题范围：{_scope(quiz)}。"


def _summary(quiz: QuizSet) -> str:
    counts = [f"{t.name} {len(group)}" for t, group in _sections(quiz)]
    how = "规则生成" if quiz.backend == "none" else \
        f"模型（{quiz.model or quiz.backend}）改写 {quiz.llm_accepted} 题并经出处核验，其余按规则生成"
    return f"共 {len(quiz.items)} 题（{'、'.join(counts)}）；出题范围：{_scope(quiz)}；{how}；随机种子 {quiz.seed}。"


def _source_line(item: QuizItem) -> str:
    """《title》 › heading path › article (第十三条, the article a stem never starts with)（date）."""
    s = item.source
    heads = [h for h in s.heading_path[1:] if h]
    article = article_of(s.text, s.sentence)
    if article and article not in heads:
        heads.append(article)
    path = " › ".join(heads)
    where = f"《{s.title}》" + (f" › {path}" if path else "")
    return where + (f"（{s.date}）" if s.date else "")


def _md_escape(text: str) -> str:
    return text.replace("*", r"\*").replace("_", r"\_")


def quiz_markdown(quiz: QuizSet, with_key: bool = True) -> str:
    """The quiz as a Markdown paper; ``with_key`` appends the answers, explanations and sources."""
    out = [f"# {quiz.title}", "", f"> {_summary(quiz)}", ""]
    if not quiz.items:
        out.append("（没有生成题目。）")
    for k, (t, group) in enumerate(_sections(quiz)):
        out += [f"## {int_to_cn(k + 1, liang=False)}、{t.section}（共 {len(group)} 题）", ""]
        for n, it in group:
            out.append(f"**{n}.** {_md_escape(it.stem)}")
            out.append("")
            lines = t.paper_options(it)
            if lines:
                out += [f"{_md_escape(line)}  " for line in lines]
                out.append("")
    if with_key and quiz.items:
        out += ["---", "", "## 参考答案与解析", ""]
        for _, group in _sections(quiz):
            for n, it in group:
                out.append(f"**{n}. {_md_escape(answer_display(it))}**  ")
                out.append(f"解析：{_md_escape(it.explanation)}  ")
                out.append(f"出处：{_md_escape(_source_line(it))}")
                out.append("")
    for note in quiz.notices:
        out.append(f"> 提示：{note}")
    return "\n".join(out).rstrip() + "\n"


def quiz_docx(quiz: QuizSet, path: str | Path, with_key: bool = True) -> Path:
    """Write the quiz as a Word document to ``path`` for print (A4, 公文 margins and fonts; answers on a new
    page when ``with_key``). The model's name, the seed and the generator's notices stay in the app."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm

    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ValueError(f"导出 Word 文件需要 .docx 扩展名：{path}")
    doc = Document()
    set_print_styles(doc, body_pt=14, heading_pt=16)
    doc.core_properties.title = quiz.title
    doc.core_properties.author = "政策研学助手"
    doc.add_heading(quiz.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_print_summary(quiz))
    if not quiz.items:
        doc.add_paragraph("（没有生成题目。）")
    for k, (t, group) in enumerate(_sections(quiz)):
        doc.add_heading(f"{int_to_cn(k + 1, liang=False)}、{t.section}（共 {len(group)} 题）", level=1)
        for n, it in group:
            p = doc.add_paragraph()
            p.add_run(f"{n}. ").bold = True
            p.add_run(it.stem)
            for line in t.paper_options(it):
                op = doc.add_paragraph(line)
                op.paragraph_format.left_indent = Cm(0.8)
                op.paragraph_format.space_after = Cm(0)
    if with_key and quiz.items:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading("参考答案与解析", level=1)
        for _, group in _sections(quiz):
            for n, it in group:
                p = doc.add_paragraph()
                p.add_run(f"{n}. {answer_display(it)}").bold = True
                doc.add_paragraph(f"解析：{it.explanation}")
                doc.add_paragraph(f"出处：{_source_line(it)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
