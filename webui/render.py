"""HTML and Markdown rendering for the app. Document text is data: everything is escaped here.

Gradio's Markdown renderer would turn ``[x](javascript:…)``, ``<img onerror>`` or
``**…**`` inside a passage into live markup, so every string that comes from a
document or a model goes through :func:`md_escape` (Markdown surfaces) or
:func:`html.escape` (our own HTML cards) before it reaches the page.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from policyqa.types import DOC_TYPES, Answer, Citation, DocumentMeta
from policyqa.versions import version_status

# Everything Markdown (CommonMark + GFM) treats as syntax; a backslash makes it literal.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>=\"'])")
_MARKER = re.compile(r"\\\[(\d{1,2})\\\]")
# Bare URLs would be auto-linked by GFM; a zero-width space after the scheme keeps them text.
_SCHEME = re.compile(r"(?i)\b(https?|ftp|javascript|data|vbscript|file)(\\:)")


def md_escape(text: str) -> str:
    """``text`` rendered literally by a Markdown renderer (no links, no HTML, no emphasis)."""
    out = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    out = _SCHEME.sub("\\1\u200b\\2", out)
    return out.replace("www\\.", "www\u200b\\.")


def turn_prefix(turn: int) -> str:
    """The card-id prefix of the ``turn``-th answer of a conversation: its [n] open its own cards."""
    return f"t{turn}-"


def answer_markdown(text: str, valid: Iterable[int] = (), prefix: str = "") -> str:
    """The answer as Markdown: literal text, ``[n]`` markers as links to their source cards ``{prefix}cite-n``."""
    ok = set(valid)

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if ok and n not in ok:
            return m.group(0)
        return f"[\\[{n}\\]](#{prefix}cite-{n})"

    return _MARKER.sub(link, md_escape(text)).replace("\n", "  \n")


def _highlight(text: str, support: Sequence[str]) -> str:
    """Escaped passage text with the supporting sentences wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for s in support:
        s = s.strip()
        if len(s) < 4:
            continue
        i = text.find(s)
        if i >= 0:
            spans.append((i, i + len(s)))
    spans.sort()
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _meta_line(c: Citation, status: str = "") -> str:
    bits = []
    if c.passage.version:  # a regulation: the version a reader must quote, not just a year
        bits.append(html.escape(f"版本：{c.passage.version}"))
    elif c.date:
        bits.append(html.escape(c.date))
    if status:
        kind = "current" if status == "现行" else "old"
        bits.append(f"<span class='pq-status pq-status-{kind}'>{html.escape(status)}</span>")
    if c.doc_type:
        bits.append(html.escape(DOC_TYPES.get(c.doc_type, c.doc_type)))
    if c.source:
        bits.append(html.escape(c.source))
    return " · ".join(bits)


def citation_card(c: Citation, context: tuple[str, str] | None = None, open_: bool = True, prefix: str = "",
                  status: str = "") -> str:
    """One source card: [n], title, heading path, date, the verbatim passage, its surrounding text."""
    ctx = ""
    if context is not None and (context[0] or context[1]):
        before, after = (html.escape(x).replace("\n", "<br>") for x in context)
        ctx = ("<details class='pq-context'><summary>查看上下文</summary>"
               f"<div class='pq-ctx-text'>{before}<div class='pq-ctx-focus'>{html.escape(c.text).replace(chr(10), '<br>')}"
               f"</div>{after}</div></details>")
    return (
        f"<details class='pq-card' id='{prefix}cite-{c.n}' data-n='{c.n}'{' open' if open_ else ''}>"
        f"<summary><span class='pq-n'>[{c.n}]</span> <span class='pq-title'>《{html.escape(c.title)}》</span>"
        f"<span class='pq-meta'>{_meta_line(c, status)}</span>"
        f"<div class='pq-heading'>{html.escape(c.heading)}</div></summary>"
        f"<div class='pq-text'>{_highlight(c.text, c.support)}</div>{ctx}</details>"
    )


