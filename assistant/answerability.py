"""Whether the retrieved passages can answer a question, and if not, what the library lacks.

Checks, each for a class of unanswerable question:
- relevance: the best passage's dense cosine is above the embedder's floor;
- coverage: the passages contain the question's focus terms (a question about 中央一号文件 finds
  "similar" passages that never name it);
- unsupported specifics: a number, count (十个组, 三次), ordinal (第二批) or frequency (每季度) the
  question states that no passage contains — a false premise;
- unknown terms: content nouns (人名, 机构, 事物) found nowhere in the library;
- missing documents: a named law, regulation or report (《…》, …条例, …法) that the library does not hold.
Thresholds were calibrated on the tuning part of eval/questions.jsonl only.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.textnorm import normalize_for_index
from policyqa.types import Hit, SearchFilter

from .extractive import QUESTION_WORDS, query_terms
from .grounding import ASIDE, norm, split_sentences
from .names import person_names, pos_tagger

RELEVANCE_FLOOR = {"e5": 0.80, "use": 0.25}
"""Minimum dense cosine of the best passage, per embedder (e5 cosines sit in a narrow high band)."""
DEFAULT_FLOOR = 0.35
MIN_PASSAGE_COVERAGE = 0.45
"""Share (by weight) of the question's focus terms that one retrieved passage must contain …"""
MIN_UNION_COVERAGE = 0.5
"""… and that the retrieved passages must contain together."""
KNOWN_SHARE = 0.6
"""Coverage may leave out plain words (no nouns) the library never uses only when the rest carries this share."""
NAMED_SHARE = 0.35
NAMED_COVERAGE = 0.95
"""Coverage may leave out all plain words when the named things carry this share and one passage holds them all."""


@dataclass
class Verdict:
    answerable: bool
    relevance: float
    coverage: float
    unsupported: list[str] = field(default_factory=list)
    """What the question names that the library / the retrieved passages do not contain."""
    reason: str = ""
    """Why not answerable: ``relevance`` | ``coverage`` | ``unsupported`` | ``empty``."""
    reworded: str = ""
    """The question's one word the texts say in other words (荣休), let pass."""


