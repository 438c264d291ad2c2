"""The question as it is searched: follow-ups made standalone, English turned into Chinese.

Follow-ups ("那联席会议多久开一次？") keep their own asked facet and take the topic of the previous
question by rule — instant, deterministic, with or without a model. English questions are put into
Chinese by the model when there is one, else by a bilingual glossary of policy terms
(``policyqa/resources/glossary_en_zh.tsv``); English content words the glossary does not know are
reported, so an out-of-scope English question is refused rather than answered from a loose match.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from policyqa import sparse
from policyqa.textnorm import normalize_for_index

from . import prompts, referents
from .answerability import ASKED_NOUNS, focus_terms, int_cn, named_documents
from .asked import BESIDES, DOC_REF, INDICATORS, MEASURE_NAMES, analyse, same_measured
from .extractive import query_terms
from .grounding import norm
from .llm import ChatBackend, LLMError
from .scope import (
    LATIN_PLACE,
    SHORT_NAME,
    latin_cities,
    latin_city_pattern,
    named_cities,
    named_places,
    version_only,
    without_new_version,
)

log = logging.getLogger("policyqa.rewrite")

_ANAPHORA = re.compile(r"^(那|那么|那它|它|其|该|此|这|上述|还有|另外|然后)|(它|他们|它们|这个|那个|这项|该项|其中|上述|这些|那些)")
_LEAD = re.compile(r"^(?:那么|那(?:天|年|次|会儿)(?=[\u4e00-\u9fff]{2})|当(?:天|时|年)|那|还有|另外|然后|再问一下|再问|请问)[，,、\s]*")
""""那/那么……" and a time that points back at the last question's event ("那天一共几支合唱队上台", "当时谁主持")."""
_PRONOUN = re.compile(r"它们|他们|它|这个机制|该机制|这项制度|该制度|这个制度|这项工作|这个|该项|这项|(?<![尤极])其(?![他中余实次后])")
_ELLIPTIC = re.compile(r"^(?:那|那么)?(.{2,20}?)(?:那边|这边|那里|这里|方面|这块|那块)?(?:呢|怎么样|如何)[？?]?$")
""""那全国人大常委会机关呢？": the previous question, asked of something else."""
_PROVINCE_NAMES = "|".join(sorted(set(SHORT_NAME.values()), key=len, reverse=True))
_OWN_BODY = re.compile(rf"(?:全国|中央|国家|省|自治区|市|县|区|{_PROVINCE_NAMES})[\u4e00-\u9fff]{{0,6}}?"
                       r"(?:人大|政协|工委|常委会|委员会|机关|党组|党委|政府|纪委)")
"""A body named with its level or place (市人大常委会机关, 北京市直机关工委, 湖北人大): who a question is about."""
_WHOLE_BODY = re.compile(_OWN_BODY.pattern + r"(?:常委会|常务委员会|机关|党组|党委|工委)*")
""":data:`_OWN_BODY` with the rest of its name (市人大 → 市人大常委会机关)."""
_EN_PRONOUNS = r"it|its|they|their|them|these|those|this|that|he|she|his|her"
_EN_PRONOUN = re.compile(rf"\b(?:{_EN_PRONOUNS})\b", re.I)
_EN_ANAPHORA = re.compile(rf"\b(?:{_EN_PRONOUNS}|such|there|the same)\b|^\s*(?:and|so|then|also|what about|how about)\b",
                          re.I)


def _points_back(question: str, english: str = "") -> bool:
    """那/它/这个 …, or "it/that/and …" in the English the question was translated from."""
    return bool(_LEAD.match(question) or _ANAPHORA.search(question) or (english and _EN_ANAPHORA.search(english)))


def names_own_body(question: str, prev: str, english: str = "") -> bool:
    """A complete question after an unrelated turn: it names its own body (not the previous question's) and
    points back at nothing (no 那/它/这个, no "it/that/and …" in the English it was translated from)."""
    if _points_back(question, english):
        return False
    p = norm_body(prev)
    return any(norm_body(m.group(0)) not in p for m in _OWN_BODY.finditer(question.replace(" ", "")))


def norm_body(text: str) -> str:
    return text.replace(" ", "").replace("人民代表大会", "人大").replace("常务委员会", "常委会")


@dataclass
class Standalone:
    query: str
    """What is searched and answered (Chinese)."""
    how: str = ""
    """``followup`` | ``formal`` (everyday words put in the texts' wording) | ``glossary`` | ``model`` |
    ``condensed`` (a long question searched by its ask) | ``""``."""
    untranslated: list[str] = field(default_factory=list)
    """English words taken as naming something the library lacks (a name the glossary does not know)."""
    unknown_words: list[str] = field(default_factory=list)
    """Every English content word the glossary could not put into Chinese."""
    fallback: Callable[[], str | None] | None = None
    """Another standalone question to try when this one finds nothing answerable (the model's translation of
    an English question the glossary did not fully cover); computed only when needed."""
    renderings: dict[str, list[str]] = field(default_factory=dict)
    """Glossary translation: each Chinese term searched → the other renderings of its English word (send →
    选派 | 派出 | 报送): a term the library lacks is no missing topic when another rendering is the texts' word."""
    focus: str = ""
    """"那X呢" after a question: X, the thing the previous question is now asked of (its facts must name X)."""
    asked_text: str = ""
    """What the question's form is read from: the user's own wording (made standalone), before everyday
    words are replaced — 手续 → 程序 must not turn "办什么手续" into a how-does-it-operate question."""
    carried: str = ""
    """The previous turn's topic put in front of a follow-up ("上台" of "……哪些部门上台发言的"): context, not words
    of this question, so no term of it is a topic the library must have."""


def topic_nouns(text: str) -> list[str]:
    """Nouns (incl. names, organs, formulations in the user dictionary) of a question: what it is about."""
    import jieba.posseg as pseg

    out = []
    for w in pseg.POSTokenizer(sparse._get_tokenizer()).cut(text):
        if len(w.word) >= 2 and (w.flag.startswith("n") or w.flag in ("vn", "j", "l", "i", "x", "eng")):
            out.append(w.word)
    return out


def _names_its_own_place(question: str, prev: str) -> bool:
    """The question names a place the previous one does not ("湖北人大开展了哪些执法检查？" after a question on
    两项机制): a question of its own, not a follow-up to carry the old topic into. (Bodies are no such sign:
    jieba tags 联席会 as one.)"""
    from .names import pos_tagger

    named = [w.word for w in pos_tagger().cut(question, HMM=False) if w.flag == "ns" and len(w.word) >= 2]
    if any(len(n) == 2 for n in named):
        # (a two-character word jieba calls a place is often a verb or noun: 上台; it is one when known as a place)
        known = {x for pair in named_places(question) for x in pair} | set(named_cities(question))
        named = [n for n in named if len(n) >= 3 or any(n in k or k in n for k in known)]
    return bool(named) and not any(n in prev for n in named)


def _names_its_own_set(question: str, prev: str) -> bool:
    """The question asks the items of a counted set it names itself ("两项机制具体是哪两项？" after a question on
    四个机关): complete on its own, whatever was asked before."""
    f = analyse(question).formulation
    return bool(f) and f not in prev


def _names_its_own_document(question: str, prev: str) -> bool:
    """The question names a law, regulation or report the last one did not ("监察法一共有多少条？" after questions on
    两项机制): a question on that document."""
    return any(norm(n) not in norm(prev) for n in named_documents(question))


def _places_said(text: str) -> list[str]:
    """The places a text names, as written: a province (广东省 / 广东) or a city (深圳 / 宜昌市)."""
    q = normalize_for_index(text)
    out = []
    for full, short in named_places(text):
        if short in q:  # (not a name said in pinyin)
            out.append(next(w for w in (full, short + "省", short) if w in q))
    return out + [c + "市" if c + "市" in q else c for c in named_cities(text)]


