"""Moving running cases to a new process version: preview, batch move, due moments kept."""

from datetime import timedelta

from sqlalchemy import select

from casemgr import loadgen
from casemgr.cases import history
from casemgr.cases import service as cases
from casemgr.cases.models import Case
from casemgr.db import session, utcnow
from casemgr.media import photos as media
from casemgr.processes import migration
from casemgr.processes import service as processes
from tests import photo_files


def complaint_xml(app, **replacements):
    with open(app.config["WORKFLOW_DIR"] + "/complaint.bpmn", encoding="utf-8") as handle:
        text = handle.read()
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


def deploy(text):
    version = processes.deploy(text)
    session.commit()
    return version


def test_a_thousand_cases_waiting_on_their_sla_timer_move_with_due_moments_unchanged(app):
    template = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=3))
    moments = [utcnow() + timedelta(days=2, minutes=i) for i in range(1000)]
    loadgen.clone_cases(template, moments, "MOVE")
    before = dict(session.execute(select(Case.id, Case.next_timer_due_at)
                                  .where(Case.status != "closed")).all())

    target = deploy(complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'}))
    checks = migration.preview(target)
    assert len(checks) == len(before) and all(check.is_movable for check in checks)

    moved, refused = migration.migrate(target, None)
    assert (len(moved), refused) == (len(before), [])
    after = dict(session.execute(select(Case.id, Case.next_timer_due_at)
                                 .where(Case.status != "closed")).all())
    assert after == before
    assert {case.process_version_id for case in session.scalars(
        select(Case).where(Case.status != "closed"))} == {target.id}
    kinds = [event.kind for event in history.events_of(template.id)]
    assert "migrated" in kinds

    # The moved case still runs: its resolve task completes on the new version.
    from casemgr.tasks import service as tasks

    resolve = next(t for t in tasks.open_tasks_of(template.id) if t.bpmn_id == "resolve")
    fix = media.check_photo(photo_files.jpeg(), "fix.jpg", app.config["MAX_PHOTO_BYTES"])
    tasks.complete(resolve, None, {"resolution_note": "done"}, [fix], actor_label="test")
    assert cases.get(template.id).status == "resolved"
    assert next(t for t in tasks.open_tasks_of(template.id)).name == "Check the fix"


def test_a_case_whose_task_is_gone_is_reported_not_moved(app, api, drain_case):
    waiting_at_triage = drain_case["id"]
    at_resolve = loadgen.case_waiting_at_resolve(utcnow() + timedelta(days=3))
    text = complaint_xml(app)
    for attribute in ("id", "attachedToRef", "targetRef", "sourceRef", "bpmnElement"):
        text = text.replace(f'{attribute}="resolve"', f'{attribute}="resolve_on_site"')
    text = text.replace(">resolve</bpmn:flowNodeRef>", ">resolve_on_site</bpmn:flowNodeRef>")
    target = deploy(text)

    checks = {check.case_id: check for check in migration.preview(target)}
    assert checks[waiting_at_triage].is_movable
    assert not checks[at_resolve.id].is_movable
    assert "resolve does not exist" in checks[at_resolve.id].reasons[0]

    moved, refused = migration.migrate(target, None)
    assert [c.case_id for c in moved] == [waiting_at_triage]
    assert [c.case_id for c in refused] == [at_resolve.id]
    assert cases.get(at_resolve.id).process_version_id == at_resolve.process_version_id
    assert cases.get(at_resolve.id).error is None


def test_a_moved_case_runs_on_through_the_renamed_elements(app, api, drain_case):
    text = complaint_xml(app)
    for attribute in ("id", "attachedToRef", "targetRef", "sourceRef", "bpmnElement"):
        text = text.replace(f'{attribute}="resolve"', f'{attribute}="resolve_on_site"')
    text = text.replace(">resolve</bpmn:flowNodeRef>", ">resolve_on_site</bpmn:flowNodeRef>")
    target = deploy(text)
    moved, _refused = migration.migrate(target, None)
    assert [c.case_id for c in moved] == [drain_case["id"]]

    api.complete(drain_case["id"], "triage", "triage", {"decision": "accept"})
    api.complete(drain_case["id"], "assign", "sup-water", {"assignee": "officer-water"})
    assert api.task(drain_case["id"], "resolve_on_site", "officer-water")["due_at"]


def test_migration_over_the_api(app, api, drain_case):
    target = deploy(complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'}))
    preview = api.post("/processes/complaint/migration/preview", "owner",
                       json={"version": target.version})
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["movable"] == 1
    assert api.post("/processes/complaint/migration/preview", "owner",
                    json={"version": "two"}).status_code == 422
    assert api.post("/processes/complaint/migration", "sup-water",
                    json={"version": target.version}).status_code == 403
    ran = api.post("/processes/complaint/migration", "owner",
                   json={"version": target.version, "case_ids": [drain_case["id"]]})
    assert [c["case_id"] for c in ran.get_json()["moved"]] == [drain_case["id"]]


def test_a_readable_diff_between_versions(app, api):
    text = complaint_xml(app, **{'name="Verify the fix"': 'name="Check the fix"'})
    for attribute in ("id", "attachedToRef", "targetRef", "sourceRef", "bpmnElement"):
        text = text.replace(f'{attribute}="resolve"', f'{attribute}="resolve_on_site"')
    text = text.replace(">resolve</bpmn:flowNodeRef>", ">resolve_on_site</bpmn:flowNodeRef>")
    target = deploy(text)

    diff = api.get(f"/processes/complaint/versions/1/diff/{target.version}", "owner")
    assert diff.status_code == 200, diff.get_json()
    body = diff.get_json()
    assert [e["element_id"] for e in body["added"]] == ["resolve_on_site"]
    assert [e["element_id"] for e in body["removed"]] == ["resolve"]
    verify = next(e for e in body["changed"] if e["element_id"] == "verify")
    assert verify["changed"] == ["name"]
    assert (verify["before"]["name"], verify["after"]["name"]) == ("Verify the fix",
                                                                   "Check the fix")
    assert api.get("/processes/complaint/versions/1/diff/99", "owner").status_code == 404
