"""知识测验: what a fact in a rule is — the classes of facts worth testing and the ones never to blank.

Regulations (条例、法、办法) state rules: deadlines and time limits (三个月以内), kinds of sanctions (记大过、撤职),
conditions and circumstances (情节严重、从轻或者减轻), who decides (经上一级监察机关批准), procedure steps
(复审、留置), amounts and proportions (三分之二以上). Reports state statistics (增长5.2%，新建122个) that no reader
can be expected to know. Cross-references (前款、第六项、本法第十一条) and article numbers (第二十三条) are
structure, not facts. This module classifies a fact by its *role*, recognises the closed vocabularies of
rule terms (one family per ladder of sanctions, measures, remedies …), cross-references and statistics, and
groups documents into families (same work, related regulations) for distractors.
"""
from __future__ import annotations

import re

__all__ = [
    "ARTICLE_NO",
    "DECIDER",
    "DECIDER_SUFFIX",
    "ITEM_MARK",
    "RELATIVE_REF",
    "ROLE_WEIGHT",
    "RULE_ROLES",
    "TERM_FAMILIES",
    "TIME_MEASURES",
    "article_before",
    "body_class",
    "cross_reference",
    "decider_variants",
    "is_statistic",
    "number_role",
    "related_titles",
    "term_facts",
    "term_family",
    "term_role",
    "title_class",
    "title_core",
]

_NUM = "零〇一二两三四五六七八九十百千\\d"

ARTICLE_NO = re.compile(rf"^第[{_NUM}]+条(?:之[一二三四五六七八九十]+)?(?:[\s\u3000]+|(?=[“《（(]))")
"""A leading article number (``第二十三条 ``), stripped from stems and kept as the item's source."""
_ARTICLE_LINE = re.compile(rf"(?m)^(?:#+\s*)?(第[{_NUM}]+条(?:之[一二三四五六七八九十]+)?)(?=[\s\u3000])")

ITEM_MARK = re.compile(r"^[（(][一二三四五六七八九十\d]+[)）]\s*")
"""The marker of an enumerated item line (（一）警告；)."""

# -- cross-references ----------------------------------------------------------------------------

CROSS_REF = re.compile(rf"第[{_NUM}]+[条款项章节目编]|第[（(][一二三四五六七八九十\d]+[)）]项|"
                       r"前款|前[两二三四]款|前项|前条|前[两二三四]项|本条|本款|本项|上款|同款|该款|该项|上述")
"""Structure rather than content: a blank on any of these is a blank on a cross-reference."""
RELATIVE_REF = re.compile(r"前款|前[两二三四]款|前项|前[两二三四]项|前条|上款|本条第|本款|该款|该项|上述|依照前|有前|"
                          r"(?<![条款])第[（(]?[一二三四五六七八九十\d]+[)）]?[项款]")
"""References to the surrounding text (前款, 第（三）项 of the same article): a stem holding one cannot be
answered from the stem alone."""
_ABSOLUTE_REF = re.compile(rf"(?:本法|本条例|本规定|本办法|》)第[{_NUM}]+条")


def cross_reference(text: str, start: int, end: int) -> bool:
    """Whether the span [start, end) of ``text`` is (part of) a cross-reference: 第X条/款/项, 前款, or a
    document title cited with an article (《中华人民共和国监察法》第十五条)."""
    span = text[start:end]
    if CROSS_REF.search(span):
        return True
    before, after = text[max(0, start - 3):start], text[end:end + 14]
    if re.search(r"第$|前款$|本法$|本条例$", before):
        return True
    return bool(re.match(rf"\s*(?:第[{_NUM}]+[条款项章节]|规定的情形|所列|[{_NUM}]+项)", after))


def absolute_refs(text: str) -> int:
    """How many references to numbered articles (本法第十一条) the text makes."""
    return len(_ABSOLUTE_REF.findall(text))


def article_before(text: str, pos: int) -> str:
    """The article (``第十三条``) the position ``pos`` of a passage text falls in ('' when none)."""
    last = ""
    for m in _ARTICLE_LINE.finditer(text):
        if m.start() > pos:
            break
        last = m.group(1)
    return last


# -- roles ---------------------------------------------------------------------------------------

