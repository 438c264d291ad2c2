"""Chinese fonts in Word files: python-docx sets only the Latin font name, the East Asian one lives in
``w:rFonts`` (shared by the outline and 新旧对照 exports)."""
from __future__ import annotations

from typing import Any

__all__ = ["set_element_font", "set_style_font"]


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


def set_style_font(style: Any, name: str, size_pt: float | None = None) -> None:
    from docx.shared import Pt

    style.font.name = name
    set_element_font(style.element, name)
    if size_pt:
        style.font.size = Pt(size_pt)
