"""The format table (ingest.loaders): one registration makes a format loadable by the ingest job,
accepted (and content-checked) by uploads and offered by the library tab's upload component.

Everything runs the real parts: the e5 embedder, the Qdrant engine, the Gradio tab; no mocks.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import make_settings

from ingest import Ingestor, UploadRejected, accept_upload, iter_files
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    FileFormat,
    LoadError,
    RawText,
    discover_formats,
    format_for,
    formats,
    formats_text,
    load_file,
    register_format,
    text_check,
    unregister_format,
)
from policyqa.types import Document

BODY = ("第一条　为了规范玩具格式文件的导入，制定本办法。\n"
        "第二条　本办法适用于各单位报送的学习材料，各单位要认真组织学习，确保取得实效。\n"
        "第三条　本办法自发布之日起施行。\n")


# -- a toy format: first line 'TOY', then 'title: …', then the body ---------------------------------


def load_toy(path: Path) -> RawText:
    lines = path.read_text("utf-8").splitlines()
    if not lines or lines[0].strip() != "TOY":
        raise LoadError("不是玩具格式文件（缺少 TOY 标记）")
    title = ""
    body = []
    for ln in lines[1:]:
        if ln.startswith("title:") and not title:
            title = ln.removeprefix("title:").strip()
        else:
            body.append(ln)
    return RawText(path=path, text="\n".join(body), fmt="toy", title_hint=title)


def check_toy(path: Path, head: bytes, suffix: str) -> None:
    if not text_check(path, head, suffix).startswith("TOY"):
        raise LoadError("不是玩具格式文件（开头没有 TOY 标记）：请检查后重新上传。")


def toy_bytes(title: str = "玩具格式管理办法") -> bytes:
    return f"TOY\ntitle: {title}\n{BODY}".encode()


@pytest.fixture()
def toy():
    fmt = register_format(name="toy", suffixes=(".toy",), loader=load_toy, check=check_toy,
                          label="玩具格式", kind="text/x-toy", empty_reason="文件为空")
    try:
        yield fmt
    finally:
        unregister_format("toy")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


# -- the table itself ----------------------------------------------------------------------------


def test_builtins_are_records_of_the_same_table():
    names = [f.name for f in formats()]
    assert names[:5] == ["txt", "md", "html", "docx", "pdf"]
    assert all(isinstance(f, FileFormat) and f.label and f.kind and f.check for f in formats()[:5])
    assert format_for(".MARKDOWN").name == "md" and format_for("报告.HTM").name == "html"
    assert format_for(".xlsx") is None
    assert formats_text() == ".txt、.md、.markdown、.html、.htm、.docx、.pdf"
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}


def test_register_refuses_taken_or_invalid_suffixes():
    with pytest.raises(ValueError, match=r"\.md 已属于文档格式 md"):
        register_format(name="md2", suffixes=(".md",), loader=load_toy, label="重复")
    with pytest.raises(ValueError, match="无效的扩展名"):
        register_format(name="tgz", suffixes=(".tar.gz",), loader=load_toy, label="压缩包")
    assert format_for(".md").name == "md" and format_for(".tar") is None


def test_registration_is_live_everywhere(toy):
    assert ".toy" in SUPPORTED_SUFFIXES and format_for(".TOY") is toy
    assert formats_text().endswith(".pdf、.toy")
    unregister_format("toy")
    assert ".toy" not in SUPPORTED_SUFFIXES
    with pytest.raises(LoadError, match=r"不支持的文件格式：\.toy"):
        load_file(Path("x.toy"))


# -- (a) the ingest job loads a .toy file into a Document -------------------------------------------


def test_ingest_loads_toy_file_into_document(toy, tmp_path):
    path = _write(tmp_path / "in", "办法.toy", toy_bytes())
    raw = load_file(path)
    assert raw.fmt == "toy" and raw.title_hint == "玩具格式管理办法" and raw.text.startswith("第一条")
    with pytest.raises(LoadError, match="^文件为空$"):  # the format's own empty_reason
        load_file(_write(tmp_path, "blank.toy", b"TOY\n \n"))
    assert list(iter_files([tmp_path / "in"])) == [(path, "")]  # the job's walk accepts it

    ing = Ingestor.open(make_settings(tmp_path / "home"), progress=False)
    try:
        prepared = ing.prepare(path, {})
        assert isinstance(prepared.doc, Document)
        assert prepared.doc.meta.title == "玩具格式管理办法"
        assert "第二条　本办法适用于各单位报送的学习材料" in prepared.doc.text and "TOY" not in prepared.doc.text
        report = ing.run([path])
        assert [(f.status, f.title) for f in report.files] == [("added", "玩具格式管理办法")], report.files
        assert report.files[0].n_passages >= 1
    finally:
        ing.close()
        ing.res.close()


# -- (b) uploads accept a .toy file and run the toy's own content check ------------------------------


def test_upload_accepts_and_checks_toy(toy, tmp_path):
    settings = make_settings(tmp_path / "home", max_upload_mb=1)
    stored = accept_upload(_write(tmp_path, "incoming/src.bin", toy_bytes()), "../学习办法.toy", settings)
    assert stored.name == "学习办法.toy" and stored.parent == (settings.home_path / "uploads").resolve()
    assert stored.read_bytes() == toy_bytes()

    cases = [
        ("纯文本，没有标记。\n".encode(), r"^不是玩具格式文件（开头没有 TOY 标记）：请检查后重新上传。$"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), r"^扩展名为 \.toy，但内容是PNG 图片：请改用正确的扩展名"),
        (" \n\u3000".encode("utf-8"), r"^文件为空（只有空白）"),
    ]
    for i, (data, reason) in enumerate(cases):
        with pytest.raises(UploadRejected, match=reason):
            accept_upload(_write(tmp_path, f"incoming/bad{i}.bin", data), f"坏文件{i}.toy", settings)
    assert sorted(p.name for p in stored.parent.iterdir()) == ["学习办法.toy"]  # nothing else stored

    with pytest.raises(UploadRejected) as ei:
        accept_upload(_write(tmp_path, "incoming/x.bin", b"x"), "表格.xlsx", settings)
    assert str(ei.value) == ("不支持的文件格式（.xlsx）：请上传 .txt、.md、.markdown、.html、.htm、.docx、.pdf、"
                             ".toy 文件，其他格式请先另存为其中一种。")


def test_upload_without_check_and_with_a_faulty_check(tmp_path):
    settings = make_settings(tmp_path / "home", max_upload_mb=1)

    def broken_check(path: Path, head: bytes, suffix: str) -> None:
        raise RuntimeError("bug in a plugin")

    register_format(name="raw", suffixes=(".raw",), loader=load_toy, label="无检查格式")
    register_format(name="oops", suffixes=(".oops",), loader=load_toy, label="出错格式", check=broken_check)
    try:
        assert accept_upload(_write(tmp_path, "i/a.bin", b"\x00\x01anything"), "a.raw", settings).name == "a.raw"
        with pytest.raises(UploadRejected, match=r"^无法检查文件内容（出错格式：RuntimeError）：请"):
            accept_upload(_write(tmp_path, "i/b.bin", b"TOY\n"), "b.oops", settings)
    finally:
        unregister_format("raw")
        unregister_format("oops")


# -- (c) the library tab offers .toy; .markdown is accepted by the library upload ---------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from webui.service import AppService

    svc = AppService(make_settings(tmp_path_factory.mktemp("libhome"), max_upload_mb=1), backend="none")
    yield svc
    svc.close()


def _built_upload(svc):
    import gradio as gr

    from webui import library_tab

    with gr.Blocks() as demo:
        library_tab.build(svc, [])
    found = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "pq-upload"]
    assert len(found) == 1
    return found[0]


def _passes_component(upload, path: Path) -> bool:
    """The Gradio component's own server-side file-type check (``File.preprocess``)."""
    import gradio as gr
    from gradio.data_classes import FileData, ListFiles

    try:
        return upload.preprocess(ListFiles(root=[FileData(path=str(path), orig_name=path.name)])) == [str(path)]
    except gr.Error:
        return False


