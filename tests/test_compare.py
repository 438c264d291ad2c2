"""新旧对照: article alignment of two revisions (监察法 2018/2024, 公司法 2018/2023), exports, CLI, app view.

The laws come from ../shared/corpora/lawrefbook.tar.gz; without it these tests skip.
"""
from __future__ import annotations

import json
import re
import tarfile
import time
from pathlib import Path

import pytest
from conftest import SHARED, make_settings

from assistant.compare import (
    ArticlePair,
    CompareError,
    Comparison,
    Revision,
    change_items,
    changes_answer,
    char_diff,
    compare_texts,
    parse_articles,
    pick_revisions,
    resolve_work,
    revision_of,
    work_key,
)
from assistant.compare_export import comparison_docx, comparison_markdown, comparison_text, table_rows
from policyqa.types import DocumentMeta

TARBALL = SHARED / "corpora" / "lawrefbook.tar.gz"
JCF_OLD, JCF_NEW = "宪法相关法/监察法(2018-03-20).md", "宪法相关法/监察法(2024-12-25).md"
GSF_OLD, GSF_NEW = "民法商法/公司法(2018-10-26).md", "民法商法/公司法(2023-12-29).md"


@pytest.fixture(scope="module")
def laws(tmp_path_factory) -> dict[str, Path]:
    """The four law files extracted from the shared tarball (skips without it)."""
    if not TARBALL.is_file():
        pytest.skip("../shared/corpora/lawrefbook.tar.gz not present (the lawrefbook corpus is needed)")
    out = tmp_path_factory.mktemp("lawsrc")
    want = {JCF_OLD, JCF_NEW, GSF_OLD, GSF_NEW}
    found: dict[str, Path] = {}
    with tarfile.open(TARBALL, "r:gz") as tf:
        for m in tf:
            name = m.name.removeprefix("./")
            if name in want:
                m.name = name.rsplit("/", 1)[-1]
                tf.extract(m, out, filter="data")
                found[name] = out / m.name
    missing = want - set(found)
    if missing:
        pytest.skip(f"not in the tarball: {sorted(missing)}")
    return found


@pytest.fixture(scope="module")
def jcf(laws) -> Comparison:
    old = Revision(doc_id="old", title="中华人民共和国监察法", work="监察法", date="2018-03-20", version="2018年3月20日通过")
    new = Revision(doc_id="new", title="中华人民共和国监察法", work="监察法", date="2024-12-25", version="2024年12月25日修正")
    return compare_texts(laws[JCF_OLD].read_text(encoding="utf-8"), laws[JCF_NEW].read_text(encoding="utf-8"),
                         old, new, work="监察法")


def _by_new(c: Comparison, label: str) -> ArticlePair:
    return next(p for p in c.pairs if any(a.label == label for a in p.new))


def _by_old(c: Comparison, label: str) -> ArticlePair:
    return next(p for p in c.pairs if any(a.label == label for a in p.old))


def _rebuild(segments, side: str) -> str:
    drop = "insert" if side == "old" else "delete"
    return "".join(s.text for s in segments if s.op != drop)


# -- parsing ---------------------------------------------------------------------------------------

def test_parse_articles_of_the_law_files(laws):
    old = parse_articles(laws[JCF_OLD].read_text(encoding="utf-8"))
    new = parse_articles(laws[JCF_NEW].read_text(encoding="utf-8"))
    assert len(old) == 69 and len(new) == 78
    assert [a.number for a in new] == list(range(1, 79))
    assert new[0].label == "第一条" and new[0].chapter == "第一章 总则"  # "总 则" and "总则" read the same
    assert new[-1].label == "第七十八条" and new[-1].chapter == "第九章 附则"
    art4 = new[3]
    assert art4.text.count("\n") == 2 and art4.body.startswith("监察委员会依照法律规定独立行使监察权")
    assert all("INFO END" not in a.text and "##" not in a.text for a in new)


