"""The pass-rate report for HR: rates by group with their intervals, the selection funnel and adverse impact, as PDF.

Pure rendering: the caller passes every text already translated and every number already formatted for the
locale, and the charts already laid out by reports/charts.py (the same layout the dashboard shows as SVG); it
gets PDF bytes back. Deterministic: reportlab's invariant mode fixes the dates and the document ID.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics import shapes as rl
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

from reports.charts import DASH, Chart, Circle, Line, Polygon, Rect, Shape, Text
from reports.pdf import FONT, FONT_BOLD, page_footer, styles

WIDTH = A4[0] - 40 * mm
PADDING = 6                            # reportlab's default left and right cell padding


@dataclass(frozen=True)
class Figures:
    n: str                             # candidates who sat
    passed: str
    rate: str                          # e.g. "52,0 %"
    ci: str                            # e.g. "50,1–53,9 %"


@dataclass(frozen=True)
class GroupRow:
    code: str                          # e.g. "KZ-59"
    name: str
    n: str | None                      # None prints the suppression mark
    passed: str | None
    rate: str | None
    ci_low: str | None
    ci_high: str | None
    suppressed: bool = False           # prints the mark for passed, rate and interval whatever was given
    flag: str = ""                     # translated, e.g. "above", "below"


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    count: str | None
    conversion: str | None             # from the previous stage; None for the first


@dataclass(frozen=True)
class ImpactRow:
    group: str                         # e.g. "Women", "Tested in Russian"
    n: str | None
    rate: str | None
    ratio: str | None                  # the group's rate over the reference group's, e.g. "0,78"
    flag: str = ""                     # translated, e.g. "below four fifths"


@dataclass(frozen=True)
class Appendix:
    """A titled table after the methods, e.g. test quality or interview reliability; values preformatted."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class PassRateReport:
    language: str
    labels: Mapping[str, str]          # national, n, passed, rate, ci, code, group, flag, rates, suppressed (the
                                       # mark, e.g. "—*"), funnel, stage, count, conversion, adverse_impact,
                                       # impact_group, impact_ratio, methods, generated, page
    title: str
    subtitle: str                      # stage, period and dimension, e.g. "Тестирование · 2025 · по областям"
    generated_on: str                  # already formatted for the locale
    national: Figures
    rows: tuple[GroupRow, ...]
    charts: tuple[Chart, ...] = ()     # e.g. charts.rate_bars_chart(...), charts.funnel_chart(...)
    funnel: tuple[FunnelRow, ...] = ()
    adverse_impact: tuple[ImpactRow, ...] = ()
    methods_note: str = ""
    suppression_note: str = ""
    appendices: tuple[Appendix, ...] = ()


# --- charts: the shapes of reports/charts.py drawn with reportlab ------------------------------------------------

def _colour(value: str | None) -> colors.Color | None:
    return None if value is None else colors.HexColor(value)


def _flat(points: Sequence[tuple[float, float]], height: float) -> list[float]:
    return [c for x, y in points for c in (x, height - y)]


def _rl_shape(shape: Shape, height: float) -> rl.Shape:
    """One shape; chart coordinates point down, reportlab's up."""
    match shape:
        case Rect(x, y, w, h, fill, stroke, dashed):
            return rl.Rect(x, height - y - h, w, h, fillColor=_colour(fill), strokeColor=_colour(stroke),
                           strokeWidth=1, strokeDashArray=list(DASH) if dashed else None)
        case Line(points, stroke, width, dashed):
            return rl.PolyLine(_flat(points, height), strokeColor=_colour(stroke), strokeWidth=width,
                               strokeDashArray=list(DASH) if dashed else None)
        case Polygon(points, fill):
            return rl.Polygon(_flat(points, height), fillColor=_colour(fill), strokeColor=None)
        case Circle(x, y, r, fill):
            return rl.Circle(x, height - y, r, fillColor=_colour(fill), strokeColor=None)
        case Text(x, y, text, size, anchor, bold, fill):
            return rl.String(x, height - y, text, fontName=FONT_BOLD if bold else FONT, fontSize=size,
                             fillColor=_colour(fill), textAnchor=anchor)
    raise TypeError(shape)


def chart_drawing(chart: Chart, width: float = WIDTH) -> rl.Drawing:
    """The chart scaled down to the width (never up: the text would outgrow the body text)."""
    scale = min(1.0, width / chart.width)
    group = rl.Group(*(_rl_shape(shape, chart.height) for shape in chart.shapes),
                     transform=(scale, 0, 0, scale, 0, 0))
    drawing = rl.Drawing(chart.width * scale, chart.height * scale)
    drawing.add(group)
    return drawing


# --- document ----------------------------------------------------------------------------------------------------

