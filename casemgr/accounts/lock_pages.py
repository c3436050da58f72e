"""The admin page of locked accounts: who cannot log in until when, and unlocking them.

Anyone who knows a username can lock it with wrong passwords; this is the way out before
the lock runs out.
"""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casemgr.accounts import service
from casemgr.accounts.auth import pages_for_roles
from forms.accounts import UnlockForm

log = logging.getLogger(__name__)

bp = Blueprint("account_locks", __name__, url_prefix="/admin/locked-accounts")

for_admins = pages_for_roles("admin", refusal=_l("Locked accounts are managed by admins."))


@bp.get("")
@for_admins
def locked_list():
    return render_template("accounts/locked.html", users=service.locked_users(),
                           unlock_form=UnlockForm())


@bp.post("/<int:user_id>/unlock")
@for_admins
def unlock(user_id):
    user = service.get_user(user_id)
    if user is None:
        abort(404, _("There is no user %(id)s.", id=user_id))
    if not UnlockForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))

    if service.unlock(user, current_user.username):
        flash(_("%(name)s can log in again.", name=user.username))
    else:
        flash(_("%(name)s was not locked.", name=user.username))
    return redirect(url_for("account_locks.locked_list"))
