"""Escalation pages: overdue and at-risk cases with bulk actions, incidents, the calendar."""

import csv
import io
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from casemgr import submissions
from casemgr.accounts import service as accounts
from casemgr.accounts.auth import pages_for_roles
from casemgr.cases import districts
from casemgr.cases import service as cases
from casemgr.db import utcnow
from casemgr.escalations import calendars, schema, service
from casemgr.escalations.calendar import CalendarError
from casemgr.web import safe_next
from forms.escalations import BulkActionForm, DayOffForm
from forms.filters import EscalationFilterForm

log = logging.getLogger(__name__)

bp = Blueprint("escalations", __name__, url_prefix="/escalations")

#: Rows in one export; the dashboard shows the service's default.
EXPORT_LIMIT = 5000


def needs_role(*roles):
    """Let in only logged-in users with one of `roles`; others get 403."""
    names = " and ".join(role.replace("_", " ") + "s" for role in roles)
    return pages_for_roles(*roles, refusal=f"This page is for {names}.")


for_escalation_staff = needs_role(*service.DASHBOARD_ROLES)


def _unit_choices():
    return [(u.code, u.name) for u in accounts.list_units()]


def _filter_form():
    form = EscalationFilterForm(formdata=request.args)
    form.bind_categories([(c.code, c.name) for c in cases.categories()])
    form.bind_units(_unit_choices())
    form.bind_districts([(d.code, d.name) for d in districts.list_districts()])
    form.validate()
    return form


def _filtered(form, limit=None):
    """The dashboard rows for the filter form's choices."""
    found = service.overdue_and_at_risk(
        current_user,
        unit=form.chosen("unit"),
        category=form.chosen("category"),
        district=form.chosen("district"),
        level=form.chosen("level"),
        **({"limit": limit} if limit else {}),
    )
    return schema.rows_of(found, utcnow())


def _filters():
    return {k: v for k, v in request.args.items() if v}


# -- the dashboard -----------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@for_escalation_staff
def dashboard():
    filters = _filter_form()
    action_form = BulkActionForm()
    action_form.bind_units(_unit_choices())
    if request.method == "POST" and action_form.validate():
        back = safe_next(request.full_path) or url_for("escalations.dashboard")
        if submissions.outcome_of(action_form.submission.data):
            flash(_("These changes were made already; nothing was done again."))
            return redirect(back)
        officer = _officer(action_form)
        if not action_form.officer.errors:
            _run_bulk(action_form, officer)
            submissions.remember(action_form.submission.data, True)
            return redirect(back)

    if not action_form.submission.data:
        action_form.submission.data = submissions.new()
    rows = _filtered(filters)
    page = render_template(
        "escalations/dashboard.html",
        rows=rows,
        form=filters,
        action_form=action_form,
        ticked=set(action_form.case_ids.data or ()),
        officers=_officers(),
        stalled_count=len(service.stalled_cases(current_user)),
        filters=_filters(),
        is_city_wide=current_user.has_role("escalation_manager"),
    )
    return page, 422 if action_form.errors else 200


def _officers():
    """Field officers to suggest in the reassign box: the supervisor's unit, or all."""
    unit_id = None if current_user.has_role("escalation_manager") else current_user.unit_id
    return accounts.users_with_role("field_officer", unit_id)


def _officer(form):
    """The field officer the form names, or None; an unknown username is a form error."""
    username = (form.officer.data or "").strip()
    if not username:
        return None
    officer = accounts.find_user(username)
    if officer is None or not officer.has_role("field_officer"):
        form.officer.errors.append(_("There is no field officer %(name)s.", name=username))
    return officer


