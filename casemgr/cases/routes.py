"""Pages about cases: home, report, tracking and verification, photos, the staff case views."""

import json
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask import session as web_session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from casemgr import submissions
from casemgr.accounts import service as accounts
from casemgr.accounts.auth import api_user, page_user
from casemgr.cases import access, districts, history, merging, service
from casemgr.cases.diagram import diagram_of
from casemgr.cases.models import Attachment
from casemgr.citizens import service as citizens
from casemgr.citizens import tracking
from casemgr.db import session
from casemgr.media import photos as media
from casemgr.tasks import service as tasks
from forms.citizens import MergeForm
from forms.filters import CaseFilterForm
from forms.report import ReportForm, TrackForm

log = logging.getLogger(__name__)

bp = Blueprint("cases", __name__)

#: Where the secret verification link waits until the tracking page shows it once.
NEW_LINK = "casemgr.verify_link"


def _category_choices():
    return [(c.code, c.name) for c in service.categories()]


# -- citizen pages -----------------------------------------------------------------------


@bp.get("/")
def home():
    return render_template(
        "cases/home.html", categories=service.categories(), track_form=TrackForm(formdata=None)
    )


@bp.get("/track")
def find():
    form = TrackForm(formdata=request.args)
    if not form.validate():
        return render_template(
            "cases/home.html", categories=service.categories(), track_form=form
        ), 422

    return redirect(url_for("cases.track", reference=form.reference.data.strip().upper()))


@bp.route("/report", methods=["GET", "POST"])
def report():
    form = ReportForm()
    form.bind_categories(_category_choices())
    if form.validate_on_submit():
        filed_before = submissions.outcome_of(form.submission.data)
        if filed_before:
            flash(_("This report was filed already as %(ref)s.", ref=filed_before))
            return redirect(url_for("cases.track", reference=filed_before))
        case, secret = _file(form)
        if case is not None:
            submissions.remember(form.submission.data, case.reference)
            if secret:
                web_session[NEW_LINK] = {"reference": case.reference, "key": secret}
            flash(_("Thank you. Your report is filed as %(ref)s.", ref=case.reference))
            return redirect(url_for("cases.track", reference=case.reference))

    if not form.submission.data:
        form.submission.data = submissions.new()
    status = 422 if form.errors else 200
    return render_template("cases/report.html", form=form), status


def _file(form):
    """File the report; on an intake error put it on the form and return (None, None)."""
    user = page_user()
    # An account holder's contact comes from the account. An anonymous report keeps the
    # contact for staff; the public never sees a reporter's name on any report.
    keeps_contact = user is None
    try:
        return service.file_case(
            category=form.category.data,
            description=form.description.data,
            lat=form.lat.data,
            lon=form.lon.data,
            reporter=user,
            reporter_name=_text(form.reporter_name.data) if keeps_contact else None,
            reporter_email=_text(form.reporter_email.data) if keeps_contact else None,
            is_anonymous=form.anonymous.data,
            wants_email=form.email_updates.data,
            address=_text(form.address.data),
            photos=service.checked_photos(form.photos.data or []),
            source="web",
        )
    except service.IntakeError as exc:
        form.show_intake_errors(exc.fields)
        return None, None


def _text(value):
    return (value or "").strip() or None


@bp.route("/track/<reference>", methods=["GET", "POST"])
def track(reference):
    case = service.by_reference(reference)
    if case is None:
        abort(404, _("There is no report with the reference %(ref)s. Check it and try again.",
                     ref=reference))

    key = request.values.get("key") or None
    task, verifier = _verification(case, key)
    form = tasks.build_form(task, _posted()) if task else None
    if request.method == "POST":
        if form is None:
            abort(409, _("This report is not waiting for your verification."))
        if form.validate():
            _verify(task, verifier, key, form.engine_values())
            flash(_("Thank you for checking. Your answer is recorded."))
            return redirect(url_for("cases.track", reference=case.reference))

    page = render_template(
        "cases/track.html",
        case=case,
        events=history.events_of(case.id, public_only=True),
        resolution_photos=service.attachments_of(case.id, "resolution"),
        is_reporter=_is_reporter(case, key),
        is_staff=access.is_staff_reader(page_user()) and access.can_view(page_user(), case),
        verify_form=form,
        reporter_task=task,
        question=_open_question(case) if task is not None else None,
        key=key if task and verifier is None else None,
        new_link=_new_link(case),
        **tracking.page_context(case, page_user(), _is_reporter(case, key),
                                key if service.check_verify_secret(case, key) else None),
    )
    return page, 422 if form is not None and form.errors else 200