def _to_other_place(x: str, prev: str) -> str | None:
    """"那湖北呢？" / "What about Hubei?" after a question on 深圳: the previous question asked of the other place
    (the place replaced, not added — retrieval and the place filter read the place from the question)."""
    said = _places_said(x)
    before = _places_said(prev)
    if not said or not before or said[0] in before:
        return None
    rest = normalize_for_index(x).replace(said[0], "", 1).strip("的省市 ")
    moved = prev.replace(before[0], said[0], 1)
    # "那湖北人大机关呢": a thing of the other place, which the facts must name (the focus, as for any "那X呢")
    return moved if not rest else f"{x}：{moved}"


def _same_head_swap(x: str, prev: str) -> str | None:
    """"那常务会议呢？" after "国务院全体会议由哪些人组成？": the last question asked of X, which names a thing of the
    same kind as one of the last question's words (会议: 全体会议 → 常务会议, 中心组学习 → 专题学习) — that word
    replaced, not kept beside it. None when no word of the last question ends as X does."""
    if _WHOLE_BODY.fullmatch(x) or not re.fullmatch(r"[\u4e00-\u9fff]{4,12}", x):
        return None
    words = list(sparse._get_tokenizer().cut(prev, HMM=False))
    ends = [sum(len(w) for w in words[:i + 1]) for i in range(len(words))]
    starts = [e - len(w) for e, w in zip(ends, words)]
    for k in range(len(x) - 2, 1, -1):  # the longest shared head first, leaving X a modifier of 2+ characters
        head = x[-k:]
        at = prev.rfind(head)
        if at < 0 or at + k not in ends:
            continue
        if at in starts:  # the head is a word of its own (中心组 + 学习): the word before it is the modifier
            i = starts.index(at)
            if i == 0 or not re.fullmatch(r"[\u4e00-\u9fff]{2,}", words[i - 1]):
                continue
            start = starts[i - 1]
        else:  # the head ends a longer word (全体会议)
            start = max(s for s in starts if s < at)
        said = prev[start:at + k]
        if said != x and re.fullmatch(r"[\u4e00-\u9fff]+", said) and not _WHOLE_BODY.search(said):
            return prev[:start] + x + prev[at + k:]
    return None


def _measure_swap(x: str, prev: str) -> str | None:
    """"进出口呢？" after "安徽省2026年地区生产总值增长目标是多少？": the figure asked of the other measure a report
    states (its measure replaced); None when X is no such measure or the last question measured none."""
    if not (INDICATORS.fullmatch(x) or any(x in names for names in MEASURE_NAMES)):
        return None
    measure = analyse(prev).measure
    if not measure or x in same_measured(measure):
        return None
    names = sorted(same_measured(measure) + (measure,), key=len, reverse=True)
    m = re.search(r"(?:地区)?(?:" + "|".join(map(re.escape, names)) + ")", prev)
    return prev[:m.start()] + x + prev[m.end():] if m else None


_OF_LAW = re.compile(r"^(《?[\u4e00-\u9fff]{2,24}?(?:法|条例|办法|规定|细则)》?)(?:的|中的?|里的?|对|关于|规定的?)?"
                     r"([\u4e00-\u9fff]{2,8}?)"
                     r"((?:的)?(?:最长|最短|最多|最少|至少|最高|最低|一般)?(?:期限|时限|时间)?(?:是|为|有|要|由|应当|需要|可以|能)?"
                     r"(?:多长时间|多长|多久|多少|几|哪些|什么|谁|何时|何|怎么|怎样|如何).*)$")
"""A question of one thing a law says: the law, the thing, what is asked of it ("监察法规定留置最长多长时间")."""


def _law_thing_swap(x: str, prev: str) -> str | None:
    """"那强制到案呢？" after "监察法规定留置最长多长时间？": the same law asked the same of X (留置 replaced:
    "监察法规定强制到案最长多长时间？"); "那公务员法呢？" asks the same thing of another law. None when the last
    question is not of that shape or X is no plain term."""
    if not re.fullmatch(r"[\u4e00-\u9fff《》]{2,16}", x) or x in prev:
        return None
    m = _OF_LAW.match(prev.strip())
    if not m or (not named_documents(m.group(1)) and not m.group(1).startswith("《")):
        return None
    if named_documents(x) or x.startswith("《"):
        return x + prev[m.end(1):]
    asked = m.group(3)
    if (said := re.match(r"的?(期限|时限|时间)", asked)) and x.endswith(said.group(1)):
        asked = asked[said.end():]  # "那复议期限呢" after "……的申请期限是多久": X names the 期限 itself
    return prev[:m.start(2)] + x + asked


def elliptic_focus(question: str) -> str:
    """X of "那X呢 / X怎么样", "" for any other question."""
    m = _ELLIPTIC.match(question.strip())
    return m.group(1) if m and not re.search(r"什么|哪|多少|几|谁|怎么|为什么", m.group(1)) else ""


_FACET_LEAD = re.compile(r"^(?:它们?的|其|这些?[\u4e00-\u9fff]{0,6}?的|那些?[\u4e00-\u9fff]{0,6}?的|该[\u4e00-\u9fff]{0,6}?的|"
                         r"上述[\u4e00-\u9fff]{0,6}?的)?(?:具体的?|相应的?|主要的?)?")
_NOT_FACETS = {"文章", "文件", "资料", "条例", "法律", "报告", "单位", "部门", "地方", "情况", "问题", "部分", "规定",
               "开篇", "开头", "结尾", "篇首", "文中", "文末", "原文", "全文", "产生", "方面", "领域"}
_FACET_ASK = [(re.compile(r"经费|预算|资金|费用|开支|数量|数目|次数|比例|人数|规模"), "是多少？"),
              (re.compile(r"时间|日期|年份|月份|时候"), "是什么时候？"),
              (re.compile(r"地点"), "在哪里？"),
              (re.compile(r"负责人|牵头人|召集人|人选|作者"), "是谁？")]


def _facet_question(x: str) -> str:
    """"那意义呢？" / "那这些活动的经费呢？" / "What about the budget?": X names what is asked (an attribute noun),
    not a new thing to ask the last question of — the attribute asked of the last turn's topic ("它的经费是多少？"),
    "" when X names a thing."""
    rest = _FACET_LEAD.sub("", x, count=1)
    if rest not in (ASKED_NOUNS | {"经费", "预算", "资金", "费用", "开支", "召集人", "牵头人"}) - _NOT_FACETS:
        return ""
    ask = next((a for r, a in _FACET_ASK if r.fullmatch(rest)), "是什么？")
    return f"它的{rest}{ask}"


_THEN_OF = re.compile(r"^(?:那么?|还有)?([^，,。？?！!]{2,20}?)(?:那边|这边|那里|这里)?呢[？?，,。]\s*(\S.*)$")
""""那X呢？<a question of its own>": X, then the question asked of it."""


_QUOTED = re.compile(r"“([^”]{1,12})”")
_BOTH = re.compile(r"两者|二者|两边|两家|它俩|这两个|两个")
"""The two things a "那X呢？" comparison sets side by side: the last question's and X."""


_WHICH_OF_TWO = re.compile(r"^(?:哪家|哪个|哪边|哪一家|哪一个|谁)(?:的)?(?:更|比较)?|区别|不同|差别|差异|异同|一样吗|相同吗|"
                           r"比起来|相比|对比")
"""A comparison asked of the two without naming them ("哪家搞得多", "有什么不同")."""


def _compared_with_last(x: str, prev: str) -> str:
    """"A和X的T": the body (or thing) of the last question that is of X's kind, X, and what the last question
    asked of A ("市人大常委会机关和全国人大常委会机关的警示教育"); "" when the last question names none of X's kind."""
    body = _WHOLE_BODY.fullmatch(x) is not None
    bodies = [m.group(0) for m in _WHOLE_BODY.finditer(prev.replace(" ", ""))] if body else []
    last = max(bodies, key=len) if bodies else _main_topic(prev)
    if not last or last == x or last in x or x in last:
        return ""
    if not body:
        return f"{last}和{x}"
    # what the last question asked of that body, as it says it (警示教育, not only its last word 教育)
    rest = prev.replace(last, "，")
    terms = [t for t in focus_terms(rest) if t not in ASKED_NOUNS and len(t) >= 2
             and not _WHOLE_BODY.search(t) and not re.search(r"\d|[一二两三四五六七八九十几]", t)]
    thing = _phrases(rest, terms)
    return f"{last}和{x}" + (f"的{max(thing, key=len)}" if thing else "")


