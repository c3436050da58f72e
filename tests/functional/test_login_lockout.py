"""Login throttling per address, lockout per account, and password hashes."""

import logging
import os
import uuid

import pytest
from werkzeug.security import generate_password_hash

from casemgr.accounts import service
from casemgr.accounts.throttle import throttle
from casemgr.db import session


def page_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def api_login(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def user(username):
    session.expire_all()
    return service.find_user(username)


@pytest.mark.parametrize("login", [page_login, api_login], ids=["page", "api"])
def test_account_locks_after_wrong_passwords_and_refuses_the_right_one(
    client, logins, limits, login, caplog
):
    caplog.set_level(logging.INFO, logger="casemgr.accounts.service")

    first, second = login(client, "triage", "nope-1"), login(client, "triage", "nope-2")
    third = login(client, "triage", "nope-3")
    right = login(client, "triage", logins["triage"]["password"])

    assert first.status_code == second.status_code == (200 if login is page_login else 401)
    assert third.status_code == right.status_code == 429
    assert "locked for 10 minutes" in right.get_data(as_text=True)
    assert int(right.headers["Retry-After"]) > 500
    locked = user("triage")
    assert locked.failed_logins == 3 and locked.locked_until is not None
    assert any("account triage locked" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)


def test_the_lock_is_told_in_the_page_s_language(client, logins, limits):
    for attempt in range(3):
        page_login(client, "triage", f"nope-{attempt}")

    refused = client.post("/login", data={"username": "triage", "password": "nope"},
                          headers={"Accept-Language": "id"})

    assert refused.status_code == 429
    assert "akun ini dikunci selama 10 menit" in refused.get_data(as_text=True)


def test_lock_runs_out_and_success_resets_the_count(client, logins, limits):
    for attempt in range(3):
        page_login(client, "triage", f"nope-{attempt}")
    locked = user("triage")
    locked.locked_until = locked.locked_until.replace(year=2000)
    session.commit()

    response = page_login(client, "triage", logins["triage"]["password"])

    assert response.status_code == 302
    assert (user("triage").failed_logins, user("triage").locked_until) == (0, None)


def test_one_success_between_failures_starts_the_count_again(client, logins, limits):
    page_login(client, "triage", "nope")
    page_login(client, "triage", "nope")
    api_login(client, "triage", logins["triage"]["password"])
    page_login(client, "triage", "nope")

    assert user("triage").failed_logins == 1
    assert user("triage").locked_until is None


def test_unknown_name_gets_the_same_answers_as_a_wrong_password(client, limits):
    real = [api_login(client, "escalation", f"nope-{n}") for n in range(4)]
    ghost = [api_login(client, "nobody-here", f"nope-{n}") for n in range(4)]

    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [401, 401, 429, 429]
    assert [r.get_json() for r in real] == [r.get_json() for r in ghost]

    page = page_login(client, "nobody-at-all", "nope").get_data(as_text=True)
    wrong = page_login(client, "owner", "nope").get_data(as_text=True)
    assert "Wrong username or password." in page and "Wrong username or password." in wrong


@pytest.mark.parametrize("login", [page_login, api_login], ids=["page", "api"])
def test_one_address_is_throttled_across_accounts(client, logins, limits, login, monkeypatch):
    monkeypatch.setattr(throttle(), "address_limits", service_limits("5 per minute"))

    answers = [login(client, name, "nope").status_code
               for name in ("a1", "a2", "a3", "a4", "a5", "a6")]
    right = login(client, "owner", logins["owner"]["password"])

    assert 429 not in answers[:5] and answers[5] == 429
    assert right.status_code == 429
    assert "Too many login attempts from your address" in right.get_data(as_text=True)
    assert user("owner").failed_logins == 0


def service_limits(text):
    from limits import parse_many

    return parse_many(text)


def test_another_address_is_not_throttled(client, logins, limits, monkeypatch):
    monkeypatch.setattr(throttle(), "address_limits", service_limits("2 per minute"))
    for name in ("b1", "b2", "b3"):
        page_login(client, name, "nope")

    response = client.post(
        "/login",
        data={"username": "owner", "password": logins["owner"]["password"]},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )

    assert response.status_code == 302


def test_passwords_are_hashed_with_scrypt_by_default(app):
    from config import SETTINGS

    assert SETTINGS["PASSWORD_HASH"][2] == "scrypt"
    assert generate_password_hash("x", method="scrypt").startswith("scrypt:32768:8:1$")


def test_old_hash_is_rehashed_on_login(client, logins, limits, monkeypatch):
    owner = user("owner")
    owner.password_hash = generate_password_hash(logins["owner"]["password"],
                                                 method="pbkdf2:sha256:1000")
    session.commit()
    monkeypatch.setitem(limits, "PASSWORD_HASH", "scrypt")

    assert page_login(client, "owner", "wrong-one").status_code == 200
    assert user("owner").password_hash.startswith("pbkdf2:sha256:1000$")

    assert page_login(client, "owner", logins["owner"]["password"]).status_code == 302
    rehashed = user("owner").password_hash
    assert rehashed.startswith("scrypt:32768:8:1$")
    assert not service.needs_rehash(rehashed, "scrypt")

    # Back to the suite's cheap hash for the next tests.
    monkeypatch.setitem(limits, "PASSWORD_HASH", "pbkdf2:sha256:1000")
    client.post("/logout")
    assert page_login(client, "owner", logins["owner"]["password"]).status_code == 302
    assert user("owner").password_hash.startswith("pbkdf2:sha256:1000$")


def test_bad_login_settings_stop_start_up(app):
    from casemgr import create_app
    from config import ConfigError

    with pytest.raises(ConfigError, match="CASEMGR_LOGIN_RATE_LIMIT"):
        create_app({**app.config, "LOGIN_RATE_LIMIT": "lots"})
    with pytest.raises(ConfigError, match="CASEMGR_LOGIN_MAX_FAILURES"):
        create_app({**app.config, "LOGIN_MAX_FAILURES": 0})
    with pytest.raises(ConfigError, match="CASEMGR_ME_TOO_EMAIL_LIMIT"):
        create_app({**app.config, "ME_TOO_EMAIL_LIMIT": "plenty"})


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)")
def test_address_counts_are_shared_through_redis(app):
    from casemgr import create_app

    settings = {**app.config, "REDIS_URL": os.environ["REDIS_URL"],
                "QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}", "LOGIN_RATE_LIMIT": "3 per minute"}
    first, second = create_app(settings), create_app(settings)
    try:
        answers = [api_login(web.test_client(), f"ghost-{n}", "nope").status_code
                   for n, web in enumerate([first, first, second, second])]
        assert answers == [401, 401, 401, 429]
    finally:
        first.extensions["login_throttle"].reset()