def test_parse_articles_ignores_references_and_reads_sections():
    text = ("# 某某条例\n\n2020年1月1日 通过\n\n## 第一章 总则\n\n### 第一节 一般规定\n\n第一条 为了测试，制定本条例。\n\n"
            "第二条规定的事项，另行规定。\n\n第十条之一 本条是插入的条文。\n\n## 第二章 附则\n\n第二十一条 本条例自公布之日起施行。\n")
    arts = parse_articles(text)
    assert [a.label for a in arts] == ["第一条", "第十条之一", "第二十一条"]
    assert arts[0].text == "第一条 为了测试，制定本条例。\n第二条规定的事项，另行规定。"  # a reference is not an article
    assert arts[0].chapter == "第一章 总则 › 第一节 一般规定"
    assert arts[1].number == 10 and arts[2].number == 21 and arts[2].chapter == "第二章 附则"
    assert text[arts[2].start:arts[2].end] == arts[2].text


# -- alignment -------------------------------------------------------------------------------------

def test_new_coercive_measures_are_new_articles(jcf):
    added = {a.label: a.body for p in jcf.rows("新增") for a in p.new}
    for label, word in (("第二十一条", "强制涉嫌严重职务违法或者职务犯罪的被调查人到案"), ("第二十三条", "责令候查措施"),
                        ("第二十五条", "可以进行管护"), ("第四十六条", "采取强制到案、责令候查或者管护措施")):
        assert label in added and word in added[label], (label, added.get(label))
    assert set(added) == {"第二十一条", "第二十三条", "第二十五条", "第四十六条", "第五十一条", "第六十二条", "第六十四条"}


def test_renumbered_identical_article_is_unchanged(jcf):
    p = _by_old(jcf, "第四十二条")  # 调查人员应当严格执行调查方案……
    assert p.kind == "未修改" and p.new_label == "第四十五条" and p.renumbered
    assert "条文序号变化：第四十二条 → 第四十五条" in p.note
    # Only ":" → "：" changed: half- and full-width punctuation are the same text.
    q = _by_old(jcf, "第二十二条")
    assert q.kind == "未修改" and q.new_label == "第二十四条"
    assert jcf.n_renumbered == sum(1 for p in jcf.rows("未修改") if p.old_label != p.new_label)


def test_edited_article_has_a_character_diff(jcf):
    p = _by_old(jcf, "第四十一条")
    assert p.kind == "修改" and p.new_label == "第四十四条"
    assert p.inserted == ["、强制到案、责令候查、管护"] and p.deleted == []
    assert _rebuild(p.segments, "old") == p.old[0].body and _rebuild(p.segments, "new") == p.new[0].body
    p = _by_new(jcf, "第五十条")  # 原第四十四条: 管护 added, words reordered
    assert p.old_label == "第四十四条" and "伪造、隐匿、毁灭证据" in "".join(p.inserted)
    assert "毁灭、伪造证据" in "".join(p.deleted)


def test_split_article_is_one_row(jcf):
    p = _by_old(jcf, "第四十三条")
    assert p.kind == "修改" and p.new_label == "第四十七条、第四十八条、第四十九条"
    assert "拆分" in p.note
    assert any("责令候查" in x for x in p.inserted)


def test_counts_are_consistent(jcf):
    c = jcf
    assert (c.n_added, c.n_deleted, c.n_modified, c.n_unchanged, c.n_renumbered) == (7, 0, 17, 54, 40)
    assert c.n_added + c.n_modified + c.n_unchanged == c.n_new_articles == 78
    assert c.n_deleted + sum(len(p.old) for p in c.rows("修改")) + c.n_unchanged == c.n_old_articles == 69
    new_labels = [a.label for p in c.pairs for a in p.new]
    assert new_labels == [f"第{x}条" for x in _cn_range(78)]  # every new article once, in order
    old_labels = sorted(a.number for p in c.pairs for a in p.old)
    assert old_labels == list(range(1, 70))
    assert c.summary() == ("监察法：2018年3月20日通过 → 2024年12月25日修正，新增 7 条，删除 0 条，修改 17 条，"
                           "未修改 54 条（其中序号变化 40 条）")


