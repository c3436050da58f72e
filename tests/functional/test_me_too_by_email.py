"""A "me too" given with an email address counts only once that address confirms it."""

import logging
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from casemgr.cases import history
from casemgr.citizens import confirmation
from casemgr.citizens import service as citizens
from casemgr.db import session
from casemgr.notifications import service as notifications
from tests.functional.citizen_cases import file
from tests.functional.sla_cases import outbox

ADDRESS = "tetangga@example.org"


def me_too(client, case, email=ADDRESS, **headers):
    return client.post(f"/track/{case.reference}/me-too", data={"email": email},
                       headers=headers)


def confirmation_link(case, email=ADDRESS):
    """The path and query of the link in the last confirmation message to `email`."""
    messages = [n for n in notifications.of_case(case.id)
                if n.kind == "me_too_confirm" and n.recipient_email == email]
    assert messages, f"no confirmation message to {email}"
    return re.search(r"https?://[^/\s]+(/track/\S+)", messages[-1].body).group(1)


def token_of(link):
    return link.split("token=", 1)[1]


def confirm(client, case, link):
    return client.post(f"/track/{case.reference}/me-too/confirm",
                       data={"token": token_of(link)})


def travel(monkeypatch, hours):
    """Let the links' signatures see a moment `hours` from now."""
    later = int(time.time()) + hours * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)


def history_kinds(case):
    return [e.kind for e in history.events_of(case.id, public_only=True)]


def test_an_address_is_not_counted_until_it_confirms(client, caplog):
    caplog.set_level(logging.INFO, logger="casemgr.citizens.service")
    case = file()

    response = me_too(client, case)

    assert response.status_code == 302
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"open the link we sent to {ADDRESS} within 72 hours" in flashed
    assert citizens.me_too_count(case.id) == 0
    assert citizens.find_follower(case, email=ADDRESS) is None
    assert "me_too" not in history_kinds(case)
    assert outbox(case.id, "me_too_confirm") == [ADDRESS]
    assert ADDRESS not in caplog.text


def test_the_link_opens_a_page_and_its_button_counts_the_resident(client):
    case = file()
    me_too(client, case)
    link = confirmation_link(case)

    page = client.get(link)
    assert page.status_code == 200
    assert 'id="me-too-confirm"' in page.get_data(as_text=True)
    assert citizens.me_too_count(case.id) == 0  # opening the link alone counts nothing

    response = confirm(client, case, link)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/track/{case.reference}")
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your &#34;me too&#34; is confirmed" in after or 'your "me too" is confirmed' in after
    assert re.search(r'id="me-too-count">2<', after)
    assert citizens.me_too_count(case.id) == 1
    follower = citizens.find_follower(case, email=ADDRESS)
    assert follower.is_me_too and follower.wants_email
    assert history_kinds(case).count("me_too") == 1


def test_confirming_twice_is_harmless(client):
    case = file()
    me_too(client, case)
    link = confirmation_link(case)
    confirm(client, case, link)

    client.get(f"/track/{case.reference}")  # shows, and so drops, the first flash

    again = confirm(client, case, link)
    assert again.status_code == 302
    assert "confirmed already" in client.get(again.headers["Location"]).get_data(as_text=True)
    opened_again = client.get(link)
    assert opened_again.status_code == 302
    assert "confirmed already" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert citizens.me_too_count(case.id) == 1
    assert history_kinds(case).count("me_too") == 1


def test_an_unconfirmed_address_gets_no_status_emails(client, api):
    case = file()
    me_too(client, case)
    confirmed = "confirmed@example.org"
    me_too(client, case, email=confirmed)
    confirm(client, case, confirmation_link(case, confirmed))

    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    api.complete(case.id, "assign", "sup-water", {"assignee": "officer-water"})

    assert outbox(case.id, "assigned") == [confirmed]
    assert citizens.me_too_count(case.id) == 1


def test_a_tampered_link_is_a_400_page(client):
    case, other = file(), file()
    me_too(client, case)
    token = token_of(confirmation_link(case))
    forged = URLSafeTimedSerializer("not-the-secret", salt=confirmation.SALT).dumps(
        {"case": case.id, "email": "victim@example.org"})

    for bad in (token[:-3] + "xyz", forged, "", "garbage"):
        response = client.get(f"/track/{case.reference}/me-too/confirm?token={bad}")
        assert response.status_code == 400, bad
        assert "This confirmation link is not valid" in response.get_data(as_text=True)
    posted = client.post(f"/track/{case.reference}/me-too/confirm", data={"token": forged})
    assert posted.status_code == 400
    # A good token for one case does not confirm another.
    assert client.get(f"/track/{other.reference}/me-too/confirm?token={token}").status_code \
        == 400
    assert citizens.me_too_count(case.id) == citizens.me_too_count(other.id) == 0


