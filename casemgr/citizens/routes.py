"""The citizen's pages beside the report: duplicates, "me too", following, rating, the map.

Also the staff's merge of a duplicate and the admin page of status messages.
"""

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casemgr.accounts.auth import page_user
from casemgr.accounts.throttle import throttle
from casemgr.cases import bbox, districts, merging
from casemgr.cases import service as cases
from casemgr.cases.models import OPEN_STATUSES, STATUSES
from casemgr.citizens import classifier, confirmation, duplicates, public_map, service
from forms.citizens import (
    ConfirmMeTooForm,
    EmailUpdatesForm,
    MergeForm,
    MeTooForm,
    RatingForm,
    StatusMessageForm,
)

log = logging.getLogger(__name__)

bp = Blueprint("citizens", __name__)


def _json_error(status, message):
    return jsonify({"error": {"code": "invalid", "message": message}}), status


def _case_or_404(reference):
    case = cases.by_reference(reference)
    if case is None:
        abort(404, _("There is no report with the reference %(ref)s.", ref=reference))
    return case


def _back_to(case):
    return redirect(url_for("cases.track", reference=case.reference))


# -- while reporting ---------------------------------------------------------------------


def _point_args():
    """(category, lat, lon) from the query string, or an error message."""
    category = cases.category_by_code(request.args.get("category", ""))
    if category is None or not category.is_active:
        return None, _("Choose a known category.")
    try:
        lat, lon = float(request.args["lat"]), float(request.args["lon"])
    except (KeyError, ValueError):
        return None, _("Give lat and lon as numbers.")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, _("lat must be between -90 and 90, lon between -180 and 180.")
    return (category, lat, lon), None


@bp.get("/report/duplicates")
def report_duplicates():
    point, error = _point_args()
    if error:
        return _json_error(422, error)

    category, lat, lon = point
    found = duplicates.nearby_open(category, lat, lon)
    items = [
        duplicates.suggestion_dict(
            case, metres, url_for("cases.track", reference=case.reference)
        )
        for case, metres in found
    ]
    return jsonify({"radius_m": category.duplicate_radius_m, "items": items})


@bp.get("/report/category-suggestion")
def category_suggestion():
    description = request.args.get("description", "")
    if len(description) > cases.MAX_DESCRIPTION:
        return _json_error(422, _("The description is too long."))

    suggestion = classifier.suggest(description)
    category = cases.category_by_code(suggestion[0]) if suggestion else None
    if category is None or not category.is_active:
        return jsonify({"suggestion": None})
    return jsonify({"suggestion": {"code": category.code, "name": category.name,
                                   "confidence": round(suggestion[1], 2)}})


# -- following a case --------------------------------------------------------------------


@bp.post("/track/<reference>/me-too")
def me_too(reference):
    case = _case_or_404(reference)
    form = MeTooForm()
    if not form.validate():
        abort(422, "; ".join(str(m) for ms in form.errors.values() for m in ms))

    email = (form.email.data or "").strip() or None
    if page_user() is None and email and not throttle().allow_me_too_email(
            request.remote_addr or "-", email):
        abort(429, _("Too many \"me too\" requests from this address. Try again later."))
    try:
        if page_user() is not None:
            service.me_too(case, page_user())
        else:
            # The message speaks the language of the page the address was typed on.
            service.ask_me_too_confirmation(case, email, str(get_locale() or "") or None)
    except service.CitizenError as exc:
        abort(exc.status, str(exc))
    if page_user() is not None:
        flash(_("Thank you. You are counted, and we will tell you when this report changes."))
    else:
        flash(_("Almost done: open the link we sent to %(email)s within %(hours)s hours to be "
                "counted and get updates.", email=email,
                hours=current_app.config["ME_TOO_CONFIRM_HOURS"]))
    return _back_to(case)


@bp.route("/track/<reference>/me-too/confirm", methods=["GET", "POST"])
def confirm_me_too(reference):
    """Show the confirmation link's button, and count the "me too" when it is pressed."""
    # A button, not the link alone: mail scanners open every link in a message.
    case = _case_or_404(reference)
    token = request.values.get("token", "")
    try:
        email = confirmation.read(token, case)
    except confirmation.LinkError as exc:
        abort(exc.status, _link_refusal(case, exc.status))

    form = ConfirmMeTooForm(token=token)
    if service.is_me_too(case, email):
        flash(_("Your \"me too\" was confirmed already."))
        return _back_to(case)
    try:
        service.refuse_closed_me_too(case)  # before the button, not only after it
    except service.CitizenError as exc:
        abort(exc.status, str(exc))
    if not form.validate_on_submit():
        return render_template("citizens/me_too_confirm.html", case=case, form=form)
    try:
        service.confirm_me_too(case, token)
    except service.CitizenError as exc:
        abort(exc.status, str(exc))
    flash(_("Thank you: your \"me too\" is confirmed. You are counted, and we will tell you "
            "when this report changes."))
    return _back_to(case)


