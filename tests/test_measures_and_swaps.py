"""Round 35 classes of question (issue 14, points 1, 3, 4 and 5), on the real engine without a model.

Each class in wordings of its own (none is an eval or probe item):
- a sum asked in a magnitude ("多少亿", "多少万") is answered by a sum written in it, of any measure word (亿元);
- a measure per head (人均地区生产总值) is another measure than the one asked (地区生产总值), unless 人均 is asked;
- an age in 周岁 is a count with its unit;
- a target asked is read from the clause of the asked measure: a review sentence with one planned-sounding clause
  of another measure ("城镇调查失业率控制在5%以内") states no target of the asked one;
- "一年来 / 五年来" look back, they state no length of time;
- quantifiers and framing words (全部, 所有, 根据) are no topic the texts must name;
- English: R&D, "what is the … target / rate" asks a figure, "in 2025" is a year;
- "那X呢？" where X shares its head with a word of the last question (常务会议 / 全体会议): that word replaced.
"""
from __future__ import annotations

import pytest

from assistant.answerability import focus_terms
from assistant.asked import Form, analyse, holds, quantity_ok
from assistant.compose import fits_period
from assistant.rewrite import glossary_translate, rule_rewrite
from policyqa.types import Hit


@pytest.mark.parametrize(("q", "ok", "not_ok"), [
    ("福建去年GDP一共多少亿？", "全省地区生产总值60199.45亿元，增长5.5%。", "全省完成投资1200个项目。"),
    ("这项工程总投资多少万？", "项目总投资3.5万亿元。", "项目共3个。"),
])
def test_magnitude_asked_is_any_sum_in_it(q, ok, not_ok):
    asked = analyse(q)
    assert quantity_ok(asked, ok) and not quantity_ok(asked, not_ok)


def test_magnitude_answered_from_report(starter_engine):
    ans = starter_engine.ask("福建去年GDP一共多少亿？")
    assert ans.answerable and "60199.45亿元" in ans.answer, ans.answer


def test_per_head_is_another_measure():
    total = analyse("湖北去年地区生产总值总量是多少？")
    assert not quantity_ok(total, "人均地区生产总值突破10万元")
    assert quantity_ok(total, "全省地区生产总值达到5.53万亿元")
    per_head = analyse("湖北去年人均地区生产总值是多少？")
    assert quantity_ok(per_head, "人均地区生产总值突破10万元")


def test_age_in_full_years():
    asked = analyse("年满多少周岁才可以担任这一职务？")
    assert asked.unit == "周岁", asked
    assert quantity_ok(asked, "年满三十五周岁的公民可以担任。")


def _hit(text: str) -> Hit:
    return Hit(passage_id="p", doc_id="d", title="某省政府工作报告", heading_path=[], text=text, score=1.0)


def test_target_read_from_the_asked_measures_clause():
    review = ("过去一年，地区生产总值增长6%，一般公共预算收入增长9.1%，城镇调查失业率控制在5%以内，"
              "主要指标好于预期。")
    targets = "今年主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长3%，城镇调查失业率5.5%以内。"
    asked = analyse("今年一般公共预算收入计划增长多少？")
    assert asked.target and asked.measure == "预算收入", asked
    assert not fits_period(asked, review, _hit(review))
    assert fits_period(asked, targets, _hit(targets))
    # a clause of the asked measure that says it is planned stays a target, whatever else the sentence says
    jobs = analyse("今年城镇调查失业率目标是多少？")
    assert fits_period(jobs, review, _hit(review)) is True


@pytest.mark.parametrize("s", ["一年来，各部门坚持不懈加强纪律建设。", "五年来，全省经济实现跨越。",
                               "2024年11月5日至7日，培训班在京举办。"])
def test_looking_back_is_no_length(s):
    assert not holds(Form.DURATION, s)


def test_a_length_is_still_one():
    assert holds(Form.DURATION, "任期五年，可以连任。")
    assert holds(Form.DURATION, "应当在三十日内作出决定。")


def test_quantifiers_are_no_topic():
    terms = focus_terms("根据有关规定，机关所有支部是否全部完成换届？")
    assert not {"根据", "所有", "全部"} & set(terms), terms


def test_english_figures_and_years():
    sq = glossary_translate("What is Hunan's 2026 target for R&D spending?").query
    assert "研发" in sq and sq.endswith("是多少"), sq
    sq = glossary_translate("What was Fujian's grain output in 2025?").query
    assert "2025年" in sq and "粮食产量" in sq, sq
    assert "2024年" not in glossary_translate("How does the 2024 report describe the work?").query


@pytest.mark.parametrize(("prev", "q", "expect"), [
    ("国务院全体会议由哪些人组成？", "那常务会议呢？", "国务院常务会议由哪些人组成？"),
    ("机关开展了多少次警示教育？", "那廉政教育呢？", "机关开展了多少次廉政教育？"),
    ("理论学习中心组学习了几次？", "那专题学习呢？", "专题学习"),
    ("工委的党建工作会议多久开一次？", "那组织工作会议呢？", "工委的组织工作会议多久开一次？"),
])
def test_then_x_of_the_same_kind_replaces_its_word(prev, q, expect):
    out = rule_rewrite([(prev, "……")], q)
    assert expect in out and "：" not in out, out


@pytest.mark.parametrize(("prev", "q"), [
    ("全国人大常委会机关开展了多少次警示教育？", "那市人大常委会机关呢？"),  # a body: its own rule
    ("联席会议制度多久开一次？", "那沟通联系办法呢？"),  # no shared head: the last question asked of X
])
def test_then_x_of_another_kind_keeps_the_last_question(prev, q):
    out = rule_rewrite([(prev, "……")], q)
    assert out.split("：")[0] in q, out


def test_latin_measure_read_as_reports_write_it(starter_engine):
    # 北京's report writes 细颗粒物, 上海's PM2.5: either is the measure asked as PM2.5
    ans = starter_engine.ask("北京今年PM2.5准备控制在什么水平？")
    assert ans.answerable and "29微克/立方米" in ans.answer, ans.answer


@pytest.mark.parametrize("q", ["浙江今年政府工作报告一共分几个部分？", "今年的湖北政府工作报告分为几个部分？"])
def test_report_named_loosely_is_the_places_report(starter_engine, q):
    ans = starter_engine.ask(q)
    assert ans.answerable and "部分" in ans.answer, (ans.answer, ans.notices)


def test_report_of_a_place_not_held_is_refused(starter_engine):
    ans = starter_engine.ask("宁波今年政府工作报告一共分几个部分？")
    assert not ans.answerable