def _sheet() -> StyleSheet1:
    sheet = styles()
    sheet.add(ParagraphStyle("Cell", parent=sheet["Normal"], fontSize=9, leading=11))
    sheet.add(ParagraphStyle("Num", parent=sheet["Cell"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("Head", parent=sheet["Cell"], fontName=FONT_BOLD))
    sheet.add(ParagraphStyle("Figure", parent=sheet["Normal"], fontName=FONT_BOLD, fontSize=16, leading=20))
    for name in ("Heading2", "Heading3"):
        sheet[name].keepWithNext = 1   # a heading never ends a page alone
    return sheet


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int], wide: int) -> list[float]:
    """Columns as wide as their longest header word and their numbers, so neither breaks inside (labels differ
    in length between languages: "Сдавали", "Тапсырғандар"); column `wide` takes the rest and wraps."""
    def need(i: int) -> float:
        cells = [row[i] for row in rows] if i in numeric else [word for row in rows for word in row[i].split()]
        return max([stringWidth(word, FONT_BOLD, 9) for word in header[i].split()]
                   + [stringWidth(cell, FONT, 9) for cell in cells], default=0) + 2 * PADDING + 1
    widths = [need(i) for i in range(len(header))]
    widths[wide] = max(WIDTH - sum(widths) + widths[wide], 35 * mm)
    return [w * min(1.0, WIDTH / sum(widths)) for w in widths]


def _table(sheet: StyleSheet1, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = (),
           wide: int = 0) -> Table:
    """A grid whose header repeats on every page it spills onto; numeric columns align right."""
    data = [[Paragraph(escape(h), sheet["Head"]) for h in header]]
    data += [[Paragraph(escape(cell), sheet["Num" if i in numeric else "Cell"]) for i, cell in enumerate(row)]
             for row in rows]
    return Table(data, colWidths=_widths(header, rows, numeric, wide), repeatRows=1, style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))


def _heading(sheet: StyleSheet1, text: str) -> Paragraph:
    return Paragraph(escape(text), sheet["Heading2"])


def _title(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    return [Paragraph(escape(r.title), sheet["Title"]), Paragraph(escape(r.subtitle), sheet["Heading3"]),
            Paragraph(escape(f"{r.labels['generated']}: {r.generated_on}"), sheet["Small"])]


def _key_figures(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    labels, national = r.labels, r.national
    cells = [[Paragraph(escape(labels[key]), sheet["Small"]), Paragraph(escape(value), sheet["Figure"])]
             for key, value in (("n", national.n), ("passed", national.passed), ("rate", national.rate),
                                ("ci", national.ci))]
    return [_heading(sheet, labels["national"]),
            Table([cells], colWidths=[WIDTH / 4] * 4, style=TableStyle([
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey), ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]))]


def _row_cells(row: GroupRow, mark: str) -> tuple[str, ...]:
    shown = lambda value, hidden=row.suppressed: mark if value is None or hidden else value  # noqa: E731
    interval = None if row.ci_low is None or row.ci_high is None else f"{row.ci_low}–{row.ci_high}"
    return (row.code, row.name, shown(row.n, False), shown(row.passed), shown(row.rate), shown(interval), row.flag)


def _rates(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    labels = r.labels
    header = (labels["code"], labels["group"], labels["n"], labels["passed"], labels["rate"], labels["ci"],
              labels["flag"])
    table = _table(sheet, header, [_row_cells(row, labels["suppressed"]) for row in r.rows], numeric=(2, 3, 4, 5),
                   wide=1)
    story: list[Flowable] = [_heading(sheet, labels["rates"]), table]
    if r.suppression_note:
        story.append(Paragraph(escape(f"{labels['suppressed']} {r.suppression_note}"), sheet["Small"]))
    return story


def _charts(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    return [KeepTogether([Paragraph(escape(chart.title), sheet["Heading3"]), chart_drawing(chart)])
            for chart in r.charts]


def _funnel(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    labels, mark = r.labels, r.labels["suppressed"]
    # A suppressed count hides its conversion too: the two together would give the count away.
    rows = [(f.stage, mark, mark) if f.count is None else (f.stage, f.count, f.conversion or "") for f in r.funnel]
    return [_heading(sheet, labels["funnel"]),
            _table(sheet, (labels["stage"], labels["count"], labels["conversion"]), rows, numeric=(1, 2))]


def _impact(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    labels, mark = r.labels, r.labels["suppressed"]
    rows = [(i.group, *(mark if value is None else value for value in (i.n, i.rate, i.ratio)), i.flag)
            for i in r.adverse_impact]
    header = (labels["impact_group"], labels["n"], labels["rate"], labels["impact_ratio"], labels["flag"])
    return [_heading(sheet, labels["adverse_impact"]),
            _table(sheet, header, rows, numeric=(1, 2, 3))]


def _methods(r: PassRateReport, sheet: StyleSheet1) -> list[Flowable]:
    notes = [note for note in (r.methods_note, r.suppression_note) if note]
    return [_heading(sheet, r.labels["methods"]), *(Paragraph(escape(note), sheet["Normal"]) for note in notes)]


def render_pass_rate_report(r: PassRateReport) -> bytes:
    sheet = _sheet()
    story = _title(r, sheet) + _key_figures(r, sheet) + _rates(r, sheet)
    story += _charts(r, sheet)
    if r.funnel:
        story += _funnel(r, sheet)
    if r.adverse_impact:
        story += _impact(r, sheet)
    if r.methods_note or r.suppression_note:
        story += _methods(r, sheet)
    for appendix in r.appendices:
        story += [_heading(sheet, appendix.title), _table(sheet, appendix.header, appendix.rows, appendix.numeric)]
        story += [Paragraph(escape(appendix.note), sheet["Small"])] if appendix.note else []
    buffer = io.BytesIO()
    footer = page_footer(r.title, r.labels["page"])
    # invariant: a fixed creation date and a content-derived document ID, so equal input gives equal bytes.
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=r.title, author="Merit", lang=r.language,
                      invariant=1).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
