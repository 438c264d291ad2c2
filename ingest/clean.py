"""Remove web-capture clutter (navigation, toolbars, footers, QR-code lines…) from text.

Rules match line *shapes* — short lines made of UI words, breadcrumbs, editor sign-offs,
copyright / ICP footers — never a keyword inside a real paragraph. Article paragraphs are
kept verbatim apart from leading/trailing indentation; blank lines are dropped so the
result is one paragraph per line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Cleaned", "clean_text", "clutter_reason", "strip_line"]


@dataclass
class Cleaned:
    text: str
    """Cleaned text: one paragraph per line, no blank lines."""
    removed: list[str] = field(default_factory=list)
    """Dropped lines (or line fragments such as a '标题 ' label), in order."""


# Indentation and invisible characters stripped from both ends of each line.
_EDGE = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\u200c\u200d\u2060\ufeff\x0b\x0c"
_SENT = set("。！？；!?;")


def strip_line(line: str) -> str:
    return line.strip(_EDGE)


def _has_sentence(s: str) -> bool:
    return any(c in _SENT for c in s)


# --- single-line rules ---------------------------------------------------------------------

# Site labels glued to content at line start ("标题 建立…", "范文 为深入…").
_LABEL_RE = re.compile(r"^(?:标题|题目|范文|正文|原文)[ \t\u3000\u00a0]+(?=\S)")
# Column label before a title: "本刊策划 | 守正创新…"
_COLUMN_RE = re.compile(r"^[^\s|｜]{2,6}\s*[|｜]\s*(?=\S)")

_SUBMIT_RE = re.compile(r"^(?:投稿|来稿|联系|官方)?(?:邮箱|信箱|E-?mail|电子邮件)\s*[:：]?\s*\S*@", re.I)
_EMAIL_ONLY_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_SEARCH_RE = re.compile(r"^(?:(?:站内|全站|网站|本站)(?:搜索|检索)|(?:搜索|检索)\s*[:：]?\s*$)")
_PROMPT_RE = re.compile(r"^请输入")
_LOCATION_RE = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|所在位置|当前页面|现在位置)\s*[:：]?")
_CRUMB_SEP_RE = re.compile(r"\s*(?:>>|＞＞|»|›|>|＞)\s*")
_CRUMB_SEP_LINE = {">", ">>", "＞", "＞＞", "»", "›", "/"}
_SEP_ONLY_RE = re.compile(r"^[|｜>＞»›<【】\[\]×✕·•/\\]+$")  # not '-' / '|---|': Markdown rules, tables
_ROLES = (r"责任编辑|责编|网络编辑|值班编辑|编辑|编审|主编|审核|审校|审签|校对|校审|终审|初审|复审|二审|三审|"
          r"送签|签发|监制|美编|排版")
_ROLE_SEG = rf"(?:{_ROLES})(?:\s*[:：/／]\s*|\s+)[^\s:：/／()（）\[\]【】]{{1,12}}(?:\s*[、，,]\s*[^\s:：()（）]{{1,12}})*"
_EDITOR_RE = re.compile(rf"^{_ROLE_SEG}(?:\s+{_ROLE_SEG})*$")
_EDITOR_LABEL_RE = re.compile(rf"^(?:{_ROLES})\s*[:：/／]?$")
_QR_RE = re.compile(r"扫一扫.{0,12}(?:微信|手机|二维码|添加|关注|打开|阅读|分享|当前页|本页)|(?:微信|手机).{0,4}扫一扫|"
                    r"扫描.{0,4}二维码|扫码(?:关注|阅读|下载|分享|打开|收听|观看|添加)|二维码(?:关注|分享|下载)|"
                    r"在手机(?:上)?(?:打开|阅读|查看|浏览)|手机(?:扫描|扫码)|分享到(?:微信|朋友圈|微博|QQ)|长按(?:识别|关注)|"
                    r"^点击(?:图片|这里|此处|进入|查看|阅读原文|下载|关注)|^[》>]+\s*点击|关注.{0,12}(?:公众号|微信号)$")
_COPYRIGHT_RE = re.compile(r"^(?:版权所有(?![人者权])|版权声明|Copyright|\(c\)|（c）)|©|All\s+Rights\s+Reserved|ICP\s*(?:备|证)\s*\d|"
                           r"公网安备\s*\d|网站标识码|网站识别码|(?:主办|承办)(?:单位)?\s*[:：].{0,40}(?:承办|协办|技术支持)",
                           re.I)
_BROWSER_RE = re.compile(r"(?:建议|推荐|最佳)(?:使用|采用|浏览).{0,30}(?:浏览器|分辨率)")
_DISCLAIMER_RE = re.compile(r"^(?:凡本(?:网站|网|站)|本(?:网站|网|站)(?:所有|部分|文章|内容|刊登|转载|注明)|免责声明|网站声明|"
                            r"转载请注明|未经本(?:网站|网|站)|如有侵权)")
_SITE_TIME_RE = re.compile(r"^(?:更新时间|最后更新|最近更新|更新日期|修改时间|采集时间|抓取时间|入库时间)\s*[:：]")
_COUNTER_RE = re.compile(r"^(?:阅读量|阅读数|阅读次数|阅读|浏览量|浏览次数|浏览|点击数|点击量|点击率|点击|访问量|访问次数|人气|热度)"
                         r"\s*[:：]?\s*[\d,，]*\s*(?:次|人次)?$")
_HEXID_RE = re.compile(r"^[0-9a-f]{16,}[:：]?$", re.I)
_PHOTO_RE = re.compile(r"\s[\u4e00-\u9fff]{2,4}\s*(?:摄|供图)$")
_LIST_MARKERS = {"随便看", "随便看看", "猜你喜欢", "相关阅读", "相关推荐", "相关文章", "相关新闻", "相关报道", "相关文档",
                 "相关附件", "相关链接", "推荐阅读", "热门文章", "热门推荐", "热点推荐", "精彩推荐", "阅读排行",
                 "点击排行", "排行榜", "最新文章", "最新更新", "往期回顾", "往期精彩", "热门标签", "友情链接"}
_UI_WORDS = {
    "下载", "打印", "全屏", "收藏", "分享", "分享到", "加大", "减小", "还原", "默认", "大", "中", "小", "字号", "字体",
    "文字", "文字缩放", "缩放", "字体大小", "关闭", "关闭窗口", "打印本页", "打印此页", "打印本文", "返回", "返回顶部",
    "顶部", "首页", "网站首页", "词典首页", "上一页", "下一页", "上一篇", "下一篇", "联系我们", "关于我们",
    "网站地图", "登录", "注册", "期刊阅览", "网上投稿", "在线投稿", "设为首页", "加入收藏", "微信", "微博", "QQ",
    "QQ空间", "朋友圈", "手机版", "无障碍", "长者模式", "繁体", "简体", "繁體", "English", "纠错", "我要纠错",
    "评论", "点赞", "更多", "查看更多", "×", "✕", "相关专题", "帮助", "意见反馈", "免责声明", "隐私政策", "网站声明",
    "版权声明", "分享到微信", "分享到微博", "听新闻", "语音播报", "视力保护色", "手机阅读", "打开",
}
_UI_SPLIT_RE = re.compile(r"[\s|｜/·•【】\[\]（）()：:、，,>＞»›<《》]+")
_NAV_TOKEN_RE = re.compile(r"^.{0,6}(?:首页|专题|频道|栏目)$")
_BLURB_WORDS = ("学术资源", "百科知识", "知识分享", "分享平台", "免费提供", "在线阅读", "下载服务", "app下载", "资源检索",
                "各类范文", "学术论文", "学术文献", "教学资料", "工具书", "欢迎访问", "本站", "本网站", "知识科普",
                "生活经验")
_META_RE = re.compile(r"(?:来源|作者|发布时间|发表时间|发布日期|时间)\s*[:：]|^\d{4}\s*[年\-/.]\s*\d{1,2}")


def _ui_line(s: str) -> bool:
    """A short line made only of toolbar / navigation words ('网站首页  词典首页', '【字号：加大 还原】')."""
    if len(s) > 40:
        return False
    tokens = [t for t in _UI_SPLIT_RE.split(s) if t]
    if not tokens:
        return False
    decorated = bool(re.search(r"[|｜·•>＞»【】]", s)) or len(tokens) >= 2
    for t in tokens:
        if t in _UI_WORDS:
            continue
        if decorated and _NAV_TOKEN_RE.match(t):
            continue
        return False
    return True


def _nav_bar(s: str) -> bool:
    """'期刊阅览 | 网上投稿 | 联系我们', '相关专题 |', '· 党建专题 |' — short pipe-separated segments."""
    if len(s) > 80 or s.startswith(("|", "｜")) or _has_sentence(s) or not re.search(r"[|｜]", s):
        return False
    segs = [seg.strip(_EDGE + "·•") for seg in re.split(r"[|｜]", s)]
    segs = [seg for seg in segs if seg]
    if not segs or any(len(seg) > 8 for seg in segs):
        return False
    # a plain-text table row ('序号 | 名称 | 数量') is content: need a nav shape or nav words
    if s.endswith(("|", "｜")) or s.startswith(("·", "•")):
        return True
    navish = sum(seg in _UI_WORDS or bool(_NAV_TOKEN_RE.match(seg)) for seg in segs)
    return navish * 2 >= len(segs)


def _breadcrumb(s: str) -> bool:
    if len(s) > 120 or _has_sentence(s):
        return False
    if _LOCATION_RE.match(s):
        return True
    parts = [p for p in _CRUMB_SEP_RE.split(s) if p]  # '> > 引文' (Markdown quote) has one part
    if len(parts) < 3 and not (len(parts) == 2 and ">>" in s and "首页" in s):
        return False
    return all(len(p) <= 30 for p in parts)


def clutter_reason(line: str) -> str:
    """Why a single (stripped) line is clutter, or '' if it may be content.

    Context-free; :func:`clean_text` adds context rules (link lists after '相关阅读',
    a name on the line after '责任编辑：', breadcrumb trails split over several lines).
    """
    s = strip_line(line)
    if not s:
        return ""
    n = len(s)
    short = n <= 60 and not _has_sentence(s)
    if _SEP_ONLY_RE.match(s):
        return "separator"
    if n <= 80 and (_SUBMIT_RE.match(s) or _EMAIL_ONLY_RE.match(s)):
        return "email"
    if n <= 30 and ((_SEARCH_RE.match(s) and len(_SEARCH_RE.sub("", s)) <= 12) or _PROMPT_RE.match(s)):
        return "search"
    if _breadcrumb(s):
        return "breadcrumb"
    if short and _ui_line(s):
        return "toolbar"
    if _nav_bar(s):
        return "navbar"
    inner = s[1:-1].strip(_EDGE) if s[0] in "(（【[" and s[-1] in ")）】]" else s
    if n <= 80 and (_EDITOR_RE.match(inner) or _EDITOR_LABEL_RE.match(inner)):
        return "editor"
    if n <= 50 and not _has_sentence(s) and _QR_RE.search(s):
        return "qrcode"
    if n <= 200 and not s.endswith("。") and _COPYRIGHT_RE.search(s):
        return "copyright"
    if n <= 200 and _DISCLAIMER_RE.match(s):
        return "disclaimer"
    if n <= 80 and _BROWSER_RE.search(s):
        return "browser"
    if n <= 60 and _SITE_TIME_RE.match(s):
        return "site-time"
    if _COUNTER_RE.match(s):
        return "counter"
    if _HEXID_RE.match(s):
        return "hex-id"
    if n <= 300 and sum(w.lower() in s.lower() for w in _BLURB_WORDS) >= 3:
        return "site-blurb"
    if n <= 40 and not _has_sentence(s) and _PHOTO_RE.search(s):
        return "photo-credit"
    if _list_marker(s):
        return "list-marker"
    return ""


def _list_marker(s: str) -> bool:
    return s.rstrip(":：>》» \u00a0").strip() in _LIST_MARKERS


# --- the cleaner ---------------------------------------------------------------------------


_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
"""HTML comments in Markdown / text sources are invisible markers (lawrefbook's ``<!-- INFO END -->``
after its header): left in, each became a passage of its own that matched nothing but the title."""


def clean_text(text: str) -> Cleaned:
    """Drop clutter lines, strip indentation and glued site labels; one paragraph per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed: list[str] = []
    if "<!--" in text:
        def drop_comment(m: re.Match[str]) -> str:
            removed.append(" ".join(m.group(0).split())[:80])
            return ""

        text = _COMMENT_RE.sub(drop_comment, text)
    out: list[str] = []
    list_mode = False         # after '相关阅读' etc.: drop the link titles that follow
    name_after_label = False  # after a bare '责任编辑：' line the next short line is the name
    crumb = after_sep = False  # a breadcrumb trail split over lines: '当前位置：' / '首页' / '>' / '栏目'

    for raw in text.split("\n"):
        s = strip_line(raw)
        if not s:
            continue
        m = _LABEL_RE.match(s)
        if m:
            removed.append(m.group(0).strip(_EDGE))
            s = s[m.end():]
        reason = clutter_reason(s)
        short = len(s) <= 40 and not _has_sentence(s) and not _META_RE.search(s)
        if not reason and name_after_label and len(s) <= 8 and short:
            reason = "editor-name"
        if not reason and crumb and after_sep and len(s) <= 15 and short:
            reason = "breadcrumb"
        if not reason and list_mode:
            if short:
                reason = "link-list"
            else:
                list_mode = False
        name_after_label = reason == "editor" and bool(_EDITOR_LABEL_RE.match(s.strip("()（）【】[]" + _EDGE)))

        if not reason:
            crumb = after_sep = False
            m = _COLUMN_RE.match(s)
            rest = s[m.end():] if m else ""
            if m and len(s) <= 80 and len(rest) >= 8 and not _has_sentence(s) and not re.search(r"[|｜]", rest):
                removed.append(m.group(0).strip(_EDGE))
                s = s[m.end():]
            out.append(s)
            continue

        removed.append(s)
        if reason == "list-marker":
            list_mode = True
        if _LOCATION_RE.fullmatch(s) or s in _CRUMB_SEP_LINE:
            crumb = after_sep = True
        elif crumb and reason in ("toolbar", "breadcrumb"):
            after_sep = False
        else:
            crumb = after_sep = False
    return Cleaned(text="\n".join(out), removed=removed)
