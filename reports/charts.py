"""Server-rendered charts for the HR dashboard and the pass-rate report: pass rates by group, the selection funnel,
a tile map of Kazakhstan's regions and trends across periods.

Each chart is laid out once as a Chart (plain shapes in SVG coordinates, y pointing down). svg() writes it as an
inline SVG string for HTML pages; reports/pass_rate_report.py draws the same shapes with reportlab. Charts are
readable without JavaScript and without colour: every value is printed next to its mark, and the <desc> holds the
whole text equivalent for screen readers. The page's Content-Security-Policy forbids inline styles, so the SVG uses
presentation attributes only.

Rates are fractions (0.52 for 52 %). The caller supplies every label and may pass fmt (rates) and fmt_count
(counts) to format numbers for the locale, e.g. "52,0 %". Text is laid out with DejaVu Sans metrics, the font the
SVG asks for and the PDF embeds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.pdf import FONT, register_fonts

Point = tuple[float, float]
RateRow = tuple[str, float | None, float | None, float | None]   # (name, rate or None if suppressed, low, high)
Stage = tuple[str, int | None, float | None]                    # (name, count or None, conversion from previous)
Tile = tuple[str, str, float | None]                            # (region code, name, rate or None)
Series = tuple[str, Sequence[float | None]]                     # (name, one rate or None per period)

WHITE, INK, MUTED, GRID = "#ffffff", "#1a1a1a", "#595959", "#d9d9d9"
BAR = "#4a84c0"        # 3.9:1 against white and 4.4:1 against the ink of the whiskers drawn over it
ACCENT = "#c05000"     # the national reference line, 4.8:1 against white
# Sequential blues (ColorBrewer Blues, the fourth step darkened) where each step takes ink or white text at 4.5:1.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#2c6fae", "#08519c")
# Series colours, each at least 4.5:1 against white so their printed values are legible; markers differ too.
SERIES = ("#1f4e79", "#a63603", "#2d6a2d", "#6a3d9a", "#8a5a00", "#4d4d4d")
MARKERS = ("circle", "square", "triangle", "diamond")
FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"
WIDTH = 720
DASH = (4.0, 3.0)

# Tile grid of Kazakhstan, (column, row): west to east, north to south. Today's 17 regions and 3 cities.
TILES: dict[str, tuple[int, int]] = {
    "KZ-39": (2, 0), "KZ-59": (3, 0),
    "KZ-27": (0, 1), "KZ-15": (1, 1), "KZ-11": (3, 1), "KZ-71": (4, 1), "KZ-55": (5, 1),
    "KZ-23": (0, 2), "KZ-62": (2, 2), "KZ-35": (3, 2), "KZ-10": (5, 2), "KZ-63": (6, 2),
    "KZ-47": (0, 3), "KZ-43": (1, 3), "KZ-61": (2, 3), "KZ-31": (3, 3), "KZ-19": (4, 3), "KZ-33": (5, 3),
    "KZ-79": (2, 4), "KZ-75": (4, 4),
}
# Before 2018: 14 regions, Astana and Almaty, South Kazakhstan (KZ-YUZ) where Turkistan is now. The tiles keep
# today's positions so that maps of different years compare at a glance.
TILES_2017: dict[str, tuple[int, int]] = {
    **{code: TILES[code] for code in ("KZ-39", "KZ-59", "KZ-27", "KZ-15", "KZ-11", "KZ-71", "KZ-55", "KZ-23",
                                      "KZ-35", "KZ-63", "KZ-47", "KZ-43", "KZ-31", "KZ-19", "KZ-75")},
    "KZ-YUZ": TILES["KZ-61"],
}
TILE_W, TILE_H, GAP = 92, 58, 4
COLUMNS = 1 + max(col for col, _ in TILES.values())


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    dashed: bool = False


@dataclass(frozen=True)
class Line:
    points: tuple[Point, ...]
    stroke: str
    width: float = 1
    dashed: bool = False


@dataclass(frozen=True)
class Polygon:
    points: tuple[Point, ...]
    fill: str


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float                           # the baseline
    text: str
    size: float = 12
    anchor: str = "start"              # start, middle or end, as in both SVG and reportlab
    bold: bool = False
    fill: str = INK


Shape = Rect | Line | Polygon | Circle | Text


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    title: str
    desc: str                          # the text equivalent: every value the chart shows
    shapes: tuple[Shape, ...]


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


# --- SVG ---------------------------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    # A stray control character in a name must not make the whole page invalid XML.
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _stroke(colour: str | None, dashed: bool, width: float = 1) -> str:
    if colour is None:
        return ""
    dash = f' stroke-dasharray="{_n(DASH[0])} {_n(DASH[1])}"' if dashed else ""
    return f' stroke="{colour}" stroke-width="{_n(width)}"{dash}'


def _svg_shape(shape: Shape) -> str:
    match shape:
        case Rect(x, y, w, h, fill, stroke, dashed):
            return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill or "none"}"'
                    f'{_stroke(stroke, dashed)}/>')
        case Line(points, stroke, width, dashed):
            return f'<polyline points="{_points(points)}" fill="none"{_stroke(stroke, dashed, width)}/>'
        case Polygon(points, fill):
            return f'<polygon points="{_points(points)}" fill="{fill}"/>'
        case Circle(x, y, r, fill):
            return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"/>'
        case Text(x, y, text, size, anchor, bold, fill):
            weight = ' font-weight="bold"' if bold else ""
            return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}"'
                    f'{weight}>{_esc(text)}</text>')
    raise TypeError(shape)


def svg(chart: Chart) -> str:
    """The chart as an inline SVG element; class "chart" lets the page's stylesheet make it fluid."""
    # Ids derived from the content: unique per chart on a page, and the same markup on every render.
    uid = "chart-" + hashlib.sha1(f"{chart.title}\n{chart.desc}".encode(), usedforsecurity=False).hexdigest()[:10]
    w, h = _n(chart.width), _n(chart.height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" aria-labelledby="{uid}-t {uid}-d" font-family="{FONT_FAMILY}">'
            f'<title id="{uid}-t">{_esc(chart.title)}</title><desc id="{uid}-d">{_esc(chart.desc)}</desc>'
            f'<rect width="{w}" height="{h}" fill="{WHITE}"/>'   # stays legible on a dark page
            + "".join(_svg_shape(shape) for shape in chart.shapes) + "</svg>")