def cards_html(citations: Sequence[Citation], title: str = "", contexts: dict[str, tuple[str, str]] | None = None,
               note: str = "", prefix: str = "", open_: bool = True, statuses: dict[str, str] | None = None) -> str:
    if not citations:
        body = f"<div class='pq-empty'>{html.escape(note or '提问后，回答所依据的原文段落会显示在这里。')}</div>"
        return f"<div class='pq-cards'>{body}</div>"
    contexts = contexts or {}
    head = f"<div class='pq-cards-title'>{html.escape(title)}</div>" if title else ""
    extra = f"<div class='pq-note'>{html.escape(note)}</div>" if note else ""
    statuses = statuses or {}
    cards = "".join(citation_card(c, contexts.get(c.passage_id), open_=open_, prefix=prefix,
                                  status=statuses.get(c.doc_id, "")) for c in citations)
    return f"<div class='pq-cards'>{head}{extra}{cards}</div>"


def sources_panel(turns: Sequence[tuple[int, str, str]]) -> str:
    """The source panel of a conversation: the latest answer's cards, then each earlier answer's cards folded
    under "第k问的出处" (``turns``: (turn number, question, that turn's cards HTML), oldest first), so that an
    earlier answer's [n] still opens that answer's own card."""
    if not turns:
        return cards_html([])
    *earlier, (_, _, latest) = turns
    folded = "".join(
        f"<details class='pq-past' data-turn='{k}'><summary>第{k}问的出处：{html.escape(_clip(q, 24))}</summary>"
        f"{body}</details>" for k, q, body in reversed(earlier))
    return latest + (f"<div class='pq-past-list'>{folded}</div>" if folded else "")


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def backend_label_plain(name: str) -> str:
    """How an answer was made, as a reader says it: the registry's Chinese label, never a model file name."""
    from assistant.llm import backend_label

    return "原文摘录" if name == "none" else backend_label(name)


def answer_export_markdown(ans: Answer) -> str:
    """An answer with its sources as a Markdown file (plain text: a file, not a page)."""
    lines = [f"# 问：{ans.question}", "", ans.answer, ""]
    for n in ans.notices:
        lines.append(f"> 提示：{n}")
    cites = ans.citations if ans.answerable else ans.nearest
    if cites:
        lines += ["", "## 出处" if ans.answerable else "## 最接近的段落（供参考）", ""]
        for c in cites:
            date = f"，{c.passage.version}" if c.passage.version else f"，{c.date}" if c.date else ""
            lines.append(f"[{c.n}] 《{c.title}》{date} — {c.heading}")
            lines.append("")
            lines += ["> " + ln for ln in c.text.splitlines() if ln.strip()]
            lines.append("")
    lines.append(f"（回答方式：{backend_label_plain(ans.backend)}）")
    return "\n".join(lines) + "\n"


def docs_rows(docs: Sequence[DocumentMeta]) -> list[list]:
    """Rows for the library table (title, type, date, version and status, passages, ingested at), newest first.

    The document id is not a column: a reader needs it only for the command line (see :func:`doc_details`)."""
    rows = []
    for d in sorted_docs(docs):
        version = "，".join(x for x in (d.version, version_status(d) if d.work else "") if x)
        rows.append([d.title, DOC_TYPES.get(d.doc_type, d.doc_type), d.date or "", version, d.n_passages,
                     (d.ingested_at or "")[:19].replace("T", " ")])
    return rows


def sorted_docs(docs: Sequence[DocumentMeta]) -> list[DocumentMeta]:
    """The documents in the library table's row order."""
    return sorted(docs, key=lambda d: (d.date or "", d.title), reverse=True)


def doc_details(d: DocumentMeta) -> str:
    """One document's details as escaped Markdown (the library's "文档详情" view)."""
    from pathlib import PurePath

    items = [("标题", d.title), ("类型", DOC_TYPES.get(d.doc_type, d.doc_type)), ("日期", d.date),
             ("版本", d.version), ("效力", version_status(d) if d.work else ""), ("来源", d.source),
             ("段落数", str(d.n_passages)), ("源文件", PurePath(d.path).name if d.path else ""),
             ("导入时间", (d.ingested_at or "")[:19].replace("T", " ")),
             ("文档编号（命令行删除时使用）", d.doc_id)]
    return "  \n".join(f"**{k}**：{md_escape(v)}" for k, v in items if v)


def notices_html(notices: Sequence[str]) -> str:
    return "".join(f"<div class='pq-notice'>{html.escape(n)}</div>" for n in notices)


def hint_html(text: str) -> str:
    """One calm line for an empty or invalid action (never an error badge or toast)."""
    return f"<div class='pq-hint' role='status'>{html.escape(text)}</div>"


