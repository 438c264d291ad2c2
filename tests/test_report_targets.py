"""Work-report figures asked as a cadre asks them: this year's target (from the report's list of targets, not last
year's result of the same measure), last year's result of a named measure, a city the library has no report of,
a place's report named with its year. Real engine over the starter store (twelve provincial reports), no model."""
from __future__ import annotations

import pytest
from conftest import cited_everywhere

from assistant.asked import analyse


@pytest.mark.parametrize("q,expect,not_expect", [
    ("湖南今年城镇新增就业的目标定了多少？", "70万人", "82.7万人"),         # the 2025 result stands beside it
    ("江苏2026年城镇新增就业预期目标是多少？", "120万人", "690万人"),
    ("湖北今年GDP预期增长多少来着？", "5.5%左右", "500亿斤"),              # 经济增长 is the report's word for GDP
    ("湖北省2026年政府工作报告定的地区生产总值增长目标是多少？", "5.5%左右", "500亿斤"),
])
def test_this_years_target_comes_from_the_list_of_targets(starter_engine, q, expect, not_expect):
    ans = starter_engine.ask(q)
    cited_everywhere(ans)
    assert expect in ans.answer and not_expect not in ans.answer, ans.answer


def test_last_years_growth_of_a_named_measure(starter_engine):
    ans = starter_engine.ask("湖北去年地区生产总值增长了多少？")
    cited_everywhere(ans)
    assert "地区生产总值增长5.5%" in ans.answer and "旅游" not in ans.answer, ans.answer


@pytest.mark.parametrize("q", [
    "广东今年居民消费价格涨幅目标是多少？",                   # the report's list of targets has no CPI
    "深圳今年地区生产总值增长目标是多少？",                   # a city: 广东's report states no target of 深圳
    "苏州市2026年政府工作报告提出了哪些主要目标？",           # a place's report the library does not hold
    "杭州今年城镇新增就业目标多少？",
])
def test_targets_the_reports_do_not_state_are_refused(starter_engine, q):
    assert not starter_engine.ask(q).answerable


def test_what_a_target_question_measures():
    assert analyse("湖南今年城镇新增就业目标是多少？").measure == "新增就业"  # (not 就业 of 稳就业, 就业补助资金)
    assert analyse("上海去年GDP总量是多少来着？").measure == "生产总值"        # 来着 measures nothing
    assert analyse("湖南今年城镇新增就业目标是多少？").target
    assert not analyse("湖南去年城镇新增就业多少人？").target


def test_days_are_a_measure(starter_engine):
    assert analyse("对复核结果不服，多少日内可以申诉？").unit == "日"
    ans = starter_engine.ask("公务员对人事处理不服，多少日内申请复核？对复核结果还不服的，多少日内可以申诉？")
    cited_everywhere(ans)
    assert "三十日内" in ans.answer and "十五日内" in ans.answer, ans.answer      # one sentence for each clause


@pytest.mark.parametrize("q,expect", [
    ("修订前的《监察法》（2018年）规定留置时间最长多久？", "三个月"),          # a year in brackets chooses the revision
    ("Under the Labor Contract Law, how long can probation last?", None),       # a statute the library lacks
])
def test_revisions_named_in_brackets_and_statutes_named_in_english(starter_engine, q, expect):
    ans = starter_engine.ask(q)
    if expect is None:
        assert not ans.answerable, ans.answer
    else:
        cited_everywhere(ans)
        assert expect in ans.answer and any("2018" in n for n in ans.notices), (ans.answer, ans.notices)


@pytest.mark.parametrize("q,expect", [
    ("北京今年细颗粒物年均浓度控制目标是多少，去年实际是多少？", ["29微克", "27微克"]),   # a target, then a result
    ("山东去年地区生产总值实际增长了多少？", None),                                         # a result, not the target
])
def test_target_and_result_asked_together_or_alone(starter_engine, q, expect):
    ans = starter_engine.ask(q)
    cited_everywhere(ans)
    if expect:
        assert all(x in ans.answer for x in expect), ans.answer
    else:
        assert "预期目标" not in ans.answer and "左右" not in ans.answer, ans.answer


def test_numbers_in_ten_thousands_keep_their_measure():
    from assistant.asked import quantity_ok
    assert quantity_ok(analyse("去年城镇新增就业达到多少人？"), "城镇新增就业62.6万人，城镇调查失业率5.5%")
    assert analyse("投资多少亿元？").unit == "元"
    assert analyse("去年GDP实际增长了多少？").result and not analyse("去年GDP实际增长了多少？").target


@pytest.mark.parametrize("first,follow,place", [
    ("深圳今年GDP增长目标是多少？", "What about Hubei?", "湖北"),            # a city the library lacks, then a province
    ("湖南今年城镇新增就业的目标定了多少？", "那江苏省的呢？", "江苏省"),
    ("广东省去年地区生产总值增长了多少？", "那湖北呢？", "湖北"),
])
def test_what_about_another_place_asks_the_same_of_that_place(starter_engine, first, follow, place):
    """"那X呢" with X a place: the previous question asked of X — the old place replaced, not kept beside it."""
    prev = starter_engine.ask(first)
    ans = starter_engine.ask(follow, history=[(first, prev.answer)])
    old = first[:2]
    assert place in ans.standalone_query and old not in ans.standalone_query, ans.standalone_query
    assert ans.answerable, ans.answer
    cited_everywhere(ans)
    assert all(place[:2] in h.title for h in ans.citations), [h.title for h in ans.citations]
