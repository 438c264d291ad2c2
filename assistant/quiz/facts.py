"""知识测验: the checkable facts of source sentences and same-kind replacements for them.

A quiz-worthy sentence states a rule or a fact; its facts are numbers with their measure word
(8个组, 两次, 30余名), frequencies (每年), fixed formulations (“两个维护”, 全面从严治党), 《》 titles,
body names (市直机关工委) and clean enumerations (书面沟通、当面沟通和信息沟通). Distractor pools
hold the same kinds of things found across the corpus.
"""
from __future__ import annotations

import functools
import random
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policyqa import sparse
from policyqa.types import Passage, QuizSource

from ..grounding import norm, split_sentences
from .rules import (
    ARTICLE_NO,
    CROSS_REF,
    DECIDER,
    ITEM_MARK,
    RELATIVE_REF,
    absolute_refs,
    article_before,
    body_class,
    cross_reference,
    decider_variants,
    family_members,
    number_role,
    related_titles,
    role_terms,
    term_facts,
    term_family,
    term_role,
    title_class,
)

STEM_MAX = 110
"""Longer source sentences are cut to the clauses around the fact."""

# -- numbers -----------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两三四五六七八九十百千"
MEASURES = ("人次", "个百分点", "个工作日", "工作日", "个月", "小时", "周岁", "方面", "环节", "万元", "亿元", "个", "项", "条",
            "组", "名", "种", "类", "次", "批", "件", "轮", "场", "家", "位", "篇", "份", "所", "支", "户", "%", "倍", "元",
            "日", "天", "周", "年", "人")
"""Measure words a number fact ends with (longer first); the measure is the number's unit class."""
_MEASURE_RE = "|".join(re.escape(m) for m in MEASURES)
NUMBER_FACT = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|[{CN_NUM}]+)(?P<approx>余|多)?(?P<measure>{_MEASURE_RE})")
FRACTION = re.compile(rf"(?P<den>[一二三四五六七八九十])分之(?P<numer>[一二三四五六七八九十])|百分之(?P<pct>[{CN_NUM}]+|\d+)")
"""三分之二, 百分之五十: proportions (unit class 分之 / 百分之)."""
# What may not follow a measure word for the number to be a count or a duration.
_MEASURE_NEXT_BAD = {"人": "民大员口才均士群事工力类生格身体选", "周": "年边", "年": "月度级代底初末前后来轻龄",
                     "日": "期常子报", "天": "然下津空", "元": "素首旦", "条": "件例文款"}
_COUNTING = {"个", "项", "条", "种", "类", "方面", "环节", "大"}
_ALLOW_ONE = {"个月", "个工作日", "工作日", "小时", "日", "天", "周", "年", "倍", "人"}
FREQUENCY = re.compile(r"每(?:半年|季度|年度|年|月|周|两年)")
FREQUENCIES = ("每年", "每半年", "每季度", "每月", "每周", "每两年")
TITLE = re.compile(r"《[^《》\n]{2,40}》")
QUOTED = re.compile(r"“([^“”\n]{2,16})”")
# A noun taken into a number option after these measure words ("8个组", "122个单位").
_NOUN_MEASURES = {"个", "名", "家", "位", "所", "批"}
_BAD_PRECEDING = set("第统唯同专逐万千百十初")


