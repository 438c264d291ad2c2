"""Structure-aware splitter: heading paths, article integrity, size limits, verbatim offsets."""
from __future__ import annotations

import re
import tarfile
import time
from pathlib import Path

import pytest

from ingest.split import Chunk, detect_heading, split_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LAW_TARBALL = SHARED / "corpora" / "lawrefbook.tar.gz"
TWO_MECH_TITLE = "建立“两项机制”推动全面从严治党向纵深发展"

ARTICLE_LINE = re.compile(r"第[〇零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")
WS = " \t\r\n\u3000\xa0\u200b\ufeff"


def check_invariants(text: str, chunks: list[Chunk], max_len: int | None = None) -> None:
    """Verbatim offsets, document order, no overlap, no empty chunk, trimmed text, title first."""
    assert chunks
    prev_end = 0
    for c in chunks:
        assert c.text == text[c.start:c.end]
        assert c.text and c.text.strip(WS) == c.text
        assert c.start >= prev_end
        prev_end = c.end
        assert c.heading_path and isinstance(c.heading_path[0], str)
        if max_len is not None:
            assert len(c.text) <= max_len, (len(c.text), c.heading_path)


def uncovered_lines(text: str, chunks: list[Chunk]) -> list[str]:
    """Non-blank lines with characters outside every chunk."""
    covered = bytearray(len(text) + 1)
    for c in chunks:
        covered[c.start:c.end] = b"\x01" * (c.end - c.start)
    out, pos = [], 0
    for line in text.split("\n"):
        if any(not covered[pos + i] and ch not in WS for i, ch in enumerate(line)):
            out.append(line)
        pos += len(line) + 1
    return out


def assert_only_headings_uncovered(text: str, chunks: list[Chunk], title: str) -> None:
    for line in uncovered_lines(text, chunks):
        assert detect_heading(line) is not None or line.strip(WS + "#") == title, line


# --- the 两项机制 seed ---------------------------------------------------------------

def _two_mech_text() -> str:
    for p in (ROOT / "data" / "corpus" / "两项机制-北京市直机关工委.txt",
              SHARED / "seeds" / "004_b233b12359aeba46.txt"):
        if p.is_file():
            return p.read_text(encoding="utf-8-sig")
    pytest.skip("两项机制 sample not available")


def test_two_mechanisms_heading_path_from_lead_sentence():
    text = _two_mech_text()
    chunks = split_document(text, TWO_MECH_TITLE)
    check_invariants(text, chunks, max_len=640)
    assert_only_headings_uncovered(text, chunks, TWO_MECH_TITLE)
    hit = [c for c in chunks if "122个单位分成8个组" in c.text]
    assert len(hit) == 1
    assert hit[0].heading_path == [TWO_MECH_TITLE, "“两项机制”的主要内容和运行方式", "议事规则"]
    assert hit[0].text.startswith("议事规则。")  # a lead sentence starts a new chunk
    # the section heading line is part of its first chunk, not a chunk of its own
    first = next(c for c in chunks if "“两项机制”的重大意义" in c.text)
    assert first.text.startswith("“两项机制”的重大意义\n")
    assert first.heading_path == [TWO_MECH_TITLE, "“两项机制”的重大意义"]
    # the paragraph after the lead-sentence paragraphs returns to the section path
    tail = next(c for c in chunks if "“两项机制”是新生事物" in c.text)
    assert tail.heading_path[:2] == [TWO_MECH_TITLE, "“两项机制”的主要内容和运行方式"]
    assert "运行方式" not in tail.heading_path
    assert all(c.heading_path[0] == TWO_MECH_TITLE for c in chunks)


def test_seed_articles_limits_and_coverage():
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed articles not available")
    for p in seeds:
        text = p.read_text(encoding="utf-8")
        chunks = split_document(text, p.stem, target=320, max_chars=640)
        check_invariants(text, chunks, max_len=640)
        assert_only_headings_uncovered(text, chunks, p.stem)


