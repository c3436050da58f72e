"""The process modeller's pages and draft routes: who may use them and what they answer."""

from pathlib import Path

import pytest

from casemgr.processes import service
from tests.functional.test_pages import log_in

COMPLAINT = (Path(__file__).resolve().parents[2] / "workflows" / "complaint.bpmn").read_text()
XML = {"Content-Type": "application/xml"}


def renamed(xml, name):
    return xml.replace('name="Resolve on site"', f'name="{name}"')


@pytest.mark.parametrize("username", ["citizen", "officer-water", "triage"])
def test_other_roles_get_403(client, logins, username):
    log_in(client, logins, username)

    pages = ("/processes/", "/processes/complaint/modeller", "/processes/complaint/draft.bpmn")
    for path in pages:
        assert client.get(path).status_code == 403, path
    for path in ("/processes/complaint/draft", "/processes/complaint/validate"):
        assert client.post(path, data=COMPLAINT, headers=XML).status_code == 403, path
    assert client.post("/processes/complaint/deploy").status_code == 403
    assert service.get_draft("complaint") is None


def test_pages_need_a_login(client):
    for path in ("/processes/", "/processes/complaint/modeller"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_owner_sees_the_processes_and_the_modeller(client, logins):
    log_in(client, logins, "owner")

    listing = client.get("/processes/").get_data(as_text=True)
    assert 'href="/processes/complaint/modeller"' in listing

    page = client.get("/processes/complaint/modeller").get_data(as_text=True)
    assert 'data-draft-url="/processes/complaint/draft.bpmn"' in page
    assert "vendor/bpmn-modeller/modeller.js" in page
    assert client.get("/processes/nothing/modeller").status_code == 404


def test_without_a_draft_the_modeller_loads_the_deployed_version(client, logins):
    log_in(client, logins, "owner")

    response = client.get("/processes/complaint/draft.bpmn")

    assert response.mimetype == "application/xml"
    assert response.get_data(as_text=True) == service.latest_version("complaint").bpmn_xml


def test_a_draft_with_problems_is_kept_and_not_deployed(client, logins):
    log_in(client, logins, "owner")
    broken = COMPLAINT.replace('value="resolve"', 'value="no_such_form"')

    saved = client.post("/processes/complaint/draft", data=broken, headers=XML).get_json()

    assert saved["is_valid"] is False
    assert {"resolve"} <= {error["element_id"] for error in saved["errors"]}
    assert client.get("/processes/complaint/draft.bpmn").get_data(as_text=True) == broken
    refused = client.post("/processes/complaint/deploy")
    assert refused.status_code == 422
    assert "resolve" in {error["element_id"] for error in refused.get_json()["errors"]}


def test_a_valid_draft_deploys_as_the_next_version(client, logins):
    log_in(client, logins, "owner")
    before = service.latest_version("complaint").version
    changed = renamed(COMPLAINT, "Resolve the problem on site")

    saved = client.post("/processes/complaint/draft", data=changed, headers=XML).get_json()
    deployed = client.post("/processes/complaint/deploy")

    assert saved == {"errors": [], "is_valid": True, "is_saved": True}
    assert deployed.get_json() == {"version": before + 1}
    assert service.latest_version("complaint").bpmn_xml == changed


def test_validate_checks_without_saving(client, logins):
    log_in(client, logins, "owner")
    broken = COMPLAINT.replace('value="resolve"', 'value="no_such_form"')

    answer = client.post("/processes/complaint/validate", data=broken, headers=XML).get_json()

    assert answer["is_valid"] is False and answer["errors"]
    assert service.get_draft("complaint") is None


def test_an_empty_body_is_a_400(client, logins):
    log_in(client, logins, "owner")

    assert client.post("/processes/complaint/draft", data="", headers=XML).status_code == 400
