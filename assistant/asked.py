"""What a question asks for: its form(s) and the facet an answer must hold.

Answer planning starts here. "两项机制是怎么运作的？" asks how something operates, "联席会议多久召开一次？"
asks a frequency, "两项机制指哪两项？" an enumeration of two named items, "监察法一共有多少条？" a fact
about a document. The form decides which sentences the answer needs (a frequency sentence for
多久, the named items for 哪些) and whether the passages state what was asked at all.

Rules are written per *class* of question wording (Chinese and English), not per question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Form(StrEnum):
    ENUMERATION = "enumeration"
    OPERATION = "operation"
    QUANTITY = "quantity"
    FREQUENCY = "frequency"
    DURATION = "duration"
    DATE = "date"
    WHO = "who"
    WHERE = "where"
    DEFINITION = "definition"
    SIGNIFICANCE = "significance"
    COMPARISON = "comparison"
    YESNO = "yesno"
    DOCFACT = "docfact"
    ATTRIBUTE = "attribute"
    GENERAL = "general"


FORM_ZH = {
    Form.ENUMERATION: "列举", Form.OPERATION: "运作方式", Form.QUANTITY: "数量", Form.FREQUENCY: "频次",
    Form.DURATION: "时长或期限", Form.DATE: "时间", Form.WHO: "主体", Form.WHERE: "地点或部门",
    Form.DEFINITION: "含义", Form.SIGNIFICANCE: "意义作用", Form.COMPARISON: "比较", Form.YESNO: "是非判断",
    Form.DOCFACT: "文档信息", Form.ATTRIBUTE: "具体规定", Form.GENERAL: "一般问题",
}

_CN_NUM = "一二两三四五六七八九十"

# Question wording per form. Order matters only for the primary form (first match wins).
_Q: list[tuple[Form, re.Pattern]] = [
    (Form.FREQUENCY, re.compile(
        r"多久.{0,6}[一1][次回]|多长时间.{0,6}[一1][次回]|隔多久|频次|频率|[每一]年.{0,6}(?:几|多少)[次回]|"
        r"(?:每|一年|一般|通常|平时|至少|定期|起码).{0,12}(?:几次|几回|多少次)|"
        r"\bhow often\b|\bhow many times (?:a|per|every)\b|\bfrequen", re.I)),
    (Form.DURATION, re.compile(
        r"多长时间|多久|多长|任期|期限|时限|(?<![这那近前头后])几年(?![轻纪龄])|几个月|几天|多少天|多少年(?![轻纪龄])|"
        r"(?:多少|几)个?(?:工作)?日(?=内|以内|之内|后|起|[？?，,]|$)|"
        r"\bhow long\b|\bterm of office\b|\bdeadline\b|"
        r"\bwithin what\b", re.I)),
    (Form.DATE, re.compile(
        r"何时|什么时候|啥时候?|哪会儿|几时|哪一?年|哪一?天|几月|几号|哪个月|日期|时间是|(?:^\s*|\b(?:and|or|but)\s+|[,;:]\s*)when\b|\bwhat date\b|\bwhat year\b|\bdate\b", re.I)),
    (Form.ENUMERATION, re.compile(
        rf"哪些|哪几|哪[{_CN_NUM[1:]}]|包括什么|包括哪|包含|分别(?:都|又|各)?(?:是|指|为)|有什么(?:措施|内容|形式|举措|要求|任务|做法)|"
        rf"[{_CN_NUM}\d]+[项个条种类方面大]+.{{0,4}}(?:是什么|是啥|指什么|是指|具体是|分别|内容)|主要内容|"
        r"\bwhich\b|\bwhat are\b|\blist\b|\bname the\b|\bwhat (?:kinds|types|forms|measures|items)\b", re.I)),
    (Form.OPERATION, re.compile(
        r"怎么运作|如何运作|运作|运行|运转|怎么(?:开展|实施|执行|落实|操作|做|搞|进行|组织|安排|办)|"
        r"如何(?:开展|实施|执行|落实|操作|进行|组织|安排|推进)|怎样(?:开展|实施|执行|落实|进行|运作|运行)|"
        r"(?:咋|怎么|如何|怎样)(?:个)?(?:运作|运行|开展|实施|执行|落实|操作|搞|弄|整|组织|安排|办|算|计算|计分|评分)|"
        r"程序|流程|步骤|机制.{0,3}(?:怎|如何)|议事规则|"
        r"\bhow (?:do|does|did|is|are|was|were)\b.*\b(?:work|works|operate|operates|run|runs|function|organi[sz]ed|"
        r"carried out|conducted|implemented)\b|\bprocedure\b|\bprocess\b", re.I)),
    (Form.QUANTITY, re.compile(
        r"多少|(?<![第])几(?:个|项|名|家|条|种|类|组|批|拨|所|次|回|场|期|位|支|件|人|届|轮|篇|部|户|堂|趟|份|套|块|册|页|封|节|栋)|"
        r"数量|规模|"
        r"\bhow many\b|\bhow much\b(?! (?:longer|more time))|\bnumber of\b", re.I)),
    (Form.WHO, re.compile(
        r"谁|哪位|哪个人|由谁|哪个(?:部门|单位|机构|机关|组织|处室|处|科室|科|团队|队|小组|组|支部|党支部|代表团)|哪家|"
        r"哪些(?:部门|单位|机构)|什么(?:部门|单位|机构)|"
        r"负责人|牵头|主持|\bwho\b|\bwhich (?:department|body|organ|unit|office|agency)\b|\bin charge\b|"
        r"\bwhich (?:\w+ ){1,2}(?:won|wins|came first|took first)\b", re.I)),
    # "在哪几块/在哪些方面使劲" asks for areas of work (an enumeration), not a place
    (Form.WHERE, re.compile(r"哪里|哪儿|在哪(?![几些一])|(?:在|到|去)(?:什么|啥|哪个)地方|何处|何地|设在|地点|\bwhere\b", re.I)),
    (Form.SIGNIFICANCE, re.compile(
        r"意义|作用|为什么|为何|好处|目的|必要性|价值|图[个的]?啥|图什么|为了啥|有啥用|有什么用|\bwhy\b|\bsignifican|\bpurpose\b|\bimportance\b|\brole\b", re.I)),
    (Form.COMPARISON, re.compile(r"区别|不同|异同|相比|比较|差别|有何差异|比起来|对比|(?:有啥|有什么|有何|没啥)两样|"
                                 # "哪家搞得多", "哪个更早": which of the two things named
                                 r"哪(?:家|边|一家)[^，,。？?]{0,6}?(?:更|最)?(?:多|少|高|低|快|慢|早|晚|大|小|强)|"
                                 r"\bdiffer|\bcompare|\bversus\b|\bvs\.?\b", re.I)),
    (Form.DEFINITION, re.compile(
        r"是什么(?!时候|时间|样|地方|部门|单位|级别)|是啥(?!时候|时间|样|地方|部门|单位)|指什么|指的?啥|是指|什么是|啥是|什么叫|含义|意思|定义|\bwhat is\b|\bwhat's\b|\bwhat does .* mean\b|\bdefin", re.I)),
    (Form.YESNO, re.compile(
        r"是否|是不是|有没有|能不能|可不可以|可否|需不需要|要不要|对吗|吗[？?]?$|(?<![什怎])么[？?]?$|"
        r"^(?:is|are|does|do|did|can|must|should|was|were|has|have)\b", re.I)),
]

# Facts about a document itself, answered from its record and structure.
DOC_REF = re.compile(r"《[^》]{2,40}》|这篇|那篇|该文|本文|一文|文章|综述|报道|文件|报告|讲话|稿子|材料|条例|办法|规定|法律|[\u4e00-\u9fff]{2,12}法|"
                      r"制度|意见|通知|纲要|规划|方案|细则|准则|"
                      r"\bdocument\b|\barticle\b|\breport\b|\bspeech\b|\blaw\b|\bregulation\b", re.I)
_DOCFACT: list[tuple[str, re.Pattern]] = [
    # "多少条整改措施" counts measures, not the document's articles
    ("count_articles", re.compile(r"(?:一共|总共|共有|共|有)?(?:多少|几)条(?![\u4e00-\u9fff]|条文|法条)|(?:多少|几)条(?:条文|法条)|"
                                  r"条数|\bhow many articles\b", re.I)),
    ("count_chapters", re.compile(r"(?:一共|总共|共有|共|有)?(?:多少|几)章(?![\u4e00-\u9fff])|章数|\bhow many chapters\b", re.I)),
    # (not a fact of the author: "作者游金霞是哪年出生的" asks what no document record holds)
    ("author", re.compile(r"^(?!.*(?:出生|年龄|多大|籍贯|哪里人|学历|性别|\bborn\b|\bage\b|\bhow old\b))"
                          r".*(?:作者|谁写|谁撰写|执笔|署名|哪一?(?:个人|位)(?:同志)?(?:写|撰)|撰稿|撰写[^？?。]{0,30}(?:的是|者是|者为|人是)(?:谁|哪一?位)|"
                          # "写北京两项机制那篇文章的是哪位": who wrote the piece it names
                          r"写[^？?。]{0,30}(?:文章|稿子|那篇|这篇|一文|报道|综述|讲话)的(?:是|人是)?(?:谁|哪一?位)|"
                          r"\bauthor\b|\bwho wrote\b|\bwritten by\b)",
                          re.I)),
    # 施行 / 生效 dates are stated in the text ("本法自……起施行"), not in the document record.
    ("date", re.compile(r"(?:什么时候|啥时候?|几时|何时|哪一?天|哪一?年|日期).{0,4}(?:发表|发布|印发|公布|通过|写的|刊发|刊登|发的|登的|"
                        r"出的|发出|写成)|"
                        # "那篇是哪一年的？": the date of the piece itself
                        r"(?:那篇|这篇|文章|稿子|综述|报道|讲话|》).{0,12}(?:什么时候|啥时候?|何时|哪一?天|哪一?年)的"
                        r"(?:稿子|文章|东西)?[？?]?$|"
                        r"(?:发表|发布|印发|公布)(?:于|的)?(?:什么时候|何时|哪天|哪一?年|日期|时间)|"
                        r"\bwhen was\b.*\b(?:published|issued|adopted|written)\b", re.I)),
    # "第一部分的标题是什么", "第二章叫什么", "开头第一块讲的是啥": a heading of the document's own structure
    ("part_title", re.compile(r"第[一二三四五六七八九十\d]+\s*(?:部分|章|节|编|块)\s*的?\s*(?:小?标题|题目|名称|叫什么|叫啥|"
                              r"讲的?是?(?:什么|啥)|是什么|是啥)|(?:小?标题|题目)\s*第[一二三四五六七八九十\d]+\s*(?:部分|章|节|编|块)|"
                              r"\b(?:heading|title) of (?:the )?(?:first|second|third|fourth|fifth|sixth) (?:part|chapter|section)\b",
                              re.I)),
    # "分了几个部分", "有哪几部分": the document's parts (its outermost headings), not areas of work (哪几个方面)
    ("parts", re.compile(r"(?:分|有|包括|包含|讲)了?(?:几|多少|哪几|哪些)个?(?:部分|大块|板块)|(?:几|哪几)(?:个)?部分|各部分的?(?:小?标题|题目)|"
                         r"\bhow many (?:parts|sections)\b|\bwhat are the (?:parts|sections)\b", re.I)),
    ("title", re.compile(r"^(?!.*(?:部分|第[一二三四五六七八九十\d]+|(?<!文)章|节|小标题)).*(?:文章|文件|报告|讲话|材料|稿子)[的，,]?"
                         r"(?:标题|题目|名称|名字)(?:是什么|叫什么|是啥|叫啥)|\bwhat is the title\b", re.I)),
    # after the title: "the title of the article X published in Y" asks the title
    ("source", re.compile(r"^(?!.*(?:栏目|版块|版面|专栏)).*(?:发表在|发表于|刊登|刊发|刊物|出处|出自|来源|哪家|什么媒体|"
                          r"登在|登载|(?:哪本|什么|哪个|哪家)(?:杂志|期刊|报纸|网站)|(?:什么|哪个|哪一?)(?:渠道|平台)[^？?。]{0,12}(?:发布|发表|刊发|推送)|杂志上|哪一?(?:家|个)单位(?:写|发|出)|(?:哪一?|第几)期(?!间)|"
                          r"\bwhich issue\b|"
                          r"\bpublished (?:in|by)\b|\bsource\b|\bwhich (?:journal|magazine|periodical|newspaper|website)\b)", re.I)),
]

# Sentences that hold each facet (the asked thing stated, not just the topic named).
CN_COUNTED = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}百千万]+)(?:多|余)?"
FACET: dict[Form, re.Pattern] = {
    Form.FREQUENCY: re.compile(rf"每(?:年|月|季度?|半年|周|星期|天|日|届|次)|{CN_COUNTED}次|定期|年度|一年一|按季|按月|"
                               r"[月季年周]报|月度|季度|适时|不定期|随时|经常|常态化"),
    Form.DURATION: re.compile(rf"任期|期限|{CN_COUNTED}(?:年|个月|月|天|日|周|小时|分钟)(?:内|以内|之内)?|届满|以内|之内|"
                              r"日起|长期|一年"),
    Form.DATE: re.compile(r"\d{4}年|\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月|[今去明]年|当年|年初|年底|年末|上半年|"
                          r"下半年|\d{4}[-./]\d{1,2}|\d{1,2}[:：]\d{2}|\d{1,2}[点时](?:\d{1,2}分|半|整)?|[上中下]午|早上|晚上|"
                          r"工作日|周[一二三四五六日末]|星期[一二三四五六日天]|节假日"),
    # 一次 is mostly an idiom (一次会议) and 十四届 / 第10期 name a term or an issue: counts of times start at two
    Form.QUANTITY: re.compile(rf"{CN_COUNTED}(?:个|项|名|家|组|条|种|类|批|所|人|件|处|支|方面|万|亿|%|％)|"
                              r"(?<![一二两三四五六七八九十])[两二三四五六七八九十百][一二三四五六七八九十百]*(?:次|回|场|位|轮|篇|户|堂|趟)|\d+"),
    Form.WHO: re.compile(r"由|负责|牵头|主持|担任|委员会|部|局|厅|办公室|党组|党委|工委|支部|单位|机关|领导|书记|主任|"
                         r"作者|[:：][\u4e00-\u9fff]{2,4}[,，]"),
    Form.WHERE: re.compile(r"设在|位于|在[\u4e00-\u9fff]{1,12}(?:召开|举行|举办|设立|挂牌)|地点|在京|驻|落户|落地|选址|坐落|安家"),
    Form.ENUMERATION: re.compile(r"、|《[^》]+》.{0,40}《[^》]+》|[一二三四五六七八九十]是|分别|包括|主要有|以下简称|"
                                 rf"{CN_COUNTED}(?:种|项|个|类|大|方面)"),
    Form.OPERATION: re.compile(r"每年|定期|负责|采取|通过|按照|分成|召开|形式|方式|至少|由|程序|流程|组织|建立|实行|"
                               r"开展|收集|反馈|报告|汇报|督促"),
    Form.DEFINITION: re.compile(r"是指|指的是|即|简称|是[\u4e00-\u9fff“”]{2,30}的|所称|包括|就是|"
                                # a law's definition: the term, then 是 (第二条 国家秘密是关系国家安全和利益……的事项)
                                r"^(?:第[一二三四五六七八九十百零〇]+条\s*)?[\u4e00-\u9fff“”]{2,12}是[^。]{4,}的[\u4e00-\u9fff]{1,6}。?$"),
    Form.SIGNIFICANCE: re.compile(r"有利于|意义|作用|是[^。]{0,30}(?:重要|关键|有力|具体)|为了|旨在|目的|推动|促进|保障|提升|增强"),
}
"""A sentence matching FACET[form] can answer a question of that form; forms without an entry accept any sentence."""

_YEAR_Q = re.compile(r"哪一?年(?![轻级底初末内])|何年|什么年份|哪个年份|\b(?:what|which) year\b", re.I)
YEAR = re.compile(r"\d{4}年|[〇零一二三四五六七八九]{4}年|[今去明前]年|当年|同年|次年")
"""A sentence that states a year (the facet of a date asked as a year)."""
PERIODIC_COUNT = re.compile(rf"[年月周季届][^，。；,;]{{0,10}}?{CN_COUNTED}次")
""""全年开展警示教育10次": times counted over a period state a frequency; "开展志愿服务217次" alone does not."""

STRICT = {Form.FREQUENCY, Form.DURATION, Form.DATE, Form.QUANTITY, Form.ATTRIBUTE}
"""Forms whose facet must be stated in a topic sentence, else the question is refused as not stated."""

_POINTED = re.compile(r"[那这]几[个项种类样条件位家名批]")
_COUNTED_SET = re.compile(rf"([{_CN_NUM}])[项个条种类张](?![说指讲叫的])([\u4e00-\u9fff]{{1,4}}?)[”\"]?(?:都|到底|究竟|具体|主要|指的)?"
                          r"(?:是什么|是啥|指什么|指啥|是指|是哪|包括什么|包括哪|包括啥|有哪|有啥)")
""""两项机制是什么 / 那三张清单到底是啥": a set named by its count, asked for its items."""
_FORMULATION = re.compile(rf"^(?:[{_CN_NUM}]|\d)(?:个|项|条|种|类|张|大|是)?[\u4e00-\u9fff]{{1,6}}$")
""""四个机关", "三力", "两个维护": a quoted term that opens with its count."""
_ITEMS_OF = re.compile(r"^[”\"’'][\u4e00-\u9fff]{0,6}?[，,]?(?:都|具体|到底|究竟|分别|主要)?(?:是指|指的是|指|是|包括|包含|有)"
                       r"[\u4e00-\u9fff]?(?:哪|什么|啥)|^[”\"’'](?:具体|到底|究竟)?(?:是|指)?(?:什么|啥)(?:意思|含义)")
""""“三行五前”工作机制具体包括哪些": what follows a quoted formulation asks for its items."""
_COUNT_WORD = re.compile(rf"哪([{_CN_NUM}]+|\d+)(?:项|个|条|种|类|方面|大|家|名|样|件|门|点)")
_EN_NUM = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_EN_COUNT = re.compile(r"\b(?:what|which)\b(?: \w+){0,2}? (two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九十", 0)} | {"两": 2}


def cn_small(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _CN_VALUE:
        return _CN_VALUE[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_VALUE.get(text[1], 0)
    if len(text) in (2, 3) and text[1:2] == "十":
        return _CN_VALUE.get(text[0], 0) * 10 + (_CN_VALUE.get(text[2], 0) if len(text) == 3 else 0)
    return None


@dataclass
class Asked:
    """What a question asks: its forms (primary first), the document fact asked, the count asked for."""

    forms: list[Form] = field(default_factory=lambda: [Form.GENERAL])
    docfact: str = ""
    more_docfacts: tuple[str, ...] = ()
    """Further facts of the same document asked in one question ("通过什么渠道、在哪一天发布的": source, date)."""
    count: int | None = None
    """"哪两项" → 2: the answer should name that many items."""
    unit: str = ""
    """"多少名" → 名: a quantity answer states a number with this unit."""
    measure: str = ""
    """"部门预算是多少" → 预算: without a unit, a quantity answer names what is counted."""
    person: bool = False
    """"…是谁": a person is asked for, so the answer names one."""
    role: tuple[str, ...] = ()
    """"办公室主任是谁 / who is the director of …": the holder of an office is asked, so the answer sentence names
    that office (any of these words) as well as a person: a sentence on the body alone does not say who holds it."""
    event: bool = False
    """Where/when an event (a meeting) is held, not where an office sits."""
    counted: str = ""
    """"多少件实事" → 实事: the thing counted, which the answer sentence must name."""
    counted_before: str = ""
    """"党支部一共有几个" → 党支部: the noun a final count is asked of. Often the topic itself (“四好”党员一共评出了多少名),
    so a sentence naming it is preferred (35个党支部), not required."""
    quoted: list[str] = field(default_factory=list)
    """Quoted terms of the question (“四好”党员): the specific thing asked about."""
    parts: list[str] = field(default_factory=list)
    """"A和B(的目标)分别是多少" → [A, B]: two things asked at once, each needs its own sentence."""
    across: bool = False
    """Asked of several documents or bodies ("各篇材料里…分别"): one answer sentence from each."""
    outcome: bool = False
    """"哪个处室拿了第一 / 谁获得了一等奖": the result of a contest is asked, so the answer states one."""
    attribute: Attribute | None = None
    """"评选标准是什么 / 受到什么处罚 / 经费由谁保障": an attribute the texts state by name when they state it."""
    place_kind: str = ""
    """"去了哪个省 / 在哪个城市开": the kind of place asked, which the answer names."""
    result: bool = False
    """"去年GDP实际增长了多少": an outcome is asked, which a report states in its review (not its list of targets)."""
    target: bool = False
    """"今年城镇新增就业目标是多少": a planned figure is asked, which reports state in their list of targets (not
    last year's result of the same measure)."""
    per_head: bool = False
    """"人均GDP": a measure per head is asked (else a sentence's 人均 figure is another measure)."""
    year: bool = False
    """"哪一年组建的": a date asked as a year, which a month and day ("1月26日") do not state."""
    formulation: str = ""
    """"“四个机关”是哪四个 / 三张清单具体是啥": a set named by its count (四个机关), asked for its items; the answer
    lists them or the question is refused (texts often use such a formulation without spelling it out)."""

    @property
    def primary(self) -> Form:
        return self.forms[0]

    def wants(self, form: Form) -> bool:
        return form in self.forms

    @property
    def strict(self) -> list[Form]:
        """The asked facets that a passage must state for the question to be answerable."""
        return [f for f in self.forms
                if f in STRICT or (f is Form.WHO and (self.person or self.outcome))
                or (f is Form.WHERE and (self.event or bool(self.place_kind)))]


_HEAD = r"^[^：:？?。]{2,40}："
"""The topics a follow-up carries, set before its own words ("两项机制：联席会议多久开一次？")."""
_CARRIED_HEAD = re.compile(_HEAD + r"(?=[这那它其该此])")
"""A follow-up's carried topics ("北京联席会议、市直机关：这8个组……分别是哪些部门"): no sides compared."""


def _after_quoted(q: str, term: str) -> str:
    """What follows the last quoted ``term`` of ``q``, from its closing quote ("“三行五前”……“三行”具体指的是啥")."""
    at = [m.end() for m in re.finditer(re.escape(term) + r"(?=[”\"’'])", q)]
    return q[at[-1]:] if at else q[q.find(term) + len(term):]


_TIME_UNITS = r"(?:天|日|年|个月|月|小时|周|星期|分钟|个工作日|工作日)"
_TIME_ASKED = re.compile(rf"(?:多少|几)(?:个)?{_TIME_UNITS}(?![轻纪龄])")
_COUNT_ASKED = re.compile(r"多少|(?<![第这那哪])几(?:个|项|名|家|条|种|类|组|批|次|人|件|位)")


def analyse(question: str) -> Asked:
    """Classify ``question`` (Chinese, English or mixed; ideally the standalone, translated form)."""
    q = question.strip()
    forms = [form for form, pat in _Q if pat.search(q)]
    # A frequency question is also matched by the duration/quantity wording ("多长时间一次", "几次"): keep one.
    if Form.FREQUENCY in forms:
        forms = [f for f in forms if f not in (Form.DURATION, Form.QUANTITY)]
    # "多少天内要批复": a length of time (三十日), not a count of things — unless 多少 also counts something
    if Form.DURATION in forms and Form.QUANTITY in forms and _TIME_ASKED.search(q) and not _COUNT_ASKED.search(
            _TIME_ASKED.sub("", q)):
        forms.remove(Form.QUANTITY)
    if Form.DURATION in forms and Form.DATE in forms and re.search(r"多长|多久|how long", q, re.I):
        forms.remove(Form.DATE)
    # "哪两项" is an enumeration, not a quantity; "多少个单位" is a quantity.
    if Form.ENUMERATION in forms and Form.QUANTITY in forms and not re.search(r"多少|(?<!哪)几个|how many", q, re.I):
        forms.remove(Form.QUANTITY)
    if Form.YESNO in forms and len(forms) > 1 and not re.search(r"是否|是不是|吗|(?<![什怎])么[？?]?$|^(is|are|does|do|can)\b",
                                                                  q, re.I):
        forms.remove(Form.YESNO)
    if "第几" in q and Form.QUANTITY in forms:  # an ordinal (第几批 → 首批), not a count
        forms.remove(Form.QUANTITY)
    # "那几项活动叫啥": those few things are pointed at and named, not counted
    if Form.QUANTITY in forms and _POINTED.search(q) and not re.search(r"多少|(?<![那这哪])几[个项名家条种类组批所]|how many",
                                                                         q, re.I):
        forms.remove(Form.QUANTITY)
        if Form.ENUMERATION not in forms:
            forms.insert(0, Form.ENUMERATION)
    docfact = ""
    docfacts = [name for name, pat in _DOCFACT if pat.search(q)] if DOC_REF.search(q) else []
    if docfacts:
        docfact = docfacts[0]
    if (Form.QUANTITY not in forms and _TARGET_Q.search(q) and (INDICATORS.search(q) or re.search(r"GDP|CPI", q))
            and re.search(r"是什么|是啥|定的?多少|多少|what|\?|？", q, re.I)):
        # "广东今年居民消费价格涨幅目标是什么 / What is Guangdong's target for consumer prices": a target value
        forms = [Form.QUANTITY] + [f for f in forms if f not in (Form.DEFINITION, Form.GENERAL)]
    if docfact == "count_articles" and _counts_another_noun(q):
        docfact = ""  # "那篇文章里措施一共多少条": the measures are counted, not the document's articles
    if docfact:
        forms = [Form.DOCFACT] + [f for f in forms if f not in (Form.QUANTITY, Form.WHO, Form.DATE)]
    m = _COUNT_WORD.search(q) or _COUNTED_SET.search(q)
    count = cn_small(m.group(1)) if m else None
    if m is not None and m.re is _COUNTED_SET and Form.ENUMERATION not in forms and not docfact:
        forms.insert(0, Form.ENUMERATION)  # "两项机制具体指啥": name the two
    if count is None:
        m = _EN_COUNT.search(q)
        count = _EN_NUM.index(m.group(1).lower()) + 2 if m else None
    unit, measure = "", ""
    if Form.DURATION in forms and Form.QUANTITY not in forms and (mt := _QTY_UNIT.search(q)):
        unit = mt.group(1)  # "多少日内": the length is counted in 日
    if Form.QUANTITY in forms:
        mu = _QTY_UNIT.search(q)
        unit = mu.group(1) if mu else ("元" if _MONEY_ASKED.search(q) else "%" if _SHARE_ASKED.search(q) else "")
        if unit == "个" and mu is not None and (q[mu.end():mu.end() + 1] == "人" or (
                not re.match(r"[\u4e00-\u9fff]", q[mu.end():]) and _PEOPLE_BEFORE.search(q[:mu.start()]))):
            unit = "人"  # "几个人", "升岗位的人有多少个": people are counted (4名 answers it)
        if not unit:
            after = _QTY_AFTER.search(q)
            if after and after.group(1) in _NOT_MEASURED:
                after = None  # "多少来着": a particle, nothing measured
            before = _QTY_NOUN.search(q)
            measure = after.group(1) if after else (before.group(1)[-2:] if before else "")
            if measure in _NOT_MEASURED:
                measure = ""
            if measure in _TARGET_WORDS:  # "城镇新增就业目标是多少": 就业 is measured; reports list targets without the word
                measure = _measured_before(q, measure)
            if not measure and (mg := re.search(r"(增长|增速|涨幅|下降|提高|上涨)了?(?:多少|几)", q)):
                measure = _measured_before(q, mg.group(1))  # "外贸打算增长多少": 外贸 is measured
            if not measure and (mm := _NAMED_MEASURE.search(q)):
                measure = _LATIN_MEASURE.get(mm.group(0).lower(), mm.group(0))  # "去年GDP增长了多少"
            unit = _MEASURE_UNIT.get(measure, "")
            if unit:
                measure = ""
        elif unit in _MAGNITUDES and (mm := _NAMED_MEASURE.search(q)):
            measure = _LATIN_MEASURE.get(mm.group(0).lower(), mm.group(0))  # "GDP一共多少亿": 生产总值, in 亿
    person = bool(_PERSON_Q.search(q))
    if ORGANS_ASKED.search(q):  # "牵头单位分别是谁": organs by name, not a person
        person = False
        if Form.ENUMERATION not in forms:
            forms.append(Form.ENUMERATION)
    role = _role_asked(q)
    if role:
        person = True
        if Form.WHO not in forms:  # "党组书记叫什么名字": a person, not an attribute of the body
            forms.insert(0, Form.WHO)
        forms = [f for f in forms if f not in (Form.ATTRIBUTE, Form.DEFINITION)]
    counted, counted_before = "", ""
    if Form.QUANTITY in forms:
        mc = _QTY_AFTER.search(q)
        counted = _noun_at(q, mc.start(1)) if mc and mc.group(1) not in _MEASURE_UNIT and unit != "人" else ""
        if not counted and unit and (mb := _COUNT_AT_END.search(q)):
            counted_before = _noun_before(q, mb.start())  # "党支部一共有几个？"
            if unit == "人" and not _PEOPLE_NOUN.search(counted_before):
                counted_before = ""  # "党员一共多少人": people of a kind, else any people counted
        if unit == "个" and _PEOPLE_NOUN.search(counted):
            unit = "人"  # "多少个固定联系的代表": people, counted in 名 / 位 / 人
        # "几个人的", "多少人参加", "给几个人办了": people are counted, no noun follows
    attribute, kind = asked_attribute(q), _place_kind(q)
    if kind and Form.WHERE not in forms:
        forms.append(Form.WHERE)
    if attribute is not None and not docfact and not role:
        forms.append(Form.ATTRIBUTE)
    if len(forms) > 1 and Form.GENERAL in forms:
        forms.remove(Form.GENERAL)
    parts = asked_parts(q)
    # (an English question's quoted words, "micro-wishes", are not the texts' words)
    quoted = [x for x in re.findall(r"[“\"‘']([^”\"’']{2,20})[”\"’']", q) if re.search(r"[\u4e00-\u9fff\d]", x)]
    formulation = ""
    if Form.ENUMERATION not in forms and not docfact and any(
            _FORMULATION.match(x) and _ITEMS_OF.search(_after_quoted(q, x)) for x in quoted):
        forms.insert(0, Form.ENUMERATION)  # "“三行”具体指的是啥": a counted formulation is defined by its items
    if Form.ENUMERATION in forms and not docfact:
        def value_of(f: str) -> int | None:
            return int(f[0]) if f[0].isdigit() else cn_small(f[0])

        # "“三会一课”里的“三会”是哪三个": the set of the asked count named last, nearest the asking words
        named = [x for x in quoted if _FORMULATION.match(x)]
        named = [x for x in named if value_of(x) == count] or named
        mset = _COUNTED_SET.search(q)
        formulation = named[-1] if named else (mset.group(0)[:2 + len(mset.group(2))] if mset else "")
        value = value_of(formulation) if formulation else None
        if count is None and value and _ITEMS_OF.search(_after_quoted(q, formulation)):
            count = value  # "“三行五前”工作机制具体包括哪些内容": its items
        if formulation and count != value:
            formulation = ""  # "哪些材料提到了“四强”党支部": the items of 四强 are not asked
    return Asked(forms=forms or [Form.GENERAL], docfact=docfact, more_docfacts=tuple(docfacts[1:]) if docfact else (),
                 count=count, unit=unit, measure=measure,
                 person=person, role=role, event=bool(_EVENT_Q.search(q)),
                 counted=counted, counted_before=counted_before, quoted=quoted,
                 across=bool(_ACROSS.search(FIXED_AND.sub("", _CARRIED_HEAD.sub("", q)))) and not parts, parts=parts,
                 outcome=Form.WHO in forms and bool(OUTCOME_Q.search(q)),
                 attribute=attribute, place_kind=kind, formulation=formulation,
                 year=Form.DATE in forms and bool(_YEAR_Q.search(q)),
                 target=Form.QUANTITY in forms and bool(_TARGET_Q.search(q)) and not _RESULT_Q.search(q),
                 result=Form.QUANTITY in forms and bool(_RESULT_Q.search(q)) and not _TARGET_Q.search(q),
                 per_head=_PER_HEAD in q or bool(re.search(r"per capita", q, re.I)))


_EVENT_Q = re.compile(r"召开|举行|举办|开会|(?:在|到|去)(?:哪[里儿个]?|什么|何)(?:地方|城市|地|处)?(?:开|办|搞)(?![展放发拓创始通理公法事])|"
                      r"哪儿(?:开|办)(?![展放发拓创始通理公法事])|(?:开|办)在哪|\bheld\b|\btake place\b|\btook place\b", re.I)
"""Where (or when) a meeting or an event takes place: "在哪里开", "在哪个城市办的", "在哪儿召开"."""


@dataclass(frozen=True)
class Attribute:
    """An attribute of a rule or an activity that texts state by name: 标准, 经费, 处罚 ….

    ``asked`` finds it in a question (with its asking word), ``stated`` in a sentence that states it."""

    label: str
    asked: re.Pattern
    stated: re.Pattern
    noun: re.Pattern
    """A term that ends in the attribute's noun (评选标准): the attribute, not the topic it is asked of."""


_BEFORE = r"(?:什么|啥|哪些|哪种|何种|哪类|哪几[项条种类个]?|哪个|按|按照|依据|根据|凭|怎样的|怎么样的)(?:样的?|的)?"
_AFTER = r"(?:是|有|为|要|应|该|能|都)?(?:什么|啥|哪些|哪几|多少|多高|多长|多久|几|怎么|如何|怎样|由谁|谁|从哪|哪来|咋)"


def _attribute(label: str, nouns: str, stated: str, extra: str = "", english: str = "") -> Attribute:
    """``english``: the attribute asked in an English question (its glossary translation loses the asking word)."""
    asked = rf"{_BEFORE}(?:{nouns})|(?:{nouns}){_AFTER}" + (f"|{extra}" if extra else "") + (
        rf"|\b(?:{english})\b" if english else "")
    return Attribute(label, re.compile(asked, re.I), re.compile(stated), re.compile(rf"(?:{nouns})$"))


ATTRIBUTES = [
    _attribute("经费", r"经费|资金|费用|开支|花销|预算|钱从|钱由", r"经费|资金|费用|预算|开支|拨付|拨款|财政|万元|亿元|\d+元",
               english=r"budgets?|funding|funds|expenditures?|expenses|how much money"),
    _attribute("处罚或责任", r"处罚|罚则|惩罚|惩处|处分|后果",
               r"处罚|罚款|罚金|处分|追究|问责|通报批评|警告|记过|降级|撤职|开除|惩|约谈|诫勉|责令",
               extra=r"(?:追究|承担|负)(?:什么|哪些|啥|何种)(?:样的)?(?:法律)?责任",
               english=r"penalty|penalties|punishments?|punished|sanctions?|liability|liabilities"),
    _attribute("奖励或待遇", r"奖励|奖金|奖品|嘉奖|补贴|津贴|补助|待遇|工资|薪酬|薪水|收入",
               r"奖励|奖金|奖品|表彰|嘉奖|待遇|荣誉|记功|表扬|补贴|津贴|补助|工资|薪酬",
               english=r"rewards?|rewarded|awards?|bonus|bonuses|allowances?|subsidy|subsidies|salary|salaries|wages?"),
    _attribute("标准或条件", r"标准|条件|资格|门槛", r"标准|条件|资格|具备|符合|达到|应当是|必须是|依据|为准|原则",
               english=r"criteria|criterion|eligibility|eligible|qualifications?|prerequisites?"),
    _attribute("任期", r"任期|任职期限|任职年限|届期", r"任期|任职|届满|每届|一届|连任|轮流担任",
               english=r"term of office|tenure|term limits?|how long\b.{0,60}\bserve|serves? for how long"),
    _attribute("年龄", r"年龄|年纪|岁数", r"\d+岁|[一二三四五六七八九十]+岁|年龄|年纪|岁数|出生|生于|\d{4}年生",
               extra=r"多大年纪|多少岁|几岁|哪一?年出生|哪年生|出生(?:于|在)?(?:哪|什么|何)",
               english=r"how old|age|born"),
    _attribute("顺序", r"顺序|次序|先后", r"顺序|次序|依次|先后|轮流|首先|其次|然后|之后", english=r"in what order|sequence"),
    _attribute("联系方式", r"电话|邮箱|网址|联系方式|热线|手机号", r"电话|邮箱|网址|热线|\d{7,}|@|www|http",
               english=r"phone|telephone|hotline|e-?mail|contact details"),
    _attribute("评审方式", r"评委|评审|评分|打分|裁判|计分", r"评委|评审|评分|打分|裁判|计分|评议|评比",
               english=r"judges?|judged|scored|scoring|jury"),
    _attribute("审批程序", r"签发|审批|审核|核准|审定|批准", r"签发|审批|审核|核准|审定|批准|报批|同意",
               extra=r"谁来?(?:签发|审批|审核|核准|审定|批准)", english=r"approval|approved by|who signs|signed off"),
    # (a place by its number: "居全国前列" states none)
    _attribute("排名", r"排名|名次|位次", r"第[一二三四五六七八九十\d]+(?:名|位)|(?:位居|位列|居|排)(?:全国|全省|全市|世界)?(?:第|首)|"
               r"首位|榜首", extra=r"排(?:在)?第几|第几名|第几位",
               english=r"rank(?:s|ed|ing)?|what place"),
    _attribute("名称", r"名字|名称", r"“[^”]{2,20}”|《[^》]{2,40}》|名为|称为|叫做|命名|简称",
               extra=r"叫什么名|叫啥名", english=r"what is the name|what is it called|what's it called"),
]
"""Attributes a question can ask of a topic; adding one here is all it takes (question and sentence side)."""


def asked_attribute(question: str) -> Attribute | None:
    return next((a for a in ATTRIBUTES if a.asked.search(question)), None)


_PLACE_KIND = re.compile(r"(?:哪个|哪一个|什么|哪)(省份|省|城市|市|县|区|国家)(?=[^\u4e00-\u9fff]|$|[的开召举办呢吗啊搞])")
""""去了哪个省？", "在哪个城市开的" (not "什么区别", "哪个市直单位")."""


def _place_kind(question: str) -> str:
    m = _PLACE_KIND.search(question)
    return m.group(1) if m else ""


def _noun_at(question: str, start: int) -> str:
    """The noun jieba reads at ``start`` ("多少个合唱团" → 合唱团, "几件实事" → 实事), "" for a verb ("多少人参加")."""
    from .names import pos_tagger

    # modifiers before it are passed over ("多少个固定联系代表" → 代表); a particle or a mark ends the search
    words = list(pos_tagger().cut(question[start:start + 10], HMM=False))

    def noun(i: int) -> bool:
        return i < len(words) and (words[i].flag.startswith(("n", "vn")) or words[i].flag == "j") and len(words[i].word) >= 2

    for i, w in enumerate(words[:3]):
        if noun(i):
            # "固定联系的代表": the noun after 的 is the one counted, the one before describes it
            if i + 1 < len(words) and words[i + 1].word == "的" and noun(i + 2):
                return words[i + 2].word
            # "党员突击队": the last of a run of common nouns is the thing counted (突击队); not a verb read as a
            # noun ("合唱队上台了": 上台)
            while (noun(i + 1) and words[i + 1].flag in ("n", "nz")
                   and not (i + 2 < len(words) and words[i + 2].word in ("了", "过", "着"))):
                i += 1
            return words[i].word
        if not w.flag.startswith(("a", "v", "b", "d")) or w.word in "的了吗呢":
            break
    return ""


OUTCOME_Q = re.compile(r"(?:拿|得|获|夺|取|排|评)了?个?第一|第一名|冠军|夺冠|获奖|得奖|[一二三特]等奖|金奖|银奖|优胜|胜出|拿了?第|排名第|名次|"
                       r"\bwon\b|\bwin\b|\bwinner|\bfirst place\b|\bprize\b|\baward", re.I)
"""Wording that asks for the result of a contest or an award."""
OUTCOME = re.compile(r"第[一二三1-3]名|冠军|夺冠|(?:夺得|获得)[^，,。；;]{0,12}?(?:奖|第|名次|称号|荣誉|表彰|优胜)|荣获|获评|评为|"
                     r"[一二三特]等奖|金奖|银奖|优胜|胜出|名列|排名第")
"""A sentence that states such a result."""


# Two things asked at once: "……A和B的预期目标是多少", "A和B分别是多少" (not "A和B之间通过哪些形式": one relation).
_PARTS = re.compile(r"([\u4e00-\u9fff“”]{2,14}?)(?:和|与|以及|及|、)([\u4e00-\u9fff“”]{2,14}?)"
                    r"(?:(?:的[\u4e00-\u9fff]{0,4}?(?:目标|指标|数量|人数|金额|比例|期限|时限|时间|任期|标准|增速|规模))"
                    r"(?:分别|各自|各)?|分别|各自)(?:是|为|有|定为|达到|要求)?(?:多少|几|什么|哪些|多久|多长|第几)")
_PART_LEAD = re.compile(r"^.*?(?:年|省|市|区|今年|明年|去年|规定|报告|提出|法|条例)(?=[\u4e00-\u9fff]{2})")


def asked_parts(q: str) -> list[str]:
    """The two things of "A和B的预期目标分别是多少" (each stripped of the place, year or source before it)."""
    m = _PARTS.search(q)
    if not m:
        return []
    a = _PART_LEAD.sub("", m.group(1)) or m.group(1)
    b = m.group(2)
    if len(a) < 2 or len(b) < 2 or a == b:
        return []
    return [a, b]


_ASKING = re.compile(r"怎么|如何|怎样|什么|哪|谁|多少|几|多久|多长|何时|咋|啥|是否|有没有")
_CLAUSE_BREAK = re.compile(r"[，,、；;？?。]|(?<=[的了])(?:又|还|并且|以及|同时)|(?:又|还)(?=是|要|有|怎|如|由|在)")


def sub_questions(q: str) -> list[str]:
    """The clauses of a compound question that each ask something ("是怎么分组、又是如何确定牵头单位的",
    "谁来讲的话、谁主持的"), or [] for a question that asks one thing."""
    pieces, lead = [], ""
    for p in _CLAUSE_BREAK.split(q):
        if p and _ASKING.search(p):
            pieces.append(lead + p)
            lead = ""
        elif p:
            lead += p  # "牵头单位又是怎么轮的": the clause's subject stands before 又
    return pieces if len(pieces) >= 2 else []


FIXED_AND = re.compile(r"中央和国家机关|党和国家|党和政府|党和人民")
"""Names joined by 和 that name one body ("中央和国家机关…分别指哪三个" asks of one)."""
_ACROSS = re.compile(r"各篇|各份|几篇|哪几篇|各(?:个)?(?:材料|文件|文章|报告)|"
                     r"(?:和|与|、|及|同|跟)[^。？?！!]{2,40}?(?:分别|各自|各有|各(?!单位|部门|级|地|省|市|机关|组|个|类|项|方面|党|自|有关)[\u4e00-\u9fff]{1,4}?了?些?(?:几|多少|什么|啥|哪些))|\b(?:across|each of) the (?:documents|texts|reports)\b|"
                     r"(?:和|与|同|跟)[^。？?！!]{2,40}?(?:有什么不同|有何不同|有什么区别|有何区别|的区别|的不同|异同|不一样)|"
                     r"^(?:比较|对比)",
                     re.I)
_SIDE_JOIN = re.compile(r"和|与|同|跟|及")
_SIDE_HEAD_END = re.compile(r"的|，|,|在|上|方面|各|分别|有什么|有何")


def _one_body(text: str) -> str:
    """``text`` with the 和 of one body's name masked (中央和国家机关), positions kept."""
    return FIXED_AND.sub(lambda m: "＆" * len(m.group(0)), text)


def compared_sides(q: str) -> list[str]:
    """The two questions a comparison asks ("A与B的X分别是多少" → "A X分别是多少", "B的X分别是多少"), each to be
    searched on its own so that one side's many near matches do not crowd out the other's; [] if not two sides."""
    m = _SIDE_JOIN.search(_one_body(q))
    if m is None or m.start() < 2:
        return []
    a, rest = q[:m.start()], q[m.end():]
    a = re.sub(r"^(?:请问|比较|对比|比比)(?:一下)?[:：，,]?", "", a)
    head = _SIDE_HEAD_END.search(_one_body(rest))
    if head is None or head.start() < 2 or len(a) < 2:
        return []
    tail = rest[head.start():].lstrip("的，,")
    return [f"{a} {tail}", rest]


def compared_names(q: str) -> list[str]:
    """The two things a comparison names ("在机关党建里，市直机关工委和各单位党组的领导作用有啥不同" → 市直机关工委,
    各单位党组), or []."""
    m = _SIDE_JOIN.search(_one_body(q))
    if m is None or m.start() < 2:
        return []
    left = re.split(r"[，,。：:；;？?]|(?:^|[里中上])在|对于|关于|请问|(?:比较|对比)(?:一下)?", q[:m.start()])[-1].strip()
    rest = q[m.end():]
    head = re.search(r"的|在|对|[，,？?]|方面|分别|各自|有什么|有何|有啥|上|中|抓", rest[2:])  # (各单位党组: 各 starts it)
    right = rest[:2 + head.start()].strip() if head is not None else ""
    return [left, right] if len(left) >= 2 and len(right) >= 2 else []


UNITS = ("人次|个|项|名|家|组|条|种|类|批|拨|所|人|件|处|支|次|期|场|篇|部|户|位|座|台|辆|间|张|本|元|万|亿|天|年|月|回|届|轮|门|亩|"
          "公里|吨|份|套|块|册|页|封|节|栋|堂|趟|票|周岁|岁|小时|分钟|公斤|斤|公顷|千瓦时|千瓦|平方米|立方米|微克|倍|级(?=[，,。；;、？?]|$)|美元|日(?=内|以内|之内|后|起|前|[，,。；;？?]|$)")
# 年轻/年龄 are words, not the measure 年 ("多少年轻干部"); a score's 分 only ends a clause (多少分党组 is a body)
_UNIT_ASKED = rf"(?:(?:{UNITS})(?![轻纪龄])|分(?=[？?，,。！!呢啊吧]|$))"
_QTY_UNIT = re.compile(rf"(?:多少|(?<![这那近前头后])几)(?:[万亿](?=[\u4e00-\u9fff]))?({_UNIT_ASKED})")
_QTY_AFTER = re.compile(rf"(?:多少|几)(?:{_UNIT_ASKED})?([\u4e00-\u9fff]{{2}})")
_SETTING = {"控制", "实现", "确定", "完成", "达到", "设定", "确保", "年均", "实际"}
_GROWTH = {"增长", "增速", "涨幅", "增幅", "提高", "下降", "上涨", "增加"}
INDICATORS = re.compile(r"生产总值|居民消费价格|城镇新增就业|城镇调查失业率|粮食产量|一般公共预算收入|固定资产投资|"
                        r"社会消费品零售总额|居民人均可支配收入|进出口")
"""Measures reports set targets for and report results of: an English question's measure, found among its terms."""
_NAMED_MEASURE = re.compile(r"GDP|CPI|PPI|" + INDICATORS.pattern, re.I)
"""A measure a question names by its Latin or its reports' name ("去年GDP增长了多少", "GDP一共多少亿")."""
_SAME_MEASURED = {"生产总值": ("生产总值", "经济增长", "经济总量", "GDP"), "经济": ("经济", "生产总值", "GDP"),
                  "外贸": ("外贸", "进出口", "对外贸易"), "物价": ("物价", "居民消费价格", "CPI"),
                  "消费": ("消费", "社会消费品零售总额", "社零"), "投资": ("投资", "固定资产投资"),
                  "新增就业": ("新增就业", "新增城镇就业")}
"""What reports also call a measure: the growth of 地区生产总值 is 经济增长 in a list of targets."""
MEASURE_NAMES = tuple(_SAME_MEASURED.values())


def same_measured(measure: str) -> tuple[str, ...]:
    return _SAME_MEASURED.get(measure, (measure,))


_LATIN_MEASURE = {"gdp": "生产总值", "cpi": "居民消费价格", "ppi": "生产价格", "pm2.5": "细颗粒物"}
_LATIN = re.compile(r"GDP|CPI|PPI|PM2\.5", re.I)


def in_chinese_measures(q: str) -> str:
    """``q`` with its Latin indicator names in the reports' words (GDP → 生产总值): the topic terms a sentence holds."""
    return _LATIN.sub(lambda m: _LATIN_MEASURE[m.group(0).lower()], q)


def _measured_before(q: str, word: str) -> str:
    """The noun a target word is said of ("城镇新增就业目标" → 就业, "GDP增长目标" → 生产总值), or ""."""
    from .names import pos_tagger

    i = q.find(word)
    toks = [t for t in pos_tagger().cut(q[:i]) if t.word not in ("的", " ")]
    while toks and (toks[-1].word in _GROWTH or toks[-1].word in _TARGET_WORDS or toks[-1].word in _SETTING
                    or toks[-1].word in _PLANNING):
        toks.pop()
    if not toks:
        return ""
    last = toks[-1]
    if last.word.lower() in _LATIN_MEASURE:
        return _LATIN_MEASURE[last.word.lower()]
    if not (re.fullmatch(r"[\u4e00-\u9fff]{2,}", last.word) and last.flag.startswith(("n", "v"))):
        return ""
    # the words before it that name the same measure, up to four characters ("一般公共预算收入" → 预算收入: its
    # 收入 alone is also 城乡居民人均可支配收入)
    word = last.word
    for t in reversed(toks[:-1]):
        if (len(word) + len(t.word) > 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", t.word)
                or t.flag in ("ns", "t", "m") or t.word in _PLANNING):
            break
        word = t.word + word
    return word[-4:]


_TARGET_Q = re.compile(r"目标|预期|力争|打算|预计|(?:计划|准备|争取)(?=增|达|实现|完成|新增|控制|降|提高|突破)|\btarget")
_RESULT_Q = re.compile(r"去年|上年|上一年|实际|完成了?|达到了?多少|\b(?:achieved|last year|actual)")
"""A figure asked of the past year ("去年…增长了多少"): a result. Asked with a target too, the clauses decide."""
_NOT_MEASURED = {"来着", "来的", "合适", "比较", "才行", "才能", "左右", "以上", "以下", "实际", "大概", "大约", "分别", "各自",
                 "一共", "总共",
                 # a length of time is no indicator measured: "强制到案的期限是多少" is answered by "不得超过十二小时"
                 "期限", "时限", "时长", "期间", "年限", "时间"}
_PLANNING = {"打算", "计划", "预计", "准备", "要", "争取", "力争", "今年", "明年", "想"}
"""Words of a plan said before its measure's growth ("外贸打算增长多少"): not the measure."""
_TARGET_WORDS = {"目标", "指标", "任务", "预期", "目标值", "总量", "规模", "数量", "总额"}
_MEASURE_UNIT = {"次数": "次", "人数": "人", "名额": "名", "场次": "场", "期数": "期", "件数": "件", "个数": "个", "项数": "项"}
_QTY_NOUN = re.compile(r"([\u4e00-\u9fff]{2}?)(?:[定设]的|确定的|设定的|定为|的)?(?:[,，]?(?:分别|各自|一共|总共|共|大约|约))?"
                       r"(?:是|有|为|达|达到|占)(?:多少|几)")
_PERSON_Q = re.compile(r"是谁(?:啊|呀|呢|哇|来着)?[？?。！!]*$|叫什么名字|哪位|由谁(?:来)?担任|担任[^？?。，,]{0,16}由谁|"
                       # a person's act, however worded: 谁讲的话 / 谁讲了话 / 谁在会上作的报告 / 谁来主持
                       r"谁(?:来|在会上|在会议上|给大家)?(?:作了?的?|做了?的?)?(?:担任|主持|出席|讲|报告|写|致辞|发言|授课|主讲|宣讲|带队|"
                       r"签发|批示)|\bwho (?:is|was|are|were)\b|"
                       r"\bwho (?:chaired|presided|attended|spoke|wrote|gave|delivered|addressed|hosted)\b", re.I)
ORGANS_ASKED = re.compile(r"(单位|部门|机构)(?:分别|各自|又都|都)(?:是|有|为)?(?:谁|哪些|哪几个|哪几家)|(单位|部门|机构)(?:是|有)哪些")
"""Organs asked by the words after them ("各组的牵头单位分别是谁", "参会单位有哪些"): a list of their names."""
_ROLES = ("副秘书长|秘书长|总书记|副书记|书记|副主任|主任|副组长|组长|副局长|局长|副部长|部长|厅长|处长|省长|市长|县长|"
          "副主席|主席|院长|检察长|行长|董事长|总经理|召集人|主编|社长|校长|委员长|负责人|联系人|领导")
_ROLE_Q = re.compile(rf"({_ROLES})(?:的|一职)?(?:现在|目前|现任|如今|眼下)?(?:是谁|叫什么(?:名字)?|姓什么|是哪位|是哪一位|由谁(?:来)?(?:担任|当))"
                     rf"|谁(?:来)?(?:担任|当)(?:了)?(?:[\u4e00-\u9fff]{{0,8}}?)({_ROLES})")
_EN_ROLE = {"director": "主任", "deputy director": "副主任", "secretary": "书记", "deputy secretary": "副书记",
            "party secretary": "书记", "secretary-general": "秘书长", "secretary general": "秘书长",
            "chairman": "主席|主任", "chairperson": "主席|主任", "chair": "主席|主任", "head": "负责人|主任|组长",
            "group leader": "组长", "team leader": "组长", "mayor": "市长", "governor": "省长", "minister": "部长",
            "convener": "召集人", "editor": "主编", "editor-in-chief": "主编", "president": "主席|院长|校长|社长"}
_EN_ROLE_Q = re.compile(r"\b(?:who (?:is|was|are|were|serves as|acts as)|(?:what is |what's )?the names? of)"
                        r" (?:the |its |their |his |her )?(?:[\w'-]+ ){0,3}?"
                        r"(deputy director|deputy secretary|party secretary|secretary[- ]general|editor-in-chief|"
                        r"group leader|team leader|director|secretary|chairman|chairperson|chair|head|mayor|governor|"
                        r"minister|convener|editor|president)\b(?! of (?:the )?(?:work|meeting)s?\b)", re.I)


def _role_asked(q: str) -> tuple[str, ...]:
    """The office whose holder is asked: "联席会议办公室主任是谁" → (主任,); "who is the director of …" → the
    Chinese titles of that office. Empty when a person is asked by what they did ("会议是谁主持的")."""
    if m := _ROLE_Q.search(q):
        return ((m.group(1) or m.group(2)),)
    if m := _EN_ROLE_Q.search(q):
        return tuple(_EN_ROLE[re.sub(r"[- ]+", " ", m.group(1).lower()).replace("secretary general", "secretary-general")
                              .replace("editor in chief", "editor-in-chief")].split("|"))
    return ()


BESIDES = re.compile(r"(?:^|[：:])(?:那|那么)?除了([^，,。？?]{1,20}?)(?:以外|之外|外)?[，,]")
"""A question asking for more than what was said ("除了发通知，还做了哪些事"): the said thing is group 1."""


_MONEY_ASKED = re.compile(r"(?:多少|几)[\u4e00-\u9fff]{0,4}?(?:钱|经费|资金|预算|补贴|补助|拨款|奖金|费用)|金额|花了多少|投了多少|"
                          r"(?:经费|资金|预算|补贴|补助|拨款|奖金|费用)[\u4e00-\u9fff]{0,4}?(?:多少|几)")
"""A sum of money asked ("配了多少专项经费", "花了多少"): a number of 元 answers it, not "专项工作报告12项"."""

_SHARE_ASKED = re.compile(r"百分之(?:多少|几)|(?:多少|几)(?:%|％|个百分点)|百分比|占比|比例(?:是|为|有)?多少|比重")
"""A share asked ("完成了百分之多少"): a percentage answers it, not "92项具体措施"."""

_COUNT_AT_END = re.compile(rf"(?:一共|总共|共|总计|合计)?(?:有|是|设|建了|成立了)?(?:多少|几)(?:{UNITS})"
                           r"(?:来着|呢|啊|呀|吧|哈)?[？?。!！]*$")


_NOT_NOUNS = {"一共", "总共", "合计", "总计"}


_GENERIC_HEADS = {"单位", "人员", "部门", "机关", "组织", "项目", "活动"}
"""Nouns that name a kind, not a thing: the noun before them says which (标兵单位, 联系项目)."""


def _noun_before(q: str, end: int) -> str:
    """The last noun of ``q[:end]``, two characters or more (jieba: n*, or j for abbreviations such as 党支部)."""
    from .names import pos_tagger

    words = list(pos_tagger().cut(q[:end], HMM=False))

    def noun(w: Any) -> bool:
        return (w.flag.startswith("n") or w.flag == "j") and len(w.word) >= 2 and w.word not in _NOT_NOUNS

    at = [i for i, w in enumerate(words) if noun(w)]
    if not at:
        return ""
    i = at[-1]
    # "标兵单位一共多少家": a generic noun is named by the noun before it (122个单位 counts no 标兵单位)
    if (words[i].word in _GENERIC_HEADS and i > 0 and noun(words[i - 1]) and words[i - 1].flag != "ns"
            and q[:end].endswith(words[i].word)):  # right before the count ("……机关的内部巡视搞过几轮" counts 巡视)
        return words[i - 1].word + words[i].word
    return words[i].word


_LIST_ASK = re.compile(r"(?:分别|具体|都|各|又|主要)?(?:是|有|为|包括|包含)(?:哪些|哪几[个家所位名项]?|哪[一二两三四五六七八九十]+[个家所位名项])")


def list_subject(q: str) -> str:
    """The thing whose members are asked by name: "这8个组的牵头单位分别是哪些部门" → 牵头单位 (a verb or noun before a
    generic head says which: 牵头单位, 成员单位); empty when the ask does not follow a noun."""
    from .names import pos_tagger

    m = _LIST_ASK.search(q)
    if m is None:
        return ""
    words = list(pos_tagger().cut(q[:m.start()], HMM=False))
    if not words or not (words[-1].flag.startswith("n") or words[-1].flag == "j") or len(words[-1].word) < 2:
        return ""
    last = words[-1].word
    if last in _GENERIC_HEADS and len(words) > 1 and words[-2].flag[:1] in ("n", "v") and len(words[-2].word) >= 2:
        return words[-2].word + last
    return last


def _counts_another_noun(q: str) -> bool:
    """A noun other than a document's name stands right before "多少条" ("措施一共多少条")."""
    m = re.search(r"(?:一共|总共|共有|共|都|有)*(?:多少|几)条", q)
    if m is None:
        return False
    noun = _noun_before(q, m.start())
    return bool(noun) and q[:m.start()].endswith(noun) and not DOC_REF.fullmatch(noun)


_PEOPLE = "人员|干部|党员|代表|同志|职工|专家|人才|委员|群众"
_PEOPLE_BEFORE = re.compile(rf"(?:人(?![大民])|{_PEOPLE})[^，,。？?！!多几]{{0,12}}$")
"""A clause about people before a bare "多少个" / "几个" ("给事业编的人升岗位的有多少个"; 人大 is no person)."""
_PEOPLE_NOUN = re.compile(rf"(?:{_PEOPLE}|书记|主任|教师|学生|工人|农民)$")
"""A counted noun naming people ("多少个固定联系的代表")."""
_SAME_MEASURE = [set("个项件条份部支家所套块级拨"), {"人", "名", "位", "人次"}, set("次回场堂趟期轮"), set("天日"), set("%％"),
                 {"岁", "周岁"}]
"""Measure words a paraphrase swaps ("多少个文件" of "清理文件31件", "几条措施" of "整改措施71项", "多少人" of
"133人次")."""
# "62.6万人", "4900亿元": 万 / 亿 before the measure word are part of the number
_MEASURE_ONLY = set("个人名位次件项条份家所")
"""Measure words that are no noun themselves (组, 批, 轮 are: "8个组")."""
_MAGNITUDES = ("万", "亿")
"""Asked as a unit ("多少亿"), a magnitude: any sum written in it answers."""
_PER_HEAD = "人均"
_NUM_UNIT = re.compile(rf"{CN_COUNTED}\s*(?:[万亿](?=[\u4e00-\u9fff]))?({UNITS}|方面|%|％)")
_ORDINAL = re.compile(rf"第[\d{_CN_NUM}百千]+$")
_QUOTE_SPAN = re.compile(r"“[^”]{0,30}”|\"[^\"]{0,30}\"|《[^》]{0,40}》")


def count_of(thing: str, gap: int = 0) -> re.Pattern:
    """A count next to what it counts, either way round ("35个党支部", "查找问题139项"); ``gap``: words allowed
    between a count and the thing after it ("92项具体措施")."""
    between = rf"[\u4e00-\u9fff]{{0,{gap}}}?" if gap else ""
    return re.compile(rf"{CN_COUNTED}\s*(?:{UNITS}){'' if gap else '?'}{between}{re.escape(thing[:2])}|"
                      rf"{re.escape(thing)}{CN_COUNTED}\s*(?:{UNITS})")


_GENERIC_PARTS = {"工作", "人员", "单位", "情况", "方面", "内容", "活动", "问题", "机关"}
"""Parts of a counted thing that name nothing of their own (工作 of 工作人员 is in every other sentence)."""


def names_counted(counted: str, sentence: str) -> bool:
    """The sentence names the thing counted, or a telling two-character part of it (老干部 → 退休干部, 合唱团 → 合唱队)."""
    if len(counted) == 2 and counted[0] in _SIZE_MODIFIERS and re.search(rf"{CN_COUNTED}\s*个?{counted[1]}", sentence):
        return True  # "多少个小组": "分成8个组" counts the 组 by their head word
    return counted in sentence or any(counted[i:i + 2] in sentence and counted[i:i + 2] not in _GENERIC_PARTS
                                      for i in range(len(counted) - 1))


_SIZE_MODIFIERS = "小大子分"
"""A first character that sizes the thing counted (小组, 大类, 子项, 分组): the count names its head word alone."""


def _counts(s: str) -> list[re.Match]:
    """Numbers with their units in ``s``; a year (2024年) and an ordinal (第三批) count nothing."""
    return [m for m in _NUM_UNIT.finditer(s) if not re.match(r"\d{4}年", m.group(0))
            and not _ORDINAL.search(s[max(0, m.start() - 4):m.end() - len(m.group(1))])]


_AFTER_COUNT = re.compile(rf"(?:多少|几)(?:{UNITS})?([^？?。，,！!；;\s]*)[？?。！!]*$")
_NOT_SAID = {"是", "有", "了", "过", "的", "呢", "吗", "啊", "呀", "能", "会", "要", "被", "在", "上", "下", "到", "得", "共",
             "一共", "总共", "累计", "分别", "各", "都", "左右", "以上", "来", "去", "搞", "弄", "干", "做"}


def _counting_clause(question: str) -> str:
    """The last sentence of ``question`` that asks a count (多少 / 几), or ""."""
    counting = [c for c in re.findall(r"[^？?。！!；;]+[？?。！!；;]*", question) if re.search(r"多少|几", c)]
    return counting[-1] if counting else ""


def said_of_count(question: str) -> list[str]:
    """What the question says of the things it counts, after the count ("有几篇拿了奖" → 奖): its nouns — the sentence
    that counts them names the same (verbs vary: "多少支合唱队参加" of "18支合唱队一一登台"). A glossary bag of terms
    ("多少问题 35 …") says nothing after its count word."""
    from .names import pos_tagger

    # the clause that counts, of a message that also asks something else ("有几篇获了奖？是否有表彰名单？")
    counting = _counting_clause(question)
    m = _AFTER_COUNT.search(counting) if counting else None
    if m is None or not m.group(1) or re.match(_HEAD, question):
        return []  # (nor "那X呢" asking the last question of X: "老党员的纪念章：……为几名退休干部办了荣退仪式")
    if re.match(r"(?:多少|几)个?(?:年|月|日|天|小时|周|星期|分钟|季度|期间)", m.string[m.start():]):
        return []  # a length of time: what follows is what happens in it ("多少个月的人", "几个小时要放人")
    words = [w for w in pos_tagger().cut(m.group(1), HMM=False) if w.word not in _NOT_SAID]
    while words and (words[0].flag.startswith("n") or words[0].flag in ("q", "vn")):  # the counted thing: 干部, 调研报告
        words = words[1:]
    return [w.word for w in words if w.flag in ("n", "vn", "nz") and w.word != "人" and w.word not in _GENERIC_PARTS]


_QUALIFIED_COUNT = re.compile(r"([\u4e00-\u9fff]{2,16})的(?:人|单位|部门)?(?:一共|总共|共)?(?:有|是|为|占)?(?:多少|几)")
_BATCH = re.compile(rf"首批|第[{_CN_NUM}\d]+(?:批|届|期|轮)")


def qualifiers_of_count(question: str) -> list[str]:
    """What the question says of the things it counts, before the count: the clause that restricts them ("其中获得
    省领导批示的有几篇" → 领导, 批示) and their batch (首批, 第三届) — the sentence that counts them says the same
    ("形成调研报告74篇" counts all reports, "评选表彰21名优秀共产党员" is no 首批)."""
    from .names import pos_tagger

    counting = _counting_clause(question)
    if not counting:
        return []
    clause = re.sub(_HEAD, "", counting)  # (the carried topics are the topic, not what is counted)
    out = _BATCH.findall(clause)
    m = _QUALIFIED_COUNT.search(clause)
    if m is not None:
        restrict = re.sub(r"^.*?(?:其中|里面|当中|中间)", "", m.group(1))
        out += [w.word for w in pos_tagger().cut(restrict, HMM=False)
                if w.flag in ("n", "vn", "nz", "a", "an") and len(w.word) >= 2 and w.word not in _GENERIC_PARTS
                and w.word not in _NOT_SAID and not _PEOPLE_NOUN.search(w.word)]  # (同志 are the 干部 counted)
    return out


def _count_after(thing: str) -> re.Pattern:
    """The thing, then its count a few words on ("机关党组会议25次", "女干部等共计133人次")."""
    return re.compile(rf"{re.escape(thing[:2])}[\u4e00-\u9fff]{{0,4}}?{CN_COUNTED}\s*(?:{UNITS})")


_PEOPLE_UNITS = {"人", "名", "位"}
GROWTH_Q = re.compile(r"(?:增长|增加|提高|上涨|涨|下降|减少|降低|降)了?(?:多少|几)|(?:同比|环比|比[^，,。？?]{1,8})(?:多|少|高|低)了?(?:多少|几)|"
                      r"\bhow much (?:more|less|higher|lower)\b|\b(?:grow|grew|rise|rose|increase|decrease|fall|fell)\b.*\bby how much\b",
                      re.I)
"""A change asked ("比上一年增长了多少"): a level (超1.36亿网络点击量) states none."""
GROWTH = re.compile(r"增长|增加|提高|上涨|增幅|增速|涨幅|下降|减少|降低|降幅|同比|比上年|比去年|比上一年|翻[一两番]|多出|高出|少于")


def _of_measure(asked: Asked, clause: str) -> bool:
    """The clause names the asked measure (any clause when none is asked); a measure per head is another measure:
    "人均地区生产总值" states no 地区生产总值."""
    if not asked.measure:
        return True
    return any(m in clause and not (re.search(_PER_HEAD + r"[\u4e00-\u9fff]{0,2}" + re.escape(m), clause)
                                    and not asked.per_head) for m in same_measured(asked.measure))


def quantity_ok(asked: Asked, sentence: str) -> bool:
    """A sentence states the asked quantity: a number with the asked unit, or with the counted thing named.

    Numbers inside quoted formulations and titles ("两个维护", 《…三年行动计划》) count nothing.
    """
    s = _QUOTE_SPAN.sub("", sentence)
    # "由一名……领导负责": one person is an article, no number of people asked
    units = [m.group(1) for m in _counts(s) if not (asked.unit in _PEOPLE_UNITS and m.group(0)[0] == "一")]
    if asked.counted and not names_counted(asked.counted, sentence):
        return False
    before = asked.counted_before
    if (not asked.counted and before and (asked.unit == "人" or (len(before) > 2 and before.endswith(tuple(_GENERIC_HEADS))))
            and not count_of(before, gap=4).search(s)):
        return False  # "标兵单位共有多少家", "党员一共多少人": a count of that kind ("122个单位", "60名人大代表" are not)

    def in_unit(u: str) -> bool:
        return u == asked.unit or any({u, asked.unit} <= group for group in _SAME_MEASURE)

    if asked.unit in _MAGNITUDES:  # "一共多少亿": a sum in 亿 of any measure word ("5696亿元", "4.93万亿元") …
        return any(asked.unit in m.group(0) for c in re.split(r"[；;，,。]", s) if _of_measure(asked, c)
                   for m in _counts(c))  # … in the clause of the measure asked (GDP), if one is

    if asked.counted and units:  # "多少件实事" answered by "45项民生实事": the thing counted decides …
        # … in a measure of the asked kind, unless the count stands with the thing ("多少个党小组" is no "9次")
        if count_of(asked.counted).search(s):
            return True
        if asked.unit:
            return any(in_unit(u) for u in units)
        # (with no measure asked, "多少问题": the count stands with the thing, "两轮内部巡视……问题整改" counts no problems)
        return bool(count_of(asked.counted, gap=4).search(s) or _count_after(asked.counted).search(s))
    if asked.unit:  # "几组" of "分成8个组": a measure that is also a noun takes 个
        return any(in_unit(u) for u in units) or (asked.unit not in _MEASURE_ONLY and bool(count_of(asked.unit).search(s)))
    if asked.measure:
        # the number stands with what it measures, in one clause ("经济增长5.5%左右"; not "……500亿斤以上；单位地区生产总值……")
        return any(_of_measure(asked, c) and _counts(c) for c in re.split(r"[；;，,。]", s))
    return bool(units) or bool(re.search(r"\d+(?:\.\d+)?%", s))


_DATE_SPAN = re.compile(r"(?:\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日)(?:[至到—-]\d{1,2}日)?")
SINCE = re.compile(rf"(?:近|过去)?{CN_COUNTED}个?年(?:以)?来")
""""一年来 / 五年来": the time a review looks back on, no length of what is asked."""


def no_length(sentence: str) -> str:
    """``sentence`` without the times that state no length: dates ("11月5日至7日") and looking back ("一年来")."""
    return SINCE.sub("", _DATE_SPAN.sub("", sentence))


def holds(form: Form, sentence: str) -> bool:
    """Whether ``sentence`` states the facet ``form`` asks for."""
    pat = FACET.get(form)
    if form is Form.DURATION:
        sentence = no_length(sentence)
    return bool(pat.search(sentence)) if pat is not None else True
