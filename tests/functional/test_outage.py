"""While the database is away, pages and the API answer 503 cleanly, then recover.

The fault is staged in-process here (every statement fails as a lost connection does);
test_reliability.py stages a real one against PostgreSQL.
"""

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from casemgr.db import engine_for
from tests.conftest import ROXBURY
from tests.functional.test_pages import log_in


@pytest.fixture
def database_away(app):
    """Make every statement fail as if the server had gone; undone when the test ends."""
    engine = engine_for(app.config["DATABASE_URL"])

    def lose_connection(connection, cursor, statement, *args):
        if statement.lstrip().upper().startswith(outage.failing):
            raise OperationalError(statement, {}, ConnectionResetError("server closed"))

    class Outage:
        failing = ""

        def start(self, failing=""):
            """Fail the statements that start with `failing`: all of them by default."""
            self.failing = failing.upper()
            event.listen(engine, "before_cursor_execute", lose_connection)

        def end(self):
            if event.contains(engine, "before_cursor_execute", lose_connection):
                event.remove(engine, "before_cursor_execute", lose_connection)

    outage = Outage()
    yield outage
    outage.end()


def test_api_answers_503_json_then_recovers(api, database_away):
    assert api.get("/cases", "sup-water").status_code == 200

    database_away.start()
    response = api.get("/cases", "sup-water")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "unavailable"
    assert "Traceback" not in response.get_data(as_text=True)

    database_away.end()
    assert api.get("/cases", "sup-water").status_code == 200


def test_a_logged_in_page_answers_a_503_page_then_recovers(client, logins, database_away):
    log_in(client, logins, "sup-water")
    assert client.get("/tasks/").status_code == 200

    database_away.start()
    response = client.get("/tasks/")
    page = response.get_data(as_text=True)

    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    database_away.end()
    assert client.get("/tasks/").status_code == 200


def test_a_connection_lost_mid_intake_stores_nothing_and_says_so(api, database_away):
    api.token("citizen")
    # The case rows are written; the connection goes while the outbox rows follow them.
    database_away.start(failing="INSERT INTO notifications")
    response = api.post(
        "/cases",
        "citizen",
        json={
            "category": "drains",
            "description": "Drain blocked",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
        },
    )
    database_away.end()

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"
    assert api.get("/cases", "sup-water").get_json()["items"] == []


def test_the_503_page_speaks_the_browser_s_language(client, logins, database_away):
    log_in(client, logins, "sup-water")

    database_away.start()
    indonesian = client.get("/tasks/", headers={"Accept-Language": "id"})
    english = client.get("/tasks/", headers={"Accept-Language": "en"})

    assert indonesian.status_code == english.status_code == 503
    assert "Untuk sementara tidak tersedia" in indonesian.get_data(as_text=True)
    assert "Basis data sedang tidak bisa dihubungi" in indonesian.get_data(as_text=True)
    assert 'lang="id"' in indonesian.get_data(as_text=True)
    assert "Temporarily unavailable" in english.get_data(as_text=True)