def test_an_expired_link_is_a_410_page(client, app, monkeypatch):
    case = file()
    me_too(client, case)
    link = confirmation_link(case)
    travel(monkeypatch, hours=73)

    opened = client.get(link)
    posted = confirm(client, case, link)

    assert opened.status_code == posted.status_code == 410
    assert "This confirmation link has expired" in opened.get_data(as_text=True)
    assert citizens.me_too_count(case.id) == 0


def test_the_page_says_the_same_whether_or_not_the_address_follows_already(client):
    case = file()
    me_too(client, case)
    confirm(client, case, confirmation_link(case))

    again = me_too(client, case)
    stranger = me_too(client, case, email="someone-else@example.org")

    assert again.status_code == stranger.status_code == 302
    assert citizens.me_too_count(case.id) == 1


def test_one_confirmation_message_a_day_per_address(client):
    case = file()

    for _ in range(3):
        assert me_too(client, case).status_code == 302

    assert outbox(case.id, "me_too_confirm") == [ADDRESS]


def test_the_message_is_in_the_page_s_language_with_the_link(client):
    case = file()

    me_too(client, case, **{"Accept-Language": "id"})

    message = next(n for n in notifications.of_case(case.id) if n.kind == "me_too_confirm")
    assert case.reference in message.subject
    assert "/me-too/confirm?token=" in message.body
    assert "72" in message.body
    assert "Someone, perhaps you" not in message.body  # Indonesian, not English


def test_a_closed_case_refuses_the_confirmation(client, api):
    case = file()
    me_too(client, case)
    link = confirmation_link(case)
    api.complete(case.id, "triage", "triage", {"decision": "reject", "note": "Private land"})

    assert client.get(link).status_code == 409  # no button that could only fail
    assert confirm(client, case, link).status_code == 409
    assert citizens.me_too_count(case.id) == 0


@pytest.mark.parametrize("hours", [0, -1])
def test_bad_confirmation_hours_stop_start_up(app, hours):
    from casemgr import create_app
    from config import ConfigError

    with pytest.raises(ConfigError, match="CASEMGR_ME_TOO_CONFIRM_HOURS"):
        create_app({**app.config, "ME_TOO_CONFIRM_HOURS": hours})


def test_token_lifetime_follows_the_setting(app, monkeypatch):
    case = file()
    with app.test_request_context():
        token = confirmation.token_for(case, ADDRESS)
        monkeypatch.setitem(app.config, "ME_TOO_CONFIRM_HOURS", 1)
        travel(monkeypatch, hours=2)
        with pytest.raises(confirmation.LinkError) as refused:
            confirmation.read(token, case)
    assert refused.value.status == 410
    session.rollback()


def test_one_address_cannot_make_the_city_mail_any_number_of_strangers(client, monkeypatch):
    from limits import parse_many

    from casemgr.accounts.throttle import throttle

    monkeypatch.setattr(throttle(), "me_too_limits", parse_many("2 per hour"))
    throttle().reset()
    case = file()
    try:
        for n in range(2):
            assert me_too(client, case, email=f"neighbour{n}@example.org").status_code == 302
        refused = me_too(client, case, email="stranger@example.org")
    finally:
        throttle().reset()

    assert refused.status_code == 429
    assert "Too many" in refused.get_data(as_text=True)
    assert outbox(case.id, "me_too_confirm") == ["neighbour0@example.org",
                                                 "neighbour1@example.org"]


def test_many_senders_cannot_flood_one_mailbox_either(client, monkeypatch):
    from limits import parse_many

    from casemgr.accounts.throttle import throttle

    monkeypatch.setattr(throttle(), "me_too_limits", parse_many("2 per hour"))
    throttle().reset()
    cases = [file() for _ in range(3)]
    try:
        answers = [client.post(f"/track/{case.reference}/me-too", data={"email": ADDRESS},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
                   for n, case in enumerate(cases)]
    finally:
        throttle().reset()

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert outbox(cases[2].id, "me_too_confirm") == []


def test_an_address_counts_once_whatever_its_letter_case(client):
    case = file()
    assert me_too(client, case, email=f"  {ADDRESS}  ").status_code == 302  # pasted
    confirm(client, case, confirmation_link(case))

    # The same address typed in capitals on another day comes with a link of its own.
    token = confirmation.token_for(case, ADDRESS.upper())
    confirm(client, case, f"/track/{case.reference}/me-too/confirm?token={token}")

    assert citizens.me_too_count(case.id) == 1


def test_the_reporter_s_own_address_is_not_one_more_resident(client):
    case = file(reporter_email="pelapor@example.org")

    me_too(client, case, email="Pelapor@example.org")
    response = confirm(client, case, confirmation_link(case, email="Pelapor@example.org"))

    assert response.status_code == 409
    assert "your own report" in response.get_data(as_text=True)
    assert citizens.me_too_count(case.id) == 0
    assert "me_too" not in history_kinds(case)
