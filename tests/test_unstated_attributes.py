"""Attributes the texts do not state are refused, not answered from a sentence on the topic (issue 14, point 5).

Classes, each asked in wordings of its own (none is an eval item): an attribute texts state by name when they
state it (标准, 经费, 处罚, 奖励, 顺序), the kind of place asked (哪个省 / 在哪个城市开), who chaired an event
(a common word jieba tags as a name is no person), and how many people took part (参加 is no thing counted).
The same wordings over passages that do state the attribute are answered.
"""
from __future__ import annotations

import re

import pytest
from conftest import cited_everywhere

from assistant.asked import Form, analyse
from assistant.names import has_person, names_place


@pytest.mark.parametrize("q,label", [
    ("“四好”党员是按什么标准评出来的？", "标准或条件"), ("报考需要满足哪些条件？", "标准或条件"),
    ("这项活动的经费从哪来？", "经费"), ("办培训班的费用由谁出？", "经费"),
    ("不按时沟通的单位会受到什么处罚？", "处罚或责任"), ("违反了要承担什么责任？", "处罚或责任"),
    ("评上以后有什么奖励？", "奖励或待遇"), ("发言按什么顺序来？", "顺序"), ("书记一个月工资多少？", "奖励或待遇"),
])
def test_attribute_asked_by_name(q, label):
    asked = analyse(q)
    assert asked.attribute is not None and asked.attribute.label == label, asked
    assert Form.ATTRIBUTE in asked.strict


@pytest.mark.parametrize("q", ["坚持高标准推进了哪些工作？", "两项机制是怎么运作的？", "固定联系代表与经常性联系对象有什么区别？",
                               "压实了什么责任？"])
def test_no_attribute_where_none_is_asked(q):
    asked = analyse(q)
    assert asked.attribute is None and not asked.place_kind, asked


@pytest.mark.parametrize("q,kind,event", [("支教队去了哪个省？", "省", False), ("研讨会在哪个城市开的？", "城市", True),
                                          ("培训班在什么地方办的？", "", True), ("到哪些地方开展调研？", "", False),
                                          ("哪个市直单位牵头？", "", False)])
def test_place_kind_and_event(q, kind, event):
    asked = analyse(q)
    assert (asked.place_kind, asked.event) == (kind, event), asked


def test_people_taking_part_are_counted_not_the_verb():
    asked = analyse("志愿服务一共有多少人参加？")
    assert (asked.unit, asked.counted) == ("人", ""), asked
    assert analyse("一共办了多少件实事？").counted == "实事"


def test_common_words_tagged_as_names_are_no_person():
    assert not has_person("落实干部荣誉退休制度,为4名退休干部举办荣退仪式。")
    assert has_person("中央和国家机关工委分管日常工作的副书记郭文奇主持会议。")


def test_place_names_without_their_mark():
    assert names_place("城市", "培训班在武汉举办。") and names_place("城市", "会议1月26日在京召开。")
    assert not names_place("省", "指导青年支教帮扶队下基层接地气。")


@pytest.mark.parametrize("q,said", [
    ("联席会议的活动经费由谁来保障？", "经费"),
    ("沟通联系不到位的单位要受到什么处罚？", "处罚"),
    ("首批“四好”党员的评选标准是什么？", "标准"),
    ("“四好”党员评上以后能拿到什么奖励？", "奖励"),
    ("联席会上各单位按什么顺序发言？", "顺序"),
    ("青年支教帮扶队去的是哪个省？", "哪个省"),
    ("第二届全国机关党建理论研讨会是在哪个城市开的？", "城市"),
    ("给退休干部办荣退仪式，是谁主持的？", "是谁"),
    ("市人大机关的志愿服务一共有多少人参加？", "数量"),
])
def test_unstated_attribute_refused_in_plain_words(engine, q, said):
    ans = engine.ask(q)
    assert not ans.answerable, ans.answer
    # refused for not stating it (else for finding too little of the question: no notice then)
    assert not ans.notices or (said in ans.notices[0] and re.search("没有(?:说明|写明)", ans.notices[0])), ans.notices


@pytest.mark.parametrize("library,q,expect", [
    ("engine", "各组牵头单位按什么顺序担任？", "轮流担任"),
    ("engine", "中央和国家机关党的工作暨纪检工作会议在哪个城市召开？", "在京召开"),
    ("engine", "专题培训班是在什么地方办的？", "在京举办"),
    ("engine", "给几位退休干部办了荣退仪式？", "4名"),
    ("starter_engine", "公务员晋升领导职务应当具备什么条件？", "条件"),
    ("starter_engine", "公务员有违法违纪行为的要受到什么处分？", "处分"),
    ("starter_engine", "公务员有哪些情形要给予奖励？", "奖励"),
])
def test_stated_attribute_answered(request, library, q, expect):
    ans = request.getfixturevalue(library).ask(q)
    cited_everywhere(ans)
    assert expect in ans.answer, ans.answer
