import json
from datetime import date
from itertools import combinations
from pathlib import Path

from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from reports.charts import (
    BAR, PALETTE, SERIES, TILE_H, TILE_W, TILES, TILES_2017, WHITE, contrast, funnel, ink_on, place_tiles, rate_bars,
    tile_map, trend_lines,
)

ROOT = Path(__file__).resolve().parents[2]
REGIONS = json.loads((ROOT / "recruit/reference/data/regions.json").read_text())
NS = "{http://www.w3.org/2000/svg}"
LABELS = {"title": "Доля сдавших тестирование по областям", "national": "В среднем по стране", "ci": "95% ДИ",
          "suppressed": "—*", "conversion": "от предыдущего этапа", "legend": "Доля сдавших", "other": "Прочие"}


def ru(rate: float) -> str:
    return f"{rate * 100:.1f} %".replace(".", ",")


def ru_count(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def _regions(on: date) -> list[dict]:
    return [r for r in REGIONS if date.fromisoformat(r["valid_from"]) <= on
            and (r["valid_to"] is None or on <= date.fromisoformat(r["valid_to"]))]


def _parse(svg: str):
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    return root


def _desc(root) -> str:
    return root.find(f"{NS}desc").text


def _texts(root) -> list[tuple[float, str]]:
    return [(float(t.get("y")), t.text or "") for t in root.iter(f"{NS}text")]


def _box(root) -> tuple[float, float]:
    _, _, width, height = map(float, root.get("viewBox").split())
    return width, height


ROWS = [("Северо-Казахстанская область", 0.52, 0.481, 0.559), ("Область Ұлытау", None, None, None),
        ("Алматы", 0.617, 0.58, 0.652)]


def test_rate_bars_title_and_text_equivalent():
    root = _parse(rate_bars(ROWS, 0.55, LABELS, fmt=ru))
    assert root.find(f"{NS}title").text == LABELS["title"]
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert _desc(root) == ("Северо-Казахстанская область: 52,0 % (95% ДИ 48,1 %–55,9 %); Область Ұлытау: —*; "
                           "Алматы: 61,7 % (95% ДИ 58,0 %–65,2 %); В среднем по стране: 55,0 %")
    printed = [text for _, text in _texts(root)]
    assert {"52,0 %", "61,7 %", "В среднем по стране: 55,0 %"} <= set(printed)


def test_a_suppressed_row_shows_the_label_and_no_number():
    root = _parse(rate_bars(ROWS, 0.55, LABELS, fmt=ru))
    y = next(y for y, text in _texts(root) if text == "Область Ұлытау")
    row = [text for at, text in _texts(root) if at == y]
    assert row == ["Область Ұлытау", "—*"]
    dashed = [r for r in root.iter(f"{NS}rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 1 and dashed[0].get("fill") == "none"


def test_names_are_escaped():
    name = 'Отдел <"Б"> & Ко'
    for svg in (rate_bars([(name, 0.5, 0.4, 0.6)], None, LABELS), funnel([(name, 10, None)], LABELS),
                tile_map([("KZ-71", name, 0.5)], LABELS), trend_lines([(name, [0.5])], ["2025"], LABELS)):
        assert "&lt;" in svg and "&amp;" in svg and '<"Б">' not in svg
        root = _parse(svg)
        assert name in _desc(root)
        assert any('<"Б">' in text for _, text in _texts(root))


def test_funnel_prints_counts_and_conversions():
    stages = [("Подали заявление", 12400, None), ("Допущены", 9850, 0.794), ("Сдали тест", None, None),
              ("Рекомендованы", 310, 0.1)]
    root = _parse(funnel(stages, LABELS | {"title": "Воронка отбора"}, fmt=ru, fmt_count=ru_count))
    assert root.find(f"{NS}title").text == "Воронка отбора"
    assert _desc(root) == ("Подали заявление: 12\u00a0400; Допущены: 9\u00a0850 (от предыдущего этапа 79,4 %); "
                           "Сдали тест: —*; Рекомендованы: 310 (от предыдущего этапа 10,0 %)")
    assert {"12\u00a0400", "9\u00a0850 (79,4 %)", "—*", "310 (10,0 %)"} <= {text for _, text in _texts(root)}
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")][1:]
    assert widths[0] > widths[1] >= widths[2] > widths[3]   # the suppressed stage is bounded by the one before


def _tile_cells(root) -> list[tuple[float, float]]:
    return [(float(r.get("x")), float(r.get("y"))) for r in root.iter(f"{NS}rect")
            if float(r.get("width")) == TILE_W and float(r.get("height")) == TILE_H]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < TILE_W and abs(a[1] - b[1]) < TILE_H


def test_today_and_2017_regions_each_have_their_own_tiles():
    for on, layout in ((date(2017, 1, 1), TILES_2017), (date.today(), TILES)):
        codes = [r["code"] for r in _regions(on)]
        assert sorted(codes) == sorted(layout)
        assert place_tiles(codes) == [layout[code] for code in codes]
        root = _parse(tile_map([(r["code"], r["name_ru"], 0.5) for r in _regions(on)], LABELS, fmt=ru))
        cells = _tile_cells(root)
        assert len(cells) == len(codes)
        assert not any(_overlap(a, b) for a, b in combinations(cells, 2))
    assert len(TILES_2017) == 16 and len(TILES) == 20


def test_every_code_ever_used_is_placed_without_overlap():
    tiles = [(r["code"], r["name_kk"], 0.4 + i / 100) for i, r in enumerate(REGIONS)]
    root = _parse(tile_map(tiles + [("KZ-XX", "Белгісіз", None), ("KZ-71", "Астана (қайта)", 0.5)], LABELS, fmt=ru))
    cells = _tile_cells(root)
    assert len(cells) == len(REGIONS) + 2
    assert not any(_overlap(a, b) for a, b in combinations(cells, 2))
    assert "Прочие" in [text for _, text in _texts(root)]   # KZ-YUZ (not on today's map), unknown, repeated


def test_tiles_are_arranged_west_to_east_and_north_to_south():
    col, row = (lambda code: TILES[code][0]), (lambda code: TILES[code][1])
    assert col("KZ-27") < col("KZ-15") < col("KZ-39") < col("KZ-11") < col("KZ-55") < col("KZ-63")
    assert col("KZ-47") < col("KZ-43") < col("KZ-61") < col("KZ-31") < col("KZ-19") < col("KZ-33")
    assert row("KZ-59") < row("KZ-11") < row("KZ-35") < row("KZ-31")
    assert row("KZ-55") < row("KZ-10") < row("KZ-33") and row("KZ-61") < row("KZ-79") and row("KZ-19") < row("KZ-75")


def test_tile_map_prints_each_rate_and_the_legend():
    tiles = [("KZ-59", "Солтүстік Қазақстан облысы", 0.312), ("KZ-75", "Алматы", 0.705),
             ("KZ-62", "Ұлытау облысы", None)]
    root = _parse(tile_map(tiles, LABELS, fmt=ru))
    assert _desc(root) == "Солтүстік Қазақстан облысы: 31,2 %; Алматы: 70,5 %; Ұлытау облысы: —*"
    printed = [text for _, text in _texts(root)]
    assert {"31,2 %", "70,5 %", "—*", "Доля сдавших", "31,2 % – 39,1 %", "62,6 % – 70,5 %"} <= set(printed)
    fills = {r.get("fill") for r in root.iter(f"{NS}rect") if float(r.get("width")) == TILE_W}
    assert {PALETTE[0], PALETTE[-1], "none"} <= fills


def test_text_and_marks_have_enough_contrast():
    assert all(contrast(ink_on(fill), fill) >= 4.5 for fill in PALETTE)
    assert all(contrast(colour, WHITE) >= 4.5 for colour in SERIES)   # their values are printed in them
    assert contrast(BAR, WHITE) >= 3


def test_trend_lines_break_at_a_missing_period():
    series = [("Астана", [0.5, 0.55, None, 0.6]), ("Шымкент", [0.3, 0.32, 0.35, 0.41])]
    root = _parse(trend_lines(series, ["2023", "2024", "2025", "2026"], LABELS, fmt=ru))
    assert _desc(root) == ("Астана: 2023 50,0 %, 2024 55,0 %, 2025 —*, 2026 60,0 %; "
                           "Шымкент: 2023 30,0 %, 2024 32,0 %, 2025 35,0 %, 2026 41,0 %")
    lines = [p for p in root.iter(f"{NS}polyline") if p.get("stroke") in SERIES]
    assert [len(p.get("points").split()) for p in lines if p.get("stroke") == SERIES[0]] == [2, 2]  # + legend
    assert [len(p.get("points").split()) for p in lines if p.get("stroke") == SERIES[1]] == [4, 2]
    assert {"50,0 %", "60,0 %", "41,0 %", "Астана", "2026"} <= {text for _, text in _texts(root)}


def _inside(root) -> None:
    """Every mark lies within the viewBox."""
    width, height = _box(root)
    for rect in root.iter(f"{NS}rect"):
        x, y, w, h = (float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))
        assert 0 <= x and x + w <= width + 1e-6 and 0 <= y and y + h <= height + 1e-6 and w >= 0
    for line in root.iter(f"{NS}polyline"):
        for point in line.get("points").split():
            x, y = map(float, point.split(","))
            assert 0 <= x <= width and 0 <= y <= height
    for text in root.iter(f"{NS}text"):
        assert 0 <= float(text.get("x")) <= width and 0 < float(text.get("y")) <= height


rates = st.floats(0, 1)


@st.composite
def rate_rows(draw):
    name = draw(st.text(max_size=60))
    rate = draw(st.none() | rates)
    if rate is None:
        return name, None, None, None
    return name, rate, draw(st.floats(0, rate)), draw(st.floats(rate, 1))


@given(st.lists(rate_rows(), max_size=25), st.none() | rates)
def test_any_rows_give_valid_svg_within_bounds(rows, national):
    root = _parse(rate_bars(rows, national, LABELS, fmt=ru))
    _inside(root)
    assert len([t for _, t in _texts(root) if t == "—*"]) == sum(rate is None for _, rate, _, _ in rows)


@given(st.lists(st.tuples(st.text(max_size=40), st.none() | st.integers(0, 10**7), st.none() | rates), max_size=8))
def test_any_funnel_gives_valid_svg_within_bounds(stages):
    _inside(_parse(funnel(stages, LABELS, fmt_count=ru_count)))


@given(st.lists(st.tuples(st.sampled_from([*TILES, "KZ-YUZ", "XX"]), st.text(max_size=40), st.none() | rates),
                max_size=30))
def test_any_tiles_give_valid_svg_within_bounds(tiles):
    root = _parse(tile_map(tiles, LABELS))
    _inside(root)
    cells = _tile_cells(root)
    assert len(cells) == len(tiles) and not any(_overlap(a, b) for a, b in combinations(cells, 2))


@given(st.integers(1, 8).flatmap(lambda n: st.lists(
    st.tuples(st.text(max_size=30), st.lists(st.none() | rates, min_size=n, max_size=n)), max_size=7)))
def test_any_trends_give_valid_svg_within_bounds(series):
    periods = [f"20{20 + i}" for i in range(len(series[0][1]))] if series else []
    root = _parse(trend_lines(series, periods, LABELS))
    _inside(root)