def _main_topic(question: str) -> str:
    """What a question is about: the rule or document it names, else its longest topic noun."""
    if docs := named_documents(question):
        return docs[0]
    nouns = [t for t in topic_nouns(question) if t not in ASKED_NOUNS]
    return max(nouns, key=len) if nouns else ""
_MORE = re.compile(r"(?:那|那么)?(?:还|另外|其他|别的)?(?:还有|有)?(?:哪些|哪几[种个项类条]|什么|啥|别的|其他的?|没有别的|吗|呢)"
                   r"(?:呢|啊|吗|了)?[？?。！!]*")
"""The bare rest of "除了X，还有哪些？": it asks for more of what the last question asked, naming nothing itself."""


def rule_rewrite(history: list[tuple[str, str]], question: str, english: str = "",
                 apart: Callable[[str, str], bool] | None = None) -> str:
    """Without a model: carry the previous question's topic into an elliptical follow-up.

    "那联席会议多久开一次？" after "两项机制是什么？" → "两项机制：联席会议多久开一次？"; a pronoun
    (它, 该机制 …) is replaced by the topic. The follow-up's own question words stay, so its asked
    facet (多久) is kept. ``english``: the English the question was translated from (its pronouns);
    ``apart``: whether two terms stand in no one document of the library (a question on a topic of its own).
    """
    if not history:
        return question
    q = question.strip()
    if (m := _THEN_OF.match(q)) and _ASKS.search(m.group(2)) and not _ASKS.search(m.group(1)):
        # "那沟通联系办法呢？工委跟党组主要沟通些啥？": the question of X it goes on to ask, not the last one's
        x, rest = m.group(1), m.group(2)
        if (both := _BOTH.search(rest)) or _WHICH_OF_TWO.search(rest):
            # "那书记联席会呢？两者频率比起来怎么样？", "全国人大常委会机关那边呢？哪家搞得多？": the last question's
            # thing (or body, of that thing) and X, compared
            if pair := _compared_with_last(x, rule_rewrite(history[:-1], history[-1][0])):
                return rest[:both.start()] + pair + rest[both.end():] if both else pair + rest
        return _PRONOUN.sub(x, rest, count=1) if _PRONOUN.search(rest) else f"{x}：{rest}"
    if (r := referents.resolve(q, history[-1][1])) is not None:
        if referents.names_all(q):
            return r  # "它们有什么区别" → "《沟通联系办法》和《联席会议制度》有什么区别": the items are the topic
        q = r  # "第二个具体指什么" → "《联席会议制度》具体指什么": the item the last answer listed
    if len(q) > 30 and not _ANAPHORA.search(q):
        return q
    # "除了这三个": the items the last answer named (None: X names a thing; "": it points at an answer listing none)
    said = referents.said_items(m.group(1), history[-1][1]) if (m := BESIDES.search(q)) else None
    if m and said:
        q = q[:m.start(1)] + said + q[m.end(1):]
        m = BESIDES.search(q)
    if m and _MORE.fullmatch(q[m.end():]):
        # "除了书面沟通，还有哪些？": the last question asked again without what was said (its asked kind kept)
        before = history[-1][0]
        prev = standalone(before, history[:-1], None).query if is_english(before) else rule_rewrite(history[:-1], before)
        if said == "":
            return _LEAD.sub("", prev)  # "除了这些" after an answer that listed nothing: the last question again
        return f"除了{m.group(1)}，{_LEAD.sub('', prev)}"
    if version := version_only(q):  # "修订前呢？", "那2017年版呢？": the last question, of that revision
        before = history[-1][0]
        prev = standalone(before, history[:-1], None).query if is_english(before) else rule_rewrite(history[:-1], before)
        return version + without_new_version(_LEAD.sub("", prev))
    # (an English question's 如何 is its "how", no "X如何" that asks the last question of X)
    if (x := elliptic_focus(q) if not english else "") and (facet := _facet_question(x)):
        return rule_rewrite(history, facet, english, apart)  # (before the last question is rewritten: it is, there)
    before = history[-1][0]  # an English turn is read as its Chinese standalone question
    prev = standalone(before, history[:-1], None).query if is_english(before) else rule_rewrite(history[:-1], before)
    if x:
        base = _LEAD.sub("", prev)
        if (px := elliptic_focus(before)) and base.startswith(f"{px}："):
            base = base[len(px) + 1:]  # "那X呢" after "那Y呢": the question both ask, of X now (not of X and Y)
        if (moved := _to_other_place(x, base)) is not None:
            return moved
        if (swapped := _same_head_swap(x, base) or _measure_swap(x, base) or _law_thing_swap(x, base)) is not None:
            return swapped
        return f"{x}：{base}"
    if not BESIDES.search(q) and (  # "除了发通知，工委还做了哪些事": more of the last topic, whatever it names
            _names_its_own_place(q, prev) or _names_its_own_set(q, prev) or names_own_body(q, prev, english)
            or _names_its_own_document(q, prev)):
        return q
    # the conversation's topic asked of again, by name ("how do the 两项机制 work?" after "两项机制：联席会议多久开一次？"):
    # a question of its own, not of the last sub-topic
    lead = prev.split("：", 1)[0] if "：" in prev[:30] else ""
    if lead and all(t.strip("“”") in q for t in lead.split("、")):
        return q
    own = query_terms(q)
    nouns = set(topic_nouns(prev)) - ASKED_NOUNS
    topic = [t for t in focus_terms(prev) if t in nouns and t not in own and not any(t in o for o in own)]
    # whole words only: 干部 of 老干部 and 委会 of 常委会 are no short names
    whole = set(sparse._get_tokenizer().cut(q, HMM=False))
    for t in sorted(topic, key=len, reverse=True):  # "那会议的议题" after "联席会议…": the short name, made full
        # (not a name the follow-up qualifies itself: 市人大常委会 is no 全国人大常委会)
        short = next((o for o in own if len(o) >= 2 and t.endswith(o) and o != t and o in whole
                      and not re.search(rf"[市省县区州乡镇]\s*{re.escape(o)}", q)), None)  # 会议 → 联席会议
        if short:  # a word of q
            return q.replace(short, t, 1) if not _LEAD.match(q) else _LEAD.sub("", q).replace(short, t, 1)
    if not topic:
        return q
    if english and not _points_back(q, english) and (mine := [t for t in topic_nouns(q) if t not in ASKED_NOUNS]) \
            and not any(t in prev + history[-1][1] for t in mine):
        return q  # an English question that points back at nothing and shares no word with the last turn: a new one
    if apart is not None and not _points_back(q, english):
        # "两项机制指的是哪两个制度" after a question on 湖北's 主题教育: a topic of its own, which no document of
        # the previous topic speaks of — a new question, not a follow-up
        mine = [t for t in topic_nouns(q) if len(t) >= 3 and t not in ASKED_NOUNS and t not in prev]
        main = max(topic, key=len)  # (the last question's main topic: 湖北省政府工作 of 湖北省政府工作、经济、预期)
        if any(all(apart(t, p) for p in topic) or apart(t, main) for t in mine):
            return q
    # Keep the longest terms (fixed formulations, names) of the previous question, neighbours as one phrase
    # ("机关党建专项督查", not 机关党建 and a short 专项, though the follow-up says 督查 itself: "重点督查了什么").
    joined = [p for p in _phrases(prev, topic + [t for t in nouns if t not in topic]) if any(t in p for t in topic)]
    topic = sorted(joined, key=len, reverse=True)[:3]
    if joined and (last := max(joined, key=lambda t: prev.rfind(t))) not in topic:
        topic[-1] = last  # the thing last asked about ("……的歌咏展演是哪天办的"), before a general word (中央, 中国)
    body = _LEAD.sub("", q)
    # After a question about a document itself ("那篇文章发表在哪里？"), "什么时候发的？" asks about the same document.
    if (ref := DOC_REF.search(prev)) and not DOC_REF.search(body) and analyse(prev).docfact:
        body = ref.group(0) + body
    if _PRONOUN.search(body):
        # 它 is the thing the last question asked about: the head of "市直机关工委的两项机制", the last one said
        head = max(topic, key=lambda t: prev.rfind(t))
        rest = [t for t in topic if t != head]
        return _PRONOUN.sub(head, body, count=1) if not rest else \
            "、".join(rest) + "：" + _PRONOUN.sub(head, body, count=1)
    # the quoted names of the last question ("“7·9”重要讲话……“回头看”") are its topic too, as written
    quoted = [f"“{x}”" for x in dict.fromkeys(_QUOTED.findall(prev)) if x not in q and not any(x in t for t in topic)][:2]
    return "、".join(quoted + topic[:3 - len(quoted)]) + "：" + body


