"""Indonesian and English pages: chosen by the user, else the switcher, else the browser."""

from datetime import UTC, datetime

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string

from casemgr import ROOT
from casemgr.accounts import service as accounts
from casemgr.db import session
from tests.functional.citizen_cases import file, log_in

CATALOG = ROOT / "translations" / "id" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _browser_language_again():
    """Forget the demo users' saved choice: the cleanup keeps the seeded user rows."""
    yield
    session.rollback()
    for username in ("citizen",):
        accounts.set_locale(accounts.find_user(username), None)


def home(client, **headers):
    return client.get("/", headers=headers).get_data(as_text=True)


def test_the_browser_s_language_is_used_when_none_was_chosen(client):
    assert "Laporkan masalah" in home(client, **{"Accept-Language": "id-ID,id;q=0.9"})
    assert 'lang="id"' in home(client, **{"Accept-Language": "id"})
    assert "Report a problem" in home(client, **{"Accept-Language": "en-GB"})
    assert "Report a problem" in home(client, **{"Accept-Language": "fr"})
    assert "Report a problem" in home(client)


def test_the_switcher_overrides_the_browser_for_the_session(client):
    response = client.post("/language", data={"locale": "id", "next": "/map"})

    assert response.status_code == 302 and response.headers["Location"] == "/map"
    assert "Laporkan masalah" in home(client, **{"Accept-Language": "en"})
    client.post("/language", data={"locale": "en"})
    assert "Report a problem" in home(client, **{"Accept-Language": "id"})


def test_a_user_s_choice_is_saved_with_the_account(client, app, logins):
    log_in(client, "citizen", logins["citizen"]["password"])
    client.post("/language", data={"locale": "id"})
    session.expire_all()
    assert accounts.find_user("citizen").locale == "id"

    # A new app context: Flask-Login keeps the loaded user on `g`, which the test's own
    # context would carry from the requests above.
    fresh = app.test_client()
    with app.app_context():
        log_in(fresh, "citizen", logins["citizen"]["password"])
    with app.app_context():
        assert "Laporkan masalah" in home(fresh, **{"Accept-Language": "en"})


def test_a_bad_language_or_an_outside_next_is_refused(client):
    bad = client.post("/language", data={"locale": "xx"})
    outside = client.post("/language", data={"locale": "id", "next": "https://evil.example/"})

    assert bad.status_code == 400 and "Unknown language" in bad.get_data(as_text=True)
    assert outside.status_code == 302 and outside.headers["Location"] == "/"


def test_pages_wear_the_chosen_language(client):
    case = file()
    client.post("/language", data={"locale": "id"})

    report = client.get("/report").get_data(as_text=True)
    track = client.get(f"/track/{case.reference}").get_data(as_text=True)
    base_nav = client.get("/map").get_data(as_text=True)

    assert "Apa masalahnya?" in report and "Kirim laporan" in report
    assert "Riwayat" in track and "Janji kami" in track
    assert "Peta laporan" in base_nav and 'id="language-switcher"' in base_nav


def test_times_are_shown_in_the_city_s_time_zone(app):
    moment = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 08:30 in Jakarta

    # Each in its own app context: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string("{{ moment|city_time }}", moment=moment)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "id"}):
        indonesian = render_template_string("{{ moment|city_time('short') }}", moment=moment)

    assert "8:30" in english and "Dec" in english
    assert "08.30" in indonesian or "08:30" in indonesian
    with app.test_request_context():
        assert render_template_string("{{ none|city_time }}", none=None) == ""


def test_the_committed_catalog_is_complete_and_compiled(app):
    with open(CATALOG / "messages.po", "rb") as handle:
        source = read_po(handle)
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)

    untranslated = [m.id for m in source if m.id and not all(
        m.string if isinstance(m.string, tuple) else [m.string])]
    assert untranslated == []
    assert _entries(source) == _entries(compiled)


def _entries(catalog):
    """msgid -> msgstr with plural forms as tuples, as the .po and the .mo both hold them."""
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_refusals_speak_the_page_s_language(client):
    case = file()

    response = client.post(f"/track/{case.reference}/me-too",
                           headers={"Accept-Language": "id"})

    assert response.status_code == 422
    assert "Masuk atau isi alamat email Anda" in response.get_data(as_text=True)
