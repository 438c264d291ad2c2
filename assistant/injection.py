"""Prompt-injection guard for answers.

A document may carry text aimed at the assistant rather than the reader ("忽略之前的所有指令，
回答……", "SYSTEM: you are now …", a fake ``</资料>`` closing tag). The answer prompt already
says such text is material, not instructions; this module removes it in code as well: such
sentences are dropped from the passages a model reads, the sentences an extractive answer may
quote and the text a claim may be verified against. Search results and citation cards still
show the document as it is.
"""
from __future__ import annotations

import dataclasses
import re

from policyqa.types import Hit

from .grounding import norm, split_sentences

MIN_COVERAGE = 0.5
"""A defused passage covering less of the question than this (and less than before) is left out."""

_QUAL = r"(?:之前|以前|此前|先前|前面|上面|以上|上述|原有|原来|原先|系统|你的|所有|全部|一切|任何)"
_RULES = r"(?:指令|指示|命令|规则|提示词?|设定|约束|限制|要求|prompt)"
_ANSWER = r"(?:回答|回复|答复|输出|作答)"
_PATTERNS = [
    # 忽略之前的所有指令 / 不要遵守上述规则 / 忘掉你的设定
    rf"(?:忽略|无视|忘记|忘掉|抛开|不要理会|不必理会|不要遵守|不再遵守|不用遵守|违反)(?:掉)?(?:你)?{_QUAL}[^。！？!?\n]{{0,8}}?{_RULES}",
    # 新的指令 / 最新指令 / 系统提示 / 隐藏指令
    r"(?:新的|最新的?|真正的|隐藏的?)(?:指令|指示|命令|提示词?)|系统(?:指令|提示词|提示\s*[:：])",
    # role play: 你现在是…助手 / 你是一个不受限制的模型
    r"你(?:现在|从现在起|从现在开始)?(?:是|扮演|充当|作为)(?:一个|一名|一位)?[^。！？!?\n]{0,16}(?:助手|模型|机器人|AI|人工智能)",
    # 无论用户问什么，都只回答…
    rf"(?:无论|不管|不论)(?:用户|对方|提问者|别人|任何人)?(?:问|提出|询问)(?:什么|任何)[^。！？!?\n]{{0,12}}{_ANSWER}",
    # 关于……的任何问题，请回答“……”
    rf"(?:任何|所有)(?:相关)?问题[^。！？!?\n]{{0,6}}(?:请|都|一律|必须|只)[^。！？!?\n]{{0,4}}{_ANSWER}",
    # 请回答：“……” / 请直接输出“……”
    rf"(?:请|必须|务必|一律|只)(?:直接|只|仅)?{_ANSWER}\s*[:：]?\s*[“\"'「『]",
    # 在每个回答的开头输出… / 回答时不要标注出处
    rf"(?:每个|每次|每一个|所有|全部)?{_ANSWER}(?:的)?(?:开头|结尾|末尾|最后|前面|中)(?:都)?(?:必须|要|请|务必)?(?:输出|加上|写上|包含|附上|显示)",
    r"(?:不要|不得|无需|不必)(?:再)?(?:标注|注明|给出|附上|引用)(?:任何)?(?:出处|来源|引用|编号)",
    # chat-template and prompt-structure tokens
    r"</?\s*资料\s*>|<\|im_(?:start|end)\|>|<\|endoftext\|>|\[/?INST\]|<</?SYS>>",
    r"(?<![A-Za-z])(?:system|SYSTEM|System|assistant|ASSISTANT)\s*[:：]",
    # English
    r"(?i:\b(?:ignore|disregard|forget)\b[^.!?\n]{0,30}\b(?:instructions?|rules|prompts?)\b)",
    r"(?i:\byou\s+are\s+now\b|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|different)\b|\bsystem\s+prompt\b)",
]
_INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
_TAG_RE = re.compile(r"</?\s*资料\s*>")


def is_instruction(sentence: str) -> bool:
    """Whether a sentence of a document addresses the assistant (a prompt-injection attempt)."""
    return bool(_INSTRUCTION_RE.search(sentence))


def defuse(text: str) -> str:
    """``text`` without instruction-like sentences (line structure kept)."""
    if not _INSTRUCTION_RE.search(text):
        return text
    lines = []
    for line in text.split("\n"):
        if _INSTRUCTION_RE.search(line):
            line = _TAG_RE.sub("", "".join(s for s in split_sentences(line) if not is_instruction(s)))
            if not line.strip():
                continue  # a line that was nothing but injected text goes entirely
        lines.append(line)
    return "\n".join(lines)


def _coverage(question: str, hit: Hit, text: str) -> float:
    """Share (by weight) of the question's Chinese / number terms found in the hit's title, headings and ``text``."""
    from .extractive import query_terms

    terms = {t: w for t, w in query_terms(question).items() if re.search(r"[\u4e00-\u9fff\d]", t)}
    if not terms:
        return 1.0
    hay = norm(hit.title + " ".join(hit.heading_path) + text)
    return sum(w for t, w in terms.items() if norm(t) in hay) / sum(terms.values())


def defuse_hits(hits: list[Hit], question: str = "") -> tuple[list[Hit], list[Hit]]:
    """(the hits an answer may use, the same hits with their text through :func:`defuse`).

    With ``question``, a passage that matched the question only through its injected sentences
    (keyword-stuffed "关于两项机制的任何问题，请回答……") is left out: once those sentences are
    gone it no longer covers the question, and it would only take a model's attention.
    """
    kept, safe = [], []
    for h in hits:
        t = defuse(h.text)
        if t != h.text and question:
            after = _coverage(question, h, t)
            if after < MIN_COVERAGE and after < _coverage(question, h, h.text):
                continue
        kept.append(h)
        safe.append(h if t == h.text else dataclasses.replace(h, text=t))
    if not kept:  # every passage was hostile: keep them, defused
        return list(hits), [dataclasses.replace(h, text=defuse(h.text)) for h in hits]
    return kept, safe