def test_library_tab_offers_registered_formats(toy, service, tmp_path):
    upload = _built_upload(service)
    assert ".toy" in upload.file_types and ".markdown" in upload.file_types
    assert upload.file_types == list(SUPPORTED_SUFFIXES)
    assert upload.label == "上传资料（.txt、.md、.markdown、.html、.htm、.docx、.pdf、.toy；单个文件不超过 1 MB）"
    assert _passes_component(upload, _write(tmp_path, "办法.toy", toy_bytes()))
    assert not _passes_component(upload, _write(tmp_path, "表格.xlsx", b"x"))


def test_library_tab_without_toy(service, tmp_path):
    upload = _built_upload(service)
    assert upload.file_types == [".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"]
    assert _passes_component(upload, _write(tmp_path, "说明.markdown", b"# T\nx"))  # refused before the table
    assert not _passes_component(upload, _write(tmp_path, "办法.toy", toy_bytes()))


def test_library_upload_accepts_markdown_and_toy(toy, service, tmp_path):
    md = textwrap.dedent("""\
        # 学习材料说明

        第一条　各支部要认真组织学习，确保学习教育取得实效。
        第二条　学习材料由机关党委统一印发。
        """).encode("utf-8")
    files = [(_write(tmp_path, "g1/学习说明.markdown", md), "学习说明.markdown"),
             (_write(tmp_path, "g2/办法.toy", toy_bytes("玩具办法")), "办法.toy"),
             (_write(tmp_path, "g3/坏.toy", "没有标记".encode()), "坏.toy")]
    report, rejected, names = service.upload(files)
    assert rejected == [("坏.toy", "不是玩具格式文件（开头没有 TOY 标记）：请检查后重新上传。")]
    assert sorted(names.values()) == ["办法.toy", "学习说明.markdown"]
    assert [f.status for f in report.files] == ["added", "added"], [(f.path, f.reason) for f in report.files]
    titles = {d.title for d in service.docs()}
    assert {"学习材料说明", "玩具办法"} <= titles


