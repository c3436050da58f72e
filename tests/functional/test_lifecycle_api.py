"""One drain complaint through its whole life over the staff API."""

import io

from PIL import Image

from tests.conftest import ROXBURY


def jpeg_bytes(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_drain_complaint_from_filing_to_closed(api, drain_case):
    case_id = drain_case["id"]
    assert drain_case["status"] == "submitted"
    assert drain_case["reference"].startswith("CM-")

    api.complete(
        case_id,
        "triage",
        "triage",
        {"decision": "accept", "priority": "high", "note": "seen on photo"},
    )
    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["unit"]["code"] == "water"
    assert detail["district"]["name"] == "Roxbury"
    assert detail["status"] == "accepted"
    assert detail["priority"] == "high"

    # Only the routed unit's supervisor sees `assign`; another unit's gets 403.
    assert not [
        t for t in api.get("/tasks", "sup-lighting").get_json()["items"] if t["case_id"] == case_id
    ]
    assign = api.task(case_id, "assign", "sup-water")
    refused = api.post(
        f"/tasks/{assign['id']}/complete", "sup-lighting", json={"assignee": "officer-lighting"}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})

    resolve = api.task(case_id, "resolve", "officer-water")
    assert resolve["assignee"] == "officer-water"
    assert resolve["due_at"]
    response = api.post(
        f"/tasks/{resolve['id']}/complete",
        "officer-water",
        data={
            "resolution_note": "Drain cleared",
            "resolution_photo": (io.BytesIO(jpeg_bytes()), "after.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()

    api.complete(case_id, "verify", "citizen", {"fixed": True, "rating": 4, "comment": "Bersih"})
    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["status"] == "closed"
    assert detail["outcome"] == "fixed"
    assert detail["rating"] == 4
    assert detail["tasks"] == []
    kinds = [event["kind"] for event in detail["history"]]
    assert kinds.count("task_completed") == 4
    assert "filed" in kinds and "routed" in kinds
    assert [p["kind"] for p in detail["photos"]] == ["resolution"]


def test_not_fixed_reopens_to_resolve_after_validation(api, drain_case):
    case_id = drain_case["id"]
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    api.resolve(case_id, "officer-water", "done")
    api.complete(case_id, "verify", "citizen", {"fixed": False, "comment": "still flooded"})
    api.complete(case_id, "validate_resolution", "escalation",
                 {"verdict": "reject", "reason": "The reporter's photo shows water"})

    detail = api.get(f"/cases/{case_id}", "admin").get_json()
    assert detail["status"] == "assigned"
    assert [t["bpmn_id"] for t in detail["tasks"]] == ["resolve"]
    assert detail["tasks"][0]["assignee"] == "officer-water"


def test_reject_ends_with_reason_the_citizen_sees(api, client, drain_case):
    case_id = drain_case["id"]
    response = api.complete(case_id, "triage", "triage", {"decision": "reject"}, expect=422)
    assert "note" in response.get_json()["error"]["fields"]

    api.complete(
        case_id, "triage", "triage", {"decision": "reject", "note": "This is private land"}
    )
    detail = api.get(f"/cases/{case_id}", "citizen").get_json()
    assert detail["status"] == "closed"
    assert detail["outcome"] == "rejected"
    assert detail["public_note"] == "This is private land"
    page = client.get(f"/track/{drain_case['reference']}")
    assert b"This is private land" in page.data


def test_duplicate_ends_the_case(api, drain_case):
    api.complete(
        drain_case["id"],
        "triage",
        "triage",
        {"decision": "duplicate", "note": "Same as CM-2026-000001"},
    )
    detail = api.get(f"/cases/{drain_case['id']}", "admin").get_json()
    assert (detail["status"], detail["outcome"]) == ("closed", "duplicate")


def test_triage_corrects_category_and_reroutes(api, drain_case):
    api.complete(
        drain_case["id"], "triage", "triage", {"decision": "accept", "category": "street_lights"}
    )
    detail = api.get(f"/cases/{drain_case['id']}", "admin").get_json()
    assert detail["category"]["code"] == "street_lights"
    assert detail["unit"]["code"] == "lighting"
    assert api.task(drain_case["id"], "assign", "sup-lighting")


def test_anonymous_report_verifies_through_secret_link(api, client):
    response = api.post(
        "/cases",
        json={
            "category": "waste",
            "description": "Sampah menumpuk",
            "lat": ROXBURY[0],
            "lon": ROXBURY[1],
            "reporter_email": "warga@example.org",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert "key=" in body["verify_url"]
    assert api.get(f"/cases/{body['id']}").status_code == 401


def test_supervisor_releases_an_officers_task_but_another_unit_cannot(api, drain_case):
    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept"})
    api.complete(drain_case["id"], "assign", "sup-water", {"assignee": "officer-water"})
    resolve = api.task(drain_case["id"], "resolve", "officer-water")
    assert resolve["assignee"] == "officer-water"

    assert api.post(f"/tasks/{resolve['id']}/release", "sup-lighting").status_code == 403
    released = api.post(f"/tasks/{resolve['id']}/release", "sup-water")
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["assignee"] is None


def test_category_correction_with_the_current_case_version(api, drain_case):
    version = api.get(f"/cases/{drain_case['id']}", "admin").get_json()["version"]
    api.complete(drain_case["id"], "triage", "triage",
                 {"decision": "accept", "category": "roads", "case_version": version})
    detail = api.get(f"/cases/{drain_case['id']}", "admin").get_json()
    assert detail["category"]["code"] == "roads"
    assert detail["unit"]["code"] == "highway"