def _cn_range(n: int) -> list[str]:
    digits = "零一二三四五六七八九"
    out = []
    for i in range(1, n + 1):
        tens, ones = divmod(i, 10)
        out.append(("" if tens == 0 else ("" if tens == 1 else digits[tens]) + "十") + (digits[ones] if ones else ""))
    return out


def test_company_law_counts_and_speed(laws):
    t0 = time.perf_counter()
    c = compare_texts(laws[GSF_OLD].read_text(encoding="utf-8"), laws[GSF_NEW].read_text(encoding="utf-8"))
    elapsed = time.perf_counter() - t0
    assert (c.n_old_articles, c.n_new_articles) == (218, 266)
    assert c.n_added + c.n_modified + c.n_unchanged == 266
    assert c.n_deleted + sum(len(p.old) for p in c.rows("修改")) + c.n_unchanged == 218
    assert (c.n_added, c.n_deleted, c.n_modified, c.n_unchanged) == (87, 41, 150, 29)
    assert elapsed < 10, elapsed
    # 国有独资公司 moved to the new chapter on 国家出资公司: paired although out of order
    p = _by_old(c, "第六十六条")
    assert p.new_label == "第一百七十二条" and p.moved and "位置调整" in p.note


def test_char_diff_round_trips_and_keeps_words_whole():
    old, new = "为了深化国家监察体制改革，加强监督:", "为了深入开展廉政建设和反腐败工作，加强监督："
    segs = char_diff(old, new)
    assert _rebuild(segs, "old") == old.replace(":", "：")  # equal text is shown as printed in the new text
    assert _rebuild(segs, "new") == new
    assert [s.op for s in segs] == ["equal", "delete", "insert", "equal"]
    assert segs[1].text == "深化国家监察体制改革"  # not "化国家…" with 深 kept


# -- answering -------------------------------------------------------------------------------------

def test_changes_answer_cites_articles(jcf):
    lines = changes_answer(jcf, "新增")
    assert lines[0].startswith("监察法：2018年3月20日通过 → 2024年12月25日修正")
    assert len(lines) == 1 + 7
    joined = "\n".join(lines)
    for word in ("强制", "责令候查", "管护"):
        assert word in joined
    assert all(ln.endswith("条〕") and "《中华人民共和国监察法》（2024年12月25日修正）第" in ln for ln in lines[1:])
    assert lines[1].startswith("新增第二十一条：")
    more = change_items(jcf, "增加")
    assert any(it.kind == "修改" and "强制到案、责令候查、管护" in it.text and it.article.label == "第四十四条"
               for it in more)
    renum = changes_answer(jcf, "序号变化", limit=3)
    assert renum[1] == "原第二十一条改为第二十二条，内容未变〔《中华人民共和国监察法》（2024年12月25日修正）第二十二条〕"
    assert renum[-1].startswith("（另有 37 处")
    assert changes_answer(jcf, "删除")[1] == "两个版本之间没有“删除”的条文。"


# -- exports ---------------------------------------------------------------------------------------