RULE_ROLES = ("deadline", "sanction", "condition", "decider", "procedure", "amount")
"""Facts of a rule, tested first in regulation passages."""
ROLE_WEIGHT = {"deadline": 3.0, "amount": 3.0, "sanction": 3.0, "decider": 2.5, "procedure": 2.5,
               "condition": 2.5, "count": 1.5, "frequency": 1.5, "list": 1.0, "title": 0.5, "body": 0.5,
               "formulation": 0.5}
"""What a fact of a role is worth testing in a regulation passage (added to the sentence's score)."""

TIME_MEASURES = ("个工作日", "工作日", "个月", "小时", "日", "天", "周", "年")
AGE_MEASURES = ("周岁",)
AMOUNT_MEASURES = ("%", "分之", "百分之", "倍", "元", "万元", "亿元")

_PRESCRIPTIVE = re.compile(r"应当|必须|须|要|不得|不超过|不少于|至少|以内|以下|以上|每|分成|分为|分设|设立|设置|组成|"
                           r"任期|期限|为期|届满|确立|建立|提出|概括|包括|围绕|坚持|做到|聚焦|突出|规定|明确|可以")
_REPORTED = re.compile(r"增长|下降|提高|降低|同比|比上年|增加|减少|达到|达|完成|实现|累计|新增|超过|突破|占|共有|共计|全年|"
                       r"全省|全市|全区|总量|规模|其中|分别|已|了|取得|建成|培育|引进|开通|投用|获得|获评|入选|位居|排名|"
                       r"举办|召开了|开展了|走访|培训|覆盖|惠及|带动|拉动|营收|产值|收入|投资|亿|万")


def number_role(measure: str, approx: str, decimal: bool, value: float, clause: str, doc_type: str) -> str:
    """The role of a number: deadline / amount / condition (an age) / count, or statistic (not to blank).

    In a regulation every number states the rule. Elsewhere a number is a statistic unless its clause
    prescribes something (应当、每年至少、分成…) and it is neither approximate (30余名), a decimal, a
    count above twelve (122个单位, 500个以上) nor reported as an achievement (增长、完成、新增…).
    """
    if measure in TIME_MEASURES:
        role = "deadline"
    elif measure in AGE_MEASURES:
        role = "condition"
    elif measure in AMOUNT_MEASURES:
        role = "amount"
    else:
        role = "count"
    if doc_type == "regulation":
        return role
    if is_statistic(approx, decimal, value, clause, doc_type):
        return "statistic"
    return role


def is_statistic(approx: str, decimal: bool, value: float, clause: str, doc_type: str = "") -> bool:
    """Whether a number outside a regulation is a statistic a reader could not be expected to know.

    Every number of a work report is (a result or a target: 建立3个以上合作机制); elsewhere a number is
    unless its clause prescribes something and it is small and exact.
    """
    if doc_type == "work_report":
        return True
    if approx or decimal or value > 12:
        return True  # 30余名, 5.2%, 122个单位, 改造老旧小区500个以上: figures, not rules
    if _REPORTED.search(clause):
        return True
    return not _PRESCRIPTIVE.search(clause)


# -- rule terms ----------------------------------------------------------------------------------

TERM_FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # family: (role, context the sentence must have, members)
    "政务处分": ("sanction", r"处分|予以|给予|处理", ("警告", "记过", "记大过", "降级", "撤职", "开除")),
    "党纪处分": ("sanction", r"党纪|党内|处分|予以|给予", ("警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍")),
    "组织处理": ("sanction", r"处理|处分|问责|予以|给予|进行|可以|采取",
                 ("谈话提醒", "批评教育", "责令检查", "诫勉", "通报批评", "停职检查", "调整职务", "责令辞职", "降职",
                  "免职", "责令公开道歉", "引咎辞职")),
    "情节": ("condition", r"", ("情节轻微", "情节较轻", "情节较重", "情节严重", "情节特别严重")),
    "调查措施": ("procedure", r"监察|调查措施|调查人员|被调查人|采取.{0,8}措施|措施",
                 ("讯问", "询问", "留置", "查询", "冻结", "搜查", "调取", "查封", "扣押", "勘验检查", "鉴定", "技术调查",
                  "通缉", "限制出境", "责令候查", "管护", "强制到案")),
    "救济": ("procedure", r"申请|提出|不服|可以|依法", ("复审", "复核", "申诉", "行政复议", "行政诉讼", "控告")),
    "考核等次": ("condition", r"考核|等次", ("优秀", "称职", "基本称职", "不称职")),
}
"""Closed vocabularies of rule terms; a term's distractors are other members of its family (or, failing
enough of them, other terms of the same role)."""

