"""The case page's process diagram: the version's BPMN with the path the case took."""

import pytest

from casemgr.processes import service as processes
from tests.functional.test_pages import log_in


def diagram(client, case_id):
    return client.get(f"/cases/{case_id}/diagram.json", headers={"Accept": "application/json"})


def test_a_new_case_waits_at_triage_on_its_own_version(client, logins, drain_case):
    log_in(client, logins, "triage")

    response = diagram(client, drain_case["id"])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    version = processes.latest_version("complaint")
    assert (body["process_key"], body["version"]) == ("complaint", version.version)
    assert body["xml"] == version.bpmn_xml
    assert body["completed"] == ["start_filed", "compute_sla"]
    assert body["current"] == ["triage"]
    assert body["taken"] == [["start_filed", "compute_sla"], ["compute_sla", "triage"]]


def test_the_path_grows_with_each_task_and_skips_the_watching_timers(api, client, logins,
                                                                     drain_case):
    case_id = drain_case["id"]
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    log_in(client, logins, "sup-water")

    body = diagram(client, case_id).get_json()

    assert body["current"] == ["resolve"]
    assert {"triage", "gw_triage", "assign"} <= set(body["completed"])
    assert ["triage", "gw_triage"] in body["taken"]
    assert ["gw_triage", "assign"] in body["taken"]
    assert ["assign", "resolve"] in body["taken"]
    # The SLA timers on "resolve" are armed, not where the case is, and not yet taken.
    assert "sla_breach" not in body["current"] + body["completed"]
    assert ["gw_triage", "end_rejected"] not in body["taken"]


@pytest.mark.parametrize("username, status", [
    ("sup-highway", 403),  # another unit's supervisor
    ("officer-lighting", 403),
    ("citizen", 403),  # the reporter reads the tracking page, not the diagram
])
def test_only_staff_who_may_read_the_case_get_its_diagram(client, logins, drain_case,
                                                          username, status):
    log_in(client, logins, username)

    response = diagram(client, drain_case["id"])

    assert response.status_code == status
    assert "xml" not in (response.get_json() or {})


def test_an_unknown_case_is_404_and_a_visitor_must_log_in(client, logins, drain_case):
    assert diagram(client, drain_case["id"]).status_code == 302  # to the login page

    log_in(client, logins, "triage")
    assert diagram(client, 999_999).status_code == 404


def test_the_case_page_holds_the_viewer_without_inline_script(client, logins, drain_case):
    log_in(client, logins, "sup-water")

    page = client.get(f"/cases/{drain_case['id']}").get_data(as_text=True)

    assert f'data-diagram-url="/cases/{drain_case["id"]}/diagram.json"' in page
    assert "vendor/bpmn-viewer/viewer.js" in page
    assert 'class="diagram-legend"' in page
    assert "<script>" not in page
