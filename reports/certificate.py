"""The result certificate: one A4 page in the candidate's language, with a verification code and a QR code.

Pure rendering: the caller passes every text already translated, and gets PDF bytes back.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.pdf import FONT, FONT_BOLD, styles


@dataclass(frozen=True)
class Certificate:
    language: str
    labels: Mapping[str, str]          # title, candidate, iin, program, date, language, result, section,
                                       # score, requirement, code, verify, valid_until
    full_name: str
    iin_masked: str
    program_title: str
    taken_on: str                      # already formatted for the locale
    language_name: str
    verdict: str                       # e.g. "Passed: 41 correct of 55"
    rows: tuple[tuple[str, str, str], ...]  # (section, score, requirement or level)
    reasons: tuple[str, ...]
    verification_code: str
    verify_url: str
    valid_until: str | None = None


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def render_certificate(data: Certificate) -> bytes:
    sheet = styles()
    text = lambda value, style="Normal": Paragraph(escape(value), sheet[style])  # noqa: E731
    facts = [
        (data.labels["candidate"], data.full_name), (data.labels["iin"], data.iin_masked),
        (data.labels["program"], data.program_title), (data.labels["date"], data.taken_on),
        (data.labels["language"], data.language_name),
    ]
    if data.valid_until:
        facts.append((data.labels["valid_until"], data.valid_until))
    story = [text(data.labels["title"], "Title"), Spacer(1, 4 * mm)]
    story.append(Table([[text(k), text(v)] for k, v in facts], colWidths=[45 * mm, 125 * mm],
                       style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])))
    story += [Spacer(1, 5 * mm), text(data.verdict, "Heading2")]
    rows = [[text(data.labels["section"]), text(data.labels["score"]), text(data.labels["requirement"])]]
    rows += [[text(a), text(b), text(c)] for a, b, c in data.rows]
    story.append(Table(rows, colWidths=[95 * mm, 35 * mm, 40 * mm], repeatRows=1, style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP")])))
    for reason in data.reasons:
        story.append(text(reason))
    story += [Spacer(1, 8 * mm), Table([[
        _qr(data.verify_url, 32 * mm),
        [text(f"{data.labels['code']}: {data.verification_code}", "Heading3"),
         text(f"{data.labels['verify']}: {data.verify_url}", "Small")],
    ]], colWidths=[38 * mm, 132 * mm], style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=data.labels["title"], author="Merit",
                      lang=data.language).build(story)
    return buffer.getvalue()
