"""Revisions: header parsing over the whole law corpus, 现行/已被修订, and answers from the text in force
(real ingest, real Qdrant engine, real e5; no model)."""
from __future__ import annotations

import re
import shutil
import tarfile

import pytest
from conftest import ROOT, SHARED, ingest_store

from ingest.revisions import parse_revisions, work_title
from policyqa.types import DocumentMeta, SearchFilter
from policyqa.versions import assign_status, in_force_ids, superseded_ids

LAWREFBOOK = SHARED / "corpora" / "lawrefbook.tar.gz"
LAWS = ROOT / "data" / "starter" / "laws"
REPORTS = ROOT / "data" / "starter" / "reports"
needs_corpus = pytest.mark.skipif(not LAWREFBOOK.is_file(), reason="../shared/corpora/lawrefbook.tar.gz 不在")


def _corpus_files():
    with tarfile.open(LAWREFBOOK) as tar:
        for m in tar:
            if m.isfile() and m.name.endswith(".md") and not m.name.endswith("_index.md"):
                f = tar.extractfile(m)
                if f is not None:
                    yield m.name, f.read().decode("utf-8", "replace")


def _header(text: str) -> str:
    end = text.find("<!-- INFO END -->")
    return text[:end] if end >= 0 else text[:800]


@needs_corpus
def test_revision_dates_over_the_whole_law_corpus():
    n = later = 0
    stale_names = []
    for name, text in _corpus_files():
        n += 1
        info = parse_revisions(text)
        head = _header(text)
        if re.search(r"\d{4}年\d{1,2}月\d{1,2}日[^\n]*(?:修订|修正)", head):
            # A revision printed in the header: the text is dated by its latest revision, never its first adoption.
            assert info.date, name
            acts = [e.date for e in info.events if e.kind in ("修订", "修正")]
            assert info.date >= max(acts), name
            assert info.version.endswith(("修订", "修正", "批准", "通过", "公布", "发布")), name
        m = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", name)
        if m and info.date > m.group(1):
            later += 1
            # Only where the header itself prints an act after the file name's date (stale file names of the
            # corpus: "浙江省防震减灾条例(2017-11-30).md" carries the 2021 修正 in its header).
            assert any(e.date > m.group(1) and e.date in info.date for e in info.events), name
            stale_names.append(name)
    assert n >= 3400
    # Measured 2026-11-29: 36 files whose names predate their own header (22 local regulations, 14 one-day
    # shifts between 通过 and 发布 in 1980s–90s State Council regulations).
    assert later <= 40, stale_names


@needs_corpus
def test_known_laws_dated_by_their_revision():
    texts = {name.rsplit("/", 1)[-1]: text for name, text in _corpus_files()
             if re.search(r"/(?:监察法|公务员法|公司法|行政机关公务员处分条例)\(", name)}
    old, new = parse_revisions(texts["监察法(2018-03-20).md"]), parse_revisions(texts["监察法(2024-12-25).md"])
    assert (old.date, old.version) == ("2018-03-20", "2018年3月20日通过")
    assert (new.date, new.version, new.first_date) == ("2024-12-25", "2024年12月25日修正", "2018-03-20")
    assert new.issuer == "全国人民代表大会常务委员会"
    civil = parse_revisions(texts["公务员法(2018-12-29).md"])
    assert (civil.date, civil.version, civil.first_date) == ("2018-12-29", "2018年12月29日修订", "2005-04-27")
    assert civil.history == ["2005-04-27 通过", "2017-09-01 修正", "2018-12-29 修订"]
    for fname in ("公司法(2018-10-26).md", "公司法(2023-12-29).md"):
        assert parse_revisions(texts[fname]).date == fname[4:14]
    rule = parse_revisions(texts["行政机关公务员处分条例(2007-04-22).md"])
    assert (rule.date, rule.issuer, rule.doc_number) == ("2007-04-22", "国务院", "国务院令第495号")