# -- third-party formats through the 'policyqa.formats' entry-point group ------------------------------


PLUGIN = '''
from ingest.loaders import FileFormat, register_format


def _load(path):
    return path.read_text("utf-8").replace("|", "\\n")


def formats():
    return [FileFormat(name="pipe", suffixes=(".pipe",), loader=_load, label="竖线分隔文本", kind="text/x-pipe")]


def register():
    register_format(name="bar", suffixes=(".bar",), loader=_load, label="另一种文本")


CLASH = FileFormat(name="fake_txt", suffixes=(".txt",), loader=_load, label="冒充的文本")
'''


def test_entry_point_plugins_are_discovered(tmp_path, monkeypatch):
    import importlib

    (tmp_path / "pq_toy_plugin.py").write_text(PLUGIN, encoding="utf-8")
    dist = tmp_path / "pq_toy_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pq-toy-plugin\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[policyqa.formats]\npipe = pq_toy_plugin:formats\nbar = pq_toy_plugin:register\n"
        "clash = pq_toy_plugin:CLASH\nbroken = pq_toy_plugin_missing:formats\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        found = discover_formats()
        assert "pipe" in found and "fake_txt" not in found
        assert format_for(".pipe").label == "竖线分隔文本" and format_for(".bar").name == "bar"
        assert format_for(".txt").name == "txt"  # a clashing plugin is skipped, the built-in stays
        p = _write(tmp_path, "a.pipe", "第一条　甲|第二条　乙".encode())
        raw = load_file(p)
        assert raw.fmt == "pipe" and raw.text == "第一条　甲\n第二条　乙"
        assert ".pipe" in formats_text() and ".bar" in SUPPORTED_SUFFIXES
    finally:
        unregister_format("pipe")
        unregister_format("bar")
