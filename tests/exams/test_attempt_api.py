"""The candidate's exam API, end to end through HTTP."""

import json
from datetime import timedelta

from sqlalchemy import update

from recruit.bank import service as bank
from recruit.exams.models import Attempt


def _start(client, auth, sitting_id, language="ru"):
    return client.post("/api/v1/attempts", json={"sitting_id": sitting_id, "language": language}, headers=auth)


def test_book_start_save_submit_result(client, db, make_user, sitting, token_for):
    make_user("candidate", email="cand@example.kz")
    auth = token_for("cand@example.kz")
    listed = client.get("/api/v1/sittings", headers=auth).json()
    assert [(s["id"], s["booked"], s["seats_left"]) for s in listed] == [(sitting.id, False, 50)]
    booked = client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    assert booked.status_code == 201
    started = _start(client, auth, sitting.id)
    assert started.status_code == 201
    body = started.json()
    assert len(body["items"]) == 55 and 3290 <= body["remaining_seconds"] <= 3300
    assert set(body["items"][0]) == {"slot", "section", "stem", "multiple", "options"}
    assert set(body["items"][0]["options"][0]) == {"id", "text"}
    first = body["items"][0]
    saved = client.put(f"/api/v1/attempts/{body['id']}/responses/1",
                       json={"choice_ids": [first["options"][0]["id"]], "seq": 1}, headers=auth)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    stale = client.put(f"/api/v1/attempts/{body['id']}/responses/1",
                       json={"choice_ids": [first["options"][1]["id"]], "seq": 0}, headers=auth)
    assert stale.json()["saved"] is False
    state = client.get(f"/api/v1/attempts/{body['id']}", headers=auth).json()
    assert state["state"] == "in_progress"
    assert state["responses"] == [{"slot": 1, "choice_ids": [first["options"][0]["id"]], "seq": 1}]
    result = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=auth)
    assert result.status_code == 200 and result.json()["state"] == "scored"
    again = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=auth)
    assert again.json() == result.json()
    fetched = client.get(f"/api/v1/attempts/{body['id']}/result", headers=auth).json()
    assert fetched["verification_code"] == result.json()["verification_code"]
    assert fetched["passed"] is False and fetched["correct"] <= 1
    assert {r["section"] for r in fetched["reasons"]} == {None, "constitution", "civil-service", "anti-corruption",
                                                          "ethics"}
    closed = client.put(f"/api/v1/attempts/{body['id']}/responses/2",
                        json={"choice_ids": [body["items"][1]["options"][0]["id"]], "seq": 2}, headers=auth)
    assert closed.status_code == 409


def test_no_key_reaches_the_candidate(client, db, make_user, sitting, token_for):
    make_user("candidate", email="cand@example.kz")
    auth = token_for("cand@example.kz")
    client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    body = _start(client, auth, sitting.id).json()
    bodies = [json.dumps(body, ensure_ascii=False)]
    bodies.append(client.get(f"/api/v1/attempts/{body['id']}", headers=auth).text)
    bodies.append(client.post(f"/api/v1/attempts/{body['id']}/submit", headers=auth).text)
    bodies.append(client.get(f"/api/v1/attempts/{body['id']}/result", headers=auth).text)
    items = {i.id: i for i in bank.current_items(db)}
    text = "\n".join(bodies)
    for item_id, item in items.items():
        assert f'"{item_id}"' not in text  # item ids never leave the server
    for needle in ('"key"', '"correct_option', '"is_correct"', '"option_order"', '"seed"'):
        assert needle not in text
    option_ids = [o["id"] for i in body["items"] for o in i["options"]]
    assert all(len(o) == 12 and o not in ("a", "b", "c", "d", "true", "false") for o in option_ids)


def test_another_candidates_attempt_is_404(client, db, make_user, sitting, token_for):
    make_user("candidate", email="one@example.kz")
    make_user("candidate", email="two@example.kz")
    one, two = token_for("one@example.kz"), token_for("two@example.kz")
    client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=one)
    body = _start(client, one, sitting.id).json()
    slot = body["items"][0]
    for response in (
        client.get(f"/api/v1/attempts/{body['id']}", headers=two),
        client.put(f"/api/v1/attempts/{body['id']}/responses/1",
                   json={"choice_ids": [slot["options"][0]["id"]], "seq": 1}, headers=two),
        client.post(f"/api/v1/attempts/{body['id']}/submit", headers=two),
        client.get(f"/api/v1/attempts/{body['id']}/result", headers=two),
    ):
        assert response.status_code == 404
    assert _start(client, two, sitting.id).status_code == 404  # not booked


