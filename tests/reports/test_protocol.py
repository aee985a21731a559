import dataclasses
import hashlib
import io
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from reports.protocol import CandidateResult, Declaration, Member, Protocol, RankingRow, ScoreRow, render_protocol

ROOT = Path(__file__).resolve().parents[2]

LABELS = {
    "title": "Конкурстық комиссияның қорытынды отырысының хаттамасы", "competition": "Конкурс",
    "state_body": "Мемлекеттік орган", "position": "Лауазым", "region": "Өңір", "held_at": "Өткізілген күні",
    "place": "Орны", "members": "Комиссия құрамы", "name": "Аты-жөні", "role": "Рөлі", "attendance": "Қатысуы",
    "present": "қатысты", "absent": "қатыспады", "declarations": "Мүдделер қақтығысы туралы мәлімдемелер",
    "member": "Мүше", "candidate": "Кандидат", "conflicted": "Қақтығыс", "yes": "иә", "no": "жоқ",
    "note": "Ескертпе", "results": "Кандидаттардың нәтижелері", "stage": "Кезең", "result": "Нәтиже",
    "competency": "Құзыреттілік", "final": "Қорытынды", "overall": "Жалпы балл", "moderation": "Келісу",
    "ranking": "Рейтинг", "rank": "Орын", "composite": "Балл", "standing": "Тізім", "decision": "Шешім",
    "reason": "Негіздеме", "signatures": "Қолдар", "document": "Құжат", "page": "бет",
}
MEMBERS = (Member("Нұрлан Әбдіхалықов", "Төраға", True), Member("Ирина Петровна Соколова", "Мүше", True),
           Member("Бауыржан Қайыркенов", "Мүше", False), Member("Гүлнұр Сейітқызы", "Хатшы", True))
RATERS = ("Н. Әбдіхалықов", "И. П. Соколова")


def _candidate(name: str, scores: tuple[str, str] = ("4", "5")) -> CandidateResult:
    return CandidateResult(
        name=name,
        stages=(("Заңнаманы білуге тестілеу", "Өтті: 41 / 55"), ("Құзыреттерді бағалау", "Сәйкес келеді")),
        raters=RATERS,
        scores=(ScoreRow("Стратегиялық ойлау", scores, "4,50"), ScoreRow("Қызметті тұтынушыға бағдарлану",
                                                                          ("3", "3"), "3,00")),
        overall="3,75",
    )


def _protocol(**changes) -> Protocol:
    data = dict(
        language="kk", labels=LABELS, document_id="PR-2026-000417",
        competition="Бос мемлекеттік әкімшілік лауазымға орналасуға жалпы конкурс",
        state_body="Қазақстан Республикасы Қаржы министрлігі", position="Бас сарапшы (C-4)",
        region="Астана қаласы", held_at="2026 жылғы 12 наурыз, 15:00", place="Астана, Мәңгілік Ел даңғылы, 8",
        members=MEMBERS,
        declarations=(Declaration("Ирина Петровна Соколова", "Ержан Төлеуұлы", False),
                      Declaration("Нұрлан Әбдіхалықов", "Дмитрий Ким", True, "туысы")),
        candidates=(_candidate("Ержан Төлеуұлы"),
                    dataclasses.replace(_candidate("Анна Сергеевна Ли", ("1", "4")),
                                        moderation_notes=("Стратегиялық ойлау: 1 және 4, келісілді",))),
        ranking=(RankingRow(1, "Ержан Төлеуұлы", "87,5", "негізгі тізім", "ұсынылды"),
                 RankingRow(2, "Анна Сергеевна Ли", "71,0", "резерв", "ұсынылмады", "орын жоқ"),
                 RankingRow(None, "Дмитрий Ким", "—", "—", "ұсынылмады", "тестілеуден өтпеді")),
        agreement="ICC(2,k) = 0,82 (жақсы); Krippendorff α = 0,79",
    )
    data.update(changes)
    return Protocol(**data)


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_protocol_records_members_scores_decisions_and_signatures():
    text = " ".join(_pages(render_protocol(_protocol())))
    for phrase in ("Қазақстан Республикасы Қаржы министрлігі", "Бас сарапшы (C-4)", "2026 жылғы 12 наурыз, 15:00",
                   "Бауыржан Қайыркенов", "қатыспады", "туысы", "Стратегиялық ойлау", "И. П. Соколова", "4,50",
                   "3,75", "Стратегиялық ойлау: 1 және 4, келісілді", "ұсынылмады", "тестілеуден өтпеді",
                   "ICC(2,k) = 0,82", "Құжат: PR-2026-000417"):
        assert phrase in text, phrase
    signatures = text.split("Қолдар", 1)[1]
    for member in MEMBERS:
        assert (member.name in signatures) == member.present, member.name


def test_same_input_same_bytes():
    first = render_protocol(_protocol())
    render_protocol(_protocol(document_id="PR-2026-000418"))
    assert render_protocol(_protocol()) == first


def test_same_bytes_in_another_process():
    """The stored hash must still verify after a restart (different hash seed, fresh font state)."""
    script = ("import hashlib; from tests.reports.test_protocol import _protocol; "
              "from reports.protocol import render_protocol; "
              "print(hashlib.sha256(render_protocol(_protocol())).hexdigest())")
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert other.stdout.strip() == hashlib.sha256(render_protocol(_protocol())).hexdigest()


def test_long_tables_split_across_pages_with_their_headers():
    names = [f"Кандидат Сейітжанов-{i:02d}" for i in range(60)]
    ranking = tuple(RankingRow(i + 1, name, f"{90 - i / 2:.1f}".replace(".", ","), "резерв", "ұсынылмады")
                    for i, name in enumerate(names))
    pages = _pages(render_protocol(_protocol(candidates=tuple(_candidate(n) for n in names[:12]), ranking=ranking)))
    assert len(pages) > 3
    ranking_pages = [page for page in pages if "Сейітжанов-" in page and "ұсынылмады" in page]
    assert len(ranking_pages) >= 2
    assert all("Орын Кандидат Балл" in page for page in ranking_pages)
    assert all(f"бет {n}" in page for n, page in enumerate(pages, start=1))
