"""Log in and out of the staff and citizen pages."""

import logging

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from casemgr.accounts import service
from casemgr.web import safe_next
from forms.accounts import LoginForm

log = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__)


def _landing(user):
    return url_for("tasks.inbox") if user.is_staff else url_for("cases.home")


def _refusal_text(refused):
    if refused.locked_minutes is None:
        return _("Too many login attempts from your address. Wait a minute and try again.")
    return _("Too many wrong passwords: this account is locked for %(minutes)s minutes. "
             "Try again later or ask an administrator.", minutes=refused.locked_minutes)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _landing(current_user))

    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                form.username.data, form.password.data, request.remote_addr or "unknown")
        except service.LoginRefused as refused:
            form.password.errors.append(_refusal_text(refused))
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
            return response
        if user is None:
            form.password.errors.append(_("Wrong username or password."))
        else:
            login_user(user)
            log.info("user %s logged in", user.username)
            return redirect(safe_next(request.args.get("next")) or _landing(user))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    log.info("user %s logged out", current_user.username)
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("cases.home"))
