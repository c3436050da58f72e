"""Process owners choose the process each category's new cases run on, with a log."""

from pathlib import Path

import pytest

from casemgr.cases import service as cases
from casemgr.cases.models import Category, CategoryProcessChange
from casemgr.db import session
from casemgr.processes import service as processes
from tests.conftest import ROXBURY
from tests.functional.test_pages import log_in

COMPLAINT = (Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn").read_text()


@pytest.fixture
def night_process():
    """A second deployed process: the complaint under the key complaint_night."""
    text = COMPLAINT.replace('processRef="complaint"', 'processRef="complaint_night"')
    text = text.replace('<bpmn:process id="complaint"', '<bpmn:process id="complaint_night"')
    version = processes.deploy(text)
    session.commit()
    yield version
    # Categories are seeded once per run: give them their process back.
    session.query(Category).update({Category.process_key: "complaint"})
    session.commit()


def test_owner_moves_a_category_to_another_process_and_new_cases_use_it(api, night_process):
    answer = api.client.put("/api/v1/category-processes/drains", headers=api.headers("owner"),
                            json={"process_key": "complaint_night"})

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["process_key"] == "complaint_night"
    case, _secret = cases.file_case(category="drains", description="Drain blocked",
                                    lat=ROXBURY[0], lon=ROXBURY[1])
    assert case.process_version_id == night_process.id
    log = api.get("/category-processes/log", "owner").get_json()["items"]
    assert log[0] == {**log[0], "category": "drains", "from": "complaint",
                      "to": "complaint_night", "by": "owner"}
    listing = api.get("/category-processes", "owner").get_json()
    assert "complaint_night" in listing["processes"]
    drains = next(item for item in listing["items"] if item["code"] == "drains")
    assert drains["latest_version"] == night_process.version


def test_an_unknown_process_is_a_clear_422_and_changes_nothing(api):
    answer = api.client.put("/api/v1/category-processes/drains", headers=api.headers("owner"),
                            json={"process_key": "no_such_process"})

    assert answer.status_code == 422
    assert "no deployed process 'no_such_process'" in answer.get_json()["error"]["message"]
    assert "process_key" in answer.get_json()["error"]["fields"]
    assert cases.category_by_code("drains").process_key == "complaint"
    assert session.query(CategoryProcessChange).count() == 0
    missing = api.client.put("/api/v1/category-processes/nope", headers=api.headers("owner"),
                             json={"process_key": "complaint"})
    assert missing.status_code == 404
    empty = api.client.put("/api/v1/category-processes/drains", headers=api.headers("owner"),
                           json={"process_key": ""})
    assert empty.status_code == 422


def test_only_process_owners_choose_processes(api, client, logins):
    for user in ("citizen", "sup-water", "triage"):
        assert api.get("/category-processes", user).status_code == 403
        changed = api.client.put("/api/v1/category-processes/drains", headers=api.headers(user),
                                 json={"process_key": "complaint"})
        assert changed.status_code == 403
    log_in(client, logins, "triage")
    assert client.get("/routing/categories").status_code == 403
    assert client.post("/routing/categories", data={"category": "drains",
                                                    "process_key": "x"}).status_code == 403


def test_the_categories_page_changes_a_process_and_shows_the_log(client, logins, night_process):
    log_in(client, logins, "owner")

    page = client.get("/routing/categories").get_data(as_text=True)
    assert 'data-category="drains"' in page and "complaint_night" in page
    changed = client.post("/routing/categories",
                          data={"category": "drains", "process_key": "complaint_night"})
    assert changed.status_code == 302
    assert cases.category_by_code("drains").process_key == "complaint_night"

    page = client.get("/routing/categories").get_data(as_text=True)
    assert "run complaint_night from now on" in page
    log_rows = page.split('class="list category-process-log"')[1]
    assert "Clogged drain" in log_rows and "owner" in log_rows


def test_the_categories_page_puts_an_unknown_process_on_the_row(client, logins):
    log_in(client, logins, "owner")

    refused = client.post("/routing/categories",
                          data={"category": "drains", "process_key": "<b>nope</b>"})

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "no deployed process" in page and "<b>nope</b>" not in page
    assert cases.category_by_code("drains").process_key == "complaint"
    assert client.post("/routing/categories", data={"category": "nope",
                                                    "process_key": "complaint"}).status_code == 404
