"""What a question asserts or restricts must be what the texts say (issue 14, points 1 and 5), on the real
engine without a model.

Classes, each in wordings of its own (none is an eval or probe item):
- a person put in an act the texts give to another (主持 / 讲话) is a false premise; the person's own act is not;
- "who" asked of an act in any wording (谁讲的话, 谁作的讲话) wants a person's name;
- a quoted counted formulation asked what it means ("“五前”指什么") is defined by its items, refused when the texts
  only use it;
- a count restricted before the count ("被评为优秀的有几篇", "首批……多少人") is the count of that restriction,
  not of the whole;
- how a thing works, of a thing the texts only name as an example ("……等品牌特色活动"), is not stated;
- what a thing is for, asked colloquially (图个啥, 有啥好处), is the sentence that says what it is for.
"""
from __future__ import annotations

import pytest

from assistant.answerability import person_acts
from assistant.asked import Form, analyse, qualifiers_of_count
from assistant.compose import only_named


def test_person_acts_read_from_the_question():
    assert person_acts("会议由郭文奇主持吗？") == [("郭文奇", "主持")]
    assert person_acts("郭文奇在中央和国家机关党的工作暨纪检工作会议上讲话了吗？") == [("郭文奇", "讲话")]
    assert person_acts("会议是谁主持的？") == []


@pytest.mark.parametrize("q", ["听说中央和国家机关党的工作暨纪检工作会议是蔡奇主持的，对吗？",
                               "郭文奇在中央和国家机关党的工作暨纪检工作会议上讲了话，他都讲了哪些内容？"])
def test_a_person_in_another_persons_act_is_refused(engine, q):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer


def test_a_person_in_their_own_act_is_answered(engine):
    ans = engine.ask("蔡奇在中央和国家机关党的工作暨纪检工作会议上讲话了吗？")
    assert ans.answerable and "蔡奇" in ans.answer, ans.answer


@pytest.mark.parametrize("q,names", [
    ("中央和国家机关党的工作暨纪检工作会议是谁作的讲话？", ["蔡奇"]),
    ("中央和国家机关党的工作暨纪检工作会议，谁讲了话，谁主持的？", ["蔡奇", "郭文奇"]),
])
def test_who_of_an_act_names_the_person(engine, q, names):
    assert analyse(q).person
    ans = engine.ask(q)
    assert ans.answerable and all(n in ans.answer for n in names), ans.answer


@pytest.mark.parametrize("q", ["湖北人大讲的“三行五前”，其中“五前”是指哪些？", "“三行五前”里头的“三行”啥意思？"])
def test_a_counted_formulation_the_texts_only_use_is_refused(engine, q):
    asked = analyse(q)
    assert Form.ENUMERATION in asked.forms and asked.formulation in ("五前", "三行"), asked
    assert not engine.ask(q).answerable


def test_qualifiers_of_a_count():
    assert qualifiers_of_count("主题教育期间的调研报告：其中拿到省领导批示的有几篇？") == ["领导批示"]
    assert qualifiers_of_count("首批一共评出了多少人？") == ["首批"]
    assert "优秀" in qualifiers_of_count("调研报告里，被评为优秀的有几篇？")
    assert qualifiers_of_count("调研报告一共多少篇？") == []


def test_a_restricted_count_is_not_the_whole_count(engine):
    ans = engine.ask("在主题教育中湖北省人大常委会机关形成的调研报告里，被评为优秀的有几篇？")
    assert not ans.answerable, ans.answer
    ans = engine.ask("首批“四好”党员一共评出了多少人？")
    assert not ans.answerable, ans.answer
    ans = engine.ask("湖北省人大常委会机关主题教育期间形成的调研报告一共多少篇？")  # the whole count is stated
    assert ans.answerable and "74篇" in ans.answer, ans.answer


def test_only_named():
    said = ["积极探索党员积分管理等量化评价方式,更精准地激励各层级党员。"]
    assert only_named("党员积分管理是怎么计分的？", said, [])
    assert not only_named("党员积分管理是怎么计分的？", said, ["党员积分管理"])  # a section on it says more
    assert not only_named("联席会议制度怎么运作？", ["《联席会议制度》按照单位性质相近的原则分组。"], [])


@pytest.mark.parametrize("q", ["全国人大机关的党风廉政宣传教育周是怎么办的？", "市人大机关的民主评议党员制度具体怎么操作？"])
def test_how_a_thing_only_named_works_is_refused(engine, q):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer


@pytest.mark.parametrize("q,said", [("建立沟通联系机制图个啥？", "履行党建责任"),
                                    ("北京弄这个联席会议制度有啥好处？", "联动发展")])
