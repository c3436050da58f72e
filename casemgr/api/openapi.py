"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

from flask import jsonify

from casemgr.api import bp


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"description": "Malformed request", **_json(_ref("Error"))},
    "401": {"description": "No valid token", **_json(_ref("Error"))},
    "403": {"description": "Not your role or unit", **_json(_ref("Error"))},
    "404": {"description": "Not found", **_json(_ref("Error"))},
}

SCHEMAS = {
    "ProcessProblems": {
        "type": "object",
        "properties": {
            "error": {"type": "object"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "element_id": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    },
    "Unit": {
        "type": ["object", "null"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
        },
    },
    "Category": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "unit": _ref("Unit"),
            "sla": {"type": "object", "properties": {
                "amount": {"type": "number"}, "unit": {"type": "string"}}},
        },
    },
    "Intake": {
        "type": "object",
        "required": ["category", "description"],
        "properties": {
            "category": {"type": "string"},
            "description": {"type": "string", "maxLength": 4000},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "address": {"type": "string"},
            "reporter_name": {"type": "string"},
            "reporter_email": {"type": "string"},
            "anonymous": {"type": "boolean"},
            "email_updates": {"type": "boolean", "description": "opt in to email updates"},
        },
    },
    "Task": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "case_id": {"type": "integer"},
            "bpmn_id": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string"},
            "unit": _ref("Unit"),
            "assignee": {"type": ["string", "null"]},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "fields": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Case": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"type": "string"},
            "unit": _ref("Unit"),
            "district": {"type": ["object", "null"]},
            "tasks": {"type": "array", "items": _ref("Task")},
            "history": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Escalation": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "category": {"type": "object"},
            "district": {"type": ["object", "null"]},
            "unit": _ref("Unit"),
            "assignee": {"type": ["string", "null"]},
            "status": {"type": "string"},
            "level": {"type": "integer", "enum": [0, 1, 2],
                      "description": "0 on time or at risk, 1 breached, 2 escalated"},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "late_seconds": {"type": ["integer", "null"],
                             "description": "now - due_at; negative while still due"},
            "at_risk": {"type": "boolean", "description": "past its red flag, not yet due"},
            "error": {"type": ["string", "null"]},
            "version": {"type": "integer"},
        },
    },
    "Incident": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"type": "string"},
            "unit": _ref("Unit"),
            "error": {"type": ["string", "null"]},
            "updated_at": {"type": "string", "format": "date-time"},
            "version": {"type": "integer"},
        },
    },
    "Extension": {
        "type": "object",
        "required": ["hours", "reason"],
        "properties": {
            "hours": {"type": "integer", "minimum": 1, "maximum": 400,
                      "description": "working hours on the case unit's calendar"},
            "reason": {"type": "string", "maxLength": 500},
        },
    },
    "Reassignment": {
        "type": "object",
        "required": ["reason"],
        "description": "Give officer (a field officer of the case's unit) or unit, not both.",
        "properties": {
            "officer": {"type": "string"},
            "unit": {"type": "string"},
            "reason": {"type": "string", "maxLength": 500},
        },
    },
}


def _op(summary, responses, body=None, params=None, secure=True):
    operation = {"summary": summary, "responses": {**responses, **ERRORS}}
    if body:
        operation["requestBody"] = body
    if params:
        operation["parameters"] = params
    if not secure:
        operation["security"] = []
    return operation


def _query(*names):
    return [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names
    ]


ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
MIGRATION_BODY = {"type": "object", "required": ["version"], "properties": {
    "version": {"type": "integer"}, "case_ids": {"type": "array", "items": {"type": "integer"}}}}
RULE_BODY = {"type": "object", "required": ["unit"], "properties": {
    "unit": {"type": "string"}, "category": {"type": ["string", "null"]},
    "district": {"type": ["string", "null"]}, "position": {"type": "integer"},
    "time_from": {"type": ["string", "null"]}, "time_to": {"type": ["string", "null"]},
    "weekdays": {"type": "array", "items": {"enum": ["mon", "tue", "wed", "thu", "fri",
                                                     "sat", "sun"]}}}}
KEY = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]
BPMN_BODY = {"required": True, "content": {
    "application/xml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "properties": {
        "xml": {"type": "string"}}}}}}

