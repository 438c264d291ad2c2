"""Round 33 classes of question (issue 14, points 1, 4 and 5), on the real engine without a model.

Each class in wordings of its own (none is an eval or probe item):
- a compound question: the date one clause asks is of that clause's event, not the next clause's;
- a count of people asked of people the texts count in 人次 next to their number (干部9人次);
- the manner right after 怎么 / 如何 ("怎么分层抓") frames the ask, it names no topic;
- "是谁" with a particle or 现在 / 目前 still asks a person; an office named indefinitely (由一名……领导) is no name;
- a year said of a thing the texts date otherwise, unquoted ("2025年度的书记项目");
- a sum of money or a share asked is stated only by an amount or a percentage;
- the means asked as 办法 is answered by the sentence naming the 方式;
- two bodies asked of one thing with 各 + verb, with or without a facet: a sentence of each;
- English: an ordinal anniversary and a dotted date-name ("7·9") kept whole;
- how a thing is done, answered best by a sentence announcing parts ("从四个方面……"): the parts follow;
- a follow-up asking for more than what was said ("除了X，还…") carries the topic and skips the sentence of X.
"""
from __future__ import annotations

import pytest

from assistant.answerability import noun_candidates
from assistant.asked import analyse


def test_date_of_its_own_clause(engine):
    ans = engine.ask("机关党委书记专题培训班是哪天开班的，由哪些单位联合举办？")
    assert ans.answerable and "11月5日" in ans.answer and "中央组织部" in ans.answer, ans.answer


def test_people_counted_in_attendances_next_to_them(engine):
    ans = engine.ask("市人大常委会机关年内调整晋升的干部有多少个？轮岗交流的又有几个？")
    assert ans.answerable and "9人次" in ans.answer and "3人次" in ans.answer, ans.answer


@pytest.mark.parametrize("q", ["机关党建责任制是怎么分层落实的", "责任清单是如何分级压实的"])
def test_manner_after_how_is_no_topic(q):
    assert not set(noun_candidates(q)) & {"分层", "分级"}, noun_candidates(q)


def test_manner_after_how_answered(engine):
    ans = engine.ask("中央和国家机关的机关党建责任制是怎么分层抓落实的？")
    assert ans.answerable and "亲自抓" in ans.answer, ans.answer


@pytest.mark.parametrize("q", ["市直机关工委书记现在是谁呀？", "湖北省人大常委会秘书长目前是谁呢"])
def test_person_asked_with_particles(q):
    asked = analyse(q)
    assert asked.person and asked.role, asked


def test_office_named_indefinitely_names_no_one(engine):
    refused = engine.ask("联席会议每个组对口联系的那位工委领导叫什么名字？")
    assert not refused.answerable, refused.answer
    assert "是谁" in refused.notices[0], refused.notices
    answered = engine.ask("联席会议的每个组由谁负责联系？")
    assert answered.answerable and "工委领导" in answered.answer, answered.answer


def test_year_said_of_a_thing_dated_otherwise(engine):
    assert not engine.ask("市人大常委会机关2025年度的书记项目是什么？").answerable
    ans = engine.ask("市人大常委会机关2026年的书记项目是什么？")
    assert ans.answerable and "数字赋能党建" in ans.answer, ans.answer


@pytest.mark.parametrize("q,unit", [("三年行动计划一共安排了多少专项资金？", "元"), ("这项工作花了多少钱", "元"), ("活动经费每年有多少", "元"),
                                    ("92项具体措施目前落实了百分之多少？", "%"), ("党员占比是多少", "%")])
def test_money_and_share_asked(q, unit):
    assert analyse(q).unit == unit


@pytest.mark.parametrize("q", ["年轻干部教育引领三年行动计划一共安排了多少专项资金？",
                               "行动方案的92项具体措施目前落实了百分之多少？"])
def test_money_and_share_not_stated_are_refused(engine, q):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer


def test_means_asked_as_banfa(engine):
    ans = engine.ask("湖北省人大常委会机关搞调查研究采用了什么办法？")
    assert ans.answerable and "四不两直" in ans.answer, ans.answer


def test_two_bodies_each_with_a_verb(engine):
    q = "省人大常委会机关和市人大常委会机关的理论学习中心组各学习了几次？"
    assert analyse(q).across
    ans = engine.ask(q)
    assert ans.answerable and "9次" in ans.answer and "14次" in ans.answer, ans.answer


def test_two_bodies_no_facet(engine):
    ans = engine.ask("中央和国家机关与全国人大常委会机关在青年干部理论学习方面各做了些什么？")
    assert ans.answerable and "学习导师" in ans.answer and "三门课" in ans.answer, ans.answer


def test_english_ordinal_anniversary(engine):
    ans = engine.ask("What did the working committee do on the fifth anniversary of the \"7·9\" speech?")
    assert "5周年" in ans.standalone_query and "7·9" in ans.standalone_query, ans.standalone_query
    assert ans.answerable, ans.answer


@pytest.mark.parametrize("q", ["省人大常委会机关今后如何把主题教育成果巩固好？",
                               "What will the Hubei people's congress organs do next to keep the theme education results?"])
def test_how_answered_by_an_announcement_lists_its_parts(engine, q):
    # the best sentence announces parts ("从四个方面巩固深化主题教育成果"): each part's lead follows it
    ans = engine.ask(q)
    assert ans.answerable and "强化理论武装" in ans.answer and "建章立制" in ans.answer, ans.answer


def test_besides_what_was_said_carries_the_topic_and_skips_the_said(engine):
    # "除了X，还…": more of the last topic (its quoted name kept), not the sentence of X again
    history = [("“7·9”重要讲话发表5周年时工委做了什么？", "印发通知，组织各部门全面回顾贯彻落实情况。")]
    ans = engine.ask("除了印发通知之外，工委还做了什么？", history=history)
    assert "7·9" in ans.standalone_query, ans.standalone_query
    assert ans.answerable and "专门印发通知" not in ans.answer and "专题调研" in ans.answer, ans.answer


def test_conversation_topic_asked_again_by_name_is_its_own_question(engine):
    # after "两项机制：联席会议多久开一次？", "how do the 两项机制 work?" asks of 两项机制, not of 联席会议
    history = [("两项机制是怎么运作的？", "……"), ("那联席会议多久开一次？", "至少每年召开两次。")]
    ans = engine.ask("how do the 两项机制 work?", history=history)
    assert "联席会议：" not in ans.standalone_query and "两项机制" in ans.standalone_query, ans.standalone_query


def test_question_on_a_topic_apart_from_the_last_main_topic_is_new(engine):
    history = [("湖北省人大常委会机关主题教育期间形成了多少篇调研报告？", "74篇")]
    ans = engine.ask("沟通联系办法规定多久沟通一次？", history=history)
    assert ans.standalone_query == "沟通联系办法规定多久沟通一次？", ans.standalone_query
    assert ans.answerable and "每年至少" in ans.answer, ans.answer


@pytest.mark.parametrize("q,said", [("联席会议制度要求多长时间开一次会？", "至少每年召开两次"),
                                    ("按沟通联系办法，工委多久跟党组沟通一回？", "每年至少")])
def test_a_rule_named_is_the_topic_of_a_strict_fact(engine, q, said):
    # 办法 / 制度 end a rule's name here, they frame no ask ("什么办法")
    ans = engine.ask(q)
    assert ans.answerable and said in ans.answer, ans.answer
