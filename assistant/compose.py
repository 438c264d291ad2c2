"""Answer planning: which verbatim sentences answer the question, in the form it was asked.

The plan is the answer without a model and the skeleton a model works from. It covers each asked
facet (a frequency sentence for 多久, the named items for 哪些/哪两项, the rules and who does what for
怎么运作), keeps sentences in the documents' order, and leaves out sentences that merely restate the
topic. A strict facet (frequency, duration, date, quantity) that no sentence about the topic states
makes the question "not stated in the texts" (:attr:`Plan.missing`).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from policyqa.types import Hit

from .answerability import ASKED_NOUNS, cn_int, focus_terms, int_cn, own_years, plain_word, presence
from .asked import (
    BESIDES,
    CN_COUNTED,
    FACET,
    FIXED_AND,
    GROWTH,
    GROWTH_Q,
    OUTCOME,
    PERIODIC_COUNT,
    YEAR,
    Asked,
    Form,
    analyse,
    cn_small,
    compared_names,
    compared_sides,
    count_of,
    holds,
    in_chinese_measures,
    list_subject,
    names_counted,
    no_length,
    qualifiers_of_count,
    quantity_ok,
    said_of_count,
    same_measured,
    sub_questions,
)
from .extractive import (
    BOUNDS,
    MEANS,
    ScoredSentence,
    answer_type,
    answer_units,
    enumerated_items,
    names_type,
    query_terms,
    score_sentences,
)
from .grounding import ASIDE, norm
from .names import has_person, names_place, pos_tagger

MAX_SENTENCES = 4
ACROSS_DOCS = 3
OTHER_DOC_FILL = 0.85
"""A filler sentence from a document none of the chosen sentences come from needs this share of the best score."""
"""Documents quoted for a question asked "of each" (各篇材料里…分别)."""
MAX_CHARS = 420
PER_PASSAGE = 3
MIN_RELATIVE_SCORE = 0.6
"""A filler sentence scoring below this share of the best sentence's score is left out (keeps answers on point)."""
FACET_MIN_RELATIVE = 0.25
BOUND_NEAR = 0.7
"""A sentence stating the bound asked comes first when it scores at least this share of the best one stating a value."""
"""A sentence holding an asked facet is taken down to this share of the best score (it answers what was asked)."""


@dataclass
class Planned:
    n: int
    """Passage number (1-based, in the hits given)."""
    pos: int
    text: str
    score: float
    facets: list[Form] = field(default_factory=list)
    """The asked facets this sentence states."""
    meaning: float = 0.0
    """The part of ``score`` that is nearness in meaning (see :class:`.extractive.ScoredSentence`)."""

    def cited(self) -> str:
        body = self.text.rstrip()
        if body.endswith(("；", ";", "，", ",", "：", ":")):
            body = body[:-1] + "。"
        elif body[-1] not in "。！？!?”’）)":
            body += "。"
        return f"{body}[{self.n}]"


@dataclass
class Plan:
    sentences: list[Planned]
    missing: list[Form] = field(default_factory=list)
    """Strict facets asked for that no sentence about the topic states."""
    spare: list[Planned] = field(default_factory=list)
    """Next-best sentences (context for a model), not part of the answer."""

    def text(self) -> str:
        return "".join(s.cited() for s in self.sentences)


ENTITY_MARKS = {
    "社区": ("社区", "街道", "村"), "街道": ("街道", "社区"), "村": ("村",), "学校": ("学校", "中学", "小学", "大学", "学院", "幼儿园"),
    "高校": ("大学", "学院"), "医院": ("医院", "卫生院"), "企业": ("公司", "企业", "集团", "厂"), "公司": ("公司", "集团"),
    "城市": ("市",), "省份": ("省", "区", "市"), "国家": ("国",), "平台": ("网", "平台", "号", "台", "App", "APP", "客户端"),
    "媒体": ("报", "网", "台", "社", "刊", "号", "杂志"), "网站": ("网",), "栏目": ("栏目", "专栏"), "基地": ("基地",),
    "景区": ("景区", "公园"), "场馆": ("馆", "中心"), "银行": ("银行",), "处室": ("处", "室"), "科室": ("科", "室"),
    # organs and places by name: 民政部、新华社、国家医疗保障局; 武汉市、恩施州
    "部门": ("部", "委", "局", "办", "厅", "院", "署", "社", "行", "中心", "会", "校", "所"),
    "单位": ("部", "委", "局", "办", "厅", "院", "署", "社", "行", "中心", "会", "单位", "机关", "公司", "集团", "学校",
           "校", "所", "馆"),  # 中央党校, 研究所, 图书馆
    "市州": ("市", "州", "盟"), "地市": ("市", "州", "盟"), "区县": ("区", "县"), "县区": ("县", "区"),
    "乡镇": ("乡", "镇", "街道"),
    # places visited by name: 井冈山、延安革命纪念馆、红安县
    # (not 省/市: "全省……培训、全省……培训" lists no places)
    "地方": ("县", "村", "镇", "馆", "地", "旧址", "遗址", "故居", "山", "园"),  # 出生地、工作地
}
"""Kinds of things answered by name ("去了哪些社区") and the marks the names of that kind carry."""
_NAME_ENDS = {"部门", "单位", "市州", "地市", "区县", "县区", "乡镇"}
"""Kinds whose names end in their mark (机关 holds 关 and 委 anywhere; 民政部 ends in 部)."""
_PLACES_VISITED = re.compile(r"(?:去|到|走)(?:了|过)?(?:哪些|哪几个|哪几处)(?:地方|地点|去处)")
""""都去了哪些地方": places by name (a place is no answer type of its own: "在什么地方召开" asks where)."""


_SUPERLATIVE = re.compile(r"最为?(?:根本|重要|核心|关键|突出|主要|基本|紧迫|迫切)|首要|第一位")
"""A quality asked in the superlative ("最根本的是哪个"): the texts say which one is, in those words."""


def _typed_missing(question: str, cands: list) -> bool:
    """"下沉工作队去了哪些社区": no sentence lists things of the asked kind by name (two or more 、-items
    carrying its marks) — the texts do not say which."""
    atype = answer_type(question) or ("地方" if _PLACES_VISITED.search(question) else "")
    marks = ENTITY_MARKS.get(atype)
    if not marks:
        return False

    def named(piece: str) -> bool:  # an organ's or place's name ends in its mark (民政部, 恩施州)
        return piece.endswith(marks) if atype in _NAME_ENDS else any(m in piece for m in marks)

    def names(text: str) -> int:  # the last item runs on into the sentence ("中央党校首次举办……"): its head
        pieces = _list_pieces(text, longest=60)
        if pieces and len(pieces[-1]) > 20:
            pieces[-1] = next((pieces[-1][:k] for k in range(2, 13) if named(pieces[-1][:k])), "")
        return sum(named(p) for p in pieces if len(p) <= 20)

    # a list of names on the topic asked (not "……座谈会、……座谈会" of another passage)
    words = [t for t in focus_terms(question) if t not in ASKED_NOUNS and t != atype and not t.isdigit()
             and not _is_place(t)]
    longest = max(words, key=len, default="")

    # and of the thing whose members are asked ("牵头单位分别是哪些部门": a list beside 牵头单位)
    subject = list_subject(question)
    subject = "" if subject == atype or subject in ASKED_NOUNS else subject

    def on_topic(text: str) -> bool:  # its longest topic word, or two others
        return (not words or longest in text or sum(t in text for t in words) >= 2) and subject in text

    return not any(names(c.text) >= 2 and on_topic(c.text) for c in cands)


@functools.lru_cache(maxsize=1024)
def _is_place(word: str) -> bool:
    tagged = list(pos_tagger().cut(word, HMM=False))
    return len(tagged) == 1 and tagged[0].flag == "ns"


def _list_pieces(text: str, longest: int = 20) -> list[str]:
    """The 、-items of a sentence, asides left out, the first cut after its lead and the last before its tail
    ("……等6个部门作会议发言"); longer pieces are clauses, no names."""
    parts = ASIDE.sub("", text).split("、")
    if len(parts) < 2:
        return []
    parts[0] = re.split(r"[，,：:；;。]", parts[0])[-1]
    parts[-1] = re.split(r"等|[，,；;。]", parts[-1])[0]
    return [p for p in parts if 0 < len(p) <= longest]


_ITEM_MARK = re.compile(r"[“\"‘']([{n}]?)([\u4e00-\u9fff])[”\"’']|哪[几{n}]个?[“\"‘']?([\u4e00-\u9fff])[”\"’']?(?:[？?。，,]|$)"
                        .format(n="一二两三四五六七八九十"))
