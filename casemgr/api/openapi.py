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

PATHS = {
    "/auth/token": {
        "post": _op(
            "Exchange username and password for a bearer token",
            {"200": {"description": "A token", **_json({"type": "object"})}},
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
            {"200": {"description": "A page of cases", **_json({"type": "object"})}},
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
            "Open tasks the caller may work on",
            {
                "200": {
                    "description": "Tasks",
                    **_json(
                        {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": _ref("Task")}},
                        }
                    ),
                }
            },
            params=_query("category", "district_id", "overdue", "bpmn_id", "mine", "case_id"),
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
                "422": {"description": "Field errors", **_json(_ref("Error"))},
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
