"""Shared PDF plumbing: a font with Kazakh and Cyrillic letters (DejaVu Sans, bundled), paragraph styles."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


@cache
def register_fonts() -> None:
    """The base-14 PDF fonts have no Cyrillic or Kazakh letters, so every document embeds DejaVu Sans."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> StyleSheet1:
    """Fresh styles per document (flowables and styles are never shared between builds)."""
    register_fonts()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        if isinstance(style, ParagraphStyle):
            style.fontName = FONT_BOLD if style.name.startswith(("Heading", "Title")) else FONT
    sheet.add(ParagraphStyle("Small", parent=sheet["Normal"], fontSize=8, leading=10))
    return sheet


def page_footer(left: str, page_label: str) -> Callable[[Canvas, object], None]:
    """A footer for every A4 page: `left` at the left margin, "<page_label> <n>" at the right."""
    def draw(canvas: Canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(20 * mm, 10 * mm, left)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"{page_label} {doc.page}")
        canvas.restoreState()
    return draw
