"""知识测验 over regulations (GitHub issue 16, item 7; issue 12, item 7): items worth practising.

Seven regulations from the lawrefbook corpus in ../shared (宪法, 监察法 2018 and 2024, 监察官法, 公职人员政务处分法,
公务员法, 行政机关公务员处分条例) and two provincial work reports are ingested into a temporary store with the
real embedder; hundreds of generated items are then audited, independently of how they were built:

- no blank on a cross-reference (前款、第六项、《…》第十五条), no stem led by an article number (第二十三条),
  no stem referring to text it does not show (有前款…);
- 多选 keys: letters and texts match, in option order;
- distractors of the key's kind: numbers with the same measure word (三个月 ↔ 六个月), names of laws of the
  same form against names of laws, bodies of the same class, terms of the same family (sanctions with
  sanctions), enumeration items of the same length class;
- the source passage holds the key, and the stem (its 根据《…》 lead included) does not show it;
- no statistic of a report is blanked; regulation items test rule facts first;
- quizzes by regulation, by chapter, from current texts only, with a fresh seed per session.

Skipped (with the reason) when ../shared is absent.
"""
from __future__ import annotations

import csv
import re
import shutil
import tarfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, ingest_store

from assistant.quiz import BLANK, QuizError, QuizGenerator, answer_display
from assistant.quiz.rules import RELATIVE_REF, body_class, role_terms, term_family, title_class

LAWREFBOOK = SHARED / "corpora" / "lawrefbook.tar.gz"
REPORTS = SHARED / "corpora" / "gov-reports-2026"
REGULATIONS = (
    "宪法/宪法.md",
    "宪法相关法/监察法(2018-03-20).md",
    "宪法相关法/监察法(2024-12-25).md",
    "宪法相关法/监察官法(2021-08-20).md",
    "宪法相关法/公职人员政务处分法(2020-06-20).md",
    "行政法/公务员法(2018-12-29).md",
    "行政法规/行政机关公务员处分条例(2007-04-22).md",
)
REPORT_FILES = ("2026_北京市_政府工作报告.csv", "2026_四川省_政府工作报告.csv")
EXTRACTED = Path("/tmp/lrb")  # where the corpus is unpacked for other work, when it is

pytestmark = pytest.mark.skipif(not LAWREFBOOK.exists(), reason=f"{LAWREFBOOK} is absent (../shared not mounted)")


# -- the audit (on item dicts, so that saved quizzes can be audited too) -------------------------------

_CN = "零〇一二两三四五六七八九十百千"
_XREF = re.compile(rf"第[{_CN}\d]+[条款项章节目]|第[（(][一二三四五六七八九十\d]+[)）]项|前款|前[两二三四]款|前项|本条|本款")
_ARTICLE_LEAD = re.compile(rf"^第[{_CN}\d]+条")
_SAME_ARTICLE_REF = re.compile(r"(?<![条款])第[（(]?[一二三四五六七八九十\d]+[)）]?[项款]|前款|前项|上述")
_STAT_CONTEXT = re.compile(rf"增长|下降|同比|比上年|累计|新增|完成|达到|突破|\d\.\d|[\d{_CN}](?:余|多)")
_NUMBER_UNIT = re.compile(rf"^[\d.{_CN}]+(?:余|多)?(?P<unit>.*)$")
LAW_ENDINGS = ("法》", "条例》", "规定》", "办法》", "细则》", "规则》", "准则》", "决定》", "意见》", "通知》")


def _body(stem: str, title: str) -> str:
    lead = f"根据《{title}》，"
    body = stem[len(lead):] if stem.startswith(lead) else stem
    return body.removeprefix("……")


def _unit(text: str) -> str:
    if "分之" in text:
        return "百分之" if text.startswith("百分之") else "分之"
    m = _NUMBER_UNIT.match(text)
    return m.group("unit") if m else "?"