def _phrases(text: str, terms: list[str]) -> list[str]:
    """``terms`` as they stand in ``text``, those written next to each other joined into one phrase."""
    spans = sorted({(i, i + len(t)) for t in terms if (i := text.find(t)) >= 0})
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:  # adjacent or overlapping
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = [text[a:b] for a, b in merged]
    return out + [t for t in terms if text.find(t) < 0]


# -- English ------------------------------------------------------------------------

_STOP = set("""a an the of to in on at for by with from and or but is are was were be been being do does did done
have has had can could may might must shall should will would what which who whom whose when where why how that this
these those it its they them their there here please tell me us about explain describe give list name main key specific
some any each every all both either neither other another such than then so as if into onto up down out over under
again further once more most very just also only own same too not no nor i you he she we my your his her our
according text texts document documents library say says said mentioned mention state stated kind kinds type types
way ways thing things part parts exactly actually really briefly detail details respects""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z]*")
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_EN_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_EN_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_EN_ORDINAL_OF = {"届": "symposium|seminar|forum|conference|congress|symposia", "次": "meeting|session",
                  "批": "batch|group of", "轮": "round", "期": "issue|edition|class"}
_EN_ORDINAL = re.compile(r"\b(" + "|".join(_EN_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))\s+((?:[\w-]+\s+){0,3}?)("
                         + "|".join(_EN_ORDINAL_OF.values()) + r")\b", re.I)
"""An ordinal before an event noun ("the third national symposium" → 第三届): the texts number events so,
and a false ordinal is then checked like a Chinese one."""


_EN_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_EN_WHICH_N = re.compile(r"\b(?:what|which)\s+(" + "|".join(_EN_NUMBERS[1:]) + r"|\d{1,2})\s+(?=[a-z])", re.I)
""""from what four aspects", "which two sides": a count asked with its items (哪四个), as in Chinese, not the
number as a topic word (四 方面)."""


def _which_n_zh(m: re.Match) -> str:
    word = m.group(1).lower()
    n = _EN_NUMBERS.index(word) + 1 if word in _EN_NUMBERS else int(word)
    return f" 哪{'两' if n == 2 else int_cn(n)}个 "


_EN_HOW_MANY = re.compile(r"\bhow many\s+(?!times\b)((?:[\u4e00-\u9fff“”]+)|(?:[A-Za-z-]+(?:\s+[A-Za-z-]+){0,2}))", re.I)


@functools.cache
def _en_measure_nouns() -> re.Pattern:
    """The English nouns of :data:`_EN_MEASURES` (not "people's congress")."""
    return re.compile(r"\b(?:" + "|".join(_EN_MEASURES.values()) + r")\b(?!['’]s)", re.I)


def _how_many_zh(m: re.Match, gl: dict[str, list[str]]) -> str:
    """"how many 党员突击队 / how many deputies": 多少 joined to the thing counted (多少党员突击队, 多少代表), as a
    Chinese question says it, so that the answer must count that thing; else the words stay for the form rules."""
    what = m.group(1)
    if re.match(r"[\u4e00-\u9fff“]", what):
        return f" 多少{what} "
    rest = m.string[m.end():m.end() + 60]
    measures = _en_measure_nouns()
    if measures.search(what + " " + " ".join(rest.split()[:3])):
        return m.group(0)  # "how many warning education sessions": occasions counted (多少次), by the form rules
    words = what.split()
    for n in range(len(words), 0, -1):
        phrase = words[:n]
        keys = [" ".join([*map(_us, phrase[:-1]), s]) for s in _stems(phrase[-1])]
        hit = next((gl[k][0] for k in keys if k in gl), None)
        if hit and len(hit) >= 2 and phrase[-1].lower() not in _STOP:  # 组 alone is a measure word (几组)
            return f" 多少{hit} " + " ".join(words[n:])
    return m.group(0)


_EN_ANNIVERSARY = re.compile(r"\b(\d{1,3}(?=st|nd|rd|th)|" + "|".join(_EN_ORDINALS) + r")(?:st|nd|rd|th)?\s+anniversary\b", re.I)


def _ordinal_zh(m: re.Match) -> str:
    if re.match(r"plenary\b", m.group(2), re.I) and m.group(3).lower() == "session":
        return m.group(0)  # "third plenary session": the glossary's 三中全会
    word = m.group(1).lower()
    n = _EN_ORDINALS.index(word) + 1 if word in _EN_ORDINALS else int(re.sub(r"\D", "", word))
    unit = next(u for u, nouns in _EN_ORDINAL_OF.items() if re.fullmatch(nouns, m.group(3).lower()))
    if n == 1:  # "the first training class / batch": texts say 首次举办, 首批 (the first ever), rarely 第一期
        return f"首{'次' if unit in ('期', '届') else unit} {m.group(2)}{m.group(3)}"
    return f"第{int_cn(n)}{unit} {m.group(2)}{m.group(3)}"


def _word_table(name: str, key: Callable[[str], str]) -> dict[str, list[str]]:
    """A ``word<TAB>rendering1|rendering2`` resource of policyqa (``#`` lines are comments)."""
    out: dict[str, list[str]] = {}
    try:
        text = (resources.files("policyqa") / "resources" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        k, v = line.split("\t", 1)
        out[key(k)] = [x.strip() for x in v.split("|") if x.strip()]
    return out


@functools.lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    """English phrase (lower case) → Chinese renderings, most usual first."""
    return _word_table("glossary_en_zh.tsv", _en_key)


_ASKING_WORD = re.compile(r"多久|多长|多少|啥|咋|什么|哪|谁|几|吗|么")
"""Question words are the asked facet: they are never "formalised" (多久 must stay 多久)."""


@functools.lru_cache(maxsize=1)
def colloquial() -> dict[str, list[str]]:
    """Everyday word → formal policy wording (``policyqa/resources/colloquial_zh.tsv``)."""
    return _word_table("colloquial_zh.tsv", str.strip)


_PERIOD = {"星期": "周", "礼拜": "周"}
_EVERY_PERIOD = re.compile(r"每个?(月|季度|星期|礼拜|周)")
_COLLOQUIAL_COUNT = re.compile(r"([俩仨])(?:个)?(机制|制度|措施|任务|工作|规定|办法|原则|要求|举措|内容|重点)?")


_FROM_WHEN = re.compile(r"打(?=(?:几|哪|什么|啥)(?:个?月|年|时候|天|号)|今年|去年|前年|年初|年底|\d+(?:月|年)|[一二三四五六七八九十]+月)")
"""打 before a time is 从 ("打几月份开始的", "打去年起")."""


_SAID_APART = re.compile(r"(讲|发|开|作|做)的(话|言|会|报告)")
"""A verb and its object said apart by 的 ("谁讲的话", "谁发的言"): texts write them together (讲话, 发言)."""


def formalize(question: str, known: Callable[[str], bool] | None = None) -> str:
    """The question with everyday words put in the texts' wording (起码 → 至少, 稿子 → 文章).

    Whole jieba words only (环境 inside 营商环境 stays), phrases of four characters or more, and only
    words the library itself does not use (``known``): 工委 stays 工委 where the texts say 工委.
    """
    table = colloquial()
    if not table:
        return question
    known = known or (lambda _w: False)
    table = {k: v for k, v in table.items() if not _ASKING_WORD.search(k)}

    def formal(k: str) -> str:
        return next((r for r in table[k] if known(r)), table[k][0])

    # "每个月 / 每个星期 / 每礼拜": periods said the texts' way (每月, 每周), the words jieba splits them into
    # being no table entries.
    q = _EVERY_PERIOD.sub(lambda m: "每" + _PERIOD.get(m.group(1), m.group(1)), question)
    q = _FROM_WHEN.sub("从", q)  # "打几月份开始的": 从 (a single character, no table entry)
    q = _SAID_APART.sub(lambda m: m.group(1) + m.group(2), q)  # "谁讲的话": 讲话, as texts say it
    # 俩 / 仨 (two, three, measure word included): 项 before the abstract nouns texts count in 项 (两项机制), else 个
    q = _COLLOQUIAL_COUNT.sub(lambda m: ("两" if m.group(1) == "俩" else "三")
                              + ("项" if m.group(2) else "个") + (m.group(2) or ""), q)
    for k in sorted((k for k in table if len(k) >= 4), key=len, reverse=True):
        # a phrase followed by an aspect particle is said as a verb ("总书记讲话了吗"), not named
        if k in q and not known(k) and not re.search(re.escape(k) + "[了过着]", q):
            q = q.replace(k, formal(k))
    words = list(sparse._get_tokenizer().cut(q, HMM=False))
    return "".join(formal(w) if len(w) >= 2 and w in table and not known(w) else w for w in words)


def _en_key(text: str) -> str:
    """Lower case, possessive 's and hyphens dropped: "People's" → "people", "criticism-education" → two words."""
    t = re.sub(r"['’]s\b", "", text.strip().lower())
    return re.sub(r"\s+", " ", re.sub(r"[-‐–]", " ", t)).strip()


_BRITISH = [("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ises", "izes"), ("ise", "ize"),
            ("centre", "center"), ("programme", "program"), ("defence", "defense"), ("licence", "license"),
            *((f"{root}our", f"{root}or") for root in ("lab", "hon", "behavi", "fav", "col", "neighb", "endeav", "vig"))]
"""British spellings → the American ones the glossary lists (organised → organized, labour → labor)."""


_NOT_BRITISH = {"rise", "wise", "otherwise", "raise", "praise", "premise", "promise", "precise", "concise", "exercise",
                "enterprise", "expertise", "franchise", "advertise", "compromise", "surprise", "supervise", "revise",
                "advise", "devise", "comprise", "despise", "merchandise", "televise", "improvise", "disguise", "noise"}
"""Words that end in -ise in American English too."""


def _us(word: str) -> str:
    w = word.lower().strip("'")
    if re.sub(r"(?:s|d|ds)$", "", w) in _NOT_BRITISH or w.rstrip("sd") in _NOT_BRITISH or w[:-3] + "e" in _NOT_BRITISH:
        return w
    for gb, us in _BRITISH:
        if w.endswith(gb) and (len(w) > len(gb) + 2 or not gb.startswith("is")):
            return w[: -len(gb)] + us
    return w


_IRREGULAR = dict(pair.split(":") for pair in (
    "took:take taken:take held:hold made:make gave:give given:give led:lead met:meet won:win brought:bring "
    "sent:send built:build began:begin begun:begin chose:choose chosen:choose drew:draw drawn:draw went:go gone:go "
    "kept:keep found:find paid:pay spent:spend saw:see seen:see told:tell taught:teach thought:think wrote:write "
    "written:write shown:show known:know knew:know done:do did:do ran:run rose:rise risen:rise fell:fall "
    "fallen:fall grew:grow grown:grow stood:stand understood:understand sought:seek laid:lay drove:drive "
    "driven:drive struck:strike spoke:speak spoken:speak heard:hear felt:feel left:leave lost:lose meant:mean "
    "became:become came:come got:get gotten:get broke:break broken:break stole:steal stolen:steal").split())
"""Irregular past forms and participles → base form ("took the stage" is take the stage)."""


def _stems(word: str) -> list[str]:
    w = _us(word)
    out = [w] + ([_IRREGULAR[w]] if w in _IRREGULAR else [])
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                     ("'s", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            out.append(w[: -len(suf)] + rep)
    return out


def is_english(question: str) -> bool:
    """Mostly English: more Latin letters than Chinese characters."""
    return len(re.findall(r"[A-Za-z]", question)) > len(re.findall(r"[\u4e00-\u9fff]", question))


_EN_MEASURES = {"次": "sessions|occasions|rounds", "票": "votes|ballots", "小时": "hours", "分钟": "minutes",
                "天": "days", "岁": "years old", "人": "people|persons"}
"""English nouns counted that Chinese counts as a measure word ("how many votes" → 多少票)."""

# English question forms → the Chinese wording of the same form (so that :mod:`.asked` and the
# retrieval intents see "怎么运作", "多久" …); the matched words are not translated word by word.
_EN_FORMS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bhow (?:do|does|did|is|are|will|would|can)\b(?=.*\b(?:work|works|operate|operates|function|"
                r"functions|run|runs|operated|run)\b)(?!.*\b(?:differ|differs|different|difference|compare|compared|"
                r"contrast)\b)", re.I), "是怎么运作的"),
    (re.compile(r"\b(?:work|works|operate|operates|function|functions|run|runs)\b(?=[\s?.!]*$)", re.I), ""),
    (re.compile(r"\bhow (?:often|frequently)\b", re.I), "多久一次"),
    (re.compile(r"\bhow many times\b", re.I), "几次"),
    # "how many warning education sessions / rounds of inspections": occasions counted, 多少次; other nouns
    # that are a measure word in Chinese (votes → 票, hours → 小时) ask the count in that measure
    *[(re.compile(rf"\bhow many\b(?=(?:\s+[\w'-]+){{0,5}}?\s+(?:{nouns})\b(?!['’]s))", re.I), "多少" + unit)
      for unit, nouns in _EN_MEASURES.items()],
    (re.compile(r"\bhow old\b|\bat what age\b", re.I), "多少岁"),
    (re.compile(r"\bhow much (?:longer|more time)\b", re.I), "多长时间"),
    (re.compile(r"\bhow (?:many|much)\b", re.I), "多少"),
    (re.compile(r"\bhow long\b(?=(?:\s+[\w'-]+){1,6}?\s+serve[sd]?\b)", re.I), "任期多长"),  # a term of office
    (re.compile(r"\bhow long\b", re.I), "多长时间"),
    # "what is the target / rate / total of …": a figure asked (多少), not a definition
    (re.compile(r"\bwhat(?: is|'s| was| were| are)\b(?=(?:\s+[\w'’&-]+){0,6}?\s+(?:targets?|rates?|amount|number|total|"
                r"share|percentage|proportion|intensity|level|figure|value|output|growth|size)\b)", re.I), "是多少"),
    (re.compile(r"\bwhat (?:are|were)\b", re.I), "有哪些"),
    (re.compile(r"\bwhat(?: is|'s|s| was)\b", re.I), "是什么"),  # ("whats", as typed)
    (re.compile(r"\bwho (?:served|serves|serve|acted|acts|act|was appointed|is appointed) as\b", re.I), "由谁担任"),
    (re.compile(r"\bwho\b", re.I), "由谁"),
    (re.compile(r"\b(?:on )?(?:which|what) (?:date|day)\b", re.I), "是哪天"),
    # the periodical a piece appeared in: a fact of the document's record (登在哪个期刊), no topic word
    (re.compile(r"\b(?:in |on )?(?:which|what) (?:journal|magazine|periodical|newspaper)s?\b", re.I), "登在哪个期刊"),
    (re.compile(r"\b(?:and )?(?:in )?(?:which|what) issue\b", re.I), "哪一期"),
    # "when" asks a time where it opens a question; inside one ("… when they lead party building") it joins clauses
    (re.compile(r"(?:^\s*|\b(?:and|or|but)\s+|[,;:]\s*)when\b", re.I), "什么时候"),
    (re.compile(r"\bwhen\b", re.I), ""),
    (re.compile(r"\bwhere\b", re.I), "在哪里"),
    (re.compile(r"\bwhy\b", re.I), "为什么"),
    (re.compile(r"\bwhich\b", re.I), "哪些"),
    (re.compile(r"\bhow\b", re.I), "如何"),
    (re.compile(r"\b(?:in practice|in reality|in fact|actually|really|exactly|in general|generally|usually|"
                r"according to the (?:texts?|documents?|materials?|article))\b", re.I), ""),
]


def _english_forms(question: str) -> tuple[str, list[str]]:
    """The question with its English form words blanked, and their Chinese wordings in order."""
    forms: list[str] = []
    for pat, zh in _EN_FORMS:
        def sub(m: re.Match, zh: str = zh) -> str:
            if zh:
                forms.append(zh)
            return " " * len(m.group(0))
        question = pat.sub(sub, question)
    for unit, nouns in _EN_MEASURES.items():  # the occasions are the count's measure (次), not 会议 / 届次
        if "多少" + unit in forms:
            question = re.sub(rf"\b(?:{nouns})\b(?!['’]s)", lambda m: " " * len(m.group(0)), question, flags=re.I)
    return question, forms


_PLAIN_FORMS = {"是什么", "有哪些", "由谁", "什么时候", "在哪里", "为什么", "哪些", "如何", "多少"}
"""Question words every question has: they count for no understood word (a named thing asked does: 登在哪个期刊)."""
_EN_ARTICLE = re.compile(r"\b[Aa]rticle\s+(\d{1,3})\b")


_EN_HELD_IN = re.compile(r"\b(?:held|convened|took place|opened)\s+in\s+([A-Z][a-z]+)\b")


def _held_in_zh(m: re.Match) -> str:
    name = m.group(1).lower()
    zh = LATIN_PLACE.get(name) or latin_cities().get(name)
    return f" 在{zh}召开 " if zh else m.group(0)


_EN_AND_ASK = re.compile(r",?\s+and\s+(?=(?:how|what|which|who|when|where|why)\b)", re.I)


_EN_NO_TOPIC = re.compile(rf"\b(?:{_EN_PRONOUNS}|over|at|on|in|the|is|are|was|were|do|does|did|be)\b")
"""Words of a short second ask that name no topic ("and who presided over it?")."""


_EN_OUTLET = re.compile(r"\b(?:(issue|edition) of|(?:published|printed|carried|featured|appeared) in) (?:the )?"
                        r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})(?:\s*[（(]([\u4e00-\u9fff]{2,12})[)）])?")
"""A periodical the question says a piece appeared in ("an issue of Qiushi (求是)"): a premise the record must bear out."""


def _outlet_zh(m: re.Match, gl: dict[str, list[str]]) -> str:
    zh = m.group(3) or next(iter(gl.get(_en_key(m.group(2)), [])), "")
    if not zh:
        return m.group(0)
    return f"{m.group(1) or ''} 登在《{zh}》 "


_GLOSSED = re.compile(r"[\"“'‘][A-Za-z][A-Za-z\s'’-]{1,60}[\"”'’]\s*[（(]\s*([\u4e00-\u9fff“”·]{2,20})\s*[)）]"
                      r"|([\u4e00-\u9fff“”·]{2,20})\s*[（(]\s*[\"“]?[A-Za-z][A-Za-z\s'’-]{1,60}[\"”]?\s*[)）]")
"""A term given in both languages, one glossing the other in brackets: the Chinese is the texts' own word."""


_EN_R_AND_D = re.compile(r"\bR\s*&\s*D\b", re.I)
_EN_IN_YEAR = re.compile(r"\b(in|during|for|by)\s+((?:19|20)\d{2})\b(?![\d年%.])", re.I)
_EN_VERSION = [  # a law's revision, as scope.py reads it in Chinese (2018年版, 2024年修订的, 修订前的)
    (re.compile(r"\b(?:the\s+)?((?:19|20)\d{2})\s+(?:version|edition|text)\s+of\s+(?:the\s+)?", re.I), r" \1年版 "),
    (re.compile(r"\b(?:the\s+)?((?:19|20)\d{2})\s+(?:amendment|revision|amended\s+version|revised\s+version)"
                r"\s+(?:of|to)\s+(?:the\s+)?", re.I), r" \1年修订的 "),
    (re.compile(r",?\s*\b(?:as\s+)?(?:revised|amended)\s+in\s+((?:19|20)\d{2})\b", re.I), r" \1年修订版 "),
    (re.compile(r"\bbefore\s+(?:the|its)\s+(?:(?:19|20)\d{2}\s+)?(?:revision|amendment)s?\b", re.I), " 修订前的 "),
]


def glossary_translate(question: str) -> Standalone:
    """Chinese query for an English/mixed question: its Chinese parts plus glossary terms for the English.
    Each term takes its first (most usual) rendering, whether or not the library uses it: choosing a rendering
    the texts do use would also "translate" an out-of-scope question into the library's words (tax → 税).
    Two questions joined by "and how many / and what …" are translated each on its own, joined by "，" (the
    clauses the answer covers one by one, see compose.sub_questions)."""
    parts = _EN_AND_ASK.split(question)
    # (not when the second points back at the first: "…, and how many measures did they propose")
    # (a short second ask, "and who presided (over it)?", names no topic: the first part's topic holds for it)
    short = len(parts) == 2 and len(_EN_NO_TOPIC.sub(" ", parts[1]).split()) <= 3
    if len(parts) == 2 and len(parts[0].split()) >= 4 and (short or (len(parts[1].split()) >= 4
                                                                  and not _EN_PRONOUN.search(parts[1]))):
        a, b = glossary_translate(parts[0]), glossary_translate(parts[1])
        return Standalone(query=f"{a.query}，{b.query}", how="glossary", untranslated=a.untranslated + b.untranslated,
                          unknown_words=a.unknown_words + b.unknown_words, renderings={**a.renderings, **b.renderings})
    gl = glossary()
    # "the “first political task” (第一政治要件)": the Chinese is the term itself, the English only glosses it
    question = _GLOSSED.sub(lambda m: f" {m.group(1) or m.group(2)} ", question)
    question = _EN_R_AND_D.sub(" research and development ", question)  # (the words are split at "&")
    for pattern, said in _EN_VERSION:  # "the 2018 version of the Supervision Law", "as revised in 2023"
        question = pattern.sub(said, question)
    # "in 2025": the year a fact is of, as a Chinese question says it (2025年); "the 2024 review" names a document
    question = _EN_IN_YEAR.sub(r"\1 \2年 ", question)
    question = _EN_DATE.sub(lambda m: f"{_MONTHS.index(m.group(1).lower()) + 1}月{m.group(2)}日", question)
    question = _EN_ARTICLE.sub(lambda m: f"第{m.group(1)}条", question)  # "Article 12" is a law's article
    question = _EN_ORDINAL.sub(_ordinal_zh, question)
    question = _EN_WHICH_N.sub(_which_n_zh, question)
    question = _EN_HOW_MANY.sub(lambda m: _how_many_zh(m, gl), question)
    question = _EN_ANNIVERSARY.sub(  # "70th anniversary" → 70周年, "fifth anniversary" → 5周年
        lambda m: f" {_EN_ORDINALS.index(m.group(1).lower()) + 1 if m.group(1).lower() in _EN_ORDINALS else m.group(1)}周年 ",
        question)
    question = _titled_laws().sub(lambda m: f" 《{gl[_en_key(m.group(0))][0]}》 ", question)  # "Law on Guarding …"
    question = _EN_LAW.sub(lambda m: _law_name(m, gl), question)  # "the Labor Contract Law" → 《劳动合同法》
    question = _EN_OUTLET.sub(lambda m: _outlet_zh(m, gl), question)
    question = _EN_HELD_IN.sub(_held_in_zh, question)  # "held in Beijing": where, not whose (在北京召开)
    question = latin_city_pattern().sub(lambda m: f" {latin_cities()[m.group(0).lower()]} ", question)  # Xiamen → 厦门
    # "湖北 NPC" (a place put in Chinese above): that place's people's congress, not the national one
    question = re.sub(r"(?<=[\u4e00-\u9fff])(\s+)NPC\b", r"\1people's congress", question, flags=re.I)
    zh_parts = re.findall(r"[\u4e00-\u9fff0-9“”《》]+(?:·[\u4e00-\u9fff0-9]+)*", question)  # (“7·9”讲话 one part)
    question, forms = _english_forms(question)
    question = re.sub(r"['’]s\b", "  ", question).replace("-", " ")
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(question)]
    out: list[str] = []
    untranslated: list[str] = []
    names: list[str] = []
    renderings: dict[str, list[str]] = {}
    i = 0
    while i < len(words):
        for span in (6, 5, 4, 3, 2, 1):
            if i + span > len(words):
                continue
            toks = [w for w, _, _ in words[i:i + span]]
            # the phrase's first word inflected too ("serves as", "took the stage"), its last by its stems
            firsts = _stems(toks[0]) if span > 1 else [""]
            mids = [_us(t) for t in toks[1:-1]] if span > 1 else []
            keys = ([" ".join([f, *mids, s]) for f in firsts for s in _stems(toks[-1])] if span > 1
                    else _stems(toks[0]))
            hit = next((gl[k] for k in keys if k in gl), None)
            if hit:
                out.append(hit[0])
                renderings.setdefault(hit[0], hit[1:])
                i += span
                break
        else:
            w, start, _ = words[i]
            if w.lower() not in _STOP and not any(s in _STOP for s in _stems(w)) and len(w) > 2:
                untranslated.append(w)
                if w[0].isupper() and start > 0 and question[:start].strip():
                    names.append(w)  # a capitalised word the glossary lacks, mid-sentence: a name
            i += 1
    out = _local_congress(out)
    # Chinese parts first (they name the topic), then the translated words in question order.
    query = " ".join(dict.fromkeys(zh_parts + out)).strip() + "".join(dict.fromkeys(forms))
    query = re.sub(r"(?<=\d) (?=\d)", "、", query)  # "2026 2025": two years, not one number once spaces go
    # Unknown words among known ones are more likely words the glossary lacks than a foreign topic:
    # the Chinese checks decide then. With more words unknown than translated ("How do I renew a Chinese
    # passport while living abroad?"), the question is not understood.
    understood = len(set(out)) + len(zh_parts) + len(set(forms) - _PLAIN_FORMS)  # "which magazine" understood too
    unknown = untranslated if len(set(untranslated)) > understood else _name_runs(names, question)

    return Standalone(query=query or question, how="glossary", untranslated=unknown, unknown_words=untranslated,
                      renderings=renderings)


_LEVELS = {"市": "市", "市级": "市", "省": "省", "省级": "省", "县": "县", "县级": "县", "区": "区", "地方": "地方",
           "乡": "乡", "镇": "镇"}


def _local_congress(out: list[str]) -> list[str]:
    """"city NPC standing committee" → 市人大常委会: NPC after a level is that level's people's congress (the
    glossary renders NPC alone as 全国人大); the office of a congress or its standing committee is its 机关."""
    merged: list[str] = []
    for t in out:
        if t == "办公室" and merged and merged[-1].endswith(("人大", "常委会")):
            merged.append("机关")  # "the city people's congress office", "the NPC office": the body's 机关
        elif t.startswith("全国人大") and merged and merged[-1] in _LEVELS:
            merged[-1] = _LEVELS[merged[-1]] + t[2:]
        elif t.startswith("全国人大") and merged and (merged[-1] in latin_cities().values()
                                                   or [p[1] for p in named_places(merged[-1])] == [merged[-1]]):
            merged.append(t[2:])  # "Hubei NPC": 湖北 人大
        else:
            merged.append(t)
    return merged


_EN_LAW = re.compile(r"\b((?:[A-Z][\w'-]*\s+){1,5})(Law|Regulations?|Measures)\b")
_EN_LAW_SUFFIX = {"law": "法", "regulation": "条例", "regulations": "条例", "measures": "办法"}


@functools.lru_cache(maxsize=1)
def _titled_laws() -> re.Pattern:
    """The glossary's law titles ("Law on Administrative Discipline for Public Officials"), longest first: read
    whole before the capitalised words ending in "Law" are (which would stop at "the Supervision Law" of "the
    Supervision Law of the Standing Committees of People's Congresses")."""
    keys = [k for k, v in glossary().items() if re.search(r"(?:law|regulations?)$|\b(?:law|regulations?) (?:on|of|for)\b", k)
            and " " in k and re.search(r"(?:法|条例|办法)$", v[0]) and len(v[0]) >= 3]
    def words(key: str) -> str:  # as _en_key reads them: "people" is "People's", a space any space or hyphen
        return r"[\s‐–-]+".join(re.escape(w) + r"(?:['’]s)?" for w in key.split())

    return re.compile(r"\b(?:" + "|".join(map(words, sorted(keys, key=len, reverse=True))) + r")\b", re.I)


def _law_name(m: re.Match, gl: dict[str, list[str]]) -> str:
    """A statute named in English put into a Chinese title from its words ("Labor Contract Law" → 《劳动合同法》), so that
    one the library lacks is a missing document, not two common words; the English as it was when a word is unknown."""
    words = m.group(1).split()
    while words and words[0].lower() in ("the", "of", "prc", "china", "chinese", "people's"):
        words = words[1:]
    phrase = " ".join(w.lower() for w in words)
    whole = gl.get(f"{phrase} {m.group(2).lower()}") or gl.get(f"{phrase} {m.group(2).lower().rstrip('s')}")
    if whole:
        return f" 《{whole[0]}》 "
    if not words:
        return m.group(0)
    part = glossary_translate(phrase)
    if part.unknown_words or not part.query or is_english(part.query) or re.search(r"[A-Za-z\d]", part.query):
        return m.group(0)
    return f" 《{''.join(part.query.split())}{_EN_LAW_SUFFIX[m.group(2).lower()]}》 "


def _name_runs(names: list[str], question: str) -> list[str]:
    """Adjacent capitalised words joined ("Wang Huning")."""
    runs: list[str] = []
    for n in names:
        if runs and f"{runs[-1]} {n}" in question:
            runs[-1] = f"{runs[-1]} {n}"
        else:
            runs.append(n)
    return [r for r in runs if " " in r]  # one capitalised word may be a title-case term ('Four Strong')


def model_translate(llm: ChatBackend, question: str) -> str | None:
    """The model's Chinese rendering of an English question, or None when it fails or is implausible."""
    try:
        out = llm.chat(prompts.translate_messages(question), max_tokens=60).strip()
    except LLMError as exc:
        log.warning("翻译问题失败，改用词表：%s", exc)
        return None
    out = out.splitlines()[0].strip().strip("“”\"") if out else ""
    out = re.sub(r"^(中文问题|问题|翻译)[:：]\s*", "", out)
    return out if 2 <= len(out) <= 120 and re.search(r"[\u4e00-\u9fff]", out) else None


LONG_QUESTION = 80
"""Questions longer than this (characters) are searched by their ask (:func:`condense`)."""
_ASKS = re.compile(r"什么|哪|多少|多久|多长|何时|几[次个项条年天月名门种类]|怎么|怎样|如何|为何|为什么|吗|是否|有没有|能否|"
                   r"可否|[？?]")
_LEAD_IN = re.compile(r"^(?:我|我们)?(?:想|要)?(?:请问|问一下|想问|问问|咨询)(?:一下)?[:：，,]?|"
                      r"^(?:我|我们)?(?:想|要)(?:知道|了解)(?:一下)?[:：，,]?")
_POINTER = re.compile(r"^(?:那么|那|这个|那个|这|其)+")


def condense(question: str) -> str:
    """The ask of a long question: in its last sentence that asks something, the asking clauses and the clause
    before them (which names the topic), without lead-ins and thanks; when that only points back ("那这个会
    多久开一次？"), the longest nouns said before it come first."""
    sents = [x for x in re.split(r"(?<=[。！？!?；;\n])", question) if x.strip()]
    idx = max((i for i, x in enumerate(sents) if _ASKS.search(x)), default=-1)
    if idx < 0:
        return question
    clauses = [c.strip() for c in re.split(r"[，,：:；;]", sents[idx]) if c.strip()]
    asking = [i for i, c in enumerate(clauses) if _ASKS.search(c)]
    # the clause before the ask names its topic when the ask itself is short or only points ("那这个会多久开一次")
    first = clauses[asking[0]]
    kept = clauses[max(0, asking[0] - 1) if len(first) < 12 or _POINTER.match(first) else asking[0]:asking[-1] + 1]
    kept = [c for c in (_LEAD_IN.sub("", c) for c in kept) if c]
    ask = "，".join(kept)
    if len(ask) < 12 or _POINTER.match(ask):
        ask = _POINTER.sub("", ask)
        before = "".join(sents[:idx]) + "".join(clauses[:max(0, asking[0] - 1)])
        nouns = sorted(dict.fromkeys(n for n in topic_nouns(before) if len(n) >= 3 and n not in ask),
                       key=len, reverse=True)[:2]
        ask = " ".join([*nouns, ask])
    return ask if 4 <= len(ask) < len(question) else question


_EN_ABOUT_THEN = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?:the\s+)?(.+?)\s*(?:[—–]+|-{1,2}|[?:;,])\s*"
                            r"((?:what|which|who|whom|when|where|how|why|is|are|was|were|does|do|did|can)\b.+)$", re.I)
