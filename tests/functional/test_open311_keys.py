"""Open311 API keys (CLI and admin page), rate limits per key, and the questions API."""

import hashlib
import os
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.open311 import keys, limits
from casemgr.open311.models import ApiKey
from tests.functional.open311 import PREFIX, json_errors, new_key, post_request, xml_errors

pytestmark = pytest.mark.usefixtures("open311_limits")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=["casemgr", "api-key", *args])


def log_in(client, logins, username):
    response = client.post("/login", data={"username": username,
                                           "password": logins[username]["password"]})
    assert response.status_code == 302


# -- the CLI --------------------------------------------------------------------------------


def test_cli_creates_a_key_printed_alone_on_the_last_line(runner, client):
    result = invoke(runner, "create", "FixMyStreet")
    assert result.exit_code == 0, result.output
    raw_key = result.output.strip().splitlines()[-1]
    assert raw_key.startswith("o311_") and " " not in raw_key

    stored = session.scalar(select(ApiKey).where(ApiKey.name == "FixMyStreet"))
    assert stored.digest == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in (stored.digest, stored.prefix)
    post_request(client, raw_key)


def test_cli_lists_and_revokes_keys(runner, client):
    raw_key = invoke(runner, "create", "city-app").output.strip().splitlines()[-1]
    listing = invoke(runner, "list")
    assert "city-app" in listing.output and "active" in listing.output
    assert raw_key not in listing.output

    result = invoke(runner, "revoke", "city-app")
    assert result.exit_code == 0 and "revoked the key of city-app" in result.output
    assert "revoked" in invoke(runner, "list").output
    response = post_request(client, raw_key, expect=403)
    assert json_errors(response, 403) == ["api_key is invalid or revoked"]