def _blank_context(it: dict) -> tuple[str, str]:
    stem = it["stem"]
    i = stem.find(BLANK)
    return (stem[:i], stem[i + len(BLANK):]) if i >= 0 else ("", "")


def _keys(it: dict) -> list[str]:
    if it["qtype"] == "判断":
        return [k for k in (*it["answer_texts"][:1], it["altered"]) if k] if it["answer"] == "错误" else []
    return list(it["answer_texts"])


def same_kind(key: str, other: str, kind: str, keys: list[str] | None = None, block: bool = False) -> bool:
    """Whether ``other`` is a replacement of ``key``'s kind (the audit's own reading of 'same kind')."""
    if kind == "number":
        return _unit(key) == _unit(other) and re.match(rf"[\d{_CN}]|百分之", other) is not None
    if kind == "frequency":
        return other.startswith("每")
    if kind == "title":
        return title_class(key) == title_class(other) and (key.endswith(LAW_ENDINGS) == other.endswith(LAW_ENDINGS))
    if kind == "term":
        fam = term_family(key)
        return term_family(other, key) == fam or (key in role_terms("sanction") and other in role_terms("sanction"))
    if kind == "body":
        return not body_class(key) or body_class(key) == body_class(other)
    if kind == "formulation":
        numeric = re.compile(rf"^[{_CN}]+[个项大条件]")
        return bool(numeric.match(key)) == bool(numeric.match(other)) and (
            bool(numeric.match(key)) or key[-1] == other[-1])
    if kind == "list":
        ks = keys or [key]
        lo, hi = min(map(len, ks)), max(map(len, ks))
        fams = {term_family(k) for k in ks}
        if len(fams) == 1 and "" not in fams:
            fam = next(iter(fams))
            return term_family(other) == fam or (fam in ("政务处分", "党纪处分", "组织处理")
                                                 and other in role_terms("sanction"))
        return (lo - 4 <= len(other) <= hi + 6) if block else (lo - 1 <= len(other) <= hi + 1)
    return True


def audit(it: dict) -> list[str]:
    """The problems of one item (an item's ``to_dict()``): tags, empty when the item is fine."""
    problems = []
    src = it["source"]
    body = _body(it["stem"], src["title"])
    before, after = _blank_context(it)
    keys = _keys(it)
    if any(_XREF.search(k) for k in keys) or re.search(r"(?:第|前款|本法|本条例)$", before) or \
            re.match(rf"第[{_CN}\d]+[条款项]|规定的情形", after):
        problems.append("cross_reference_blank")
    if _ARTICLE_LEAD.match(body):
        problems.append("article_number_leads_stem")
    if RELATIVE_REF.search(it["stem"]) or _SAME_ARTICLE_REF.search(it["stem"]):
        problems.append("stem_not_self_contained")
    if it["kind"] == "number" and src["doc_type"] != "regulation" and (it["qtype"] != "判断" or it["altered"]):
        key = it["answer_texts"][0]
        if it["qtype"] == "判断":  # the fact replaced in a false statement, in its sentence
            i = src["sentence"].find(key)
            before, after = src["sentence"][:max(i, 0)], src["sentence"][i + len(key):]
        around = re.split(r"[，；。：]", before)[-1] + key + re.split(r"[，；。：]", after)[0]
        # A report's figures (results and targets) are all statistics; elsewhere figures reported as such.
        if src["doc_type"] == "work_report" or _STAT_CONTEXT.search(around) or re.search(r"\d{3}|\d\.\d", key):
            problems.append("statistic_blank")
    if it["qtype"] in ("单选", "多选"):
        letters = "ABCDEFGH"[:len(it["options"])]
        picked = [it["options"][letters.index(c)] for c in it["answer"] if c in letters]
        if list(it["answer"]) != sorted(it["answer"]) or picked != list(it["answer_texts"]) or \
                f"{it['answer']}（{'；'.join(it['answer_texts'])}）" not in it["explanation"]:
            problems.append("key_mismatch")
        block = "下列" + BLANK in it["stem"] or it["stem"].endswith("包括" + BLANK + "。")
        for d in it["distractors"]:
            if not same_kind(it["answer_texts"][0], d, it["kind"], it["answer_texts"], block):
                problems.append("wrong_kind_distractor")
                break
    if it["qtype"] == "判断" and it["answer"] == "错误" and \
            not same_kind(it["answer_texts"][0], it["altered"], it["kind"], [it["answer_texts"][0]]):
        problems.append("wrong_kind_distractor")
    if any(k not in src["text"] for k in it["answer_texts"]) and it["qtype"] != "判断":
        problems.append("key_not_in_source")
    if it["qtype"] == "判断" and it["answer_texts"][0] not in src["text"]:
        problems.append("key_not_in_source")
    if it["qtype"] != "判断":
        shown = [p for p in it["stem"].split(BLANK)]
        number_key = it["kind"] == "number" and it["qtype"] == "填空"
        if not number_key and any(k and k.strip("《》") in p for k in it["answer_texts"] for p in shown):
            problems.append("key_shown_in_stem")
    return problems


