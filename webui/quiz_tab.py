"""知识测验 tab: generate a set, answer it, get a score and, for each miss, the key with its source card.

Type choices, input widgets and the keys shown come from the quiz-type registry (:mod:`assistant.quiz`).
"""
from __future__ import annotations

import html
import time

import gradio as gr

from assistant.quiz import (
    LETTERS,
    QuizError,
    QuizGenerator,
    brief_answer,
    find_quiz_type,
    grade,
    new_seed,
    quiz_docx,
    quiz_markdown,
    quiz_types,
)
from policyqa.types import QuizItem, QuizSet

from . import render
from .service import AppService, export_path


def type_choices() -> tuple[list[str], list[str]]:
    """The 题型 choices (every registered quiz type, in paper order) and those ticked by default."""
    types = quiz_types()
    return [t.name for t in types], [t.name for t in types if t.default]


def session_seed(seed: int | None) -> int:
    """The seed of the next quiz in a session: a fresh random one for the session's first quiz (so that no two
    sessions start with the same quiz), then the session's own sequence."""
    return new_seed() if seed is None else int(seed)


def _input_for(item: QuizItem, i: int) -> gr.CheckboxGroup | gr.Radio | gr.Textbox:
    """The answer widget of one item, of the kind its quiz type declares.

    Option texts are plain labels (rendered as text, not HTML).
    """
    label, elem_id, elem_classes = f"第 {i} 题作答", f"pq-q{i}", ["pq-q-input"]
    qt = find_quiz_type(item.qtype)
    widget = qt.widget if qt is not None else "text"
    if qt is not None and widget == "checkbox":
        return gr.CheckboxGroup(qt.choices(item), label=label, elem_id=elem_id, elem_classes=elem_classes)
    if qt is not None and widget == "radio":
        return gr.Radio(qt.choices(item), label=label, elem_id=elem_id, elem_classes=elem_classes)
    return gr.Textbox(placeholder=(qt.placeholder if qt is not None else "") or None, max_length=60,
                      label=label, elem_id=elem_id, elem_classes=elem_classes)


def _stem_html(item: QuizItem, i: int) -> str:
    return (f"<div class='pq-q-stem'><span class='pq-q-no'>{i}.</span> "
            f"<span class='pq-q-type'>【{html.escape(item.qtype)}】</span>{html.escape(item.stem)}</div>")


HINT_NO_TYPE = "请至少选择一种题型（单选、多选、判断、填空）。"
HINT_NOTHING = "资料中没有足够的内容出题：请换个主题或文档，或先在“资料库”页导入资料。"
HINT_NO_WRONG = "没有需要重做的错题：上一套题已全部答对，或还没有交卷。"
CSS = """
<style>
#pq-quiz-result .pq-quiz-expl { color: var(--body-text-color); background: var(--background-fill-secondary);
  border-left: 3px solid #64748b; padding: 6px 10px; margin: 6px 0; line-height: 1.8; }
#pq-quiz-result .pq-quiz-expl b { color: var(--body-text-color); }
#pq-quiz-result .pq-right { color: #166534; }
#pq-quiz-result .pq-wrong { color: #b91c1c; }
</style>
"""


def key_text(item: QuizItem) -> str:
    """The key as listed under a miss: for lettered items built from the letters and the options themselves, in
    option order (``BD（专家讲堂；代表讲堂）`` with B and D as shown on the page), else the type's own brief."""
    if item.options and item.qtype in ("单选", "多选") and item.answer and all(c in LETTERS for c in item.answer):
        letters = sorted(set(item.answer), key=LETTERS.index)
        if all(LETTERS.index(c) < len(item.options) for c in letters):
            return "".join(letters) + "（" + "；".join(item.options[LETTERS.index(c)] for c in letters) + "）"
    return brief_answer(item)


def hint_html(text: str) -> str:
    return render.notices_html([text])


def results_html(items: list[QuizItem], responses: list, marks: list[bool]) -> str:
    right = sum(marks)
    total = len(items)
    pct = round(100 * right / total) if total else 0
    out = [CSS, f"<div class='pq-score' id='pq-quiz-score'>得分：{right} / {total}（{pct} 分）</div>"]
    misses = [(i, it, r) for i, (it, r, ok) in enumerate(zip(items, responses, marks), 1) if not ok]
    if not misses:
        out.append("<div class='pq-note'>全部答对。</div>")
    for i, it, r in misses:
        given = ("、".join(r) if isinstance(r, (list, tuple)) else str(r or "").strip()) or "未作答"
        key = key_text(it)
        out.append(
            f"<div class='pq-miss' data-q='{i}'><div><b>第 {i} 题</b> {html.escape(it.stem)}</div>"
            f"<div>你的答案：<span class='pq-wrong'>{html.escape(str(given))}</span>　"
            f"正确答案：<span class='pq-right'>{html.escape(key)}</span></div>"
            f"<div class='pq-quiz-expl'><b>解析：</b>{html.escape(it.explanation)}</div>"
            + render.citation_card(it.source.to_citation(i), open_=False, prefix=f"q{i}") + "</div>")
    return "".join(out)


