"""CSRF on every form, no cookie-driven writes through the API, headers and cookie flags."""

import re

import pytest
from sqlalchemy import select

from casemgr import create_app
from casemgr.cases.models import Case
from casemgr.db import session
from tests.conftest import ROXBURY
from tests.functional import route_table
from tests.functional.test_authorization_matrix import (
    WRITES,
    Caller,
    _state,
    _url,
    forget_request_state,
)

#: Blueprints that take no session cookie: bearer tokens (/api/v1) and API keys (Open311).
TOKEN_BLUEPRINTS = ("api", "open311")


def _write_rules(app, token_side):
    for rule in app.url_map.iter_rules():
        if not rule.methods & WRITES:
            continue
        if (rule.endpoint.split(".")[0] in TOKEN_BLUEPRINTS) == token_side:
            yield rule


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def city(app, api, logins):
    from tests.functional.test_authorization_matrix import city as matrix_city

    return matrix_city.__wrapped__(app, api, logins)


@pytest.mark.parametrize("username", [None, "admin", "owner", "sup-water", "citizen"])
def test_every_form_post_without_token_is_refused(app, api, logins, city, csrf_on, username):
    caller = Caller(app, api, logins, username) if username else None
    client = caller.client if caller else app.test_client()
    rules = list(_write_rules(app, token_side=False))
    assert len(rules) > 20

    for rule in rules:
        _audience, args = route_table.ROUTES[rule.endpoint]
        url = _url(app, rule, args, city, "own")
        for method in sorted(rule.methods & WRITES):
            before = _state()
            forget_request_state()
            response = client.open(url, method=method, data={"username": "admin",
                                                              "password": "x" * 9})
            session.expire_all()
            body = response.get_data(as_text=True)
            assert response.status_code == 400, f"{method} {url}: {response.status_code}"
            assert "security (CSRF) token is missing or expired" in body, url
            assert response.mimetype == "text/html"
            assert _state() == before, f"{method} {url} changed state without a token"


def test_form_with_its_token_still_works(app, client, logins, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = client.post("/login", data={"username": "admin", "csrf_token": token,
                                           "password": logins["admin"]["password"]})

    assert response.status_code == 302


def test_session_cookie_cannot_write_through_the_api(app, api, logins, city, csrf_on):
    """Exempt from CSRF, /api/v1 and Open311 must not act for the logged-in browser user."""
    for username in ("admin", "owner", "sup-water", "triage"):
        caller = Caller(app, api, logins, username)
        for rule in _write_rules(app, token_side=True):
            _audience, args = route_table.ROUTES[rule.endpoint]
            url = _url(app, rule, args, city, "own")
            for method in sorted(rule.methods & WRITES):
                before = _state()
                forget_request_state()
                response = caller.client.open(url, method=method, json={})
                session.expire_all()
                assert response.status_code in (400, 401, 403, 422), f"{method} {url}"
                assert _state() == before, f"{username}'s cookie wrote through {method} {url}"


def test_api_case_filed_with_a_session_cookie_is_not_the_users(app, api, logins, csrf_on):
    caller = Caller(app, api, logins, "citizen")

    forget_request_state()
    response = caller.client.post("/api/v1/cases", json={
        "category": "drains", "description": "Blocked drain by the school",
        "lat": ROXBURY[0], "lon": ROXBURY[1]})

    assert response.status_code == 201
    case = session.scalar(select(Case).where(Case.id == response.get_json()["id"]))
    assert case.reporter_id is None


SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("username", [None, "citizen", "admin", "owner", "sup-water"])
def test_every_html_page_has_the_headers_and_no_inline_script(app, api, logins, city,
                                                                username):
    caller = Caller(app, api, logins, username)
    pages = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        _audience, args = route_table.ROUTES[rule.endpoint]
        url = _url(app, rule, args, city, "own")
        forget_request_state()
        response = caller.client.get(url, headers=caller.headers)
        response.close()
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        if response.mimetype != "text/html":
            continue
        pages += 1
        _assert_strict_csp(response.headers["Content-Security-Policy"], url)
        body = response.get_data(as_text=True)
        inline = [tag for tag in SCRIPT_TAG.findall(body) if " src=" not in tag]
        assert not inline, f"{url} has inline script {inline}"
        assert not INLINE_HANDLER.search(body), f"{url} has an inline on* handler"
    assert pages > 5


def _assert_strict_csp(policy, url):
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"], url
    assert "'unsafe-eval'" not in directives["script-src"], url
    assert directives["frame-ancestors"] == "'none'", url
    assert directives["object-src"] == "'none'", url


def test_session_cookie_flags_in_development(client):
    cookie = client.get("/login").headers["Set-Cookie"]

    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_adds_hsts_and_secure_cookies(app):
    production = create_app({**_settings(app), "CASEMGR_ENV": "production",
                             "SECRET_KEY": "a-real-production-secret-0123456789",
                             "PASSWORD_HASH": "scrypt"})
    client = production.test_client()

    response = client.get("/login", base_url="https://casemgr.example")

    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _settings(app):
    keep = ("DATABASE_URL", "UPLOAD_DIR", "REDIS_URL", "LOGIN_RATE_LIMIT")
    return {name: app.config[name] for name in keep}
