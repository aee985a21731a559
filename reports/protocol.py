"""The protocol of the competition commission's final session, as an A4 PDF.

Pure rendering: the caller passes every text already translated and every number already formatted for the
locale, and gets PDF bytes back. The caller stores the SHA-256 of those bytes, so rendering is deterministic:
reportlab's invariant mode fixes the creation date and the document ID, and nothing else varies between runs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.pdf import page_footer, styles

WIDTH = A4[0] - 40 * mm


@dataclass(frozen=True)
class Member:
    name: str
    role: str                          # translated: chair, member or secretary
    present: bool


@dataclass(frozen=True)
class Declaration:
    member: str
    candidate: str
    conflicted: bool
    note: str = ""


@dataclass(frozen=True)
class ScoreRow:
    competency: str
    scores: tuple[str, ...]            # one per CandidateResult.raters, "—" where a member did not rate
    final: str


@dataclass(frozen=True)
class CandidateResult:
    name: str
    stages: tuple[tuple[str, str], ...]  # (stage, result), e.g. ("Тестілеу", "Өтті: 41 / 55")
    raters: tuple[str, ...]            # column headers of the interview scores
    scores: tuple[ScoreRow, ...]
    overall: str
    moderation_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RankingRow:
    rank: int | None                   # None: not ranked (e.g. not admitted to the interview)
    candidate: str
    composite: str
    standing: str                      # translated: merit list, reserve, none
    decision: str                      # translated: recommended, not recommended
    reason: str = ""


@dataclass(frozen=True)
class Protocol:
    language: str
    labels: Mapping[str, str]          # title, competition, state_body, position, region, held_at, place,
                                       # members, name, role, attendance, present, absent, declarations, member,
                                       # candidate, conflicted, yes, no, note, results, stage, result, competency,
                                       # final, overall, moderation, ranking, rank, composite, standing, decision,
                                       # reason, signatures, document, page
    document_id: str
    competition: str
    state_body: str
    position: str
    region: str
    held_at: str                       # date and time, already formatted for the locale
    place: str
    members: tuple[Member, ...]        # in signing order: chair, members, secretary
    declarations: tuple[Declaration, ...]
    candidates: tuple[CandidateResult, ...]
    ranking: tuple[RankingRow, ...]
    agreement: str                     # e.g. "ICC(2,k) = 0,82 (жақсы); α = 0,79"


def _sheet() -> StyleSheet1:
    sheet = styles()
    sheet.add(ParagraphStyle("Cell", parent=sheet["Normal"], fontSize=9, leading=11))
    sheet.add(ParagraphStyle("Head", parent=sheet["Cell"], fontName=sheet["Heading1"].fontName))
    for name in ("Heading2", "Heading3"):
        sheet[name].keepWithNext = 1   # a section or candidate heading never ends a page alone
    return sheet


def _table(sheet: StyleSheet1, header: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float]) -> Table:
    """A grid whose header row repeats on every page the table spills onto; cells wrap (long names, notes)."""
    data = [[Paragraph(escape(h), sheet["Head"]) for h in header]]
    data += [[Paragraph(escape(cell), sheet["Cell"]) for cell in row] for row in rows]
    return Table(data, colWidths=list(widths), repeatRows=1, style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))


def _heading(sheet: StyleSheet1, text: str) -> Paragraph:
    return Paragraph(escape(text), sheet["Heading2"])


def _facts(p: Protocol, sheet: StyleSheet1) -> list[Flowable]:
    labels = p.labels
    rows = [(labels["competition"], p.competition), (labels["state_body"], p.state_body),
            (labels["position"], p.position), (labels["region"], p.region), (labels["held_at"], p.held_at),
            (labels["place"], p.place)]
    return [Paragraph(escape(labels["title"]), sheet["Title"]),
            Table([[Paragraph(escape(k), sheet["Cell"]), Paragraph(escape(v), sheet["Cell"])] for k, v in rows],
                  colWidths=[45 * mm, WIDTH - 45 * mm], style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))]


def _members(p: Protocol, sheet: StyleSheet1) -> list[Flowable]:
    labels = p.labels
    rows = [(m.name, m.role, labels["present"] if m.present else labels["absent"]) for m in p.members]
    return [_heading(sheet, labels["members"]),
            _table(sheet, (labels["name"], labels["role"], labels["attendance"]), rows,
                   (85 * mm, 50 * mm, WIDTH - 135 * mm))]


def _declarations(p: Protocol, sheet: StyleSheet1) -> list[Flowable]:
    labels = p.labels
    rows = [(d.member, d.candidate, labels["yes"] if d.conflicted else labels["no"], d.note) for d in p.declarations]
    return [_heading(sheet, labels["declarations"]),
            _table(sheet, (labels["member"], labels["candidate"], labels["conflicted"], labels["note"]), rows,
                   (50 * mm, 50 * mm, 25 * mm, WIDTH - 125 * mm))]


def _candidate(c: CandidateResult, labels: Mapping[str, str], sheet: StyleSheet1) -> Flowable:
    """One candidate's block, kept on one page when it fits (a longer one splits, its headers repeated)."""
    rater_width = (WIDTH - 80 * mm) / max(len(c.raters), 1)
    scores = [(row.competency, *row.scores, row.final) for row in c.scores]
    scores.append((labels["overall"], *("" for _ in c.raters), c.overall))
    story: list[Flowable] = [
        Paragraph(escape(c.name), sheet["Heading3"]),
        _table(sheet, (labels["stage"], labels["result"]), c.stages, (70 * mm, WIDTH - 70 * mm)),
        Spacer(1, 2 * mm),
        _table(sheet, (labels["competency"], *c.raters, labels["final"]), scores,
               (50 * mm, *(rater_width for _ in c.raters), 30 * mm)),
    ]
    if c.moderation_notes:
        story += [Spacer(1, 2 * mm), Paragraph(escape(labels["moderation"]), sheet["Head"])]
        story += [Paragraph(escape(note), sheet["Cell"]) for note in c.moderation_notes]
    return KeepTogether(story)