def is_rule_fact(it: dict) -> bool:
    """Whether the item tests a rule fact: a time limit, amount or proportion, a count in a rule, a term of
    a rule (sanction, condition, procedure), who decides, or the conditions / kinds listed by a rule."""
    if it["kind"] == "number":
        return True
    if it["kind"] == "term":
        return True
    if it["kind"] == "body" and re.search(r"(?:经|由|报|报请|提请)" + re.escape(BLANK), it["stem"]):
        return True
    block = "下列" + BLANK in it["stem"] or it["stem"].endswith("包括" + BLANK + "。")
    return it["kind"] == "list" and (block or bool({term_family(k) for k in it["answer_texts"]} - {""}))


def measure(items: list[dict]) -> dict[str, Any]:
    """Shares of problem items (the numbers reported for the issue)."""
    tags = Counter(t for it in items for t in set(audit(it)))
    n = len(items)
    out: dict[str, Any] = {"items": n}
    for tag in ("cross_reference_blank", "article_number_leads_stem", "stem_not_self_contained", "statistic_blank",
                "key_mismatch", "wrong_kind_distractor", "key_not_in_source", "key_shown_in_stem"):
        out[tag] = f"{tags[tag]} ({100 * tags[tag] / max(n, 1):.1f}%)"
    tested = [it for it in items if it["qtype"] != "判断"]
    out["rule_facts"] = f"{sum(map(is_rule_fact, tested))} of {len(tested)} non-判断 items"
    return out


# -- the store -----------------------------------------------------------------------------------------

def _regulation_files(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if all((EXTRACTED / f).exists() for f in REGULATIONS):
        for f in REGULATIONS:
            shutil.copy(EXTRACTED / f, dest / Path(f).name)
        return
    with tarfile.open(LAWREFBOOK) as tar:
        for m in tar:
            for f in REGULATIONS:
                if m.isfile() and (m.name.endswith("/" + f) or m.name == f):
                    fh = tar.extractfile(m)
                    assert fh is not None
                    (dest / Path(f).name).write_bytes(fh.read())
    missing = [f for f in REGULATIONS if not (dest / Path(f).name).exists()]
    assert not missing, f"not in {LAWREFBOOK}: {missing}"


def _report_files(dest: Path) -> list[str]:
    dest.mkdir(parents=True, exist_ok=True)
    rows = []
    csv.field_size_limit(1 << 30)
    for name in REPORT_FILES:
        path = REPORTS / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                txt = Path(name).with_suffix(".txt").name
                (dest / txt).write_text(r["full_text"], encoding="utf-8")
                rows.append([txt, r["title"], r["publish_date"], r["province"] + "人民政府", "", "work_report"])
    with open(dest / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "title", "date", "source", "author", "type"])
        w.writerows(rows)
    return [r[1] for r in rows]