def test_party_regulation_header_and_work_titles():
    text = ("中国共产党纪律处分条例\n（2003年12月31日中共中央发布　2015年10月12日中共中央第一次修订　"
            "2018年8月18日中共中央第二次修订　2023年12月8日中共中央政治局会议审议批准　2023年12月19日中共中央发布）\n"
            "第一编 总则\n第一章 指导思想、原则和适用范围\n")
    info = parse_revisions(text)
    assert info.date == "2023-12-19" and info.first_date == "2003-12-31" and info.issuer == "中共中央"
    assert info.revised and len(info.events) == 5
    assert work_title("中华人民共和国监察法") == work_title("", "监察法(2024-12-25).md") == "监察法"
    assert work_title("中国共产党纪律处分条例（2023年修订）") == "纪律处分条例"
    assert work_title("党政机关厉行节约反对浪费条例（试行）") == "党政机关厉行节约反对浪费条例"
    assert parse_revisions("两项机制\n作者：某某\n建立两项机制推动全面从严治党。").date == ""


def _meta(doc_id: str, work: str, date: str, status: str = "current") -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title=work, path=doc_id, content_hash="h", date=date, work=work,
                        doc_type="regulation", status=status)


def test_status_over_revisions_and_as_of():
    docs = [_meta("a18", "监察法", "2018-03-20"), _meta("a24", "监察法", "2024-12-25"),
            _meta("c", "公务员法", "2018-12-29"), _meta("r", "旧条例", "2001-01-01", status="repealed"),
            DocumentMeta(doc_id="art", title="文章", path="art", content_hash="h")]
    changed = {d.doc_id: d for d in assign_status(docs)}
    assert set(changed) == {"a18"}
    assert (changed["a18"].status, changed["a18"].superseded_by, changed["a18"].superseded_on) == \
        ("superseded", "a24", "2024-12-25")
    docs = [changed.get(d.doc_id, d) for d in docs]
    assert assign_status(docs) == []  # stable
    assert superseded_ids(docs) == {"a18", "r"}
    keep, drop = in_force_ids(docs, "2020-01-01")
    assert (keep, drop) == ({"a18", "c"}, {"a24", "r"})  # a repealed text is never in force
    keep, drop = in_force_ids(docs, "2010-01-01")
    assert (keep, drop) == (set(), {"a18", "a24", "c", "r"})  # none of them existed yet


# -- the real engine over real revisions --------------------------------------------------------------

@pytest.fixture(scope="module")
def versioned(tmp_path_factory, ingested):
    """监察法 2018 + 2024, 公务员法 and the 广东 / 山西 reports (same growth-target wording) in one store."""
    if not (LAWS / "监察法(2024-12-25).md").is_file():
        pytest.skip("data/starter 不在")
    from policyqa.runtime import open_resources

    settings0, _ = ingested
    src = tmp_path_factory.mktemp("versioned-src")
    for name in ("监察法(2018-03-20).md", "监察法(2024-12-25).md", "公务员法(2018-12-29).md"):
        shutil.copy(LAWS / name, src / name)
    reports = src / "reports"
    reports.mkdir()
    for name in ("2026_广东省_政府工作报告.txt", "2026_山西省_政府工作报告.txt"):
        shutil.copy(REPORTS / name, reports / name)
    shutil.copy(REPORTS / "manifest.csv", reports / "manifest.csv")
    settings, _ = ingest_store(tmp_path_factory.mktemp("versioned-home"), [src], settings0.home_path)
    res = open_resources(settings)
    yield res, res.store.list_docs()
    res.close()


def test_listing_marks_the_older_revision(versioned):
    _res, docs = versioned
    jc = sorted((d for d in docs if d.work == "监察法"), key=lambda d: d.date)
    assert [(d.date, d.version, d.status) for d in jc] == [
        ("2018-03-20", "2018年3月20日通过", "superseded"), ("2024-12-25", "2024年12月25日修正", "current")]
    assert jc[0].superseded_by == jc[1].doc_id
    civil = next(d for d in docs if d.work == "公务员法")
    assert civil.date == "2018-12-29" and civil.status == "current"


def _engine(res):
    from assistant.engine import AnswerEngine

    return AnswerEngine(res, backend="none")


def test_current_text_by_default(versioned):
    res, docs = versioned
    old = next(d for d in docs if d.work == "监察法" and d.status == "superseded")
    for q in ("监察机关可以采取哪些措施让被调查人到案？", "留置时间最长不得超过多久？", "监察委员会对哪些人员进行监察？"):
        a = _engine(res).ask(q)
        assert a.answerable, q
        # The replaced text appears only in a difference line, never as the answer's source.
        first = [c for c in a.citations if c.passage.doc_id == old.doc_id]
        assert all("修订前" in a.answer for _ in first), (q, a.answer)
        assert all(c.passage.version for c in a.citations)