def build_tab(svc: AppService, docs_choices) -> gr.Dropdown:
    with gr.Tab("知识测验", id="quiz"):
        quiz_state = gr.State(None)  # the QuizSet being taken
        seed = gr.State(None)  # per session: None until the first quiz draws a random seed (session_seed)
        with gr.Row():
            n = gr.Radio([5, 10, 20], value=10, label="题量", scale=1, min_width=230, elem_id="pq-quiz-n")
            names, ticked = type_choices()
            types = gr.CheckboxGroup(names, value=ticked, label="题型", scale=2, elem_id="pq-quiz-types")
            docs = gr.Dropdown(docs_choices, multiselect=True, label="出题范围（文档，可不选）", scale=3)
        with gr.Row():
            topic = gr.Textbox(label="主题（可不填）", placeholder="例如：两项机制", scale=2, max_length=40,
                               elem_id="pq-quiz-topic")
            chapter = gr.Textbox(label="章节（可不填）", placeholder="例如：第二章", scale=1, max_length=40,
                                 elem_id="pq-quiz-chapter")
            infos = [b for b in svc.backends() if b.available]
            backend = gr.Radio([(("仅依据原文规则出题" if b.name == "none" else b.label), b.name) for b in infos],
                               value="none", label="出题方式", scale=3)
            go = gr.Button("生成测验", variant="primary", scale=1, elem_id="pq-quiz-go")
        info = gr.HTML("", elem_id="pq-quiz-info")
        # Created here, placed below the items (rendered after the @gr.render block).
        result = gr.HTML("", elem_id="pq-quiz-result", render=False)
        retry = gr.Button("重做错题", visible=False, elem_id="pq-quiz-retry", render=False)
        dl_md = gr.DownloadButton("导出试题与答案（Markdown）", visible=False, render=False)
        dl_docx = gr.DownloadButton("导出试题与答案（Word）", visible=False, elem_id="pq-quiz-docx", render=False)
        wrong_state = gr.State([])

        def make(n_, types_, doc_ids, topic_, chapter_, backend_, seed_, progress=gr.Progress()):
            # Nothing to do: one calm line above the quiz; the current quiz, answers and choices stay.
            keep = gr.update()
            if not types_:
                return keep, keep, hint_html(HINT_NO_TYPE), keep, keep, keep, keep
            progress(0.1, desc="从资料中出题……")
            gen = QuizGenerator(svc.res, backend=backend_ or "none")
            seed_ = session_seed(seed_)
            try:
                qs = gen.generate(n=int(n_), types=tuple(types_), doc_ids=list(doc_ids or []) or None,
                                  topic=(topic_ or "").strip() or None, seed=seed_,
                                  chapter=(chapter_ or "").strip() or None)
            except QuizError as exc:
                return keep, keep, hint_html(str(exc)), keep, keep, keep, keep
            if not qs.items:
                return keep, keep, hint_html(HINT_NOTHING), keep, keep, keep, keep
            stamp = time.strftime("%Y%m%d-%H%M%S")
            md = export_path("知识测验", "md", stamp)
            md.write_text(quiz_markdown(qs, with_key=True), encoding="utf-8")
            docx = quiz_docx(qs, export_path("知识测验", "docx", stamp), with_key=True)
            note = f"共 {len(qs.items)} 题，每题都出自资料原文；作答后点“交卷”。（随机种子 {qs.seed}）"
            return (qs, int(seed_) + 1, render.notices_html(qs.notices) + f"<div class='pq-note'>{note}</div>", "",
                    gr.update(visible=False), gr.update(value=str(md), visible=True),
                    gr.update(value=str(docx), visible=True))

        outs = [quiz_state, seed, info, result, retry, dl_md, dl_docx]
        go.click(make, [n, types, docs, topic, chapter, backend, seed], outs, concurrency_limit=2, concurrency_id="quiz",
                 api_visibility="private")

        @gr.render(inputs=[quiz_state])
        def show(qs: QuizSet | None):
            if not qs or not qs.items:
                return
            inputs = []
            for i, item in enumerate(qs.items, 1):
                with gr.Group():
                    gr.HTML(_stem_html(item, i))
                    inputs.append(_input_for(item, i))
            submit = gr.Button("交卷", variant="primary", elem_id="pq-quiz-submit")

            def check(*responses):
                marks = [grade(it, r) for it, r in zip(qs.items, responses)]
                wrong = [it for it, ok in zip(qs.items, marks) if not ok]
                return results_html(qs.items, list(responses), marks), wrong, gr.update(visible=bool(wrong))

            submit.click(check, inputs, [result, wrong_state, retry], api_visibility="private")

        def redo(wrong: list[QuizItem], qs: QuizSet | None):
            if not wrong:
                keep = gr.update()
                return keep, hint_html(HINT_NO_WRONG), keep, keep
            again = QuizSet(items=list(wrong), seed=qs.seed if qs else 0, title="错题重做")
            return again, "<div class='pq-note'>重做上次答错的题目。</div>", "", gr.update(visible=False)

        result.render()
        with gr.Row():
            retry.render()
            dl_md.render()
            dl_docx.render()
        retry.click(redo, [wrong_state, quiz_state], [quiz_state, info, result, retry], api_visibility="private")
    return docs