@pytest.mark.parametrize("args, message", [
    (("create", ""), "name the client"),
    (("create", "<script>"), "name the client"),
    (("revoke", "nobody"), "there is no key named 'nobody'"),
])
def test_cli_refusals(runner, args, message):
    result = invoke(runner, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_refuses_a_second_key_of_one_name_and_a_second_revoke(runner):
    invoke(runner, "create", "twice")
    assert "already a key named 'twice'" in invoke(runner, "create", "twice").output
    invoke(runner, "revoke", "twice")
    again = invoke(runner, "revoke", "twice")
    assert again.exit_code != 0 and "already revoked" in again.output


# -- the admin page -------------------------------------------------------------------------


def test_admin_creates_a_key_shown_once_and_revokes_it(client, logins):
    log_in(client, logins, "admin")
    page = client.post("/admin/api-keys", data={"name": "Partner app"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    raw_key = text.split('<code id="new-key">')[1].split("</code>")[0]
    assert keys.active_key(raw_key).name == "Partner app"
    assert raw_key not in client.get("/admin/api-keys").get_data(as_text=True)

    key = keys.by_name("Partner app")
    response = client.post(f"/admin/api-keys/{key.id}/revoke")
    assert response.status_code == 302
    assert keys.active_key(raw_key) is None
    assert "revoked" in client.get("/admin/api-keys").get_data(as_text=True)


def test_admin_page_escapes_names_and_refuses_bad_ones(client, logins):
    log_in(client, logins, "admin")
    page = client.post("/admin/api-keys", data={"name": "<b>x</b>"})
    assert page.status_code == 422
    assert "<b>x</b>" not in page.get_data(as_text=True)
    assert keys.list_keys() == []


def test_key_pages_are_for_admins_only(client, logins):
    assert client.get("/admin/api-keys").status_code == 302
    log_in(client, logins, "triage")
    assert client.get("/admin/api-keys").status_code == 403
    key, _ = keys.create("someone")
    assert client.post(f"/admin/api-keys/{key.id}/revoke").status_code == 403
    assert keys.by_name("someone").is_active


# -- rate limits ----------------------------------------------------------------------------


@pytest.fixture
def three_per_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_RATE_LIMIT", "3 per minute")


def test_rate_limit_counts_each_key_apart(client, three_per_minute):
    first, second = new_key("first"), new_key("second")
    for _ in range(3):
        post_request(client, first)
    response = client.post(f"{PREFIX}/requests.xml", data={"api_key": first})
    assert response.status_code == 429
    assert xml_errors(response, 429)[0].startswith("3 per 1 minute")
    post_request(client, second)


def test_rate_limit_without_a_key_counts_the_address(client, three_per_minute):
    for _ in range(3):
        assert client.get(f"{PREFIX}/services.json").status_code == 200
    assert json_errors(client.get(f"{PREFIX}/services.json"), 429)


def test_limiter_storage_is_redis_when_configured_else_memory():
    def limiter_for(redis_url):
        app = Flask(__name__)
        app.config.update(OPEN311_RATE_LIMIT="5 per minute", REDIS_URL=redis_url,
                          QUEUE_NAME="casemgr-test")
        limits.init_app(app)
        return limits.limiter_of(app)

    assert type(limiter_for("").storage).__name__ == "MemoryStorage"
    assert type(limiter_for("redis://127.0.0.1:6379/3").storage).__name__ == "RedisStorage"


def test_a_bad_rate_limit_setting_stops_start_up():
    from config import ConfigError

    app = Flask(__name__)
    app.config.update(OPEN311_RATE_LIMIT="lots", REDIS_URL="", QUEUE_NAME="q")
    with pytest.raises(ConfigError, match="CASEMGR_OPEN311_RATE_LIMIT='lots'"):
        limits.init_app(app)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)")
def test_rate_limit_counts_in_redis(app, monkeypatch):
    from casemgr import create_app

    redis_app = create_app({**app.config, "REDIS_URL": os.environ["REDIS_URL"],
                            "QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}",
                            "OPEN311_RATE_LIMIT": "2 per minute"})
    client = redis_app.test_client()
    assert limits.limiter_of(redis_app).storage.check()
    try:
        assert client.get(f"{PREFIX}/discovery.json").status_code == 200
        assert client.get(f"{PREFIX}/discovery.json").status_code == 200
        assert json_errors(client.get(f"{PREFIX}/discovery.json"), 429)
    finally:
        limits.limiter_of(redis_app).reset()


# -- the questions API ----------------------------------------------------------------------


def test_admin_defines_and_removes_a_question_over_the_api(api, client):
    question = {"code": "SIZE", "description": "How big is it?", "datatype": "singlevaluelist",
                "required": True, "order": 1,
                "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}]}
    response = api.post("/categories/roads/questions", "admin", json=question)
    assert response.status_code == 201, response.get_json()
    listed = api.get("/categories/roads/questions").get_json()["items"]
    assert [q["code"] for q in listed] == ["SIZE"]
    assert client.get(f"{PREFIX}/services/roads.json").get_json()["attributes"][0]["values"] \
        == question["values"]

    assert api.client.delete("/api/v1/categories/roads/questions/SIZE",
                             headers=api.headers("admin")).status_code == 204
    assert api.get("/categories/roads/questions").get_json()["items"] == []


@pytest.mark.parametrize("question, fields", [
    ({"code": "a b", "description": "x"}, ["code"]),
    ({"code": "OK", "description": ""}, ["description"]),
    ({"code": "OK", "description": "x", "datatype": "colour"}, ["datatype"]),
    ({"code": "OK", "description": "x", "datatype": "multivaluelist"}, ["values"]),
    ({"code": "OK", "description": "x", "order": 0}, ["order"]),
    ({"code": "OK", "description": "x", "required": "yes"}, ["required"]),
])
def test_bad_question_definitions_are_refused(api, question, fields):
    response = api.post("/categories/roads/questions", "admin", json=question)
    assert response.status_code == 422
    assert sorted(response.get_json()["error"]["fields"]) == fields
    assert api.get("/categories/roads/questions").get_json()["items"] == []


def test_only_admins_define_questions(api):
    response = api.post("/categories/roads/questions", "triage",
                        json={"code": "X", "description": "x"})
    assert response.status_code == 403
    assert api.post("/categories/nope/questions", "admin",
                    json={"code": "X", "description": "x"}).status_code == 404
    assert cases.category_by_code("roads") is not None


# -- the questions page ---------------------------------------------------------------------


def test_admin_adds_and_removes_questions_on_the_page(client, logins):
    log_in(client, logins, "admin")
    assert client.get("/admin/questions").status_code == 302
    response = client.post("/admin/questions/drains", data={
        "code": "SMELL", "description": "Does it smell?", "datatype": "singlevaluelist",
        "is_required": "y", "is_variable": "y", "order": "2",
        "choices": "yes = Yes, badly\nno = No"})
    assert response.status_code == 302, response.get_data(as_text=True)
    definition = client.get(f"{PREFIX}/services/drains.json").get_json()
    assert definition["attributes"][0]["values"] == [{"key": "yes", "name": "Yes, badly"},
                                                     {"key": "no", "name": "No"}]
    assert definition["attributes"][0]["required"] is True
    assert "Does it smell?" in client.get("/admin/questions/drains").get_data(as_text=True)

    assert client.post("/admin/questions/drains/SMELL/remove").status_code == 302
    assert client.get(f"{PREFIX}/services/drains.json").get_json()["attributes"] == []


def test_questions_page_shows_refusals_on_the_fields(client, logins):
    log_in(client, logins, "admin")
    response = client.post("/admin/questions/drains", data={
        "code": "LIST", "description": "<i>Which?</i>", "datatype": "multivaluelist",
        "is_variable": "y", "order": "1", "choices": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "a list question needs at least one value" in text
    assert "<i>Which?</i>" not in text
    assert client.get(f"{PREFIX}/services/drains.json").get_json()["attributes"] == []


def test_questions_page_is_for_admins_only(client, logins):
    log_in(client, logins, "triage")
    assert client.get("/admin/questions/drains").status_code == 403
    assert client.post("/admin/questions/drains", data={"code": "X"}).status_code == 403