"""A set named by the mark its items share: 哪几个“严” (严密…、严肃…), “三力”是哪三力 (…判断力、…领悟力)."""


def item_mark(question: str) -> str:
    m = _ITEM_MARK.search(question)
    mark = (m.group(2) or m.group(3) or "") if m else ""
    return "" if mark in _CLASSIFIERS else mark


_CLASSIFIERS = set("项个条种类家名次位批件点块")

_ORDINAL_OPEN = re.compile(r"^(?:([一二三四五六七八九十]{1,2})是|第([一二三四五六七八九十]{1,2})[是，,、：:]|"
                           r"[（(]([一二三四五六七八九十]{1,2})[)）]|(?:其|之)?([一二三四五六七八九十]{1,2})[、.．])")
RUN_MAX_ITEMS = 8
RUN_MIN_RELATIVE = 0.8
"""A list laid out over sentences answers when its lead or an item is (nearly) the best sentence: a list merely
nearby ("一是拓展培训覆盖面" beside the sentence on 大讲堂) answers another question."""
ITEM_HEAD_MAX = 40
"""An item longer than this is shown by its first clause ("一是拓展培训覆盖面，……": the item's name)."""


def _ordinal(sentence: str) -> int | None:
    m = _ORDINAL_OPEN.match(sentence.strip())
    return cn_small(next(g for g in m.groups() if g)) if m else None


def item_run(units: list[str], pos: int, mark: str = "") -> list[int]:
    """Positions of the items of a list laid out over sentences, which the sentence at ``pos`` leads or belongs to:
    "强化培训赋能。一是拓展培训覆盖面。……二是创新学习平台载体。……" (numbered 一是/第一/（一）, other sentences
    between them), or with a quoted ``mark`` each item opens with ("必须坚持……。必须牢牢把握……。")."""
    def opens_with_mark(u: str) -> bool:
        return bool(mark) and u.startswith(mark)

    if mark and not opens_with_mark(units[pos]) and mark in units[pos] and pos + 2 < len(units) \
            and opens_with_mark(units[pos + 1]) and opens_with_mark(units[pos + 2]):
        pos += 1  # "我们深刻体会到，必须坚持……。必须牢牢把握……。": the lead holds the first item
    if mark and opens_with_mark(units[pos]):
        first = pos
        while first > 0 and opens_with_mark(units[first - 1]):
            first -= 1
        run = [first]
        for i in range(first + 1, len(units)):
            if not opens_with_mark(units[i]):
                break
            run.append(i)
        return run if len(run) >= 2 else []
    k = _ordinal(units[pos])
    if k is None:  # a lead: the items start in the next sentence or the one after ("强化培训赋能。制定……。一是……")
        start = next((i for i in (pos + 1, pos + 2) if i < len(units) and _ordinal(units[i]) == 1), None)
    else:  # an item: back to the first one
        start = next((i for i in range(pos, -1, -1) if _ordinal(units[i]) == 1), None)
    if start is None:
        return []
    items, expected = [], 1
    for i in range(start, len(units)):
        n = _ordinal(units[i])
        if n == expected:
            items.append(i)
            expected += 1
        elif n is not None or len(items) >= RUN_MAX_ITEMS:
            break
    return items if len(items) >= 2 else []


def item_head(sentence: str) -> str:
    """The item's name: a long item sentence up to its first clause break (verbatim, a prefix of the sentence)."""
    if len(sentence) <= ITEM_HEAD_MAX:
        return sentence
    m = re.search(r"[，,；;：:。]", sentence[4:])
    return sentence[:4 + m.end()] if m and 4 + m.end() <= ITEM_HEAD_MAX * 2 else sentence


def marked_items(sentence: str, mark: str) -> int:
    """How many items of the sentence's 、-list carry ``mark``, each in a word of its own (判断力、领悟力、执行力 are
    three; 政治能力、学习能力 repeat one word, 能力, and name no set marked 力)."""
    pieces = re.split(r"[、]", sentence)
    if len(pieces) < 2:
        return 0
    words = set()
    for p in pieces:
        i = p.find(mark)
        if i >= 0:
            words.add(p[i:i + 2] if i == 0 else p[i - 1:i + 1])
    return len(words)


_ORDINAL_ITEM = re.compile(r"[一二三四五六七八九十]是|[（(][一二三四五六七八九十][）)]|其[一二三四五六]|第[一二三四五六七八九十][，,、是]")


def _run_length(clause: str) -> int:
    """Items of the clause's 、-list, its last joined by 和/及/与 ("A、B和C" → 3; "A和B" → 2)."""
    pieces = FIXED_AND.sub("", clause).split("、")
    joined = 1 if re.search(r"[\u4e00-\u9fff》”]{2}(?:和|及|与|以及)[“《\u4e00-\u9fff]{2}", pieces[-1]) else 0
    return len(pieces) + joined if len(pieces) > 1 or joined else 1


_COUNTED_HEAD = re.compile(r"^[一二两三四五六七八九十\d]{1,2}[个项条张份类种大]?([\u4e00-\u9fff]{2,3})$")


def head_items(sentence: str, formulation: str) -> int:
    """Items named by the head noun of a counted formulation, in one clause of the sentence: "三张清单" is spelled out
    by "破难题问题清单和个人问题清单、民生实事项目清单" (three phrases ending in 清单), though the sentence does not
    say "三张清单" — the lists are named where they are made, the count where they are used."""
    m = _COUNTED_HEAD.match(formulation.strip("“”\"")) if formulation else None
    if not m:
        return 0
    head = m.group(1)
    best = 0
    for clause in re.split(r"[，,；;。！？!?:：]", sentence):
        pieces = [p for p in re.split(r"、|以及|和|及|与", clause) if p]
        # each piece is one item: a name of its own before the head (not the bare head, not the formulation)
        named = [p for p in pieces if re.search(rf"[\u4e00-\u9fff]{{2,}}{head}[”\"》]?$", p) and formulation not in p]
        if len(named) == len(pieces) or len(named) >= 3:
            best = max(best, len(named))
    return best


_COUNTED_FORMULATION = re.compile(r"^([一二两三四五六七八九十]+|\d+)(个|项|条|种|大|类|方面)?([\u4e00-\u9fff]{2,6})$")


def said_otherwise(formulation: str, sentence: str) -> str:
    """A counted formulation of the question in the sentence's own words: its count in digits or Chinese and a
    noun sharing two characters in a row with the asked one ("两个正面标杆" → "2个正面典型"); else ""."""
    m = _COUNTED_FORMULATION.match(formulation)
    if not m:
        return ""
    n = int(m.group(1)) if m.group(1).isdigit() else cn_int(m.group(1))
    if not n:
        return ""
    counts = "|".join(dict.fromkeys([str(n), int_cn(n), *(["两"] if n == 2 else [])]))
    noun = m.group(3)
    for found in re.finditer(rf"(?<![\d一二两三四五六七八九十])(?:{counts}){m.group(2) or ''}([\u4e00-\u9fff]{{2,6}})", sentence):
        if any(noun[i:i + 2] in found.group(1) for i in range(len(noun) - 1)):
            return found.group(0)
    return ""


def lists_items(sentence: str, n: int, formulation: str = "", mark: str = "", context: str = "") -> bool:
    """The sentence spells out ``n`` items of ``formulation`` ("四个机关"): items bearing its mark (…判断力、…领悟力),
    一是…二是…, titles (《…》和《…》), or a 、-list of that many items (or quoted items) in the clause that names
    the formulation or the next. A sentence that only uses the formulation lists nothing."""
    if mark and marked_items(sentence, mark) >= n:
        return True
    if formulation and formulation not in sentence:
        formulation = said_otherwise(formulation, sentence) or formulation
    if head_items(sentence, formulation) == n:
        return True
    # numbered or titled items, in a passage or document (``context``) that names the formulation
    if (len(_ORDINAL_ITEM.findall(sentence)) >= n or len(re.findall(r"《[^》]+》", sentence)) >= n) and (
            not formulation or formulation in sentence + context):
        return True
    if not formulation or formulation not in sentence:
        return False
    # the clause that names the formulation, or the next ("…《“修好三门课…”》,推动年轻干部强化A、B、C"); a
    # formulation used as one item of a list ("打好“三大攻坚战”等重大任务") is not spelled out there, and pieces
    # that are formulations themselves (增强“四个意识”、坚定“四个自信”) are no items
    clauses = re.split(r"[，,；;。！？!?:：]", sentence)
    at = next(i for i, c in enumerate(clauses) if formulation in c or i == len(clauses) - 1)
    own = clauses[at]
    if re.search(re.escape(formulation) + r"[”\"]?(?:等|、)", own) or re.search(r"、[^、]{0,6}" + re.escape(formulation), own):
        return False
    for clause in clauses[at:at + 2]:
        clause = clause.replace(formulation, "")
        pieces = [p for p in clause.split("、") if not re.search(r"“[一二两三四五六七八九十\d]", p)]
        quoted = [x for x in re.findall(r"“([^”]{2,20})”", clause) if not _ORDINAL_START.match(x)]
        if _run_length("、".join(pieces)) >= n or len(quoted) >= n:
            return True
    return False