# --- shared layout -----------------------------------------------------------------------------------------------

def _width(text: str, size: float = 12) -> float:
    # Measured rather than estimated: Cyrillic and Kazakh letters run some 15 % wider than Latin ones.
    register_fonts()
    return stringWidth(text, FONT, size)


def _fit(text: str, width: float, size: float = 12) -> str:
    """Cut with an ellipsis to fit the width; the full text stays in the desc."""
    if _width(text, size) <= width:
        return text
    while text and _width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _clamp(rate: float) -> float:
    return min(max(rate, 0.0), 1.0)


def _column(texts: Sequence[str], cap: float = WIDTH / 3) -> float:
    return min(max((_width(t) for t in texts), default=0), cap) + 16


def _axis(x0: float, x1: float, top: float, bottom: float, fmt: Callable[[float], str]) -> list[Shape]:
    """Vertical gridlines at every quarter of 0-100 %, labelled under the plot."""
    shapes: list[Shape] = []
    for i in range(5):
        x = x0 + i / 4 * (x1 - x0)
        shapes += [Line(((x, top), (x, bottom)), GRID), Text(x, bottom + 14, fmt(i / 4), 10, "middle", fill=MUTED)]
    return shapes


# --- pass rates by group -----------------------------------------------------------------------------------------

ROW = 24