@pytest.fixture(scope="module")
def reg_store(tmp_path_factory, ingested):
    """(settings, report titles): the regulations and two work reports in a temporary store."""
    root = tmp_path_factory.mktemp("regulations")
    _regulation_files(root / "法规")
    reports = _report_files(root / "报告")
    settings, report = ingest_store(root / "home", [root / "法规", root / "报告"], ingested[0].home_path)
    assert report.count("added") == len(REGULATIONS) + len(reports), report.to_dict()
    return settings, reports


@pytest.fixture(scope="module")
def reg_res(reg_store):
    from policyqa.runtime import open_resources

    res = open_resources(reg_store[0])
    yield res
    res.close()


@pytest.fixture(scope="module")
def reg_gen(reg_res):
    return QuizGenerator(reg_res)


@pytest.fixture(scope="module")
def docs(reg_res) -> dict[str, Any]:
    return {d.doc_id: d for d in reg_res.store.list_docs()}


@pytest.fixture(scope="module")
def reg_ids(docs) -> list[str]:
    return sorted(d for d, m in docs.items() if m.doc_type == "regulation")


@pytest.fixture(scope="module")
def reg_items(reg_gen, reg_ids) -> list[dict]:
    items = []
    for seed in range(5):
        quiz = reg_gen.generate(n=50, doc_ids=reg_ids, seed=seed, current_only=False)
        assert len(quiz.items) == 50, quiz.notices
        items += [it.to_dict() for it in quiz.items]
    return items


# -- the audit over generated items ------------------------------------------------------------------

def test_regulation_items_pass_the_audit(reg_items):
    assert len(reg_items) >= 200
    bad = [(it["stem"], it["options"], it["answer_texts"], audit(it)) for it in reg_items if audit(it)]
    assert not bad, f"{len(bad)} of {len(reg_items)} items fail: {measure(reg_items)}\n" + \
        "\n".join(map(str, bad[:12]))


def test_regulation_items_test_rule_facts(reg_items):
    tested = [it for it in reg_items if it["qtype"] != "判断"]
    rule = [it for it in tested if is_rule_fact(it)]
    assert len(rule) >= 0.75 * len(tested), measure(reg_items)
    kinds = Counter(it["kind"] for it in reg_items)
    assert {"number", "term", "list"} <= set(kinds), kinds
    # Time limits, sanctions and who decides all come up.
    assert any(_unit(k) in ("个月", "日", "年", "小时") for it in reg_items if it["kind"] == "number"
               for k in it["answer_texts"])
    assert any(k in role_terms("sanction") for it in reg_items for k in it["answer_texts"])
    assert any(it["kind"] == "body" for it in reg_items)
    judged = [it["answer"] for it in reg_items if it["qtype"] == "判断"]
    assert 0.3 <= judged.count("错误") / len(judged) <= 0.7


def test_multi_choice_keys_in_option_order(reg_items):
    multi = [it for it in reg_items if it["qtype"] == "多选"]
    assert len(multi) >= 40
    for it in multi:
        letters = "ABCDEFGH"
        assert it["answer_texts"] == [it["options"][letters.index(c)] for c in it["answer"]]
        assert it["answer_texts"] == [o for o in it["options"] if o not in it["distractors"]]
        assert answer_display(it_from(it)).startswith("、".join(it["answer"]))


def it_from(d: dict):
    from policyqa.types import Passage, QuizItem, QuizSource

    s = d["source"]
    p = Passage(passage_id=s["passage_id"], doc_id=s["doc_id"], title=s["title"], heading_path=s["heading_path"],
                text=s["text"], doc_type=s["doc_type"])
    return QuizItem(**{**d, "source": QuizSource(passage=p, sentence=s["sentence"])})


