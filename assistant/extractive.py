"""Sentence scoring for answers made of the passages' own sentences.

Sentences are scored by weighted overlap with the question's terms, plus the
retrieval rank of their passage, the heading they sit under, and whether they
state what the question asks for (:mod:`.asked`); :mod:`.compose` picks from them.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from policyqa import sparse
from policyqa.types import Hit

from .asked import ORGANS_ASKED, Asked, Form, count_of, holds, quantity_ok
from .grounding import split_sentences

QUESTION_WORDS = set(
    "什么 怎么 怎样 如何 哪些 哪个 哪里 多少 几 是否 是不是 为什么 为何 吗 呢 请问 介绍 说明 简述 主要 内容 情况 问题 "
    "运作 运行 工作 机制 有关 关于 包括 方面 一下 具体 应该 能否 可以 how what which who when why does do work the "
    # What a question asks for, or how it points back: the answer text does not repeat these.
    "全称 名称 名字 叫做 职务 职位 时候 时间 日期 哪天 几号 多久 多长 次数 数量 人数 材料 文章 一文 各篇 那篇 篇文章 "
    "那次 一共 总共 分别 各有 各是 提到 提及 讲到 后面 前面 还有 除了 之外 之前 之后 一般 通常 平时 "
    "是谁 多长时间 长时间 多长 多久 什么时候 何时 哪年 哪一年 几年 几次 几回 多少次 对吗 是否 是不是 有没有 "
    # colloquial asking and pointing words: how a question is put, not what it is about
    "为啥 干啥 啥 当初 当时 还是 到底 究竟 这事 事儿 那阵子 这阵子 那会儿 这会儿 那时候 这时候 啥时候 啥时 几时 哪会儿 "
    "是从 打从 "
    # quantifiers and framing: "是否已全部达标" (texts: 所有党支部……达标), "根据《…》，每个……"
    "全部 所有 全都 每个 各个 根据 按照".split()
)
# Tokens that ask (哪两项, 几个, 第几轮, 多少名) or are bare Chinese numerals (一百多个).
_ASKING = re.compile(r"^(哪|几|第几|多少|咋|啥|怎)|^[一二两三四五六七八九十百千万几]+[多余来]?[个名项次条]?$")
_POINTING = re.compile(r"^[这那该此][篇份个部本][里中内上]?$")
"""A word that points at a document named before ("全国人大那篇里"): where to look, not what is asked."""
# Question words that ask for a definition / composition, and cues of sentences that give one.
_DEF_Q = re.compile(r"是什么|指什么|包括|哪些|哪两|什么是|内容|what is|what are", re.I)
_DEF_CUE = re.compile(r"是指|指的是|包括|主要有|分别是|即|简称|制定|建立|明确")
_FREQ_Q = re.compile(r"多久|多长时间|频次|频率|几次|多少次|间隔|how often", re.I)
_FREQ_CUE = re.compile(r"每(年|月|季度|半年|周|天|日)|至少|定期|[一二两三四五六七八九十\d]+次")
_HOW_Q = re.compile(r"怎么|如何|怎样|运作|运行|机制|how", re.I)
_HOW_CUE = re.compile(r"每年|定期|负责|采取|通过|按照|分成|召开|形式|方式|至少|由")


# "通过哪些形式", "用的是什么方式", "哪个部门": the word after the question word names the answer's type.
_ANSWER_TYPE = re.compile(r"(?:什么|啥|哪些|哪种|哪几种|哪类|何种|哪个|哪项|哪几项|哪几[个家所位名])([\u4e00-\u9fff]{2})")
_NOT_A_TYPE = {"时候", "时间", "意思", "样的", "地方", "情况", "内容", "问题", "要求"}
ANSWER_TYPE_BONUS = 1.2
LABEL_BONUS = 1.5
"""Bonus of sentences under a heading that names what the question asks for (运行方式 for 怎么运作)."""


MEANS = frozenset("方式 形式 方法 办法 途径 渠道 手段".split())
"""Words asking for the means of doing something ("采用了什么办法")."""
_TYPE_KIN = [MEANS, frozenset("部门 单位 机构".split())]
"""Answer types a text names by another word of the same kind ("用哪几种方式沟通" of "采取……三种形式进行")."""
_KIND_COUNT_Q = re.compile(r"哪几(种|类|个方面|方面)")
KIND_COUNT_BONUS = 1.5
"""Bonus of a sentence that counts the kinds a "哪几种" question asks for: it frames the whole answer."""


def list_counts(sentence: str) -> tuple[int, int, int]:
    """Items a sentence lists, read three ways: 《titles》, 一是…二是…, and A、B和C."""
    sentence = re.sub(r"[(（][^()（）]{0,30}[)）]", "", sentence)  # "机关党委(总支、支部)" lists nothing
    titles = len(set(re.findall(r"《([^》]{2,40})》", sentence)))
    ordinals = len(re.findall(r"[一二三四五六七八九十]是", sentence))
    seps = sentence.count("、")
    listed = seps + 1 + (1 if seps and re.search(r"、[^、。]{1,20}(?:和|及|以及|与)[^、。]{1,20}", sentence) else 0)
    return titles, ordinals, listed if seps else 0


def enumerated_items(sentence: str) -> int:
    """How many items a sentence lists (《A》和《B》 → 2; A、B和C → 3; 一是…二是… → 2)."""
    return max(list_counts(sentence))


_TYPE_BEFORE_ASK = re.compile(r"(部门|单位|机构|社区|街道|学校|高校|企业|城市|省份|国家|平台|媒体|网站|栏目|基地|处室|科室|"
                               r"市州|地市|区县|乡镇)(?:哪些|哪几个)[？?]?$")
"""An English question's glossary terms put the ask last ("which departments" → 部门哪些); only a kind of named
thing there, not whatever word came last ("建设 运用哪些")."""


_TYPE_NAMED_BEFORE = re.compile(r"(环节|方面|任务|措施|举措|原则|标准|渠道|方式|途径|步骤|重点|领域|平台|载体)"
                                r"(?:[，,][^？?。]{0,20}?|(?:都|主要|分别|具体)?(?:有|是|包括))"
                                r"(?:哪几个|哪些|哪几项|哪几条|哪几种)[？?]?$")
"""The kind named before a bare "哪几个" ("需要贯通的关键环节，……列出了哪几个", "关键环节有哪些")."""


def answer_type(question: str) -> str:
    m = _ANSWER_TYPE.search(question) or _TYPE_BEFORE_ASK.search(question) or _TYPE_NAMED_BEFORE.search(question)
    if m and m.group(1) not in _NOT_A_TYPE:
        return m.group(1)
    m = ORGANS_ASKED.search(question)
    return (m.group(1) or m.group(2)) if m else ""


_ORGAN_NAME = re.compile(r"[\u4e00-\u9fff](?:部|局|厅|委|办|处|室|署|院|中心)(?![门分长])")
"""A named organ (组织部, 办公室, 宣传部): what "哪个部门 / 哪个单位" asks for; "有的部门" names none."""


def names_type(atype: str, sentence: str) -> bool:
    if atype in ("部门", "单位", "机构"):
        return bool(_ORGAN_NAME.search(sentence))
    kin = next((k for k in _TYPE_KIN if atype in k), frozenset((atype,)))
    bare = _TITLED.sub("", sentence)  # (the 办法 of 《沟通联系办法》 is a title, no means named)
    return any(t in bare for t in kin)


_TITLED = re.compile(r"《[^》]{0,40}》")


@dataclass
class ScoredSentence:
    score: float
    n: int
    pos: int
    text: str
    meaning: float = 0.0
    """The part of ``score`` that is nearness in meaning (:mod:`.semantic`), not the question's words."""


