import io

from pypdf import PdfReader

from reports.certificate import Certificate, render_certificate

LABELS = {"title": "Куәлік", "candidate": "Кандидат", "iin": "ЖСН", "program": "Тест", "date": "Күні",
          "language": "Тілі", "result": "Нәтиже", "section": "Бөлім", "score": "Балл", "requirement": "Талап",
          "code": "Тексеру коды", "verify": "Тексеру", "valid_until": "Жарамды"}


def _render(**changes):
    data = dict(language="kk", labels=LABELS, full_name="Әлия Ұлықпанқызы", iin_masked="950315*****5",
                program_title="Заңнаманы білуге тестілеу", taken_on="29 қараша 2026", language_name="Қазақша",
                verdict="Тапсырылды: 41 / 55", rows=(("Қазақстан Республикасының Конституциясы", "12 / 15", "5"),),
                reasons=(), verification_code="ABCDEF0123456789", verify_url="https://merit.example/verify/ABCDEF0123456789",
                valid_until="29 қараша 2027")
    data.update(changes)
    return render_certificate(Certificate(**data))


def test_kazakh_letters_survive_in_an_embedded_font():
    reader = PdfReader(io.BytesIO(_render()))
    text = reader.pages[0].extract_text()
    for phrase in ("Әлия Ұлықпанқызы", "Қазақстан Республикасының Конституциясы", "ABCDEF0123456789", "Жарамды"):
        assert phrase in " ".join(text.split()), phrase
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    assert len(reader.pages) == 1


def test_builds_are_independent():
    """Flowables are never shared between builds: two certificates render the same size and content."""
    first, second = _render(), _render(full_name="Марат Ким")
    assert "Марат Ким" in PdfReader(io.BytesIO(second)).pages[0].extract_text()
    assert "Әлия" in PdfReader(io.BytesIO(first)).pages[0].extract_text()