def cn_to_int(text: str) -> int | None:
    """Chinese numerals (一百二十二, 两, 十六) to int; None if ``text`` is not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # "一二": not a number
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


def int_to_cn(n: int, liang: bool = True) -> str:
    """1..9999 in Chinese numerals; 2 alone as 两 before a measure word when ``liang``."""
    if n == 2 and liang:
        return "两"
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    out = ""
    for unit, name in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, unit)
        if q:
            out += digits[q] + name
        elif out and n:
            out += "零" if not out.endswith("零") else ""
    if n:
        out += digits[n]
    return out


def number_value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        v = cn_to_int(text)
        return float(v) if v is not None else None


# -- text helpers ------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s\u3000，,。.、；;：:！!？?“”\"‘’'《》〈〉（）()【】\[\]「」『』—\-_·…/]+")
_BYLINE = re.compile(r"作者|来源[:：]|责任编辑|编辑[:：/]|记者|通讯员|供稿|发布时间|更新时间|Copyright|版权|ICP|扫一扫|\d{1,2}:\d{2}")
_PUB_DATE = re.compile(r"^\s*(\d{4}年\d{1,2}月\d{1,2}日|\d{4}年第\d+期|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})")
_LEAD = re.compile(r"^(?:[—\-－·•…]+|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|"
                   r"(?:首先|其次|再次|最后|同时|此外|另外|另一方面)[,，])\s*")
_RULE_CUE = re.compile(r"规定|明确|要求|应当|必须|负责|设在|分成|分为|每年|每季度|每月|至少|召开|制定|印发|建立|实行|"
                       r"采取|围绕|包括|担任|任期|牵头|组织|举办|开展|印发|出台|坚持|提出|部署")
_CAPTION = re.compile(r"(现场|合影|留影|资料图|摄)[。]?$")
_VAGUE = re.compile(r"我们|我们的|你们|？|\?|！|!|这是|这就|可见|由此")


def canon(text: str) -> str:
    """Loose form for grading and duplicate checks: NFKC, simplified, no spaces or punctuation, lower case."""
    t = unicodedata.normalize("NFKC", text or "")
    t = norm(t)
    return _PUNCT.sub("", t).lower()


def num_canon(text: str) -> str:
    """``canon`` with runs of Chinese numerals written as digits (八 → 8, 一百二十二 → 122)."""
    def sub(m: re.Match) -> str:
        v = cn_to_int(m.group(0))
        return str(v) if v is not None else m.group(0)
    return re.sub(f"[{CN_NUM}]+", sub, canon(text))


def occurs_in(needle: str, hay_norm: str) -> bool:
    return bool(needle) and norm(needle) in hay_norm


@functools.lru_cache(maxsize=4)
def _pos_tokenizer(extra: tuple[str, ...] = ()):
    import logging as _logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(_logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for w in sparse.formulations():
        tok.add_word(w, 100, "nz")
    for w in ("中央和国家机关", "市直机关工委", "机关工委", "机关党委", "机关纪委", "人大常委会"):
        tok.add_word(w, 200, "nt")
    for d in extra:
        if d:
            try:
                tok.load_userdict(d)
            except OSError:
                pass
    return jieba.posseg.POSTokenizer(tok)


_TOK_LOCK = threading.Lock()


def _tokens(text: str, extra: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
    """(word, flag, start) triples."""
    with _TOK_LOCK:
        pairs = list(_pos_tokenizer(extra).cut(text, HMM=False))
    out, pos = [], 0
    for p in pairs:
        out.append((p.word, p.flag, pos))
        pos += len(p.word)
    return out


# -- candidate facts ---------------------------------------------------------------------------

class QuizPassage(Passage):
    """The passage record as the quiz scans it (read with :meth:`Passage.from_payload`, no fields of its own).

    ``id`` and :meth:`quiz_source` keep quiz types written against the quiz's earlier passage class working.
    """

    @property
    def id(self) -> str:
        return self.passage_id

    def quiz_source(self, sentence: str) -> QuizSource:
        return QuizSource(passage=self.as_passage(), sentence=sentence)


@functools.lru_cache(maxsize=1024)
def _norm_text(text: str) -> str:
    """Loose form of a passage text (many distractor checks run against the same passage)."""
    return norm(text)


@dataclass
class Fact:
    kind: str
    """number | frequency | formulation | title | body"""
    start: int
    end: int
    """Span replaced by an option / an altered fact (offsets in the sentence)."""
    text: str
    blank_start: int = -1
    blank_end: int = -1
    """Span blanked in a 填空 item (the numeral alone for numbers); -1 when the fact makes no 填空."""
    value: float | None = None
    measure: str = ""
    approx: str = ""
    noun: str = ""
    cn: bool = False
    role: str = ""
    """What the fact is in a rule (:data:`~assistant.quiz.rules.ROLE_WEIGHT`): deadline, amount, sanction,
    condition, decider, procedure, count, frequency, title, body, formulation."""
    family: str = ""
    """For a ``term``: its vocabulary family (政务处分, 调查措施 …), whose other members replace it."""


@dataclass
class Enumeration:
    start: int
    end: int
    items: list[str]
    block: bool = False
    """Items on lines of their own after a lead ending in ：（（一）警告；（二）记过；…）; ``start``/``end``
    then span the lead's ending the stem replaces."""
    family: str = ""
    """The vocabulary family all items belong to ('' when they do not)."""
    role: str = "list"


@dataclass
class Sentence:
    p: QuizPassage
    pos: int
    text: str
    score: float
    facts: list[Fact] = field(default_factory=list)
    lists: list[Enumeration] = field(default_factory=list)
    article: str = ""
    """The article the sentence belongs to (``第十三条``), shown with the key, never leading a stem."""
    lead: str = ""
    """For an enumerated item of a regulation (（二）记过，十二个月；): the lead it completes
    (政务处分的期间为：), put before the item in stems so that the item can be understood alone."""

    def quiz_source(self) -> QuizSource:
        """The source card of an item built from this sentence."""
        return self.p.quiz_source(self.text)


_GENERIC_FORMULATIONS = {"机关党建", "机关党委", "机关工委", "党组", "纪检监察", "主题教育", "政治生态", "高质量发展"}
BODY_SUFFIX = re.compile(r"(工委|党组|党委|纪委|委员会|常委会|宣传部|组织部|统战部|办公厅|办公室|编办|党校|民政部|新华社|保障局)$")
_BODY_OK_PREFIX_FLAGS = ("nt", "ns", "j")
_ORG_WORDS = {"中共", "中央", "国家", "全国", "省", "市", "县", "区", "市直", "省直", "北京", "北京市", "机关", "人大",
              "常委会", "人大常委会", "市州", "中央和国家机关", "常委会机关", "全国人大", "省人大", "市人大"}
_BODY_STOP = {"部门", "单位", "各", "本", "本单位", "有关", "基层", "有的", "上级", "同级", "直属"}


def _bodies(text: str, extra: tuple[str, ...]) -> list[tuple[int, int, str]]:
    toks = _tokens(text, extra)
    out: list[tuple[int, int, str]] = []
    for i, (w, flag, start) in enumerate(toks):
        if not BODY_SUFFIX.search(w):
            continue
        j = i
        while j > 0:
            pw, pf, _ = toks[j - 1]
            org = pf in _BODY_OK_PREFIX_FLAGS or pw in _ORG_WORDS or pw.endswith(("机关", "人大", "常委会"))
            if pw in _BODY_STOP or not org or not re.fullmatch(r"[\u4e00-\u9fff]+", pw):
                break
            if len("".join(t[0] for t in toks[j - 1:i + 1])) > 14:
                break
            j -= 1
        s, e = toks[j][2], start + len(w)
        name = text[s:e]
        if name in _BODY_STOP or len(name) < 3 or (len(name) == 3 and not (j == i and flag == "nt")):
            continue
        # Parts of a longer name ("联席会议办公室设在市直机关工委组织部" keeps the whole name).
        if e < len(text) and BODY_SUFFIX.search(text[s:e + 3]) and text[e:e + 3] in ("组织部", "宣传部", "办公室"):
            continue
        out = [o for o in out if not (s <= o[0] and o[1] <= e)]
        if not any(o[0] <= s and e <= o[1] for o in out):
            out.append((s, e, name))
    return out


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _clause_at(text: str, pos: int) -> str:
    """The clause of ``text`` (between ，；。：) around ``pos``."""
    s = max(text.rfind(c, 0, pos) for c in "，,；;。：:") + 1
    ends = [i for i in (text.find(c, pos) for c in "，,；;。：:") if i >= 0]
    return text[s:min(ends) if ends else len(text)]