CSS = """
.pq-cards { display: flex; flex-direction: column; gap: 8px; }
.pq-cards-title { font-weight: 600; margin: 2px 0 4px; }
.pq-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
           background: var(--block-background-fill); }
.pq-card[open] > summary { margin-bottom: 6px; }
.pq-card.pq-flash { outline: 3px solid #d97706; }
.pq-card summary { cursor: pointer; }
.pq-n { font-weight: 700; color: #b91c1c; }
.pq-title { font-weight: 600; }
.pq-meta { color: var(--body-text-color-subdued); font-size: 0.85em; margin-left: 6px; }
.pq-status { border-radius: 3px; padding: 0 4px; font-size: 0.9em; }
.pq-status-current { background: #e6f4ea; color: #1e6b34; }
.pq-status-old { background: #fdecea; color: #a3261b; }
.pq-heading { color: var(--body-text-color-subdued); font-size: 0.85em; margin-top: 2px; }
.pq-text { line-height: 1.7; white-space: normal; }
.pq-text mark { background: #fde68a; color: inherit; padding: 0 1px; }
.pq-context summary { color: #1d4ed8; font-size: 0.9em; margin-top: 6px; }
.pq-ctx-text { color: var(--body-text-color-subdued); font-size: 0.92em; line-height: 1.7; }
.pq-ctx-focus { color: var(--body-text-color); background: #f1f5f9; border-left: 3px solid #d97706;
                padding: 4px 8px; margin: 6px 0; }
.pq-empty, .pq-note { color: var(--body-text-color-subdued); }
.pq-outline { line-height: 1.8; }
.pq-o-h { font-weight: 600; margin-top: 6px; }
.pq-o-l1 { margin-left: 1.2em; }
.pq-o-p { margin-left: 1.2em; }
.pq-cite { color: #b91c1c; text-decoration: none; }
.pq-q-stem { padding: 8px 10px 2px; line-height: 1.7; }
.pq-q-no { font-weight: 700; }
.pq-q-type { color: #1d4ed8; }
.pq-score { font-size: 1.25em; font-weight: 700; margin: 8px 0; }
.pq-miss { border-top: 1px dashed var(--border-color-primary); padding: 8px 0; }
.pq-wrong { color: #b91c1c; }
.pq-right { color: #15803d; font-weight: 600; }
.pq-expl { color: var(--body-text-color-subdued); margin: 4px 0; }
.pq-notice { background: #fff7ed; border-left: 3px solid #f59e0b; padding: 4px 8px; margin: 4px 0; }
.pq-hint { color: var(--body-text-color-subdued); background: #f1f5f9; border-left: 3px solid #94a3b8;
           padding: 4px 8px; margin: 4px 0; }
.pq-past-list { margin-top: 10px; display: flex; flex-direction: column; gap: 6px; }
.pq-past > summary { cursor: pointer; color: var(--body-text-color-subdued); padding: 4px 0; }
.pq-past[open] > summary { margin-bottom: 6px; }
#pq-confirm { border: 1px solid #f59e0b; background: #fffbeb; border-radius: 8px; padding: 8px 10px; }
"""

# Clicking [n] in an answer opens and highlights that answer's source card n (ids ``t2-cite-3``, ``ocite-1``)
# instead of navigating; an earlier answer's card is unfolded from under "第k问的出处" first.
# Gradio's own texts (upload area, progress, buttons) follow the browser's language; this app is Chinese only,
# so the page switches Gradio's locale to zh-CN through its exported changeLocale (no-op if it is not there).
HEAD_JS = """
<script>
(function () {
  const core = performance.getEntriesByType('resource').map(function (e) { return e.name; })
    .find(function (n) { return /\\/assets\\/core-[\\w-]+\\.js$/.test(n); });
  if (core) import(core).then(function (m) { if (m.changeLocale) m.changeLocale('zh-CN'); })
    .catch(function () {});
})();
document.addEventListener('click', function (ev) {
  const a = ev.target.closest ? ev.target.closest('a[href*="cite-"]') : null;
  if (!a) return;
  const m = (a.getAttribute('href') || '').match(/#([a-z0-9-]*cite-\\d+)$/);
  if (!m) return;
  ev.preventDefault(); ev.stopPropagation();
  const card = document.getElementById(m[1]);
  if (!card) return;
  for (let p = card.parentElement; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
  card.open = true;
  card.scrollIntoView({behavior: 'smooth', block: 'center'});
  card.classList.add('pq-flash');
  setTimeout(function () { card.classList.remove('pq-flash'); }, 1600);
}, true);
</script>
"""