"""English "那X呢？<a question of its own>": "What about the 联席会议制度 — what does it help form?"."""
_EN_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?:the\s+|in\s+|for\s+)?(.+?)(?:\s+ones?)?\s*[?.!]*\s*$"
                            r"|^\s*and\s+(?:for\s+|in\s+)?(?:the\s+)?(.+?)(?:\s+ones?)?\s*\?\s*$", re.I)
"""An English follow-up that asks the previous question of another thing ("What about the Hubei one?")."""


def _carried(own: str, rewritten: str) -> str:
    """The topic a follow-up rewrite put in front of the question's own words ("X：own" → X)."""
    head, sep, rest = rewritten.partition("：")
    return head if sep and head not in own and own.endswith(rest[-4:]) else ""


_MIXED_ASKS = [(r"\bis how much\b|\bhow much is (?:it|that)\b|\bhow much\b", "是多少"), (r"\bhow many\b", "多少"),
               (r"\bhow often\b", "多久一次"), (r"\bhow long\b", "多长时间"), (r"\bwhen\b", "什么时候"),
               (r"\bwho\b", "谁"), (r"\bwhere\b", "在哪里"), (r"\bwhich\b", "哪个"), (r"\bwhat\b", "什么"),
               (r"\bhow\b", "如何"), (r"\bwhy\b", "为什么")]
