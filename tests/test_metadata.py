"""ingest.metadata: title / date / source / author / type from the text, manifest.csv parsing."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, SEEDS

from ingest.clean import clean_text
from ingest.metadata import MetaHints, extract_metadata, guess_doc_type, normalize_date, read_manifest


def _meta(key: str) -> MetaHints:
    path = CORPUS / SEEDS[key]
    raw = path.read_text(encoding="utf-8")
    return extract_metadata(raw, clean_text(raw).text, path)


def _meta_of(text: str, name: str = "某文件.txt", hint: str = "") -> MetaHints:
    return extract_metadata(text, clean_text(text).text, Path("/x") / name, hint)


# --- the sample corpus -------------------------------------------------------------------------


def test_seed_000():
    m = _meta("000")
    assert m.title == "守正创新 务实笃行 以高质量党建推动机关工作高质量发展"
    assert (m.date, m.date_text) == ("2025-04-03", "2025年04月03日")  # not the breadcrumb's '2025年第2期'
    assert m.source == "《机关党建研究》2025年第2期"
    assert m.author == "全国人大常委会机关党组"
    assert m.doc_type == "article"


def test_seed_001():
    m = _meta("001")
    assert (m.date, m.date_text) == ("2025-02-05", "2025年02月05日")
    assert m.source == "旗帜微平台"
    # no title is printed: never a body sentence or a section heading, the file stem instead
    assert m.title == Path(SEEDS["001"]).stem
    assert m.doc_type == "article"


def test_seed_002_has_nothing_printed():
    m = _meta("002")
    assert m.title == Path(SEEDS["002"]).stem
    assert m.date == "" and m.date_text == "" and m.author == ""


def test_seed_003():
    m = _meta("003")
    assert m.title == "铸魂增智正风促干 聚力建设“四个机关”"
    assert (m.date, m.date_text) == ("2023", "2023年第10期")
    assert m.author == "游金霞"
    assert m.source == "楚天主人杂志社"  # the site footer's '版权所有:' names the publisher


def test_seed_004():
    m = _meta("004")
    assert m.title == "建立“两项机制”推动全面从严治党向纵深发展"
    assert m.author == "吕和顺"
    assert m.date == ""  # '更新时间:2024/12/22 16:16:22' is a site timestamp, not the article's date
    assert m.doc_type == "article"


def test_metadata_read_from_raw_when_cleaning_dropped_it():
    raw = "2025年04月03日16:04 来源:旗帜网\n作者：文/张三 图/李四\n" + "正文段落，内容很长很长。" * 10
    m = extract_metadata(raw, "正文段落。", Path("a.txt"))
    assert (m.date, m.source, m.author) == ("2025-04-03", "旗帜网", "张三")


# --- title -------------------------------------------------------------------------------------


def test_title_precedence():
    body = "这是正文的第一段，比较长，用来说明某项工作的开展情况和下一步安排，共计六十多个字符，足够长了吧。"
    assert _meta_of(f"标题 标签里的标题\n{body}", hint="网页标题").title == "标签里的标题"
    assert _meta_of(f"小标题样子的行\n{body}", hint="网页标题").title == "网页标题"
    assert _meta_of(f"小标题样子的行\n2025-01-02\n{body}").title == "小标题样子的行"
    assert _meta_of(f"{body}\n一、第一部分\n{body}", name="文件名.txt").title == "文件名"
    # datelines, sources, numbered headings, clutter and sentences are not titles
    t = f"当前位置：首页 > 新闻\n2025年1月2日\n来源：某某日报\n一、总体要求\n{body}"
    assert _meta_of(t, name="stem.txt").title == "stem"
    assert _meta_of("会议强调，要抓好落实。\n" + body, name="s.txt").title == "s"


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("head, iso, printed", [
    ("2025年04月03日16:04", "2025-04-03", "2025年04月03日"),
    ("发布时间：2024/12/22 10:00", "2024-12-22", "2024/12/22"),
    ("2024-1-5", "2024-01-05", "2024-1-5"),
    ("2023年第10期 —— 本期焦点", "2023", "2023年第10期"),
    ("二〇二五年四月三十日", "2025-04-30", "二〇二五年四月三十日"),
    ("《某杂志》2024年3月", "2024-03", "2024年3月"),
])
def test_dates(head, iso, printed):
    body = "正文。" * 30
    m = _meta_of(f"某某标题\n{head}\n{body}")
    assert (m.date, m.date_text) == (iso, printed)


def test_date_prefers_full_date_and_head_and_ignores_site_times():
    body = "正文内容，二〇一九年以来开展了工作。" * 5
    m = _meta_of(f"更新时间:2024/12/22 16:16:22\n某标题\n2023年第10期\n2023年10月8日\n{body}\n2020年1月1日")
    assert m.date == "2023-10-08"
    m = _meta_of(f"某某办法\n{body}\n某某委员会\n2021年6月30日\n更新时间：2024-12-22")
    assert (m.date, m.date_text) == ("2021-06-30", "2021年6月30日")  # the signature date at the end
    assert _meta_of(f"{body}\n文中提到2024年7月31日召开会议，会议很重要，大家都参加了，还有很多其他内容需要写进来凑够字数。").date == ""


@pytest.mark.parametrize("value, iso", [
    ("2025-04-03", "2025-04-03"), ("2025/4/3", "2025-04-03"), ("2025年4月3日", "2025-04-03"),
    ("2025.04", "2025-04"), ("2025", "2025"), ("2025-13-01", ""), ("不详", ""), ("", ""),
])
def test_normalize_date(value, iso):
    assert normalize_date(value) == iso


# --- source and author -------------------------------------------------------------------------


@pytest.mark.parametrize("line, source, author", [
    ("2025年02月05日16:44 来源:旗帜微平台", "旗帜微平台", ""),
    ("来源：《机关党建研究》2025年第2期", "《机关党建研究》2025年第2期", ""),
    ("作者:文/游金霞 图/本刊资料", "", "游金霞"),
    ("（作者：吕和顺，中共北京市直机关工委常务副书记）", "", "吕和顺"),
    ("文/王小五", "", "王小五"),
    ("来源：人民网 作者：李四 编辑：王五", "人民网", "李四"),
    ("（来源：青海日报）", "青海日报", ""),
])
def test_source_and_author(line, source, author):
    m = _meta_of(f"标题行\n{line}\n" + "正文内容。" * 20)
    assert (m.source, m.author) == (source, author)


def test_source_label_on_its_own_line():
    m = _meta_of("某标题\n来源：\n四川日报\n【字体：\n大\n" + "正文内容。" * 20)
    assert m.source == "四川日报"


def test_body_mentions_are_not_metadata():
    m = _meta_of("某标题\n" + "经费来源：各单位自筹，作者为课题组成员，均须按期完成。" * 3)
    assert m.source == "" and m.author == ""


# --- document type -----------------------------------------------------------------------------


@pytest.mark.parametrize("title, text, expected", [
    ("中国共产党纪律处分条例", "", "regulation"),
    ("市直机关工委与各单位党组（党委）沟通联系暂行办法", "", "regulation"),
    ("某某管理办法（试行）", "", "regulation"),
    ("关于加强新时代机关党建工作的意见", "", "regulation"),
    ("中华人民共和国网络安全法", "", "regulation"),
    ("联席会议制度", "第一条 为了……\n第二条 联席会议……\n第三条 ……", "regulation"),
    ("完善党内法规制度", "党内法规制度建设取得了新进展。", "article"),
    ("做好机关党建工作的几点方法", "", "article"),
    ("在全市机关党建工作会议上的讲话", "", "speech"),
    ("在庆祝大会上的致辞", "", "speech"),
    ("2026年政府工作报告", "", "work_report"),
    ("全国人民代表大会常务委员会工作报告", "", "work_report"),
    ("建立“两项机制”推动全面从严治党向纵深发展", "", "article"),
    ("untitled", "同志们：\n今天我们召开这次会议……", "speech"),
    ("untitled", "各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议。", "work_report"),
])
def test_guess_doc_type(title, text, expected):
    assert guess_doc_type(title, text) == expected


def test_doc_type_in_extract():
    text = "某某单位档案管理办法\n第一条 为了规范档案管理，制定本办法。\n第二条 本办法适用于全体职工。"
    assert _meta_of(text).doc_type == "regulation"


# --- manifest ----------------------------------------------------------------------------------


def test_sample_manifest_covers_the_corpus():
    man = read_manifest(CORPUS)
    files = {p.name for p in CORPUS.glob("*.txt")}
    assert set(man) == files == set(SEEDS.values())
    for name, rec in man.items():
        assert rec["title"] and rec["date"] and rec["source"] and rec["type"] == "article", name
        assert normalize_date(rec["date"]) == rec["date"]
    two = man[SEEDS["004"]]
    assert two["title"] == "建立“两项机制”推动全面从严治党向纵深发展" and two["author"] == "吕和顺"
    assert man[SEEDS["000"]]["date"] == "2025-04-03"


def test_manifest_parsing(tmp_path):
    (tmp_path / "manifest.csv").write_bytes(
        "\ufefffile,title,date,source,author,type\n"
        "a.txt,甲文件,2025/4/3,某某日报,张三,讲话\n"
        "sub/b.docx, 乙 文件 ,,,,regulation\n"
        "c.pdf,,not-a-date,,,unknown-type\n"
        ",无文件名,2025,,,\n"
        "\n".encode("utf-8"))
    man = read_manifest(tmp_path)
    assert man == {
        "a.txt": {"title": "甲文件", "date": "2025-04-03", "source": "某某日报", "author": "张三", "type": "speech"},
        "b.docx": {"title": "乙 文件", "type": "regulation"},
        "c.pdf": {},
    }


def test_manifest_gbk_and_chinese_header(tmp_path):
    (tmp_path / "manifest.csv").write_bytes("文件名,标题,日期,来源,作者,类型\nx.txt,某某条例,2024年5月,人大,,法规\n".encode("gbk"))
    assert read_manifest(tmp_path) == {"x.txt": {"title": "某某条例", "date": "2024-05", "source": "人大",
                                                  "type": "regulation"}}


def test_manifest_missing_or_unusable(tmp_path):
    assert read_manifest(tmp_path) == {}
    (tmp_path / "manifest.csv").write_text("name,title\na.txt,x\n", encoding="utf-8")
    assert read_manifest(tmp_path) == {}  # no 'file' column
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "manifest.csv").write_text("file,title\na.txt,x\n", encoding="utf-8")
    assert read_manifest(sub) == {}  # only the file's own folder counts