def test_revision_asked_for_by_wording_or_date(versioned):
    res, docs = versioned
    old = next(d for d in docs if d.work == "监察法" and d.status == "superseded")
    eng = _engine(res)
    for q, flt in (("2018年版监察法规定的留置时间最长是多久？", None), ("修订前的监察法规定留置时间最长多久？", None),
                   ("留置时间最长多久？", SearchFilter(as_of="2020-01-01"))):
        a = eng.ask(q, flt=flt)
        assert a.answerable, q
        assert {c.passage.doc_id for c in a.citations} == {old.doc_id}, (q, a.answer)
        assert "三个月" in a.answer
        assert any("2018年3月20日通过" in n for n in a.notices), a.notices


def test_difference_line_when_revisions_word_it_differently(versioned):
    res, docs = versioned
    old = next(d for d in docs if d.work == "监察法" and d.status == "superseded")
    a = _engine(res).ask("采取留置措施后多长时间内要通知家属？")
    assert a.answerable and "二十四小时" in a.answer
    line = next(s for s in a.answer.split("\n") if s.startswith("修订前"))
    assert "2018年3月20日通过" in line
    m = re.search(r"\[(\d+)\]$", line)
    assert m is not None
    cited = next(c for c in a.citations if c.n == int(m.group(1)))
    assert cited.passage.doc_id == old.doc_id


def test_named_province_answers_from_its_report(versioned):
    res, docs = versioned
    gd = next(d for d in docs if "广东" in d.title)
    eng = _engine(res)
    for q in ("广东今年地区生产总值增长的预期目标是多少？", "广东省2026年经济增长目标定的是多少？",
              "What is Guangdong's GDP growth target for 2026?"):
        a = eng.ask(q)
        assert a.answerable, q
        assert {c.passage.doc_id for c in a.citations} == {gd.doc_id}, (q, a.answer)
    # A province the library has no report of: refused, never another province's figure.
    a = eng.ask("贵州省2026年地区生产总值增长目标是多少？")
    assert not a.answerable, a.answer
    assert "贵州" in " ".join(a.notices) + a.answer


def test_what_changed_is_answered_from_the_comparison(versioned):
    res, docs = versioned
    new = next(d for d in docs if d.work == "监察法" and d.status == "current")
    eng = _engine(res)
    for q in ("2024年修改监察法增加了哪些内容？", "监察法修订后新增了哪些规定？",
              "What did the 2024 amendment to the Supervision Law add?"):
        a = eng.ask(q)
        assert a.answerable, q
        for measure in ("强制", "责令候查", "管护"):
            assert measure in a.answer, (q, measure)
        assert a.citations and {c.passage.doc_id for c in a.citations} == {new.doc_id}
        # Each listed change cites the stored passage holding that article.
        for c in a.citations:
            label = re.search(rf"新增(第[一二三四五六七八九十百]+条)[^\n]*\[{c.n}\]", a.answer)
            assert label is not None and label.group(1) in c.passage.text, (q, c.n)
    a = eng.ask("监察法修改后删除了哪些条文？")
    assert a.answerable and "没有删除的条文" in a.answer and "删除 0 条" in a.answer


def test_named_issuer_narrows_to_its_documents():
    from assistant.scope import resolve_scope

    docs = [_meta("rule", "行政机关公务员处分条例", "2007-04-22"), _meta("law", "公务员法", "2018-12-29"),
            DocumentMeta(doc_id="gd", title="2026年广东省政府工作报告", path="gd", content_hash="h",
                         source="广东省人民政府", doc_type="work_report")]
    docs[0].issuer, docs[1].issuer = "国务院", "全国人民代表大会常务委员会"
    flt = resolve_scope("国务院制定的处分规定中降级的期间是多久？", docs).flt
    assert flt is not None and flt.doc_ids == ["rule"]
    flt = resolve_scope("全国人大常委会通过的法律对公务员辞职有什么规定？", docs).flt
    assert flt is not None and flt.doc_ids == ["law"]
    # 国务院 as a subject of the text, not as the issuer asked about: no narrowing.
    assert not (resolve_scope("国务院部署了哪些任务？", docs).flt or SearchFilter()).doc_ids
    # Provinces: full, short and English names; a place inside another word is not the place.
    from assistant.scope import named_places

    assert [s for _f, s in named_places("广东和浙江省的目标，以及 Inner Mongolia")] == ["广东", "浙江", "内蒙古"]
    assert named_places("浙江西部山区") == [("浙江省", "浙江")]