def _rate_desc(rows: Sequence[RateRow], national: float | None, labels: Mapping[str, str],
               fmt: Callable[[float], str]) -> str:
    parts = []
    for name, rate, low, high in rows:
        if rate is None:
            parts.append(f"{name}: {labels['suppressed']}")
        else:
            interval = f" ({labels['ci']} {fmt(low)}–{fmt(high)})" if low is not None and high is not None else ""
            parts.append(f"{name}: {fmt(rate)}{interval}")
    if national is not None:
        parts.append(f"{labels['national']}: {fmt(national)}")
    return "; ".join(parts)


def _rate_row(row: RateRow, y: float, x0: float, x1: float) -> list[Shape]:
    """The bar and its 95 % interval whisker (with end caps), or an empty dashed bar for a suppressed group."""
    _, rate, low, high = row
    if rate is None:
        return [Rect(x0, y + 4, x1 - x0, ROW - 8, None, MUTED, dashed=True)]
    at = lambda value: x0 + _clamp(value) * (x1 - x0)  # noqa: E731
    shapes: list[Shape] = [Rect(x0, y + 5, at(rate) - x0, ROW - 10, BAR)]
    if low is not None and high is not None:
        mid = y + ROW / 2
        shapes += [Line(((at(low), mid), (at(high), mid)), INK, 1.5),
                   *(Line(((x, mid - 5), (x, mid + 5)), INK, 1.5) for x in (at(low), at(high)))]
    return shapes


def _national(national: float, x0: float, x1: float, top: float, bottom: float, labels: Mapping[str, str],
              fmt: Callable[[float], str]) -> list[Shape]:
    x = x0 + _clamp(national) * (x1 - x0)
    # The label sits beside the line, on the side with more room, so it never leaves the picture.
    left_half = x < WIDTH / 2
    label = Text(x + 4 if left_half else x - 4, top - 12, f"{labels['national']}: {fmt(national)}", 11,
                 "start" if left_half else "end", fill=ACCENT)
    return [Line(((x, top - 22), (x, bottom)), ACCENT, 2, dashed=True), label]


def rate_bars_chart(rows: Sequence[RateRow], national: float | None, labels: Mapping[str, str], *,
                    fmt: Callable[[float], str] = percent) -> Chart:
    """Horizontal bars of pass rates with 95 % interval whiskers and a dashed line at the national rate.

    labels: title, national, ci (e.g. "95% CI"), suppressed (shown instead of a suppressed group's rate).
    """
    values = [labels["suppressed"] if rate is None else fmt(rate) for _, rate, _, _ in rows]
    names_w, values_w = _column([name for name, *_ in rows]), _column(values)
    x0, x1 = names_w, WIDTH - values_w
    top = 32
    bottom = top + len(rows) * ROW
    shapes = _axis(x0, x1, top, bottom, fmt)
    for i, (row, value) in enumerate(zip(rows, values)):
        y = top + i * ROW
        shapes += [Text(x0 - 8, y + 16, _fit(row[0], names_w - 16), anchor="end"), *_rate_row(row, y, x0, x1),
                   Text(x1 + 8, y + 16, value, fill=INK if row[1] is not None else MUTED)]
    if national is not None:
        shapes += _national(national, x0, x1, top, bottom, labels, fmt)
    return Chart(WIDTH, bottom + 24, labels["title"], _rate_desc(rows, national, labels, fmt), tuple(shapes))


def rate_bars(rows: Sequence[RateRow], national: float | None, labels: Mapping[str, str], *,
              fmt: Callable[[float], str] = percent) -> str:
    return svg(rate_bars_chart(rows, national, labels, fmt=fmt))


# --- selection funnel --------------------------------------------------------------------------------------------

def _stage_value(stage: Stage, labels: Mapping[str, str], fmt: Callable[[float], str],
                 fmt_count: Callable[[int], str]) -> str:
    _, count, conversion = stage
    if count is None:
        return labels["suppressed"]
    return fmt_count(count) + (f" ({fmt(conversion)})" if conversion is not None else "")