def test_markdown_export(jcf, laws):
    md = comparison_markdown(jcf)
    assert md.startswith("# 《中华人民共和国监察法》新旧对照表")
    assert "| 修订前 | 修订后 |" in md
    lines = md.splitlines()
    row = next(ln for ln in lines if ln.startswith("| 第四十一条"))
    assert row.count(" | ") == 1 and "第四十四条　调查人员采取讯问、询问**\u200b、强制到案、责令候查、管护**、留置" in row
    assert "|   | **第二十一条　监察机关根据案件情况" in md  # a new article: left empty, all of it bold
    assert "保障~~当事人~~的合法权益" in md
    assert "| *（第四十二条，内容未修改）* | *（第四十五条，条文序号调整）* |" in md
    full = comparison_markdown(jcf, include_unchanged=True)
    assert "内容未修改）" not in full and len(full.splitlines()) > len(lines)
    text = comparison_text(jcf)
    assert "【新增】第二十一条" in text and "[+、强制到案、责令候查、管护+]" in text
    # Rendered as GFM (markdown-it, as Gradio does): one table, every mark opens and closes.
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    gsf = compare_texts(laws[GSF_OLD].read_text(encoding="utf-8"), laws[GSF_NEW].read_text(encoding="utf-8"))
    for doc in (md, comparison_markdown(gsf)):
        html = renderer.render(doc)
        assert html.count("<table>") == 1 and html.count("<strong>") > 50 and html.count("<s>") > 10
        plain = re.sub(r"<[^>]+>", "", html)
        assert "**" not in plain and "~~" not in plain


def test_docx_export_reads_back(jcf, tmp_path):
    from docx import Document as Docx

    path = comparison_docx(jcf, tmp_path / "对照表")
    assert path.suffix == ".docx" and path.is_file()
    doc = Docx(str(path))
    sec = doc.sections[0]
    assert abs(sec.page_width.mm - 210) < 1 and abs(sec.page_height.mm - 297) < 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["修订前", "修订后"]
    rows = [[c.text for c in r.cells] for r in table.rows]
    added = next(r for r in rows if r[1].startswith("第二十一条"))
    assert added[0] == ""
    edited = next(r for r in table.rows if r.cells[0].text.startswith("第四十一条"))
    assert edited.cells[1].text.startswith("第四十四条")
    runs = [run for p in edited.cells[1].paragraphs for run in p.runs]
    ins = [r for r in runs if r.bold and r.underline]
    assert any("强制到案" in r.text for r in ins)
    old_runs = [run for p in _by_old_cell(table, "第四十四条").paragraphs for run in p.runs]
    assert any(r.font.strike and "毁灭、伪造" in r.text for r in old_runs)
    assert len(table.rows) == 1 + len(table_rows(jcf))


def _by_old_cell(table, label: str):
    return next(r.cells[0] for r in table.rows if r.cells[0].text.startswith(label))


# -- revisions in the library (no store) ------------------------------------------------------------------

def _meta(doc_id: str, title: str, **kw) -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title=title, path=kw.pop("path", f"/x/{doc_id}.md"), content_hash="h", **kw)


def test_work_key_falls_back_to_the_title():
    assert work_key(_meta("a", "中华人民共和国监察法")) == "监察法"
    assert work_key(_meta("a", "中华人民共和国公司法（2023年修订）")) == "公司法"
    assert work_key(_meta("a", "中国共产党纪律处分条例（试行）")) == "纪律处分条例"
    assert work_key(_meta("a", "中华人民共和国监察法", work="监察法（编）")) == "监察法（编）"  # ingest's work wins


def test_revision_of_reads_the_header_until_ingest_fills_version(laws):
    text = laws[JCF_NEW].read_text(encoding="utf-8")
    r = revision_of(_meta("n", "中华人民共和国监察法", date="2018-03-20"), text)
    assert (r.date, r.version, r.work) == ("2024-12-25", "2024年12月25日修正", "监察法")
    r = revision_of(_meta("o", "中华人民共和国监察法", date="2018-03-20"), laws[JCF_OLD].read_text(encoding="utf-8"))
    assert (r.date, r.version) == ("2018-03-20", "2018年3月20日通过")
    gsf = revision_of(_meta("g", "中华人民共和国公司法"), laws[GSF_NEW].read_text(encoding="utf-8"))
    assert (gsf.date, gsf.version) == ("2023-12-29", "2023年12月29日修订")
    filled = revision_of(_meta("n", "中华人民共和国监察法", date="2024-12-25", version="2024年12月25日修正"), "")
    assert (filled.date, filled.version) == ("2024-12-25", "2024年12月25日修正")
    by_name = revision_of(_meta("p", "中华人民共和国监察法", path="/x/监察法(2024-12-25).txt"), "无日期的正文")
    assert by_name.date == "2024-12-25"