_HTML_MARKER = re.compile(r"\[(\d{1,3})\]")


def cited_html(text: str, prefix: str, valid: Iterable[int] = ()) -> str:
    """Escaped text whose [n] markers link to the cards ``{prefix}cite-n``."""
    ok = set(valid)

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if ok and n not in ok:
            return m.group(0)
        return f"<a class='pq-cite' href='#{prefix}cite-{n}'>[{n}]</a>"

    return _HTML_MARKER.sub(link, html.escape(text))


_CN_NUM = "一二三四五六七八九十"


def cn_number(i: int) -> str:
    """1 → 一, 12 → 十二 (outline levels)."""
    if i <= 10:
        return _CN_NUM[i - 1]
    if i < 20:
        return "十" + _CN_NUM[i - 11]
    return _CN_NUM[i // 10 - 1] + "十" + (_CN_NUM[i % 10 - 1] if i % 10 else "")


def outline_html(o) -> str:
    """A study outline (policyqa.types.Outline) as escaped HTML; [n] link to the cards ``ocite-n``."""
    from policyqa.types import OUTLINE_LENGTHS

    valid = [c.n for c in o.citations]
    cite = lambda t: cited_html(t, "o", valid)  # noqa: E731
    out = [f"<div class='pq-outline'><h3>学习研讨提纲：{html.escape(o.topic)}</h3>",
           f"<div class='pq-meta'>{html.escape(o.audience)} · {html.escape(OUTLINE_LENGTHS.get(o.length, o.length))}</div>"]
    if not o.enough_material:
        out.append("<p class='pq-empty'>资料库中与这个主题相关的内容太少，无法据实起草提纲。可以换一个主题，或先在“资料库”页导入相关文件。</p>")
        return "".join(out) + "</div>"
    out.append(f"<p><b>学习主题：</b>　{html.escape(o.topic)}</p>")
    if o.purpose:
        out.append("<p><b>学习目的：</b>　" + "".join(cite(p.text) for p in o.purpose) + "</p>")
    if o.documents:
        items = "".join(f"<li>《{html.escape(d.title)}》" + (f"（{html.escape(d.date)}）" if d.date else "") + "</li>"
                        for d in o.documents)
        out.append(f"<p><b>重点学习篇目</b></p><ol class='pq-docs'>{items}</ol>")
    out.append("<p><b>学习内容</b></p>")

    def section(sec, level: int, idx: int) -> str:
        mark = f"{cn_number(idx)}、" if level == 0 else f"（{cn_number(idx)}）"
        parts = [f"<div class='pq-o-l{level}'><div class='pq-o-h'>{mark}{html.escape(sec.heading)}</div>"]
        parts += [f"<div class='pq-o-p'>{j}. {cite(p.text)}</div>" for j, p in enumerate(sec.points, 1)]
        parts += [section(s, level + 1, k) for k, s in enumerate(sec.subsections, 1)]
        return "".join(parts) + "</div>"

    out += [section(s, 0, i) for i, s in enumerate(o.sections, 1)]
    if o.questions:
        out.append("<p><b>研讨题目</b></p>" + "".join(
            f"<div class='pq-o-p'>{i}. {cite(q.text)}</div>" for i, q in enumerate(o.questions, 1)))
    if o.talking_points:
        out.append("<p><b>发言参考要点</b></p>" + "".join(
            f"<div class='pq-o-p'>{i}. {cite(q.text)}</div>" for i, q in enumerate(o.talking_points, 1)))
    return "".join(out) + "</div>"

# Copy text to the clipboard; falls back to execCommand where the Clipboard API is unavailable (plain http).
COPY_JS = """
(text) => {
  const done = () => { const b = document.querySelector('#pq-copy'); if (b) { const t = b.innerText;
    b.innerText = '已复制'; setTimeout(() => { b.innerText = t; }, 1500); } };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    const ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta);
    ta.select(); document.execCommand('copy'); ta.remove(); done();
  }
  return [];
}
"""
