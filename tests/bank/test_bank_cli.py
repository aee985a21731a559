"""`recruit bank import | export | assemble`: the contract other checks rely on."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import func, select

from recruit.bank.models import BankItem
from recruit.bank.service import demo_items

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


def recruit(database_url, *args):
    env = {**os.environ, "RECRUIT_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "recruit", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def _count(db) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(BankItem)).one()


def _write_demo(tmp_path) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(json.dumps([json.loads(json.dumps(i, default=str)) for i in _demo_dicts()], ensure_ascii=False))
    return path


def _demo_dicts():
    from question_bank.items import item_to_dict

    return [item_to_dict(item) for item in demo_items()]


def test_import_then_assemble_is_deterministic(database_url, db, tmp_path):
    result = recruit(database_url, "bank", "import", str(_write_demo(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert f"imported {len(demo_items())} items" in result.stdout
    assert _count(db) == len(demo_items())
    args = ("bank", "assemble", "--program", "corps-b", "--seed", "2026", "--language", "ru", "--json")
    first, second = recruit(database_url, *args), recruit(database_url, *args)
    assert first.returncode == 0 and first.stdout == second.stdout
    form = json.loads(first.stdout)
    assert (form["program"], form["seed"], form["language"]) == ("corps-b", 2026, "ru")
    assert [(s["code"], len(s["items"])) for s in form["sections"]] == [
        ("constitution", 15), ("civil-service", 15), ("anti-corruption", 15), ("ethics", 10)]
    assert set(form["sections"][0]["items"][0]) == {"item_id", "version", "option_order"}
    assert isinstance(form["expected_score"], float)
    other = json.loads(recruit(database_url, *args[:5], "2027", *args[6:]).stdout)
    assert other["sections"] != form["sections"]


def test_a_broken_item_imports_nothing_and_names_file_line_and_reason(database_url, db, tmp_path):
    good = _write_demo(tmp_path)
    broken = CONFORMANCE / "moodle_xml" / "error_invalid_grades.xml"
    result = recruit(database_url, "bank", "import", str(good), str(broken))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
    assert lines and all(line.split(":")[1].isdigit() for line in lines)
    assert any("33" in line for line in lines)
    assert _count(db) == 0


def test_unsupported_types_need_the_skip_flag(database_url, db):
    gift = CONFORMANCE / "gift" / "questions.gift.txt"
    refused = recruit(database_url, "bank", "import", str(gift))
    assert refused.returncode == 1 and "--skip-unsupported" in refused.stderr
    assert _count(db) == 0
    accepted = recruit(database_url, "bank", "import", "--skip-unsupported", str(gift))
    assert accepted.returncode == 0, accepted.stderr
    imported = int(accepted.stdout.split("imported ")[1].split(" ")[0])
    assert imported == _count(db) > 0
    assert "skipped" in accepted.stdout


def test_export_then_import_gives_back_the_same_items(database_url, db, tmp_path):
    assert recruit(database_url, "bank", "import", str(_write_demo(tmp_path))).returncode == 0
    for fmt, name in (("moodle-xml", "bank.xml"), ("qti", "bank.zip")):
        out = tmp_path / name
        exported = recruit(database_url, "bank", "export", "--format", fmt, "--out", str(out))
        assert exported.returncode == 0 and out.stat().st_size > 0, exported.stderr
        again = recruit(database_url, "bank", "import", str(out))
        assert again.returncode == 0, again.stderr
        assert f"imported {len(demo_items())} items" in again.stdout
        assert f"{len(demo_items())} unchanged" in again.stdout, again.stdout
    assert _count(db) == len(demo_items())