def _run_bulk(form, officer):
    reason = form.reason.data.strip()
    if form.action.data == "extend":
        hours = form.hours.data
        outcomes = service.for_each_case(
            form.case_ids.data,
            current_user,
            lambda case: service.extend_due(case, hours, reason, current_user),
        )
        _report(outcomes, _("Extended %(done)s of %(total)s cases by %(hours)s working hours: "
                            "%(references)s.", hours=hours, **_counts(outcomes)),
                _("Not extended: %(refusals)s.", refusals=_refusals(outcomes)))
        return

    unit = accounts.find_unit(form.unit.data) if form.unit.data else None
    outcomes = service.for_each_case(
        form.case_ids.data,
        current_user,
        lambda case: service.reassign(case, reason, current_user, officer=officer, unit=unit),
    )
    target = officer.username if officer else unit.name
    _report(outcomes, _("Reassigned %(done)s of %(total)s cases to %(target)s: %(references)s.",
                        target=target, **_counts(outcomes)),
            _("Not reassigned: %(refusals)s.", refusals=_refusals(outcomes)))


def _counts(outcomes):
    done = [o.reference for o in outcomes if o.is_done]
    return {"done": len(done), "total": len(outcomes), "references": ", ".join(done)}


def _refusals(outcomes):
    return "; ".join(f"{o.reference or o.case_id}: {o.error}" for o in outcomes if not o.is_done)


def _report(outcomes, done_text, refused_text):
    """Flash what happened to each case: the done ones together, each refusal on its own."""
    if any(o.is_done for o in outcomes):
        flash(done_text)
    if not all(o.is_done for o in outcomes):
        flash(refused_text, "error")


@bp.get("/export.csv")
@for_escalation_staff
def export():
    rows = _filtered(_filter_form(), limit=EXPORT_LIMIT)
    local_time = current_app.jinja_env.filters["local_time"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(schema.CSV_COLUMNS)
    for row in rows:
        writer.writerow(schema.csv_cells(row, local_time))

    response = Response(out.getvalue(), mimetype="text/csv")
    name = schema.export_name(utcnow())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- incidents ---------------------------------------------------------------------------


@bp.get("/incidents")
@for_escalation_staff
def incidents():
    return render_template("escalations/incidents.html", cases=service.stalled_cases(current_user))


@bp.post("/incidents/<int:case_id>/retry")
@for_escalation_staff
def retry(case_id):
    case = cases.get(case_id)
    if case is None:
        abort(404, _("There is no case %(id)s.", id=case_id))
    if not service.can_act_on(current_user, case):
        abort(403, _("This case belongs to another unit."))

    reference = case.reference
    try:
        service.retry_stalled(case, current_user)
    except (service.ActionRefused, cases.CaseConflict) as exc:
        flash(_("%(reference)s was not retried: %(error)s", reference=reference, error=exc),
              "error")
    except cases.ProcessStalled as exc:
        flash(_("%(reference)s stalled again: %(error)s", reference=reference, error=exc),
              "error")
    else:
        flash(_("%(reference)s runs again.", reference=reference))
    return redirect(url_for("escalations.incidents"))


# -- the calendar ------------------------------------------------------------------------


@bp.route("/calendar", methods=["GET", "POST"])
@needs_role("admin")
def calendar():
    form = DayOffForm()
    form.bind_units(_unit_choices())
    if form.validate_on_submit() and _add_day_off(form):
        flash(_("%(day)s is a day off now: %(name)s.", day=format_date(form.day.data, "long"),
                name=form.name.data.strip()))
        return redirect(url_for("escalations.calendar"))

    today = utcnow().astimezone(calendars.calendar_for(None).zone).date()
    page = render_template(
        "escalations/calendar.html",
        form=form,
        days_off=service.days_off(),
        units={u.id: u.name for u in accounts.list_units()},
        year=today.year,
        today=today,
        holidays=service.public_holidays(today.year),
    )
    return page, 422 if form.errors else 200


def _add_day_off(form):
    """Declare the form's day off; a refusal goes on the date field."""
    unit = accounts.find_unit(form.unit.data) if form.unit.data else None
    try:
        calendars.add_day_off(
            form.day.data, form.name.data.strip(), unit.id if unit else None, current_user
        )
    except CalendarError as exc:
        form.day.errors.append(str(exc))
        return False
    return True
