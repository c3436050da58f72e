"""Languages of the pages (Indonesian and English) with Flask-Babel, and city-local times.

The language is the user's saved choice, else the one picked with the switcher in this
session, else the browser's Accept-Language; English when none of them says id or en.
The catalogs live in translations/<locale>/LC_MESSAGES/; `make translations` extracts the
strings and compiles the .mo files, which are committed so that the app runs without a
build step.
"""

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import Babel, format_date, format_datetime, format_time, get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import default_exceptions

from casemgr import form_messages, labels
from casemgr.cases import history_texts
from casemgr.web import safe_next

log = logging.getLogger(__name__)

#: locale -> the language's own name, for the switcher.
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
SESSION_KEY = "casemgr.locale"

babel = Babel()
bp = Blueprint("i18n", __name__)


def init_app(app):
    from casemgr import ROOT

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["CASEMGR_TIMEZONE"]
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel keeps the locale on `g`; a request inside a longer app context (tests,
    # workers) must choose its own.
    app.before_request(refresh)
    app.jinja_env.filters["city_time"] = city_time
    app.jinja_env.filters["city_date"] = city_date
    app.jinja_env.filters["status_name"] = labels.status_name
    app.jinja_env.filters["role_name"] = labels.role_name
    app.jinja_env.filters["actor_name"] = labels.actor_name
    app.jinja_env.filters["lateness"] = labels.lateness
    app.jinja_env.filters["event_summary"] = history_texts.summary_of
    app.jinja_env.filters["error_message"] = error_message
    app.jinja_env.globals["js_texts"] = js_texts
    app.context_processor(lambda: {"languages": LANGUAGES, "page_locale": str(get_locale())})
    app.register_blueprint(bp)
    form_messages.init_app(app)


def select_locale():
    """The language of this request: the user's, the session's, else the browser's."""
    if not has_request_context():
        return None
    saved = getattr(current_user, "locale", None) if current_user else None
    if saved in LANGUAGES:
        return saved
    if session.get(SESSION_KEY) in LANGUAGES:
        return session[SESSION_KEY]
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def city_time(moment, format="medium"):
    """A UTC moment in the city's time zone, written the way the page's language writes it.

    The default shows the date, the time to the minute and the zone's abbreviation (WIB),
    as a case's moments need no seconds and staff in other zones need the zone.
    """
    if moment is None:
        return ""
    if isinstance(moment, str):  # an ISO moment, as the dashboard's figures carry it
        moment = datetime.fromisoformat(moment)
    if format != "medium":
        return format_datetime(moment, format)
    zone = ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])
    # A naive moment is UTC, as the database stores them (SQLite drops the zone).
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    abbreviation = aware.astimezone(zone).strftime("%Z")
    return f"{format_date(moment, 'medium')} {format_time(moment, 'short')} {abbreviation}"


#: What an error page says when the error came with the framework's own English text.
GENERIC_ERRORS = {
    400: _l("The request could not be understood."),
    403: _l("You may not see this page."),
    404: _l("There is no page at this address."),
    405: _l("This page does not take that kind of request."),
    413: _l("What you sent is too large."),
    500: _l("Something went wrong."),
    503: _l("The service is temporarily unavailable."),
}


def error_message(message, code):
    """The error's own message, or a generic one in the page's language for a bare abort."""
    bare = default_exceptions.get(code)
    if message in ("Something went wrong.", getattr(bare, "description", None)):
        return str(GENERIC_ERRORS.get(code, message))
    return message


def js_texts(texts):
    """English -> page words for a script's texts, with the status names (a data- attribute).

    Scripts keep their English text as the key and fall back to it, so a text missing here
    shows in English rather than not at all.
    """
    return {**{value: str(name) for value, name in labels.NAMES.items()}, **texts}


def city_date(day, format="medium"):
    """A calendar day written the way the page's language writes it."""
    if day is None:
        return ""
    return format_date(day, format)


@bp.post("/language")
def choose_language():
    from casemgr.accounts import service as accounts

    locale = request.form.get("locale", "")
    if locale not in LANGUAGES:
        abort(400, f"Unknown language {locale!r}: choose id or en.")
    session[SESSION_KEY] = locale
    if current_user.is_authenticated:
        accounts.set_locale(current_user, locale)
    return redirect(safe_next(request.form.get("next")) or url_for("cases.home"))