_CN = "一二两三四五六七八九十"
_NTH_Q = re.compile(r"第几([批届轮次期])")
_ORDINAL_START = re.compile(rf"[{_CN}\d]")


def spelled_out_asked(question: str, asked: Asked) -> bool:
    """The question asks a counted set's items ("“四个机关”是哪四个", "哪四个“重”"), so a sentence must spell them out."""
    return bool(asked.count and (asked.formulation or item_mark(question)) and not asked.across)


def spells_out(question: str, asked: Asked, sentence: str, hit: Hit | None = None) -> bool:
    """:func:`lists_items` for the asked set, in ``hit`` (its title and text name the set for numbered or titled items)."""
    context = f"{hit.title} {hit.text}" if hit is not None else ""
    return lists_items(sentence, asked.count or 2, asked.formulation, item_mark(question), context)


_TARGET_TEXT = re.compile(r"目标|预期|力争|左右|控制在|不低于|不超过")
_PLANNED_TEXT = re.compile(r"预期|力争|左右|控制在|不低于|不超过|今年")
_LAST_YEAR_Q = re.compile(r"去年|上年|上一年|last year")
_YEARS_REVIEWED = re.compile(r"五年|十四五|年均|连跨|连续\d+年|[几两三四五]个台阶")
"""A figure of the years a report reviews ("经济总量连跨5万亿元、6万亿元两个台阶", "年均增长5.7%"), no one year's."""
_TARGET_LEAD = re.compile(r"^[^，,；;。]*(?:目标|预期|力争)[^，,；;。]*[：:]")
"""A list of targets opened in the sentence itself ("今年主要预期目标是：……")."""


def in_target_context(sentence: str, hit: Hit, planned_only: bool = False) -> bool:
    """The sentence states a target: in its own words (左右, 力争, 目标) or as a piece of a list the paragraph opens
    with them ("今年主要预期目标是：……；城镇新增就业70万人；……"). ``planned_only``: not by the word 目标 alone
    ("完成全年目标任务" reports a result)."""
    if (_PLANNED_TEXT if planned_only else _TARGET_TEXT).search(sentence):
        return True
    i = hit.text.find(sentence[:16])
    if i < 0:
        return False
    para = hit.text[max(0, i - 400):i].split("\n")[-1]
    return bool(re.search(r"目标[是为：:]|预期目标", para)) and "。" not in para[para.rfind("目标"):]


def fits_period(asked: Asked, sentence: str, hit: Hit) -> bool:
    """A target is asked and the sentence states one, or a result and it states no planned figure (or neither)."""
    if asked.target:
        if asked.measure and _TARGET_TEXT.search(sentence) and not _TARGET_LEAD.search(sentence):
            # a review sentence may hold a planned-sounding clause of another measure ("……一般公共预算收入增长14.7%，
            # 城镇调查失业率控制在5%以内"): the clause of the asked measure says it is a target, or the paragraph does
            said = [c for c in re.split(r"[，,；;。]", sentence) if any(m in c for m in same_measured(asked.measure))]
            if said and not any(_TARGET_TEXT.search(c) for c in said):
                return in_target_context(said[0], hit)
        return in_target_context(sentence, hit)
    return not asked.result or not in_target_context(sentence, hit, planned_only=True)


_FRAME_WORDS = {"实际", "具体", "大概", "一般", "主要", "分别", "到底", "今年", "去年", "明年", "上年", "当年", "平时"}


def _clause_words(sub: str) -> list[str]:
    """The clause's own topic words: no generic or framing words (去年, 实际) and no asked nouns (目标)."""
    return [t for t in query_terms(sub) if len(t) >= 2 and t not in _GENERIC and t not in _FRAME_WORDS
            and t not in ASKED_NOUNS]