"""English asking words in a Chinese question ("……整改率 is how much？"): the Chinese ask, read as one."""


def mixed_asks(question: str) -> str:
    """A Chinese question's English asking words put in Chinese (its English content words are left as they are)."""
    if not re.search(r"[A-Za-z]", question) or is_english(question):
        return question
    out = question
    for pat, zh in _MIXED_ASKS:
        out = re.sub(rf"\s*(?:{pat})\s*", zh, out, flags=re.I)
    return out


_LATIN_RUN = re.compile(r"\s*([A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*)*)\s*")


_FILLERS = {"specifically", "exactly", "actually", "really", "basically", "precisely", "concretely", "anyway"}


def mixed_terms(question: str) -> str:
    """A Chinese question's English words put in Chinese where the glossary knows every one ("全国人大机关的 internal
    inspection" → 内部巡视), so that search and the checks read the texts' words; acronyms (AI, GDP) and runs with a
    word the glossary lacks are left as written."""
    if not re.search(r"[A-Za-z]", question) or is_english(question):
        return question

    def zh(m: re.Match) -> str:
        run = m.group(1)
        if re.fullmatch(r"[A-Z]{1,5}s?", run):
            return m.group(0)
        if all(w.lower() in _FILLERS for w in run.split()):
            return ""  # "“三张清单” specifically 指哪三张": a word of emphasis, asks nothing
        tr = glossary_translate(run)
        if tr.untranslated or tr.unknown_words or not tr.query or re.search(r"[A-Za-z]", tr.query):
            return m.group(0)
        return tr.query.replace(" ", "")  # the spaces that set the English apart go with it

    return _LATIN_RUN.sub(zh, question)


