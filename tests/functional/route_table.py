"""Every route of the app with who may use it: the table the security tests walk.

A new route without an entry here fails test_authorization_matrix and test_csrf; give it
one (its audience and the values of its URL arguments) when you add it.
"""

from casemgr.accounts.models import UNIT_SCOPED_ROLES
from casemgr.cases.access import CITY_READERS

#: Audiences: who may use a route.
ANYONE = "anyone"  # public: the anonymous visitor too
LOGGED_IN = "logged in"  # any account, citizens too (lists are scoped to the caller)
STAFF = "staff"  # city-wide readers and unit staff
CASE = "case"  # who may read the case: city readers, its unit's staff, its reporter
CASE_STAFF = "case staff"  # staff who may read the case (not its reporter)
TASK = "task"  # who may work on the task: its role, in its unit where the role is bound
REPORTER = "reporter"  # the case's own reporter only
EDITORS = ("process_owner", "admin")
ADMINS = ("admin",)
ESCALATION = ("escalation_manager", "unit_supervisor")

#: endpoint -> (audience, URL arguments; "{case}" and the like are filled per object).
ROUTES = {
    "static": (ANYONE, {"filename": "casemgr.css"}),
    "healthz": (ANYONE, {}),
    "i18n.choose_language": (ANYONE, {}),
    "accounts.login": (ANYONE, {}),
    "accounts.logout": (LOGGED_IN, {}),
    "account_locks.locked_list": (ADMINS, {}),
    "account_locks.unlock": (ADMINS, {"user_id": "{locked_user}"}),
    "cases.home": (ANYONE, {}),
    "cases.find": (ANYONE, {}),
    "cases.report": (ANYONE, {}),
    "cases.track": (ANYONE, {"reference": "{reference}"}),
    "cases.districts_geojson": (ANYONE, {}),
    "cases.photo": (CASE, {"attachment_id": "{photo}"}),
    "cases.case_list": (LOGGED_IN, {}),
    "cases.case_page": (CASE, {"case_id": "{case}"}),
    "cases.case_diagram": (CASE_STAFF, {"case_id": "{case}"}),
    "citizens.report_duplicates": (ANYONE, {}),
    "citizens.category_suggestion": (ANYONE, {}),
    "citizens.me_too": (ANYONE, {"reference": "{reference}"}),
    "citizens.confirm_me_too": (ANYONE, {"reference": "{reference}"}),
    "citizens.email_updates": (ANYONE, {"reference": "{reference}"}),
    "citizens.rate": (REPORTER, {"reference": "{reference}"}),
    "citizens.city_map": (ANYONE, {}),
    "citizens.map_cases": (ANYONE, {}),
    "citizens.merge": (CASE_STAFF, {"case_id": "{case}"}),
    "citizens.status_messages": (ADMINS, {}),
    "tasks.inbox": (LOGGED_IN, {}),
    "tasks.task_page": (TASK, {"task_id": "{task}"}),
    "tasks.claim": (TASK, {"task_id": "{task}"}),
    "tasks.release": (TASK, {"task_id": "{task}"}),
    "escalations.dashboard": (ESCALATION, {}),
    "escalations.export": (ESCALATION, {}),
    "escalations.incidents": (ESCALATION, {}),
    "escalations.retry": (ESCALATION + ("case",), {"case_id": "{case}"}),
    "escalations.calendar": (ADMINS, {}),
    "dashboard.dashboard": (STAFF, {}),
    "dashboard.cases_csv": (STAFF, {}),
    "dashboard.cases_geojson": (STAFF, {}),
    "dashboard.diagram_xml": (STAFF, {"key": "complaint"}),
    "dashboard.districts_geojson": (STAFF, {}),
    "dashboard.layers_json": (STAFF, {}),
    "dashboard.layer_geojson": (STAFF, {"layer_id": "{layer}"}),
    "dashboard.task_times_json": (STAFF, {}),
    "dashboard.trends_json": (STAFF, {}),
    "dashboard.layers": (ADMINS, {}),
    "dashboard.delete_layer": (ADMINS, {"layer_id": "{layer}"}),
    "processes.process_list": (EDITORS, {}),
    "processes.modeller": (EDITORS, {"key": "complaint"}),
    "processes.draft_xml": (EDITORS, {"key": "complaint"}),
    "processes.save_draft": (EDITORS, {"key": "complaint"}),
    "processes.validate": (EDITORS, {"key": "complaint"}),
    "processes.deploy": (EDITORS, {"key": "complaint"}),
    "process_versions.history": (EDITORS, {"key": "complaint"}),
    "process_versions.download": (EDITORS, {"key": "complaint", "number": 1}),
    "process_versions.diff": (EDITORS, {"key": "complaint"}),
    "process_versions.migration_preview": (EDITORS, {"key": "complaint"}),
    "process_versions.migrate": (EDITORS, {"key": "complaint"}),
    "process_versions.migration_run": (EDITORS, {"key": "complaint", "run_id": 1}),
    "process_versions.migration_run_json": (EDITORS, {"key": "complaint", "run_id": 1}),
    "routing.rules": (EDITORS, {}),
    "routing.delete_rule": (EDITORS, {"rule_id": "{rule}"}),
    "routing.move_rule": (EDITORS, {"rule_id": "{rule}"}),
    "routing.categories": (EDITORS, {}),
    "routing.test_point": (EDITORS, {}),
    "questions.first_category": (ADMINS, {}),
    "questions.category_questions": (ADMINS, {"code": "drains"}),
    "questions.remove": (ADMINS, {"code": "drains", "question_code": "depth"}),
    "open311_admin.key_list": (ADMINS, {}),
    "open311_admin.revoke": (ADMINS, {"key_id": "{api_key}"}),
    # Open311 is public by its standard; writes need an API key (test_open311_keys).
    "open311.discovery": (ANYONE, {"fmt": "json"}),
    "open311.openapi": (ANYONE, {}),
    "open311.services": (ANYONE, {"fmt": "json"}),
    "open311.service_definition": (ANYONE, {"code": "drains", "fmt": "json"}),
    "open311.create_request": (ANYONE, {"fmt": "json"}),
    "open311.list_requests": (ANYONE, {"fmt": "json"}),
    "open311.get_request": (ANYONE, {"request_id": "{reference}", "fmt": "json"}),
    "open311.list_updates": (ANYONE, {"fmt": "json"}),
    "open311.post_update": (ANYONE, {"fmt": "json"}),
    "open311.get_token": (ANYONE, {"token": "no-such-token", "fmt": "json"}),
    "open311.media": (ANYONE, {"name": "no-such-photo.jpg"}),
    # /api/v1: a bearer token, never the session cookie.
    "api.openapi": (ANYONE, {}),
    "api.issue_token": (ANYONE, {}),
    "api.file_case": (ANYONE, {}),
    "api.list_categories": (ANYONE, {}),
    "api.list_questions": (ANYONE, {"code": "drains"}),
    "api.add_question": (ADMINS, {"code": "drains"}),
    "api.delete_question": (ADMINS, {"code": "drains", "question_code": "depth"}),
    "api.list_cases": (LOGGED_IN, {}),
    "api.get_case": (CASE, {"case_id": "{case}"}),
    "api.extend_case": (CASE_STAFF, {"case_id": "{case}"}),
    "api.reassign_case": (CASE_STAFF, {"case_id": "{case}"}),
    "api.retry_case": (CASE_STAFF, {"case_id": "{case}"}),
    "api.list_tasks": (LOGGED_IN, {}),
    "api.get_task": (TASK, {"task_id": "{task}"}),
    "api.claim_task": (TASK, {"task_id": "{task}"}),
    "api.complete_task": (TASK, {"task_id": "{task}"}),
    "api.release_task": (TASK, {"task_id": "{task}"}),
    "api.list_escalations": (ESCALATION, {}),
    "api.list_incidents": (ESCALATION, {}),
    "api.kpis_index": (STAFF, {}),
    "api.kpis_cases_csv": (STAFF, {}),
    "api.kpis_cases_geojson": (STAFF, {}),
    "api.kpis_task_times": (STAFF, {}),
    "api.kpis_trends": (STAFF, {}),
    "api.kpis_unlocated": (STAFF, {}),
    "api.list_category_processes": (EDITORS, {}),
    "api.set_category_process": (EDITORS, {"code": "drains"}),
    "api.category_process_log": (EDITORS, {}),
    "api.list_processes": (EDITORS, {}),
    "api.validate_process": (EDITORS, {}),
    "api.get_draft": (EDITORS, {"key": "complaint"}),
    "api.save_draft": (EDITORS, {"key": "complaint"}),
    "api.deploy_draft": (EDITORS, {"key": "complaint"}),
    "api.list_versions": (EDITORS, {"key": "complaint"}),
    "api.download_version": (EDITORS, {"key": "complaint", "number": 1}),
    "api.diff_versions": (EDITORS, {"key": "complaint", "older": 1, "newer": 1}),
    "api.run_migration": (EDITORS, {"key": "complaint"}),
    "api.preview_migration": (EDITORS, {"key": "complaint"}),
    "api.start_migration_run": (EDITORS, {"key": "complaint"}),
    "api.migration_run_status": (EDITORS, {"key": "complaint", "run_id": 1}),
    "api.list_routing_rules": (EDITORS, {}),
    "api.add_routing_rule": (EDITORS, {}),
    "api.delete_routing_rule": (EDITORS, {"rule_id": "{rule}"}),
    "api.move_routing_rule": (EDITORS, {"rule_id": "{rule}"}),
    "api.test_a_point": (EDITORS, {}),
}


def may_use(audience, user, case=None, task=None):
    """True when `user` (None: anonymous) belongs to `audience` for this case or task."""
    roles = set(user.role_keys) if user else set()
    if audience == ANYONE:
        return True
    if user is None:
        return False
    if audience == LOGGED_IN:
        return True
    if audience == STAFF:
        return bool(roles & (CITY_READERS | UNIT_SCOPED_ROLES))
    if audience in (CASE, CASE_STAFF):
        return _reads_case(user, roles, case, staff_only=audience == CASE_STAFF)
    if audience == REPORTER:
        return case.reporter_id == user.id
    if audience == TASK:
        return _works_on(user, roles, task)
    if "case" in audience:
        wanted = set(audience) - {"case"}
        return bool(roles & wanted) and _reads_case(user, roles, case, staff_only=True)
    return bool(roles & set(audience))


def _reads_case(user, roles, case, staff_only):
    if roles & CITY_READERS:
        return True
    if roles & UNIT_SCOPED_ROLES and user.unit_id == case.unit_id:
        return True
    return not staff_only and case.reporter_id == user.id


def _works_on(user, roles, task):
    if task.role in UNIT_SCOPED_ROLES:
        return task.role in roles and user.unit_id == task.unit_id
    return task.role in roles