def test_no_statistic_of_a_report_is_blanked(reg_gen, reg_store, docs):
    report_ids = sorted(d for d, m in docs.items() if m.doc_type == "work_report")
    if not report_ids:
        pytest.skip(f"no work reports in {REPORTS}")
    items = []
    for seed in range(3):
        items += [it.to_dict() for it in reg_gen.generate(n=30, doc_ids=report_ids, seed=seed).items]
    assert items
    numbers = [it for it in items if it["kind"] == "number"]
    assert not [it["stem"] for it in items if "statistic_blank" in audit(it)]
    for it in numbers:  # what is left is a rule of the report (每年、至少、不超过…), never a reported figure
        key = it["answer_texts"][0]
        assert not re.search(r"\d\.\d|余|多", key), it["stem"]


def test_distractors_come_from_the_same_type_of_document(reg_items, docs):
    """No work report's title, body or phrase among the options of a regulation item."""
    report_text = "".join(m.title for m in docs.values() if m.doc_type == "work_report")
    for it in reg_items:
        for d in it["distractors"] + ([it["altered"]] if it["altered"] else []):
            if it["kind"] == "title":
                assert d.endswith(LAW_ENDINGS), (it["stem"], d)
                assert d.strip("《》") not in report_text
        assert "《海南自由贸易港" not in "".join(it["options"])


def test_issue_examples(reg_gen, reg_res, docs):
    """The issue's bad items are gone and its good item is there."""
    from assistant.quiz.facts import QuizPassage, passage_sentences

    law = next(d for d, m in docs.items() if m.title == "中华人民共和国公职人员政务处分法")
    items = []
    for seed in range(6):
        items += reg_gen.generate(n=60, doc_ids=[law], seed=seed).items
    for it in items:
        assert "有前款" not in it.stem and not re.search(r"第[一二三四五六七八九十]+项", "".join(it.options)), it.stem
        assert not _ARTICLE_LEAD.match(_body(it.stem, it.source.title)), it.stem
        if it.kind == "title":
            assert all(o.endswith(LAW_ENDINGS) for o in it.options), it.options
    facts = [(s.text, f) for p in reg_res.store.doc_passages(law)
             for s in passage_sentences(QuizPassage.from_payload(p)) for f in s.facts]
    good = [f for text, f in facts if "二名以上工作人员进行" in text and f.text == "二名"]
    assert good and good[0].role == "count" and good[0].blank_start >= 0
    deadlines = [f.text for _, f in facts if f.role == "deadline"]
    assert {"一个月", "六个月"} <= set(deadlines) or "一个月" in deadlines, deadlines


def test_article_is_the_source_not_the_stem(reg_items):
    with_article = [it for it in reg_items if re.search(r"› 第[一二三四五六七八九十百]+条）", it["explanation"])]
    assert len(with_article) >= 0.8 * len(reg_items), "the article is shown with the key"


def test_block_enumerations_make_multiple_choice(reg_items):
    block = [it for it in reg_items if it["qtype"] == "多选" and "下列" + BLANK in it["stem"]]
    assert block
    for it in block:
        assert it["stem"].count(BLANK) == 1
        assert all(d not in it["source"]["text"] for d in it["distractors"])


# -- scope: by regulation, by chapter, current texts ---------------------------------------------------

def test_quiz_by_regulation_title_and_chapter(reg_gen, docs):
    law = next(d for d, m in docs.items() if m.title == "中华人民共和国公职人员政务处分法")
    by_title = reg_gen.generate(n=8, doc_ids=["公职人员政务处分法"], seed=1)
    assert by_title.items and {it.source.doc_id for it in by_title.items} == {law}
    ch = reg_gen.generate(n=8, doc_ids=[law], chapter="第二章", seed=1)
    assert ch.items and ch.title == "知识测验（第二章）"
    for it in ch.items:
        assert any("第二章" in h for h in it.source.heading_path), it.source.heading_path
    same = reg_gen.generate(n=8, doc_ids=[law], chapter="2", seed=1)
    assert [i.id for i in same.items] == [i.id for i in ch.items]
    named = reg_gen.generate(n=6, doc_ids=[law], chapter="政务处分的种类和适用", seed=1)
    assert {it.source.heading_path[1] for it in named.items} <= {h for it in ch.items for h in it.source.heading_path}
    with pytest.raises(QuizError, match="可选的章"):
        reg_gen.generate(n=3, doc_ids=[law], chapter="第九十九章", seed=0)


