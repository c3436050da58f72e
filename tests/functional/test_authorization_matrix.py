"""Every route x every demo role x an object of their unit and of another unit.

Reads: the audience of the route (route_table) gets in, everyone else is refused.
Writes: everyone outside the audience is refused and nothing changes. Lists and pages of
one user never show another unit's or another citizen's private data.
"""

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g
from PIL import Image
from sqlalchemy import func, select, text

from casemgr.accounts import service as accounts
from casemgr.cases import routing
from casemgr.cases import service as cases
from casemgr.cases.models import Attachment
from casemgr.dashboard import service as dashboard
from casemgr.db import session, utcnow
from casemgr.open311 import keys
from casemgr.tasks.models import Task
from tests.functional import route_table
from tests.functional.citizen_cases import RESIDENT_PASSWORD, file, resident

#: Users who call every route: the demo roles, unit staff of two units, a second citizen.
CALLERS = [
    None, "citizen", "citizen2", "triage", "escalation", "owner", "admin",
    "sup-water", "officer-water", "sup-lighting", "officer-lighting",
]
REFUSED = {401, 403, 404}
WRITES = {"POST", "PUT", "DELETE", "PATCH"}
LAYER = (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
         b'"geometry":{"type":"Point","coordinates":[-71.08,42.31]}}]}')
STATE_TABLES = ("cases", "tasks", "case_events", "routing_rules", "category_questions",
                "overlay_layers", "open311_api_keys", "process_drafts", "process_versions",
                "attachments")


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    missing = endpoints - set(route_table.ROUTES)
    stale = set(route_table.ROUTES) - endpoints
    assert not missing, f"routes without an entry in route_table.ROUTES: {sorted(missing)}"
    assert not stale, f"entries of route_table.ROUTES without a route: {sorted(stale)}"


@pytest.fixture
def city(app, api, logins):
    """Two cases a step into their units (water: citizen's, lighting: citizen2's)."""
    citizen2 = resident("citizen2")
    logins["citizen2"] = {"username": "citizen2", "password": RESIDENT_PASSWORD}
    own = _forwarded(api, file(category="drains", reporter=accounts.find_user("citizen")))
    other = _forwarded(api, file(category="street_lights", reporter=citizen2,
                                 reporter_email="resident2@example.org"))
    rule = routing.add_rule(accounts.find_unit("water"), position=99)
    key, _raw = keys.create("matrix client")
    layer = dashboard.add_layer("Matrix layer", LAYER,
                                "layer.geojson", accounts.find_user("admin"))
    locked = resident("locked-resident")
    locked.locked_until = utcnow() + timedelta(hours=1)
    session.commit()
    return {
        "own": _objects(app, own), "other": _objects(app, other),
        "rule": rule.id, "api_key": key.id, "layer": layer.id, "locked_user": locked.id,
    }


def _forwarded(api, case):
    api.complete(case.id, "triage", "triage", {"decision": "accept"})
    session.expire_all()
    return cases.get(case.id)


def _objects(app, case):
    task = session.scalar(select(Task).where(Task.case_id == case.id, Task.status == "open"))
    return {"case": case, "task": task, "photo": _photo(app, case).id}


def _photo(app, case):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    name = f"matrix-{case.id}.jpg"
    Path(app.config["UPLOAD_DIR"], name).write_bytes(buffer.getvalue())
    photo = Attachment(case_id=case.id, kind="report", original_name="p.jpg", stored_name=name,
                       content_type="image/jpeg", size_bytes=len(buffer.getvalue()),
                       sha256=hashlib.sha256(buffer.getvalue()).hexdigest(), width=8, height=8)
    session.add(photo)
    session.commit()
    return photo


def _url(app, rule, args, city, side):
    values = {}
    for name, value in args.items():
        if isinstance(value, str) and value.startswith("{"):
            value = _fill(value[1:-1], city, side)
        values[name] = value
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def _fill(name, city, side):
    objects = city[side]
    return {
        "case": objects["case"].id, "task": objects["task"].id, "photo": objects["photo"],
        "reference": objects["case"].reference,
    }.get(name, city.get(name))


def _uses_object(args):
    return any(isinstance(v, str) and v[1:-1] in ("case", "task", "photo", "reference")
               for v in args.values())


