"""The quiz-type seam: built-ins come from the registry, and a type defined here (简答, a toy) becomes
selectable in the CLI, listed in the app's quiz tab, generated, graded and exported — with no other file
edited. Registered at run time (``register_quiz_type``) and, in a subprocess, found through an entry point
of a (minimal, real) installed distribution."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.quiz import (
    WIDGETS,
    BuildContext,
    Candidate,
    QuizGenerator,
    QuizType,
    answer_display,
    find_quiz_type,
    grade,
    quiz_docx,
    quiz_markdown,
    quiz_type_names,
    quiz_types,
    register_quiz_type,
    score,
    unregister_quiz_type,
    wrong_items,
)
from assistant.quiz.facts import Fact, Sentence, canon
from assistant.quiz.stems import explain, item_id, render_blank, title_prefix
from policyqa.types import QuizItem

ROOT = Path(__file__).resolve().parents[1]
TOY = "简答"


class ShortAnswer(QuizType):
    """简答 (toy): a name or formulation blanked; the reader types it. Not in the default mix."""

    name = TOY
    section = "简答题"
    widget = "text"
    placeholder = "写出括号中的名称或提法"
    default = False

    def targets(self, sent: Sentence) -> list[Fact]:
        return [f for f in sent.facts if f.kind in ("formulation", "body")]

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        sent, fact = cand.sent, cand.target
        stem = title_prefix(sent.p) + render_blank(sent, fact.start, fact.end) + "请写出括号中的内容。"
        if fact.text in stem:  # the title (or the rest of the sentence) would give the answer away
            return None
        return QuizItem(id=item_id(self.name, sent.p.id, sent.pos, fact.start), qtype=self.name, stem=stem,
                        options=[], answer=fact.text, answer_texts=[fact.text],
                        explanation=explain(sent, f"答案：{fact.text}。"), source=sent.p.quiz_source(sent.text),
                        kind=fact.kind)

    def grade(self, item: QuizItem, response) -> bool:
        return canon(str(response)) == canon(item.answer)

    def display(self, item: QuizItem) -> str:
        return f"{item.answer}（{self.section}）"


@pytest.fixture()
def toy():
    qt = register_quiz_type(ShortAnswer)
    yield qt
    unregister_quiz_type(TOY)


@pytest.fixture(scope="module")
def gen(resources):
    return QuizGenerator(resources)


@pytest.fixture()
def home_copy(ingested, tmp_path) -> Path:
    """The session store copied (the session's open resources hold the original)."""
    settings, _ = ingested
    home = tmp_path / "home"
    shutil.copytree(settings.home_path, home)
    return home


# -- the registry -------------------------------------------------------------------------------

def test_builtin_types_come_from_the_registry():
    assert quiz_type_names() == ("单选", "多选", "判断", "填空")
    assert quiz_type_names(default_only=True) == quiz_type_names()
    assert [(t.section, t.widget) for t in quiz_types()] == [
        ("单项选择题", "radio"), ("多项选择题", "checkbox"), ("判断题", "radio"), ("填空题", "text")]
    assert all(t.widget in WIDGETS and find_quiz_type(t.name) is t for t in quiz_types())
    assert find_quiz_type(TOY) is None


def test_register_rules(toy):
    assert register_quiz_type(ShortAnswer) is toy, "the same class again is a no-op"

    class Other(ShortAnswer):
        pass

    with pytest.raises(ValueError, match="已存在"):
        register_quiz_type(Other)
    assert register_quiz_type(Other, replace=True) is find_quiz_type(TOY)
    register_quiz_type(toy, replace=True)

    class NoSection(QuizType):
        name = "排序"

    class BadWidget(ShortAnswer):
        name = "排序"
        widget = "slider"

    for bad, exc in ((NoSection, ValueError), (BadWidget, ValueError), (object, TypeError)):
        with pytest.raises(exc):
            register_quiz_type(bad)
    assert "排序" not in quiz_type_names()
    assert quiz_type_names()[-1] == TOY and quiz_type_names(default_only=True) == ("单选", "多选", "判断", "填空")
    unregister_quiz_type(TOY)
    assert TOY not in quiz_type_names()


# -- a toy type end to end ----------------------------------------------------------------------

def test_toy_type_generated_graded_exported(toy, gen, tmp_path):
    quiz = gen.generate(n=6, types=(TOY,), seed=0)
    assert len(quiz.items) == 6 and {it.qtype for it in quiz.items} == {TOY}
    for it in quiz.items:
        assert "（　　）" in it.stem and it.answer in it.source.sentence and it.answer not in it.stem
        assert grade(it, it.answer) and grade(it, f" “{it.answer}” ") and not grade(it, it.answer + "和")
        assert not grade(it, "") and answer_display(it) == f"{it.answer}（简答题）"
    responses = [it.answer if i % 2 else "不知道" for i, it in enumerate(quiz.items)]
    assert score(quiz.items, responses) == (3, 6)
    assert [it.id for it in wrong_items(quiz.items, responses)] == [it.id for it in quiz.items[::2]]

    mixed = gen.generate(n=6, types=("单选", TOY), seed=1)
    assert [it.qtype for it in mixed.items] == ["单选"] * 3 + [TOY] * 3
    md = quiz_markdown(mixed)
    assert "## 一、单项选择题（共 3 题）" in md and "## 二、简答题（共 3 题）" in md
    assert "（单选 3、简答 3）" in md
    for it in mixed.items:
        assert it.stem in md and answer_display(it) in md
    from docx import Document

    path = quiz_docx(mixed, tmp_path / "测验.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "二、简答题（共 3 题）" in text
    assert all(answer_display(it) in text for it in mixed.items if it.qtype == TOY)
    # Not in the default mix: a quiz without named types is made of the built-ins only.
    assert {it.qtype for it in gen.generate(n=8, seed=0).items} == {"单选", "多选", "判断", "填空"}


def test_toy_type_selectable_in_cli(toy, home_copy, tmp_path, capsys):
    from assistant.__main__ import main

    args = ["quiz", "--home", str(home_copy), "--types", f"{TOY},单选", "--n", "4", "--seed", "2"]
    assert main(args + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["qtype"] for i in data["items"]] == [TOY, TOY, "单选", "单选"]
    out = tmp_path / "quiz.md"
    assert main(args + ["--out", str(out)]) == 0
    assert "简答题" in out.read_text(encoding="utf-8")


def test_toy_type_from_an_entry_point_in_cli(home_copy, tmp_path):
    """A third-party distribution declaring the type in the ``policyqa.quiz_types`` entry-point group."""
    site = tmp_path / "site"
    dist = site / "toy_quiz-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-quiz\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[policyqa.quiz_types]\nshort = test_quiz_types:ShortAnswer\nbroken = no_such_module_here:Nothing\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "tests")])}
    cmd = [sys.executable, "-m", "assistant", "quiz", "--home", str(home_copy), "--n", "4", "--seed", "0", "--json"]
    def run(types: str, env_: dict[str, str] | None = env) -> subprocess.CompletedProcess:
        return subprocess.run(cmd + ["--types", types], capture_output=True, check=False, text=True, cwd=ROOT,
                              timeout=300, env=env_)

    out = run(TOY)
    assert out.returncode == 0, out.stderr
    assert [i["qtype"] for i in json.loads(out.stdout)["items"]] == [TOY] * 4
    # The broken plugin is skipped (with a warning); the built-ins still work.
    out = run("填空")
    assert out.returncode == 0, out.stderr
    assert [i["qtype"] for i in json.loads(out.stdout)["items"]] == ["填空"] * 4
    assert "no_such_module_here" in out.stderr
    # Without the distribution the type is unknown.
    out = run(TOY, None)
    assert out.returncode == 2 and "未知题型" in out.stderr


def test_toy_type_in_app_quiz_tab(toy, gen, home_copy):
    import gradio as gr
    from conftest import make_settings

    from webui import quiz_tab
    from webui.service import AppService

    names, ticked = quiz_tab.type_choices()
    assert names == ["单选", "多选", "判断", "填空", TOY] and ticked == names[:4]
    svc = AppService(make_settings(home_copy), backend="none")
    try:
        with gr.Blocks() as demo, gr.Tabs():
            quiz_tab.build_tab(svc, [])
    finally:
        svc.close()
    box = next(b for b in demo.blocks.values() if isinstance(b, gr.CheckboxGroup) and b.label == "题型")
    assert [c[1] for c in box.choices] == names and box.value == ticked

    quiz = gen.generate(n=2, types=(TOY,), seed=0)
    widget = quiz_tab._input_for(quiz.items[0], 1)
    assert isinstance(widget, gr.Textbox) and widget.placeholder == ShortAnswer.placeholder
    html = quiz_tab.results_html(quiz.items, ["不知道", quiz.items[1].answer], [False, True])
    assert "得分：1 / 2" in html and quiz.items[0].answer in html