def _verification(case, key):
    """The open verify task the caller may complete, and the user doing it (None: by link)."""
    task = tasks.open_reporter_task(case)
    if task is None:
        return None, None
    user = page_user()
    if user is not None and tasks.can_work_on(user, task):
        return task, user
    if service.check_verify_secret(case, key):
        return task, None
    return None, None


def _open_question(case):
    """The last question the city asked the reporter, from the public history."""
    for event in reversed(history.events_of(case.id, public_only=True)):
        question = (json.loads(event.details or "{}").get("values") or {}).get("question")
        if question:
            return question
    return None


def _verify(task, user, key, values):
    try:
        if user is not None:
            tasks.complete(task, user, values)
        else:
            tasks.complete_by_link(task, key, values)
    except tasks.TaskForbidden as exc:
        abort(403, str(exc))
    except (tasks.TaskConflict, service.CaseConflict, service.ProcessStalled) as exc:
        abort(409, _("Your answer could not be recorded: %(error)s", error=exc))


def _is_reporter(case, key):
    user = page_user()
    is_own = user is not None and case.reporter_id == user.id
    return is_own or service.check_verify_secret(case, key)


def _new_link(case):
    """The verification link of a just-filed case, shown once on its tracking page."""
    link = web_session.get(NEW_LINK)
    if not link or link.get("reference") != case.reference:
        return None
    web_session.pop(NEW_LINK)
    return url_for("cases.track", reference=case.reference, key=link["key"], _external=True)


def _posted():
    if request.method != "POST":
        return None
    return CombinedMultiDict((request.files, request.form))


@bp.get("/districts.geojson")
def districts_geojson():
    body = json.dumps(districts.feature_collection(), separators=(",", ":"))
    response = Response(body, mimetype="application/geo+json")
    response.cache_control.max_age = 300
    return response


@bp.get("/photos/<int:attachment_id>")
def photo(attachment_id):
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if attachment.kind != "resolution":
        case = service.get(attachment.case_id)
        user = page_user() or api_user()
        if not access.can_view(user, case):
            abort(403, _("Only staff and the reporter can see report photos."))
    path = media.path_of(attachment.stored_name, current_app.config["UPLOAD_DIR"])
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    if attachment.kind != "resolution":
        # send_file marks it public; a shared cache must not hand a report photo to others.
        response.cache_control.public = False
        response.cache_control.private = True
    return response


# -- staff pages -------------------------------------------------------------------------


@bp.get("/cases/")
@login_required
def case_list():
    form = CaseFilterForm(formdata=request.args)
    form.bind_categories(_category_choices())
    form.bind_units([(u.code, u.name) for u in accounts.list_units()])
    form.validate()
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    size = current_app.config["PAGE_SIZE"]
    rows, total = service.list_cases(
        current_user,
        status=form.chosen("status"),
        category=form.chosen("category"),
        unit=form.chosen("unit"),
        page=page,
        size=size,
    )
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "cases/list.html",
        cases=rows,
        form=form,
        page=page,
        pages=max((total + size - 1) // size, 1),
        total=total,
        filters=filters,
    )


def _case_for_staff(case_id):
    """The case, or 404 when there is none and 403 when it is another unit's."""
    case = service.get(case_id)
    if case is None:
        abort(404, _("There is no case %(id)s.", id=case_id))
    if not access.can_view(current_user, case):
        abort(403, _("This case belongs to another unit."))
    return case


@bp.get("/cases/<int:case_id>")
@login_required
def case_page(case_id):
    case = _case_for_staff(case_id)
    if not access.is_staff_reader(current_user):
        return redirect(url_for("cases.track", reference=case.reference))

    open_tasks = tasks.open_tasks_of(case.id)
    return render_template(
        "cases/case.html",
        case=case,
        open_tasks=open_tasks,
        workable={t.id for t in open_tasks if tasks.can_work_on(current_user, t)},
        photos=service.attachments_of(case.id),
        can_merge=merging.can_merge(current_user, case) and case.is_open,
        me_too_count=citizens.me_too_count(case.id),
        merge_form=MergeForm(formdata=None),
        events=[(e, _submitted_values(e)) for e in history.events_of(case.id)],
    )


@bp.get("/cases/<int:case_id>/diagram.json")
@login_required
def case_diagram(case_id):
    """The case's process diagram and the path it took, for the viewer on the case page."""
    case = _case_for_staff(case_id)
    if not access.is_staff_reader(current_user):
        abort(403, _("The process diagram is for staff."))
    response = jsonify(diagram_of(case))
    response.headers["Cache-Control"] = "no-store"
    return response


def _submitted_values(event):
    """The form values a task completion recorded, for the history table."""
    values = json.loads(event.details or "{}").get("values") or {}
    return {k: v for k, v in values.items() if v not in (None, "")}
