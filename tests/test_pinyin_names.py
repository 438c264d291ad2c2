"""Chinese names spelled in pinyin inside English questions (issue 14, point 4), on the real engine.

Names are put into Chinese from the library's own texts and records, never from a list; a name the library
does not hold is still refused. Wordings here are not eval items.
"""
from __future__ import annotations

import pytest

from assistant import romanized


def test_resolved_from_texts_and_records():
    found = romanized.resolve(["You Jinxia", "Chutian Zhuren", "Lü Heshun", "Lyu Heshun", "Cai Qi"],
                              ["充分运用《楚天主人》杂志等宣传矩阵", "书记蔡奇出席会议并讲话"], ["游金霞", "吕和顺"])
    assert found == {"You Jinxia": "游金霞", "Chutian Zhuren": "楚天主人", "Lü Heshun": "吕和顺",
                     "Lyu Heshun": "吕和顺", "Cai Qi": "蔡奇"}


def test_a_span_that_is_no_name_is_not_taken():
    assert romanized.resolve(["Li Xi"], ["存款利息按规定计算。"]) == {}  # 利息 reads lixi, but is no name


@pytest.mark.parametrize("run,pinyin", [("Li Qiang", True), ("Wang Huning", True), ("Party Building", False),
                                        ("Joint Meeting", False), ("Beijing", False)])
def test_person_names_read_as_pinyin(run, pinyin):
    assert romanized.reads_as_pinyin(run) is pinyin


def test_runs_skip_the_first_word():
    assert romanized.runs("What did Guo Wenqi say? Which magazine is Chutian Zhuren?") == ["Guo Wenqi", "Chutian Zhuren"]


@pytest.mark.parametrize("q,expect", [
    ("Which magazine carried You Jinxia's article?", "楚天主人"),
    ("What did Guo Wenqi do at the meeting?", "郭文奇主持会议"),
    ("What did Lyu Heshun write about the two mechanisms?", "两项机制"),
])
def test_english_question_with_a_pinyin_name(engine, q, expect):
    ans = engine.ask(q)
    assert ans.answerable and expect in ans.answer, ans.answer


@pytest.mark.parametrize("q", ["What did Li Qiang say about the two mechanisms?",
                               "What did Ding Xuexiang tell the central and state organs about discipline?"])
def test_a_name_the_library_lacks_is_refused(engine, q):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer
    assert ans.notices and q.split()[2] in ans.notices[0], ans.notices