def focus_terms(question: str) -> dict[str, float]:
    """The question's maximal Chinese/number content terms (not part of a longer query term) with weights.

    Search-mode tokens repeat the parts of a long term (全国人大常委会 → 全国, 人大, 常委会 …);
    counting them would let a long organ name outweigh the one word the question is about.
    """
    terms = {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
    return {t: w for t, w in terms.items() if not any(t != o and t in o for o in terms)}


ABBREVIATIONS = {"人大": "人民代表大会", "政协": "政治协商会议", "纪委": "纪律检查委员会", "常委会": "常务委员会",
                 "监委": "监察委员会", "国资委": "国有资产监督管理委员会", "发改委": "发展和改革委员会"}
"""Short forms a question uses for what statutes spell out (人大代表 = 人民代表大会代表)."""


def presence(term: str, hay: str) -> float:
    """1 if ``term`` is in ``hay`` (also with its short forms spelled out); else the length share of its longest
    part (2+ characters) that is."""
    if norm(term) in hay:
        return 1.0
    full = term
    for short, long in ABBREVIATIONS.items():
        if short in full and long not in full:
            full = full.replace(short, long)
    if full != term and norm(full) in hay:
        return 1.0
    parts = [p for p in sparse.tokenize(term) if len(p) >= 2 and p != term and norm(p) in hay]
    return max((len(p) for p in parts), default=0) / len(term)


_BODY_WORD = re.compile(r"(?:人大|政协|机关|常委会|委员会|党组|党委|工委|政府|中央|国家|部门|单位|省|市|县|区)$|^(?:省|市|县)")
"""A word naming the body a question is about: it frames the question, it pins no sentence."""
_INSTITUTION = re.compile(r"(?:会|会议|机制|制度|办法|小组|组|委员会|办公室|工委|党组|中心|平台|工程|品牌|讲堂|论坛|队|班|"
                          r"基地|专栏|栏目|大赛|挑战赛|联赛)$")
"""Names of a body, meeting, mechanism or programme: what a compound question names as a thing that exists."""


def _leads(term: str, hay: str) -> bool:
    """``term`` is in ``hay``, or its leading half is: a noun's tail is its class (创建活动: 创建 stands for it;
    联席会议: 会议 does not)."""
    if presence(term, hay) >= 1.0:
        return True
    parts = [p for p in sparse.tokenize(term) if len(p) >= 2 and p != term]
    lead = next((p for p in parts if term.startswith(p)), "")
    return 2 * len(lead) >= len(term) and norm(lead) in hay


def _hays(hits: list[Hit]) -> list[str]:
    return [norm(h.title + " ".join(h.heading_path) + h.text) for h in hits]


def term_coverage(question: str, hits: list[Hit]) -> tuple[float, float, bool]:
    """How well ``hits`` cover every content token of the question (parts of long terms included).

    Returns (best single passage, all passages together, whether the question had such terms).
    """
    terms = {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
    if not terms:
        return 1.0, 1.0, False
    total = sum(terms.values())
    hays = _hays(hits)
    best = max((sum(w for t, w in terms.items() if norm(t) in hay) / total for hay in hays), default=0.0)
    union = sum(w for t, w in terms.items() if any(norm(t) in hay for hay in hays)) / total
    return best, union, True


def focus_coverage(question: str, hits: list[Hit], only: set[str] | None = None) -> tuple[float, float, bool]:
    """Like :func:`term_coverage` over the focus terms; a term found only in part counts by its found share.

    ``only``: count just these of the focus terms."""
    terms = focus_terms(question)
    if only is not None:
        terms = {t: w for t, w in terms.items() if t in only}
    if not terms:
        return 1.0, 1.0, False
    total = sum(terms.values())
    per = [{t: presence(t, hay) for t in terms} for hay in _hays(hits)]
    best = max((sum(w * p[t] for t, w in terms.items()) / total for p in per), default=0.0)
    union = sum(w * max((p[t] for p in per), default=0.0) for t, w in terms.items()) / total
    return best, union, True


# -- false premises ----------------------------------------------------------------

_NUMBER = re.compile(r"(?<![A-Za-z\d.])\d+(?:[·•・.．]\d+)*(?![A-Za-z])")  # (not of a name: PM2.5, 5G, G20)
_ORDINAL = re.compile(r"第[一二三四五六七八九十百零两]+[批届轮次期项条章节名组类]")  # 第一名: a ranking
_EVERY = re.compile(r"每(?:年|月|季度|半年|周|星期|天|日)")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}
_CN_COUNT = re.compile(r"(?<![哪几多第每])([零一二两三四五六七八九十百]+)(?![多余来几])"
                       r"(个|次|项|组|名|位|条|批|种|类|家|届|轮|方面)")


def cn_int(text: str) -> int | None:
    """Chinese numeral below 1,000 → int (十二 → 12, 一百二十二 → 122, 两 → 2)."""
    total, cur = 0, 0
    for ch in text:
        if ch in _CN_DIGIT:
            cur = _CN_DIGIT[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


_NUM_WITH_UNIT = re.compile(r"(?<![\d·.])(\d{1,4})(个|次|项|组|名|位|条|批|种|类|家|届|轮|期|件|人|场|篇|份)")
SAME_UNIT = {"位": "位名人", "名": "名位人", "人": "人名位", "家": "家个所", "个": "个家所项件"}
"""Units a count of people is stated in interchangeably (8位 = 8名)."""


def int_cn(n: int) -> str:
    """12 → 十二, 122 → 一百二十二 (below 1,000)."""
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 20:
        return "十" + (d[n % 10] if n % 10 else "")
    if n < 100:
        return d[n // 10] + "十" + (d[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + int_cn(rest) if rest < 10 else (("一" if rest < 20 else "") + int_cn(rest)))
    return d[n // 100] + "百" + tail


def abbreviates(short: str, title: str) -> bool:
    """``short`` is the usual short name of a law's ``title``: its characters in order, the same first and last
    ("保密法" of "中华人民共和国保守国家秘密法"; not of 保守国家秘密法实施条例, which ends otherwise)."""
    title = re.sub(r"^(?:中华人民共和国|中国共产党)", "", title)
    it = iter(title)
    return (3 <= len(short) < len(title) and short[0] == title[0] and short[-1] == title[-1]
            and all(c in it for c in short))


def _short_name(key: str, hay: str) -> str:
    """The short name the texts give a title (normalized ``key``): "《…暂行办法》(以下简称《沟通联系办法》)" → 沟通联系办法."""
    m = re.search(re.escape(key) + r"[>》]?[(（]?(?:以下)?简称[<《]?([^>》)）]{2,20})", hay)
    return m.group(1) if m else ""


def co_occurs(specific: str, question: str, hits: list[Hit]) -> bool:
    """Some passage holds ``specific`` together with (most of) the question's main topic term."""
    key = norm(specific)
    # Nouns that frame what is asked ("覆盖哪个时间段", "有什么要求") are no topic it must stand with.
    others = {t: w for t, w in focus_terms(question).items() if norm(t) not in key and key not in norm(t)
              and t not in ASKED_NOUNS}
    main = max(others, key=len) if others else ""
    for h in hits:
        hay = norm(h.title + " ".join(h.heading_path) + h.text)
        # "机关党委(总支、支部)书记联席会" is the 党委书记联席会 of a question: asides in brackets are left out
        if key in hay and (not main or presence(main, hay) >= 0.6 or presence(main, norm(ASIDE.sub("", hay))) >= 0.6):
            return True
    return False


def stated_with_subject(specific: str, question: str, hits: list[Hit], pattern: str = "") -> bool:
    """Some sentence of the passages holds ``specific`` (or ``pattern``: the same count in another measure
    word) with a term of the question's clause it stands in ("记过的处分期为二十四个月": a sentence with
    二十四个月 and 记过 — "（五）撤职，二十四个月" is another rule)."""
    clause = next((c for c in re.split(r"[，,。？?！!；;]", question) if specific in c), question)
    key = norm(specific)
    titles = [norm(n) for n in named_documents(question)]
    terms = [t for t in focus_terms(clause) if norm(t) not in key and key not in norm(t) and len(t) >= 2
             and not any(norm(t) in n for n in titles)]
    if not terms:
        return True
    for h in hits:
        for sent in split_sentences(h.text):  # one sentence or list item: a rule's own period
            holds = re.search(pattern, norm(sent)) if pattern else key in norm(sent)
            if holds and any(presence(t, norm(sent)) >= 0.6 for t in terms):
                return True
    return False


def _digits_key(text: str) -> str:
    return re.sub(r"(?<=\d)[•・．](?=\d)", "·", text)


_PERIOD = re.compile(r"(?<![\d零一二两三四五六七八九十百第每])(?:(?!1(?!\d))\d{1,3}(?!\d)|(?!一(?![零一二两三四五六七八九十百]))"
                     r"[零一二两三四五六七八九十百]+)(?:个月|个工作日|小时|年|日|天|周)"
                     r"(?![的前后底末初中])")


_SPAN_NAMED = re.compile(r"(?<![\d零一二两三四五六七八九十百第每近])((?:\d{1,3}|[一二两三四五六七八九十百]+)(?:周年|年))"
                         r"((?:行动)?(?:计划|规划|纲要)|(?<=周年))")


_NOT_ORGAN = re.compile(r"(?:干部|支部|俱乐部|全部|内部|外部|总部|局部|[东南西北中]部|腹部|头部|背部)$")


def organs(question: str) -> list[str]:
    """Departments the question names (宣传部, 中央组织部, 中组部): words of three characters or more ending in 部."""
    words = sparse._get_tokenizer().cut(normalize_for_index(question), HMM=False)
    return list(dict.fromkeys(w for w in words if len(w) >= 3 and w.endswith("部") and not _NOT_ORGAN.search(w)))


_THIS_YEAR = re.compile(r"今年|本年|年内|当年|全年")
_LAST_YEAR = re.compile(r"去年|上年|上一年|过去一年|过去的一年")


def own_years(h: Hit) -> set[str]:
    """The years a dated passage speaks of without naming them: its own (今年, 年内) and the one before (去年,
    过去一年); a passage that names its years ("2025年，……") or says 年内 speaks of no other."""
    y = int(h.date[:4])
    named = set(re.findall(r"(?<!\d)(\d{4})年", h.text))
    out = {str(y)} if not named or str(y) in named or _THIS_YEAR.search(h.text) else set()
    if (not named and not _THIS_YEAR.search(h.text)) or _LAST_YEAR.search(h.text):
        out.add(str(y - 1))
    return out


_PERSON_ACT = re.compile(r"(?:是|由|让|请)?([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:来|亲自|在[^，,。？?]{0,30}?[上中])?(主持|讲了?话|致辞|发了?言|作了?报告|带队|"
                         r"授课|主讲|宣讲|撰写|执笔|签发)")


def person_acts(question: str) -> list[tuple[str, str]]:
    """(person, act) the question asserts ("会议是蔡奇主持的吧" → (蔡奇, 主持)); a name found by the person tagger."""
    names = set(person_names(question))
    return [(m.group(1), m.group(2).replace("了", "")) for m in _PERSON_ACT.finditer(question) if m.group(1) in names]


_YEAR_THING = re.compile(r"(\d{4})年度?的?([\u4e00-\u9fff]{2,6}?)(?=搞|是|定|叫|有|为|的|呢|吗|啊|在|怎|如何|什么|啥|都|要|，|,|？|\?|$)")
"""A year said of the thing after it: "2024年的书记项目搞的是啥"."""


def unsupported_specifics(question: str, hits: list[Hit]) -> list[str]:
    """Numbers, counts (十个组, 三次), ordinals (第二批) and frequencies (每月) the question states that no
    passage contains.

    A question built on a false premise ("分成了12个组", "每年召开三次", "第二批", "每月召开") names a
    specific the library does not have; answering it from nearby passages would confirm the premise.
    """
    q = _digits_key(norm(question))
    hay = _digits_key("\n".join(norm(h.title + " " + h.text) for h in hits))
    # A dated text speaks of its own year and the one before as 今年 / 去年 (a 2026 report on 2025).
    years = {y for h in hits if h.date[:4].isdigit() for y in own_years(h)}
    missing = [n for n in dict.fromkeys(_NUMBER.findall(q))
               if n not in years and not re.search(rf"(?<![\d·.]){re.escape(n)}(?![\d·]|\.\d)", hay)]
    for m in _NUM_WITH_UNIT.finditer(normalize_for_index(question)):  # "20次": the number must stand with its unit
        num, unit = m.group(1), m.group(2)
        units = f"[{SAME_UNIT.get(unit, unit)}]"
        if num in missing:
            continue
        if re.search(rf"(?<![\d·.]){num}\s*{units}", hay):
            # A count of people stands with whom it counts ("6位退休干部" is not the "6名"专业人才 of another line).
            if unit in SAME_UNIT and not stated_with_subject(m.group(0), question, hits,
                                                              rf"(?<![\d·.]){num}\s*{units}"):
                missing.append(m.group(0))
            continue
        cn = int_cn(int(num)) if num.isdigit() and int(num) < 1000 else ""
        if not (cn and re.search(f"{cn}{units}", hay)):
            missing.append(m.group(0))
    # A year said of a quoted thing ("把“数字赋能党建”定成2025年的书记项目") that the sentences naming it date
    # otherwise ("2026年度书记项目")
    for m in re.finditer(r"[“\"]([^”\"]{2,20})[”\"][^，,。？?]{0,8}?(\d{4})年|(\d{4})年[^，,。？?]{0,8}?[“\"]([^”\"]{2,20})[”\"]",
                         question):
        thing, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        dated = [x for h in hits for x in re.split(r"[。；;]", h.text) if thing in x and re.search(r"\d{4}年", x)]
        if dated and not any(f"{year}年" in x for x in dated) and f"{year}年" not in missing:
            missing.append(f"{year}年")
    # … and unquoted ("2024年的书记项目搞的是啥"), when every sentence naming the thing dates it, none by that year
    for m in _YEAR_THING.finditer(question):
        year, thing = m.group(1), m.group(2)
        naming = [x for h in hits for x in re.split(r"[。；;]", h.text) if thing in x]
        if (naming and all(re.search(r"\d{4}年", x) for x in naming) and not any(f"{year}年" in x for x in naming)
                and f"{year}年" not in missing):
            missing.append(f"{year}年")
    # An ordinal or a frequency must stand with the question's topic, not anywhere ("第三批" of another list).
    missing += [x for x in dict.fromkeys(_ORDINAL.findall(q) + _EVERY.findall(q))
                if not co_occurs(x, question, hits)]
    asks_how_often = re.search(r"多久|多长时间|几|多少", q)
    for m in _CN_COUNT.finditer(q):
        word, unit = m.group(1), m.group(2)
        value = cn_int(word)
        if value is None or (value == 1 and asks_how_often):
            continue
        # "这一轮主题教育", "这俩(这两个)说的是谁": 这 / 那 point at what was named, they state no count
        pre, nxt = q[m.start() - 1:m.start()], q[m.end():m.end() + 1]
        if pre in ("这", "那") and (value == 1 or not re.match(r"[\u4e00-\u9fff]", nxt) or nxt in "说是都分各的也就指讲叫算到为"):
            continue
        units = f"[{SAME_UNIT.get(unit, unit)}]" if unit in SAME_UNIT else unit
        if re.search(f"{word}{units}", hay):
            continue
        if re.search(rf"(?<![\d·.]){value}{units}", hay):
            continue
        missing.append(m.group(0))
    # A plan or anniversary named by its span ("五年行动计划" where the texts have a 三年行动计划, "七十周年" of
    # another event) must be the texts' own: the span with what it names, or with the question's topic.
    for m in _SPAN_NAMED.finditer(q):
        span, named = m.group(1), m.group(2)
        num = span[:-2] if span.endswith("周年") else span[:-1]
        value = int(num) if num.isdigit() else cn_int(num)
        forms = {span} | ({span.replace(num, str(value)), span.replace(num, int_cn(value))} if value else set())
        if any(f in missing for f in forms):
            continue
        # "三年计划" is the texts' 三年行动计划: the span with the same kind of plan, a word or two between
        if named and not any(re.search(re.escape(f) + r"[\u4e00-\u9fff]{0,4}?" + named[-2:], hay) for f in forms):
            missing.append(span + named)
        elif not named and not any(f in hay and (q[max(0, m.start() - 4):m.start()] + f in hay  # 新中国成立75周年
                                                 or co_occurs(f, question, hits)) for f in forms):
            missing.append(span)
    # An organ the question puts in a role ("办公室设在工委宣传部", "联合中央宣传部举办") must stand with the
    # topic in a passage: the texts may name that organ elsewhere, in another role.
    for organ in organs(question):
        if organ not in missing and not co_occurs(organ[-3:], question, hits):
            missing.append(organ)
    # A person the question puts in an act ("是蔡奇主持的吧", "郭文奇作的报告") must do it in a sentence of the
    # passages: the texts may name that person elsewhere, doing something else (出席并讲话, not 主持).
    for name, act in person_acts(question):
        said = [x for h in hits for x in split_sentences(h.text) if name in x]
        if said and not any(act.removeprefix("作") in x for x in said):  # (作报告: 作了工作报告)
            missing.append(f"{name}{act}")
    # A period ("二十四个月", "6个月") stated for a rule must be that rule's period, not another one's.
    for m in _PERIOD.finditer(normalize_for_index(question)):
        if m.group(0) not in missing and m.group(0) in hay and not stated_with_subject(m.group(0), question, hits):
            missing.append(m.group(0))
    return missing


# -- nouns and documents the library lacks -----------------------------------------

ASKED_NOUNS = {"比例", "标准", "规定", "要求", "情况", "问题", "作用", "意义", "措施", "做法", "办法", "产生", "内容",
                "作者", "来源", "出处", "地方", "单位", "部门", "文章", "文件", "资料", "条例", "法律", "报告",
                # attribute nouns: they frame what is asked about a topic, never name a topic of their own
                *"特点 特征 区别 差别 差异 变化 部分 标题 题目 名称 时间段 阶段 栏目 版块 方式 形式 途径 渠道 原则 目标 任务 "
                 "重点 成效 效果 成果 经验 举措 原因 背景 依据 条件 程序 环节 步骤 范围 对象 主体 职责 方面 维度 层面 角度 领域 类型 种类 "
                 "数量 数目 次数 频率 期限 时间 地点 日期 年份 月份 内容 名单 人选 负责人 顺序 区间 用途 好处 "
                 # how a thing is done: 节奏 of "如何安排……工作的节奏" asks its manner, names no topic
                 "节奏 流程 思路 路径 抓手 安排 模式 章法 套路 门道 打法 "
                 # where in a document: "综述开篇提到的" points into the text, names no topic
                 "开篇 开头 结尾 篇首 文中 文末 原文 全文 "
                 # where a piece appeared: "发在哪本期刊" asks its source, names no topic
                 "期刊 杂志 刊物 报纸 媒体 期号 "
                 # the spirit of those who act: "干活的劲头跟以前比有啥不一样" asks how a body works now
                 "劲头 干劲 积极性 主动性 精气神 精神面貌 面貌 状态 氛围 风气 态度 热情 劲儿".split()}
"""Nouns that name what is asked for rather than what is asked about."""
_NUMERAL_HEAD = re.compile(r"^[一二两三四五六七八九十百千万]")


def _kind_of_body(name: str) -> str:
    """The last word of an organisation's name, the kind of body it is (全国政协 → 政协, 国务院办公厅 → 办公厅)."""
    tokens = set(sparse.tokenize(name))
    return next((name[i:] for i in range(1, len(name) - 1) if name[i:] in tokens), name)


def noun_candidates(question: str) -> list[str]:
    """Content nouns of the question: dictionary words (no HMM guesses) tagged n*, two characters or more."""
    out = []
    q = normalize_for_index(question)
    tagged = list(pos_tagger().cut(q, HMM=False))
    for i, w in enumerate(tagged):
        t = w.word.strip().lower()
        if (len(t) >= 2 and w.flag.startswith("n") and t not in QUESTION_WORDS and t not in ASKED_NOUNS
                and not re.search(r"[啥咋]", t)  # "啥意思": a question word, read as one noun
                and not _NUMERAL_HEAD.match(t) and re.fullmatch(r"[\u4e00-\u9fff]+", t) and "了" not in t  # 开了个
                and not _frame_noun(t, q) and not _not_a_topic(t, q) and not _verb_between(tagged, i)
                and not (w.flag == "ns" and _predicate_after_noun(tagged, i))):
            out.append(t)
    return list(dict.fromkeys(out))


def place_words(question: str) -> list[str]:
    """Words jieba tags as places that act as places in the question (not "部门上台发言", "合唱队上台了")."""
    q = normalize_for_index(question)
    tagged = list(pos_tagger().cut(q))
    freq = sparse._get_tokenizer().FREQ
    return [w.word.strip() for i, w in enumerate(tagged)
            if w.flag == "ns" and freq.get(w.word.strip(), 0) > 0  # a dictionary place, not a guess ("监察法里")
            and not _verb_between(tagged, i) and not _not_a_topic(w.word.strip(), q)
            # "今年要新建多少": after a modal or adverb the word acts as a verb (新建 is also a county)
            and not (i > 0 and (tagged[i - 1].word in _MODAL_BEFORE or tagged[i - 1].flag == "d"))
            and not _predicate_after_noun(tagged, i)]


def _predicate_after_noun(tagged: list, i: int) -> bool:
    """A two-character "place" right after a noun, ending the clause or before a verb, is what the noun does
    ("几支合唱队上台？", "合唱队上台表演")."""
    after = tagged[i + 1] if i + 1 < len(tagged) else None
    return (len(tagged[i].word.strip()) == 2 and i > 0 and tagged[i - 1].flag.startswith("n")
            and (after is None or after.word in set("了啊呀呢吗吧？?，,。！!") or after.flag.startswith("v")))


_MODAL_BEFORE = {"要", "将", "已", "正在", "再", "又", "还", "也", "都", "不", "没", "未", "应", "需", "拟", "计划", "准备", "打算", "会"}


def _verb_between(tagged: list, i: int) -> bool:
    """A word jieba tags as a place standing between a noun and a verb acts as a verb there: "部门上台发言",
    "队员登台演出" (a place would take 在/到/赴 before it)."""
    return (tagged[i].flag == "ns" and 0 < i < len(tagged) - 1 and tagged[i - 1].flag.startswith(("n", "r"))
            and tagged[i + 1].flag.startswith("v") and len(tagged[i + 1].word) >= 2)


_MANNER = re.compile(r"^(?:式|似的|一样|般)")
_OUTCOME_BEFORE = re.compile(r"(?:不让它?|别让它?|不使|防止|避免|以免|免得|不致|不会|不再)$")
_MODAL_HEAD = set("会能要该可得")
_CLAUSE_START = re.compile(r"(?:^|[，,。；;：:？?！!]|还|也|都|就)$")


def plain_word(term: str) -> bool:
    """A single dictionary word that is no noun (搞完, 翻出来, 一遍, 接着): wording, not a topic. Unknown compounds
    (等次 → 等 + 次) and nouns are topics."""
    words = list(pos_tagger().cut(term, HMM=False))
    return len(words) == 1 and not words[0].flag.startswith(("n", "j", "vn", "eng"))


def _not_a_topic(noun: str, question: str) -> bool:
    """A noun of colloquial wording that names no topic: "阵风式的" (a manner), "不让它落空" (an outcome to
    avoid), "，会派人去听吗" (jieba reads modal 会 + verb 派 as the noun 会派)."""
    i = question.find(noun)
    if i < 0:
        return False
    after, before = question[i + len(noun):], question[max(0, i - 4):i]
    return bool(_MANNER.match(after) or _OUTCOME_BEFORE.search(before)
                or (noun[0] in _MODAL_HEAD and _CLAUSE_START.search(before))
                # "那阵子", "这会儿": a time pointed at, not a topic
                or (noun[0] in "那这" and len(noun) <= 3)
                # used as a verb: "合唱队上台了", "谁来张罗的" (jieba's dictionary tags them as names or places)
                or bool(re.match(r"[了过着]", after))
                or (before.endswith(("来", "去")) and bool(re.match(r"(?:的|了|吗|呢|？|\?|$)", after))))


_FRAME_BEFORE = re.compile(r"(?:什么|哪个|哪些|哪种|哪类|哪几[个项种类样块条件位家批]?|哪一|哪|啥|何|怎样的|怎么样的|多少|几个|"
                           r"第[一二三四五六七八九十]+)[的个项种类]?$"
                           # "有啥叫得响的名目", "是咋安排节奏的": the noun the question word reaches
                           r"|(?:什么|啥)[\u4e00-\u9fff]{1,5}的$|(?:咋|怎么|怎样|如何)[\u4e00-\u9fff]{0,2}$")
_FRAME_AFTER = re.compile(r"^(?:是什么|是啥|有哪些|有什么|有啥|如何|怎么样|怎样|在哪|是哪|叫什么|为何|是从哪)")


def _frame_noun(noun: str, question: str) -> bool:
    """A noun that frames the ask ("有什么区别", "哪个栏目", "标题是什么") rather than naming its topic."""
    i = question.find(noun)
    if i < 0:
        return False
    return bool(_FRAME_BEFORE.search(question[max(0, i - 5):i]) or _FRAME_AFTER.match(question[i + len(noun):]))


_VENUE = re.compile(r"在[《<][》>](?:上|中|里)|[《<][》>](?:杂志|期刊|刊物|报|网|上)")
_QUOTED_NAME = re.compile(r"《([^》]{2,40})》")
_SUFFIX_NAME = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:(?:条例|办法|规定|准则|规则|细则|纲要|章程|决定|决议|意见|通知|政府工作报告)"
                          r"|法(?:规定|(?![规定律院官治人子儿]))))")
_NAME_BREAK = re.compile(r".*[的了在和与及是有对把被从向为、，,。？?！!：:；;“”\"]")
_QUESTION_CHARS = re.compile(r"什么|哪|多少|多长|多久|多大|几|怎|如何|吗|呢|请问|是否|有没有|谁|啥|咋")
_VERB_SUFFIX = ("通知", "决定", "规定", "意见")
"""Title endings that are also verbs: "要通知家属", "决定给予处分" name no document."""
_AFTER_TITLE = set("的中里和与及等第、，,。？?！!：:；;）)》”\"")
_NOT_A_NAME = re.compile(r"^(?:这|该|此|本|上述|有关|相关|其|那|各|每)")
_COMMON_FA = set("做办方学立执司守违合非说想看用写算兵书家疗语打普依手章技笔变纪国")
""""做法", "办法", "方法", "学法" …: words ending in 法 that name no law."""
_GENERIC = {"办法", "规定", "法律", "条例", "意见", "通知", "决定", "规则", "细则", "政府工作报告", "宪法", "法规",
            "党内法规", "实施办法", "管理办法", "工作规则", "暂行办法", "有关规定", "相关规定", "决议"}


def named_documents(question: str) -> list[str]:
    """Names of laws, regulations and reports the question refers to (《…》 or a name ending in 法/条例/办法 …)."""
    # "深圳市2026年政府工作报告": the place's report, the year aside (titles read "2026年湖北省政府工作报告")
    q = re.sub(r"([省市区县州])(?:\d{4}|今|去|明)年(?:的|度)?(政府工作报告)", r"\1\2", normalize_for_index(question))
    out = [m.group(1) for m in _QUOTED_NAME.finditer(q)]
    bare = _QUOTED_NAME.sub("，", q)
    for m in _SUFFIX_NAME.finditer(bare):
        nxt = bare[m.end():m.end() + 1]
        if m.group(1).endswith(_VERB_SUFFIX) and not m.group(1).endswith("法规定") and nxt and nxt not in _AFTER_TITLE:
            continue
        name = _NAME_BREAK.sub("", m.group(1))  # the name starts after the last particle or punctuation
        name = re.sub(r"^(?:请问|根据|按照|依据|依照|据|关于|那么|那|在|按|对于|年|月|日|违反|落实|贯彻|执行|学习|遵守|修改|制定|印发"
                      r"|现行|新|旧|原|版|修[订正改][后前]?的?|通过的?|颁布的?)+", "", name)
        # "政务处分法规定……": the title ends before 规定 / 规则 read as a verb or a noun after it.
        name = re.sub(r"(?<=[法例则程])(?:规定|要求|明确)$", "", name)
        if name.endswith(("规则", "规定")) and len(name) < 6:  # 议事规则, 有关规定: sections and phrases, not titles
            continue
        if re.search(r"[作做]出|不能|按期", name):  # "不能按期作出复议决定": a decision made, no title
            continue
        if re.search(r"(?:来|去|再|才|就|会|要|能|可以?|应当?|由|所|并)(?:通知|决定|规定)$", name):
            continue  # "根据谁的提名来决定的": a verb after its adverb, no title

        if name.endswith("法") and (len(name) < 3 or name[-2] in _COMMON_FA):
            continue
        if len(name) < 3 or _NOT_A_NAME.match(name) or _QUESTION_CHARS.search(name) or name in _GENERIC:
            continue
        out.append(name)
    out = [re.sub(r"^(?:中华人民共和国|中国共产党)", "", re.sub(r"[（(][^）)]*[）)]$", "", n)) or n for n in out]
    return list(dict.fromkeys(n for n in out if len(n) >= 3))


def focus_terms_besides(question: str, name: str) -> dict[str, float]:
    key = norm(name)
    return {t: w for t, w in focus_terms(question).items() if norm(t) not in key and key not in norm(t)}


_REPORT_NAME = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:省|市|自治区)?(?:(\d{4})年|今年|去年|本年度?|最新|新一年)?的?"
                          r"(?:省|市|区)?(?:人民)?政府工作报告")
"""A work report named by its place and a time said loosely: 广东今年政府工作报告, 湖北政府工作报告."""
_SHORT_HEADS = {"小组": re.compile(r"[\d一二两三四五六七八九十]+个组|[每各本该]组")}
"""Heads a text writes short ("联席会议小组": "分成8个组，每组……")."""


def _said_short(term: str, sentence: str) -> bool:
    return any(term.endswith(head) and pat.search(sentence) is not None for head, pat in _SHORT_HEADS.items())


class Checker:
    """The answerability checks over one open library."""

    def __init__(self, res: Resources):
        self.res = res

    def floor(self) -> float:
        return RELEVANCE_FLOOR.get(self.res.embedder.name.split(":")[0], DEFAULT_FLOOR)

    def verdict(self, query: str, hits: list[Hit], query_vector: Any, flt: SearchFilter | None,
                exempt: Callable[[str], bool] | None = None, pointed: bool = False) -> Verdict:
        """``exempt``: terms that are no missing topic though the library lacks them (see Standalone.renderings);
        ``pointed``: the question asks for a stated thing (a number, a list, a name) that the answer must hold."""
        relevance = self.relevance(query_vector, hits)
        # Whether the library knows a word at all is a question about the library, not about the documents
        # a question was narrowed to (its named source, the revision in force): "人大常委会" is known.
        library = dataclasses.replace(flt, doc_ids=[], exclude_doc_ids=[]) if flt is not None else None
        specifics = unsupported_specifics(query, hits)
        unknown = self.unknown_terms(query, library)
        reworded = self.reworded(query, unknown, hits, library) if pointed else ""
        unknown = [u for u in unknown if u != reworded]
        best, union, has_terms = focus_coverage(
            query, hits, only=set(focus_terms(query)) - {reworded} if reworded else None)
        unsupported = (specifics + unknown
                       + self.missing_documents(query, hits, library) + self.unjoined(query, library))
        # a number, ordinal or frequency is a premise, never a word another rendering stands for ("every quarter":
        # 每季度 is no 按季度 of another body)
        unsupported = [u for u in dict.fromkeys(unsupported) if (exempt is None or u in specifics or not exempt(u))
                       and not self.names_formulation(u, query, library)]
        covered = not has_terms or (best >= MIN_PASSAGE_COVERAGE and union >= MIN_UNION_COVERAGE)
        if not covered and not unsupported:
            # Colloquial wording ("翻出来重新过了一遍") uses words no text of the library has; no passage can
            # cover them. Coverage is then judged on the words the library knows, if they carry most of the question.
            terms = focus_terms(query)
            kept = {t for t in terms if not plain_word(t) or self.known(t, library)}
            if 0 < len(kept) < len(terms) and sum(terms[t] for t in kept) >= KNOWN_SHARE * sum(terms.values()):
                best_k, union_k, _ = focus_coverage(query, hits, only=kept)
                covered = best_k >= MIN_PASSAGE_COVERAGE and union_k >= MIN_UNION_COVERAGE
            if not covered:
                # Spoken wording around named things ("湖北人大机关主题教育搞完以后，下一步打算在哪几块接着使劲"):
                # the verbs and adverbs are how it is asked; the named things, all in one passage, are what.
                named = {t for t in terms if not plain_word(t)}
                if (0 < len(named) < len(terms) and sum(terms[t] for t in named) >= NAMED_SHARE * sum(terms.values())
                        and focus_coverage(query, hits, only=named)[0] >= NAMED_COVERAGE):
                    covered = True
        reason = ("empty" if not hits else "unsupported" if unsupported else
                  "relevance" if relevance < self.floor() else "coverage" if not covered else "")
        return Verdict(answerable=not reason, relevance=relevance, coverage=best, unsupported=unsupported,
                       reason=reason, reworded=reworded)

    def reworded(self, query: str, unknown: list[str], hits: list[Hit], flt: SearchFilter | None) -> str:
        """The one word of a pointed question the library never uses though it speaks of the thing: a common noun
        said in other words than the texts' (荣休 for 荣誉退休, 部委 for 部门, 人工智能 for AI), where the
        question's other specific terms all stand in one sentence of the passages found.
        "" when there is none. A name, a place, a body, or the only specific word of the question (党费 of
        "机关的党费一年收多少") is a topic the library lacks, never a rewording."""
        if len(unknown) != 1:
            return ""
        word = unknown[0]
        tags = {w.word: w.flag for w in pos_tagger().cut(normalize_for_index(query), HMM=False)}
        if tags.get(word, "n")[:2] in ("nr", "ns", "nt") or _BODY_WORD.search(word):
            return ""
        terms = [t for t in focus_terms(query) if t != word and t not in ASKED_NOUNS and len(t) >= 2
                 and re.fullmatch(r"[\u4e00-\u9fff]+", t) and self.known(t, flt)]
        specific = [t for t in terms if not (_BODY_WORD.search(t) or tags.get(t, "")[:2] in ("ns", "nt", "j"))]
        if not specific:
            return ""
        after = query[query.find(word) + len(word):]
        if word in person_names(query) and not any(after.startswith(t) for t in specific):
            return ""  # a person's name, not the modifier of a thing the texts name ("荣休仪式")
        for h in hits:
            for sent in split_sentences(h.text):
                hay = norm(sent)
                if all(norm(t) in hay for t in specific):  # (the body it names is the scope checks' to match)
                    return word
        return ""

    def names_formulation(self, count: str, query: str, flt: SearchFilter | None) -> bool:
        """A count that begins a formulation the texts use ("八项规定", "两个维护"): a name, not a premise to check
        against the passages retrieved."""
        m = re.search(re.escape(count) + r"([\u4e00-\u9fff]{2})", query)
        return bool(_CN_COUNT.fullmatch(count)) and m is not None and self.known(count + m.group(1), flt)

    def relevance(self, q: Any, hits: list[Hit]) -> float:
        """Best dense cosine between the query vector and the retrieved passages."""
        if not hits or q is None:
            return 0.0
        found = self.res.store.query(q, None, limit=max(len(hits) * 4, 20), mode="dense",
                                     flt=SearchFilter(doc_ids=sorted({h.doc_id for h in hits})))
        by_id = {f.id: f.score for f in found}
        scores = [by_id[h.passage_id] for h in hits if h.passage_id in by_id]
        return float(max(scores)) if scores else 0.0

    def _sparse(self, terms: list[str], limit: int, flt: SearchFilter | None) -> list[Any] | None:
        """Passages found by the BM25 tokens of ``terms`` (each term whole and its words); None: no token to search."""
        toks = [x for x in dict.fromkeys([y for t in terms for y in (t, *sparse.tokenize(t))]) if len(x) >= 2]
        ids = sorted({sparse.token_id(x) for x in toks})
        if not ids:
            return None
        return self.res.store.query(None, (ids, [1.0] * len(ids)), limit=limit, flt=flt, mode="sparse")

    def _in_library(self, term: str, flt: SearchFilter | None, exact: bool = False) -> bool:
        """Whether some passage holds ``term`` (its BM25 tokens; ``exact``: the whole string, in text or title)."""
        found = self._sparse([term], 20 if exact else 1, flt)
        if found is None:
            return True
        if not exact:
            return bool(found)
        key = norm(term)
        return any(key in norm(str(f.payload.get("title", "")) + str(f.payload.get("text", ""))) for f in found)

    def known(self, term: str, flt: SearchFilter | None = None) -> bool:
        """Whether the library's texts use ``term`` as written."""
        return self._in_library(term, flt, exact=True)

    def unknown_terms(self, query: str, flt: SearchFilter | None = None) -> list[str]:
        """Content nouns of the query that no passage of the library contains, not even in part.

        ("党费", "博士"): the question is about something the library does not cover. Numeral-headed
        abbreviations (三力, 四强) are exempt: the texts spell such enumerations out.
        """
        names = [n for n in person_names(query) if not self._in_library(n, flt, exact=True) and not _not_a_topic(n, query)]
        # an organisation the library lacks though it has its first word: 全国政协 in a library of 全国人大 (the kind
        # of body, its last word 政协, is nowhere; 中直工委 is an abbreviation of a 工委 it has)
        orgs = {w.word for w in pos_tagger().cut(normalize_for_index(query), HMM=False) if w.flag == "nt"}
        return names + [t for t in noun_candidates(query) if t not in names and (
            not self._in_library(t, flt) or (t in orgs and not self._in_library(t, flt, exact=True)
                                             and not self._in_library(_kind_of_body(t), flt)))]

    def documents_with(self, term: str, flt: SearchFilter | None = None) -> set[str]:
        """The documents whose passages (or titles) hold ``term`` as written."""
        key = norm(term)
        return {str(f.payload.get("doc_id", "")) for f in self._sparse([term], 50, flt) or []
                if key in norm(str(f.payload.get("title", "")) + str(f.payload.get("text", "")))}

    def apart(self, a: str, b: str, flt: SearchFilter | None = None) -> bool:
        """Both terms are in the library, never in one document: two topics, not one."""
        da = self.documents_with(a, flt)
        db = self.documents_with(b, flt) if da else set()
        return bool(da and db and not da & db)

    def together(self, a: str, b: str, flt: SearchFilter | None) -> bool:
        """Whether one sentence holds both ``a`` and ``b`` (or their leading half: 模范机关创建 is the 模范机关创建活动
        of a question), or one names the document (title, author, source) whose passage holds the other."""
        records = {d.doc_id: norm(f"{d.title} {d.author} {d.source}") for d in self._docs()}
        for f in self._sparse([a, b], 20, flt) or []:
            text = norm(str(f.payload.get("text", "")))
            record = records.get(str(f.payload.get("doc_id", "")), norm(str(f.payload.get("title", ""))))
            # "人大机关党建": the body that wrote a document qualifies what its text says
            if (_leads(a, record) and _leads(b, text)) or (_leads(b, record) and _leads(a, text)):
                return True
            if any(_leads(a, x) and (_leads(b, x) or _said_short(b, x)) for x in re.split(r"[。；;！？!?\n]", text)):
                return True
        return False

    def unjoined(self, query: str, flt: SearchFilter | None = None) -> list[str]:
        """An institution named by a topic the library knows apart from it ("乡村振兴联席会": 乡村振兴 is one
        article's topic, 联席会 another's; "主题教育督查组"): the thing asked about is not in the library."""
        words = [(w.word.strip(), w.flag) for w in pos_tagger().cut(normalize_for_index(query), HMM=False)]
        units: list[tuple[str, str]] = []
        for word, flag in words:  # neighbours the library writes as one word (乡村 + 振兴 → 乡村振兴)
            if (units and re.fullmatch(r"[\u4e00-\u9fff]{2,}", word) and re.fullmatch(r"[\u4e00-\u9fff]{2,}", units[-1][0])
                    and len(units[-1][0] + word) <= 6 and self.known(units[-1][0] + word, flt)):
                # (a verb before its object stays a verb phrase: 服务 + 常委会 "serving the committee" is no body)
                units[-1] = (units[-1][0] + word, "v" if units[-1][1].startswith("v") else "n")
            else:
                units.append((word, flag))

        def topic(word: str, flag: str) -> bool:
            return (flag.startswith(("n", "j", "l")) and flag not in ("nr", "ns", "nrt", "nrfg", "t") and len(word) >= 2
                    and re.fullmatch(r"[\u4e00-\u9fff]+", word) is not None and word not in ASKED_NOUNS
                    and word not in QUESTION_WORDS and not _NUMERAL_HEAD.match(word))

        out = []
        for (a, fa), (b, fb) in zip(units, units[1:]):
            # a modifier of three characters or more: a topic (乡村振兴, 主题教育), not a word like 专门 of 专门委员会
            if (topic(a, fa) and len(a) >= 3 and topic(b, fb) and _INSTITUTION.search(b) and self.known(a, flt)
                    and self.known(b, flt)
                    and not self.known(a + b, flt) and not self.together(a, b, flt)):
                out.append(a + b)
        return out

    def missing_documents(self, query: str, hits: list[Hit], flt: SearchFilter | None = None) -> list[str]:
        """Named laws/regulations/reports that neither a document title nor any passage contains."""
        out = []
        hay = "".join(norm(h.title + h.text) for h in hits)
        docs = self._docs()
        titles = "\n".join(norm(d.title) for d in docs)
        # where the library's documents appeared ("《机关党建研究》2025年第2期"): a periodical asked of is known
        sources = "\n".join(norm(d.source) for d in docs)
        for name in named_documents(query):
            key = norm(name)
            if key in titles or key in sources:
                continue  # a document of the library, or the periodical one appeared in
            if (m := _REPORT_NAME.fullmatch(key)) and any(
                    m.group(1) in t and "政府工作报告" in t and (not m.group(2) or m.group(2) in t) for t in titles.split("\n")):
                continue  # "广东今年政府工作报告": the place's report as people call it (2026年广东省政府工作报告)
            if key.endswith("法") and any(abbreviates(key, norm(d.title)) for d in docs):
                continue  # a law of the library by its short name (保密法: 中华人民共和国保守国家秘密法)
            # A law the texts only cite ("依照《中华人民共和国行政诉讼法》的规定"): what it provides is in no text here.
            # (not the short name a text gives the law it implements: "(以下简称保密法)")
            if (key.endswith("法") and re.search(re.escape(key) + r"(?![律规院官治学])", hay)
                    and any(d.doc_type == "regulation" for d in docs)
                    and not self._in_library(f"简称{name}", flt, exact=True)
                    and not self._in_library(f"简称《{name}》", flt, exact=True)):
                out.append(f"《{name}》")
                continue
            # Named inside the texts: it answers only where it stands with what is asked about.
            if (key in hay and co_occurs(name, query, hits)) or (key not in hay and self._in_library(name, flt, exact=True)
                                                                 and not focus_terms_besides(query, name)):
                continue
            if _VENUE.search(norm(query).replace(key, "")) and self._in_library(name, flt, exact=True):
                continue  # "在《楚天主人》上发表的文章": a periodical the texts name, where a document appeared
            if self._in_library(f"简称《{name}》", flt, exact=True):
                continue  # "（以下简称《联席会议制度》）": the short name of a rule the texts set out themselves
            if (short := _short_name(key, hay)) and co_occurs(short, query.replace(name, short), hits):
                continue  # a full title the texts shorten: what they say of it stands under the short name
            out.append(f"《{name}》")
        return out

    def _docs(self) -> list[Any]:
        try:
            return self.res.store.list_docs()
        except Exception:  # a store without a registry: passages alone decide
            return []