_LENIENCE = ("从轻", "减轻", "从重", "加重", "免予", "不予")
_LENIENCE_RE = re.compile(r"(?:从轻|减轻|从重|加重|免予|不予)(?:(?:或者|、)(?:从轻|减轻|从重|加重|免予|不予))*"
                          r"(?=给予|处分|处理|处罚|追究|政务处分|党纪处分)")
_LENIENCE_FAMILY = "处理幅度"
_LENIENCE_FORMS = ("从轻", "减轻", "从重", "加重", "免予", "不予", "从轻或者减轻", "从重或者加重", "减轻或者免予",
                   "免予或者不予", "减轻、免予或者不予", "从轻、减轻或者免予")


def _members() -> list[tuple[str, str]]:
    out = [(t, fam) for fam, (_, _, ts) in TERM_FAMILIES.items() for t in ts]
    return sorted(out, key=lambda x: -len(x[0]))


_TERMS = _members()
_TERM_RE = re.compile("|".join(re.escape(t) for t in dict.fromkeys(t for t, _ in _TERMS)))
# A term is a term when it stands alone: not inside a longer word (开除党籍 ≠ 开除; 优秀传统 ≠ 优秀).
_TERM_NEXT_BAD = {"优秀": "传统人才青年作品成果文化", "鉴定": "意见人机构结论", "查询": "权", "谈话": "函", "复核": "人",
                  "冻结": "的", "称职": "务"}
_TERM_PREV_BAD = {"专题", "组织", "提出"}


def term_role(family: str) -> str:
    if family == _LENIENCE_FAMILY:
        return "condition"
    return TERM_FAMILIES[family][0] if family in TERM_FAMILIES else ""


def term_family(term: str, context: str = "") -> str:
    """The family of ``term`` ('' when none); a term of several families goes with the one whose other
    members ``context`` mentions most (警告 with 记过 → 政务处分; with 留党察看 → 党纪处分)."""
    if term in _LENIENCE_FORMS or _LENIENCE_RE.fullmatch(term + "处分"):
        return _LENIENCE_FAMILY
    fams = [fam for fam, (_, _, ts) in TERM_FAMILIES.items() if term in ts]
    if not fams:
        return ""
    return max(fams, key=lambda f: (sum(1 for t in TERM_FAMILIES[f][2] if t != term and t in context),
                                    -list(TERM_FAMILIES).index(f)))


def family_members(family: str) -> tuple[str, ...]:
    if family == _LENIENCE_FAMILY:
        return _LENIENCE_FORMS
    return TERM_FAMILIES[family][2] if family in TERM_FAMILIES else ()


def role_terms(role: str) -> list[str]:
    """Every known term of ``role`` (sanction → 警告 … 开除党籍, 诫勉 …)."""
    out = [t for fam in TERM_FAMILIES for t in TERM_FAMILIES[fam][2] if TERM_FAMILIES[fam][0] == role]
    if role == "condition":
        out += list(_LENIENCE_FORMS)
    return list(dict.fromkeys(out))


def term_facts(text: str, context: str = "") -> list[tuple[int, int, str, str]]:
    """(start, end, term, family) of the rule terms of ``text`` (``context``: the passage, to pick families)."""
    out: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _LENIENCE_RE.finditer(text):
        out.append((m.start(), m.end(), m.group(0), _LENIENCE_FAMILY))
        taken.append((m.start(), m.end()))
    for m in _TERM_RE.finditer(text):
        s, e, t = m.start(), m.end(), m.group(0)
        if any(s < te and ts < e for ts, te in taken):
            continue
        nxt = text[e:e + 1]
        if nxt and nxt in _TERM_NEXT_BAD.get(t, ""):
            continue
        if text[max(0, s - 2):s] in _TERM_PREV_BAD:
            continue  # 专题询问 (of a standing committee) is not the 询问 of an investigation
        fam = term_family(t, context or text)
        ctx = TERM_FAMILIES[fam][1]
        if ctx and not re.search(ctx, text):
            continue
        out.append((s, e, t, fam))
        taken.append((s, e))
    return sorted(out)


# -- who decides ---------------------------------------------------------------------------------

