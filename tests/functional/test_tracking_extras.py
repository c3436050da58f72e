"""The tracking page's status messages (admin-edited, id/en), promise and residents' ratings."""

import re

import pytest

from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.citizens import service as citizens
from casemgr.db import session
from tests.functional.citizen_cases import RESIDENT_PASSWORD, file, log_in, resident, resolve


def status_message(client, case, language="en"):
    page = client.get(f"/track/{case.reference}", headers={"Accept-Language": language})
    return re.search(r'id="status-message">([^<]*)<', page.get_data(as_text=True)).group(1)


def save(client, **form):
    return client.post("/admin/status-messages", data=form)


def test_status_messages_fall_back_from_category_to_status_to_built_in(client, logins):
    case = file()
    log_in(client, "admin", logins["admin"]["password"])
    assert "received your report" in status_message(client, case)
    assert "sudah kami terima" in status_message(client, case, "id")

    assert save(client, status="submitted", category="", locale="en",
                text="Every report is read by 9 am.").status_code == 302
    assert save(client, status="submitted", category="drains", locale="id",
                text="Saluran Anda kami periksa besok pagi.").status_code == 302
    assert status_message(client, case) == "Every report is read by 9 am."
    assert status_message(client, case, "id") == "Saluran Anda kami periksa besok pagi."
    admin_page = client.get("/admin/status-messages").get_data(as_text=True)
    assert "Every report is read by 9 am." in admin_page

    # Empty text removes the message: back to the built-in one.
    save(client, status="submitted", category="", locale="en", text="")
    assert "received your report" in status_message(client, case)


def test_status_messages_are_escaped(client, logins):
    case = file()
    log_in(client, "admin", logins["admin"]["password"])
    save(client, status="submitted", category="", locale="en", text="<b>bold</b>")

    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


@pytest.mark.parametrize("form", [
    {"status": "lost", "category": "", "locale": "en", "text": "x"},
    {"status": "submitted", "category": "nope", "locale": "en", "text": "x"},
    {"status": "submitted", "category": "", "locale": "fr", "text": "x"},
    {"status": "submitted", "category": "", "locale": "en", "text": "x" * 1001},
])
def test_bad_status_messages_are_422_and_store_nothing(client, logins, form):
    log_in(client, "admin", logins["admin"]["password"])

    assert save(client, **form).status_code == 422
    assert citizens.list_status_messages() == []


def test_only_admins_edit_status_messages(client, logins):
    assert client.get("/admin/status-messages").status_code == 302  # to the login page
    for username in ("citizen", "triage"):
        log_in(client, username, logins[username]["password"])
        assert client.get("/admin/status-messages").status_code == 403
        assert save(client, status="submitted", category="", locale="en",
                    text="x").status_code == 403
        client.post("/logout")
    assert citizens.list_status_messages() == []


def test_the_page_tells_the_category_s_service_promise(client):
    drains = file()
    floods = file(category="floods", description="Street flooded")

    drains_page = client.get(f"/track/{drains.reference}").get_data(as_text=True)
    floods_page = client.get(f"/track/{floods.reference}",
                             headers={"Accept-Language": "id"}).get_data(as_text=True)

    assert "We aim to fix Clogged drain reports within 7 working days." in drains_page
    assert "dalam 24 jam, siang dan malam" in floods_page


def rate(client, case, stars):
    return client.post(f"/track/{case.reference}/rating", data={"stars": stars})


def test_residents_rate_a_resolved_fix_once_and_see_the_average(client, api):
    case = file(reporter=accounts.find_user("citizen"))
    resident("budi")
    resident("tuti")
    log_in(client, "budi", RESIDENT_PASSWORD)
    assert rate(client, case, "4").status_code == 403  # not resolved yet
    assert 'id="rate"' not in client.get(f"/track/{case.reference}").get_data(as_text=True)

    resolve(api, case.id)
    assert 'id="rate"' in client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert rate(client, case, "4").status_code == 302
    assert rate(client, case, "5").status_code == 409
    client.post("/logout")
    log_in(client, "tuti", RESIDENT_PASSWORD)
    assert rate(client, case, "5").status_code == 302

    assert citizens.rating_summary(case.id) == (4.5, 2)
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    assert re.search(r'id="rating-average">4\.5 of 5 \(2 ratings\)<', page)


@pytest.mark.parametrize("stars", ["0", "6", "four", ""])
def test_bad_ratings_are_422(client, api, stars):
    case = resolve(api, file().id)
    resident()
    log_in(client, "resident", RESIDENT_PASSWORD)

    assert rate(client, case, stars).status_code == 422
    assert citizens.rating_summary(case.id) == (None, 0)


def test_the_reporter_staff_and_visitors_do_not_rate_here(client, api, logins):
    case = resolve(api, file(reporter=accounts.find_user("citizen")).id)

    assert rate(client, case, "3").status_code == 302  # to the login page
    for username in ("citizen", "triage"):
        log_in(client, username, logins[username]["password"])
        assert rate(client, case, "3").status_code == 403
        client.post("/logout")
    session.expire_all()
    assert citizens.rating_summary(cases.get(case.id).id) == (None, 0)
