"""Staff pages for tasks: the inbox."""

import logging

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from casemgr.tasks import service

log = logging.getLogger(__name__)

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.get("/")
@login_required
def inbox():
    rows = service.inbox(
        current_user,
        category=request.args.get("category") or None,
        overdue=request.args.get("overdue") == "1",
    )
    return render_template("tasks/inbox.html", tasks=rows)
