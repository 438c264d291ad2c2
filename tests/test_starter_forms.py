"""Round 34 classes of question over laws and reports (issue 14, points 1 and 5), on the real engine without a model.

Each class in wordings of its own (none is an eval or probe item):
- a length of time asked in days ("多少天内", "多少日内") is a period (三十日), not a count of things;
- "这几年" is a time said, not asked: "这几年每年办多少项" counts 项;
- a law the texts only cite (《中华人民共和国刑事诉讼法》) is no law of the library: what it provides is refused;
- a sanction named by its kind (留用察看, 留党察看) is the topic a stated period must be of;
- a rank asked ("排第几位") is stated only by a place (第3位, 首位), not by "居全国前列";
- a sum of money asked of a thing is not another fund's sum ("就业补助资金12.19亿元");
- a place said with 落户 ("落户深圳") answers "落户在哪个城市";
- a plan said with 打算 / 预计 asks a target, and 外贸 is the 进出口 of the targets;
- a law named by its short name (保密法) is the library's law, not a law the texts only cite;
- a length asked ("几年", "多久") is said with a number, not by "确定……期限";
- a quoted term no top passage holds is searched in the documents that use it;
- 年度 before a noun ("年度机关党建工作任务") says nothing of how often.
"""
from __future__ import annotations

import pytest

from assistant.asked import Form, analyse


@pytest.mark.parametrize("q", ["单位要在多少天内批复？", "应当在多少日内予以审批？", "几个工作日内答复？"])
def test_days_asked_are_a_period(q):
    asked = analyse(q)
    assert Form.DURATION in asked.forms and Form.QUANTITY not in asked.forms, asked.forms


def test_period_in_days_answered(starter_engine):
    ans = starter_engine.ask("公务员辞去公职，任免机关应当在多少日内予以审批？")
    assert ans.answerable and "三十日" in ans.answer, ans.answer


def test_these_years_said_not_asked(starter_engine):
    asked = analyse("山东这几年每年办多少项重点民生实事？")
    assert asked.forms == [Form.QUANTITY] and asked.unit == "项", asked
    ans = starter_engine.ask("山东这几年每年办多少项重点民生实事？")
    assert ans.answerable and "20项" in ans.answer, ans.answer


def test_law_only_cited_is_refused(starter_engine):
    ans = starter_engine.ask("刑事诉讼法规定拘留后多少小时内要通知家属？")
    assert not ans.answerable and "刑事诉讼法" in ans.notices[0], ans.notices


def test_sanction_kind_is_the_topic(starter_engine):
    assert not starter_engine.ask("公务员受到留用察看处分，察看期最长几年？").answerable
    ans = starter_engine.ask("公务员受到记过处分，处分期是多长？")
    assert ans.answerable and "12个月" in ans.answer, ans.answer


def test_rank_stated_by_place(starter_engine):
    ans = starter_engine.ask("湖北进出口总额增速在全国排第几位？")
    assert ans.answerable and "第3位" in ans.answer, ans.answer
    refused = starter_engine.ask("湖北去年经济增速在全国排第几位？")
    assert not refused.answerable and "排名" in refused.notices[0], refused.notices


def test_money_of_another_fund_is_no_sum(starter_engine):
    refused = starter_engine.ask("湖北今年办的民生实事一共投入了多少资金？")
    assert not refused.answerable and "金额" in refused.notices[0], (refused.notices, refused.answer)


def test_place_said_with_settle(starter_engine):
    ans = starter_engine.ask("广东的国际红树林中心落户在哪个城市？")
    assert ans.answerable and "深圳" in ans.answer, ans.answer


def test_plan_said_with_daren(starter_engine):
    asked = analyse("湖南今年外贸打算增长多少？")  # 打算: a target; 外贸: the measure, named 进出口 in the targets
    assert asked.target and asked.measure == "外贸", asked
    ans = starter_engine.ask("湖南今年外贸打算增长多少？")
    assert ans.answerable and "进出口总额增长3%" in ans.answer, ans.answer


def test_law_by_its_short_name():
    from assistant.answerability import abbreviates
    assert abbreviates("保密法", "中华人民共和国保守国家秘密法")
    assert not abbreviates("刑事诉讼法", "中华人民共和国行政复议法")
    assert not abbreviates("行政诉讼法", "中华人民共和国行政复议法")


@pytest.mark.parametrize(("sentence", "ok"), [("机关、单位应当确定脱密期期限。", False), ("脱密期一般为三年。", True)])
def test_length_asked_is_said_with_a_number(sentence, ok):
    from assistant.compose import _facet_ok
    q = "核心涉密人员的脱密期是几年？"
    assert _facet_ok(Form.DURATION, analyse(q), sentence, q) is ok


def test_quoted_term_found_below_the_top_passages(starter_engine):
    ans = starter_engine.ask("监察法里说的“责令候查”到底指啥？")
    assert ans.answerable and "责令候查" in ans.answer, ans.answer


@pytest.mark.parametrize(("sentence", "ok"), [
    ("书记联席会主要围绕督促年度机关党建工作任务落实等五个方面进行议事。", False),
    ("书记联席会至少每年召开两次。", True), ("年度考核每年进行一次。", True)])
def test_year_of_a_noun_is_no_frequency(sentence, ok):
    # found using the app: "后一个多久开一次" → "《联席会议制度》多久开一次？" was answered, over the whole starter
    # library, by a sentence whose only "frequency" was 年度 in "督促年度机关党建工作任务落实"
    from assistant.compose import _facet_ok
    q = "《联席会议制度》多久开一次？"
    assert _facet_ok(Form.FREQUENCY, analyse(q), sentence, q) is ok
