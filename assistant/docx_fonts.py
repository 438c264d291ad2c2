"""Chinese fonts in Word files: python-docx sets only the Latin font name, the East Asian one lives in
``w:rFonts`` (shared by the outline, quiz and 新旧对照 exports); the printed page of those exports."""
from __future__ import annotations

from typing import Any

__all__ = ["A4_MM", "MARGINS_MM", "set_a4_page", "set_element_font", "set_print_styles", "set_style_font"]


def set_element_font(element: Any, name: str) -> None:
    """East Asian, ASCII and hAnsi font of a style's or a run's element."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)
    # A theme font (the template's headings use them) would take precedence over the names just set.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def set_style_font(style: Any, name: str, size_pt: float | None = None) -> None:
    from docx.shared import Pt

    style.font.name = name
    set_element_font(style.element, name)
    if size_pt:
        style.font.size = Pt(size_pt)


# Page and type of a printed 公文-like document (GB/T 9704 as the reference): A4, top 37 mm, bottom 35 mm,
# left 28 mm, right 26 mm; body 仿宋, headings 黑体 / 楷体.
A4_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "仿宋", "黑体", "楷体"


def set_a4_page(doc: Any) -> None:
    """Every section of ``doc``: A4 portrait with the 公文 margins (python-docx's template is US Letter)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    for sec in doc.sections:
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        sec.header_distance, sec.footer_distance = Mm(15), Mm(20)


def set_print_styles(doc: Any, body_pt: float = 16, heading_pt: float = 16, title_pt: float = 22) -> None:
    """Body 仿宋, title and heading levels 1–2 黑体 (一、), level 3 楷体 (（一）), all black, East Asian and Latin
    names alike; then the page (:func:`set_a4_page`)."""
    from docx.shared import Pt, RGBColor

    set_style_font(doc.styles["Normal"], BODY_FONT, body_pt)
    pf = doc.styles["Normal"].paragraph_format
    pf.space_after = Pt(0)
    pf.line_spacing = 1.25
    for name, font, size in (("Title", HEADING_FONT, title_pt), ("Heading 1", HEADING_FONT, heading_pt),
                             ("Heading 2", HEADING_FONT, heading_pt), ("Heading 3", SUBHEADING_FONT, heading_pt)):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        set_style_font(style, font, size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name in ("Title", "Heading 1")
        style.font.italic = False
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(3)
    set_a4_page(doc)
