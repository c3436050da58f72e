"""Languages of the pages (Indonesian and English) with Flask-Babel, and city-local times.

The language is the user's saved choice, else the one picked with the switcher in this
session, else the browser's Accept-Language; English when none of them says id or en.
The catalogs live in translations/<locale>/LC_MESSAGES/; `make translations` extracts the
strings and compiles the .mo files, which are committed so that the app runs without a
build step.
"""

import logging

from flask import Blueprint, abort, has_request_context, redirect, request, session, url_for
from flask_babel import Babel, format_datetime, get_locale, refresh
from flask_login import current_user

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
    app.context_processor(lambda: {"languages": LANGUAGES, "page_locale": str(get_locale())})
    app.register_blueprint(bp)


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
    """A UTC moment in the city's time zone, written the way the page's language writes it."""
    if moment is None:
        return ""
    return format_datetime(moment, format)


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