def test_numbered_sections_and_bold_leads_in_seed():
    p = SHARED / "seeds" / "000_aa308e0431d1c776.txt"
    if not p.is_file():
        pytest.skip("seed not available")
    text = p.read_text(encoding="utf-8")
    chunks = split_document(text, "以高质量党建推动机关工作高质量发展")
    hit = next(c for c in chunks if c.text.startswith("严明政治纪律和政治规矩。"))
    assert hit.heading_path[1:] == ["一、把牢政治方向,走好践行“两个维护”第一方阵", "严明政治纪律和政治规矩"]
    # dateline is never a heading
    assert not any("2025年04月03日16:04" in h for c in chunks for h in c.heading_path)


def test_dash_lead_clause():
    text = ("工作回顾\n"
            "——深化政治机关建设。工委持续推动政治机关意识教育、对党忠诚教育，" + "推动各项工作落实，" * 20 + "取得实效。\n"
            "——抓好模范机关建设。认真落实模范机关建设要求，" + "不断提高建设质量，" * 20 + "形成长效机制。\n")
    chunks = split_document(text, "T")
    check_invariants(text, chunks, max_len=640)
    paths = [c.heading_path for c in chunks]
    assert ["T", "工作回顾", "深化政治机关建设"] in paths
    assert ["T", "工作回顾", "抓好模范机关建设"] in paths


# --- regulations ---------------------------------------------------------------------

def _sentences(n: int, stem: str) -> str:
    return "".join(f"{stem}第{i}项要求应当依照本条例规定严格执行并加强监督检查。" for i in range(n))


def _regulation() -> tuple[str, dict[str, str]]:
    arts = {
        "第一条": "第一条　为了规范机关党建工作，根据有关规定，制定本条例。",
        "第二条": "第二条　本条例适用于下列单位：\n（一）市直机关；\n（二）市属事业单位。",
        "第三条": "第三条　机关党委负责组织实施本条例。",
        "第四条": "第四条　机关党委应当履行下列职责：\n" + "\n".join(
            f"（{n}）{_sentences(2, '职责')[:-1]}；" for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")) + "\n（十三）其他职责。",
        "第五条": "第五条　" + _sentences(60, "督查"),
        "第六条": "第六条　本条例自发布之日起施行。",
    }
    text = ("某市机关党建工作条例\n第一章　总　则\n" + "\n".join(arts[k] for k in ("第一条", "第二条", "第三条"))
            + "\n第二章　组织实施\n" + "\n".join(arts[k] for k in ("第四条", "第五条", "第六条")) + "\n")
    return text, arts


def test_regulation_articles():
    text, arts = _regulation()
    title = "某市机关党建工作条例"
    assert 640 < len(arts["第四条"]) < 1200 and len(arts["第五条"]) > 1200
    chunks = split_document(text, title, target=320, max_chars=640, article_max=1200)
    check_invariants(text, chunks, max_len=1200)
    assert_only_headings_uncovered(text, chunks, title)

    # short articles of chapter one are packed together under the chapter path
    packed = [c for c in chunks if "第一条" in c.text]
    assert len(packed) == 1 and "第二条" in packed[0].text and "第三条" in packed[0].text
    assert packed[0].heading_path == [title, "第一章 总 则"]
    assert packed[0].text.startswith("第一章　总　则\n第一条")

    # items （一）（二） are article content, never headings
    assert not any(h.startswith("（") for c in chunks for h in c.heading_path)

    # an article longer than target but within article_max is never split
    art4 = [c for c in chunks if "第四条" in c.text]
    assert len(art4) == 1 and arts["第四条"] in art4[0].text
    assert art4[0].heading_path == [title, "第二章 组织实施", "第四条"]

    # an article longer than article_max is split into pieces <= max_chars on sentence ends
    art5 = [c for c in chunks if c.heading_path[-1] == "第五条"]
    assert len(art5) >= 2
    assert "".join(c.text for c in art5) == arts["第五条"].replace("\n", "")
    for c in art5:
        assert len(c.text) <= 640 and c.text.endswith("。")
        assert c.heading_path == [title, "第二章 组织实施", "第五条"]
    assert any("第六条" in c.text for c in chunks)


def _extract_law(tmp_path: Path, member: str) -> Path:
    if not LAW_TARBALL.is_file():
        pytest.skip("lawrefbook tarball not available")
    with tarfile.open(LAW_TARBALL, "r:gz") as tf:
        for m in tf:
            if m.name.lstrip("./") == member:
                tf.extract(m, tmp_path, filter="data")
                return tmp_path / m.name
    pytest.skip(f"{member} not in tarball")


def _articles(text: str) -> list[tuple[str, int, int]]:
    """(id, start, end) of every article: its 第X条 line up to the next article or '#' line."""
    lines, pos, starts = text.split("\n"), 0, []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    out, cur = [], None
    for line, s in zip(lines + ["#"], starts + [len(text) + 1]):
        m = ARTICLE_LINE.match(line)
        if (m or line.startswith("#")) and cur:
            body = text[cur[1]:s - 1].rstrip(WS)
            out.append((cur[0], cur[1], cur[1] + len(body)))
            cur = None
        if m:
            cur = (m.group(0), s)
    return out


def test_lawrefbook_articles_are_never_split(tmp_path):
    path = _extract_law(tmp_path, "诉讼与非诉讼程序法/行政诉讼法(2017-06-27).md")
    text = path.read_text(encoding="utf-8")
    title = "中华人民共和国行政诉讼法"
    chunks = split_document(text, title, target=320, max_chars=640, article_max=1200)
    check_invariants(text, chunks, max_len=1200 + 80)
    assert_only_headings_uncovered(text, chunks, title)
    arts = _articles(text)
    assert len(arts) > 100
    for art_id, s, e in arts:
        if e - s < 1200:
            assert any(c.start <= s and e <= c.end for c in chunks), art_id
    # chapter paths; a chunk holding one article names it
    one = [c for c in chunks if "第二十五条 行政行为的相对人" in c.text]
    assert len(one) == 1 and one[0].heading_path == [title, "第四章 诉讼参加人", "第二十五条"]
    assert one[0].text.startswith("## 第四章 诉讼参加人")  # the chapter heading opens its first chunk
    assert all(c.heading_path[0] == title for c in chunks)
    assert not any("INFO END" in h for c in chunks for h in c.heading_path)
    assert not any(c.text.startswith("# ") for c in chunks)  # the title line is not a passage


@pytest.mark.slow
def test_whole_law_corpus_fast_and_sound():
    if not LAW_TARBALL.is_file():
        pytest.skip("lawrefbook tarball not available")
    texts = []
    with tarfile.open(LAW_TARBALL, "r:gz") as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".md"):
                texts.append((Path(m.name).stem, tf.extractfile(m).read().decode("utf-8")))
    assert len(texts) > 3000
    t0 = time.perf_counter()
    results = [(t, split_document(t, name)) for name, t in texts]
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, elapsed
    for text, chunks in results:
        if not text.strip(WS):
            continue
        check_invariants(text, chunks, max_len=1200 + 200)
        for c in chunks:
            if len(c.text) > 640:  # only whole articles may exceed max_chars
                assert ARTICLE_LINE.fullmatch(c.heading_path[-1]) or ARTICLE_LINE.search(c.text), c.heading_path


