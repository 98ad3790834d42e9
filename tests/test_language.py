import pytest

pytestmark = pytest.mark.django_db


def test_dutch_by_default_even_for_an_english_browser(client):
    response = client.get("/inloggen/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response.headers["Content-Language"] == "nl"
    assert "<h1>Inloggen</h1>" in response.content.decode()


def test_english_after_choosing_it(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/inloggen/"})

    content = client.get("/inloggen/").content.decode()

    assert "<h1>Log in</h1>" in content
    assert "Forgotten your password or username &gt;" in content
    assert '<html lang="en">' in content


def test_portal_menu_in_english(client, verified_login, beheerder):
    verified_login(beheerder.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    content = client.get("/gebruikers/").content.decode()

    assert ">from clients</a>" in content
    assert ">My profile</a>" in content
