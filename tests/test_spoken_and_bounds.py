"""Round 37 classes of question (issue 14, points 1, 4 and 5), on the real engine without a model.

Each class in wordings of its own (none is an eval or probe item):
- spoken wording around named things ("……弄完了，往后准备在哪几方面接着使劲"): the verbs and adverbs are how it is
  asked, the named things (all in one passage) what; the spirit of those who act (劲头, 干劲) frames the ask;
- 这 / 那 before a count point at what was named ("这俩", "这一轮"): no false premise; a count stated still is one;
- "X的总要求是什么" where the text quotes it as “……”总要求;
- a list said in passing elsewhere ("北京机关党建网、微信公众号") gives way to its fuller statement;
- a bound asked (最长) is the bound as laws state it (不得超过), and the law named ("监察法规定") says where to look;
- a law's own sentence names it as 本条例 ("本条例自……起施行");
- "据……报告" names the report (据 is no part of its title); "监察法里" (法里) is no topic word.
"""
from __future__ import annotations

import pytest

from assistant.extractive import query_terms


@pytest.mark.parametrize(("q", "expect"), [
    ("湖北人大机关主题教育弄完了，往后准备在哪几方面接着使劲？", "建章立制"),
    ("北京市直机关各组之间互查互评以后，机关党委的劲头有什么不同？", "比着干"),
    ("中央和国家机关讲理论学习要抓好“重头”和“大头”，这俩指的是哪些人？", "领导干部"),
    ("湖北省人大常委会机关开展主题教育的总要求是啥？", "学思想、强党性、重实践、建新功"),
    ("北京市直机关工委能通过哪些渠道发布党建工作信息？", "电子政务内网"),
])
def test_spoken_and_named(engine, q, expect):
    ans = engine.ask(q)
    assert ans.answerable, ans.answer
    assert expect in ans.answer, ans.answer


def test_a_count_stated_is_still_a_premise(engine):
    ans = engine.ask("北京市直机关工委是不是把122个单位分成了十个组？")
    assert "十个组" not in ans.answer.replace("分成了十个组", "")
    assert not ans.answerable or "8个组" in ans.answer, ans.answer


def test_bound_as_laws_state_it(starter_engine):
    ans = starter_engine.ask("监察法规定留置最长多长时间？")
    first = ans.answer.split("[1]")[0]
    assert "留置时间不得超过三个月" in first, ans.answer


def test_a_law_names_itself(starter_engine):
    ans = starter_engine.ask("行政机关公务员处分条例什么时候起施行？")
    assert ans.answerable and "2007年6月1日" in ans.answer, ans.answer


def test_according_to_a_report(starter_engine):
    ans = starter_engine.ask("据山东省政府工作报告，山东是第几个生产总值过10万亿元的省份？")
    assert ans.answerable and "全国第三个" in ans.answer, ans.answer


def test_in_the_law_is_no_topic():
    assert "法里" not in query_terms("监察法里留置期限多长")
    assert "留置" in query_terms("监察法里留置期限多长")


@pytest.mark.parametrize("sentence", [
    "被责令候查的人平时得守以下规矩：。[1]",  # a lead-in to a list it leaves out
    "《公职人员政务处分法》 给予 公职人员政务处分。[1]",  # search words strung with spaces
])
def test_model_sentences_that_state_nothing_are_dropped(sentence):
    from assistant.compose import Plan
    from assistant.model_answer import SentenceChecker

    passage = ("被责令候查人员应当遵守以下规定：（一）未经监察机关批准不得离开所居住的直辖市；"
               "公职人员政务处分法规定给予公职人员政务处分，应当事实清楚。")
    checker = SentenceChecker({1: passage}, {1: "监察法"}, Plan([]), "被候查的人得守啥规矩")
    assert checker.check(sentence, [])[0] is None
    assert checker.check("被责令候查人员未经监察机关批准不得离开所居住的直辖市。[1]", [])[0] is not None
