"""Lists announced by one sentence and given one paragraph per item ("从四个方面巩固……" then four paragraphs,
"重点做好十个方面工作：（一）……（十）……"): asked "哪几个方面 / 做了哪些工作", the answer names every item,
each cited to its own passage. On the real engine without a model, over the sample library and over
provincial work reports from data/starter.
"""
from __future__ import annotations

import pytest
from conftest import cited_everywhere

from assistant.grounding import markers_of, norm, split_sentences
from assistant.listing import announced_count, announced_parts
from policyqa.types import Hit


def _hit(idx: int, start: int, text: str) -> Hit:
    return Hit(passage_id=f"p{idx}", doc_id="d", title="t", text=text, idx=idx, start=start, end=start + len(text),
               score=0.0)


def _doc(*paragraphs: str) -> list[Hit]:
    out, at = [], 0
    for i, p in enumerate(paragraphs):
        out.append(_hit(i, at, p))
        at += len(p) + 2  # a blank line between paragraphs
    return out


@pytest.mark.parametrize("sentence,count", [
    ("从四个方面巩固深化主题教育成果。", 4), ("重点抓好十个方面工作：", 10), ("一年来，主要做了以下工作：", 0),
    ("今年要重点做好9个方面工作：", 9), ("重点把握好四个方面。", 4), ("具体如下：", 0),
])
def test_announcing_sentences_are_recognised(sentence, count):
    assert announced_count(sentence) == count


@pytest.mark.parametrize("sentence", [
    "城镇居民人均可支配收入增长4.3%，十方面民生实事圆满完成。",  # a result reported, not parts announced
    "联席会议至少每年召开两次。", "围绕提出建议、督促任务落实等五个方面进行议事，形成合力",
])
def test_other_sentences_announce_nothing(sentence):
    assert announced_count(sentence) is None or announced_parts(sentence, _doc(sentence, "下文。")) is None


def test_parts_are_paragraph_leads_with_their_passages():
    doc = _doc("下一步，要从三个方面巩固成果。", "从严从实加强政治生态建设。要层层压实责任，营造良好政治生态。",
               "坚持不懈强化理论武装。学习贯彻是终身课题，要持续深化。", "务求实效抓好建章立制。建立长效机制，做到常态长效。",
               "期刊阅览 | 联系我们")
    parts = announced_parts("下一步，要从三个方面巩固成果。", doc)
    assert parts is not None
    assert [p.text for p in parts] == ["从严从实加强政治生态建设。", "坚持不懈强化理论武装。", "务求实效抓好建章立制。"]
    assert [p.hit.idx for p in parts] == [1, 2, 3]


def test_numbered_items_skip_their_own_sub_points():
    doc = _doc("重点做好以下工作：", "（一）扩大内需\n着力激发消费。积极扩大投资，推动项目落地。",
               "推进文旅融合发展。发展入境游，丰富业态。", "（二）科技创新\n强化创新策源功能。加快成果转化。",
               "（三）改革开放\n深化改革。扩大开放。", "二、加强政府自身建设", "（一）另一个清单的第一项\n正文。")
    parts = announced_parts("重点做好以下工作：", doc)
    assert parts is not None
    assert [p.text for p in parts] == ["（一）扩大内需", "（二）科技创新", "（三）改革开放"]


def test_a_count_that_does_not_match_gives_nothing():
    doc = _doc("要从四个方面用力。", "加强政治建设。正文正文。", "强化理论武装。正文正文。", "这一段没有短的开头，它从头到尾是一整句很长的叙述，没有引领句。")
    assert announced_parts("要从四个方面用力。", doc) is None


@pytest.mark.parametrize("q", ["湖北省人大常委会机关准备从哪几个方面巩固主题教育成果？",
                               "主题教育之后，省人大常委会机关要从哪四个方面巩固深化成果？"])
def test_sample_library_four_aspects(engine, q):
    ans = engine.ask(q)
    cited_everywhere(ans)
    text = norm(ans.answer)
    for item in ("政治生态建设", "强化理论武装", "推进整改落实", "抓好建章立制"):
        assert item in text, ans.answer
    # Each item is cited to the passage that holds it.
    cards = {c.n: c.text for c in ans.citations}
    for s in split_sentences(ans.answer):
        for n in markers_of(s):
            assert norm(s.split("[")[0].rstrip("。")) in norm(cards[n]), (s, cards[n][:60])


@pytest.mark.parametrize("q,items", [
    ("湖南今年的政府工作重点抓哪十个方面？", ("全力推动经济稳定增长", "牢牢守住安全稳定底线")),
    ("四川省过去一年主要做了哪些工作？", ("着力扩内需稳增长", "着力防风险守底线")),
    ("湖南今年要从哪些方面实现突破？", ("推动高质量发展实现新突破", "推动平安湖南建设实现新突破")),
])
def test_work_report_lists_are_named_in_full(starter_engine, q, items):
    ans = starter_engine.ask(q)
    cited_everywhere(ans)
    text = norm(ans.answer)
    for item in items:
        assert item in text, ans.answer
    province = q[:2]
    assert all(province in c.title for c in ans.citations), [c.title for c in ans.citations]