def test_resolve_and_pick_revisions():
    docs = [_meta("d1", "中华人民共和国监察法"), _meta("d2", "中华人民共和国监察法"), _meta("d3", "中华人民共和国监察官法"),
            _meta("d4", "中华人民共和国公司法")]
    assert resolve_work(docs, "监察法")[0] == "监察法"
    assert [d.doc_id for d in resolve_work(docs, "d3")[1]] == ["d3"]
    assert resolve_work(docs, "《中华人民共和国监察法》")[0] == "监察法"
    assert resolve_work(docs, "监察")[0] == "监察法"  # the fragment names two works, one of them has revisions
    with pytest.raises(CompareError, match="没有找到"):
        resolve_work(docs, "刑法")
    revs = [Revision("a", "t", "监察法", "2018-03-20", "2018年3月20日通过"),
            Revision("b", "t", "监察法", "2024-12-25", "2024年12月25日修正"),
            Revision("c", "t", "监察法", "2021-06-01", "2021年6月1日修正")]
    revs.sort(key=lambda r: r.date)
    assert [r.doc_id for r in pick_revisions(revs)] == ["c", "b"]
    assert [r.doc_id for r in pick_revisions(revs, "2018", "2024")] == ["a", "b"]
    assert [r.doc_id for r in pick_revisions(revs, "2018年3月20日")] == ["a", "b"]
    assert [r.doc_id for r in pick_revisions(revs, to_spec="2021-06")] == ["a", "c"]
    assert [r.doc_id for r in pick_revisions(revs, "a", "c")] == ["a", "c"]
    with pytest.raises(CompareError, match="不是这部法规已导入的版本"):
        pick_revisions(revs, "2019")
    with pytest.raises(CompareError, match="晚于"):
        pick_revisions(revs, "2024", "2018")
    with pytest.raises(CompareError, match="只有一个版本"):
        pick_revisions(revs[:1])


# -- end to end: ingest, CLI, app --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jcf_home(laws, tmp_path_factory) -> Path:
    """A store holding both 监察法 revisions (ingested like any other files)."""
    from ingest import Ingestor

    src = tmp_path_factory.mktemp("jcf")
    for name in (JCF_OLD, JCF_NEW):
        (src / laws[name].name).write_bytes(laws[name].read_bytes())
    home = tmp_path_factory.mktemp("jcfhome")
    ing = Ingestor.open(make_settings(home), progress=False)
    report = ing.run([src])
    ing.close()
    ing.res.close()
    assert report.count("added") == 2
    return home


