"""A user task that lists its form fields in the diagram instead of naming a form."""

import pytest

from casemgr.db import session
from casemgr.processes import service as processes
from forms import declared
from tests.conftest import ROXBURY

FIELDS = "decision:select(accept|reject|duplicate)!, note:textarea, crew_size:integer!"


@pytest.fixture
def declared_triage(app):
    """Deploy a complaint process whose triage task declares its own fields."""
    xml = app.config["WORKFLOW_DIR"] + "/complaint.bpmn"
    with open(xml, encoding="utf-8") as handle:
        text = handle.read()
    text = text.replace(
        '<spiffworkflow:property name="form" value="triage" />',
        f'<spiffworkflow:property name="fields" value="{FIELDS}" />',
    )
    version = processes.deploy(text)
    session.commit()
    return version


def test_parse_reads_types_required_and_choices():
    fields = declared.parse(FIELDS)
    assert fields[0] == ("decision", "select", True, ("accept", "reject", "duplicate"))
    assert fields[2] == ("crew_size", "integer", True, ())


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("size", "not name:type"),
        ("size:colour", "unknown type"),
        ("kind:select", "needs them"),
        ("a:text, a:text", "used twice"),
        ("", "no field"),
    ],
)
def test_parse_names_the_problem(spec, problem):
    with pytest.raises(declared.FieldSpecError, match=problem):
        declared.parse(spec)


def test_deploy_refuses_bad_fields(app):
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        text = handle.read().replace(
            '<spiffworkflow:property name="form" value="assign" />',
            '<spiffworkflow:property name="fields" value="crew:colour" />',
        )
    with pytest.raises(processes.DeployError) as caught:
        processes.deploy(text)
    assert caught.value.errors[0]["element_id"] == "assign"
    assert "unknown type" in caught.value.errors[0]["message"]


def test_declared_fields_are_validated_and_reach_the_engine(api, declared_triage):
    filed = api.post(
        "/cases",
        "citizen",
        json={
            "category": "drains",
            "description": "Blocked",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
        },
    ).get_json()
    task = api.task(filed["id"], "triage", "triage")
    assert [f["name"] for f in task["fields"]] == ["decision", "note", "crew_size"]

    refused = api.post(
        f"/tasks/{task['id']}/complete",
        "triage",
        json={"decision": "accept", "crew_size": "three"},
    )
    assert refused.status_code == 422
    assert "crew_size" in refused.get_json()["error"]["fields"]
    assert api.task(filed["id"], "triage", "triage")["status"] == "open"

    api.complete(filed["id"], "triage", "triage", {"decision": "accept", "crew_size": 3})
    assert api.task(filed["id"], "assign", "sup-water")