DECIDER_SUFFIX = re.compile(r"(?:机关|委员会|常委会|人民政府|人民法院|人民检察院|国务院|党委|党组|纪委|监委|主席|会议|"
                            r"负责人|领导人员|部门|单位|公安机关)$")
DECIDER = re.compile(r"(?:报请|报经|提请|交由|(?<![已曾财政])经(?![济营费过常])|(?<![理自缘])由|报(?![告道送纸刊]))(?P<body>[^，。；：、“”《》（）()\s]{2,18}?"
                     r"(?:机关|委员会|常委会|人民政府|人民法院|人民检察院|国务院|党委|党组|纪委|监委|主席|会议|负责人|"
                     r"领导人员|部门))(?:或者[^，。；、]{0,16}?)?"
                     r"(?:批准|决定|备案|审批|同意|负责|作出|提出|任免|审议|任命|核准|确定|召集|主持|讨论)")
"""``经…批准`` / ``由…决定`` / ``报…备案``: the body that decides, approves or is answerable."""
_BODY_CLASSES = (("委员会", r"(?:委员会|常委会)$"), ("机关", r"机关$"), ("政府", r"(?:人民政府|国务院)$"),
                 ("司法", r"(?:人民法院|人民检察院)$"), ("党组织", r"(?:党委|党组|纪委|监委|工委)$"),
                 ("个人", r"(?:负责人|领导人员|主席)$"), ("会议", r"会议$"), ("部门", r"(?:部门|单位|部|厅|局|办公室|办)$"))


def body_class(name: str) -> str:
    """委员会 / 机关 / 政府 / 司法 / 党组织 / 个人 / 会议 / 部门 ('' when none): bodies of a class replace each other."""
    for cls, pat in _BODY_CLASSES:
        if re.search(pat, name):
            return cls
    return ""


_LEVELS = (("上一级", "本级", "同级", "上级", "下一级"),
           ("国家", "省级", "设区的市级", "县级"),
           ("县级以上", "设区的市级以上", "省级以上"),
           ("全国人民代表大会", "本级人民代表大会"),
           )


def decider_variants(name: str) -> list[str]:
    """Same-kind bodies of another level (上一级监察机关 → 本级监察机关, 同级监察机关 …)."""
    out: list[str] = []
    for group in _LEVELS:
        for lv in sorted(group, key=len, reverse=True):
            if name.startswith(lv):
                rest = name[len(lv):]
                out += [o + rest for o in group if o != lv]
                break
    return out


# -- documents and titles ------------------------------------------------------------------------

_LAW_TITLE = re.compile(r"(?:法|条例|规定|办法|细则|规则|准则|决定|意见|通知|纲要|方案|规划|制度|决议|章程|守则)(?:（[^（）]*）)?》?$")


def title_class(title: str) -> str:
    """``law:国`` (中华人民共和国…法), ``law:法`` / ``law:条例`` … (other laws and rules by their ending), or
    ``work`` (a song, a book): titles replace titles of the same class only."""
    t = title.strip("《》")
    m = _LAW_TITLE.search(t)
    if not m:
        return "work"
    if t.startswith("中华人民共和国") and re.search(r"法(?:（[^（）]*）)?$", t):
        return "law:国"
    end = re.sub(r"（[^（）]*）$", "", m.group(0)).rstrip("》")
    return "law:" + end


_CORE_STRIP = re.compile(r"^中华人民共和国|^中国共产党|[（(][^（）()]*[)）]|《|》|\s")
_GENERIC_BIGRAMS = {"条例", "规定", "办法", "实施", "细则", "决定", "工作", "管理", "规则", "意见", "通知", "报告", "政府",
                    "年政", "政府工", "人民", "中华", "共和"}


def title_core(title: str) -> str:
    """The distinctive part of a title (中华人民共和国监察法（2018） → 监察法)."""
    return _CORE_STRIP.sub("", title)


def related_titles(a: str, b: str) -> bool:
    """Whether two document titles belong to one family: the same work, or sharing a distinctive word
    (监察法 ~ 监察官法 ~ 公职人员政务处分法? only through 监察 / 处分)."""
    ca, cb = title_core(a), title_core(b)
    if not ca or not cb:
        return False
    if ca == cb:
        return True
    grams = {ca[i:i + 2] for i in range(len(ca) - 1)} - _GENERIC_BIGRAMS
    return any(g in cb for g in grams if not re.search(r"\d|[年月日]|法", g))