def test_cli_compare_end_to_end(jcf_home, laws, tmp_path, capsys):
    from assistant.__main__ import main

    t0 = time.perf_counter()
    assert main(["compare", "监察法", "--home", str(jcf_home)]) == 0
    elapsed = time.perf_counter() - t0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "监察法：2018年3月20日" in first and "→ 2024年12月25日修正，新增 7 条，删除 0 条，修改 17 条，未修改 54 条（其中序号变化 40 条）" in first
    assert "【新增】第二十一条" in out and "【新增】第二十三条" in out and "【新增】第二十五条" in out
    assert "[+、强制到案、责令候查、管护+]" in out
    print(f"CLI compare: {elapsed:.1f}s")

    md, docx = tmp_path / "对照.md", tmp_path / "对照.docx"
    assert main(["compare", "中华人民共和国监察法", "--from", "2018", "--to", "2024-12-25", "--out", str(md),
                 "--home", str(jcf_home)]) == 0
    assert main(["compare", "监察法", "--out", str(docx), "--all", "--home", str(jcf_home)]) == 0
    capsys.readouterr()
    assert "| 修订前 | 修订后 |" in md.read_text(encoding="utf-8")
    from docx import Document as Docx

    assert Docx(str(docx)).tables[0].rows[0].cells[0].text == "修订前"

    assert main(["compare", "监察法", "--json", "--home", str(jcf_home)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"新增": 7, "删除": 0, "修改": 17, "未修改": 54, "序号变化": 40}
    assert data["old"]["date"] == "2018-03-20" and data["new"]["date"] == "2024-12-25"

    assert main(["compare", "刑法", "--home", str(jcf_home)]) == 2
    assert "没有找到" in capsys.readouterr().err
    assert main(["compare", "监察法", "--from", "2024", "--home", str(jcf_home)]) == 2
    assert "没有更新的版本" in capsys.readouterr().err


def test_stored_text_rebuilds_the_articles(jcf_home, laws):
    """Passages are slices of the cleaned text: the rebuilt text parses into the same articles as the file."""
    from assistant.compare import document_text
    from policyqa.runtime import open_resources

    res = open_resources(make_settings(jcf_home))
    try:
        docs = res.store.list_docs()
        assert len(docs) == 2
        for d in docs:
            text = document_text(res.store, d.doc_id)
            name = JCF_NEW if "2024" in d.path else JCF_OLD
            stored = [(a.label, a.text) for a in parse_articles(text)]
            direct = [(a.label, a.text) for a in parse_articles(laws[name].read_text(encoding="utf-8"))]
            assert stored == direct
            # offsets are those of the stored passages
            first = parse_articles(text)[0]
            passages = res.store.doc_passages(d.doc_id)
            assert any(p["start"] <= first.start < p["end"] and p["text"].find("第一条") >= 0 for p in passages)
    finally:
        res.close()


def test_browser_compare_view(jcf_home, tmp_path_factory):
    from browser import OUT, AppProcess, copy_home, launch_browser
    from playwright import sync_api as pw_api

    home = copy_home(jcf_home, tmp_path_factory.mktemp("cmpapp") / "home")
    app = AppProcess(home, "--llm", "none", name="app-compare").wait()
    try:
        with pw_api.sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
            page.set_default_timeout(90_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app.url, wait_until="load")
            page.get_by_role("tab", name="新旧对照").click()
            page.click("#pq-cmp-work input")
            page.locator("#pq-cmp-work [role=option]", has_text="监察法").first.click()
            page.wait_for_function("() => document.querySelector('#pq-cmp-to input').value.includes('2024')")
            assert "2018" in page.locator("#pq-cmp-from input").input_value()
            page.click("#pq-cmp-go")
            page.wait_for_selector("#pq-cmp-summary-line")
            summary = page.locator("#pq-cmp-summary-line").inner_text()
            assert "新增 7 条，删除 0 条，修改 17 条，未修改 54 条（其中序号变化 40 条）" in summary, summary
            grid = page.locator("#pq-cmp-grid")
            assert grid.locator("th").all_inner_texts()[:2] == ["修订前", "修订后"]
            ins = grid.locator("ins").all_inner_texts()
            assert any("强制到案、责令候查、管护" in t for t in ins)
            assert grid.locator("del").count() > 0
            new_rows = grid.locator("tr[data-kind='新增']")
            assert new_rows.count() == 7
            assert "第二十一条" in new_rows.first.inner_text()
            # Styles from the view apply (inserted text is highlighted, not plain).
            bg = page.evaluate("() => getComputedStyle(document.querySelector('#pq-cmp-grid ins')).backgroundColor")
            assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), bg
            page.wait_for_function("() => { const e = document.querySelector('#pq-cmp-docx');"
                                   " return e && e.offsetParent !== null; }")
            OUT.mkdir(parents=True, exist_ok=True)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(OUT / "compare.png"), full_page=False)
            # Unchanged articles are folded; opening a fold shows them in full.
            folds = grid.locator("details.pq-cmp-fold")
            assert folds.count() > 5
            first_fold = folds.first
            assert "第二条至第四条" in first_fold.locator("summary").inner_text()
            assert not first_fold.locator("tr").first.is_visible()
            first_fold.locator("summary").click()
            assert first_fold.locator("tr").first.is_visible()
            assert "坚持中国共产党对国家监察工作的领导" in first_fold.inner_text()
            # The article split in three is one row, noted as such.
            split = grid.locator("tr[data-kind='修改']", has_text="拆分为")
            assert split.count() == 1 and "第四十三条" in split.locator("td").first.inner_text()
            split.scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, -300)")
            page.screenshot(path=str(OUT / "compare-split.png"), full_page=False)
            with page.expect_download() as dl:
                page.click("#pq-cmp-docx")
            path = tmp_path_factory.mktemp("dl") / dl.value.suggested_filename
            dl.value.save_as(path)
            from docx import Document as Docx

            assert path.suffix == ".docx" and Docx(str(path)).tables[0].rows[0].cells[1].text == "修订后"
            assert errors == [], errors
            browser.close()
    finally:
        app.stop()


