"""What a follow-up points at in the previous answer: the n-th item it listed, or the items together.

"第二个具体指什么？" after an answer "一是《沟通联系办法》，二是《联席会议制度》" asks of 《联席会议制度》;
"它们有什么区别？" after it compares the two. The previous question's topic would send the search to what
the items share instead of to the item asked about.
"""
from __future__ import annotations

import re

_CITE = re.compile(r"\[\d+\]|\s+")
_CN_NUM = "一二三四五六七八九十"
_ORDINAL_ITEMS = re.compile(rf"(?:^|[，,；;。：:\s])([{_CN_NUM}])是")
"""The document's own ordinals: "一是……，二是……"."""
_BRACKET_ITEMS = re.compile(rf"[（(]([{_CN_NUM}])[）)]")
_COUNTED_TAIL = re.compile(rf"(?:[{_CN_NUM}两\d]+(?:个|种|项|类|条|大|方面)[\u4e00-\u9fff]{{0,6}}|等[\u4e00-\u9fff]{{0,6}})$")
_LIST = re.compile(r"([^，,。；;：:！!？?]{2,60}?(?:、[^、，,。；;：:！!？?]{1,30}){1,11}(?:和|及|与|以及)?"
                   r"[^、，,。；;：:！!？?]{0,30})")
_LEAD_IN = re.compile(r"^(?:比如|例如|譬如|诸如|像|如|包括|主要有|主要是|分别是|有|是)[：:，,]?")
_QUOTED_ITEM = re.compile(r"“[^”]{1,12}”[^，,。；;、“和与及还等]{0,4}")
"""A quoted name with the noun it qualifies ("“四强”党支部")."""
MAX_ITEM = 40
"""An item longer than this is a clause, not a thing named."""


def answer_items(answer: str) -> list[str]:
    """The items the answer lists, in order: its "一是X，二是Y" parts, else its "（一）X（二）Y" parts, else the
    first run "X、Y和Z" (each item cut to the length of the middle ones, without "三种形式" after the last)."""
    text = _CITE.sub("", answer)
    for pat in (_ORDINAL_ITEMS, _BRACKET_ITEMS):
        marks = list(pat.finditer(text))
        if len(marks) >= 2 and [m.group(1) for m in marks] == list(_CN_NUM[:len(marks)]):
            items = []
            for m, nxt in zip(marks, [*marks[1:], None], strict=True):
                part = text[m.end():nxt.start() if nxt else len(text)]
                part = re.split(r"[，,；;。！!？?]", part.strip("，,；;：: "), maxsplit=1)[0]
                items.append(part)
            if all(0 < len(x) <= MAX_ITEM for x in items):
                return items
    titles = re.findall(r"《[^》]{2,40}》", text)
    shorts = re.findall(r"简称(《[^》]{2,20}》)", text)
    if 2 <= len(set(shorts)) <= 4:  # "制定《…暂行办法》(以下简称《沟通联系办法》)和《…》(以下简称《联席会议制度》)"
        return list(dict.fromkeys(shorts))
    if 2 <= len(set(titles)) <= 4 and len(titles) == len(set(titles)) and "、" not in text:
        return titles
    quoted = [q.group(0) for q in _QUOTED_ITEM.finditer(text)]
    if 2 <= len(quoted) <= 4 and "、" not in text:  # "评定了“四强”党支部，还评选了“四好”党员"
        return list(dict.fromkeys(quoted))
    if found := _LIST.search(text):
        parts = re.split(r"、|(?<=[\u4e00-\u9fff])(?:以及|和|及|与)(?=[^、]*$)", found.group(1))
        parts = [p.strip() for p in parts if p.strip()]
        if len(parts) >= 2:
            parts[-1] = _COUNTED_TAIL.sub("", parts[-1]) or parts[-1]
            parts[0] = _LEAD_IN.sub("", parts[0]) or parts[0]
            inner = parts[1:-1] or parts[1:]
            width = max(len(p) for p in inner)
            if len(parts[0]) > width + 2:  # "主要采取书面沟通": the item is the end of the clause the list starts in
                parts[0] = parts[0][-width:]
            if len(parts[-1]) > width + 2 and len(parts) > 2:
                parts[-1] = parts[-1][:width]
            if all(0 < len(p) <= MAX_ITEM for p in parts):
                return parts
    return []


_ORDINAL_REF = re.compile(rf"第([{_CN_NUM}]|\d)(?:个|项|种|点|类|方面|部分|(?=是|呢|指|具体|怎么|如何))|"
                          r"(前者|后者|前一个|后一个|最后一[个项种])")
"""A pointer to one item ("第二个", "后者"); not 第二条 (an article) nor 第二次 (an occasion)."""
_TOGETHER_REF = re.compile(r"它们|它俩|两者|二者|这两[个项种条类者]?|那两[个项种条类]?|这几[个项种条类]|这些|上述几[个项种]")
_COMPARED = re.compile(r"区别|不同|差别|差异|异同|共同|相同|一样|联系|关系|分别|各自|各[有是管负做]|哪个|侧重")


def _named(item: str) -> str:
    """An item as a name: its 《title》 when it has one, else the item."""
    m = re.search(r"《[^》]{1,30}》", item)
    return m.group(0) if m else item


def resolve(question: str, previous_answer: str) -> str | None:
    """``question`` with its pointer to the previous answer's items replaced by them, or None when it has none
    (or the answer lists nothing to point at)."""
    if m := _ORDINAL_REF.search(question):
        items = answer_items(previous_answer)
        if len(items) < 2:
            return None
        if m.group(1):
            n = _CN_NUM.index(m.group(1)) + 1 if m.group(1) in _CN_NUM else int(m.group(1))
        else:
            n = 1 if m.group(2).startswith("前") else (2 if m.group(2).startswith("后") and len(items) == 2 else len(items))
            if m.group(2).startswith("后") and len(items) != 2:
                return None
        if not 1 <= n <= len(items):
            return None
        return question[:m.start()] + _named(items[n - 1]) + question[m.end():]
    if (m := _TOGETHER_REF.search(question)) and _COMPARED.search(question):
        items = answer_items(previous_answer)
        if not 2 <= len(items) <= 4:
            return None
        names = [_named(x) for x in items]
        joined = "和".join(names) if len(names) == 2 else "、".join(names[:-1]) + "和" + names[-1]
        return question[:m.start()] + joined + question[m.end():]
    return None


_POINTER = re.compile(r"(?=.*(?:这|那|上述|上面|前面|刚才|刚刚))(?:上述|上面|前面|刚才|刚刚)?(?:说的|提到的|讲的|列的)?(?:这|那)?"
                      r"(?:[两二三四五六七八九十几]?[个项种条类家点部]|些)?(?:部门|单位|方面|措施|做法)?")


def said_items(pointer: str, previous_answer: str) -> str | None:
    """What "除了这三个" leaves out: the previous answer's items, joined ("中央编办、民政部、新华社"); "" when the
    pointer points at an answer that lists nothing; None when ``pointer`` names a thing itself."""
    if not _POINTER.fullmatch(pointer):
        return None
    return "、".join(_named(x) for x in answer_items(previous_answer))


def names_all(question: str) -> bool:
    """The question points at the previous answer's items together ("它们有什么区别"), not at one of them."""
    return not _ORDINAL_REF.search(question) and bool(_TOGETHER_REF.search(question) and _COMPARED.search(question))
