"""Which documents a question may be answered from: the source it names, and the revision in force.

A question that names its source — a province (广东, 浙江省), a law (政务处分法), a report
(浙江省政府工作报告) — is answered from that document or refused, never from a look-alike: another
province's report states another target in the same words. Regulations come in revisions
(:mod:`policyqa.versions`): by default only the text in force is searched; a question asking for the
earlier text ("修订前", "2018年版", "原来的规定") or a date ("截至2020年", ``--as-of``) gets the revision in
force then.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field

from policyqa.textnorm import normalize_for_index
from policyqa.types import DocumentMeta, SearchFilter
from policyqa.versions import by_work, in_force_ids, superseded_ids, version_label

from .answerability import abbreviates, named_documents, place_words
from .asked import compared_sides
from .grounding import norm

__all__ = ["ISSUERS", "PLACES", "SHORT_NAME", "Scope", "named_places", "places_of", "resolve_scope", "version_only", "without_new_version",
           "without_version_words"]

# Province-level divisions: (full name, short name, English names).
PLACES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京", ("beijing",)), ("天津市", "天津", ("tianjin",)), ("上海市", "上海", ("shanghai",)),
    ("重庆市", "重庆", ("chongqing",)), ("河北省", "河北", ("hebei",)), ("山西省", "山西", ("shanxi",)),
    ("辽宁省", "辽宁", ("liaoning",)), ("吉林省", "吉林", ("jilin",)), ("黑龙江省", "黑龙江", ("heilongjiang",)),
    ("江苏省", "江苏", ("jiangsu",)), ("浙江省", "浙江", ("zhejiang",)), ("安徽省", "安徽", ("anhui",)),
    ("福建省", "福建", ("fujian",)), ("江西省", "江西", ("jiangxi",)), ("山东省", "山东", ("shandong",)),
    ("河南省", "河南", ("henan",)), ("湖北省", "湖北", ("hubei",)), ("湖南省", "湖南", ("hunan",)),
    ("广东省", "广东", ("guangdong",)), ("海南省", "海南", ("hainan",)), ("四川省", "四川", ("sichuan",)),
    ("贵州省", "贵州", ("guizhou",)), ("云南省", "云南", ("yunnan",)), ("陕西省", "陕西", ("shaanxi",)),
    ("甘肃省", "甘肃", ("gansu",)), ("青海省", "青海", ("qinghai",)), ("台湾省", "台湾", ("taiwan",)),
    ("内蒙古自治区", "内蒙古", ("inner mongolia", "neimenggu")), ("广西壮族自治区", "广西", ("guangxi",)),
    ("西藏自治区", "西藏", ("tibet", "xizang")), ("宁夏回族自治区", "宁夏", ("ningxia",)),
    ("新疆维吾尔自治区", "新疆", ("xinjiang",)), ("香港特别行政区", "香港", ("hong kong",)),
    ("澳门特别行政区", "澳门", ("macao", "macau")),
)
LATIN_PLACE = {en: short for _full, short, ens in PLACES for en in ens}
SHORT_NAME = {full: short for full, short, _ens in PLACES}
_LATIN_PLACE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, LATIN_PLACE), key=len, reverse=True)) + r")\b",
                             re.I)
# A short name inside a longer word is not the place: 江西 in 浙江西部, 海南 in 海南岛 is the place.
_PLACE_NOT_BEFORE = {"江西": "浙", "山西": "陕"}

# Issuing bodies a question can name as the source ("国务院制定的……", "全国人大常委会通过的……"): short form → the
# forms document records carry (issuer from the header, source from the manifest).
ISSUERS: dict[str, tuple[str, ...]] = {
    "全国人大常委会": ("全国人民代表大会常务委员会",), "全国人民代表大会常务委员会": ("全国人民代表大会常务委员会",),
    "全国人大": ("全国人民代表大会",), "全国人民代表大会": ("全国人民代表大会",),
    "国务院": ("国务院",), "中共中央": ("中共中央", "中国共产党中央委员会"), "党中央": ("中共中央", "中国共产党中央委员会"),
    "中央纪委": ("中央纪委", "中央纪律检查委员会"), "中办": ("中共中央办公厅", "中央办公厅"), "国办": ("国务院办公厅",),
}
_ISSUER_RE = re.compile("(" + "|".join(sorted(map(re.escape, ISSUERS), key=len, reverse=True)) + ")"
                        r"(?:制定|发布|印发|公布|通过|颁布|出台|修订|修正)")

# The earlier text of a regulation.
_BEFORE_RE = re.compile(r"修[订正改]前|修[订正改]以前|原来的?(?:规定|条文|表述|写法|版本|说法)|原(?:规定|条文|版本|法)"
                        r"|旧版|老版|此前的?(?:规定|版本)|以前的?(?:规定|版本)|未修[订正改]")
# "2018年版", "2018年的监察法", "2018年监察法": the revision of that year.
_YEAR_VERSION_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(?:版|修[订正]版?的?|通过的|颁布的|制定的|的版本"
                              r"|的?(?=(?:[\u4e00-\u9fff]{0,14}?)(?:法|条例)(?![\u4e00-\u9fff]{0,3}(?:通过|修[订正改]))))")
# "《公司法》（2018年）", "监察法(2018年版)": the revision of that year, in brackets after the name.
_BRACKET_YEAR_RE = re.compile(r"(?<=[》法例定则前后])\s*[（(]\s*((?:19|20)\d{2})\s*年?\s*(?:版|修[订正]版?)?\s*[)）]")
# "截至2020年1月1日", "2020年时", "在2019年的时候": the revision in force on that date.
_AS_OF_RE = re.compile(r"(?:截至|截止到?|到|在|于)?\s*((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?"
                       r"\s*(?:时|的时候|当时|那时|那会儿?|那阵子?|之时|时候|施行时|有效的?(?:版本|规定)?)")


@dataclass
class Scope:
    flt: SearchFilter | None
    """The filter to retrieve with (the user's, narrowed)."""
    places: list[str] = field(default_factory=list)
    """Places the question names (full names)."""
    absent_places: list[str] = field(default_factory=list)
    """Named places no document of the library is about: passages must mention them."""
    absent_cities: list[str] = field(default_factory=list)
    """Named places below a province (深圳, 武汉市) no document is about: passages must mention them too."""
    documents: list[str] = field(default_factory=list)
    """Titles of the documents a named source resolved to."""
    picked: list[DocumentMeta] = field(default_factory=list)
    """Revisions not in force today that the question's wording or date chose."""
    current_only: bool = True
    """Whether superseded revisions were left out (the default)."""

    def version_note(self, doc_ids: set[str]) -> str:
        """"按2018年3月20日通过的《……》回答" for the chosen older revisions among ``doc_ids`` (those answered from)."""
        used = [d for d in self.picked if d.doc_id in doc_ids]
        if not used:
            return ""
        return "按" + "、".join(f"{version_label(d)}的《{d.title}》" for d in used[:2]) + "回答（现行文本以资料库中最新修订为准）。"


_VENUE_AFTER = re.compile(r"(?:省|市)?(?:召开|举行|举办|开幕|闭幕)")
_EN_VENUE_BEFORE = re.compile(r"\b(?:held|convened|took place|take place|opened|hosted)\s+in\s+$", re.I)


def named_places(question: str) -> list[tuple[str, str]]:
    """(full name, short name) of the provinces a question names, in order of appearance."""
    q = normalize_for_index(question)
    found: list[tuple[int, str, str]] = []
    for full, short, _ens in PLACES:
        for m in re.finditer(short, q):
            before = q[m.start() - 1] if m.start() else ""
            if before and before == _PLACE_NOT_BEFORE.get(short):
                continue
            if _VENUE_AFTER.match(q, m.end()) and before in ("在", "于", "赴"):
                continue  # "……启动会在北京召开": where it was held, not whose it is
            found.append((m.start(), full, short))
            break
    for m in _LATIN_PLACE_RE.finditer(question):
        if _EN_VENUE_BEFORE.search(question[:m.start()]):
            continue  # "held in Beijing"
        short = LATIN_PLACE[m.group(1).lower()]
        full = next(f for f, s in SHORT_NAME.items() if s == short)
        found.append((10_000 + m.start(), full, short))
    seen: dict[str, tuple[str, str]] = {}
    for _pos, full, short in sorted(found):
        seen.setdefault(full, (full, short))
    return list(seen.values())


_NOT_A_CITY = {"中国", "全国", "京", "在京", "国内", "国外", "境外", "海外", "中华", "各地", "地方", "新区", "大湾", "城乡", "农村",
               "基层", "社区", "全省", "全市", "本市", "本省", "外省", "沿海", "内地", "西部", "东部", "中部", "东北",
               "城镇", "城市", "乡村", "城区", "县城", "县域", "省内", "市内", "区域", "地区", "山区", "边疆", "边境",
               "老区", "库区", "牧区", "林区", "园区", "开发区", "自贸区", "口岸", "港澳", "港澳台", "两岸"}


MAJOR_CITIES = set("石家庄 太原 呼和浩特 包头 沈阳 大连 长春 哈尔滨 南京 苏州 无锡 常州 南通 徐州 杭州 宁波 温州 嘉兴 绍兴 金华 "
                   "义乌 合肥 芜湖 福州 厦门 泉州 南昌 赣州 济南 青岛 烟台 潍坊 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 岳阳 "
                   "广州 深圳 珠海 佛山 东莞 中山 汕头 惠州 南宁 柳州 桂林 海口 三亚 成都 绵阳 宜宾 贵阳 遵义 昆明 "
                   "拉萨 西安 咸阳 兰州 西宁 银川 乌鲁木齐 喀什 雄安 浦东".split())
"""Cities below a province that questions name without 市 (a jieba "place" is often none: 东西, 礼拜, 之日起)."""

_CITY_SPELLINGS = {"harbin": "哈尔滨", "hohhot": "呼和浩特", "urumqi": "乌鲁木齐", "lhasa": "拉萨", "kashgar": "喀什",
                   "xi'an": "西安", "xian": "西安", "canton": "广州"}


@functools.lru_cache(maxsize=1)
def latin_cities() -> dict[str, str]:
    """An English question's city (Shenzhen, Xiamen, Harbin) → its Chinese name: pinyin, joined, plus the usual
    English spellings that are not pinyin."""
    from pypinyin import lazy_pinyin

    return {"".join(lazy_pinyin(c)): c for c in MAJOR_CITIES} | _CITY_SPELLINGS


@functools.lru_cache(maxsize=1)
def latin_city_pattern() -> re.Pattern:
    """The cities of :func:`latin_cities` in an English question, longest spelling first."""
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, latin_cities()), key=len, reverse=True)) + r")\b", re.I)


