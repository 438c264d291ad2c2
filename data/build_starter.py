"""Regenerate the starter library (data/starter/) from ../shared, deterministically.

    .venv/bin/python data/build_starter.py [--shared ../shared]

- reports/: the 31 provincial 2026 government work reports (gov-reports-2026/*.csv) as UTF-8 .txt,
  web-page clutter removed (see data/README.md), plus manifest.csv.
- laws/: the files listed in LAWS, copied byte for byte from lawrefbook.tar.gz.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "starter"

LAWS = [  # lawrefbook paths; the date in a name is the revision's date
    "宪法/宪法.md",
    "宪法相关法/监察法(2018-03-20).md", "宪法相关法/监察法(2024-12-25).md",
    "宪法相关法/监察官法(2021-08-20).md",
    "宪法相关法/公职人员政务处分法(2020-06-20).md",
    "行政法/公务员法(2018-12-29).md",
    "行政法规/行政机关公务员处分条例(2007-04-22).md",
    # laws the corpus holds in two revisions: both are shipped
    "行政法/保守国家秘密法(2010-04-29).md", "行政法/保守国家秘密法(2024-02-27).md",
    "行政法规/保守国家秘密法实施条例(2014-01-17).md", "行政法规/保守国家秘密法实施条例(2024-07-10).md",
    "宪法相关法/各级人民代表大会常务委员会监督法(2006-08-27).md",
    "宪法相关法/各级人民代表大会常务委员会监督法(2024-11-08).md",
    "宪法相关法/全国人民代表大会和地方各级人民代表大会代表法(2015-08-29).md",
    "宪法相关法/全国人民代表大会和地方各级人民代表大会代表法(2025-03-11).md",
    "宪法相关法/国务院组织法(1982-12-10).md", "宪法相关法/国务院组织法(2024-03-11).md",
    "宪法相关法/立法法(2015-03-15).md", "宪法相关法/立法法(2023-03-13).md",
    "诉讼与非诉讼程序法/行政复议法(2017-09-01).md", "诉讼与非诉讼程序法/行政复议法(2023-09-01).md",
    "经济法/统计法(2009-06-27).md", "经济法/统计法(2024-09-13).md",
    "经济法/会计法(2017-11-04).md", "经济法/会计法(2024-06-28).md",
    "民法商法/公司法(2018-10-26).md", "民法商法/公司法(2023-12-29).md",
]

GREETING = re.compile(r"^各位代表")
SUBTITLE = re.compile(r"日在.{2,40}会议上")
SPEAKER = re.compile(r"(省长|市长|主席)[\s\u3000]*([\u4e00-\u9fff·][\u4e00-\u9fff· \u3000]{0,10})$")
BARE_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
CAPTION = re.compile(r"作政府工作报告|摄$|记者")
FOOTER = re.compile(r"^(?:(?:相关报道|相关文档|责任编辑|编辑)[:：].*|》》点击图片进入专题《《|扫一扫在手机打开当前页"
                    r"|[（(]来源[:：].+[)）]|打印本页)$")
ENDS = "。！？：；!?:;”）)》】"


def _head(header: list[str], province: str) -> tuple[list[str], str]:
    """The subtitle and speaker lines of the page head (the rest is page clutter), and the author."""
    kept: list[str] = []
    author = ""
    i = 0
    while i < len(header):
        s = header[i]
        if "日在" in s and "会议上" not in s and i + 1 < len(header):  # subtitle broken over two lines (广东)
            kept.append(s + header[i + 1])
            i += 2
            continue
        m = SPEAKER.search(s)
        if (SUBTITLE.search(s) or m) and not CAPTION.search(s) and len(s) <= 80 and s not in kept:
            kept.append(s)
            if m and not author:
                role = "自治区主席" if m.group(1) == "主席" else m.group(1)
                author = role + " " + "".join(m.group(2).split())
        i += 1
    if not author and kept:  # the name alone under the subtitle (湖南: '毛伟明')
        after = header[header.index(kept[0]) + 1:]
        name = next((s for s in after if BARE_NAME.match(s) and "报" not in s), "")
        if name:
            role = "市长" if province.endswith("市") else "主席" if province.endswith("自治区") else "省长"
            kept.append(name)
            author = f"{role} {name}"
    return kept, author


def _glue(lines: list[str]) -> list[str]:
    """Rejoin words the page split into lines of their own ('PM' '2.5' '年平均…', '（' '三）…')."""
    out: list[str] = []
    glue_next = False
    for s in lines:
        frag = len(s) <= 3 and not s.startswith(("附件", "注释"))
        if out and (glue_next or (frag and out[-1][-1] not in ENDS)):
            out[-1] += s
            glue_next = out[-1][-1] not in ENDS
        else:
            out.append(s)
            glue_next = s[-1] in "，、（" or s.endswith("的") or (frag and s[-1] not in ENDS)
    return out


def clean_report(text: str, province: str) -> tuple[list[str], str]:
    """Report lines (without the title) and the author, web clutter removed."""
    lines = [s.strip() for s in text.split("\n") if s.strip()]
    start = next(i for i, s in enumerate(lines) if GREETING.match(s))
    end = next((i for i in range(start, len(lines)) if FOOTER.match(lines[i])), len(lines))
    kept, author = _head(lines[:start], province)
    return kept + _glue(lines[start:end]), author


def build_reports(shared: Path) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    out = OUT / "reports"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    rows = []
    for f in sorted((shared / "corpora" / "gov-reports-2026").glob("*.csv")):
        with f.open(encoding="utf-8-sig", newline="") as fh:
            (r,) = list(csv.DictReader(fh))
        province = r["province"]
        title = r["title"] if province in r["title"] else re.sub(r"^(\d{4}年)?", rf"\g<1>{province}", r["title"], count=1)
        body, author = clean_report(r["full_text"], province)
        name = f"{r['year']}_{province}_政府工作报告.txt"
        (out / name).write_text("\n".join([title, *body]) + "\n", encoding="utf-8", newline="\n")
        rows.append([name, title, r["publish_date"], f"{province}人民政府", author, "work_report"])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["file", "title", "date", "source", "author", "type"], *rows])
    (out / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8", newline="\n")
    return rows


def build_laws(shared: Path) -> None:
    out = OUT / "laws"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):
        old.unlink()
    with tarfile.open(shared / "corpora" / "lawrefbook.tar.gz") as tf:
        for rel in LAWS:
            member = tf.extractfile(f"./{rel}")
            assert member is not None, rel
            (out / Path(rel).name).write_bytes(member.read())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    rows = build_reports(args.shared)
    build_laws(args.shared)
    print(f"reports: {len(rows)}（作者缺失 {sum(not r[4] for r in rows)}），laws: {len(LAWS)} → {OUT}")


if __name__ == "__main__":
    main()