def _stage_desc(stage: Stage, labels: Mapping[str, str], fmt: Callable[[float], str],
                fmt_count: Callable[[int], str]) -> str:
    name, count, conversion = stage
    if count is None:
        return f"{name}: {labels['suppressed']}"
    return f"{name}: {fmt_count(count)}" + (f" ({labels['conversion']} {fmt(conversion)})" if conversion is not None
                                           else "")


def funnel_chart(stages: Sequence[Stage], labels: Mapping[str, str], *, fmt: Callable[[float], str] = percent,
                 fmt_count: Callable[[int], str] = str) -> Chart:
    """Centred bars, one per stage, as wide as the stage's count; the count and the conversion printed beside.

    labels: title, conversion (e.g. "of the previous stage", used in the text equivalent), suppressed.
    """
    values = [_stage_value(stage, labels, fmt, fmt_count) for stage in stages]
    names_w, values_w = _column([name for name, *_ in stages]), _column(values)
    x0, x1 = names_w, WIDTH - values_w
    biggest = max((count for _, count, _ in stages if count), default=1)
    shapes: list[Shape] = []
    width = x1 - x0
    for i, ((name, count, _), value) in enumerate(zip(stages, values)):
        y = 8 + i * ROW
        if count is None:
            # Unknown, but a funnel never widens: the previous stage's width bounds it.
            shapes.append(Rect((x0 + x1 - width) / 2, y + 4, width, ROW - 8, None, MUTED, dashed=True))
        else:
            width = count / biggest * (x1 - x0)
            shapes.append(Rect((x0 + x1 - width) / 2, y + 4, width, ROW - 8, BAR))
        shapes += [Text(x0 - 8, y + 16, _fit(name, names_w - 16), anchor="end"),
                   Text(x1 + 8, y + 16, value, fill=INK if count is not None else MUTED)]
    desc = "; ".join(_stage_desc(stage, labels, fmt, fmt_count) for stage in stages)
    return Chart(WIDTH, 16 + len(stages) * ROW, labels["title"], desc, tuple(shapes))


def funnel(stages: Sequence[Stage], labels: Mapping[str, str], *, fmt: Callable[[float], str] = percent,
           fmt_count: Callable[[int], str] = str) -> str:
    return svg(funnel_chart(stages, labels, fmt=fmt, fmt_count=fmt_count))


# --- tile map ----------------------------------------------------------------------------------------------------

def luminance(colour: str) -> float:
    """Relative luminance as defined by WCAG 2."""
    channels = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(fill: str) -> str:
    return max((INK, WHITE), key=lambda text: contrast(text, fill))


