"""Every state-changing form and htmx request needs the CSRF token."""

import pytest

from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD

FORMS = [
    ("/login", {"email": "x@example.kz", "password": PASSWORD}),
    ("/register", {"email": "x@example.kz"}),
    ("/logout", {}),
    ("/language", {"language": "ru"}),
    ("/account/password", {"current_password": PASSWORD, "new_password": "x" * 12, "new_password_confirm": "x" * 12}),
    ("/admin/users/new", {"email": "y@example.kz"}),
    ("/admin/users/1", {"roles": "admin"}),
    ("/admin/reference/regions/KZ-55", {"name_en": "Changed"}),
]


@pytest.mark.parametrize("path,data", FORMS)
def test_posts_without_a_token_are_refused(client, make_user, path, data):
    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403
    forged = client.post(path, data={**data, "_csrf_token": "0" * 128}, follow_redirects=False)
    assert forged.status_code == 403


def test_a_refused_post_changes_nothing(client, db, make_user):
    from recruit.reference.models import Region

    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    client.post("/admin/reference/regions/KZ-55", data={"name_en": "Forged"}, follow_redirects=False)
    with db.read() as session:
        assert session.get(Region, "KZ-55").name_en == "Pavlodar Region"


def test_htmx_requests_carry_the_token_in_a_header(client, make_user):
    make_user(email="h@example.kz", language="en")
    token = csrf_token(client)
    page = client.get("/login").text
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page
    sign_in(client, "h@example.kz")
    token = csrf_token(client, "/account")
    ok = client.post("/language", data={"language": "ru"}, headers={"x-csrftoken": token, "hx-request": "true"},
                     follow_redirects=False)
    assert ok.status_code == 303
    refused = client.post("/language", data={"language": "kk"}, headers={"hx-request": "true"},
                          follow_redirects=False)
    assert refused.status_code == 403
