import hashlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

from reports.charts import funnel_chart, rate_bars_chart, tile_map_chart
from reports.pass_rate_report import (
    Figures, FunnelRow, GroupRow, ImpactRow, PassRateReport, chart_drawing, render_pass_rate_report,
)

ROOT = Path(__file__).resolve().parents[2]
REGIONS = [r for r in json.loads((ROOT / "recruit/reference/data/regions.json").read_text()) if r["valid_to"] is None]

LABELS = {
    "ru": {"national": "В целом по стране", "n": "Сдавали", "passed": "Сдали", "rate": "Доля сдавших",
           "ci": "95% ДИ", "code": "Код", "group": "Область", "flag": "Отличие", "rates": "Доля сдавших по областям",
           "suppressed": "—*", "funnel": "Воронка отбора", "stage": "Этап", "count": "Кандидатов",
           "conversion": "От предыдущего", "adverse_impact": "Неблагоприятное воздействие",
           "impact_group": "Группа", "impact_ratio": "Отношение долей", "methods": "Методика",
           "generated": "Сформирован", "page": "стр.", "title": "Доля сдавших", "legend": "Доля сдавших",
           "other": "Прочие"},
    "kk": {"national": "Ел бойынша", "n": "Тапсырғандар", "passed": "Өткендер", "rate": "Өту үлесі",
           "ci": "95% СА", "code": "Код", "group": "Облыс", "flag": "Айырма", "rates": "Облыстар бойынша өту үлесі",
           "suppressed": "—*", "funnel": "Іріктеу кезеңдері", "stage": "Кезең", "count": "Кандидаттар",
           "conversion": "Алдыңғыдан", "adverse_impact": "Жағымсыз әсер", "impact_group": "Топ",
           "impact_ratio": "Үлестер қатынасы", "methods": "Әдістеме", "generated": "Жасалған күні", "page": "бет",
           "title": "Өту үлесі", "legend": "Өту үлесі", "other": "Басқалары"},
}
TEXT = {
    "ru": dict(title="Доля сдавших тестирование на знание законодательства",
               subtitle="Тестирование · январь–март 2026 · по областям", generated_on="12 апреля 2026 г.",
               methods_note="Доверительные интервалы по Уилсону; отличие от страны — по точному критерию Фишера "
                            "с поправкой Холма.",
               suppression_note="Показатели групп менее 10 человек не публикуются.",
               flags=("выше", "ниже", ""), impact=("Женщины", "Тест на русском языке"), flag="ниже 4/5"),
    "kk": dict(title="Заңнаманы білуге тестілеуден өту үлесі",
               subtitle="Тестілеу · 2026 жылғы қаңтар–наурыз · облыстар бойынша", generated_on="2026 жылғы 12 сәуір",
               methods_note="Сенім аралықтары Уилсон әдісімен; елден айырма Фишердің дәл критерийімен, Холм "
                            "түзетуімен.",
               suppression_note="10 адамнан аз топтардың көрсеткіштері жарияланбайды.",
               flags=("жоғары", "төмен", ""), impact=("Әйелдер", "Орыс тілінде тест"), flag="4/5-тен төмен"),
}


def pct(rate: float) -> str:
    return f"{rate * 100:.1f} %".replace(".", ",")


def _rate(i: int) -> float:
    return 0.4 + (i * 7 % 20) / 50


def _report(language: str = "ru", regions: list[dict] = REGIONS, **changes) -> PassRateReport:
    labels, text = LABELS[language], TEXT[language]
    name = f"name_{language}"
    rows = tuple(GroupRow(r["code"], r[name], None, None, None, None, None, suppressed=True) if i == 3 else
                 GroupRow(r["code"], r[name], str(100 + i), str(round((100 + i) * _rate(i))), pct(_rate(i)),
                          pct(_rate(i) - 0.05), pct(_rate(i) + 0.05), flag=text["flags"][i % 3])
                 for i, r in enumerate(regions))
    numeric = [(r[name], None if i == 3 else _rate(i), _rate(i) - 0.05, _rate(i) + 0.05)
               for i, r in enumerate(regions)]
    stages = [("Подали заявление", 2480, None), ("Явились", 2114, 0.852), ("Сдали", 1100, 0.52)]
    data = dict(
        language=language, labels=labels, title=text["title"], subtitle=text["subtitle"],
        generated_on=text["generated_on"], national=Figures("2 114", "1 100", "52,0 %", "49,9–54,1 %"),
        rows=rows,
        charts=(rate_bars_chart(numeric, 0.52, labels | {"title": labels["rates"]}, fmt=pct),
                funnel_chart(stages, labels | {"title": labels["funnel"]}, fmt=pct),
                tile_map_chart([(r["code"], r[name], n[1]) for r, n in zip(regions, numeric)], labels, fmt=pct)),
        funnel=(FunnelRow("Подали заявление", "2 480", None), FunnelRow("Явились", "2 114", "85,2 %"),
                FunnelRow("Сдали", "1 100", "52,0 %")),
        adverse_impact=(ImpactRow(text["impact"][0], "1 206", "50,2 %", "0,93"),
                        ImpactRow(text["impact"][1], "412", "40,1 %", "0,74", text["flag"])),
        methods_note=text["methods_note"], suppression_note=text["suppression_note"],
    )
    data.update(changes)
    return PassRateReport(**data)


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_russian_report_shows_key_figures_regions_suppression_and_methods():
    report = _report("ru")
    text = " ".join(_pages(render_pass_rate_report(report)))
    for phrase in (report.title, report.subtitle, "Сформирован: 12 апреля 2026 г.", "2 114", "1 100", "52,0 %",
                   "49,9–54,1 %", "Северо-Казахстанская область", "Западно-Казахстанская область", "Абайская область",
                   "KZ-59", "Тест на русском языке", "0,74", "ниже 4/5", "85,2 %", report.methods_note,
                   "—* " + report.suppression_note):
        assert phrase in text, phrase


