"""Log in and out of the staff and citizen pages."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from casemgr.accounts import service
from forms.accounts import LoginForm

log = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__)


def _safe_next(target):
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append("Wrong username or password.")
        else:
            login_user(user)
            log.info("user %s logged in", user.username)
            default = url_for("tasks.inbox") if user.is_staff else url_for("cases.home")
            return redirect(_safe_next(request.args.get("next")) or default)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("cases.home"))