def _fraction_facts(text: str, protected: list[tuple[int, int]], doc_type: str) -> list[Fact]:
    out = []
    for m in FRACTION.finditer(text):
        if _overlaps((m.start(), m.end()), protected):
            continue
        if m.group("pct"):
            value = number_value(m.group("pct"))
            measure = "百分之"
        else:
            den, numer = cn_to_int(m.group("den")), cn_to_int(m.group("numer"))
            if not den or not numer or numer >= den:
                continue
            value, measure = numer / den, "分之"
        if value is None or value <= 0:
            continue
        role = number_role(measure, "", False, value, _clause_at(text, m.start()), doc_type)
        if role == "statistic":
            continue
        out.append(Fact("number", m.start(), m.end(), m.group(0), blank_start=m.start(), blank_end=m.end(),
                        value=value, measure=measure, cn=not m.group(0)[-1].isdigit(), role=role))
    return out


def _number_facts(text: str, extra: tuple[str, ...], protected: list[tuple[int, int]],
                  doc_type: str = "") -> list[Fact]:
    out = []
    toks = None
    for m in NUMBER_FACT.finditer(text):
        num, measure = m.group("num"), m.group("measure")
        s = m.start()
        if s > 0 and (text[s - 1] in _BAD_PRECEDING or text[s - 1].isdigit() or text[s - 1] == "."):
            continue
        nxt = text[m.end():m.end() + 1]
        if nxt and nxt in _MEASURE_NEXT_BAD.get(measure, ""):
            continue
        if measure == "日" and s > 0 and text[s - 1] == "月":
            continue  # a date (三月十五日), not a time limit
        cn = not num[0].isdigit()
        value = number_value(num)
        if value is None or value <= 0:
            continue
        if measure == "年" and (value >= 100 or len(num) >= 3):
            continue  # a year (2024年)
        counted_once = measure == "次" and m.end() < len(text) and not re.match(r"[\u4e00-\u9fff]", text[m.end()])
        bounded = re.match(r"以上|以下|以内|内", text[m.end():m.end() + 2]) is not None
        if cn and num == "一" and not counted_once and not (measure in _ALLOW_ONE and (bounded or doc_type == "regulation")):
            continue  # "一项重要…" is an article, not a count; "沟通联系一次。" is a count; "一年以内" a time limit
        if cn and num in ("十", "百", "千"):
            continue
        if _overlaps((s, m.end()), protected):
            continue
        clause = _clause_at(text, s)
        role = number_role(measure, m.group("approx") or "", "." in num, value, clause, doc_type)
        if role == "statistic":
            continue  # a number no reader could be expected to know
        if measure in _COUNTING and "、" in clause[:clause.find(m.group(0))]:
            continue  # the count of the items just listed (甲、乙、丙等3个方面) is read off the stem
        end, noun = m.end(), ""
        if measure in _NOUN_MEASURES:
            if toks is None:
                toks = _tokens(text, extra)
            for k, (w, flag, ts) in enumerate(toks):
                if ts == m.end():
                    after = toks[k + 1][1] if k + 1 < len(toks) else "x"
                    if (len(w) == 1 and w in "组类批") or (
                            len(w) == 2 and flag.startswith("n") and not after.startswith(("n", "vn"))):
                        noun, end = w, m.end() + len(w)
                    break
        out.append(Fact("number", s, end, text[s:end], blank_start=s, blank_end=s + len(num), value=value,
                         measure=measure, approx=m.group("approx") or "", noun=noun, cn=cn, role=role))
    return out


def _formulation_facts(text: str, protected: list[tuple[int, int]]) -> list[Fact]:
    out: list[Fact] = []
    spans: list[tuple[int, int]] = []
    for m in QUOTED.finditer(text):
        inner = m.group(1)
        if re.search(r"[，,。；;、：:！？\s‘’]", inner) or len(inner) > 10 or len(re.findall(r"[\u4e00-\u9fff]", inner)) < 2:
            continue
        if len(inner) < 3 and not NUMERIC_FORM.match(inner):
            continue
        s, e = m.start(1), m.end(1)
        if re.search(r"简称\s*$", text[:m.start()]):
            continue
        out.append(Fact("formulation", s, e, inner, blank_start=s, blank_end=e))
        spans.append((m.start(), m.end()))
    for f in sorted(sparse.formulations(), key=len, reverse=True):
        if len(f) < 4 or f in _GENERIC_FORMULATIONS:
            continue
        for m in re.finditer(re.escape(f), text):
            span = (m.start(), m.end())
            if _overlaps(span, spans) or _overlaps(span, protected):
                continue
            out.append(Fact("formulation", span[0], span[1], f, blank_start=span[0], blank_end=span[1]))
            spans.append(span)
    return out


_ANCHORS = ("围绕|包括|包含|采取|采用|涵盖|分为|分成|聚焦|突出|做到|实现|坚持|强化|加强|提升|提高|增强|注重|"
            "推动|推进|健全|完善|落实|体现在|主要有|开展|组织|举办|建立|形成|成为")
_ANCHOR = re.compile(f"(?:{_ANCHORS})$")