CODE = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]
QUESTION_BODY = {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "string", "maxLength": 40}, "description": {"type": "string"},
    "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist",
                          "multivaluelist"]},
    "required": {"type": "boolean"}, "variable": {"type": "boolean"},
    "order": {"type": "integer", "minimum": 1, "maximum": 999},
    "datatype_description": {"type": "string"},
    "values": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "name": {"type": "string"}}}}}}

#: What an escalation action on one case may answer besides 200.
ACTION_ERRORS = {
    "409": {"description": "Refused for the case's state, changed meanwhile, or the process "
            "stalled", **_json(_ref("Error"))},
    "422": {"description": "Field errors", **_json(_ref("Error"))},
}


def _items(schema):
    return {"type": "object", "properties": {"items": {"type": "array", "items": schema}}}


PATHS = {
    "/auth/token": {
        "post": _op(
            "Exchange username and password for a bearer token",
            {
                "200": {"description": "A token", **_json({"type": "object"})},
                "429": {
                    "description": "Too many attempts from this address, or the name is "
                    "locked after repeated wrong passwords (see Retry-After)",
                    **_json(_ref("Error")),
                },
            },
            body={
                "required": True,
                **_json(
                    {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                        },
                    }
                ),
            },
            secure=False,
        )
    },
    "/categories": {
        "get": _op(
            "Categories a complaint can be filed under",
            {
                "200": {
                    "description": "Categories",
                    **_json(
                        {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": _ref("Category")}},
                        }
                    ),
                }
            },
            secure=False,
        )
    },
    "/cases": {
        "post": _op(
            "File a complaint (anonymous, or as the token's citizen)",
            {
                "201": {"description": "Filed", **_json({"type": "object"})},
                "422": {"description": "Invalid report", **_json(_ref("Error"))},
            },
            body={
                "required": True,
                "content": {
                    "application/json": {"schema": _ref("Intake")},
                    "multipart/form-data": {
                        "schema": {
                            "allOf": [
                                _ref("Intake"),
                                {
                                    "type": "object",
                                    "properties": {
                                        "photo": {"type": "string", "format": "binary"}
                                    },
                                },
                            ]
                        }
                    },
                },
            },
            secure=False,
        ),
        "get": _op(
            "Cases the caller may read, newest first",
            {
                "200": {"description": "A page of cases", **_json({"type": "object"})},
                "422": {"description": "An unknown status", **_json(_ref("Error"))},
            },
            params=_query(
                "page",
                "page_size",
                "status",
                "category",
                "unit",
                "district",
                "overdue",
                "located",
                "q",
            ),
        ),
    },
    "/cases/{id}": {
        "get": _op(
            "One case with its open tasks and history",
            {"200": {"description": "The case", **_json(_ref("Case"))}},
            params=ID,
        )
    },
    "/tasks": {
        "get": _op(
            "Open tasks the caller may work on, most urgent first, a page at a time: "
            "`limit` tasks (1-200, default 50); `next` is the URL of the next page (the "
            "same query with `after` set to `next_after`), null on the last page",
            {
                "200": {
                    "description": "Tasks",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "items": {"type": "array", "items": _ref("Task")},
                                "next_after": {"type": ["string", "null"]},
                                "next": {"type": ["string", "null"]},
                            },
                        }
                    ),
                }
            },
            params=_query("category", "district_id", "overdue", "bpmn_id", "mine", "case_id",
                          "limit", "after"),
        )
    },
    "/tasks/{id}": {
        "get": _op(
            "One task with its form fields", {"200": {"description": "The task"}}, params=ID
        )
    },
    "/tasks/{id}/claim": {
        "post": _op(
            "Claim a task",
            {"200": {"description": "Claimed"}, "409": {"description": "Held by someone else"}},
            params=ID,
        )
    },
    "/tasks/{id}/release": {
        "post": _op("Release a claimed task", {"200": {"description": "Released"}}, params=ID)
    },
    "/tasks/{id}/complete": {
        "post": _op(
            "Complete a task with its form data (JSON, or multipart with files)",
            {
                "200": {"description": "Completed"},
                "409": {"description": "Already completed, or the case changed meanwhile"},
                "422": {"description": "Field errors; a resolve task without a photo of the "
                                       "fix names resolution_photo", **_json(_ref("Error"))},
            },
            body={
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "multipart/form-data": {"schema": {"type": "object"}},
                },
            },
            params=ID,
        )
    },
    "/escalations": {
        "get": _op(
            "Open cases past their due moment or red flag, the latest first "
            "(escalation managers: the city; unit supervisors: their unit)",
            {"200": {"description": "Overdue and at-risk cases",
                     **_json(_items(_ref("Escalation")))},
             "422": {"description": "Bad level", **_json(_ref("Error"))}},
            params=_query("unit", "category", "district", "level"),
        )
    },
    "/cases/{id}/extend": {
        "post": _op(
            "Move the case's due moment on by working hours, with a reason",
            {"200": {"description": "The new due moment", **_json({"type": "object"})},
             **ACTION_ERRORS},
            body={"required": True, **_json(_ref("Extension"))},
            params=ID,
        )
    },
    "/cases/{id}/reassign": {
        "post": _op(
            "Give the case to a field officer of its unit, or to another unit, with a reason",
            {"200": {"description": "Reassigned", **_json({"type": "object"})},
             **ACTION_ERRORS},
            body={"required": True, **_json(_ref("Reassignment"))},
            params=ID,
        )
    },
    "/incidents": {
        "get": _op(
            "Cases whose process stalled on a script or timer, with the error",
            {"200": {"description": "Stalled cases", **_json(_items(_ref("Incident")))}},
        )
    },
    "/cases/{id}/retry": {
        "post": _op(
            "Run a stalled case's process again after its cause is fixed",
            {"200": {"description": "Running again", **_json(_ref("Incident"))},
             "409": {"description": "Not stalled, or stalled again",
                     **_json(_ref("Error"))}},
            params=ID,
        )
    },
    **{
        path: operations for path, operations in (
            ("/processes", {"get": _op(
                "Processes with their latest version and whether a draft is open (process "
                "owners)", {"200": {"description": "Processes", **_json({"type": "object"})}})}),
            ("/processes/validate", {"post": _op(
                "Check a BPMN document: safe XML, SpiffWorkflow's validation, casemgr's lint",
                {"200": {"description": "Valid", **_json({"type": "object"})},
                 "422": {"description": "Problems, each with element_id and message",
                         **_json(_ref("ProcessProblems"))}},
                body=BPMN_BODY)}),
            ("/processes/{key}/draft", {
                "get": _op("The draft, or the latest deployed XML",
                           {"200": {"description": "Draft", **_json({"type": "object"})}},
                           params=KEY),
                "put": _op("Save a draft, valid or not (never unsafe XML)",
                           {"200": {"description": "Saved, with its problems",
                                    **_json({"type": "object"})},
                            "422": {"description": "Unsafe or unreadable XML",
                                    **_json(_ref("ProcessProblems"))}},
                           body=BPMN_BODY, params=KEY),
            }),
            ("/processes/{key}/deploy", {"post": _op(
                "Deploy the draft as a new immutable version",
                {"201": {"description": "Deployed", **_json({"type": "object"})},
                 "422": {"description": "The draft has problems",
                         **_json(_ref("ProcessProblems"))}}, params=KEY)}),
            ("/processes/{key}/migration/preview", {"post": _op(
                "Which open cases can move to a version, and why the others cannot",
                {"200": {"description": "Per case", **_json({"type": "object"})},
                 "422": {"description": "Field errors", **_json(_ref("Error"))}},
                body={"required": True, **_json(MIGRATION_BODY)}, params=KEY)}),
            ("/processes/{key}/migration", {"post": _op(
                "Move the movable open cases (or the listed ones) to a version; timers keep "
                "their due moments", {"200": {"description": "Moved and refused cases",
                                              **_json({"type": "object"})},
                                      "422": {"description": "Field errors",
                                              **_json(_ref("Error"))}},
                body={"required": True, **_json(MIGRATION_BODY)}, params=KEY)}),
            ("/categories/{code}/questions", {
                "get": _op("A category's extra questions (Open311 attributes)",
                           {"200": {"description": "Questions", **_json({"type": "object"})}},
                           params=CODE, secure=False),
                "post": _op("Add an extra question to a category (admin)",
                            {"201": {"description": "Added", **_json({"type": "object"})},
                             "422": {"description": "Field errors", **_json(_ref("Error"))}},
                            body={"required": True, **_json(QUESTION_BODY)}, params=CODE),
            }),
            ("/categories/{code}/questions/{question_code}", {"delete": _op(
                "Remove a category's extra question (admin); stored answers stay",
                {"204": {"description": "Removed"}},
                params=CODE + [{"name": "question_code", "in": "path", "required": True,
                                "schema": {"type": "string"}}])}),
            ("/routing-rules", {
                "get": _op("Routing rules, in the order they are tried",
                           {"200": {"description": "Rules", **_json({"type": "object"})}}),
                "post": _op("Add a rule: category x district, optionally a time of day "
                            "(time_from, time_to as HH:MM city time, may wrap midnight; "
                            "weekdays) -> unit, at a position",
                            {"201": {"description": "Added", **_json({"type": "object"})},
                             "422": {"description": "Field errors", **_json(_ref("Error"))}},
                            body={"required": True, **_json(RULE_BODY)}),
            }),
            ("/routing-rules/{id}/move", {"post": _op(
                "Swap a rule with the one above or below it",
                {"200": {"description": "The rules in their new order",
                         **_json({"type": "object"})},
                 "422": {"description": "Field errors", **_json(_ref("Error"))}},
                body={"required": True, **_json({"type": "object", "properties": {
                    "direction": {"enum": ["up", "down"]}}})}, params=ID)}),
            ("/category-processes", {"get": _op(
                "Each category with the process its new cases run on, and the deployed keys",
                {"200": {"description": "Categories", **_json({"type": "object"})}})}),
            ("/category-processes/log", {"get": _op(
                "The latest changes of a category's process, newest first",
                {"200": {"description": "Changes", **_json({"type": "object"})}})}),
            ("/category-processes/{code}", {"put": _op(
                "Let a category's new cases run on the latest version of a deployed process",
                {"200": {"description": "The category", **_json({"type": "object"})},
                 "422": {"description": "Unknown process", **_json(_ref("Error"))}},
                body={"required": True, **_json({"type": "object", "required": ["process_key"],
                                                 "properties": {
                                                     "process_key": {"type": "string"}}})},
                params=[{"name": "code", "in": "path", "required": True,
                         "schema": {"type": "string"}}])}),
            ("/processes/{key}/migrations", {"post": _op(
                "Start moving the open cases (or the listed ones) to a version as a background "
                "run; poll the Location for its progress",
                {"202": {"description": "The run, queued or finished",
                         **_json({"type": "object"})},
                 "422": {"description": "Field errors", **_json(_ref("Error"))}},
                body={"required": True, **_json(MIGRATION_BODY)}, params=KEY)}),
            ("/processes/{key}/migrations/{run_id}", {"get": _op(
                "A migration run: status, total, moved, failed and each failure's reason",
                {"200": {"description": "The run", **_json({"type": "object"})}},
                params=KEY + [{"name": "run_id", "in": "path", "required": True,
                               "schema": {"type": "integer"}}])}),
            ("/routing-rules/{id}", {"delete": _op(
                "Remove a rule; cases already routed keep their unit",
                {"204": {"description": "Removed"}}, params=ID)}),
            ("/routing/test", {"post": _op(
                "Test a point (and optionally a filing moment `at`, ISO 8601, city time "
                "without an offset): its district, the rule that fires and the unit",
                {"200": {"description": "The answer", **_json({"type": "object"})},
                 "422": {"description": "Field errors", **_json(_ref("Error"))}},
                body={"required": True, **_json({"type": "object"})})}),
            ("/processes/{key}/versions", {"get": _op(
                "Deployed versions, newest first",
                {"200": {"description": "Versions", **_json({"type": "object"})}},
                params=KEY)}),
            ("/processes/{key}/versions/{older}/diff/{newer}", {"get": _op(
                "Elements added, removed and changed between two versions",
                {"200": {"description": "The differences", **_json({"type": "object"})}},
                params=KEY + [{"name": n, "in": "path", "required": True,
                               "schema": {"type": "integer"}} for n in ("older", "newer")])}),
            ("/processes/{key}/versions/{number}.bpmn", {"get": _op(
                "Download a version's BPMN XML",
                {"200": {"description": "BPMN", "content": {"application/xml": {}}}},
                params=KEY + [{"name": "number", "in": "path", "required": True,
                               "schema": {"type": "integer"}}])}),
        )
    },
}


# Registered on import, like the features' routes: a blueprint cannot change once an app
# holds it, and create_app() may run more than once in a process.
@bp.get("/openapi.json", endpoint="openapi")
def document():
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "casemgr staff API", "version": "1"},
            "servers": [{"url": "/api/v1"}],
            "security": [{"bearer": []}],
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": SCHEMAS,
            },
            "paths": PATHS,
        }
    )
