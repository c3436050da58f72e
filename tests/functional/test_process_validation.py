"""POST /api/v1/processes/validate, drafts and deploy: each lint rule, and hostile XML."""

import pytest

from casemgr.db import session
from casemgr.processes import service as processes
from casemgr.processes.models import ProcessDraft, ProcessVersion
from tests.functional.bpmn import HEAD, chain, process, prop, user_task

IN_LANE = {"Field officer": ["work"]}


def validate(api, xml, as_user="owner"):
    return api.post("/processes/validate", as_user, data=xml.encode("utf-8"),
                    content_type="application/xml")


def problems(response):
    return {(e["element_id"], e["message"].split(":")[0]) for e in response.get_json()["errors"]}


def test_a_clean_process_is_valid(api):
    response = validate(api, chain(user_task("work", prop("form", "resolve")), IN_LANE))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"errors": [], "process_id": "tiny"}


def test_the_shipped_complaint_process_is_valid(api, app):
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        assert validate(api, handle.read()).status_code == 200


@pytest.mark.parametrize("xml, element, message", [
    (chain(user_task("work")), "work", "user task outside any lane"),
    (chain(user_task("work"), {"Gardeners": ["work"]}), "work", "user task is in lane"),
    (chain(user_task("work", prop("form", "nope")), IN_LANE), "work", "form 'nope'"),
    (chain(user_task("work", prop("fields", "size:colour")), IN_LANE), "work", "fields"),
    (chain('<bpmn:scriptTask id="work"><bpmn:incoming>f1</bpmn:incoming>'
           '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>import os</bpmn:script>'
           '</bpmn:scriptTask>'), "work", "script refused"),
    (chain('<bpmn:scriptTask id="work"><bpmn:incoming>f1</bpmn:incoming>'
           '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>x = ().__class__</bpmn:script>'
           '</bpmn:scriptTask>'), "work", "script refused"),
])
def test_each_rule_names_the_element(api, xml, element, message):
    response = validate(api, xml)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"]["code"] == "invalid"
    assert any(e["element_id"] == element and message in e["message"] for e in body["errors"])


def test_exclusive_gateway_without_default_flow(api):
    body = ('<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:exclusiveGateway id="gw"><bpmn:incoming>f1</bpmn:incoming>'
            '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing>'
            '</bpmn:exclusiveGateway>'
            '<bpmn:endEvent id="a"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:endEvent id="b"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="a">'
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x == 1'
            '</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="b">'
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x == 2'
            '</bpmn:conditionExpression></bpmn:sequenceFlow>')
    assert ("gw", "exclusive gateway without a default flow") in problems(
        validate(api, process(body)))


def test_unreachable_element(api):
    lonely = user_task("lonely", prop("form", "resolve"), incoming="", outgoing="")
    xml = chain(user_task("work", prop("form", "resolve")) + lonely,
                {"Field officer": ["work", "lonely"]})
    assert ("lonely", "no path from the start reaches it") in problems(validate(api, xml))


@pytest.mark.parametrize("timer, message", [
    ("P3D", "quote a literal"),
    ("__import__('os')", "timer refused"),
])
def test_timer_expressions_are_checked(api, timer, message):
    boundary = ('<bpmn:boundaryEvent id="late" attachedToRef="work">'
                '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition>'
                f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}'
                '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:endEvent id="gone"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
                '<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="gone" />')
    xml = chain(user_task("work", prop("form", "resolve")) + boundary, IN_LANE)
    response = validate(api, xml)
    assert response.status_code == 422
    assert any(e["element_id"] == "late" and message in e["message"]
               for e in response.get_json()["errors"])


def test_not_xml_and_not_bpmn(api):
    assert validate(api, "<not xml").status_code == 422
    assert validate(api, "<root/>").status_code == 422


XXE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       + HEAD.split("?>", 1)[1] + "&x;</bpmn:definitions>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;">]><l>&d;</l>')


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["external entity", "billion laughs"])
def test_malicious_xml_is_refused_and_nothing_stored(api, xml):
    before = (session.query(ProcessVersion).count(), session.query(ProcessDraft).count())
    assert validate(api, xml).status_code == 422
    response = api.client.put("/api/v1/processes/tiny/draft", data=xml.encode(),
                              content_type="application/xml", headers=api.headers("owner"))
    assert response.status_code == 422
    assert "passwd" not in response.get_data(as_text=True) or "root:" not in response.get_data(
        as_text=True)
    assert (session.query(ProcessVersion).count(), session.query(ProcessDraft).count()) == before


def test_a_50_mb_document_is_refused_unread(api):
    huge = b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>"
    response = api.post("/processes/validate", "owner", data=huge,
                        content_type="application/xml")
    assert response.status_code == 413


def test_only_process_owners_may_validate_or_deploy(api):
    xml = chain(user_task("work", prop("form", "resolve")), IN_LANE)
    for user in ("citizen", "triage", "sup-water"):
        assert validate(api, xml, user).status_code == 403
        assert api.post("/processes/tiny/deploy", user).status_code == 403
    assert validate(api, xml, None).status_code == 401


def test_a_draft_is_saved_while_invalid_and_deployed_once_fixed(api):
    bad = chain(user_task("work", prop("form", "nope")), IN_LANE)
    good = chain(user_task("work", prop("form", "resolve")), IN_LANE)
    headers = api.headers("owner")
    saved = api.client.put("/api/v1/processes/tiny/draft", data=bad.encode(),
                           content_type="application/xml", headers=headers)
    assert saved.status_code == 200
    assert saved.get_json()["is_valid"] is False
    assert api.get("/processes/tiny/draft", "owner").get_json()["xml"] == bad

    refused = api.post("/processes/tiny/deploy", "owner")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["element_id"] == "work"

    api.client.put("/api/v1/processes/tiny/draft", json={"xml": good}, headers=headers)
    deployed = api.post("/processes/tiny/deploy", "owner")
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 1
    assert processes.get_draft("tiny") is None
    download = api.get("/processes/tiny/versions/1.bpmn", "owner")
    assert download.get_data(as_text=True) == good
    assert [v["version"] for v in api.get("/processes/tiny/versions", "owner")
            .get_json()["items"]] == [1]


def test_a_draft_of_another_process_is_refused(api):
    xml = chain(user_task("work", prop("form", "resolve")), IN_LANE)
    response = api.client.put("/api/v1/processes/complaint/draft", data=xml.encode(),
                              content_type="application/xml", headers=api.headers("owner"))
    assert response.status_code == 422
    assert "not 'complaint'" in response.get_json()["errors"][0]["message"]
