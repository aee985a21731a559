"""Three languages: catalogs complete, pages in the chosen language, locale formatting."""

from datetime import date

import pytest
from babel.messages.pofile import read_po

from recruit import i18n
from tests.conftest import post_form, sign_in

SAMPLES = {"kk": "Кіру", "ru": "Войти", "en": "Sign in"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_pages_render_in_each_language(client, language):
    client.headers["accept-language"] = language
    for path in ("/", "/login", "/register", "/does-not-exist"):
        page = client.get(path).text
        assert f'<html lang="{language}">' in page, path
        assert SAMPLES[language] in page, path


def test_accept_language_picks_the_best_supported_language(client):
    for header, expected in (("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("de-DE,en;q=0.5", "en"), ("fr", "kk"),
                             ("en;q=0.2, kk;q=0.9", "kk"), ("", "kk")):
        client.headers["accept-language"] = header
        assert f'<html lang="{expected}">' in client.get("/login").text, header


def test_anonymous_choice_is_kept_in_a_cookie(client):
    client.headers["accept-language"] = "en"
    assert post_form(client, "/language", {"language": "ru", "next": "/login"}).headers["location"] == "/login"
    assert '<html lang="ru">' in client.get("/").text


def test_the_account_language_wins_after_sign_in(client, make_user):
    make_user(email="kk@example.kz", language="kk")
    client.headers["accept-language"] = "en"
    sign_in(client, "kk@example.kz")
    assert '<html lang="kk">' in client.get("/account").text


def _catalog(language):
    with (i18n.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _template_ids():
    with (i18n.LOCALES_DIR / "messages.pot").open("rb") as handle:
        return {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogs_translate_every_message(language):
    catalog = _catalog(language)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    assert ids >= _template_ids()
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                                       else [m.string]))]
    assert missing == []
    copies = [m.id for m in catalog if m.id and isinstance(m.id, str) and m.string == m.id and len(m.id) > 12]
    assert copies == [], "English copies are not translations"


def test_the_template_lists_every_message_in_the_code():
    """Fails when someone adds text without running `make messages`."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    from recruit.settings import PROJECT_ROOT

    method_map, options_map = parse_mapping_cfg((PROJECT_ROOT / "babel.cfg").open())
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(PROJECT_ROOT, method_map, options_map,
                                        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)})
    }
    assert found - _template_ids() == set()


def test_dates_and_numbers_follow_the_locale():
    day = date(2017, 3, 22)
    with i18n.using("ru"):
        assert i18n.format_date(day, "long") == "22 марта 2017\u202fг."
        assert i18n.format_number(30515) == "30\xa0515"
    with i18n.using("en"):
        assert i18n.format_date(day, "long") == "March 22, 2017"
        assert i18n.format_number(30515) == "30,515"
    with i18n.using("kk"):
        assert "2017" in i18n.format_date(day, "long") and "наурыз" in i18n.format_date(day, "long").lower()