def _list_items(clause: str, offset: int) -> list[Enumeration]:
    """Enumerations "甲、乙和丙" of a clause whose item boundaries are certain.

    The first item's start is found by a prefix shared by all items (以学铸魂、以学增智 …), a uniform
    item length after an anchor verb (强化政治忠诚、政治担当、政治能力), an anchor verb, or quotes;
    otherwise the enumeration is not used.
    """
    masked = re.sub(r"[（(][^（）()]*[)）]", lambda m: "#" * len(m.group(0)), clause)
    masked = re.sub(r"[《“][^《》“”]*[》”]", lambda m: m.group(0)[0] + "~" * (len(m.group(0)) - 2) + m.group(0)[-1], masked)
    if "、" not in masked:
        return []
    parts, pos = [], 0
    for piece in masked.split("、"):
        parts.append([pos, pos + len(piece)])
        pos += len(piece) + 1
    ls, le = parts[-1]
    m = re.search(r"(以及|和|及|与)", masked[ls:le])
    if m and m.start() >= 2:
        parts[-1:] = [[ls, ls + m.start()], [ls + m.end(), le]]

    def seg(pr: list[int]) -> str:
        return masked[pr[0]:pr[1]]

    middle = [seg(pr) for pr in parts[1:-1]]
    # Common prefix of the items after the first (the last one may be followed by more text).
    rest = [seg(pr) for pr in parts[1:]]
    prefix = rest[0]
    for x in rest[1:]:
        while prefix and not x.startswith(prefix):
            prefix = prefix[:-1]
    prefix = prefix if ("~" not in prefix and "#" not in prefix) else ""
    uniform = len(middle) >= 1 and len({len(x) for x in middle}) == 1
    # End of the last item.
    ls, le = parts[-1]
    tail = masked[ls:le]
    cut = re.search(rf"等|[{CN_NUM}\d]+(?:个|项|种|类|条|方面)|共同|在内|方面|相结合|相统一|并举|的", tail)
    if cut and cut.start() >= 2:
        parts[-1][1] = ls + cut.start()
    elif uniform and len(tail) > len(middle[0]) and prefix:
        if tail[len(middle[0])] in "院会部局厅委室所站队组处科庭长员":
            return []  # 人民政府、人民法院和人民检察院: the last item is longer, its end unknown
        parts[-1][1] = ls + len(middle[0])
    lengths = [seg(pr) for pr in parts[1:]]
    lo, hi = min(len(x) for x in lengths), max(len(x) for x in lengths)
    fs, fe = parts[0]
    first = masked[fs:fe]
    start = None
    if len(prefix) >= 2 or (prefix and uniform):
        i = first.rfind(prefix)
        if i >= 0 and lo - 1 <= len(first) - i <= hi + 1:
            start = fs + i
    if start is None:
        for a in re.finditer(_ANCHORS, first):
            if max(2, lo - 1) <= len(first) - a.end() <= hi + 1:
                start = fs + a.end()
    if start is None and uniform and len(first) > len(middle[0]) and _ANCHOR.search(first[:-len(middle[0])]):
        start = fe - len(middle[0])
    if start is None and "“" in first and len({x.find("“") for x in [first] + lengths}) == 1:
        start = fs
    if start is None:
        return []
    while masked[start] in "了着过" and parts[0][1] - start > 2:
        start += 1
    lead = _PREPOSITION.match(masked[start:parts[0][1]])
    if lead and not all(seg(pr).startswith(lead.group(0)) for pr in parts[1:]):
        return []  # 依照法律、行政法规: the first item starts at a preposition, not at the item
    parts[0][0] = start
    items = [clause[s:e].strip() for s, e in parts]
    if len(items) < 2 or any(not (2 <= len(x) <= 16) for x in items):
        return []
    if any(re.search(r"[，,。；;：:]|的$|^[和与及的]", x) for x in items) or len(set(items)) < len(items):
        return []
    if len({"".join(sorted(x)) for x in items}) < len(items):  # word play (书记抓、抓书记), not points to know
        return []
    if max(len(x) for x in items) > 1.6 * min(len(x) for x in items) + 1:
        return []
    return [Enumeration(offset + parts[0][0], offset + parts[-1][1], items)]


_PREPOSITION = re.compile(r"依照|依法|按照|根据|对于|关于|通过|经过|遵守|执行|适用")


def common_prefix(items: list[str]) -> str:
    return common_suffix([x[::-1] for x in items])[::-1]


def common_suffix(items: list[str]) -> str:
    if not items:
        return ""
    s = items[0]
    for x in items[1:]:
        while s and not x.endswith(s):
            s = s[1:]
    return s


