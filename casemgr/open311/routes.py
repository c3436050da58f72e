"""The admin page of Open311 API keys: list, create (the key is shown once), revoke."""

import logging
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casemgr.open311 import keys
from forms.open311 import ApiKeyForm, RevokeForm

log = logging.getLogger(__name__)

bp = Blueprint("open311_admin", __name__, url_prefix="/admin/api-keys")


def for_admins(view):
    @wraps(view)
    @login_required
    def checked(*args, **kwargs):
        if not current_user.has_role("admin"):
            abort(403, _("API keys are managed by admins."))
        return view(*args, **kwargs)

    return checked


@bp.route("", methods=["GET", "POST"])
@for_admins
def key_list():
    form = ApiKeyForm()
    new_key = None
    if form.validate_on_submit():
        try:
            _key, new_key = keys.create(form.name.data, current_user)
        except keys.ApiKeyError as exc:
            form.name.errors.append(str(exc))
        else:
            form = ApiKeyForm(formdata=None)
    page = render_template("open311/keys.html", form=form, revoke_form=RevokeForm(),
                           keys=keys.list_keys(), new_key=new_key)
    # The page that shows a new key once must not stay in any cache.
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.post("/<int:key_id>/revoke")
@for_admins
def revoke(key_id):
    key = keys.get(key_id)
    if key is None:
        abort(404, _("There is no API key %(id)s.", id=key_id))
    if not RevokeForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))
    try:
        keys.revoke(key, current_user)
    except keys.ApiKeyError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The key of %(name)s is revoked.", name=key.name))
    return redirect(url_for("open311_admin.key_list"))
