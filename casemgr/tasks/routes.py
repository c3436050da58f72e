"""Staff pages for tasks: the inbox, claim and release, and the task page with its form."""

import logging
from contextlib import contextmanager

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from casemgr.cases import access, districts
from casemgr.cases import service as cases
from casemgr.labels import status_name
from casemgr.media.photos import PhotoError
from casemgr.tasks import cursor, service
from casemgr.web import safe_next
from forms.filters import InboxFilterForm

log = logging.getLogger(__name__)

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.get("/")
@login_required
def inbox():
    form = InboxFilterForm(formdata=request.args)
    form.bind_categories([(c.code, c.name) for c in cases.categories()])
    form.bind_districts([(str(d.id), d.name) for d in districts.list_districts()])
    form.validate()
    try:
        after = cursor.parse(request.args.get("after"))
    except cursor.CursorError:
        abort(400, _("This inbox page link is broken; start again from the first page."))
    page = service.inbox_page(
        current_user,
        after=after,
        category=form.chosen("category"),
        district_id=form.chosen("district"),
        overdue=bool(form.chosen("overdue")),
        mine=bool(form.chosen("mine")),
    )
    return render_template(
        "tasks/inbox.html", tasks=page.tasks, form=form,
        next_url=_page_url(page.next_after) if page.next_after else None,
        first_url=_page_url(None) if after else None,
    )


def _page_url(after):
    """A link to an inbox page with the same filters: the first one when `after` is None."""
    args = {name: value for name, value in request.args.items() if name != "after"}
    if after is not None:
        args["after"] = after
    return url_for("tasks.inbox", **args)


@contextmanager
def _refusals():
    """Turn the services' refusals into the 403 and 409 pages."""
    try:
        yield
    except service.OwnCase as exc:
        abort(403, str(exc))
    except service.TaskForbidden:
        abort(403, _("This task belongs to another role or unit."))
    except (service.TaskConflict, cases.CaseConflict) as exc:
        abort(409, _("Someone changed this task or its case meanwhile: %(error)s", error=exc))
    except cases.ProcessStalled as exc:
        abort(409, _("The process could not go on and the case is marked for staff: %(error)s",
                     error=exc))


def _task_or_404(task_id):
    with _refusals():
        task = service.get_for(current_user, task_id)
    if task is None:
        abort(404, _("There is no task %(id)s.", id=task_id))
    return task


def _back():
    return safe_next(request.form.get("next")) or url_for("tasks.inbox")


@bp.post("/<int:task_id>/claim")
@login_required
def claim(task_id):
    task = _task_or_404(task_id)
    with _refusals():
        service.claim(task, current_user)
    flash(_("You hold %(task)s of %(reference)s now.", task=task.name,
            reference=task.case.reference))
    return redirect(_back())


@bp.post("/<int:task_id>/release")
@login_required
def release(task_id):
    # A supervisor may release an officer's task, which is not theirs to work on.
    task = service.get_task(task_id)
    if task is None:
        abort(404, _("There is no task %(id)s.", id=task_id))
    with _refusals():
        service.release(task, current_user)
    flash(_("%(task)s of %(reference)s is back in the unit's inbox.", task=task.name,
            reference=task.case.reference))
    return redirect(_back())


@bp.route("/<int:task_id>", methods=["GET", "POST"])
@login_required
def task_page(task_id):
    task = _task_or_404(task_id)
    if request.method == "GET":
        return _render(task, service.build_form(task))
    if task.status != "open":
        abort(409, _("This task is already %(status)s.", status=status_name(task.status)))

    form = service.build_form(task, CombinedMultiDict((request.files, request.form)))
    is_valid = form.validate()
    photos = _checked_photos(form)
    if service.needs_photo(task, photos) and not form[service.RESOLUTION_PHOTO].errors:
        form[service.RESOLUTION_PHOTO].errors = [_("Add a photo of the fix.")]
    if not is_valid or any(field.errors for field in form):
        return _render(task, form), 422

    with _refusals():
        service.complete(
            task,
            current_user,
            form.engine_values(),
            photos,
            request.form.get("case_version", type=int),
        )
    flash(_("%(task)s of %(reference)s is done.", task=task.name, reference=task.case.reference))
    if current_user.is_staff:
        return redirect(url_for("tasks.inbox"))
    return redirect(url_for("cases.track", reference=task.case.reference))


def _checked_photos(form):
    """Check the form's uploads; put a failed check on its field."""
    photos = []
    for name in form.file_fields:
        for photo in cases.checked_photos(request.files.getlist(name)):
            if isinstance(photo, PhotoError):
                form[name].errors = [*form[name].errors, str(photo)]
            else:
                photos.append(photo)
    return photos


def _render(task, form):
    case = task.case
    return render_template(
        "tasks/task.html",
        task=task,
        case=case,
        form=form,
        photos=cases.attachments_of(case.id, "report"),
        # The validator judges the fix by its photos and where and when they were taken.
        resolution_photos=cases.attachments_of(case.id, "resolution")
        if task.form == "validate_resolution" else [],
        can_see_case=access.is_staff_reader(current_user) and access.can_view(current_user, case),
    )