def named_cities(question: str) -> list[str]:
    """Places below a province the question names: a major city, or a place word said with 市/州/县 (宜昌市)."""
    provinces = {x for full, short, _ in PLACES for x in (full, short)}
    q = normalize_for_index(question)
    out = []
    for name in place_words(question):
        core = re.sub(r"(?<=..)[市县州]$", "", name)  # 武汉市 → 武汉: texts say both
        said_as_place = core in MAJOR_CITIES or re.search(re.escape(core) + r"[市县州]", q)
        if (said_as_place and len(core) >= 2 and core not in _NOT_A_CITY and core not in provinces
                and not any(p in core for p in provinces) and re.fullmatch(r"[\u4e00-\u9fff]+", core)):
            out.append(core)
    return list(dict.fromkeys(out))


def _about_place(d: DocumentMeta, short: str) -> bool:
    return short in d.title or short in d.source or short in d.author


def _names_organ(d: DocumentMeta, organ: str) -> bool:
    return any(organ in x or (organ == "人大" and "人民代表大会" in x) for x in (d.title, d.source, d.author or ""))


_AUTHOR_ORGAN_TAIL = re.compile(r"(?:机关党委|党组|党委|党总支|党支部)$")


def author_names(author: str) -> list[str]:
    """How a question names a document's author or source: as recorded (without 中共 and asides), the body a party
    group or committee belongs to (全国人大常委会机关党组 → 全国人大常委会机关), a congress body without 常委会
    (全国人大机关)."""
    if not author:
        return []
    author = re.sub(r"（[^）]*）|\([^)]*\)", "", author).strip()  # "某市人大常委会机关（原文未注明出处）"
    names = [author, *([author[2:]] if author.startswith("中共") else [])]
    if (body := _AUTHOR_ORGAN_TAIL.sub("", author)) != author:
        names.append(body)
    names += [n.replace("常委会", "") for n in names if "人大常委会" in n]
    return list(dict.fromkeys(names))


