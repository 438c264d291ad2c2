"""Chinese personal names in questions and sentences (jieba's nr tags, checked against common surnames).

Used for two classes of question: "…是谁" needs a sentence that names a person, and a question that
names a person the library never mentions ("丁薛祥在座谈会上传达了什么？") rests on a false premise.
jieba's HMM finds names its dictionary lacks; the surname check keeps it from taking ordinary words.
"""
from __future__ import annotations

import re
from typing import Any

from policyqa import sparse
from policyqa.textnorm import normalize_for_index

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池乌查麻苑迟邝")
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
COMMON_WORD_FREQ = 1000
"""A word jieba's dictionary counts this often is a common word, even when tagged as a name (荣誉 2877, 李强 159)."""


_tagger: tuple[Any, Any] = (None, None)


def pos_tagger() -> Any:
    """jieba's part-of-speech tagger over the project's tokenizer, rebuilt when that tokenizer is (building one
    reads jieba's dictionary, ~0.2 s)."""
    global _tagger
    import jieba.posseg as pseg

    base = sparse._get_tokenizer()
    if _tagger[0] is not base:
        _tagger = (base, pseg.POSTokenizer(base))
    return _tagger[1]


_JOINING = set("和与及同跟向")
"""Surnames that are also words joining or relating two nouns."""
_BYLINE = re.compile(r"(?:作者|撰稿|执笔|讲话人|主讲)[:：]\s*([\u4e00-\u9fff]{2,3})(?=[,，、)）\s]|$)")


def person_names(text: str) -> list[str]:
    """Personal names in ``text``: nr-tagged 2–3 character words starting with a common surname, and bylines."""
    out = [m.group(1) for m in _BYLINE.finditer(normalize_for_index(text))]
    freq = sparse._get_tokenizer().FREQ
    prev = ""
    for w in pos_tagger().cut(normalize_for_index(text), HMM=True):
        t = w.word.strip()
        # jieba's dictionary tags some common words as names (荣誉, 高峰, 江山); names are rare words; and a word
        # joining two nouns is read as a surname by jieba's HMM ("文章和守正创新": 和守正)
        joined = t[:1] in _JOINING and bool(re.search(r"[\u4e00-\u9fff]$", prev))
        if (w.flag in ("nr", "nrfg", "nrt") and _NAME.match(t) and t[0] in SURNAMES
                and freq.get(t, 0) < COMMON_WORD_FREQ and not joined):
            out.append(t)
        prev = w.word
    return list(dict.fromkeys(out))


def has_person(sentence: str) -> bool:
    return bool(person_names(sentence))


PLACE_MARKS = {"省份": "省|自治区|北京|天津|上海|重庆", "省": "省|自治区|北京|天津|上海|重庆", "城市": "市|北京|在京|京城",
               "市": "市|北京|在京", "县": "县|旗", "区": "区", "国家": "国"}
"""Marks a place name of the asked kind carries (湖北省, 北京市; 北京 is itself a city and a province-level unit)."""


def names_place(kind: str, text: str) -> bool:
    """``text`` names a place of the asked ``kind`` ("哪个省" → 湖北省, "哪个城市" → 武汉, 在京): a word carrying the
    kind's mark, or a place name (jieba's ns) — city names mostly go without 市."""
    if re.search(PLACE_MARKS[kind], text):
        return True
    return any(w.flag == "ns" and len(w.word) >= 2 for w in pos_tagger().cut(normalize_for_index(text), HMM=False))