# --- headings ------------------------------------------------------------------------

def test_detect_heading_levels():
    lv = {s: detect_heading(s) for s in ("一、总体要求", "（一）指导思想", "(二)基本原则", "1.坚持党的领导",
                                          "1．加强领导", "（1）细化措施", "第一编 总则", "第二章 管理", "第三节 监督",
                                          "## 第一章 总则", "“两项机制”的重大意义")}
    assert all(v is not None for v in lv.values()), lv
    assert lv["一、总体要求"] == (lv["一、总体要求"][0], "一、总体要求")
    assert lv["一、总体要求"][0] < lv["（一）指导思想"][0] == lv["(二)基本原则"][0] < lv["1.坚持党的领导"][0]
    assert lv["1.坚持党的领导"][0] == lv["1．加强领导"][0] < lv["（1）细化措施"][0]
    assert lv["第一编 总则"][0] < lv["第二章 管理"][0] < lv["第三节 监督"][0]
    assert lv["## 第一章 总则"] == (2, "第一章 总则")
    for s in ("2025年04月03日16:04", "来源:《机关党建研究》2025年第2期", "责任编辑 / 宋明晏",
              "第一条　为了规范工作，制定本条例。", "主要内容。“两项机制”的内容设置均聚焦突出矛盾。",
              "2.坚持改革创新。深化改革，激发活力，推动工作不断取得新成效。", "坚持党的领导，坚持人民至上。",
              "（1950年6月28日中央人民政府委员会第八次会议通过）", "", "   "):
        assert detect_heading(s) is None, s
    long_item = "1." + "加强组织领导，" * 10 + "确保落实"
    assert detect_heading(long_item) is None


