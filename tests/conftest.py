"""Fixtures: one app and schema per run, the demo city seeded once, each test cleaned.

The database is SQLite in a temporary folder unless DATABASE_URL names PostgreSQL (as CI
does); the same tests run on both.
"""

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from casemgr import create_app, demo, migrate
from casemgr.accounts.models import User
from casemgr.cases import districts
from casemgr.db import engine_for, session
from casemgr.escalations import calendars
from casemgr.models import metadata

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"

#: Tables emptied after every test.
CASE_TABLES = ("attachments", "tasks", "case_events", "cases", "api_tokens")


def data_file(name):
    """A real input file: from ../shared/data when present, else the project's copy."""
    shared = SHARED_DATA / name
    return shared if shared.exists() else PROJECT_DATA / name


def _database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(url):
    engine = engine_for(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    app = create_app(
        {
            "CASEMGR_ENV": "test",
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "PASSWORD_HASH": "pbkdf2:sha256:1000",
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": "",
            # The suite logs in far more often than a person; the lockout tests lower it.
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "ME_TOO_EMAIL_LIMIT": "100000 per minute",
        }
    )
    _reset_schema(url)
    migrate.upgrade(url)
    with app.app_context():
        app.demo_logins = demo.seed()
        app.seeded_max_ids = _max_ids()
    yield app
    session.remove()
    engine_for(url).dispose()


def _max_ids():
    return {
        table.name: session.scalar(select(func.max(table.c.id))) or 0
        for table in metadata.sorted_tables
        if "id" in table.c
    }


@pytest.fixture(autouse=True)
def _clean(request, app):
    """Give each test the seeded city and nothing else."""
    ctx = app.app_context()
    ctx.push()
    yield
    session.rollback()
    for table in reversed(metadata.sorted_tables):
        if table.name in CASE_TABLES:
            session.execute(delete(table))
        elif "id" in table.c:
            session.execute(delete(table).where(table.c.id > app.seeded_max_ids[table.name]))
    session.execute(update(User).values(failed_logins=0, locked_until=None))
    session.commit()
    session.remove()
    districts._shapes["key"] = None
    calendars.invalidate()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def logins(app):
    return {login["username"]: login for login in app.demo_logins}


class Api:
    """A small JSON client for /api/v1 with per-user tokens."""

    def __init__(self, client, logins):
        self.client = client
        self.logins = logins
        self.tokens = {}

    def token(self, username):
        if username not in self.tokens:
            login = self.logins[username]
            response = self.client.post(
                "/api/v1/auth/token", json={"username": username, "password": login["password"]}
            )
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def headers(self, username):
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}

    def get(self, path, as_user=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(as_user), **kwargs)

    def post(self, path, as_user=None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers(as_user), **kwargs)

    def task(self, case_id, bpmn_id, as_user):
        items = self.get(f"/tasks?case_id={case_id}", as_user).get_json()["items"]
        found = [t for t in items if t["bpmn_id"] == bpmn_id]
        assert len(found) == 1, f"{as_user} sees {[t['bpmn_id'] for t in items]}"
        return found[0]

    def complete(self, case_id, bpmn_id, as_user, values, expect=200, **kwargs):
        task = self.task(case_id, bpmn_id, as_user)
        response = self.post(f"/tasks/{task['id']}/complete", as_user, json=values, **kwargs)
        assert response.status_code == expect, response.get_json()
        return response

    def resolve(self, case_id, as_user, note, expect=200):
        """Complete `resolve` as an officer does: a note and a photo of the fix."""
        from tests import photo_files

        task = self.task(case_id, "resolve", as_user)
        data = {"resolution_note": note,
                "resolution_photo": (io.BytesIO(photo_files.jpeg()), "fix.jpg")}
        response = self.post(f"/tasks/{task['id']}/complete", as_user, data=data,
                             content_type="multipart/form-data")
        assert response.status_code == expect, response.get_json()
        return response


@pytest.fixture
def api(client, logins):
    return Api(client, logins)


ROXBURY = (42.316782, -71.085581)


@pytest.fixture
def drain_case(api):
    """A drain complaint filed by the demo citizen in Roxbury, waiting at triage."""
    response = api.post(
        "/cases",
        "citizen",
        json={
            "category": "drains",
            "description": "Drain blocked, water on the road",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()
