"""研讨提纲 tab: a topic in, a cited 一、（一）1. outline out; Markdown and .docx downloads.

The outline streams: the builder runs in a worker thread and hands over the outline whenever a part of it is
ready (the extractive outline within seconds, then each step of the model, one 一、 section at a time); the
page shows it with a progress line. Empty or unusable input gives one calm hint line; nothing typed is lost.
"""
from __future__ import annotations

import html
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant import prompts
from assistant.outline import OutlineBuilder, outline_docx, outline_markdown
from policyqa.types import OUTLINE_AUDIENCES, OUTLINE_LENGTHS, Outline, SearchFilter

from . import render
from .service import AppService, export_path

TOPICS = ["两项机制", "机关党建与业务融合", "新质生产力", "政务处分"]
EMPTY = "<div class='pq-empty'>输入主题后点“生成提纲”。每一条都标注出处 [n]，可在右侧查看原文。</div>"
HINT_EMPTY = "请先输入学习主题，例如：两项机制、机关党建与业务融合。"
CSS = """
<style>
.pq-o-progress { display: flex; align-items: center; gap: 10px; color: var(--body-text-color); margin: 4px 0; }
.pq-o-progress progress { width: 160px; height: 8px; }
.pq-o-drafting { color: #92400e; font-size: 0.9em; margin: 2px 0 6px; }
.pq-o-lack { background: #fff7ed; border-left: 3px solid #f59e0b; padding: 8px 12px; margin: 6px 0; line-height: 1.8;
             color: #1f2937; }
.pq-o-lack b { color: #92400e; }
</style>
"""


def progress_html(fraction: float, desc: str, seconds: float) -> str:
    pct = max(0, min(100, round(fraction * 100)))
    return (f"{CSS}<div class='pq-o-progress' id='pq-outline-progress'><progress value='{pct}' max='100'></progress>"
            f"<span>{html.escape(desc)}……（{pct}%，已用 {seconds:.0f} 秒）</span></div>")


def hint_html(text: str) -> str:
    return render.notices_html([text])


def lacking_html(o: Outline) -> str:
    """The 'too little material' page: what is missing, why, and what to upload."""
    why = [n for n in o.notices if "顺带提到" in n]
    lines = [f"<b>资料库中关于“{html.escape(o.topic)}”的资料太少，无法据实起草学习提纲。</b>"]
    lines += [html.escape(n) for n in why]
    lines.append(html.escape(prompts.OUTLINE_UPLOAD_HINT.format(topic=o.topic)))
    body = "<br>".join(lines)
    return (f"{CSS}<div class='pq-outline' id='pq-outline-lack'><h3>学习研讨提纲：{html.escape(o.topic)}</h3>"
            f"<div class='pq-o-lack'>{body}</div>"
            + ("<div class='pq-note'>右侧列出资料库中最接近的段落，仅供参考。</div>" if o.nearest else "") + "</div>")


def draft_html(o: Outline, done: bool) -> str:
    """The outline as it stands; while the model is still at work, a line says which parts may still change."""
    body = render.outline_html(o)
    if done:
        return body
    return (f"{CSS}<div class='pq-o-drafting'>以下为依据资料原文整理的初稿，模型正在逐部分撰写和精简，"
            f"完成的部分会随时更新。</div>{body}")


def _notices(o: Outline) -> list[str]:
    """Notices for the page (the 'too little' ones are in the body already)."""
    return [n for n in o.notices if not n.startswith("资料库中关于") and "顺带提到" not in n]