def record_names(d: DocumentMeta, shortest: int = 3) -> list[str]:
    """The names a question may give a document by its record: its author's and its source's (:func:`author_names`)."""
    return [a for x in (d.author, d.source) for a in author_names(x) if len(a) >= shortest]


def places_of(d: DocumentMeta) -> list[str]:
    """Short names of the provinces a document's title, source or author names (广东 for 广东省政府工作报告)."""
    return [short for _full, short, _ in PLACES if _about_place(d, short)]


def _end_of(y: str, m: str | None, d: str | None) -> str:
    if m and d:
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    if m:
        return f"{int(y):04d}-{int(m):02d}-31"
    return f"{int(y):04d}-12-31"


def _version_request(question: str) -> tuple[str, str]:
    """("before" | "year" | "as_of" | "", value) from the question's wording."""
    q = normalize_for_index(question)
    if m := _YEAR_VERSION_RE.search(q) or _BRACKET_YEAR_RE.search(q):
        return "year", m.group(1)
    if m := _AS_OF_RE.search(q):
        return "as_of", _end_of(m.group(1), m.group(2), m.group(3))
    if _BEFORE_RE.search(q):
        return "before", ""
    return "", ""


def without_version_words(question: str) -> str:
    """The question without the words that choose a revision ("2018年版", "修订前的", "截至2020年时"): they
    select documents, they are not what is searched for."""
    q = _BRACKET_YEAR_RE.sub("", _YEAR_VERSION_RE.sub("", question))
    q = _AS_OF_RE.sub("", q)
    q = re.sub(rf"(?:{_BEFORE_RE.pattern})的?", "", q)
    q = re.sub(r"现行(?:有效)?的?|修[订正改]后的?", "", q)
    return re.sub(r"^[，,、\s的]+", "", q).strip() or question