def sub_answered(sub: str, sentences: list[str], loose: bool = False, asked: Asked | None = None) -> bool:
    """One of ``sentences`` answers the clause ``sub`` (as ``asked``): it holds the clause's terms (``loose``: half
    of them, at least one) and states the clause's pointed facet (谁 → a person or body, 多久 → a frequency)."""
    keys = _clause_words(sub)
    asked = asked or analyse(sub)
    forms = [f for f in asked.forms if f in POINTED and f is not Form.ENUMERATION]
    need = (max(1, (len(keys) + 1) // 2) if loose else len(keys)) if keys else 0
    return any(sum(k in s for k in keys) >= need and all(holds(f, s) and _facet_ok(f, asked, s, sub) for f in forms)
               and bool(keys or forms) for s in sentences)


def _topic_terms(question: str) -> dict[str, float]:
    return {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}


_GENERIC = set("工作 开展 进行 建设 推进 加强 推动 落实 实施 单位 部门 机关 问题 情况 方面 有关 相关 会议 规定 要求 "
               "召开 负责 组织 一次 每年".split())
"""Terms too common in policy texts to tie a sentence to the question's topic."""


def _about_topic(s: ScoredSentence, hit: Hit, terms: dict[str, float]) -> bool:
    """The sentence, its headings or its document's title names one of the question's topic terms."""
    specific = [t for t in terms if t not in _GENERIC and len(t) >= 2]
    if not specific:
        return True
    hay = s.text + " ".join(hit.heading_path) + hit.title
    return any(t in hay for t in specific)


_NAMING = re.compile(r"以下简称|简称|分别是|分别为|包括|主要有|即|是指|一是")
NAMING_BONUS = 2.0
OPERATION_RULE_BONUS = 1.5
"""For "how does it operate": a rule that says how often (每年至少…一次) over one that names a channel."""

POINTED = {Form.ENUMERATION, Form.QUANTITY, Form.FREQUENCY, Form.DURATION, Form.DATE, Form.WHO, Form.WHERE,
           Form.ATTRIBUTE}
"""Forms answered by the sentences that state the asked thing; filler sentences only dilute them."""


_ROLE = re.compile(r"由[^。；，]{0,20}(?:董事长|董事|经理|主任|书记|负责人|局长|部长|厅长|处长|省长|市长|县长|主席|委员会|"
                   r"行长|院长|检察长|组长|首长|机关|常务委员会)[^。；]{0,6}(?:担任|主持|决定|负责|批准|行使)")

_ROLE_IS = re.compile(r"(?:董事长|主任|书记|局长|部长|厅长|省长|市长|县长|主席|行长|院长|检察长|总理|委员长|秘书长)"
                      r"为[\u4e00-\u9fff]{2,12}[。；;]?$")
"""A rule naming the office that holds a rank or title: "国家监察委员会主任为总监察官"."""
_SOME_ONE = re.compile(r"(?:[一两二三四五六七八九十几]|若干)[名位个人]|专人")

VALUE: dict[Form, re.Pattern] = {
    Form.DURATION: re.compile(rf"{CN_COUNTED}(?:年|个月|月|天|日|周|小时|分钟|个工作日)"),
    Form.FREQUENCY: re.compile(rf"每(?:年|月|季度?|半年|周|星期|天|日|届)|{CN_COUNTED}次"),
    Form.QUANTITY: re.compile(rf"{CN_COUNTED}\S{{0,2}}?(?:个|项|名|家|组|条|种|类|批|所|人|件|处|支|万|亿|%|％|元)|\d"),
    # what a thing is for, said as such (有利于, 旨在, 可以更好地): 推动 / 增强 alone are in every other sentence
    Form.SIGNIFICANCE: re.compile(r"有利于|有助于|意义|作用在于|起到|旨在|目的|为了|以便|(?:可以|能够|才能)更好地|关键所在|"
                                  r"是[^。，,]{0,30}(?:保证|保障|关键|基础|前提|途径|抓手|实际行动|重要尝试|重要举措|重要体现)"),
}
"""What states the value a strict question asks for; a sentence that only names the measure (期限届满, 定期) comes after."""


_DEFINED = re.compile(r"([^\W\d的之是个]{2,4})(?:到底|究竟|具体)?(?:是什么|是啥|指什么|指的?啥|是指|是哪些|有哪些)")
"""The noun a definition question asks of ("主题教育的总要求是什么": 总要求), which a text may state as “……”总要求."""


SUBJECT_AT = 4
"""A compared side is a sentence's subject when the sentence names it within its first few characters."""


_NAMED_AS_EXAMPLE = r"[”\"’']?(?:、[^，,。；;]{1,40}?)?等"
"""A thing in a list closed by 等 ("开展X、举办Y等品牌特色活动"): named as an example of a kind."""


def _shared_phrase(question: str, sentence: str, least: int = 4) -> str:
    """The longest run of Chinese characters the question and the sentence share (``least`` or more), else ""."""
    best = ""
    for run in re.findall(r"[\u4e00-\u9fff]+", question):
        for i in range(len(run)):
            for j in range(len(run), i + max(least, len(best) + 1) - 1, -1):
                if run[i:j] in sentence:
                    best = run[i:j]
                    break
    return best


def only_named(question: str, sentences: list[str], headings: list[str]) -> bool:
    """The thing asked about (the words the question shares with its best sentence) stands in the texts only as an
    example of a kind ("X等量化评价方式", "“三行五前”等工作机制"): they name it and say nothing of how it works or what
    it is. A heading that names it (a section on X) says more."""
    if not sentences:
        return False
    thing = _shared_phrase(question, sentences[0])
    if not thing or any(thing in h for h in headings):
        return False
    naming = [x for x in sentences if thing in x]
    # every time it is named ("……中心组学习、机关集体学习等多种形式,年内组织中心组学习14次" states a count of it)
    return bool(naming) and all(len(re.findall(re.escape(thing) + _NAMED_AS_EXAMPLE, x)) == x.count(thing)
                                for x in naming)


def _list_items(text: str) -> set[str]:
    """The items of a sentence's 、-list, each as its last few characters (the head noun the list names)."""
    runs = [r for r in re.findall(r"[^，,。；;：:（）()]*、[^，,。；;：:（）()]*", text)]
    items = [x.split("等")[0] for r in runs for x in re.split(r"、|和|及", r)]
    return {x[-4:] for x in items if len(x) >= 2}


def _fuller_list(first: ScoredSentence, others: list[ScoredSentence]) -> ScoredSentence | None:
    """Another candidate whose list holds every item of ``first``'s list and more: the fuller statement of the same
    list, said again in passing elsewhere (the items read by their last characters)."""
    mine = _list_items(first.text)
    if len(mine) < 2:
        return None
    return next((o for o in others if o.n == first.n or o.score >= 0.5 * first.score
                 if mine < _list_items(o.text)), None)


def plan_answer(question: str, asked: Asked, hits: list[Hit], overview: bool = False,
                max_sentences: int = MAX_SENTENCES, max_chars: int = MAX_CHARS, focus: str = "",
                authors: dict[str, str] | None = None, meaning: Mapping[str, float] | None = None) -> Plan:
    """Choose the verbatim sentences of ``hits`` that answer ``question`` as ``asked``; ``focus``: what a "那X呢"
    follow-up asks the previous question of (an asked fact about X, not about the previous question's thing).
    ``authors``: each document's author by doc_id — the body an article speaks for ("全国人大常委会机关党组") is
    its topic though its sentences leave it out ("每年召开机关推进全面从严治党工作会议")."""
    scored = sorted(score_sentences(question, hits, overview, asked, meaning), key=lambda x: -x.score)
    if m := BESIDES.search(question):  # "除了发通知，还做了哪些事": not the sentence of what was said, if others remain
        told = [t for t in query_terms(m.group(1)) if len(t) >= 2]
        # (a list naming it among others stays: "……书画摄影展、歌咏比赛、足球联赛" of "除了歌咏，还办了哪些活动")
        scored = [s for s in scored if not any(t in s.text for t in told) or "、" in s.text] or scored
    if asked.quoted and Form.DEFINITION in asked.forms:  # "“工作秘密”指啥": what defines it names it
        scored.sort(key=lambda s: not all(x in s.text for x in asked.quoted))
    if not scored:
        return Plan([], missing=asked.strict)
    doc_texts: dict[str, str] = {}
    for h in hits:
        doc_texts[h.doc_id] = doc_texts.get(h.doc_id, (authors or {}).get(h.doc_id, "")) + h.text
    best = scored[0].score
    terms = _topic_terms(question)
    facets = [f for f in asked.forms if f not in (Form.GENERAL, Form.DOCFACT, Form.YESNO)]
    chosen: list[ScoredSentence] = []
    used = 0
    missing: list[Form] = []

    def take(s: ScoredSentence) -> bool:
        nonlocal used
        if any(s.text in c.text or c.text in s.text for c in chosen) or len(chosen) >= max_sentences:
            return False  # the same words, or a merged unit and one of its parts
        if used and used + len(s.text) > max_chars:
            return False
        if sum(c.n == s.n for c in chosen) >= PER_PASSAGE:
            return False
        chosen.append(s)
        used += len(s.text)
        return True

    # 1. The opening statement of an overview ("X是什么 / how does X work"): what the topic is.
    if overview:
        opening = next((s for s in scored if hits[s.n - 1].idx == 0), None)
        if opening is not None and opening.score >= 0.4 * best:
            take(opening)
    # 2a. "A和B分别是多少": a sentence for each of the things asked, stating the asked facet.
    # ("分别是第几批": a sentence that says which batch, 第三批 or 首批)
    nth = re.compile(rf"(?:第[{_CN}\d]+|首){m.group(1)}") if (m := _NTH_Q.search(question)) else None
    for part in asked.parts:
        keys = [t for t in query_terms(part) if len(t) >= 2] or [part]
        need = max(1, (len(keys) + 1) // 2)
        pick = next((c for c in scored if sum(k in c.text for k in keys) >= need
                     and (nth.search(c.text) if nth else not facets or any(holds(f, c.text) for f in facets))), None)
        if pick is not None:
            take(pick)
    # 2b. "“四个机关”中最根本的是哪个": the sentence that says which one is the most fundamental, first
    if (m := _SUPERLATIVE.search(question)) is not None:
        said = next((c for c in scored if m.group(0) in c.text and c.score >= FACET_MIN_RELATIVE * best
                     and _about_topic(c, hits[c.n - 1], terms)), None)
        if said is not None:
            take(said)
    # 2b'. The means asked ("采用了什么办法", "通过哪些渠道"): the best sentence naming means of that kind
    # ("采取“四不两直”方式，综合运用……等方式"), before sentences that merely share the question's words
    atype = answer_type(question)
    if atype in MEANS:
        means = next((c for c in scored if _NAMES_MEANS.search(c.text) and c.score >= FACET_MIN_RELATIVE * best
                      and _about_topic(c, hits[c.n - 1], terms)), None)
        if means is not None:
            take(means)
    # 2c. "A和B的领导作用有啥不同": for each side, the sentence it is the subject of and that speaks of the compared
    # thing ("市直机关工委的领导主要体现为……", "各单位党组(党委)对机关党建工作的领导主要体现为……")
    # the two bodies compared and the words of what is compared of them (read once: 2c, 2 and 2a' use them)
    names = compared_names(question) if Form.COMPARISON in facets or asked.across else []
    thing = _compared_thing(question, names) if len(names) == 2 else []
    if Form.COMPARISON in facets and len(names) == 2:
        for name, other_side in (names, names[::-1]):
            of_side = next((c for c in scored if 0 <= c.text.find(name) <= SUBJECT_AT
                            and other_side not in re.split(r"[，,；;。]", c.text)[0]  # (not both sides its subject)
                            and any(t[:2] in c.text.replace(name, "") for t in thing)
                            and c.score >= FACET_MIN_RELATIVE * best), None)
            if of_side is not None:
                take(of_side)
    # 2. One sentence per asked facet: the best sentence about the topic that states it. A comparison's sentence
    # states it of one side ("书记联席会至少每年召开两次" of "书记联席会与……工作会议在召开频次上有何不同").
    asks = [question, *(compared_sides(question) if asked.across else [])]
    named = _DEFINED.search(question)
    def names_quoted(form: Form, text: str) -> bool:
        """"“一把钥匙开一把锁”指的啥": the sentence that uses the quoted words says what they stand for;
        "主题教育的总要求是什么": the sentence that quotes it as “学思想、强党性……”总要求."""
        if form is not Form.DEFINITION:
            return False
        if asked.quoted:
            return all(x in text for x in asked.quoted)
        return named is not None and re.search(r"“[^”]{2,40}”" + re.escape(named.group(1)), text) is not None

    for form in facets:
        quoting = form is Form.DEFINITION and named is not None and not asked.quoted and any(
            names_quoted(form, s.text) and s.score >= FACET_MIN_RELATIVE * best for s in scored)
        if any(holds(form, c.text) and _facet_ok(form, asked, c.text, question)
               and (form is not Form.SIGNIFICANCE or VALUE[form].search(c.text))
               and (not quoting or names_quoted(form, c.text)) for c in chosen):
            if form is Form.ENUMERATION and not asked.across:  # the fuller statement of a list taken in passing
                for i, c in enumerate(chosen):
                    fuller = _fuller_list(c, [s for s in scored if s.score >= FACET_MIN_RELATIVE * best])
                    if fuller is not None and not any(fuller.text in x.text for x in chosen):
                        used += len(fuller.text) - len(c.text)
                        chosen[i] = fuller
            continue
        strict = form in asked.strict
        cands = [s for s in scored if (holds(form, s.text) or names_quoted(form, s.text))
                 and _facet_ok(form, asked, s.text, question)
                 and _about_topic(s, hits[s.n - 1], terms) and s.score >= FACET_MIN_RELATIVE * best
                 and (form not in _DATED or year_fits(question, s.text, hits[s.n - 1]))
                 and (not strict or any(_states_for_topic(q, asked, s, hits[s.n - 1],
                                                          doc_texts.get(hits[s.n - 1].doc_id, "")) for q in asks))
                 and (form is not Form.ATTRIBUTE or _passage_on_topic(question, asked, hits[s.n - 1]))
                 # "去了哪个省": a place of that kind is named (a report's province by its title)
                 and (form is not Form.WHERE or not asked.place_kind
                      or names_place(asked.place_kind, s.text + hits[s.n - 1].title))]
        if focus:  # "那中心组学习呢" after 警示教育开展了几次: 中心组学习14次, not 警示教育10次
            of_focus = [c for c in cands if _names_focus(focus, c.text)]
            # a strict fact stated only of the previous thing is not stated of X ("那老干部活动室呢")
            cands = of_focus if of_focus or strict else cands
        if form is Form.QUANTITY:  # a planned figure from the list of targets; last year's outcome not from it
            cands = [c for c in cands if fits_period(asked, c.text, hits[c.n - 1])]
        if form in VALUE and cands:  # "多久 / 几次 / 多少": a sentence stating the value before one naming 期限
            # ("去年…多少": a figure of that year before one of the five years a report also reviews)
            last_year = form is Form.QUANTITY and bool(_LAST_YEAR_Q.search(question))
            # "最长期限": a sentence stating the bound asked (责令候查最长不得超过十二个月) before one with some
            # other period in it (……在二十四小时以内报告)
            bound = next((b for b in BOUNDS if b.search(question)), None)
            near = BOUND_NEAR * max((s.score for s in cands if VALUE[form].search(s.text)), default=0.0)
            cands.sort(key=lambda s: (not VALUE[form].search(s.text),
                                      bound is not None and not (bound.search(s.text) and s.score >= near),
                                      last_year and bool(_YEARS_REVIEWED.search(s.text)), -s.score))
        if quoting:  # "总要求是什么": the sentence quoting it as “……”总要求 first
            cands.sort(key=lambda s: not names_quoted(form, s.text))
        if form is Form.ENUMERATION:  # a sentence that names the items (简称, 分别是, 包括) before one that lists in passing
            # "哪些形式": a sentence listing 形式 first; then one that names items (简称, 分别是); then score.
            mark = item_mark(question)
            cands.sort(key=lambda s: (not (mark and marked_items(s.text, mark) >= (asked.count or 2)),
                                      not (lists_asked_kind(question, s.text) or lists_parts_of(question, s.text)),
                                      not (atype and names_type(atype, s.text)),  # (方式 of 啥办法)
                                      -(s.score + (NAMING_BONUS if _NAMING.search(s.text) else 0.0))))
            if cands and not asked.across and (fuller := _fuller_list(cands[0], cands[1:])) is not None:
                cands.remove(fuller)  # "北京机关党建网、微信公众号" / "北京机关党建网、电子政务内网、微信公众号、……"
                cands.insert(0, fuller)
        if cands and asked.across:  # one sentence from each document asked about
            seen_docs: set[str] = set()
            if len(names) == 2:
                # of each document, a sentence on the compared thing first ("中心组学习14次" / "中心组集中学习9次",
                # not "邀请60名人大代表" that names the body's own words)
                cands.sort(key=functools.partial(_on_thing, thing, form is Form.QUANTITY))
            for c in cands:
                doc = hits[c.n - 1].doc_id
                if doc not in seen_docs and len(seen_docs) < ACROSS_DOCS:
                    seen_docs.add(doc)
                    take(c)
        elif cands:
            if form is Form.OPERATION:  # how it runs: rules that say how often, who does what, come first
                cands.sort(key=lambda s: -(s.score + (OPERATION_RULE_BONUS if holds(Form.FREQUENCY, s.text) else 0.0)))
            take(cands[0])
            if form is Form.ENUMERATION and len(kinds := asked_kinds(question)) > 1:
                for kind in kinds:  # "组织了哪些调研和活动": a list of each kind
                    if not any(lists_kind(kind, c.text) for c in chosen):
                        doc = hits[cands[0].n - 1].doc_id  # of the same document first
                        more = min((c for c in cands if lists_kind(kind, c.text)), default=None,
                                   key=lambda c: (hits[c.n - 1].doc_id != doc, cands.index(c)))
                        if more is not None:
                            take(more)
            if form is Form.OPERATION:  # the other rules of the same section, and of one more passage
                other = next((s for s in cands[1:] if s.n != cands[0].n and s.score >= 0.5 * cands[0].score), None)
                for s in cands[1:]:
                    if (s.n == cands[0].n or s is other) and len(chosen) < max_sentences \
                            and s.score >= 0.5 * cands[0].score:
                        take(s)
        elif form in asked.strict:
            missing.append(form)
    # 2a'. Two bodies asked of one thing with no facet ("A和B在年轻干部理论学习上各搞了啥"): of each document not yet
    # heard, its best sentence on the compared thing
    if asked.across and len(names) == 2:
        heard = {hits[c.n - 1].doc_id for c in chosen}
        for c in scored:
            doc = hits[c.n - 1].doc_id
            if (doc not in heard and len(heard) < len(names) and c.score >= FACET_MIN_RELATIVE * best
                    and sum(t in c.text for t in thing) >= max(1, len(thing) // 2)):
                heard.add(doc)
                take(c)
    # 2b. A compound question ("怎么分组、又是如何确定牵头单位的"): a sentence for each clause not yet answered.
    subs = sub_questions(question) if not asked.parts else []
    for i, sub in enumerate(subs):
        # the clause's best sentence by its own words (a clause of no words of its own, "谁主持的", with the
        # first clause's subject); nothing when that sentence is taken already
        sub_asked = analyse(sub)  # "今年目标定了多少，去年实际涨了多少": a target, then a result (of the same measure)
        sub_asked.measure = sub_asked.measure or asked.measure
        own = sorted(score_sentences(sub if _clause_words(sub) or i == 0 else f"{subs[0]} {sub}", hits, False,
                                     sub_asked), key=lambda x: -x.score)
        fit = [c for c in own if sub_answered(sub, [c.text], loose=True, asked=sub_asked)
               and _about_topic(c, hits[c.n - 1], terms) and fits_period(sub_asked, c.text, hits[c.n - 1])]
        # of sentences scoring as well as the best (a tie), one not taken yet
        pick = next((c for c in fit if c.score >= 0.95 * fit[0].score
                     and not any(c.text in x.text or x.text in c.text for x in chosen)), None) if fit else None
        if pick is not None:
            take(next((c for c in scored if (c.n, c.pos) == (pick.n, pick.pos)), pick))
    if spelled_out_asked(question, asked) and Form.ENUMERATION in facets and Form.ENUMERATION not in missing:
        # "“四个机关”是哪四个", "哪四个“重”": a sentence that spells that many items out, else the texts only use
        # the formulation (or list fewer)
        listing = [s for s in scored if spells_out(question, asked, s.text, hits[s.n - 1])
                   and s.score >= FACET_MIN_RELATIVE * best]
        if not any(spells_out(question, asked, c.text, hits[c.n - 1]) for c in chosen):
            if listing and not take(listing[0]) and chosen:
                chosen[-1] = listing[0]  # in place of the last sentence taken (the plan is full)
            elif not listing:
                missing.append(Form.ENUMERATION)
            if listing and listing[0] in chosen:
                # the set spelled out answers; other lists taken before it (of 培训, of 党课) are of other things
                chosen[:] = [listing[0]] + [c for c in chosen if c is not listing[0]
                                            and not holds(Form.ENUMERATION, c.text)]
    # 2c. The items of a list laid out over sentences (一是……二是……), led by or holding a sentence on the topic.
    if Form.ENUMERATION in facets and not asked.across and not asked.formulation:
        listed = _laid_out_items(question, asked, scored, hits, terms, RUN_MIN_RELATIVE * best)
        if listed:
            doc = hits[listed[0].n - 1].doc_id  # with a sentence of the same document chosen before the list
            kept = [c for c in chosen if hits[c.n - 1].doc_id == doc and (c.n != listed[0].n or c.pos < listed[0].pos)
                    and c.text not in {x.text for x in listed}]
            chosen[:] = kept[:1] + listed
            max_sentences = len(chosen)
    if (Form.ENUMERATION in facets and not asked.across and Form.ENUMERATION not in missing
            and _typed_missing(question, [s for s in scored if s.score >= FACET_MIN_RELATIVE * best])):
        missing.append(Form.ENUMERATION)
    # 2d. How a thing works, what it is or a fact of it (多久, 多少), of a thing the texts only name as an example
    # ("探索党员积分管理等量化评价方式", "举办党风廉政宣传教育周等品牌特色活动"): not stated.
    unstated = list(dict.fromkeys(f for f in (Form.OPERATION, Form.DEFINITION, *asked.strict)
                                  if f in facets and f not in missing))
    if unstated and only_named(question, [s.text for s in scored], [h.title + " ".join(h.heading_path) for h in hits]):
        missing += unstated
    # 3. Fill with the best remaining sentences that stay on point (for a pointed question only when
    #    the asked facet was not found, or with a sentence nearly as good as the best).
    floor = MIN_RELATIVE_SCORE * best
    if facets and all(f in POINTED for f in facets) and chosen:
        floor = max(floor, 0.9 * best)
        max_sentences = min(max_sentences, len(chosen) + 1)
    for s in scored:
        if len(chosen) >= max_sentences:
            break
        if s.score < floor or not _about_topic(s, hits[s.n - 1], terms) or (
                focus and asked.strict and not _names_focus(focus, s.text)):
            continue  # a strict "那X呢" answer (几次, 多久) is filled only with sentences about X
        if Form.QUANTITY in asked.strict and holds(Form.QUANTITY, s.text) and not (
                quantity_ok(asked, s.text) and fits_period(asked, s.text, hits[s.n - 1])):
            continue  # another figure (last year's result beside this year's target, another measure) misleads
        # Another document's sentence joins only when it is nearly as good: fillers stay with the topic's source.
        docs = {hits[c.n - 1].doc_id for c in chosen}
        if docs and hits[s.n - 1].doc_id not in docs and s.score < OTHER_DOC_FILL * best and not asked.across:
            continue
        take(s)
    if not chosen:
        take(scored[0])
    chosen.sort(key=lambda c: (c.n, c.pos))
    out = [Planned(c.n, c.pos, c.text, c.score, [f for f in facets if holds(f, c.text)], c.meaning) for c in chosen]
    spare = [Planned(s.n, s.pos, s.text, s.score, meaning=s.meaning) for s in scored if s not in chosen][:4]
    return Plan(out, missing=missing, spare=spare)


def _laid_out_items(question: str, asked: Asked, scored: list[ScoredSentence], hits: list[Hit], terms: dict[str, float],
                    floor: float) -> list[ScoredSentence]:
    """The lead and the items of the best-scoring list laid out over sentences that the question's topic leads or
    belongs to, each item by its name; [] when none has as many items as asked."""
    # the mark items open with: a quoted word of the question ("哪几个“必须”"), or a one-character mark (“三力”)
    mark = next((q for q in asked.quoted if 2 <= len(q) <= 4 and not re.search(r"[\d一二两三四五六七八九十]", q)),
                item_mark(question))
    for s in scored:
        if s.score < floor:
            break
        if not _about_topic(s, hits[s.n - 1], terms):
            continue
        units = answer_units(hits[s.n - 1].text)
        if s.pos >= len(units) or units[s.pos] != s.text:
            continue  # a merged unit, not a sentence of the text's order
        run = item_run(units, s.pos, mark)
        if len(run) < max(2, asked.count or 2) or (asked.count and len(run) != asked.count):
            continue
        lead = [] if s.pos in run else [s] + [ScoredSentence(s.score, s.n, i, units[i]) for i in range(s.pos + 1, run[0])]
        return lead + [ScoredSentence(s.score, s.n, i, item_head(units[i])) for i in run]
    return []


_LISTED_KIND = re.compile(r"(?:哪些|哪几[个种项类条]?)([\u4e00-\u9fff]{2,8}?)(?:呢|吗)?(?:[？?]|$)")


def asked_kind(question: str) -> str:
    """The kind of thing an enumeration asks for when the question ends with it ("开展了哪些执法检查？" → 执法检查)."""
    m = _LISTED_KIND.search(question)
    return m.group(1) if m else ""


def lists_asked_kind(question: str, sentence: str) -> bool:
    """"哪些执法检查": the sentence lists things as that kind ("湿地保护法、监狱法等执法检查4项")."""
    kind = asked_kind(question)
    return bool(kind) and bool(re.search(rf"、[^，,。；]{{1,30}}等{re.escape(kind[:2])}", sentence))


def lists_kind(kind: str, sentence: str) -> bool:
    """The sentence's 、-list ends in the kind ("……故事分享会、……青年读书实践活动")."""
    return bool(re.search(rf"、[^，,。；;]{{1,40}}{re.escape(kind[-2:])}", sentence))


def asked_kinds(question: str) -> list[str]:
    """"哪些调研和活动" → 调研, 活动: kinds asked together, each listed in a sentence of its own."""
    return [k for k in re.split(r"和|及|与|、", asked_kind(question)) if len(k) >= 2]


_WHOLE_Q = re.compile(r"([\u4e00-\u9fff]{2,8}?)[，,]?(?:都|主要|具体|一共|共|又)?(?:包括|包含|分为|分成|由)(?:了)?(?:哪些|哪几|什么|啥)")


def lists_parts_of(question: str, sentence: str) -> bool:
    """"工作闭环都包括哪几个环节": the sentence lists the parts of that whole ("台账管理、日常督办……工作闭环",
    "工作闭环包括……、……")."""
    m = _WHOLE_Q.search(question)
    if not m:
        return False
    said = m.group(1)  # the whole is the end of what precedes 包括: its longest ending the sentence holds
    whole = next((said[-n:] for n in range(min(6, len(said)), 1, -1) if said[-n:] in sentence), "")
    if not whole:
        return False
    w = re.escape(whole)
    return bool(re.search(rf"、[^，,。；;]{{1,30}}{w}|{w}[^。；;]{{0,6}}(?:包括|包含|分为|分成|有|是|由)[^。]{{0,30}}、", sentence))


FOCUS_PRESENCE = 0.6
"""How much of a follow-up's X ("那X呢") a sentence must hold to be about X (see :func:`.answerability.presence`)."""


def _names_focus(focus: str, sentence: str, least: float = FOCUS_PRESENCE) -> bool:
    """The sentence names each term of X ("老党员的纪念章": 老党员 and 纪念章; "专委会": 专(工)委)."""
    hay = norm(ASIDE.sub("", sentence))
    focus = ASIDE.sub("", focus) or focus  # (专(工)委 read as the sentence is: 专委)
    terms = list(focus_terms(focus)) or [focus]
    return all(presence(t, hay) >= least for t in terms)


STRICT_COVERAGE = 0.2
"""A sentence stating a strict facet (a number, a date …) must itself name this share of the question's focus
terms: "21名优秀共产党员" does not answer how many “四好”党员 were chosen."""


def sentence_coverage(question: str, sentence: str, hit: Hit, facets: Iterable[Form] = ()) -> float:
    """Weighted share of the question's focus terms the sentence (with its headings) holds. Terms that name an
    asked ``facets`` itself (任期, 次数) are left out: "任期一年" of 牵头单位 states no 任期 of 市委委员."""
    hay = norm(sentence + " ".join(hit.heading_path[1:]))
    shares = []
    for q in dict.fromkeys((question, in_chinese_measures(question))):  # (GDP as written, or 生产总值)
        terms = {t: w for t, w in focus_terms(q).items()
                 if not (facets and not re.search(r"\d", t) and (t in ASKED_NOUNS or any(f in FACET and holds(f, t) for f in facets)))}
        shares.append(sum(w * presence(t, hay) for t, w in terms.items()) / sum(terms.values()) if terms else 1.0)
    return max(shares)


_RULE_ENDS = {"办法", "制度", "条例", "规定", "规则", "细则", "意见", "方案", "规划"}


def _states_for_topic(question: str, asked: Asked, s: ScoredSentence, hit: Hit, doc_text: str = "") -> bool:
    """A strict facet's sentence must be about the question's own topic: its document (as retrieved) names
    the main (longest) focus term, the sentence holds the quoted terms and a share of the other terms."""
    if asked.counted and asked.unit != "元" and names_counted(asked.counted, s.text) and quantity_ok(asked, s.text):
        # "45项民生实事" for "多少件实事": the counted thing itself is named with its number (money is no such
        # thing: "就业补助资金12.19亿元" is no sum for 民生实事工程)
        return True
    # GDP, PM2.5 as the question writes them or as reports do (生产总值, 细颗粒物)
    return any(_states_for(q, asked, s, hit, doc_text) for q in dict.fromkeys((question, in_chinese_measures(question))))


def _states_for(question: str, asked: Asked, s: ScoredSentence, hit: Hit, doc_text: str) -> bool:
    # the longest *topic* term: an idiom or plain word of colloquial wording ("一年到头") names no topic
    # (nor does a word ending in an asked noun: 控制目标, 考核标准 frame what is asked)
    # (a rule's name is its topic: 沟通联系办法, 联席会议制度 end in a word that elsewhere frames the ask)
    terms = {t: w for t, w in focus_terms(question).items()
             if not plain_word(t) and not (len(t) > 2 and t[-2:] in ASKED_NOUNS and t[-2:] not in _RULE_ENDS)} \
        or focus_terms(question)
    raw = (doc_text or hit.text) + " ".join(hit.heading_path) + hit.title
    # "党委(总支、支部)书记" is the 党委书记 of a question: asides in brackets are read both ways
    hays = (norm(raw), norm(ASIDE.sub("", raw)))
    if terms:
        longest = max(len(t) for t in terms)
        if max(presence(t, h) for t in terms if len(t) == longest for h in hays) < 0.6:
            return False
    # a measure said in the report's other words ("经济增长5.5%左右" of 地区生产总值) counts as named
    text = s.text + (asked.measure if asked.measure and any(m in s.text for m in same_measured(asked.measure)) else "")
    text += _items_after(s.text, hit.text)
    if _SELF_NAMED.search(s.text):  # "本条例自2007年6月1日起施行": the text names itself, the title is what it says
        text += hit.title
    return (sentence_coverage(question, text, hit, asked.strict) >= STRICT_COVERAGE
            and all(norm(x) in norm(s.text) for x in asked.quoted))


_SELF_NAMED = re.compile(r"本(?:法|条例|办法|规定|细则|决定|准则)")
_NEXT_ARTICLE = re.compile(r"\n\s*第[一二三四五六七八九十百零〇]+条")


def _items_after(sentence: str, passage: str, limit: int = 600) -> str:
    """The items the paragraph of a sentence introduces ("……可以对单位并处三千元以上五万元以下的罚款；……：
    （一）……（二）私设会计账簿的"): what the sentence says is said of each (empty when its paragraph ends
    otherwise than in "：")."""
    if (at := passage.find(sentence)) < 0:
        return ""
    rest = passage[at + len(sentence):]
    line = rest.split("\n", 1)[0]  # the rest of the sentence's paragraph
    if not (sentence + line).rstrip().endswith(("：", ":")):
        return ""
    items = rest[len(line):][:limit]
    return items[:m.start()] if (m := _NEXT_ARTICLE.search(items)) else items


RESERVE_COVERAGE = 0.6
"""A strict fact taken from a passage ranked below the hits names this share of the question's topic terms."""
RESERVE_LIST_COVERAGE = 0.5
"""… and a sentence listing things as the asked kind ("……等执法检查"), itself strong evidence, this share."""


def _named_as(term: str) -> list[str]:
    """How a text names what ``term`` names: a rule (联席会议制度, 沟通联系办法) by what it governs, as its own articles
    do ("书记联席会至少每年召开两次"), and a 会议 by its short 会 (联席会议 → 联席会, 党组会议 → 党组会)."""
    out = [term]
    stem = re.sub(r"(?:制度|机制|办法)$", "", term)  # (沟通联系办法 by "……沟通联系一次")
    if stem != term and len(stem) >= 3:
        out.append(stem)
    out += [x[:-1] for x in out if x.endswith("会议") and len(x) >= 4]
    return out


def states_from_afar(question: str, asked: Asked, sentence: str, hit: Hit, focus: str = "",
                     listing: bool = False, named: bool = False, author: str = "") -> bool:
    """A sentence of a low-ranked passage answers a strict question only when it is plainly about it: a count
    stands next to the thing counted ("18支合唱队" counts no 标兵单位, "4900亿元" no 民生实事), any other
    fact stands with most of the topic; a follow-up's X is named in full (领导小组会议 is no 党小组会).
    ``named``: the sentence spells out the asked set's items, which stand for its name (“三力”); ``author``: the
    body the document speaks for, the sentence's implicit subject (see :func:`plan_answer`)."""
    if named and asked.formulation:
        question = question.replace(asked.formulation, "")
    elif named and (mark := item_mark(question)):
        question = re.sub(rf"[“\"‘']?[{_CN}]?{mark}[”\"’']?", "", question)
    if focus and not _names_focus(focus, sentence, least=1.0):
        return False
    counted = asked.counted or asked.counted_before
    if Form.QUANTITY in asked.strict and counted:
        return bool(count_of(counted, gap=4).search(sentence))
    # the question's longest terms (领导小组 of "领导小组是啥时候成立的") stand in it, not only the wider topic
    terms = {t: w for t, w in focus_terms(question).items() if t not in ASKED_NOUNS and not plain_word(t)}
    longest = max((len(t) for t in terms), default=0)
    hay = norm(ASIDE.sub("", author + sentence + " ".join(hit.heading_path[1:])))
    for t in [t for t in terms if len(t) == longest and longest >= 3]:
        said = next((v for v in _named_as(t) if presence(v, hay) >= 1.0), None)
        if said is None:
            return False
        question = question.replace(t, said)  # the topic as the sentence names it, for its coverage below
    return sentence_coverage(question, author + sentence, hit, asked.strict) >= (RESERVE_LIST_COVERAGE if listing
                                                                                  else RESERVE_COVERAGE)


ATTRIBUTE_TOPIC = 0.5
"""A sentence stating an asked attribute (标准, 奖励 …) stands in a passage that names this share of the question's
other focus terms: "评选表彰21名优秀共产党员" states no reward of the “四好”党员 asked about."""


def _passage_on_topic(question: str, asked: Asked, hit: Hit) -> bool:
    noun = asked.attribute.noun if asked.attribute else None
    terms = {t: w for t, w in focus_terms(question).items() if noun is None or not noun.search(t)}
    if not terms:
        return True
    hay = norm(hit.text + " ".join(hit.heading_path) + hit.title)
    return sum(w * presence(t, hay) for t, w in terms.items()) / sum(terms.values()) >= ATTRIBUTE_TOPIC


_EVENT = re.compile(r"召开|举行|举办|开会")
_VENUE = re.compile(r"在[\u4e00-\u9fff]{1,12}(?:召开|举行|举办)|地点|在京")


_BARE_TIMES = re.compile(rf"{CN_COUNTED}次")
_YEAR_OF_NOUN = re.compile(r"(?<![每一])年度(?=[\u4e00-\u9fff]{2})")
_DATE_ASK = re.compile(r"哪一?年|何年|什么年份|什么时候|啥时候?|何时|哪一?天|哪个月")


@functools.lru_cache(maxsize=256)
def _date_event(question: str) -> tuple[str, ...]:
    """The event a date is asked of when it follows the asking words ("是哪一年正式组建的" → 正式, 组建); cached:
    every candidate sentence of a question is checked against it."""
    m = _DATE_ASK.search(question)
    if not m:
        return ()
    # (of its own clause: "哪天办的，跟谁联合办的" asks the date of 办, not of 联合)
    clause = re.split(r"[，,；;。？?！!]", question[m.end():], maxsplit=1)[0]
    return tuple(t for t in query_terms(clause) if len(t) >= 2 and t not in ASKED_NOUNS)


def _compared_thing(question: str, names: list[str]) -> list[str]:
    """The words of what is compared of two bodies: the question without their names ("中心组学习 开展")."""
    rest = question
    for name in names:
        rest = rest.replace(name, " ")
    return [t for t in query_terms(rest) if len(t) >= 2 and t not in ASKED_NOUNS]


def _on_thing(thing: list[str], counting: bool, c: ScoredSentence) -> tuple[bool, int]:
    """Sort key of a compared document's sentences: a count of the compared thing first ("交流研讨5次"), then
    the most of its words."""
    counted = counting and any(re.search(re.escape(t) + r"[^，,。；;、]{0,4}?\d", c.text) for t in thing)
    return (not counted, -sum(t in c.text for t in thing))


_NAMES_MEANS = re.compile(r"(?:采取|采用|运用|通过|利用|借助|以|等|种|的)[^，,。；;、]{0,12}?(?:" + "|".join(sorted(MEANS)) + ")")
"""A sentence naming means ("采取“四不两直”方式", "“挂图作战”的办法", "三种形式"), not a title ending in 办法."""

_HELD = {"举办", "举行", "召开", "开班", "开幕", "开办", "开会", "开展", "启动", "办班"}
_HELD_SAID = re.compile("|".join(_HELD) + r"|在[京\u4e00-\u9fff]{0,4}(?:办|开)")
"""An event held, in any of its words: "哪天开班的" is answered by "……专题培训班在京举办"."""

_DATED = {Form.QUANTITY, Form.FREQUENCY, Form.WHO, Form.WHERE}
"""Facts of a year: a count, how often, who, where (a date or a list may span years)."""
_YEAR_ASKED = re.compile(r"(?<![\d第])((?:19|20)\d{2})年(以来|起|至今|后)?")
_YEAR_SAID = re.compile(r"(?<![\d第])((?:19|20)\d{2})年")
_YEAR_SPAN = re.compile(r"((?:19|20)\d{2})(?:年)?(?:至|到|—|－|-|~)((?:19|20)\d{2})年")


def year_fits(question: str, sentence: str, hit: Hit | None = None) -> bool:
    """A year the question names is the sentence's year ("2025年，……调整、晋升干部9人次" states nothing of 2024);
    a sentence that names none speaks of its passage's years, or of its document's own (年内 of a 2025 article).
    "2024年以来" takes later years, "2023年至2025年" the years between."""
    asked = _YEAR_ASKED.findall(question)
    if not asked:
        return True
    said = {int(y) for y in _YEAR_SAID.findall(sentence)}
    if not said and hit is not None and hit.date[:4].isdigit():
        said = {int(y) for y in _YEAR_SAID.findall(hit.text)} | {int(y) for y in own_years(hit)}
        sentence = hit.text
    if not said:
        return True
    for a, b in _YEAR_SPAN.findall(sentence):
        said |= set(range(int(a), int(b) + 1))
    return any(int(y) in said or (since and any(x >= int(y) for x in said)) for y, since in asked)


_QUALITIES = re.compile(r"(?:[\u4e00-\u9fff]{2,5}、){1,}[\u4e00-\u9fff]{2,5}的")
"""Short qualities listed before the thing they qualify ("讲政治、守纪律、负责任、有效率的模范机关")."""


_SAID_OTHERWISE = {"专门": ("专题", "专项"), "专题": ("专门", "专项"), "专项": ("专门", "专题")}
"""Words that qualify what is counted, as texts also write them ("专门研究党风廉政建设的有几次": 专题研究……2次)."""
_GENERIC_HEADS = frozenset("材料 情况 工作 活动 形式 方式 内容 事项 方面 资料".split())
"""Head nouns that name no kind of their own: in 书面材料 the modifier (书面) says what is meant."""


@functools.lru_cache(maxsize=256)
def _said_of_counted(question: str) -> tuple[str, ...]:
    """What the question says of the things it counts, after and before the count: read once per question (jieba),
    not once per candidate sentence."""
    return (*said_of_count(question), *qualifiers_of_count(question))


def _facet_ok(form: Form, asked: Asked, sentence: str, question: str = "") -> bool:
    """Stricter checks than the facet pattern: an enumeration asked with a count ("哪两项") needs that many
    items; a quantity needs a number with the asked unit; "是谁" needs a person's name."""
    if form is Form.ENUMERATION:
        need = asked.count or 2
        return enumerated_items(sentence) >= need
    if form is Form.QUANTITY:
        if _AVERAGE_Q.search(question) and not _AVERAGE.search(sentence):
            return False  # "平均每位委员联系多少代表": a total (365名) states no average
        if asked.unit in ("人", "名", "位") and "人次" in sentence and not re.search(r"\d\s*[名位]|\d\s*人(?!次)", sentence):
            # attendances counted (133人次) answer "多少人" only for the activity asked: the question's longest
            # words stand in the sentence (线下 培训, not 志愿服务)
            terms = [t for t in focus_terms(question) if t not in ASKED_NOUNS]
            longest = max((len(t) for t in terms), default=0)
            # … unless the people counted stand with the number ("调整、晋升干部9人次" of "调整了几个干部")
            own = bool(asked.counted) and re.search(re.escape(asked.counted) + r"[^，,。；;、]{0,2}?\d+\s*人次", sentence)
            if not own and not all(t in sentence for t in terms if len(t) == longest):
                return False
        if GROWTH_Q.search(question) and not GROWTH.search(sentence):
            return False  # "比上一年增长了多少": a level is no change
        if not all(w in sentence or (len(w) >= 4 and w[-2:] in sentence)  # (领导批示: 肯定性批示)
                   or any(x in sentence for x in _SAID_OTHERWISE.get(w, ()))  # (专门研究: 专题研究)
                   # (书面材料 交流: "作书面交流" — a generic head word, the modifier says which)
                   or (len(w) >= 4 and w[-2:] in _GENERIC_HEADS and w[:2] in sentence)
                   for w in _said_of_counted(question)):
            return False  # "有几篇拿了奖": "形成调研报告74篇" counts reports, not those awarded
        return quantity_ok(asked, sentence)
    if form is Form.DATE:  # a date of what was asked ("哪一年正式组建的": the sentence says 组建), as a year if asked so
        event = _date_event(question)
        return (not asked.year or bool(YEAR.search(sentence))) and (not event or any(
            t in sentence or (t in _HELD and bool(_HELD_SAID.search(sentence))) for t in event))
    if form is Form.DURATION and re.search(r"几|多少|多长|多久", question):
        # "脱密期是几年": a length said, not "确定脱密期期限" (nor "一年来")
        return bool(VALUE[Form.DURATION].search(no_length(sentence)))
    if form is Form.FREQUENCY:  # times counted with no period ("开展志愿服务217次") are a quantity, no frequency
        # (nor is 年度 that qualifies a noun: "督促年度机关党建工作任务落实" says nothing of how often)
        said = _YEAR_OF_NOUN.sub("", _BARE_TIMES.sub("", sentence))
        return bool(FACET[Form.FREQUENCY].search(said) or PERIODIC_COUNT.search(sentence))
    if form is Form.ATTRIBUTE:  # "评选标准是什么": a sentence that states a standard, not one that names the activity
        # the question's own words state nothing ("表彰的优秀共产党员有什么奖励": 表彰 is the topic, not a reward),
        # but the words that ask for the attribute do ("由谁批准": 经……批准)
        if asked.attribute is None:
            return True
        if Form.ENUMERATION in asked.forms and _QUALITIES.search(sentence) and any(
                t in sentence and f"的{t}" in sentence for t in focus_terms(question) if len(t) >= 3):
            return True  # "模范机关有哪几条标准": "讲政治、守纪律、负责任、有效率的模范机关" lists them
        asking = m.group(0) if (m := asked.attribute.asked.search(question)) else ""
        return any(x.group(0) not in question or x.group(0) in asking for x in asked.attribute.stated.finditer(sentence))
    if form is Form.WHO and asked.outcome:  # who won: the sentence states a result, not only that the contest was held
        return bool(OUTCOME.search(sentence))
    if form is Form.WHO and asked.person:  # a name, or in a regulation the office that holds the role
        if asked.role and not any(r in sentence for r in asked.role):
            return False  # "办公室主任是谁": a sentence on the office that names no 主任 does not say who
        # (an office named indefinitely, "由一名市直机关工委领导负责联系", says what kind of person, not who)
        return (has_person(sentence) or bool((m := _ROLE.search(sentence)) and not _SOME_ONE.match(m.group(0), 1))
                or bool(_ROLE_IS.search(sentence)))
    if form is Form.WHERE and (asked.event or _EVENT.search(question)):  # where a meeting is held, not where an office sits
        # … of the event asked: "歌咏展演在哪里举行" is not answered by "……座谈会在北京召开"
        named = [t for t in query_terms(question) if _EVENT_NOUN.search(t)]
        return bool(_VENUE.search(sentence)) and (not named or any(t in sentence for t in named))
    return True


_AVERAGE_Q = re.compile(r"平均|人均|\bon average\b|\baverage\b|\bper (?:person|member|capita)\b", re.I)
_AVERAGE = re.compile(r"平均|人均|每[人名位个家]|均为|均达")
_EVENT_NOUN = re.compile(r"(?:会议|会|赛|展|展演|演出|活动|仪式|论坛|培训班|讲堂|歌咏|合唱|演唱|演讲|典礼|晚会)$")
"""Words naming an event ("座谈会", "歌咏", "展演"): where it is held is asked of it."""