def build_tab(svc: AppService, docs_choices) -> gr.Dropdown:
    with gr.Tab("研讨提纲", id="outline"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                with gr.Row():
                    topic = gr.Textbox(label="学习主题", placeholder="例如：两项机制；机关党建与业务融合", scale=4,
                                       elem_id="pq-outline-topic", max_length=60)
                    go = gr.Button("生成提纲", variant="primary", scale=1, elem_id="pq-outline-go")
                gr.Examples([[t] for t in TOPICS], [topic], label="示例主题")
                with gr.Row():
                    length = gr.Radio([(v, k) for k, v in OUTLINE_LENGTHS.items()], value="standard", label="篇幅")
                    audience = gr.Radio(list(OUTLINE_AUDIENCES), value=OUTLINE_AUDIENCES[0], label="学习形式")
                with gr.Row():
                    infos = [b for b in svc.backends() if b.available]
                    default = svc.backend if any(b.name == svc.backend for b in infos) else "none"
                    backend = gr.Radio([(b.label, b.name) for b in infos], value=default, label="起草方式",
                                       elem_id="pq-outline-backend")
                    docs = gr.Dropdown(docs_choices, multiselect=True, label="只依据这些文档（可不选）")
                status = gr.HTML("", elem_id="pq-outline-status")
                body = gr.HTML(EMPTY, elem_id="pq-outline")
                notices = gr.HTML("", elem_id="pq-outline-notices")
                with gr.Row():
                    dl_docx = gr.DownloadButton("下载 Word（.docx）", visible=False, elem_id="pq-outline-docx")
                    dl_md = gr.DownloadButton("下载 Markdown", visible=False, elem_id="pq-outline-md")
            with gr.Column(scale=2, min_width=320):
                cards = gr.HTML(render.cards_html([], note="提纲引用的原文段落会显示在这里。"), elem_id="pq-outline-cards")

        def cards_of(o: Outline) -> str:
            cites = o.citations if o.enough_material else o.nearest
            title = "参考资料" if o.enough_material else "最接近的段落（供参考，不足以起草提纲）"
            return render.cards_html(cites, title=title, prefix="o", open_=False, contexts=svc.context_of(cites))

        def make(topic_: str, length_: str, audience_: str, backend_: str, doc_ids) -> Iterator[tuple[Any, ...]]:
            keep = gr.update()
            topic_ = (topic_ or "").strip()
            if not topic_:
                # One calm line; the page, the last outline and everything typed stay as they are.
                yield hint_html(HINT_EMPTY), keep, keep, keep, keep, keep
                return
            t0 = time.monotonic()
            events: queue.Queue[tuple[str, Any]] = queue.Queue()
            builder = OutlineBuilder(svc.res, backend=backend_ or "none")
            flt = SearchFilter(doc_ids=list(doc_ids or []))

            def draft(o: Outline) -> None:
                # Rendered here, at once: the builder goes on changing the outline afterwards. The cards (the
                # cited passages) are known with the first draft and only their numbers' texts change later.
                first = not drafts
                drafts.append(1)
                events.put(("draft", (draft_html(o, False), cards_of(o) if first else None)))

            drafts: list[int] = []

            def work() -> None:
                try:
                    o = builder.build(topic_, length=length_, audience=audience_, flt=flt,
                                      progress=lambda f, d: events.put(("progress", (f, d))), on_draft=draft)
                    events.put(("done", o))
                except ValueError as exc:  # bad topic / options: the message says what to do
                    events.put(("hint", str(exc)))
                except Exception as exc:  # the page must stay usable whatever happens
                    events.put(("hint", f"生成提纲时出错：{exc}。请稍后重试，或改用“仅依据原文”的起草方式。"))

            threading.Thread(target=work, name="outline", daemon=True).start()
            pending = ("<div class='pq-empty'>正在检索与“" + html.escape(topic_) + "”相关的原文，提纲将逐部分显示在这里……</div>")
            yield (progress_html(0.02, "检索资料", 0), pending, "", keep, gr.update(visible=False),
                   gr.update(visible=False))
            fraction, desc = 0.02, "检索资料"
            while True:
                try:
                    kind, value = events.get(timeout=1.0)
                except queue.Empty:  # keep the clock on the progress line moving
                    yield progress_html(fraction, desc, time.monotonic() - t0), keep, keep, keep, keep, keep
                    continue
                if kind == "progress":
                    fraction, desc = value
                    yield progress_html(fraction, desc, time.monotonic() - t0), keep, keep, keep, keep, keep
                elif kind == "draft":
                    html_, cards_ = value
                    yield (progress_html(fraction, desc, time.monotonic() - t0), html_, keep,
                           keep if cards_ is None else cards_, keep, keep)
                elif kind == "hint":
                    yield hint_html(value), EMPTY, "", keep, keep, keep
                    return
                else:
                    break
            o: Outline = value
            secs = time.monotonic() - t0
            if not o.enough_material:
                yield ("", lacking_html(o),
                       render.notices_html(_notices(o)), cards_of(o), gr.update(visible=False),
                       gr.update(visible=False))
                return
            stamp = time.strftime("%Y%m%d-%H%M%S")
            docx_path = outline_docx(o, export_path(f"{topic_}研讨提纲", "docx", stamp))
            md_path = export_path(f"{topic_}研讨提纲", "md", stamp)
            md_path.write_text(outline_markdown(o), encoding="utf-8")
            done = f"<div class='pq-note' id='pq-outline-done'>提纲已生成，用时 {secs:.1f} 秒。</div>"
            yield (done, draft_html(o, True), render.notices_html(o.notices), cards_of(o),
                   gr.update(value=str(docx_path), visible=True), gr.update(value=str(md_path), visible=True))

        ins = [topic, length, audience, backend, docs]
        outs = [status, body, notices, cards, dl_docx, dl_md]
        for trigger in (go.click, topic.submit):
            trigger(make, ins, outs, concurrency_limit=2, concurrency_id="outline", api_visibility="private",
                    show_progress="hidden")
    return docs