def _link_refusal(case, status):
    if status == 410:
        return _("This confirmation link has expired. Say \"me too\" on %(ref)s again to "
                 "get a new one.", ref=case.reference)
    return _("This confirmation link is not valid. Copy the whole link from the email, "
             "or say \"me too\" on %(ref)s again.", ref=case.reference)


@bp.post("/track/<reference>/email-updates")
def email_updates(reference):
    case = _case_or_404(reference)
    form = EmailUpdatesForm()
    if not form.validate():
        abort(422, _("The form could not be read; reload the page and try again."))

    key = form.key.data or None
    by_link = page_user() is None and cases.check_verify_secret(case, key)
    try:
        service.set_email_updates(case, form.wants_email.data, page_user(), by_link)
    except service.CitizenError as exc:
        abort(exc.status, str(exc))
    flash(_("Email updates are on.") if form.wants_email.data else _("Email updates are off."))
    if by_link:
        return redirect(url_for("cases.track", reference=case.reference, key=key))
    return _back_to(case)


@bp.post("/track/<reference>/rating")
@login_required
def rate(reference):
    case = _case_or_404(reference)
    form = RatingForm()
    if not form.validate():
        abort(422, _("Choose from 1 to 5 stars."))
    try:
        service.rate(case, current_user, int(form.stars.data))
    except service.CitizenError as exc:
        abort(exc.status, str(exc))
    flash(_("Thank you for rating the fix."))
    return _back_to(case)


# -- the public map ----------------------------------------------------------------------


@bp.get("/map")
def city_map():
    return render_template("citizens/map.html", categories=cases.categories(),
                           statuses=STATUSES, extent=districts.extent_bbox())


@bp.get("/map/cases.json")
def map_cases():
    status = request.args.get("status") or None
    if status not in (None, "open", *STATUSES):
        return _json_error(422, _("Unknown status %(status)s.", status=status))
    category = request.args.get("category") or None
    if category is not None and cases.category_by_code(category) is None:
        return _json_error(422, _("Unknown category %(code)s.", code=category))

    try:
        box = bbox.parse(request.args.get("bbox"))
    except bbox.BboxError as exc:
        return _json_error(422, _("Bad bbox: %(problem)s.", problem=str(exc)))

    statuses = OPEN_STATUSES if status == "open" else status
    return jsonify(public_map.feature_collection(statuses, category, box))


# -- staff: merge a duplicate ------------------------------------------------------------


@bp.post("/cases/<int:case_id>/merge")
@login_required
def merge(case_id):
    duplicate = cases.get(case_id)
    if duplicate is None:
        abort(404, _("There is no case %(id)s.", id=case_id))
    if not merging.can_merge(current_user, duplicate):
        abort(403, _("You may not merge this case."))
    form = MergeForm()
    if not form.validate():
        abort(422, _("Give the reference of the original case."))

    original = cases.by_reference(form.original.data)
    try:
        merging.merge_into(duplicate, original, current_user)
    except merging.MergeError as exc:
        abort(exc.status, str(exc))
    except cases.CaseConflict as exc:
        abort(409, str(exc))
    flash(_("%(duplicate)s is merged into %(original)s.", duplicate=duplicate.reference,
            original=original.reference))
    return redirect(url_for("cases.case_page", case_id=original.id))


# -- admin: status messages --------------------------------------------------------------


@bp.route("/admin/status-messages", methods=["GET", "POST"])
@login_required
def status_messages():
    if not current_user.has_role("admin"):
        abort(403, _("Only admins edit the status messages."))
    form = StatusMessageForm()
    form.bind_categories([(c.code, c.name) for c in cases.categories(active_only=False)])
    if form.validate_on_submit():
        category = cases.category_by_code(form.category.data) if form.category.data else None
        try:
            service.save_status_message(form.status.data, category, form.locale.data,
                                        form.text.data, current_user)
        except service.CitizenError as exc:
            abort(exc.status, str(exc))
        flash(_("The status message is saved."))
        return redirect(url_for("citizens.status_messages"))

    names = {c.id: c.name for c in cases.categories(active_only=False)}
    page = render_template("citizens/status_messages.html", form=form, names=names,
                           messages=service.list_status_messages())
    return page, 422 if form.errors else 200