def forget_request_state():
    """Requests share the test's app context: drop the user and CSRF token kept in `g`."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


class Caller:
    """One user calling pages with a session and /api/v1 with a bearer token."""

    def __init__(self, app, api, logins, username):
        self.username = username
        self.user = accounts.find_user(username) if username else None
        self.client = app.test_client()
        self.headers = {}
        if username:
            password = logins[username]["password"]
            forget_request_state()
            page = self.client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            response = self.client.post("/login", data={
                "username": username, "password": password,
                "csrf_token": token.group(1) if token else ""})
            assert response.status_code == 302
            token = api.client.post("/api/v1/auth/token",
                                    json={"username": username, "password": password})
            self.headers = {"Authorization": f"Bearer {token.get_json()['token']}"}

    def call(self, method, url):
        forget_request_state()
        headers = self.headers if url.startswith("/api/") else {}
        kwargs = {"json": {}} if url.startswith("/api/") and method in WRITES else {}
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        response.close()
        return response


def _state():
    digest = hashlib.sha256()
    for table in STATE_TABLES:
        digest.update(str(session.scalar(select(func.count()).select_from(text(table)))).encode())
    for row in session.execute(text("SELECT id, status, version FROM cases ORDER BY id")):
        digest.update(repr(tuple(row)).encode())
    for row in session.execute(text("SELECT id, status, assignee_id FROM tasks ORDER BY id")):
        digest.update(repr(tuple(row)).encode())
    for row in session.execute(text("SELECT id, locked_until FROM users ORDER BY id")):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _refused(response):
    if response.status_code in (302, 303):
        return "/login" in response.headers.get("Location", "")
    return response.status_code in REFUSED


def test_authorization_matrix(app, api, logins, city):
    holes = []
    for username in CALLERS:
        caller = Caller(app, api, logins, username)
        for rule in app.url_map.iter_rules():
            audience, args = route_table.ROUTES[rule.endpoint]
            sides = ("own", "other") if _uses_object(args) else ("own",)
            for side in sides:
                url = _url(app, rule, args, city, side)
                objects = city[side]
                allowed = route_table.may_use(audience, caller.user, objects["case"],
                                              objects["task"])
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    holes += _check(caller, method, url, allowed)

    assert not holes, "\n".join(holes)


def _check(caller, method, url, allowed):
    who = caller.username or "anonymous"
    if method in WRITES:
        if allowed:
            return []
        session.expire_all()
        before = _state()
        response = caller.call(method, url)
        session.expire_all()
        if response.status_code >= 500:
            return [f"{who} {method} {url}: {response.status_code}"]
        if _state() != before:
            return [f"{who} {method} {url}: changed state ({response.status_code})"]
        if response.status_code < 400 and not _refused(response):
            return [f"{who} {method} {url}: not refused ({response.status_code})"]
        return []

    response = caller.call(method, url)
    if response.status_code >= 500:
        return [f"{who} {method} {url}: {response.status_code}"]
    if allowed and _refused(response) and response.status_code != 404:
        return [f"{who} {method} {url}: refused ({response.status_code}) but should get in"]
    if not allowed and not _refused(response):
        return [f"{who} {method} {url}: got in ({response.status_code}) but should not"]
    return []


def test_lists_show_only_what_the_caller_may_read(app, api, logins, city):
    own, other = city["own"]["case"], city["other"]["case"]
    for username, sees_other in [("citizen", False), ("citizen2", True), ("sup-water", False),
                                 ("officer-water", False), ("sup-lighting", True),
                                 ("triage", True)]:
        caller = Caller(app, api, logins, username)
        for url in ("/api/v1/cases", "/api/v1/tasks", "/cases/", "/tasks/",
                    "/dashboard/cases.csv", "/api/v1/kpis/cases.csv"):
            body = caller.call("GET", url).get_data(as_text=True)
            shown = other.reference in body or f'"case_id": {other.id},' in body
            assert shown in (sees_other, False), f"{username} {url} shows {other.reference}"
        if username == "citizen":
            assert own.reference in caller.call("GET", "/api/v1/cases").get_data(as_text=True)


def test_reporter_contact_stays_private(app, api, logins, city):
    other = city["other"]["case"]
    email = "resident2@example.org"
    pages = [f"/track/{other.reference}", f"/open311/v2/requests/{other.reference}.json",
             "/open311/v2/requests.json", "/map/cases.json"]
    for username in (None, "citizen", "sup-water"):
        caller = Caller(app, api, logins, username)
        for url in pages + [f"/api/v1/cases/{other.id}", f"/cases/{other.id}"]:
            body = caller.call("GET", url).get_data(as_text=True)
            assert email not in body, f"{username or 'anonymous'} reads the email at {url}"
