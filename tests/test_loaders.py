"""ingest.loaders: every format, every encoding, every way a file can be bad (fixtures built in tmp_path)."""
from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import pytest

from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, RawText, load_file

ZH = "第一条　为了加强机关党的建设，推动全面从严治党向纵深发展，制定本办法。\n第二条　本办法适用于市直机关各单位。\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _reason(path: Path, **kw) -> str:
    with pytest.raises(LoadError) as ei:
        load_file(path, **kw)
    msg = str(ei.value)
    assert msg and "\n" not in msg
    return msg


# --- plain text ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, data_fn, expected_enc", [
    ("utf-8", lambda t: t.encode("utf-8"), "utf-8"),
    ("utf-8-bom", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
    ("gbk", lambda t: t.encode("gbk"), "gbk"),
    ("utf-16", lambda t: t.encode("utf-16"), "utf-16"),           # with BOM
    ("utf-16-be", lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16"),
])
def test_text_encodings(tmp_path, encoding, data_fn, expected_enc):
    p = _write(tmp_path, f"doc-{encoding}.txt", data_fn(ZH))
    raw = load_file(p)
    assert isinstance(raw, RawText)
    assert raw.text == ZH, raw.text[:40]
    assert not raw.text.startswith("\ufeff")
    assert raw.encoding == expected_enc
    assert raw.fmt == "txt" and raw.path == p


def test_gb18030_only_characters(tmp_path):
    # '䶮' (U+4DAE, CJK Ext-A) and '𠀀' (U+20000, Ext-B) exist in GB18030 but not in GBK
    text = "䶮与𠀀均为罕见字；第三条　本办法自发布之日起施行。\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    p = _write(tmp_path, "rare.txt", text.encode("gb18030"))
    raw = load_file(p)
    assert raw.text == text
    assert raw.encoding == "gb18030"


def test_newlines_normalised_and_markdown(tmp_path):
    p = _write(tmp_path, "a.md", "# 某某条例\r\n\r\n第一条　总则。\r第二条　附则。".encode())
    raw = load_file(p)
    assert raw.text == "# 某某条例\n\n第一条　总则。\n第二条　附则。"
    assert raw.fmt == "md" and raw.title_hint == "某某条例"
    assert load_file(_write(tmp_path, "b.markdown", b"# T\nx")).fmt == "md"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode("utf-8"), b"\xef\xbb\xbf \n"])
def test_empty_and_whitespace_only(tmp_path, data):
    assert _reason(_write(tmp_path, "empty.txt", data)) == "文件为空"


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 64,                       # NUL bytes
    b"\x89PNG\r\n\x1a\n" + bytes(200) + b"IHDR",  # an image renamed .txt
    bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0e, 0x0f]) * 100 + "正文".encode(),  # control chars, no NUL
])
def test_binary_with_txt_name(tmp_path, data):
    assert "二进制" in _reason(_write(tmp_path, "binary.txt", data))


def test_max_bytes(tmp_path):
    p = _write(tmp_path, "big.txt", ("很长的正文。" * 30000).encode("utf-8"))  # ~0.5 MB
    msg = _reason(p, max_bytes=100 * 1024)
    assert msg.startswith("文件过大") and "MB" in msg and "0.5" in msg and "0.098" in msg
    assert load_file(p, max_bytes=10 * 1024 * 1024).text.startswith("很长的正文")


def test_unknown_suffix_and_missing(tmp_path):
    msg = _reason(_write(tmp_path, "table.xlsx", b"whatever"))
    assert msg.startswith("不支持的文件格式：.xlsx") and ".docx" in msg and ".pdf" in msg
    assert "（无扩展名）" in _reason(_write(tmp_path, "noext", b"text"))
    assert "不存在" in _reason(tmp_path / "missing.txt")
    d = tmp_path / "dir.txt"
    d.mkdir()
    assert "不是普通文件" in _reason(d)
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}


def test_uppercase_suffix(tmp_path):
    assert load_file(_write(tmp_path, "A.TXT", ZH.encode("utf-8"))).text == ZH


# --- HTML ------------------------------------------------------------------------------------

_PNG_B64 = base64.b64encode(bytes(range(256)) * 3).decode()

_PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="{{charset}}"><title>关于加强机关党建的通知 - 某某网</title>
<script>var SECRET_SCRIPT_TEXT = "tracking";</script><style>.x{{{{color:red}}}} STYLE_TEXT</style></head>
<body>
<nav><a href="/">网站首页</a> <a href="/news">新闻中心</a> NAV_LINK_TEXT</nav>
<div id="main"><article>
<h1>关于加强机关党建的通知</h1>
<p>　　第一段正文：为深入贯彻落实党中央决策部署，进一步加强机关党的建设，推动机关党建高质量发展，现就有关事项通知如下。</p>
<p>第二段正文：各单位要高度重视，切实把机关党建工作摆在突出位置，层层压实责任，<b>确保各项任务落到实处</b>，形成<!-- hidden note -->工作合力。</p>
<img src="data:image/png;base64,{_PNG_B64}" alt="图">
<p>第三段正文：各级党组织要结合实际，制定具体措施，认真抓好落实，并于年底前报送工作总结。<br>第二行在同一段落中。</p>
<p style="display:none">HIDDEN_TEXT data:image/png;base64,{_PNG_B64}</p>
<table><tr><td>项目</td><td>要求</td></tr><tr><td>理论学习</td><td>每月一次</td></tr></table>
<iframe src="https://ads.example.com">IFRAME_TEXT</iframe>
</article></div>
<footer>版权所有 FOOTER_TEXT</footer>
<script>document.write("SECRET2")</script>
</body></html>"""


@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("gb2312", "gbk")])
def test_html_main_content(tmp_path, charset, codec):
    p = _write(tmp_path, "page.html", _PAGE.format(charset=charset).encode(codec))
    raw = load_file(p)
    t = raw.text
    assert raw.fmt == "html"
    assert raw.title_hint == "关于加强机关党建的通知"
    lines = [ln.strip("\u3000 ") for ln in t.split("\n")]
    for para in ("第一段正文：为深入贯彻落实党中央决策部署，进一步加强机关党的建设，推动机关党建高质量发展，现就有关事项通知如下。",
                 "第二段正文：各单位要高度重视，切实把机关党建工作摆在突出位置，层层压实责任，确保各项任务落到实处，形成工作合力。",
                 "第三段正文：各级党组织要结合实际，制定具体措施，认真抓好落实，并于年底前报送工作总结。",
                 "第二行在同一段落中。"):
        assert para in lines, t  # one paragraph per line, inline markup and comments do not break it
    assert "项目\t要求" in t and "理论学习\t每月一次" in t  # readability drops tables; we keep them
    assert lines.index("关于加强机关党建的通知") < lines.index(
        "第一段正文：为深入贯彻落实党中央决策部署，进一步加强机关党的建设，推动机关党建高质量发展，现就有关事项通知如下。")
    for junk in ("SECRET_SCRIPT_TEXT", "SECRET2", "STYLE_TEXT", "color:red", "NAV_LINK_TEXT", "IFRAME_TEXT",
                 "FOOTER_TEXT", "HIDDEN_TEXT", "base64", _PNG_B64[:40], "<p", "</", "hidden note"):
        assert junk not in t, junk


def test_html_fallback_to_body_when_readability_picks_too_little(tmp_path):
    lines = [f"第{i}项工作安排落实到位" for i in range(1, 31)]
    body = "".join(f"<div>{ln}</div>" for ln in lines)
    page = ("<html><head><title>安排表</title></head><body><header>SITE_HEADER</header>"
            f"<div class='comment sidebar'>{body}</div>"  # class names readability penalises
            "<div class='article-content'><p>这是一段较长的广告推广文字，内容包括各类商品、服务、优惠活动以及联系方式，欢迎广大读者选购，"
            "数量有限，先到先得，详情请咨询客服人员。</p></div><aside>SIDEBAR</aside></body></html>")
    from readability import Document

    picked = Document(page).summary(html_partial=True)
    assert "第1项" not in picked and "广告推广" in picked  # readability alone would lose the list
    raw = load_file(_write(tmp_path, "list.htm", page.encode("utf-8")))
    for ln in lines:
        assert ln in raw.text.split("\n")
    assert "SITE_HEADER" not in raw.text and "SIDEBAR" not in raw.text
    assert raw.title_hint == "安排表"


def test_html_empty_body(tmp_path):
    msg = _reason(_write(tmp_path, "e.html", b"<html><head><title>x</title></head><body>  </body></html>"))
    assert msg.startswith("文件为空")


# --- DOCX ------------------------------------------------------------------------------------


def _make_docx(path: Path, core_title: str = "") -> None:
    import docx

    d = docx.Document()
    if core_title:
        d.core_properties.title = core_title
    d.add_heading("机关党建工作办法", level=0)   # 'Title' style
    d.add_paragraph("第一条　为加强机关党建，制定本办法。")
    d.add_heading("第二章　职责", level=1)
    d.add_paragraph("第二条　各单位党组（党委）负主体责任。")
    t = d.add_table(rows=2, cols=3)
    for r, row in enumerate([("序号", "任务", "时限"), ("1", "理论学习", "每月")]):
        for c, val in enumerate(row):
            t.cell(r, c).text = val
    d.add_paragraph("第三条　本办法自发布之日起施行。")
    d.save(str(path))


def test_docx_paragraphs_headings_tables_in_order(tmp_path):
    p = tmp_path / "办法.docx"
    _make_docx(p)
    raw = load_file(p)
    assert raw.fmt == "docx"
    assert raw.text.split("\n") == [
        "机关党建工作办法",
        "第一条　为加强机关党建，制定本办法。",
        "第二章　职责",
        "第二条　各单位党组（党委）负主体责任。",
        "序号\t任务\t时限",
        "1\t理论学习\t每月",
        "第三条　本办法自发布之日起施行。",
    ]
    assert raw.title_hint == "机关党建工作办法"  # first Title/Heading-styled paragraph


def test_docx_core_title_wins(tmp_path):
    p = tmp_path / "b.docx"
    _make_docx(p, core_title="核心属性标题")
    assert load_file(p).title_hint == "核心属性标题"


def test_docx_corrupt(tmp_path):
    junk_zip = tmp_path / "junk.docx"
    with zipfile.ZipFile(junk_zip, "w") as z:
        z.writestr("junk.txt", "not a word document")
    assert _reason(junk_zip) == "文件已损坏：无法作为 .docx 打开"
    assert _reason(_write(tmp_path, "notzip.docx", b"hello, I am plain text")) == "文件已损坏：无法作为 .docx 打开"
    assert _reason(_write(tmp_path, "broken.docx", b"PK\x03\x04 not really a zip")) == "文件已损坏：无法作为 .docx 打开"


def test_docx_without_text(tmp_path):
    import docx

    p = tmp_path / "blank.docx"
    docx.Document().save(str(p))
    assert _reason(p).startswith("文件为空")


# --- PDF -------------------------------------------------------------------------------------


def _pdf(content: bytes | None, title: bytes | None = None) -> bytes:
    """A minimal valid one-page PDF (Helvetica text object), xref offsets computed."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
    if content is not None:
        page += b" /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"
    objs.append(page + b" >>")
    if content is not None:
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info = None
    if title is not None:
        objs.append(b"<< /Title (" + title + b") >>")
        info = len(objs)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objs) + 1)
    if info:
        out += b" /Info %d 0 R" % info
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