_IN_LAW = re.compile(r"法[里中上内]")
""""监察官法里": jieba reads 法里 as a word; it says where, not what."""


def query_terms(question: str) -> dict[str, float]:
    """Content terms of a question with weights (longer terms weigh more)."""
    terms: dict[str, float] = {}
    for t in sparse.tokenize(question):
        if (t in QUESTION_WORDS or (len(t) == 1 and not t.isdigit()) or _ASKING.match(t) or _POINTING.match(t)
                or _IN_LAW.fullmatch(t)):
            continue
        terms[t] = max(terms.get(t, 0.0), math.log(1 + len(t)))
    return terms


def _term_score(terms: dict[str, float], sentence: str, context: str) -> float:
    """Sum of the weights of matched terms, counting a term once when a longer matched term contains it."""
    hits = {t: (w if t in sentence else 0.5 * w) for t, w in terms.items() if t in sentence or t in context}
    return sum(w for t, w in hits.items() if not any(t != o and t in o for o in hits))


_WH = re.compile(r"哪些|哪几|哪[一二两三四五六七八九十]|哪个|哪位|哪家|哪里|什么|谁|多少|几[个次项名条]|怎么|如何|怎样")
RELATION_WEIGHT = 1.5
"""Weight of the question's terms that follow its question word."""
MEANING_WEIGHT = 1.0
"""How much a sentence's nearness in meaning (z-score) adds, times the share of the question's words no sentence holds."""
MEANING_MIN = 0.05
"""Below this weight (nearly all the question's words in one sentence) no sentence is embedded for meaning."""