def layout_for(codes: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Today's grid, or the 2017 one for data that uses the older codes more."""
    return max((TILES, TILES_2017), key=lambda layout: sum(code in layout for code in codes))


def place_tiles(codes: Sequence[str]) -> list[tuple[int, int]]:
    """A (column, row) per code; unknown or repeated codes fill rows below the map instead of overlapping."""
    layout = layout_for(codes)
    other_row = 1 + max(row for _, row in layout.values())
    taken: set[tuple[int, int]] = set()
    cells, others = [], 0
    for code in codes:
        cell = layout.get(code)
        if cell is None or cell in taken:
            cell = (others % COLUMNS, other_row + others // COLUMNS)
            others += 1
        taken.add(cell)
        cells.append(cell)
    return cells


def _wrap(name: str, width: float, size: float = 9, lines: int = 3) -> list[str]:
    """Greedy wrap at spaces and after hyphens; what does not fit ends in an ellipsis."""
    out: list[str] = []
    for word in re.findall(r"[^\s-]+-?|-", name):
        if out:
            joined = out[-1] + ("" if out[-1].endswith("-") else " ") + word
            if _width(joined, size) <= width:
                out[-1] = joined
                continue
        if len(out) == lines:
            out[-1] += "…"
            break
        out.append(word)
    return [_fit(line, width, size) for line in out]


def _classes(rates: Sequence[float]) -> tuple[float, float, int]:
    """Equal-width classes over the observed range: (low, step, number of classes)."""
    low, high = min(rates, default=0.0), max(rates, default=0.0)
    step = (high - low) / len(PALETTE)
    return (low, step, len(PALETTE)) if step > 0 else (low, 0.0, 1)


def _shade(rate: float, low: float, step: float, count: int) -> str:
    # A single class (every rate equal) takes the middle of the palette.
    return PALETTE[min(int((rate - low) / step), count - 1)] if count > 1 else PALETTE[len(PALETTE) // 2]


def _tile(x: float, y: float, name: str, rate: float | None, fill: str | None, labels: Mapping[str, str],
          fmt: Callable[[float], str]) -> list[Shape]:
    text = ink_on(fill or WHITE)
    shapes: list[Shape] = [Rect(x, y, TILE_W, TILE_H, fill, None if fill else MUTED, dashed=fill is None)]
    lines = _wrap(name, TILE_W - 6)
    shapes += [Text(x + TILE_W / 2, y + 12 + 10 * i, line, 9, "middle", fill=text) for i, line in enumerate(lines)]
    value = labels["suppressed"] if rate is None else fmt(rate)
    return shapes + [Text(x + TILE_W / 2, y + TILE_H - 7, value, 12, "middle", bold=True, fill=text)]


def _legend(y: float, low: float, step: float, count: int, labels: Mapping[str, str],
            fmt: Callable[[float], str]) -> list[Shape]:
    shapes: list[Shape] = [Text(GAP, y + 12, labels["legend"], 11, bold=True)]
    entries = [(_shade(low + (i + 0.5) * step, low, step, count),
                f"{fmt(low + i * step)} – {fmt(low + (i + 1) * step)}") for i in range(count)]
    for i, (fill, text) in enumerate([*entries, (None, labels["suppressed"])]):
        top = y + 20 + i * 18
        shapes += [Rect(GAP, top, 24, 14, fill, MUTED, dashed=fill is None), Text(GAP + 32, top + 11, text, 11)]
    return shapes


def tile_map_chart(tiles: Sequence[Tile], labels: Mapping[str, str], *,
                   fmt: Callable[[float], str] = percent) -> Chart:
    """Kazakhstan's regions as equal tiles shaded in five equal classes of the observed range, each rate printed.

    Codes are ISO 3166-2:KZ as in recruit/reference/data/regions.json; the layout (today's or 2017's) follows the
    codes given. labels: title, legend (the scale's heading), other (above tiles with unknown codes), suppressed.
    """
    codes = [code for code, _, _ in tiles]
    cells = place_tiles(codes)
    low, step, count = _classes([rate for *_, rate in tiles if rate is not None])
    grid_rows = 1 + max(row for _, row in layout_for(codes).values())
    # Rows of unknown codes sit below a caption, further down than the grid's own rows.
    top_of = lambda row: GAP + row * (TILE_H + GAP) + (18 if row >= grid_rows else 0)  # noqa: E731
    shapes: list[Shape] = []
    for (_, name, rate), (col, row) in zip(tiles, cells):
        fill = None if rate is None else _shade(rate, low, step, count)
        shapes += _tile(GAP + col * (TILE_W + GAP), top_of(row), name, rate, fill, labels, fmt)
    last_row = max([grid_rows - 1, *(row for _, row in cells)])
    if last_row >= grid_rows:
        shapes.append(Text(GAP, top_of(grid_rows) - 6, labels["other"], 11, bold=True))
    legend_top = top_of(last_row) + TILE_H + 8
    shapes += _legend(legend_top, low, step, count, labels, fmt)
    height = legend_top + 20 + (count + 1) * 18 + 4
    desc = "; ".join(f"{name}: {labels['suppressed'] if rate is None else fmt(rate)}" for _, name, rate in tiles)
    return Chart(GAP + COLUMNS * (TILE_W + GAP), height, labels["title"], desc, tuple(shapes))


def tile_map(tiles: Sequence[Tile], labels: Mapping[str, str], *, fmt: Callable[[float], str] = percent) -> str:
    return svg(tile_map_chart(tiles, labels, fmt=fmt))


# --- trends ------------------------------------------------------------------------------------------------------

PLOT_TOP, PLOT_H, PLOT_LEFT, PLOT_RIGHT = 20, 220, 64, 24


def _marker(kind: str, x: float, y: float, fill: str) -> Shape:
    r = 4.5
    match kind:
        case "circle":
            return Circle(x, y, r, fill)
        case "square":
            return Polygon(((x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)), fill)
        case "triangle":
            return Polygon(((x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)), fill)
    return Polygon(((x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)), fill)


def _runs(points: Sequence[Point | None]) -> list[tuple[Point, ...]]:
    """Consecutive known points: a missing period breaks the line rather than bridging it."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [tuple(run) for run in runs if len(run) > 1]


def _series(k: int, values: Sequence[float | None], x_of: Callable[[int], float],
            fmt: Callable[[float], str]) -> list[Shape]:
    colour, kind = SERIES[k % len(SERIES)], MARKERS[k % len(MARKERS)]
    y_of = lambda v: PLOT_TOP + (1 - _clamp(v)) * PLOT_H  # noqa: E731
    points = [None if v is None else (x_of(i), y_of(v)) for i, v in enumerate(values)]
    shapes: list[Shape] = [Line(run, colour, 2) for run in _runs(points)]
    # Alternate series print their values above and below the points, so two close lines keep theirs apart.
    dy = -9 if k % 2 == 0 else 17
    for point, value in zip(points, values):
        if point is not None and value is not None:
            shapes += [_marker(kind, *point, colour), Text(point[0], point[1] + dy, fmt(value), 9, "middle",
                                                           fill=colour)]
    return shapes


def trend_lines_chart(series: Sequence[Series], periods: Sequence[str], labels: Mapping[str, str], *,
                      fmt: Callable[[float], str] = percent) -> Chart:
    """A line per group across the periods on a 0-100 % scale, with a marker and the value at each point.

    Groups differ in colour and marker shape and are named in a legend under the plot. labels: title, suppressed.
    """
    step = (WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(len(periods), 1)
    x_of = lambda i: PLOT_LEFT + (i + 0.5) * step  # noqa: E731
    bottom = PLOT_TOP + PLOT_H
    shapes: list[Shape] = []
    for i in range(5):
        y = bottom - i / 4 * PLOT_H
        shapes += [Line(((PLOT_LEFT, y), (WIDTH - PLOT_RIGHT, y)), GRID),
                   Text(PLOT_LEFT - 6, y + 4, fmt(i / 4), 10, "end", fill=MUTED)]
    shapes += [Text(x_of(i), bottom + 16, _fit(period, step - 4, 11), 11, "middle") for i, period in
               enumerate(periods)]
    for k, (name, values) in enumerate(series):
        shapes += _series(k, values, x_of, fmt)
        y = bottom + 36 + k * 18
        shapes += [Line(((PLOT_LEFT, y - 4), (PLOT_LEFT + 24, y - 4)), SERIES[k % len(SERIES)], 2),
                   _marker(MARKERS[k % len(MARKERS)], PLOT_LEFT + 12, y - 4, SERIES[k % len(SERIES)]),
                   Text(PLOT_LEFT + 32, y, _fit(name, WIDTH - PLOT_LEFT - 40), 11)]
    desc = "; ".join(f"{name}: " + ", ".join(
        f"{period} {labels['suppressed'] if v is None else fmt(v)}" for period, v in zip(periods, values))
        for name, values in series)
    return Chart(WIDTH, bottom + 30 + len(series) * 18, labels["title"], desc, tuple(shapes))


def trend_lines(series: Sequence[Series], periods: Sequence[str], labels: Mapping[str, str], *,
                fmt: Callable[[float], str] = percent) -> str:
    return svg(trend_lines_chart(series, periods, labels, fmt=fmt))