_NEW_VERSION = re.compile(r"新(?:修[订正改])?的?(?=[\u4e00-\u9fff《]{1,16}?(?:法|条例|办法|规定))")
_VERSION_ONLY = re.compile(r"^(?:那|那么|那个|还有)?[，,\s]*(.{2,12}?)的?(?:呢|怎么规定的?|是怎么规定的|怎么样|又如何|如何规定)?[？?。]*$")


def version_only(question: str) -> str:
    """"修订前呢？" / "那2017年版呢？": the revision a follow-up asks the last question of, as a phrase to put
    before it ("修订前的", "2017年版"); "" when the question asks more than that."""
    m = _VERSION_ONLY.match(normalize_for_index(question).strip())
    if not m:
        return ""
    said = m.group(1)
    if (y := _YEAR_VERSION_RE.fullmatch(said)) or (y := re.fullmatch(r"((?:19|20)\d{2})\s*年?\s*(?:版|修[订正]版?)", said)):
        return f"{y.group(1)}年版"
    if _BEFORE_RE.fullmatch(said):
        return "修订前的"
    if re.fullmatch(r"现行(?:版|版本|文本)?|新版|修[订正改]后|新(?:法|条例)", said):
        return "现行"
    return ""


def without_new_version(question: str) -> str:
    """The question without any word choosing a revision (without_version_words, and 新会计法's 新)."""
    return _NEW_VERSION.sub("", without_version_words(question))


