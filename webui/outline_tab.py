"""研讨提纲 tab: a topic in, a cited 一、（一）1. outline out; Markdown and .docx downloads."""
from __future__ import annotations

import time

import gradio as gr

from assistant.outline import OutlineBuilder, outline_docx, outline_markdown
from policyqa.types import OUTLINE_AUDIENCES, OUTLINE_LENGTHS

from . import render
from .service import AppService, export_path

TOPICS = ["两项机制", "机关党建与业务融合", "新质生产力", "政务处分"]


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
                    backend = gr.Radio([(b.label, b.name) for b in infos], value=default, label="起草方式")
                    docs = gr.Dropdown(docs_choices, multiselect=True, label="只依据这些文档（可不选）")
                body = gr.HTML("<div class='pq-empty'>输入主题后点“生成提纲”。每一条都标注出处 [n]，可在右侧查看原文。</div>",
                               elem_id="pq-outline")
                notices = gr.HTML("")
                with gr.Row():
                    dl_docx = gr.DownloadButton("下载 Word（.docx）", visible=False, elem_id="pq-outline-docx")
                    dl_md = gr.DownloadButton("下载 Markdown", visible=False, elem_id="pq-outline-md")
            with gr.Column(scale=2, min_width=320):
                cards = gr.HTML(render.cards_html([], note="提纲引用的原文段落会显示在这里。"), elem_id="pq-outline-cards")

        def make(topic_: str, length_: str, audience_: str, backend_: str, doc_ids, progress=gr.Progress()):
            topic_ = (topic_ or "").strip()
            if not topic_:
                raise gr.Error("请输入学习主题。")
            from policyqa.types import SearchFilter

            flt = SearchFilter(doc_ids=list(doc_ids or []))
            progress(0.1, desc="检索相关原文……" if backend_ == "none" else "检索原文并由模型起草（约需一两分钟）……")
            builder = OutlineBuilder(svc.res, backend=backend_ or "none")
            try:
                o = builder.build(topic_, length=length_, audience=audience_, flt=flt,
                                  progress=lambda f, d: progress(f, desc=d))
            except ValueError as exc:  # bad topic / options: the message says what to do
                raise gr.Error(str(exc)) from exc
            cites = o.citations if o.enough_material else o.nearest
            title = "参考资料" if o.enough_material else "最接近的段落（供参考）"
            cards_ = render.cards_html(cites, title=title, prefix="o", open_=False,
                                       contexts=svc.context_of(cites))
            if not o.enough_material:
                return (render.outline_html(o), render.notices_html(o.notices), cards_,
                        gr.update(visible=False), gr.update(visible=False))
            stamp = time.strftime("%Y%m%d-%H%M%S")
            docx_path = outline_docx(o, export_path(f"{topic_}研讨提纲", "docx", stamp))
            md_path = export_path(f"{topic_}研讨提纲", "md", stamp)
            md_path.write_text(outline_markdown(o), encoding="utf-8")
            return (render.outline_html(o), render.notices_html(o.notices), cards_,
                    gr.update(value=str(docx_path), visible=True), gr.update(value=str(md_path), visible=True))

        ins = [topic, length, audience, backend, docs]
        outs = [body, notices, cards, dl_docx, dl_md]
        go.click(make, ins, outs, concurrency_limit=2, concurrency_id="outline", api_visibility="private")
        topic.submit(make, ins, outs, concurrency_limit=2, concurrency_id="outline", api_visibility="private")
    return docs