_YN = re.compile(r"是不是|是否|有没有|能不能|要不要|需不需要|可不可以|会不会")
CLAIM_COUNT_WEIGHT = 2.0
"""A yes/no question's counts and frequencies ("两次", "每年", "6期") weigh more: they are what is checked."""
_COUNTING = re.compile(r"\d|[一二两三四五六七八九十百]|每")

_LAW_FRAME = re.compile(r"(?:^|(?<=[，,。？?\s\d《》版那])|(?<=根据|按照|依照|依据|现行|新版|旧版))"
                        r"(?:宪法|[\u4e00-\u9fff]{2,12}?(?:法|条例))"
                        r"(?!律|规(?!定)|治|院|官|学|人|定|制)(?:里|中|上)?的?(?:规定|明确|要求)?")
""""监察法规定", "公司法中": a law named at the head of a question, with the verb that frames it."""
BOUNDS = (re.compile(r"最长|最多|至多|最高|最迟|最晚|不得超过|不超过|不得多于|不得长于|不得晚于|不迟于"),
          re.compile(r"最短|最少|至少|最低|不得少于|不少于|不得低于|不低于|不得短于"))
"""An upper and a lower bound, each as questions ask it (最长) and as laws state it (不得超过)."""
TITLE_TERM_WEIGHT = 0.3
"""Weight factor of the words of a full document title quoted in the question."""

SPECIFIC_MIN = 0.6
"""Weight factor of a question term every retrieved passage holds (one none holds: 2 − SPECIFIC_MIN)."""

FACET_BONUS = 0.8
"""Bonus of a sentence stating an asked facet (a frequency for 多久, a list for 哪些 …)."""


_NOT_A_STATEMENT = re.compile(
    r"(?:^|\s)#{1,6}\s"  # a Markdown heading run into the sentence
    r"|^\s*[（(]?\d{4}年\d{1,2}月\d{1,2}日\s*[^。；]{0,80}?(?:会议|国务院|中共中央)[^。；]{0,60}?"
    r"(?:通过|修正|修订|公布|批准|发布|印发)[）)]?\s*$"
    # a byline: the body an article is by, alone on its line ("全国人大常委会机关党组")
    r"|^\s*[\u4e00-\u9fff()（）]{2,24}(?:党组|党委|机关|委员会|常委会|工委|办公室|办公厅|编辑部)[。.]?\s*$")
"""Header lines of a regulation (its adoption and revision record) and headings: not answers."""


_LIST_ITEM = re.compile(r"^(?:[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．]|[（(]\d{1,2}[）)])")
UNIT_MAX = 260
"""Longest merged unit (a lead-in with its list, two clauses of one rule)."""