def test_what_a_thing_is_for_asked_colloquially(engine, q, said):
    ans = engine.ask(q)
    assert ans.answerable and said in ans.answer, ans.answer


def test_a_thing_in_a_list_closed_by_deng_is_only_named():
    said = ["持续开展党章党规制度集中学习月、举办党风廉政宣传教育周等品牌特色活动,用身边事教育身边人。"]
    assert only_named("党章党规制度集中学习月多久搞一次？", said, [])


@pytest.mark.parametrize("q", ["全国人大机关的党章党规制度集中学习月一年搞几次？",
                               "北京市直机关工委跟单位党组沟通用的座谈会一般有多少人参加？"])
def test_a_fact_of_a_thing_only_named_or_of_one_person_is_refused(engine, q):
    # (the second: "由一名……领导负责联系" counts no people taking part)
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer


def test_a_change_asked_is_not_a_level():
    from assistant.asked import GROWTH, GROWTH_Q

    assert GROWTH_Q.search("点击量比上一年增长了多少？") and GROWTH_Q.search("同比多了多少？")
    assert not GROWTH_Q.search("点击量有多少？")
    assert not GROWTH.search("制作专题片获得超1.36亿网络点击量")


def test_a_change_the_texts_do_not_state_is_refused(engine):
    ans = engine.ask("市人大常委会机关专题片的点击量同比增长了多少？")
    assert not ans.answerable, ans.answer


def test_who_won_wants_a_result_not_a_number_gained(engine):
    from assistant.asked import OUTCOME

    assert not OUTCOME.search("制作专题片获得超1.36亿网络点击量")
    assert OUTCOME.search("该队获得一等奖") and OUTCOME.search("荣获全国先进基层党组织称号")
    ans = engine.ask("那次比赛谁拿了一等奖？", history=[("市人大常委会机关办过什么跟AI有关的比赛？", "")])
    assert not ans.answerable, ans.answer


@pytest.mark.parametrize("first,follow,said", [
    ("中央和国家机关党的工作暨纪检工作会议是哪天开的？", "当时是谁主持的？", "郭文奇"),
    ("中央和国家机关庆祝新中国成立75周年的歌咏展演在哪天举行？", "那天有几支合唱队上台表演？", "18支"),
    ("中央和国家机关党的工作暨纪检工作会议在哪天召开？", "那次会议谁讲的话？", "蔡奇"),
])
def test_a_time_pointing_back_carries_the_event(engine, first, follow, said):
    ans = engine.ask(follow, history=[(first, engine.ask(first).answer)])
    assert ans.answerable and said in ans.answer, (ans.standalone_query, ans.answer)
    assert not any(p in ans.standalone_query for p in ("：天", "：次", "：年")), ans.standalone_query  # 那天 / 那次 whole


def test_a_verb_jieba_reads_as_a_place_is_no_place():
    from assistant.answerability import noun_candidates, place_words

    q = "歌咏展演一共有几支合唱队上台？"
    assert "上台" not in place_words(q) and "上台" not in noun_candidates(q)
    assert place_words("支教队去了延安？") == ["延安"]


# -- English: the periodical, the person in a role, the first of something, a difference -----------------------

@pytest.mark.parametrize("q", ["Which issue of People's Daily carried the NPC organ Party group's article?",
                               "那篇讲全国人大机关党建的文章是刊在《人民日报》上的吗？"])
def test_a_periodical_the_record_does_not_bear_out_is_refused(engine, q):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer


def test_who_acted_as_a_head_wants_a_person(engine):
    from assistant.rewrite import glossary_translate

    q = "Who acted as the head of the leading group for thematic education in the Hubei organ?"
    assert analyse(glossary_translate(q).query).person
    assert not engine.ask(q).answerable  # (the texts set the group up and name no head)


def test_the_first_of_an_event_is_no_ordinal_premise(engine):
    from assistant.rewrite import glossary_translate

    q = "Who did the work committee team up with for the first special training class for organ Party secretaries?"
    assert "第一" not in glossary_translate(q).query
    ans = engine.ask(q)
    assert ans.answerable and "中央组织部" in ans.answer, ans.answer


def test_how_one_differs_from_another_is_a_comparison_not_how_it_works():
    from assistant.rewrite import glossary_translate

    query = glossary_translate("How does the joint meeting system differ from the liaison measures in how it works?").query
    assert "运作" not in query and Form.COMPARISON in analyse(query).forms, query


def test_a_colloquial_measure_word_counts_groups(engine):
    asked = analyse("北京市直机关那122个单位一共分了几拨？")
    assert Form.QUANTITY in asked.forms and asked.unit == "拨", asked
    ans = engine.ask("北京市直机关那122个单位一共分了几拨？")
    assert ans.answerable and "8个组" in ans.answer, ans.answer
