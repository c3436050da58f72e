"""Citizen and staff pages about cases: home, tracking, photos."""

import logging

from flask import Blueprint, abort, current_app, render_template, request, send_file

from casemgr.accounts.auth import page_user
from casemgr.cases import access, history, service
from casemgr.cases.models import Attachment
from casemgr.db import session
from casemgr.media import photos as media

log = logging.getLogger(__name__)

bp = Blueprint("cases", __name__)


@bp.get("/")
def home():
    return render_template("cases/home.html", categories=service.categories())


@bp.get("/track/<reference>")
def track(reference):
    case = service.by_reference(reference)
    if case is None:
        abort(404, f"No case with reference {reference}.")
    events = history.events_of(case.id, public_only=True)
    resolution = service.attachments_of(case.id, "resolution")
    return render_template(
        "cases/track.html",
        case=case,
        events=events,
        resolution_photos=resolution,
        key=request.args.get("key"),
    )


@bp.get("/photos/<int:attachment_id>")
def photo(attachment_id):
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if attachment.kind != "resolution":
        case = service.get(attachment.case_id)
        from casemgr.accounts.auth import api_user

        user = page_user() or api_user()
        if not access.can_view(user, case):
            abort(403, "Only staff and the reporter can see report photos.")
    path = media.path_of(attachment.stored_name, current_app.config["UPLOAD_DIR"])
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)
