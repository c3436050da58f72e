"""The OpenAPI description of /open311/v2, served at /open311/v2/openapi.json.

Each path is listed once per format (.xml, .json) so that a schema-driven test run sends
both and checks each answer's content type.
"""

from flask import jsonify

from casemgr.open311.api import bp
from casemgr.open311.params import MAX_RESULTS

CONTENT = {"xml": "text/xml", "json": "application/json"}


def _schema(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _body(fmt, schema):
    if fmt == "xml":
        return {CONTENT[fmt]: {"schema": {"type": "string"}}}
    return {CONTENT[fmt]: {"schema": schema}}


def _errors(fmt, *codes):
    return {str(code): {"description": "Open311 errors", "content": _body(fmt, _schema("Errors"))}
            for code in codes}


def _ok(fmt, schema, status="200"):
    return {status: {"description": "OK", "content": _body(fmt, schema)}}


def _params(*names, where="query"):
    return [{"name": name, "in": where, "required": where == "path",
             "schema": {"type": "string"}} for name in names]


def _list(name):
    return {"type": "array", "items": _schema(name)}


FORM = {"type": "object", "required": ["api_key", "service_code", "description"],
        "properties": {name: {"type": "string"} for name in (
            "api_key", "jurisdiction_id", "service_code", "address_string", "address_id",
            "email", "device_id", "account_id", "first_name", "last_name", "phone",
            "description", "media_url")} | {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "media": {"type": "string", "format": "binary"}}}

UPDATE_FORM = {"type": "object",
               "required": ["api_key", "service_request_id", "update_id", "description"],
               "properties": {name: {"type": "string"} for name in (
                   "api_key", "jurisdiction_id", "service_request_id", "update_id",
                   "updated_datetime", "status", "description", "email", "first_name",
                   "last_name", "media_url")}}

REQUEST_QUERY = _params("jurisdiction_id", "service_request_id", "service_code", "start_date",
                        "end_date", "status", "updated_after", "updated_before",
                        "extensions") + [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "page_size", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS}},
]

NULLABLE_TEXT = {"type": ["string", "null"]}

SCHEMAS = {
    "Errors": {"type": "array", "items": {"type": "object", "required": ["code", "description"],
               "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}},
    "Discovery": {"type": "object", "required": ["changeset", "endpoints"]},
    "Service": {"type": "object", "required": ["service_code", "service_name", "metadata",
                                               "type"],
                "properties": {"service_code": {"type": "string"},
                               "service_name": {"type": "string"},
                               "metadata": {"type": "boolean"},
                               "type": {"enum": ["realtime", "batch", "blackbox"]}}},
    "ServiceDefinition": {"type": "object", "required": ["service_code", "attributes"]},
    "Created": {"type": "object", "required": ["service_request_id", "token"]},
    "Queued": {"type": "object", "required": ["token"]},
    "Request": {"type": "object",
                "required": ["service_request_id", "status", "service_code",
                             "requested_datetime"],
                "properties": {"service_request_id": {"type": "string"},
                               "status": {"enum": ["open", "closed"]},
                               "status_notes": NULLABLE_TEXT,
                               "expected_datetime": NULLABLE_TEXT,
                               "lat": {"type": ["number", "null"]},
                               "long": {"type": ["number", "null"]},
                               "media_url": NULLABLE_TEXT}},
    "Update": {"type": "object", "required": ["update_id", "service_request_id", "status"]},
}


def _paths_for(fmt):
    return {
        f"/discovery.{fmt}": {"get": {"summary": "Service discovery", "responses": _ok(
            fmt, _schema("Discovery"))}},
        f"/services.{fmt}": {"get": {
            "summary": "The services (categories)", "parameters": _params("jurisdiction_id"),
            "responses": _ok(fmt, _list("Service")) | _errors(fmt, 400, 404)}},
        f"/services/{{service_code}}.{fmt}": {"get": {
            "summary": "A service's attributes (extra questions)",
            "parameters": _params("service_code", where="path") + _params("jurisdiction_id"),
            "responses": _ok(fmt, _schema("ServiceDefinition")) | _errors(fmt, 400, 404)}},
        f"/requests.{fmt}": {
            "get": {"summary": "Service requests, newest first",
                    "parameters": REQUEST_QUERY,
                    "responses": _ok(fmt, _list("Request")) | _errors(fmt, 400, 404)},
            "post": {"summary": "File a service request (needs api_key)",
                     "requestBody": {"required": True, "content": {
                         "application/x-www-form-urlencoded": {"schema": FORM},
                         "multipart/form-data": {"schema": FORM}}},
                     "responses": _ok(fmt, _list("Created"), "201")
                     | _ok(fmt, _list("Queued"), "202")
                     | _errors(fmt, 400, 403, 404, 413, 429)}},
        f"/requests/{{service_request_id}}.{fmt}": {"get": {
            "summary": "One service request",
            "parameters": _params("service_request_id", where="path")
            + _params("jurisdiction_id", "extensions"),
            "responses": _ok(fmt, _list("Request")) | _errors(fmt, 400, 404)}},
        f"/tokens/{{token}}.{fmt}": {"get": {
            "summary": "The service_request_id of a token",
            "parameters": _params("token", where="path"),
            "responses": _ok(fmt, _list("Created")) | _errors(fmt, 404)}},
        f"/servicerequestupdates.{fmt}": {
            "get": {"summary": "Public updates of requests",
                    "parameters": _params("jurisdiction_id", "start_date", "end_date"),
                    "responses": _ok(fmt, _list("Update")) | _errors(fmt, 400, 404)},
            "post": {"summary": "Send an update on a request (needs api_key)",
                     "requestBody": {"required": True, "content": {
                         "application/x-www-form-urlencoded": {"schema": UPDATE_FORM}}},
                     "responses": _ok(fmt, {"type": "array"}, "201")
                     | _errors(fmt, 400, 403, 404, 429)}},
    }


# Registered on import, like the features' routes.
@bp.get("/openapi.json", endpoint="openapi")
def document():
    paths = _paths_for("xml") | _paths_for("json")
    return jsonify({
        "openapi": "3.1.0",
        "info": {"title": "casemgr Open311 GeoReport v2", "version": "2"},
        "servers": [{"url": "/open311/v2"}],
        "components": {"schemas": SCHEMAS},
        "paths": paths,
    })