def test_the_kazakh_report():
    report = _report("kk")
    text = " ".join(_pages(render_pass_rate_report(report)))
    for phrase in (report.title, "Солтүстік Қазақстан облысы", "Ұлытау облысы", "Ел бойынша", "Өту үлесі",
                   "Орыс тілінде тест", "4/5-тен төмен", report.methods_note, report.suppression_note, "бет 1"):
        assert phrase in text, phrase


def test_a_suppressed_row_prints_the_mark_and_none_of_its_numbers():
    hidden = GroupRow("KZ-62", "Область Ұлытау", "7", "3", "42,9 %", "15,8 %", "75,0 %", suppressed=True)
    report = _report("ru", regions=REGIONS[:3], rows=(hidden,), charts=())
    rates_table = " ".join(_pages(render_pass_rate_report(report))).split("Доля сдавших по областям", 1)[1]
    assert "Область Ұлытау 7 —* —* —*" in rates_table
    assert "42,9" not in rates_table and "15,8" not in rates_table


def test_same_input_same_bytes():
    first = render_pass_rate_report(_report())
    render_pass_rate_report(_report(title="Другой отчёт"))
    assert render_pass_rate_report(_report()) == first


def test_same_bytes_in_another_process():
    script = ("import hashlib; from tests.reports.test_pass_rate_report import _report; "
              "from reports.pass_rate_report import render_pass_rate_report; "
              "print(hashlib.sha256(render_pass_rate_report(_report('kk'))).hexdigest())")
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert other.stdout.strip() == hashlib.sha256(render_pass_rate_report(_report("kk"))).hexdigest()


def test_twenty_regions_fit_with_page_numbers_on_every_page():
    pages = _pages(render_pass_rate_report(_report("ru")))
    assert len(REGIONS) == 20 and len(pages) > 1
    text = " ".join(pages)
    assert all(r["name_ru"] in text for r in REGIONS)
    assert all(f"стр. {n}" in page for n, page in enumerate(pages, start=1))


def test_a_long_table_repeats_its_header_on_every_page():
    many = [dict(r, code=f"{r['code']}-{k}", name_ru=f"{r['name_ru']} {k}") for k in range(3) for r in REGIONS]
    pages = _pages(render_pass_rate_report(_report("ru", regions=many, charts=())))
    table_pages = [page for page in pages if "область 2" in page or "область 0" in page]
    assert len(table_pages) >= 2
    assert all("Код Область Сдавали Сдали Доля сдавших 95% ДИ Отличие" in page for page in table_pages)


def test_charts_are_drawn_at_the_text_width_with_their_text():
    chart = rate_bars_chart([("Алматы", 0.617, 0.58, 0.652)], 0.52, LABELS["ru"], fmt=pct)
    drawing = chart_drawing(chart, 400)
    assert drawing.width == 400 and drawing.height == chart.height * 400 / chart.width
    pages = _pages(render_pass_rate_report(_report("ru", rows=(), charts=(chart,), funnel=(), adverse_impact=())))
    assert "Алматы" in pages[0] and "61,7 %" in pages[0] and "В целом по стране: 52,0 %" in pages[0]


def test_twenty_regions_render_well_under_a_second():
    render_pass_rate_report(_report("kk"))           # fonts load once per process
    start = time.perf_counter()
    render_pass_rate_report(_report("ru"))           # charts laid out and drawn included
    assert time.perf_counter() - start < 1
