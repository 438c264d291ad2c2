"""ingest.clean: every clutter line of the five sample captures goes, every article paragraph stays verbatim."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, SEEDS

from ingest.clean import Cleaned, clean_text, clutter_reason

# Nothing in the articles themselves contains these; all of them are page furniture.
CLUTTER_MARKERS = ["投稿邮箱", "qizhixmt", "站内搜索", ">>", "文字缩放", "送签", "签发", "扫一扫", "相关专题", "党建专题",
                   "版权所有", "ICP备", "公网安备", "期刊阅览", "网上投稿", "联系我们", "网站首页", "词典首页", "请输入",
                   "随便看", "学术资源", "分享平台", "Copyright", "puapp", "更新时间", "责任编辑", "宋明晏", "当前位置",
                   "详情页面", "本刊策划"]
# Expected removals per capture (whole lines, indentation stripped).
REMOVED = {
    "000": ["投稿邮箱:qizhixmt@126.com", "站内搜索:", "旗帜网 >> 期刊 >> 《机关党建研究》杂志 >> 2025年第2期",
            "文字缩放:", "(\u00a0编辑:谢淳子\u00a0\u00a0\u00a0送签:谢淳子\u00a0\u00a0\u00a0签发:陈诚\u00a0)"],
    "001": ["相关专题 |", "· 党建专题 |", "微信“扫一扫”添加“学习大国”"],
    "002": [],
    "003": ["当前位置:首页>>详情页面", "期刊阅览 | 网上投稿 | 联系我们"],
    "004": ["网站首页\u00a0\u00a0词典首页", "请输入您要查询的论文:", "责任编辑 / 宋明晏", "随便看",
            "Copyright\u00a0© 2004-2023 puapp.net All Rights Reserved", "更新时间:2024/12/22 16:16:22"],
}
_EDGE = " \t\u3000\u00a0\ufeff"
_LABELS = re.compile(r"^(?:标题|范文)[ \u00a0\u3000]+")


def _raw(key: str) -> str:
    return (CORPUS / SEEDS[key]).read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=sorted(SEEDS))
def seed(request):
    key = request.param
    raw = _raw(key)
    return key, raw, clean_text(raw)


def test_corpus_is_the_unchanged_seeds():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared seeds not available")
    for key, name in SEEDS.items():
        (orig,) = shared.glob(f"{key}_*.txt")
        assert (CORPUS / name).read_bytes() == orig.read_bytes(), name


def test_no_clutter_survives(seed):
    key, raw, c = seed
    assert isinstance(c, Cleaned)
    for marker in CLUTTER_MARKERS:
        assert marker not in c.text, (key, marker)
    for line in REMOVED[key]:
        assert line in c.removed, (key, line, c.removed)


def test_no_article_paragraph_lost(seed):
    """Every raw line longer than 60 characters that is not clutter appears verbatim (minus indentation)."""
    key, raw, c = seed
    kept = set(c.text.split("\n"))
    blurbs = [r for r in c.removed if len(r) > 60]
    assert all("免费提供" in b for b in blurbs), blurbs  # the only long clutter line is 004's site blurb
    n = 0
    for line in raw.split("\n"):
        s = _LABELS.sub("", line.strip(_EDGE))
        if len(s) > 60 and s not in blurbs:
            n += 1
            assert s in kept, (key, s[:50])
    assert n >= 10


def test_cleaned_lines_are_verbatim_raw_lines(seed):
    """Nothing inside a line is changed: each cleaned line is a raw line (or its tail after a site label)."""
    key, raw, c = seed
    raw_lines = [ln.strip(_EDGE) for ln in raw.split("\n")]
    for line in c.text.split("\n"):
        assert line, "no blank lines"
        assert line == line.strip(_EDGE), "indentation stripped"
        assert any(r == line or r.endswith(line) for r in raw_lines), (key, line[:50])
    # ASCII punctuation of the captures is left alone
    assert (",") in c.text and "“" in c.text


def test_specific_content_kept():
    c0 = clean_text(_raw("000")).text.split("\n")
    assert c0[0] == "守正创新\u00a0 务实笃行\u00a0 以高质量党建推动机关工作高质量发展"  # '本刊策划 | ' label stripped
    assert "全国人大常委会机关党组" in c0 and "2025年04月03日16:04" in c0
    assert c0[-1] == "来源:《机关党建研究》2025年第2期"
    c1 = clean_text(_raw("001")).text.split("\n")
    assert c1[0] == "2025年02月05日16:44 来源:旗帜微平台"
    assert c1[-1].startswith("2025年是“十四五”规划收官之年")
    assert "改革扬帆风正劲,击鼓催征再出发。" in c1  # short one-sentence paragraph
    c2 = clean_text(_raw("002"))
    assert c2.removed == [] and c2.text.split("\n") == [ln for ln in _raw("002").split("\n") if ln.strip()]
    c3 = clean_text(_raw("003")).text.split("\n")
    assert c3[0] == "铸魂增智正风促干 聚力建设“四个机关”"
    assert c3[1].startswith("2023年第10期") and "作者:文/游金霞" in c3[1]
    assert c3[2].startswith("春华秋实,岁物丰成。")  # full-width indentation stripped
    c4 = clean_text(_raw("004"))
    lines4 = c4.text.split("\n")
    assert lines4[0] == "建立“两项机制”推动全面从严治党向纵深发展"
    assert lines4[1].startswith("为深入贯彻落实党的十九大精神")
    assert lines4[-1] == "(作者:吕和顺,中共北京市直机关工委常务副书记)"
    assert "“两项机制”的重大意义" in lines4 and "议事规则。《沟通联系办法》" not in lines4
    assert "标题" in c4.removed and "范文" in c4.removed


def test_idempotent(seed):
    key, raw, c = seed
    again = clean_text(c.text)
    assert again.text == c.text and again.removed == []


# --- general rules on other captures ---------------------------------------------------------

GOV_CAPTURE = """下载
打印
全屏
收藏
【字号：
加大
还原
减小
】
您的位置:
首页
>
云南要闻
2026年政府工作报告
来源：云南日报
2026-02-03 09:02:33
【字体：
大
中
小
】
——2026年1月28日在云南省第十四届人民代表大会第四次会议上
省长\u3000王予波
各位代表：
\u3000\u3000现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。
生态底色更加亮丽。
》》点击图片进入专题《《
收藏
|
分享到:
分享到微信
×
责任编辑：
李莎莎
扫一扫在手机打开当前页
阅读量：
相关附件>>
abcd39f1fb7f426d9dfb6bd0fa1f2146:
关于政府工作报告的决议
【
打印本页
】
建议使用1024×768分辨率浏览本网站
网站标识码：5300000035
"""


def test_gov_site_toolbars_and_trails():
    c = clean_text(GOV_CAPTURE)
    assert c.text.split("\n") == [
        "2026年政府工作报告",
        "来源：云南日报",
        "2026-02-03 09:02:33",
        "——2026年1月28日在云南省第十四届人民代表大会第四次会议上",
        "省长\u3000王予波",
        "各位代表：",
        "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。",
        "生态底色更加亮丽。",
    ]
    assert "云南要闻" in c.removed and "李莎莎" in c.removed and "关于政府工作报告的决议" in c.removed


def test_multi_line_breadcrumb_keeps_title():
    c = clean_text("首页\n>\n政府信息公开\n>\n政府工作报告\n陕西省2026年政府工作报告\n时间：\n2026-02-02 09:20\n")
    assert c.text.split("\n") == ["陕西省2026年政府工作报告", "时间：", "2026-02-02 09:20"]


@pytest.mark.parametrize("line", [
    "充分运用新闻报道、信息简报及人大官网、微信公众号、《楚天主人》杂志等宣传矩阵，及时反映主题教育进展成效。",
    "加强版权保护，严厉打击侵权盗版行为，版权所有人依法享有相应权利。",
    "版权所有人的权利",
    "未经许可，不得开展犬只养殖、诊疗活动。",
    "推行“二维码”管理",
    "“扫一扫”即可办理",
    "审核流程",
    "编辑部全体同志",
    "序号 | 名称 | 数量",
    "| 项目 | 标准 |",
    "|---|---|",
    "申请→受理→审核→办结",
    "查询方式",
    "来源：",
    "省长 李炳军",
    "第一条 为了规范网站管理，制定本条例。",
    "# 中华人民共和国网络安全法",
    "2020年5月28日 第十三届全国人民代表大会第三次会议通过",
    "（作者：吕和顺，中共北京市直机关工委常务副书记）",
    "微信公众号运营管理办法",
    "下载中心管理规定",
    "党建专题",
    "> > 引用的原文",
])
def test_content_with_keywords_is_kept(line):
    assert clutter_reason(line) == "", line
    assert clean_text(line).text == line


@pytest.mark.parametrize("line", [
    "投稿邮箱：news@example.gov.cn",
    "当前位置：首页 > 新闻中心 > 工作动态",
    "首页 >> 党建研究 >> 正文",
    "【责任编辑：张三】",
    "（责编：李四、王五）",
    "编辑：何继红",
    "Copyright © 2024 某某网 版权所有",
    "主办单位：某某市人民政府办公室  承办：某某市大数据中心",
    "京ICP备12345678号-1",
    "京公网安备 11010102000001号",
    "关注“学习强国”公众号",
    "打印本页 关闭窗口",
    "上一篇 下一篇",
    "浏览次数：1024",
    "更新时间：2024-12-22 16:16:22",
    "转载请注明出处",
    "本网站所有内容，未经许可不得转载。",
])
def test_generic_clutter_lines(line):
    assert clutter_reason(line), line
    assert clean_text(f"正文第一段，内容完整。\n{line}\n正文第二段。").text == "正文第一段，内容完整。\n正文第二段。"


def test_indentation_blank_lines_and_crlf():
    c = clean_text("\r\n\u3000\u3000第一段，有缩进。  \r\n\r\n\r\n\t第二段。\r  \u00a0\r\n第三段\u3000中间的全角空格保留。")
    assert c.text == "第一段，有缩进。\n第二段。\n第三段\u3000中间的全角空格保留。"
    assert c.removed == []


def test_column_label_only_before_a_title():
    assert clean_text("本刊策划 | 守正创新 务实笃行 推动机关工作高质量发展").text == "守正创新 务实笃行 推动机关工作高质量发展"
    row = "姓名 | 职务 | 工作单位及职务说明"
    assert clean_text(row).text == row  # a plain-text table row keeps its first cell


def test_html_comments_are_dropped():
    """lawrefbook marks the end of its header with <!-- INFO END -->; it must not become a passage."""
    c = clean_text("# 某某条例\n\n<!-- INFO END -->\n\n第一条 为了规范<!-- 注 -->管理，制定本条例。\n<!-- 多行\n注释 -->\n第二条 本条例自公布之日起施行。")
    assert c.text == "# 某某条例\n第一条 为了规范管理，制定本条例。\n第二条 本条例自公布之日起施行。"
    assert "<!-- INFO END -->" in c.removed
    assert clean_text("a <!-- 未闭合的注释 b").text == "a <!-- 未闭合的注释 b"  # no closing marker: kept