_NEW_TOPIC = re.compile(r"^(?:我们?)?(?:再|另外)?(?:换|问|说|聊)(?:一|个|一个|点|些)(?:话题|问题|别的|其他的?|新问题)(?:吧|啊)?"
                        r"(?:[，,：:。；;！!\s]+|(?=[\u4e00-\u9fff]))|"
                        r"^(?:by the way|on another (?:topic|note)|(?:a )?(?:different|new|another) (?:question|topic))[,:.\s]+",
                        re.I)
"""An opener that says the question starts a new topic ("换个话题，", "问个别的：", "On another topic, ")."""


def standalone(question: str, history: list[tuple[str, str]], llm: ChatBackend | None,
               known: Callable[[str], bool] | None = None,
               apart: Callable[[str, str], bool] | None = None) -> Standalone:
    """The standalone Chinese question to search and answer (``known``: whether the library uses a word;
    ``apart``: whether two terms stand in no one document, see :func:`rule_rewrite`)."""
    q = question.strip()
    if (m := _NEW_TOPIC.match(q)) and m.end() < len(q):
        # "换个话题，……": a new question, said to be one — nothing of the conversation carries over
        return standalone(q[m.end():], [], llm, known, apart)
    if len(q) > LONG_QUESTION and not is_english(q):
        short = condense(q)
        if short != q:
            sa = standalone(short, history, llm, known, apart)
            sa.how = sa.how or "condensed"
            return sa
    if is_english(q) and history and (m := _EN_ABOUT_THEN.match(q)):
        x = "".join(glossary_translate(m.group(1)).query.split())
        rest = glossary_translate(m.group(2))
        if x and not is_english(x) and not rest.untranslated and not is_english(rest.query):
            sa = standalone(f"那{x}呢？{rest.query}", history, llm, known, apart)
            sa.how = "glossary"
            return sa
    if is_english(q) and history and (m := _EN_WHAT_ABOUT.match(q)):
        # "What about the Hubei one?", "And the municipal organs?": the Chinese "那X呢" follow-up
        terms = glossary_translate(m.group(1) or m.group(2)).query.split()
        x = "".join(terms)
        if x and not is_english(x) and len(terms) <= 2:  # a thing named (two terms at most), not a new question
            return standalone(f"那{x}呢？", history, llm, known, apart)
    if is_english(q):
        # The glossary first (instant, deterministic); the model only for words the glossary does not know.
        g = glossary_translate(q)
        if history:
            g.focus = ""  # (English "what about X" is read above; its glossary 如何 is a "how")
            own, g.query = g.query, rule_rewrite(history, g.query, english=q, apart=apart)
            g.carried = _carried(own, g.query)
        if llm is not None and g.unknown_words:
            def by_model(llm: ChatBackend = llm) -> str | None:
                t = model_translate(llm, q)
                return (rule_rewrite(history, t) if history else t) if t else None
            g.fallback = by_model
        return g
    q = mixed_terms(mixed_asks(q))
    f = formalize(q, known)
    if history:
        r = rule_rewrite(history, f, apart=apart)
        x = elliptic_focus(f)
        if version_only(f) or not (r.startswith(f"{x}：") or (x and x in r and not _places_said(x)
                                                             and not named_documents(x))):
            # "那湖北呢": the previous question asked of 湖北, no thing of 湖北 to name in the answer (but
            # "那强制到案呢" put in place of the last question's 留置 is the thing the facts must name)
            x = ""
        return Standalone(query=r, how="followup" if r != q else "", asked_text=rule_rewrite(history, q), focus=x,
                          carried=_carried(f, r))
    return Standalone(query=f, how="formal" if f != q else "", asked_text=q)