def resolve_scope(question: str, docs: list[DocumentMeta], flt: SearchFilter | None = None) -> Scope:
    """The documents to search for ``question`` (see module docstring)."""
    base = flt or SearchFilter()
    if base.doc_ids:  # the user picked the documents: theirs is the last word
        return Scope(flt=flt, current_only=False)
    live = [d for d in docs if not base.doc_types or d.doc_type in base.doc_types]
    scope = Scope(flt=flt)

    # Named sources → document ids.
    place_ids: set[str] = set()
    qi = normalize_for_index(question)
    for full, short in named_places(question):
        # "湖北人大……": the place's congress (or CPPCC), whose articles need not carry the place in their title;
        # the place's own documents (its government's report) answer only when they are that body's
        organ = m.group(1) if (m := re.search(rf"{short}(?:省|市|自治区)?(人大|人民代表大会|政协)", qi)) else ""
        ids = {d.doc_id for d in live if _about_place(d, short) and (not organ or _names_organ(d, organ))}
        scope.places.append(full)
        if ids:
            place_ids |= ids
        else:
            scope.absent_places.append(full)
    if scope.absent_places and place_ids:
        scope.absent_places = []  # "广东对口帮扶贵州": the named place with documents is the source
    scope.absent_cities = [c for c in named_cities(question) if not any(_about_place(d, c) for d in live)]
    doc_ids: set[str] = set()
    qn = norm(question)
    names = named_documents(question)
    # The library's own work titles, found as written ("公司法" slips through generic name patterns: 司法).
    names += [d.work for d in live if d.work and len(d.work) >= 3 and norm(d.work) in qn and d.work not in names]
    for name in names:
        key = norm(name)
        ids = {d.doc_id for d in live if key and (key in norm(d.title) or key == norm(d.work))}
        if not ids:  # "保密法": a short name of 保守国家秘密法 (not of its 实施条例)
            ids = {d.doc_id for d in live if abbreviates(key, norm(d.work or d.title))}
        if ids:
            doc_ids |= ids
            scope.documents += sorted({d.title for d in live if d.doc_id in ids})
    if place_ids and doc_ids:
        chosen = (place_ids & doc_ids) or (place_ids | doc_ids)
    else:
        chosen = place_ids | doc_ids
    # A named issuer narrows further (or alone) — only when some document records it as its issuer.
    for m in _ISSUER_RE.finditer(normalize_for_index(question)):
        forms = ISSUERS[m.group(1)]
        ids = {d.doc_id for d in live if any(f == d.issuer or f in d.source for f in forms)}
        if ids:
            chosen = (chosen & ids) or chosen or ids
            scope.documents += sorted({d.title for d in live if d.doc_id in ids} - set(scope.documents))

    # A named author narrows too: "全国人大常委会机关……" is what the article by 全国人大常委会机关党组 speaks for,
    # though its passages leave the body out (it is their implicit subject).
    # A name of one or two documents adds them ("湖北……全国人大常委会机关……", "北京市直机关工委和……": each); a
    # publisher of many narrows what else was named.
    by_name: dict[str, set[str]] = {}
    for d in live:
        for a in {a for a in record_names(d) if norm(a) in qn}:
            by_name.setdefault(a, set()).add(d.doc_id)
    # (a name another document is about is no author named: "国务院常务会议由哪些人组成" asks 国务院组织法, not the
    # regulations 国务院 issued)
    by_name = {a: ids for a, ids in by_name.items()
               if not any(norm(a) in norm(d.title) for d in live if d.doc_id not in ids)}
    # (not with a place no record names: the documents that speak of it are found by searching, see the engine;
    # nor in a comparison whose other side no record names — "全国人大常委会机关和市人大常委会机关各……": each side
    # is searched on its own there)
    sides = compared_sides(question)
    one_sided = bool(sides) and not all(any(norm(a) in norm(side) for a in by_name) for side in sides)
    for ids in ([] if scope.absent_places or scope.absent_cities or one_sided else by_name.values()):
        chosen = (chosen | ids) if len(ids) <= 2 else ((chosen & ids) or chosen or ids)
        scope.documents += sorted({d.title for d in live if d.doc_id in ids} - set(scope.documents))

    # Revisions: the text in force today, unless another is asked for.
    kind, value = _version_request(question)
    as_of = base.as_of or (value if kind == "as_of" else "")
    groups = by_work(live)
    named_works = {d.work for d in live if d.doc_id in chosen and d.work}
    exclude: set[str] = set()
    picked: list[DocumentMeta] = []
    if as_of:
        keep, drop = in_force_ids(live, as_of)
        exclude |= drop
        picked = [d for d in live if d.doc_id in keep and d.status != "current"]
    elif kind in ("year", "before"):
        for work, group in groups.items():
            if named_works and work not in named_works:
                continue
            if kind == "year":
                fit = [d for d in group if d.date[:4] <= value] or group[:1]
                choice = next((d for d in group if d.date[:4] == value), fit[-1])
            else:
                current = [d for d in group if d.status == "current"] or group[-1:]
                older = [d for d in group if d.date < current[-1].date]
                if not older:
                    continue
                choice = older[-1]
            exclude |= {d.doc_id for d in group if d is not choice}
            if choice.status != "current":
                picked.append(choice)
    else:
        exclude = superseded_ids(live)
    if picked or kind or as_of:
        scope.current_only = False
        scope.picked = picked
    if chosen:
        chosen -= exclude
        if not chosen:  # the named work has only texts not in force on that date
            chosen = {d.doc_id for d in live if d.work in named_works} - exclude
    new = dataclasses.replace(base, doc_ids=sorted(chosen) if chosen else [],
                              exclude_doc_ids=sorted(exclude - chosen) if not chosen else [])
    scope.flt = None if new.is_empty() and flt is None else new
    return scope
