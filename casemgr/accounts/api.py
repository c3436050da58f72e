"""POST /api/v1/auth/token."""

from flask import current_app, jsonify, request

from casemgr.accounts import service
from casemgr.api import bp, json_body
from casemgr.api.errors import ApiError, error_response


@bp.post("/auth/token")
def issue_token():
    payload = json_body()
    username, password = payload.get("username"), payload.get("password")
    missing = {name: "required, as text" for name, value in
               (("username", username), ("password", password)) if not isinstance(value, str)}
    if missing:
        raise ApiError(400, "bad_request", "send username and password as strings", missing)
    try:
        user = service.authenticate(username, password, request.remote_addr or "unknown")
    except service.LoginRefused as refused:
        response, status = error_response(429, "too_many_attempts", str(refused))
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response, status
    if user is None:
        raise ApiError(401, "unauthorized", "wrong username or password")
    token = service.issue_token(user, current_app.config["TOKEN_HOURS"])
    return jsonify(
        {"token": token, "user": {"username": user.username, "roles": sorted(user.role_keys)}}
    )