def test_browser_citation_shows_its_revision(jcf_home, tmp_path_factory):
    """A chat answer over two revisions: cards name the version and whether it is in force; the as-of control
    answers from the older revision."""
    from browser import OUT, AppProcess, copy_home, launch_browser, new_chat, wait_for_answer
    from playwright import sync_api as pw_api

    home = copy_home(jcf_home, tmp_path_factory.mktemp("citeapp") / "home")
    app = AppProcess(home, "--llm", "none", name="app-versions").wait()
    try:
        with pw_api.sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN").new_page()
            page.set_default_timeout(90_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app.url, wait_until="load")
            box = page.locator("#pq-question textarea")

            def ask(question: str) -> None:
                new_chat(page)
                box.fill(question)
                box.press("Enter")
                wait_for_answer(page, question)

            ask("采取留置措施后多长时间内要通知家属？")
            cards = page.locator("#pq-cards .pq-card")
            metas = cards.locator(".pq-meta").all_inner_texts()
            assert any("版本：2024年12月25日修正" in m and "现行" in m for m in metas), metas
            # The difference line cites the replaced text, marked as such.
            assert "修订前（2018年3月20日通过）" in page.locator("#pq-chat").inner_text()
            assert any("版本：2018年3月20日通过" in m and "已被修订" in m for m in metas), metas
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "citation-versions.png"), full_page=False)

            # 按某日有效的版本: 2020 → the 2018 text only.
            page.locator("button", has_text="检索范围").click()
            page.locator("#pq-asof input, #pq-asof textarea").first.fill("2020-01-01")
            ask("留置时间最长是多久？")
            metas = page.locator("#pq-cards .pq-card .pq-meta").all_inner_texts()
            assert metas and all("2018年3月20日通过" in m for m in metas), metas
            assert "三个月" in page.locator("#pq-chat").inner_text()
            page.screenshot(path=str(OUT / "citation-as-of.png"), full_page=False)
            assert errors == [], errors
            browser.close()
    finally:
        app.stop()


def test_view_html_escapes_document_text():
    from webui.compare_view import comparison_html, summary_html

    old = "第一条 书屋每周开放。\n\n第二条 管理员须参加培训。\n"
    new = "第一条 书屋每周开放。<script>window.x=1</script>\n\n第二条 管理员须参加培训。<img src=x onerror=alert(1)>\n"
    c = compare_texts(old, new, work="<b>书屋</b>规定")
    page = comparison_html(c, include_unchanged=True) + summary_html(c)
    assert "<script>window" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "&lt;img" in page and "<b>书屋" not in page
    assert c.n_modified == 2 and [p.inserted for p in c.pairs] == [["<script>window.x=1</script>"],
                                                                      ["<img src=x onerror=alert(1)>"]]