def _ranking(p: Protocol, sheet: StyleSheet1) -> list[Flowable]:
    labels = p.labels
    rows = [("—" if r.rank is None else str(r.rank), r.candidate, r.composite, r.standing, r.decision, r.reason)
            for r in p.ranking]
    header = (labels["rank"], labels["candidate"], labels["composite"], labels["standing"], labels["decision"],
              labels["reason"])
    return [_heading(sheet, labels["ranking"]),
            _table(sheet, header, rows, (15 * mm, 45 * mm, 20 * mm, 25 * mm, 30 * mm, WIDTH - 135 * mm)),
            Spacer(1, 3 * mm), Paragraph(escape(p.agreement), sheet["Normal"])]


def _signatures(p: Protocol, sheet: StyleSheet1) -> Flowable:
    """A line for every member present, the secretary included; kept on one page with its heading."""
    rows = [[Paragraph(escape(m.role), sheet["Cell"]), Paragraph(escape(m.name), sheet["Cell"]), ""]
            for m in p.members if m.present]
    table = Table(rows, colWidths=[40 * mm, 75 * mm, WIDTH - 115 * mm], rowHeights=12 * mm, style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LINEBELOW", (2, 0), (2, -1), 0.5, colors.black)]))
    return KeepTogether([_heading(sheet, p.labels["signatures"]), table])


def render_protocol(p: Protocol) -> bytes:
    sheet = _sheet()
    story = _facts(p, sheet) + _members(p, sheet) + _declarations(p, sheet)
    story.append(_heading(sheet, p.labels["results"]))
    for candidate in p.candidates:
        story.append(_candidate(candidate, p.labels, sheet))
    story += _ranking(p, sheet)
    story.append(_signatures(p, sheet))
    buffer = io.BytesIO()
    footer = page_footer(f"{p.labels['document']}: {p.document_id}", p.labels["page"])
    # invariant: a fixed creation date and a document ID derived from the content, so the bytes (and their hash)
    # depend on the input alone.
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=p.labels["title"], author="Merit", lang=p.language,
                      invariant=1).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
