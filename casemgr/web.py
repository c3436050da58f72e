"""What every page shares: CSRF, security headers, error pages, template helpers."""

import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.routing import IntegerConverter

from casemgr.db import MAX_INT

log = logging.getLogger(__name__)

csrf = CSRFProtect()

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

CSP = (
    "default-src 'self'; img-src 'self' data:{tiles}; "
    "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def content_security_policy(tile_url):
    """The page CSP, letting images come from the map tile server as well."""
    parts = urlsplit(tile_url or "")
    # A subdomain template such as {s}.tile.example.org becomes a CSP wildcard.
    host = parts.netloc.replace("{s}", "*")
    origin = f" {parts.scheme}://{host}" if parts.scheme and host else ""
    return CSP.format(tiles=origin)


#: Largest id a row can have; larger ids in URLs are simply not found.
MAX_ID = MAX_INT


class RowIdConverter(IntegerConverter):
    """The <int:...> of every route: ids past the database's integer range are a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app):
    # Set before any blueprint adds a route, so every <int:id> is bounded.
    app.url_map.converters["int"] = RowIdConverter
    _set_cookie_flags(app)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"city": app.config["CITY"]})
    app.jinja_env.filters["local_time"] = _local_time_filter(app)

    for code in (400, 403, 404, 405, 409, 410, 413, 422, 429, 500, 503):
        app.register_error_handler(code, _error_page)


#: Seconds a browser keeps to HTTPS once it saw the production site.
HSTS_SECONDS = 365 * 24 * 3600


def _is_production(app):
    return app.config["CASEMGR_ENV"] == "production"


def _set_cookie_flags(app):
    """Session cookies out of reach of scripts and other sites; HTTPS-only in production."""
    # Flask's own defaults fill these keys already (SameSite None): set them outright.
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{prefix}_HTTPONLY"] = True
        app.config[f"{prefix}_SAMESITE"] = "Lax"
        app.config[f"{prefix}_SECURE"] = _is_production(app)


def _csrf_refused(error):
    log.warning("form refused on %s %s: %s", request.method, request.path, error.description)
    message = ("The form's security (CSRF) token is missing or expired. "
               "Reload the page and send it again.")
    return render_template("error.html", code=400, message=message), 400


def _refuse_nul_bytes():
    """Refuse text with NUL characters: no database stores them, and no person types them."""
    if None in request.form or None in request.files:
        # A multipart part named by nothing but a line break comes through unnamed.
        abort(400, "Every form field needs a name.")
    texts = [request.path, *request.args.keys(), *request.form.keys()]
    texts += [value for values in request.args.listvalues() for value in values]
    texts += [value for values in request.form.listvalues() for value in values]
    body = request.get_data(as_text=True) if request.is_json else ""
    if "\\u0000" in body or any("\x00" in text for text in [body, *texts]):
        abort(400, "NUL characters are not allowed in requests.")


def safe_next(target):
    """Return `target` if it is a path on this site, else None (no open redirects).

    Browsers drop tabs and newlines from a URL ("/<tab>/evil" becomes "//evil"), and a
    newline cannot go in a header, so a target with any control character is refused.
    """
    if not target or CONTROL_CHARACTERS.search(target):
        return None
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if _is_production(current_app):
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains"
        )
    if response.mimetype == "text/html":
        policy = content_security_policy(current_app.config["CASEMGR_TILE_URL"])
        response.headers.setdefault("Content-Security-Policy", policy)
    return response


def _local_time_filter(app):
    zone = ZoneInfo(app.config["CASEMGR_TIMEZONE"])

    def local_time(moment, fmt="%Y-%m-%d %H:%M"):
        if moment is None:
            return ""
        return moment.astimezone(zone).strftime(fmt + " %Z")

    return local_time


def _error_page(error):
    from casemgr.api.errors import error_response, wants_json

    code = getattr(error, "code", 500) or 500
    if code == 500:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
    message = getattr(error, "description", None) or "Something went wrong."
    if wants_json():
        return error_response(code, _code_name(code), message)
    return render_template("error.html", code=code, message=message), code


def _code_name(code):
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "too_many_requests",
        500: "server_error",
        503: "unavailable",
    }.get(code, "error")