def _clauses(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for part in re.split(r"([，,：:；;。！？!?])", text):
        if part and not re.fullmatch(r"[，,：:；;。！？!?]", part):
            out.append((pos, part))
        pos += len(part)
    return out


def clean_sentence(raw: str) -> str:
    s = raw.strip()
    while True:
        m = _LEAD.match(s)
        if not m or not m.group(0):
            break
        s = s[m.end():].strip()
    return s


def _sentence_score(s: str, n_facts: int) -> float:
    score = 1.0 + min(n_facts, 2)
    if _RULE_CUE.search(s):
        score += 1.5
    if _VAGUE.search(s):
        score -= 2.5
    if len(s) > STEM_MAX:
        score -= 1.5
    elif len(s) > 80:
        score -= 0.5
    if len(s) < 20:
        score -= 1.0
    if re.match(r"^(但|而|因此|所以|这|其|该|此|特别是|尤其是|从而|进而|并|也)", s):
        score -= 1.5
    if re.match(r"^(?:在[^，,]{0,24}[，,])?(?:由|经|报)", s) and len(s) < 40:
        score -= 2.5  # no subject (在闭会期间，由常务委员会决定): what is decided is in the sentence before
    return score


def _is_heading_like(raw: str, s: str, headings: list[str]) -> bool:
    if any(canon(s) == canon(h) for h in headings if h):
        return True
    return not re.search(r"[。！？!?；;]$", raw.strip()) and len(s) < 45


_CONTINUATION = re.compile(r"或者|以及|并且|或")
LEAD_MAX = 60
"""Longest lead (政务处分的期间为：) put before an enumerated item in a stem."""
_BLOCK_LEAD = re.compile(r"下列|(?:为|是|包括|有|如下)[：:]$")


def _block(lead: str, raw_items: list[str]) -> Enumeration | None:
    """The enumeration of items on lines of their own after ``lead`` (a 多选 of 政务处分的种类 …)."""
    if not _BLOCK_LEAD.search(lead) or len(raw_items) < 2:
        return None
    items = [ITEM_MARK.sub("", x).strip().rstrip("；;。.，,") for x in raw_items]
    usable = [x for x in items if 2 <= len(x) <= 24 and not CROSS_REF.search(x) and "其他" not in x
              and not re.search(r"[：:]", x)]
    if len(usable) < 2 or len(usable) * 2 < len(items) or len(set(usable)) < len(usable):
        return None
    fams = {term_family(x, lead) for x in usable}
    fam = next(iter(fams)) if len(fams) == 1 and "" not in fams and all(
        x in family_members(next(iter(fams))) for x in usable) else ""
    role = term_role(fam) if fam else ("condition" if all(x.endswith("的") for x in usable) else "list")
    return Enumeration(len(lead), len(lead), usable, block=True, family=fam, role=role)


def _rule_facts(s: str, p: QuizPassage, protected: list[tuple[int, int]]) -> list[Fact]:
    """Rule terms (记大过、情节严重、复审 …) and deciders (经上一级监察机关批准) of ``s``."""
    out: list[Fact] = []
    for ts, te, term, fam in term_facts(s, p.text):
        if not _overlaps((ts, te), protected):
            out.append(Fact("term", ts, te, term, ts, te, role=term_role(fam), family=fam))
    taken = protected + [(f.start, f.end) for f in out]
    for m in DECIDER.finditer(s):
        bs, be = m.span("body")
        body = m.group("body")
        if re.match(r"[\d" + CN_NUM + r"]|本|其|该|有关|相关|各", body) or _overlaps((bs, be), taken):
            continue
        out.append(Fact("body", bs, be, body, bs, be, role="decider"))
        taken.append((bs, be))
    return out


def passage_sentences(p: QuizPassage, extra: tuple[str, ...] = ()) -> list[Sentence]:
    """The quiz-worthy sentences of a passage with their facts and enumerations.

    A leading article number (第十三条) is cut from a sentence and kept as its :attr:`Sentence.article`;
    a sentence referring to the text around it (前款、上述) is not used (it cannot be understood alone);
    cross-references (第六项、本法第十一条、《…》第十五条) and statistics are never facts. In a regulation an
    enumerated item (（二）记过，十二个月；) carries its lead, and the items of a lead make a block enumeration.
    """
    regulation = p.doc_type == "regulation"
    raws = split_sentences(p.text)
    offsets, cursor = [], 0
    for raw in raws:
        off = p.text.find(raw, cursor)
        offsets.append(max(off, 0))
        cursor = off + len(raw) if off >= 0 else cursor
    is_item = [bool(ITEM_MARK.match(r)) for r in raws]
    heading_article = next((h for h in reversed(p.heading_path) if re.fullmatch(r"第\S+条", h or "")), "")
    out = []
    lead = ""
    for pos, raw in enumerate(raws):
        s = clean_sentence(raw)
        m = ARTICLE_NO.match(s)
        article = m.group(0).strip() if m else ""
        if m:
            s = s[m.end():].strip()
        article = article or article_before(p.text, offsets[pos]) or heading_article
        ctx = ""
        if regulation:
            if is_item[pos]:
                ctx = lead
            elif re.search(r"[：:]$", s) and pos + 1 < len(raws) and is_item[pos + 1]:
                lead = s if len(s) <= LEAD_MAX and not RELATIVE_REF.search(s) else ""
                items = []
                for k in range(pos + 1, len(raws)):
                    if not is_item[k]:
                        break
                    items.append(raws[k])
                blk = _block(s, items) if lead and s in p.text else None
                if blk is not None:
                    out.append(Sentence(p, pos, s, _sentence_score(s, 1) + 0.5, [], [blk], article=article))
                continue  # a lead's facts depend on its items: only the block is tested
            else:
                lead = ""
        if s not in p.text or len(s) > 220 or RELATIVE_REF.search(s):
            continue
        if _CONTINUATION.match(s) or (regulation and re.match(r"但(?:是)?[，,]?", s)):
            continue  # the second half of a sentence split at ；(或者由主任会议提议…; 但是…除外)
        if ctx:
            if len(s) < 4 or len(ctx + s) < 14 or any(canon(s) == canon(h) for h in p.heading_path if h):
                continue
        elif len(s) < 14 or _is_heading_like(raw, s, p.heading_path):
            continue
        if _BYLINE.search(s) or _PUB_DATE.match(s) or _CAPTION.search(s):
            continue
        titles = [(m.start(), m.end()) for m in TITLE.finditer(s)]
        protected = [(m.start(), m.end()) for m in QUOTED.finditer(s)] + titles
        rule = _rule_facts(s, p, protected)
        facts: list[Fact] = rule + _formulation_facts(s, titles + [(f.start, f.end) for f in rule])
        protected += [(f.start, f.end) for f in facts]
        fractions = _fraction_facts(s, protected, p.doc_type)
        protected += [(f.start, f.end) for f in fractions]
        facts += fractions + _number_facts(s, extra, protected, p.doc_type)
        for m in FREQUENCY.finditer(s):
            if not _overlaps((m.start(), m.end()), protected):
                facts.append(Fact("frequency", m.start(), m.end(), m.group(0), m.start(), m.end(), role="frequency"))
        for m in TITLE.finditer(s):
            if re.search(r"简称\s*$", s[:m.start()]) or len(m.group(0)) > 32:
                continue
            facts.append(Fact("title", m.start(), m.end(), m.group(0),
                               *((m.start(), m.end()) if len(m.group(0)) <= 16 else (-1, -1)), role="title"))
        taken = [(f.start, f.end) for f in facts] + protected
        for bs, be, name in _bodies(s, extra):
            if not _overlaps((bs, be), taken):
                facts.append(Fact("body", bs, be, name, bs, be, role="body"))
                taken.append((bs, be))
        for f in facts:
            if f.kind == "formulation":
                f.role = "formulation"
        # Structure is not content: no blank on a cross-reference (第六项、前款、《…》第十五条).
        facts = [f for f in facts if not cross_reference(s, f.start, f.end)]
        # A fact stated twice in the sentence would give its own answer away.
        counts = Counter(canon(f.text) for f in facts)
        facts = [f for f in facts if counts[canon(f.text)] == 1 and canon(s).count(canon(f.text)) == 1]
        lists = []
        for off, clause in _clauses(s):
            for lst in _list_items(clause, off):
                if any(CROSS_REF.search(x) for x in lst.items):
                    continue
                fams = {term_family(x, s) for x in lst.items}
                if len(fams) == 1 and "" not in fams:
                    lst.family = next(iter(fams))
                    lst.role = term_role(lst.family)
                lists.append(lst)
        # A count of the enumeration just before it (优秀、称职、基本称职和不称职四个等次) is read off the stem.
        facts = [f for f in facts if not (f.kind == "number" and any(0 <= f.start - lst.end <= 1 for lst in lists))]
        if not facts and not lists:
            continue
        score = _sentence_score(ctx + s, len(facts) + len(lists)) - 1.5 * min(absolute_refs(s), 2)
        out.append(Sentence(p, pos, s, score, facts, lists, article=article, lead=ctx))
    return out


# -- distractor pools --------------------------------------------------------------------------

NUMERIC_FORM = re.compile(rf"^[{CN_NUM}]+[个项大条件]")


@dataclass
class Pools:
    """Same-kind things found across the corpus, with the documents they were found in.

    A distractor comes from the item's own document first, then from documents of its family (the same
    work, related regulations), then from other documents of the same type (法规制度 with 法规制度); never
    from a document of another type (no 工作报告 title among the options of a 法规 item).
    """

    numbers: dict[str, Counter] = field(default_factory=dict)
    """measure → values seen in the corpus."""
    formulations: Counter = field(default_factory=Counter)
    titles: Counter = field(default_factory=Counter)
    bodies: Counter = field(default_factory=Counter)
    list_items: Counter = field(default_factory=Counter)
    terms: Counter = field(default_factory=Counter)
    deciders: Counter = field(default_factory=Counter)
    block_items: Counter = field(default_factory=Counter)
    origins: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(pool, text) → ids of the documents it was found in."""
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """doc id → (doc type, title)."""

    def _note(self, pool: str, text: str, doc_id: str) -> None:
        self.origins.setdefault((pool, text), set()).add(doc_id)

    def add(self, sent: Sentence) -> None:
        p = sent.p
        if p.doc_id not in self.docs:
            self.docs[p.doc_id] = (p.doc_type, p.title)
            if p.doc_type == "regulation" and p.title and 2 <= len(p.title) <= 30:
                own = f"《{p.title}》"  # a regulation's own name is a name of a regulation
                self.titles[own] += 1
                self._note("title", own, p.doc_id)
        for f in sent.facts:
            if f.kind == "number":
                self.numbers.setdefault(f.measure, Counter())[f.value] += 1
            elif f.kind == "formulation":
                self.formulations[f.text] += 1
                self._note("formulation", f.text, p.doc_id)
            elif f.kind == "title":
                self.titles[f.text] += 1
                self._note("title", f.text, p.doc_id)
            elif f.kind == "term":
                self.terms[f.text] += 1
                self._note("term", f.text, p.doc_id)
            elif f.kind == "body":
                pool = "decider" if f.role == "decider" else "body"
                (self.deciders if f.role == "decider" else self.bodies)[f.text] += 1
                self._note(pool, f.text, p.doc_id)
        for lst in sent.lists:
            pool = "block" if lst.block else "list"
            for x in lst.items:
                (self.block_items if lst.block else self.list_items)[x] += 1
                self._note(pool, x, p.doc_id)

    def proximity(self, pool: str, text: str, p: Passage | None) -> int | None:
        """How close ``text`` (found in ``pool``) is to the passage ``p``: 0 same document, 1 same family,
        2 same document type, 3 not found in the library (a vocabulary member, a made-up number);
        None when it was found only in documents of another type."""
        docs = self.origins.get((pool, text))
        if not docs or p is None:
            return 3
        if p.doc_id in docs:
            return 0
        infos = [self.docs.get(d, ("", "")) for d in sorted(docs)]
        same_type = [title for dt, title in infos if dt == p.doc_type]
        if not same_type:
            return None
        return 1 if any(related_titles(title, p.title) for title in same_type) else 2


_FRACTIONS = [(n, d) for d in (2, 3, 4, 5, 10) for n in range(1, d) if (n, d) != (5, 10) and not (d == 4 and n == 2)]


def _fmt_number(value: float, fact: Fact) -> str:
    if fact.measure == "分之":
        n, d = min(_FRACTIONS, key=lambda nd: abs(nd[0] / nd[1] - value))
        return f"{int_to_cn(d, liang=False)}分之{int_to_cn(n, liang=False)}"
    if fact.measure == "百分之":
        return "百分之" + (int_to_cn(int(value), liang=False) if fact.cn else str(int(value)))
    if fact.cn and value == int(value) and 0 < value < 10000:
        num = int_to_cn(int(value), liang=fact.measure not in ("%", "人次") and not fact.text.startswith("二"))
    else:
        num = str(int(value)) if value == int(value) else f"{value:g}"
    return f"{num}{fact.approx}{fact.measure}{fact.noun}"


def _number_alternatives(fact: Fact, pools: Pools, rng: random.Random) -> list[str]:
    v = fact.value or 0
    if fact.measure == "分之":
        cands = {n / d for n, d in _FRACTIONS}
    elif fact.measure in ("%", "百分之"):
        cands = {v + d for d in (-20, -10, -5, 5, 10, 20)}
        cands = {c for c in cands if 0 < c <= 100}
    elif v <= 10:
        cands = {v + d for d in (-3, -2, -1, 1, 2, 3, 4)}
    elif fact.approx or v % 10 == 0:
        cands = {v + d * max(10, round(v * 0.2, -1)) for d in (-2, -1, 1, 2, 3)}
    elif fact.measure in ("个月", "日", "天", "小时", "个工作日", "工作日", "周岁"):
        cands = {v + d for d in (-6, -3, -2, 2, 3, 6, 12)} | {v * 2, v / 2}
    else:
        cands = {v + d for d in (-10, -6, -4, -2, 2, 4, 6, 10)}
    corpus = {x for x in pools.numbers.get(fact.measure, {}) if x != v and v / 3 <= x <= v * 3}
    cands |= corpus
    cands = {c for c in cands if c > 0 and c != v and (fact.measure != "次" or v > 12 or c <= 12)}
    if fact.measure != "分之":
        cands = {c for c in cands if c == int(c) or "." in fact.text}
    if fact.approx:
        cands = {c for c in cands if c % 10 == 0}
    # Closer values first (more plausible), the corpus's own numbers slightly preferred; ties by seed.
    ordered = sorted(cands, key=lambda c: (abs(c - v) / max(v, 1) - (0.05 if c in corpus else 0), rng.random()))
    return list(dict.fromkeys(_fmt_number(c, fact) for c in ordered))


def form_class(text: str) -> str:
    """numeric (两个确立), dictionary (全面从严治党) or quoted (other phrases in quotes)."""
    if NUMERIC_FORM.match(text):
        return "numeric"
    return "dictionary" if text in sparse.formulations() else "quoted"


def similar_length(a: str, b: str, share: float = 0.3) -> bool:
    return abs(len(a) - len(b)) <= max(2, round(share * len(b)))


def _char_affinity(text: str, refs: Sequence[str]) -> float:
    """Share of ``text``'s characters that occur in ``refs`` (a crude topical closeness)."""
    pool = set("".join(refs))
    return sum(1 for ch in text if ch in pool) / max(len(text), 1)


def same_kind_term(cand: str, family: str) -> bool:
    """Whether ``cand`` may replace a term of ``family``: a member of it, or for sanctions any sanction."""
    if cand in family_members(family):
        return True
    return term_role(family) == "sanction" and cand in role_terms("sanction")


def _term_alternatives(ref: str, family: str, pools: Pools, rng: random.Random, p: Passage | None) -> list[str]:
    cands = [c for c in dict.fromkeys([*family_members(family), *(role_terms("sanction")
             if term_role(family) == "sanction" else [])]) if c != ref]
    keyed = []
    for c in cands:
        prox = pools.proximity("term", c, p)
        if prox is None or not similar_length(c, ref, 0.5):
            continue
        keyed.append(((c not in family_members(family), prox, abs(len(c) - len(ref))), rng.random(), c))
    keyed.sort()
    return [c for *_, c in keyed]


def alternatives(fact: Fact, pools: Pools, rng: random.Random, p: Passage | None = None) -> list[str]:
    """Same-kind replacements for ``fact``, most plausible first (not yet checked against the passage).

    Of the same kind means: numbers with the same measure word (三个月 → 六个月); terms of the same family
    (撤职 → 降级); names of laws for a name of a law, of the same form (《中华人民共和国…法》); bodies of the
    same class (上一级监察机关 → 本级监察机关); formulations of the same class and ending (民主集中制 → …制).
    ``p``: the item's passage — candidates found only in documents of another type are left out and those
    of its own document and family come first.
    """
    if fact.kind == "number":
        return _number_alternatives(fact, pools, rng)
    if fact.kind == "frequency":
        alts = [f for f in FREQUENCIES if f != fact.text]
        rng.shuffle(alts)
        return alts
    if fact.kind == "term":
        return _term_alternatives(fact.text, fact.family, pools, rng, p)
    ref = fact.text
    keyed: list[tuple[tuple, float, str]] = []
    if fact.kind == "formulation":
        cands = list(pools.formulations)
        cands += [f for f in sparse.formulations() if len(f) >= 4 and f not in _GENERIC_FORMULATIONS]
        cls = form_class(ref)
        for c in dict.fromkeys(cands):
            # Same class of formulation (两个确立 ↔ 四个意识) and, for names, the same ending (民主集中制 ↔
            # 首问负责制: no 中国式现代化 among names of 制度), of similar length.
            numeric = "numeric" in (cls, form_class(c))
            if numeric and form_class(c) != cls:
                continue
            if not numeric and c[-1] != ref[-1]:
                continue
            prox = pools.proximity("formulation", c, p)
            if prox is None or not similar_length(c, ref):
                continue
            keyed.append(((prox > 2, form_class(c) != cls, c[-2:] != ref[-2:], abs(len(c) - len(ref))), rng.random(), c))
    elif fact.kind == "title":
        tcls = title_class(ref)
        for c in pools.titles:
            prox = pools.proximity("title", c, p)
            if prox is None or title_class(c) != tcls or not similar_length(c, ref, 0.6):
                continue
            keyed.append(((prox, abs(len(c) - len(ref)) // 3), rng.random(), c))
    elif fact.role == "decider":
        bcls = body_class(ref)
        variants = decider_variants(ref)
        for c in dict.fromkeys([*variants, *pools.deciders, *pools.bodies]):
            pool = "decider" if c in pools.deciders else "body"
            prox = 1 if c in variants else pools.proximity(pool, c, p)
            if prox is None or body_class(c) != bcls or not similar_length(c, ref, 0.6):
                continue
            keyed.append(((prox, abs(len(c) - len(ref)) // 2), rng.random(), c))
    else:
        suffix = BODY_SUFFIX.search(ref)
        bcls = body_class(ref)
        for c in pools.bodies:
            prox = pools.proximity("body", c, p)
            if prox is None or not similar_length(c, ref, 0.5) or (bcls and body_class(c) != bcls):
                continue
            keyed.append(((not (suffix and c.endswith(suffix.group(0))), prox > 2, abs(len(c) - len(ref)) // 2),
                          rng.random(), c))
    keyed = [k for k in keyed if k[2] != ref]
    keyed.sort()
    return list(dict.fromkeys(c for *_, c in keyed))


def ok_distractor(alt: str, keys: Sequence[str], hay: str, taken: Sequence[str]) -> bool:
    """A wrong option: absent from the passage (``hay``, normalised), not contained in / containing a key
    or another option."""
    if not alt or occurs_in(alt, hay):
        return False
    ca = canon(alt)
    if not ca:
        return False
    for k in list(keys) + list(taken):
        ck = canon(k)
        if ca == ck or ca in ck or ck in ca:
            return False
    # Near-synonyms (为大局服务 ~ 服务大局, 北京市直机关工委 ~ 市直机关工委) could be read as correct too;
    # numbers differ in one digit by design.
    if not re.search(r"\d|[" + CN_NUM + "]", ca) and not ca.startswith("每"):
        for k in keys:
            a, b = set(ca), set(canon(k))
            if len(a & b) / len(a | b) >= 0.75:
                return False
    return True


def pick_distractors(cands: Iterable[str], keys: Sequence[str], p: Passage, k: int) -> list[str]:
    """The first ``k`` of ``cands`` that are good wrong options for ``p`` (absent from its text and title)."""
    out: list[str] = []
    passage_norm = _norm_text(p.text + "\n" + p.title)
    for c in cands:
        if ok_distractor(c, keys, passage_norm, out):
            out.append(c)
            if len(out) == k:
                break
    return out


_DOC_NAME = re.compile(r"(?:条例|办法|规定|规则|细则|意见|通知|纲要|决定|决议|章程|[^方做办学说看想]法)》?$")
_QUANTIFIED = re.compile(r"^[“《]?(?:每|各|所有|一切|全部|任何)")


def list_alternatives(items: list[str], pools: Pools, rng: random.Random, p: Passage | None = None,
                      family: str = "", block: bool = False) -> list[str]:
    """Same-kind replacements for the items of an enumeration, most plausible first.

    Items of a vocabulary family (查封、调取、留置) get other members (or for sanctions other sanctions);
    items sharing an ending or a beginning (自治区、自治州) get candidates sharing it; others get items of
    enumerations of a similar length, from the same document first and never from another type.
    """
    if family:
        cands = [c for c in dict.fromkeys([*family_members(family), *(role_terms("sanction")
                 if term_role(family) == "sanction" else [])]) if c not in items]
        lo, hi = min(len(x) for x in items), max(len(x) for x in items)
        keyed_f = [((c not in family_members(family), pools.proximity("term", c, p) or 0), rng.random(), c)
                   for c in cands if lo - 2 <= len(c) <= hi + 2]
        keyed_f.sort()
        return [c for *_, c in keyed_f]
    suffix = common_suffix(items)
    prefix = common_prefix(items)
    mean = sum(len(x) for x in items) / len(items)
    quoted = all(x.startswith(("“", "《")) for x in items)
    lo, hi = min(len(x) for x in items), max(len(x) for x in items)
    pool_name = "block" if block else "list"
    source = pools.block_items if block else pools.list_items
    ends_de = all(x.endswith("的") for x in items)
    endings = {x[-1] for x in items}
    uniform = len({len(x) for x in items}) == 1
    has_de = any("的" in x for x in items)
    regulation = p is not None and p.doc_type == "regulation"
    keyed = []
    for c in source:
        if c in items:
            continue
        if block:
            if not (lo - 4 <= len(c) <= hi + 6) or c.endswith("的") != ends_de or "其他" in c:
                continue
            if not ends_de and c[-1] not in endings:
                continue  # 院长、主席 among names of offices, not 监督宪法的实施
        elif not (lo - 1 <= len(c) <= hi + 1) or (uniform and len(c) != lo) or ("的" in c and not has_de):
            continue
        if regulation and not block and _char_affinity(c, items) < 0.34:
            continue  # in a regulation an enumeration's items share words with their replacements
        if suffix and not c.endswith(suffix):
            continue
        if prefix and not suffix and not c.startswith(prefix):
            continue
        if term_family(c) and not block:
            continue  # a term (留置、记过) is not an item of another kind of list
        if not block and bool(body_class(c)) != any(body_class(x) for x in items):
            continue  # a body (人民政府) is not an item of a list of qualities (政治坚定、勤勉尽责)
        if bool(_DOC_NAME.search(c)) != any(_DOC_NAME.search(x) for x in items):
            continue  # a document (科技进步条例) is not an item of a list of practices (压力层层传导)
        if bool(_QUANTIFIED.match(c)) != any(_QUANTIFIED.match(x) for x in items):
            continue  # "每一项立法" is not one of a list of slogans
        prox = pools.proximity(pool_name, c, p)
        if prox is None or (block and regulation and prox > 1):
            continue  # a rule's list items are replaced by items of the same regulation or its family
        key = (prox if regulation else 0,
               0 if c.startswith(("“", "《")) == quoted else 1,
               -round(_char_affinity(c, items), 1), round(abs(len(c) - mean)))
        keyed.append((key, rng.random(), c))
    keyed.sort()
    return [c for *_, c in keyed]


KIND_WEIGHT = {"number": 1.5, "frequency": 1.5, "formulation": 1.0, "title": 1.0, "body": 0.5, "list": 1.0,
               "term": 1.5}
"""How much a kind of fact is worth testing outside regulations (added to the sentence's score); in a
regulation the fact's role counts (:data:`~assistant.quiz.rules.ROLE_WEIGHT`)."""
