"""The admin site's login is limited like the main login: it goes through the
same view (accounts.views.LoginView), so it follows whatever that counts."""

from tests import factories

ADMIN_LOGIN = "/admin/login/"


def _login(client, username, password):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_guessing_at_the_admin_login_is_refused_even_with_the_right_password(
    client, db, settings
):
    settings.CAIRN_LOGINS_PER_MINUTE = 10
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    staff.set_password("right-horse-battery")
    staff.save()
    for _ in range(15):
        response = _login(client, staff.username, "wrong")
        assert response.status_code in (200, 429)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many attempts to log in" in response.text

    response = _login(client, staff.username, "right-horse-battery")
    assert response.status_code == 429
    assert "Too many attempts to log in" in response.text
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_works_within_the_limit(client, db):
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    staff.set_password("right-horse-battery")
    staff.save()
    assert (
        "Please enter the correct username" in _login(client, staff.username, "x").text
    )
    response = _login(client, staff.username, "right-horse-battery")
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