def answer_units(text: str) -> list[str]:
    """Sentences, plus the units a rule is stated in: a lead-in ending in "：" with its numbered items
    ("政务处分的种类为：（一）警告；（二）记过；……") and a clause ending in "；" with the clause that completes it
    ("……不得超过十二小时；需要采取管护……不得超过二十四小时。"). Items of a list are too short to answer alone,
    and a rule's second clause often holds the other half of what is asked. Merged units come after the sentences
    they join; positions of the plain sentences are unchanged."""
    sents = split_sentences(text)
    extra: list[str] = []
    for i, s in enumerate(sents):
        if s.endswith(("：", ":")) and i + 1 < len(sents) and _LIST_ITEM.match(sents[i + 1]):
            unit = s
            for t in sents[i + 1:]:
                if not _LIST_ITEM.match(t) or len(unit) + len(t) > UNIT_MAX:
                    break
                unit += t
                if t.endswith("。"):
                    break
            extra.append(unit)
        elif (s.endswith(("；", ";")) and not _LIST_ITEM.match(s) and i + 1 < len(sents)
              and not _LIST_ITEM.match(sents[i + 1]) and len(s) + len(sents[i + 1]) <= UNIT_MAX // 2 + 40):
            extra.append(s + sents[i + 1])
    return sents + extra


def meaning_weight_for(question: str, hits: list[Hit]) -> float:
    """How much nearness in meaning counts for ``question``: as much as its words fall short. A question whose
    words some sentence holds is read by its words; one in everyday or translated words (few of them in any
    sentence) by its meaning. 0 below MEANING_MIN (then no sentence need be embedded at all). The scorer weighs
    the words by their specificity among the hits first; this is the plain estimate, to skip embedding."""
    terms = query_terms(question)
    if not terms:
        return 0.0
    held = max((_term_score(terms, u, "") for h in hits for u in answer_units(h.text)), default=0.0)
    weight = MEANING_WEIGHT * max(0.0, 1.0 - held / sum(terms.values()))
    return weight if weight >= MEANING_MIN else 0.0


def score_sentences(question: str, hits: list[Hit], overview: bool = False,
                    asked: Asked | None = None, meaning: Mapping[str, float] | None = None) -> list[ScoredSentence]:
    """Score every sentence of ``hits`` for answering ``question``.

    A term named only in the title or headings counts half inside the sentence (a defining
    sentence often uses the full names the title abbreviates). For ``overview`` questions the
    sentences of a document's opening passage get a bonus: that is where articles say what
    the topic is.
    """
    from .retrieve import intent_terms

    terms = query_terms(question)
    # "《……书记联席会议制度(试行)》将多少个单位分成了几个组": a quoted full title says which document, not what is asked;
    # its words would pick the sentence that repeats the title (the document's introduction).
    if titles := re.findall(r"《([^》]{8,})》", question):
        rest = re.sub(r"《[^》]{8,}》", " ", question)
        for t in terms:
            if any(t in x for x in titles) and t not in rest:
                terms[t] *= TITLE_TERM_WEIGHT
    # "监察法规定留置最长多长时间": the law named (and its 规定) says where to look, not what to find; the sentence
    # that repeats 监察 and 规定 is no better answer than "留置时间不得超过三个月".
    for m in _LAW_FRAME.finditer(question):
        rest = question[:m.start()] + " " + question[m.end():]
        for t in terms:
            if t in m.group(0) and t not in rest:
                terms[t] *= TITLE_TERM_WEIGHT
    # Specificity within what was retrieved: a term most passages share (人大, 常委会 in a library about congresses)
    # tells less about which sentence answers than one few passages hold (分党组).
    if len(hits) >= 3:
        for t in terms:
            df = sum(1 for h in hits if t in h.text)
            terms[t] *= SPECIFIC_MIN + (1 - SPECIFIC_MIN) * (1 - df / len(hits)) * 2
    # The words after the question word state how the answer relates to the topic ("有哪些人员参会",
    # "由谁主持"): a sentence holding them answers, one holding only the topic words restates it.
    tail = _WH.split(question, maxsplit=1)
    if len(tail) == 2:
        for t in query_terms(tail[1]):
            if t in terms:
                terms[t] *= RELATION_WEIGHT
    # "联席会议是不是每年至少开两次": the claim after 是不是 is what the answer must confirm, its counts above all.
    claim = _YN.split(question, maxsplit=1)
    if len(tail) < 2 and len(claim) == 2:
        for t in query_terms(claim[1]):
            if t in terms:
                terms[t] *= RELATION_WEIGHT * (CLAIM_COUNT_WEIGHT if _COUNTING.search(t) else 1.0)
    atype = answer_type(question)
    thing = (asked.counted or asked.counted_before) if asked is not None else ""
    # the count next to what it counts, either way round: "35个党支部", "查找问题139项"
    counted_at = count_of(thing) if thing else None
    # "哪几种 / 哪几个方面": a sentence that counts its kinds ("三种形式", "五个方面") answers it.
    kinds = _KIND_COUNT_Q.search(question)
    kinds_said = re.compile(rf"(?<!第)[两二三四五六七八九十\d]+{kinds.group(1)}") if kinds else None
    labels = set(intent_terms(question).split())
    want_def = bool(_DEF_Q.search(question)) or overview
    want_how = bool(_HOW_Q.search(question))
    # 多久 / 多长时间 ask how often only when the question is not read as asking a duration (留置最长多长时间:
    # "可以延长一次" states no answer)
    want_freq = bool(_FREQ_Q.search(question)) and (asked is None or Form.FREQUENCY in asked.forms
                                                     or Form.DURATION not in asked.forms)
    # Meaning counts as much as the words (as weighed above) fall short: see meaning_weight_for.
    meaning_weight = 0.0
    if meaning and terms:
        held = max((_term_score(terms, u, "") for h in hits for u in answer_units(h.text)), default=0.0)
        meaning_weight = MEANING_WEIGHT * max(0.0, 1.0 - held / sum(terms.values()))
    out: list[ScoredSentence] = []
    for n, h in enumerate(hits, 1):
        headings = set(h.heading_path)
        context = " ".join(h.heading_path)
        labelled = len(h.heading_path) > 1 and h.heading_path[-1].strip("。.： ") in labels
        for pos, s in enumerate(answer_units(h.text)):
            if len(s) < 8 or s.strip() in headings or _NOT_A_STATEMENT.search(s):
                continue
            score = _term_score(terms, s, context)
            # a bound asked (最长) is matched by the bound as laws state it (不得超过): "留置时间不得超过三个月"
            score += sum(w for t, w in terms.items() if t not in s and any(
                b.fullmatch(t) and b.search(s) for b in BOUNDS))
            if overview and h.idx == 0:
                score += 1.5
            if labelled:
                score += LABEL_BONUS
            elif sum(lb in s for lb in labels) >= 2:
                score -= LABEL_BONUS  # lists the headings ("从主要内容、议事规则、运行方式等方面…"): an outline, not an answer
            if atype and names_type(atype, s):
                score += ANSWER_TYPE_BONUS
            if kinds_said is not None and kinds_said.search(s):
                score += KIND_COUNT_BONUS
            if want_def and _DEF_CUE.search(s):
                score += 0.8
            if want_how and _HOW_CUE.search(s):
                score += 0.6
            if want_freq and _FREQ_CUE.search(s):
                score += 2.0
            elif want_how:  # how a mechanism runs: how often, at least, regularly
                score += 0.3 * len({m.group(0) for m in _FREQ_CUE.finditer(s)})
            if asked is not None:
                # a quantity counts what was asked: "多少问题" is not answered by "60名人大代表"
                score += FACET_BONUS * sum(1 for f in asked.forms if f not in (Form.GENERAL, Form.FREQUENCY, Form.ATTRIBUTE,
                                                                                 Form.OPERATION) and holds(f, s)
                                           and (f is not Form.QUANTITY or not asked.counted or quantity_ok(asked, s)))
                if asked.attribute is not None and asked.attribute.stated.search(s):
                    score += FACET_BONUS
                if counted_at is not None and counted_at.search(s):  # "35个党支部": the count stands with what is counted
                    score += FACET_BONUS
                if asked.count and Form.ENUMERATION in asked.forms and asked.count in list_counts(s):
                    score += FACET_BONUS  # "两项机制是啥": the sentence that names exactly two
            near = meaning_weight * meaning.get(s, 0.0) if meaning else 0.0
            score += near  # near the question in meaning (:mod:`.semantic`): everyday or translated wording
            score += 1.0 / (n + 1)          # retrieval rank prior
            score -= 0.002 * max(0, len(s) - 120)  # prefer crisp sentences
            out.append(ScoredSentence(score, n, pos, s, near))
    return out
