"""Hostile files through the author's import page (HTTP) and `recruit bank import` (the command): each is refused
with a reason that names it, and nothing is stored. The parsers' own rules, case by case, are tested in
tests/question_bank (test_package.py for zips, test_moodle_xml.py and test_qti.py for XML); here the whole path
from the upload or the command line to the database is attacked."""

import io
import os
import subprocess
import sys
import zipfile

import pytest

from question_bank.importers.common import MAX_FILE_BYTES, MAX_PACKAGE_BYTES, MAX_PACKAGE_MEMBERS
from tests.conftest import csrf_token, sign_in
from tests.security.conftest import snapshot

QUESTION = ('<question type="truefalse"><name><text>Capital</text></name><questiontext format="html">'
            '<text>{text}</text></questiontext><answer fraction="100"><text>true</text></answer>'
            '<answer fraction="0"><text>false</text></answer></question>')
LAUGHS = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))


def _quiz(doctype: str, text: str) -> bytes:
    return f'<?xml version="1.0"?>\n<!DOCTYPE quiz [{doctype}]>\n<quiz>{QUESTION.format(text=text)}</quiz>'.encode()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _hostile(tmp_path) -> dict[str, tuple[bytes, str]]:
    """file name -> (content, what the refusal says)."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY planted "PLANTED-BY-DTD">')
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-DISK")
    unsafe = "unsafe XML refused"
    return {
        "laughs.xml": (_quiz('<!ENTITY l0 "ha">' + LAUGHS, "&l9;"), unsafe),
        "external-entity.xml": (_quiz(f'<!ENTITY x SYSTEM "file://{secret}">', "&x;"), unsafe),
        "parameter-entity.xml": (_quiz(f'<!ENTITY % p SYSTEM "file://{secret}"> %p;', "x"), unsafe),
        "external-dtd.xml": (f'<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "file://{dtd}">\n<quiz>'
                             f'{QUESTION.format(text="&planted;")}</quiz>'.encode(), "not well-formed XML"),
        "bomb.zip": (_zip({"imsmanifest.xml": b"<manifest/>", "pad.xml": b"\0" * (4 * 1024 * 1024)}),
                     "refused as a possible zip bomb"),
        "crowd.zip": (_zip({f"m{n}.txt": b"" for n in range(MAX_PACKAGE_MEMBERS + 1)}, zipfile.ZIP_STORED),
                      f"at most {MAX_PACKAGE_MEMBERS} are allowed"),
        "slip.zip": (_zip({"imsmanifest.xml": b"<manifest/>", "../../evil.xml": b"<quiz/>"}),
                     "climbs out of the package"),
        "huge.xml": (b"<quiz>" + b" " * MAX_FILE_BYTES + b"</quiz>", f"larger than {MAX_FILE_BYTES // 2 ** 20} MB"),
    }


def _no_trace(text: str) -> None:
    for leaked in ("SECRET-FROM-DISK", "PLANTED-BY-DTD", "haha"):
        assert leaked not in text


@pytest.fixture
def author(client, make_user):
    make_user("author", email="author@example.kz")
    sign_in(client, "author@example.kz")
    return client


def test_the_import_page_refuses_each_hostile_file_and_stores_nothing(author, db, demo_bank, tmp_path):
    token = csrf_token(author, "/bank/import")
    before = snapshot(db)
    for name, (content, reason) in _hostile(tmp_path).items():
        response = author.post("/bank/import", data={"_csrf_token": token}, files=[("files", (name, content))])
        assert response.status_code == 400, name
        assert name in response.text and reason in response.text and "Nothing was imported" in response.text, name
        _no_trace(response.text)
    assert snapshot(db) == before
    assert not (tmp_path.parent / "evil.xml").exists() and not (tmp_path / "evil.xml").exists()


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(author, db):
    token = csrf_token(author, "/bank/import")
    before = snapshot(db)
    response = author.post("/bank/import", data={"_csrf_token": token},
                           files=[("files", ("big.xml", b"\0" * (MAX_PACKAGE_BYTES + 1)))])
    assert response.status_code == 413
    assert snapshot(db) == before


def test_the_command_refuses_the_same_files_and_stores_nothing(database_url, db, tmp_path):
    (tmp_path / "support").mkdir()
    hostile = _hostile(tmp_path / "support")
    for name, (content, _) in hostile.items():
        (tmp_path / name).write_bytes(content)
    before = snapshot(db)
    result = subprocess.run([sys.executable, "-m", "recruit", "bank", "import", *(str(tmp_path / n) for n in hostile)],
                            env={**os.environ, "RECRUIT_DATABASE_URL": database_url}, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 1, result.stdout
    for name, (_, reason) in hostile.items():
        assert any(line.startswith(str(tmp_path / name)) and reason in line for line in result.stderr.splitlines()), \
            (name, result.stderr[-2000:])
    _no_trace(result.stdout + result.stderr)
    assert snapshot(db) == before