_TEXT_OPS = b"BT /F1 18 Tf 72 720 Td (Policy text layer works) Tj 0 -30 Td (Article 2 second line) Tj ET"


def test_pdf_text_layer(tmp_path):
    raw = load_file(_write(tmp_path, "a.pdf", _pdf(_TEXT_OPS, title=b"Sample Regulation")))
    assert raw.fmt == "pdf"
    assert "Policy text layer works" in raw.text and "Article 2 second line" in raw.text
    assert raw.text.index("Policy") < raw.text.index("Article 2")
    assert raw.title_hint == "Sample Regulation"


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    msg = _reason(_write(tmp_path, "scan.pdf", _pdf(None)))
    assert "OCR" in msg and "文字层" in msg
    # a page whose only text is a page number is still a scan
    assert "OCR" in _reason(_write(tmp_path, "scan2.pdf", _pdf(b"BT /F1 9 Tf 300 20 Td (1) Tj ET")))


@pytest.mark.parametrize("frac", [0.3, 0.6, 0.9])
def test_pdf_truncated(tmp_path, frac):
    data = _pdf(_TEXT_OPS)
    assert _reason(_write(tmp_path, "cut.pdf", data[: int(len(data) * frac)])).startswith("文件已损坏：无法解析 PDF")


def test_pdf_not_a_pdf(tmp_path):
    assert _reason(_write(tmp_path, "fake.pdf", b"this is not a pdf at all")).startswith("文件已损坏")


def test_never_other_exceptions(tmp_path, monkeypatch):
    import ingest.loaders as L

    def boom(*a, **k):
        raise RuntimeError("unexpected\nmultiline failure")

    monkeypatch.setattr(L, "_load_text", boom)
    msg = _reason(_write(tmp_path, "x.txt", b"abc"))
    assert msg.startswith("读取失败：") and "RuntimeError" in msg


def test_html_logo_h1_is_not_the_title(tmp_path):
    para = "<p>为深入贯彻落实党中央决策部署，进一步加强机关党的建设，推动机关党建高质量发展，现就有关事项通知如下，请认真贯彻执行。</p>"
    page = ("<html><head><title>关于开展学习活动的通知_某某市人民政府</title></head><body>"
            "<div class='top'><h1><a href='/'>某某市人民政府</a></h1></div>"
            f"<div class='article'>{para * 4}</div></body></html>")
    raw = load_file(_write(tmp_path, "n.html", page.encode("utf-8")))
    assert raw.title_hint == "关于开展学习活动的通知"
    assert "为深入贯彻落实党中央决策部署" in raw.text and "某某市人民政府" not in raw.text.split("\n")[0]