def test_order_differs_between_candidates_and_holds_for_one(client, db, make_user, sitting, token_for):
    make_user("candidate", email="one@example.kz")
    make_user("candidate", email="two@example.kz")
    one, two = token_for("one@example.kz"), token_for("two@example.kz")
    for auth in (one, two):
        client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    first, second = _start(client, one, sitting.id).json(), _start(client, two, sitting.id).json()
    stems = lambda body: [i["stem"] for i in body["items"]]  # noqa: E731
    assert stems(first) != stems(second)
    again = _start(client, one, sitting.id)
    assert again.status_code == 200 and stems(again.json()) == stems(first)
    assert [o["text"] for o in again.json()["items"][0]["options"]] == [o["text"] for o in first["items"][0]["options"]]


def test_late_saves_are_refused_and_the_attempt_closes_at_its_deadline(client, db, make_user, sitting, token_for):
    make_user("candidate", email="late@example.kz")
    auth = token_for("late@example.kz")
    client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    body = _start(client, auth, sitting.id).json()
    with db.write() as session:  # the deadline passed 31 s ago
        attempt = session.get(Attempt, body["id"])
        session.execute(update(Attempt).where(Attempt.id == body["id"]).values(
            deadline_at=attempt.started_at - timedelta(hours=1), started_at=attempt.started_at - timedelta(hours=2)))
    late = client.put(f"/api/v1/attempts/{body['id']}/responses/1",
                      json={"choice_ids": [body["items"][0]["options"][0]["id"]], "seq": 1}, headers=auth)
    assert late.status_code == 409 and late.json()["extra"] == {"reason": "deadline"}
    result = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=auth).json()
    assert result["finish_reason"] == "expired"
    with db.read() as session:
        attempt = session.get(Attempt, body["id"])
    assert attempt.finished_at == attempt.deadline_at


def test_invalid_choices_and_slots(client, db, make_user, sitting, token_for):
    make_user("candidate", email="x@example.kz")
    auth = token_for("x@example.kz")
    client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    body = _start(client, auth, sitting.id).json()
    other_slot_option = body["items"][1]["options"][0]["id"]
    assert client.put(f"/api/v1/attempts/{body['id']}/responses/1", json={"choice_ids": [other_slot_option], "seq": 1},
                      headers=auth).status_code == 422
    assert client.put(f"/api/v1/attempts/{body['id']}/responses/99", json={"choice_ids": [], "seq": 1},
                      headers=auth).status_code == 404
    assert _start(client, auth, sitting.id, language="de").status_code in (200, 422)


def test_sessions_cannot_use_the_exam_api_and_other_roles_are_refused(client, make_user, sitting, token_for):
    make_user("author", email="author@example.kz")
    auth = token_for("author@example.kz")
    assert client.get("/api/v1/sittings", headers=auth).status_code == 403


def test_certificate_pdf_and_public_verification(client, db, make_user, sitting, token_for):
    import io

    from pypdf import PdfReader

    make_user("candidate", email="cert@example.kz", language="kk")
    auth = token_for("cert@example.kz")
    client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth)
    body = _start(client, auth, sitting.id).json()
    assert client.get(f"/api/v1/attempts/{body['id']}/certificate.pdf", headers=auth).status_code == 409
    result = client.post(f"/api/v1/attempts/{body['id']}/submit", headers=auth).json()
    pdf = client.get(f"/api/v1/attempts/{body['id']}/certificate.pdf", headers=auth)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert result["verification_code"] in text
    assert "Мемлекеттік қызметке тестілеу нәтижесі туралы куәлік" in " ".join(text.split())  # candidate's language
    assert "0.0" not in text
    assert "Test Person" in text
    client.headers.pop("authorization", None)
    public = client.get(f"/verify/{result['verification_code']}")
    assert public.status_code == 200 and "T*** P*** 1***" in public.text
    assert "Test Person" not in public.text
    assert client.get("/verify/NOTAREALCODE0000").status_code == 404