def test_numbered_heading_nesting_and_unnumbered_headings():
    title = "关于加强某项工作的意见"
    body = "各单位要提高政治站位，加强组织领导，压实工作责任，确保各项任务落到实处、取得实效。" * 2
    text = "\n".join([
        title,
        "一、总体要求",
        "（一）指导思想",
        body,
        "（二）基本原则",
        body,
        "1.坚持统筹推进",
        body,
        "2.坚持改革创新。" + body,
        "二、主要任务",
        "主要任务包括以下方面：",
        "（一）加强组织建设",
        "（二）加强作风建设",
        body,
        "工作要求",
        body,
        "2025年04月03日16:04",
    ]) + "\n"
    chunks = split_document(text, title)
    check_invariants(text, chunks, max_len=640)
    assert_only_headings_uncovered(text, chunks, title)
    by_start = {c.text.split("\n")[0]: c.heading_path for c in chunks}
    assert by_start["一、总体要求"] == [title, "一、总体要求", "（一）指导思想"]
    assert by_start["（二）基本原则"] == [title, "一、总体要求", "（二）基本原则"]
    assert by_start["1.坚持统筹推进"] == [title, "一、总体要求", "（二）基本原则", "1.坚持统筹推进"]
    # a numbered item that is a paragraph is content; its lead phrase names its own passage
    item = next(c for c in chunks if c.text.startswith("2.坚持改革创新。"))
    assert item.heading_path == [title, "一、总体要求", "（二）基本原则", "2.坚持改革创新"]
    # list items after '：' are not headings
    task = next(c for c in chunks if "主要任务包括以下方面" in c.text)
    assert task.heading_path == [title, "二、主要任务"] and "（二）加强作风建设" in task.text
    # an unnumbered heading acts at the top body level
    req = next(c for c in chunks if c.text.startswith("工作要求"))
    assert req.heading_path == [title, "工作要求"]
    assert "2025年04月03日16:04" in chunks[-1].text  # dateline stays body text
    assert not any("2025年" in h for c in chunks for h in c.heading_path)
    assert not any(c.text.startswith(title) for c in chunks)  # the title line is not a section


def test_heading_line_without_body_joins_next_chunk():
    text = "一、总体要求\n（一）指导思想\n" + "坚持以人民为中心的发展思想，推动工作落实。" * 3
    chunks = split_document(text, "T")
    assert len(chunks) == 1
    assert chunks[0].start == 0 and chunks[0].heading_path == ["T", "一、总体要求", "（一）指导思想"]


def test_long_paragraph_split_on_sentence_ends():
    sent = "各级党组织要切实履行主体责任，把全面从严治党要求落实到各个环节。"
    text = "一、压实责任\n" + sent * 60 + "\n" + "短段落。\n"
    chunks = split_document(text, "T", target=320, max_chars=640)
    check_invariants(text, chunks, max_len=640)
    assert len(chunks) >= 4
    for c in chunks[:-1]:
        assert c.text.endswith("。")
        assert c.heading_path == ["T", "一、压实责任"]
    assert_only_headings_uncovered(text, chunks, "T")


def test_giant_single_line_is_hard_cut_fast():
    text = "字" * 200_000
    t0 = time.perf_counter()
    chunks = split_document(text, "T", max_chars=640)
    assert time.perf_counter() - t0 < 2.0
    check_invariants(text, chunks, max_len=640)
    assert sum(len(c.text) for c in chunks) == len(text)


def test_many_short_lines_and_blank_input():
    assert split_document("", "T") == []
    assert split_document(" \n\u3000\n", "T") == []
    text = "\n".join(f"第{i}组名单" for i in range(5000))
    t0 = time.perf_counter()
    chunks = split_document(text, "T")
    assert time.perf_counter() - t0 < 2.0
    check_invariants(text, chunks, max_len=640)
    assert not uncovered_lines(text, chunks)
