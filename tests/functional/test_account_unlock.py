"""The way out of a login lock: the unlock-user command and the admin's locked-accounts page."""

import logging
import re
from datetime import timedelta

import pytest

from casemgr.accounts import service
from casemgr.db import session, utcnow
from tests.functional.citizen_cases import RESIDENT_PASSWORD, log_in, resident
from tests.functional.test_authorization_matrix import forget_request_state


def locked_out(client, username):
    for attempt in range(3):
        client.post("/login", data={"username": username, "password": f"nope-{attempt}"})
    return user(username)


def user(username):
    session.expire_all()
    return service.find_user(username)


def unlock_command(runner, *args):
    return runner.invoke(args=["casemgr", "unlock-user", *args])


def test_unlock_user_command_lets_a_locked_account_in_again(
    app, client, logins, limits, caplog
):
    caplog.set_level(logging.INFO, logger="casemgr.accounts.service")
    assert locked_out(client, "triage").locked_until is not None

    result = unlock_command(app.test_cli_runner(), "triage")

    assert result.exit_code == 0, result.output
    assert "triage was locked" in result.output
    assert (user("triage").failed_logins, user("triage").locked_until) == (0, None)
    assert any(r.levelname == "INFO" and r.getMessage().startswith(
        "account triage unlocked by the command line") for r in caplog.records)
    right = client.post("/login", data={"username": "triage",
                                        "password": logins["triage"]["password"]})
    assert right.status_code == 302


def test_unlock_user_command_says_when_nothing_was_locked(app, logins):
    result = unlock_command(app.test_cli_runner(), "owner")

    assert result.exit_code == 0
    assert "owner was not locked" in result.output


def test_unlock_user_command_refuses_an_unknown_name(app):
    result = unlock_command(app.test_cli_runner(), "nobody-here")

    assert result.exit_code != 0
    assert "there is no user named 'nobody-here'" in result.output


def test_admin_sees_the_lock_and_unlocks_with_the_button(
    app, client, logins, limits, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="casemgr.accounts.service")
    locked = locked_out(app.test_client(), "escalation")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    log_in_with_token(client, "admin", logins["admin"]["password"])

    forget_request_state()
    page = client.get("/admin/locked-accounts").get_data(as_text=True)
    assert "escalation" in page and "locked until" in page
    form = re.search(rf'action="/admin/locked-accounts/{locked.id}/unlock".*?'
                     r'name="csrf_token" type="hidden" value="([^"]+)"', page, re.S)
    assert form, page

    forget_request_state()
    without_token = client.post(f"/admin/locked-accounts/{locked.id}/unlock")
    assert without_token.status_code == 400
    assert user("escalation").locked_until is not None

    forget_request_state()
    response = client.post(f"/admin/locked-accounts/{locked.id}/unlock",
                           data={"csrf_token": form.group(1)}, follow_redirects=True)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "escalation can log in again." in body
    assert "No account is locked." in body
    assert user("escalation").locked_until is None
    assert any(r.levelname == "INFO" and r.getMessage().startswith(
        "account escalation unlocked by admin (was locked)") for r in caplog.records)


def log_in_with_token(client, username, password):
    forget_request_state()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    forget_request_state()
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_the_page_lists_only_locks_that_still_hold(client, logins):
    resident("runs-out").locked_until = utcnow() - timedelta(minutes=1)
    resident("still-locked").locked_until = utcnow() + timedelta(minutes=5)
    session.commit()
    log_in(client, "admin", logins["admin"]["password"])

    page = client.get("/admin/locked-accounts").get_data(as_text=True)

    assert "still-locked" in page and "runs-out" not in page


@pytest.mark.parametrize("username", ["owner", "triage", "citizen"])
def test_only_admins_unlock(client, logins, username):
    locked = resident("locked-one")
    locked.locked_until = utcnow() + timedelta(minutes=5)
    session.commit()
    log_in(client, username, logins[username]["password"])

    assert client.get("/admin/locked-accounts").status_code == 403
    assert client.post(f"/admin/locked-accounts/{locked.id}/unlock").status_code == 403
    assert user("locked-one").locked_until is not None


def test_unlocking_an_unknown_account_is_404(client, logins):
    log_in(client, "admin", logins["admin"]["password"])

    assert client.post("/admin/locked-accounts/999999/unlock").status_code == 404


def test_the_locked_user_still_reads_when_to_try_again(client, limits):
    resident("waiting")
    locked_out(client, "waiting")

    refused = client.post("/login", data={"username": "waiting", "password": RESIDENT_PASSWORD})

    assert refused.status_code == 429
    assert "locked for 10 minutes" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 500


def test_the_lock_message_does_not_tell_whether_a_name_exists(client, limits):
    resident("real-name")
    real = [client.post("/login", data={"username": "real-name", "password": "nope"})
            for _ in range(4)]
    ghost = [client.post("/login", data={"username": "ghost-name", "password": "nope"})
             for _ in range(4)]

    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [200, 200, 429, 429]
    assert [_password_error(r) for r in real] == [_password_error(r) for r in ghost]
    assert "locked for 10 minutes" in _password_error(real[2])[0]


def _password_error(response):
    body = response.get_data(as_text=True)
    return re.findall(r'class="error"[^>]*>([^<]+)<', body)
