"""The API's one error shape: {"error": {"code", "message", "fields"}}."""

from flask import jsonify, request


class ApiError(Exception):
    def __init__(self, status, code, message, fields=None):
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        super().__init__(message)


def error_response(status, code, message, fields=None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


#: Data addresses outside /api/ that scripts read: their errors are JSON too.
JSON_SUFFIXES = (".json", ".geojson")


def wants_json():
    return (
        request.path.startswith("/api/")
        or request.path.endswith(JSON_SUFFIXES)
        or request.accept_mimetypes.best == "application/json"
    )


def form_errors(form):
    """Flatten WTForms errors to field -> message."""
    return {name: "; ".join(str(m) for m in messages) for name, messages in form.errors.items()}
