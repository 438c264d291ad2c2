"""问答 tab: streaming chat; source cards appear as soon as retrieval is done."""
from __future__ import annotations

import logging
import re
from typing import Any

import gradio as gr

from assistant.engine import Final, Retrieved, Token
from policyqa.types import DOC_TYPES, Answer, Citation, SearchFilter
from policyqa.versions import as_of_date

from . import render
from .service import AppService, export_path, plain_notice

log = logging.getLogger("policyqa.app")

EXAMPLES = ["两项机制是怎么运作的？", "市直机关的单位是怎样分组开展联席会的？",
            "机关党建工作要把握哪些重点？", "how do the 两项机制 work?"]
_DATE = re.compile(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$")
MAX_QUESTION = 500
"""Longer questions get a hint to shorten them (the box itself has no limit, so nothing pasted is cut)."""
MAX_TURNS_KEPT = 30
"""Answers whose source cards stay reachable in the panel."""


def build_filter(doc_types: list[str] | None, date_from: str, date_to: str, doc_ids: list[str] | None,
                 as_of: str = "") -> SearchFilter:
    date_from, date_to, as_of = (date_from or "").strip(), (date_to or "").strip(), (as_of or "").strip()
    for d in (date_from, date_to, as_of):
        if d and not _DATE.match(d):
            raise gr.Error(f"日期“{d}”格式不对：请写成 2024 或 2024-06 或 2024-06-01。")
    return SearchFilter(doc_types=list(doc_types or []), doc_ids=list(doc_ids or []),
                        date_from=date_from, date_to=date_to, as_of=as_of_date(as_of))



def _export(ans: Answer) -> str:
    path = export_path(ans.question, "md")
    path.write_text(render.answer_export_markdown(ans), encoding="utf-8")
    return str(path)


def build(svc: AppService, doc_choices: gr.Dropdown | None = None) -> dict:
    """Build the tab inside the current Blocks; returns the components others refresh."""
    infos = [b for b in svc.backends()]
    choices = [(f"{b.label}" + ("" if b.available else "（不可用）"), b.name) for b in infos]
    default = svc.backend if any(b.name == svc.backend and b.available for b in infos) else "none"

    turns = gr.State([])  # [(question, answer_text)] for follow-up rewriting
    # [(turn number, question, that answer's cards HTML)]: every answer keeps its own source cards.
    sources = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            chatbot = gr.Chatbot(
                label="问答", elem_id="pq-chat", height=520, buttons=[],
                sanitize_html=True, render_markdown=True, feedback_options=None, latex_delimiters=[],
                placeholder="根据资料库中的原文回答，每句话标注出处 [n]；资料中没有的，会直说没有。",
                examples=[{"text": q} for q in EXAMPLES],
            )
            with gr.Row():
                # No max_length: the browser would cut a pasted question silently; a long one gets a hint instead.
                msg = gr.Textbox(placeholder="输入问题，例如：两项机制是怎么运作的？", show_label=False,
                                 scale=5, elem_id="pq-question", submit_btn="提问")
            with gr.Row():
                clear = gr.Button("新对话", size="sm", variant="secondary")
                copy = gr.Button("复制回答（含出处）", size="sm", visible=False, elem_id="pq-copy")
                export = gr.DownloadButton("导出回答（Markdown）", visible=False, size="sm", elem_id="pq-export")
            # The last answer with its sources as plain text, for the copy button (escaping is for the page only).
            plain = gr.Textbox(visible=False)
            notices = gr.HTML("", elem_id="pq-notices")
        with gr.Column(scale=2, min_width=320):
            backend = gr.Radio(choices, value=default, label="回答方式", elem_id="pq-backend")
            status = gr.Markdown(svc.backend_status(default), elem_id="pq-status")
            with gr.Accordion("检索范围", open=False):
                types = gr.Dropdown([(v, k) for k, v in DOC_TYPES.items()], multiselect=True, label="文档类型")
                with gr.Row():
                    date_from = gr.Textbox(label="起始日期", placeholder="2024 或 2024-06-01", max_length=10)
                    date_to = gr.Textbox(label="截止日期", placeholder="2025-12-31", max_length=10)
                docs = gr.Dropdown([], multiselect=True, label="只在这些文档中检索", elem_id="pq-docs")
                as_of = gr.Textbox(label="按某日有效的版本", placeholder="留空＝现行文本；如 2020-01-01", max_length=10,
                                   elem_id="pq-asof")
            cards = gr.HTML(render.cards_html([]), elem_id="pq-cards", label="出处")

    backend.change(lambda b: svc.backend_status(b), backend, status, queue=False)

    def respond(message: str, history: list, turns_: list, sources_: list, backend_: str, doc_types, dfrom, dto,
                doc_ids, as_of_=""):
        typed = message or ""
        message = typed.strip()
        # Nothing to ask, a question too long to search, or a date that cannot be read: one calm line under the
        # chat; the page stays usable and the typed text stays in the box (an exception would put error badges
        # over every output of this event and an "Error" toast on the page).
        hint = "" if message else "请先输入问题，例如：两项机制是怎么运作的？"
        if len(message) > MAX_QUESTION:
            hint = (f"问题有 {len(message)} 字，太长了：请精简到 {MAX_QUESTION} 字以内，"
                    "或只留下真正要问的那一句（例如：联席会议多久召开一次？）。")
        flt = None
        if not hint:
            try:
                flt = build_filter(doc_types, dfrom, dto, doc_ids, as_of_)
            except gr.Error as exc:
                hint = str(exc.message if hasattr(exc, "message") else exc)
        if hint:
            yield (gr.update(), gr.update(), render.hint_html(hint), gr.update(), turns_, typed,
                   gr.update(), gr.update(), sources_)
            return
        notes: list[str] = []
        if not svc.available(backend_):  # a choice that cannot answer now: say so plainly, answer from the text
            notes.append(svc.backend_status(backend_))
            backend_ = "none"
        turn = len(sources_) + 1
        prefix = render.turn_prefix(turn)
        earlier = list(sources_)
        history = list(history or []) + [{"role": "user", "content": render.md_escape(message)},
                                         {"role": "assistant", "content": "正在检索资料……"}]
        yield history, gr.update(), "", gr.update(visible=False), turns_, "", gr.update(visible=False), "", sources_
        raw = ""
        hits_cards: list[Citation] = []
        final: Answer | None = None
        try:
            for ev in svc.engine.stream(message, history=list(turns_), flt=flt, backend=backend_):
                if isinstance(ev, Retrieved):
                    hits_cards = [Citation.from_hit(n, h) for n, h in enumerate(ev.hits, 1)]
                    html_: str | dict[str, Any]
                    if ev.answerable:
                        history[-1]["content"] = "已找到相关原文，正在组织回答……"
                        title = f"检索到的原文（{len(hits_cards)} 段）"
                        html_ = render.sources_panel(earlier + [(turn, message, render.cards_html(
                            hits_cards, title=title, contexts=svc.context_of(hits_cards), statuses=svc.statuses(),
                            prefix=prefix))])
                    else:
                        history[-1]["content"] = "正在核对资料……"
                        html_ = gr.update()
                    yield history, html_, "", gr.update(), turns_, gr.update(), gr.update(), gr.update(), sources_
                elif isinstance(ev, Token):
                    raw += ev.text
                    history[-1]["content"] = render.answer_markdown(raw, prefix=prefix)
                    yield history, gr.update(), "", gr.update(), turns_, gr.update(), gr.update(), gr.update(), sources_
                elif isinstance(ev, Final):
                    final = ev.answer
        except Exception:  # whatever failed, the page stays usable and the question comes back to the box
            log.exception("回答失败：%s", message)
            final = None
        if final is None:
            history[-1]["content"] = "这次没能完成回答。"
            yield (history, render.sources_panel(earlier),
                   render.hint_html("这次没能完成回答，问题已放回输入框，请再点一次“提问”。"), gr.update(), turns_,
                   typed, gr.update(), gr.update(), sources_)
            return
        if final.answerable:
            cites = final.citations
            card_html = render.cards_html(cites, title=f"第{turn}问 · 回答依据的原文", contexts=svc.context_of(cites),
                                          statuses=svc.statuses(), prefix=prefix)
        else:
            cites = final.nearest
            card_html = render.cards_html(cites, title=f"第{turn}问 · 最接近的段落（供参考，不足以回答）",
                                          contexts=svc.context_of(cites), prefix=prefix,
                                          note="资料库中没有找到能回答这个问题的内容。")
        new_sources = (earlier + [(turn, message, card_html)])[-MAX_TURNS_KEPT:]
        history[-1]["content"] = render.answer_markdown(final.answer, [c.n for c in final.citations], prefix=prefix)
        t = final.timings
        foot = (f"{render.backend_label_plain(final.backend)} · 检索 {t.get('retrieve_ms', 0):.0f} ms · "
                f"总计 {t.get('total_ms', 0) / 1000:.1f} 秒")
        if final.standalone_query and final.standalone_query.strip() != message:
            # Follow-ups and English questions are searched as a standalone Chinese question: say which.
            foot = f"按“{render.html.escape(final.standalone_query)}”检索 · " + foot
        new_turns = (list(turns_) + [(message, final.answer)])[-6:]
        shown = [*notes, *(plain_notice(n) for n in final.notices)]
        yield (history, render.sources_panel(new_sources),
               render.notices_html(shown) + f"<div class='pq-foot'>{foot}</div>",
               gr.update(value=_export(final), visible=True), new_turns, gr.update(), gr.update(visible=True),
               render.answer_export_markdown(final), new_sources)

    outs = [chatbot, cards, notices, export, turns, msg, copy, plain, sources]
    ins = [msg, chatbot, turns, sources, backend, types, date_from, date_to, docs, as_of]

    def answering(*args):
        """``respond`` with 新对话 disabled while the answer streams (a chat cleared meanwhile would come back with
        the answer's next update)."""
        last = None
        for update in respond(*args):
            last = update
            yield (*update, gr.update(interactive=False))
        # Said again at the end: Gradio 6's page sometimes drops a visibility change that arrives within
        # milliseconds of the opposite one (a fast answer right after 新对话), leaving no export or copy button.
        at = outs.index(export)
        shown = gr.update(visible=True) if last is not None and last[at].get("visible") is True else gr.update()
        keep = [gr.update() for _ in outs]
        keep[at] = keep[outs.index(copy)] = shown
        yield (*keep, gr.update(interactive=True))

    # The box is cleared when a question is taken, and left alone while its answer streams: what the user types
    # meanwhile stays, and a question sent meanwhile is answered next (always_last), not dropped.
    msg.submit(answering, ins, [*outs, clear], concurrency_limit=8, concurrency_id="chat", api_visibility="private",
               trigger_mode="always_last")

    def pick_example(evt: gr.SelectData):
        return evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value)

    chatbot.example_select(pick_example, None, msg, queue=False).then(
        answering, ins, [*outs, clear], concurrency_limit=8, concurrency_id="chat")

    def reset():  # the question box is left as it is: typed before 新对话, it is for the new chat
        return [], render.cards_html([]), "", gr.update(visible=False), [], gr.update(), gr.update(visible=False), "", []

    clear.click(reset, None, outs, queue=False)
    chatbot.clear(reset, None, outs, queue=False)  # the chat's own 🗑 starts afresh too
    copy.click(None, plain, None, js=render.COPY_JS)
    return {"docs": docs}