class _Superseded:
    """The store with the 2018 监察法 marked superseded (as the library's status derivation would)."""

    def __init__(self, res, old_id: str):
        self._res, self._old = res, old_id
        self.settings = res.settings
        self.store = self

    def list_docs(self):
        return [replace(d, status="superseded") if d.doc_id == self._old else d for d in self._res.store.list_docs()]

    def __getattr__(self, name):
        return getattr(self._res.store, name)


def test_only_current_texts_by_default(reg_res, docs):
    old = next(d for d, m in docs.items() if m.title == "中华人民共和国监察法" and "2018" in m.path)
    new = next(d for d, m in docs.items() if m.title == "中华人民共和国监察法" and "2024" in m.path)
    gen = QuizGenerator(_Superseded(reg_res, old))
    quiz = gen.generate(n=40, doc_ids=["中华人民共和国监察法"], seed=0)
    assert quiz.items and {it.source.doc_id for it in quiz.items} == {new}
    assert any("已修订或废止" in n for n in quiz.notices)
    everywhere = gen.generate(n=80, seed=0)
    assert old not in {it.source.doc_id for it in everywhere.items}
    # Named by id, or asked for, the superseded text is used.
    assert {it.source.doc_id for it in gen.generate(n=5, doc_ids=[old], seed=0).items} == {old}
    both = gen.generate(n=40, doc_ids=["中华人民共和国监察法"], seed=0, current_only=False)
    assert {it.source.doc_id for it in both.items} == {old, new}


# -- fresh seed per session ----------------------------------------------------------------------------

def test_fresh_seed_unless_given(reg_gen, reg_ids):
    a = reg_gen.generate(n=5, doc_ids=reg_ids)
    b = reg_gen.generate(n=5, doc_ids=reg_ids)
    assert a.seed != b.seed and [i.id for i in a.items] != [i.id for i in b.items]
    again = reg_gen.generate(n=5, doc_ids=reg_ids, seed=a.seed)
    assert [i.to_dict() for i in again.items] == [i.to_dict() for i in a.items]


def test_cli_random_seed_printed_and_reproducible(reg_store, tmp_path, capsys):
    import json

    from assistant.__main__ import main

    home = tmp_path / "home"
    shutil.copytree(reg_store[0].home_path, home)
    base = ["quiz", "--home", str(home), "--n", "4", "--doc", "公职人员政务处分法", "--json"]
    assert main(base) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    m = re.search(r"随机种子[：:]\s*(\d+)", out.err)
    assert m and int(m.group(1)) == data["seed"]
    assert main(base + ["--seed", m.group(1)]) == 0
    again = capsys.readouterr()
    assert json.loads(again.out) == data and "随机种子" not in again.err
    assert main(["quiz", "--home", str(home), "--n", "3", "--doc", "公职人员政务处分法", "--chapter", "第二章",
                 "--seed", "1", "--json"]) == 0
    ch = json.loads(capsys.readouterr().out)
    assert ch["items"] and all(any("第二章" in h for h in i["source"]["heading_path"]) for i in ch["items"])


def test_app_draws_a_fresh_seed_per_session():
    from webui.quiz_tab import session_seed

    seeds = {session_seed(None) for _ in range(5)}
    assert len(seeds) >= 4, "each session starts from its own random seed"
    assert session_seed(41) == 41
