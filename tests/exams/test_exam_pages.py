"""The candidate's exam pages through HTTP: no keys in any page, saving without JavaScript, review, result."""

import re

from recruit.bank import service as bank
from recruit.exams.models import Attempt
from tests.conftest import csrf_token, post_form, sign_in


def _begin(client, make_user, sitting, language="ru"):
    make_user("candidate", email="page@example.kz", language=language)
    sign_in(client, "page@example.kz")
    assert post_form(client, f"/exams/sittings/{sitting.id}/book", {}, token_page="/exams").status_code == 303
    started = post_form(client, f"/exams/sittings/{sitting.id}/start", {"language": language}, token_page="/exams")
    assert started.status_code == 303
    return started.headers["location"]


def test_question_pages_hold_no_keys_and_no_item_ids(client, db, make_user, sitting):
    location = _begin(client, make_user, sitting)
    assert re.fullmatch(r"/exams/attempts/\d+/q/1", location)
    page = client.get(location).text
    assert '<html lang="ru">' in page and 'name="choice"' in page
    for item in bank.current_items(db):
        assert item.id not in page
    values = re.findall(r'name="choice" value="([^"]+)"', page)
    assert values and all(len(v) == 12 for v in values)


def test_answering_without_javascript_saves_and_moves_on(client, db, make_user, sitting):
    location = _begin(client, make_user, sitting)
    attempt_id = int(location.split("/")[3])
    page = client.get(location).text
    choice = re.findall(r'name="choice" value="([^"]+)"', page)[0]
    moved = client.post(location, data={"choice": choice, "_csrf_token": csrf_token(client, location)},
                        follow_redirects=False)
    assert moved.headers["location"] == f"/exams/attempts/{attempt_id}/q/2"
    again = client.get(location).text
    assert f'value="{choice}" checked' in again
    assert 'class="answered' in again


def test_autosave_endpoint_needs_the_csrf_header(client, db, make_user, sitting):
    location = _begin(client, make_user, sitting)
    attempt_id = int(location.split("/")[3])
    page = client.get(location).text
    choice = re.findall(r'name="choice" value="([^"]+)"', page)[0]
    url = f"/exams/attempts/{attempt_id}/responses/1"
    assert client.put(url, json={"choice_ids": [choice], "seq": 1}).status_code == 403
    token = csrf_token(client, location)
    saved = client.put(url, json={"choice_ids": [choice], "seq": 1}, headers={"x-csrftoken": token})
    assert saved.status_code == 200 and saved.json()["saved"] is True


def test_review_submit_and_result_in_the_candidates_language(client, db, make_user, sitting):
    location = _begin(client, make_user, sitting)
    attempt_id = int(location.split("/")[3])
    review = client.get(f"/exams/attempts/{attempt_id}/review").text
    assert "55" in review
    done = post_form(client, f"/exams/attempts/{attempt_id}/submit", {"confirm": "yes"},
                     token_page=f"/exams/attempts/{attempt_id}/review")
    assert done.headers["location"] == f"/exams/attempts/{attempt_id}/result"
    result = client.get(done.headers["location"]).text
    assert "Этический кодекс государственных служащих" in result
    with db.read() as session:
        code = session.get(Attempt, attempt_id).verification_code
    assert code in result
    # A finished attempt's pages lead to the result; the questions are gone.
    assert client.get(location, follow_redirects=False).headers["location"].endswith("/result")


def test_other_candidates_cannot_open_an_attempt(client, db, make_user, sitting):
    location = _begin(client, make_user, sitting)
    client.cookies.clear()
    make_user("candidate", email="other@example.kz")
    sign_in(client, "other@example.kz")
    assert client.get(location).status_code == 404
    assert client.get(location.rsplit("/q/", 1)[0] + "/result").status_code == 404
