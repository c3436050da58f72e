"""Process owners' routing pages: the ordered rules, "test a point", each category's process."""

import logging

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casemgr.accounts import service as accounts
from casemgr.accounts.auth import pages_for_roles
from casemgr.api.errors import form_errors
from casemgr.cases import category_processes, districts, routing, service, time_windows
from casemgr.cases.models import District
from casemgr.cases.routing_api import routing_answer
from casemgr.db import session
from forms.routing import CategoryProcessForm, RoutingRuleForm, RoutingTestForm

log = logging.getLogger(__name__)

bp = Blueprint("routing", __name__, url_prefix="/routing")

EDITORS = ("process_owner", "admin")


#: Process owners and admins; anonymous users go to the login page.
for_editors = pages_for_roles(*EDITORS, refusal=_l("Routing is for process owners."))


def _category_choices():
    return [(c.code, c.name) for c in service.categories(active_only=False)]


def _district_choices():
    return [(d.code, d.name) for d in districts.list_districts()]


# -- the rules ---------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@for_editors
def rules():
    form = RoutingRuleForm()
    form.bind(_category_choices(), _district_choices(),
              [(u.code, u.name) for u in accounts.list_units()])
    if form.validate_on_submit() and _add_rule(form):
        flash(_("The rule is added."))
        return redirect(url_for("routing.rules"))

    page = render_template("routing/rules.html", form=form, rules=routing.list_rules(),
                           names=_names())
    return page, 422 if form.errors else 200


def _names():
    """Category and district names by id, for the table (rules hold ids)."""
    return {
        "category": {c.id: c.name for c in service.categories(active_only=False)},
        "district": {d.id: d.name for d in districts.list_districts()},
    }


def _add_rule(form):
    """Add the form's rule; a refused time window goes on its fields."""
    try:
        window = time_windows.window(form.time_from.data, form.time_to.data,
                                     form.weekdays.data)
    except time_windows.WindowError as exc:
        for name, message in exc.fields.items():
            form[name].errors.append(message)
        return False

    category = service.category_by_code(form.category.data) if form.category.data else None
    district = (session.query(District).filter_by(code=form.district.data).first()
                if form.district.data else None)
    position = form.position.data
    routing.add_rule(accounts.find_unit(form.unit.data), category, district,
                     routing.next_position() if position is None else position,
                     actor=current_user, window=window)
    session.commit()
    return True


@bp.post("/<int:rule_id>/delete")
@for_editors
def delete_rule(rule_id):
    if not routing.delete_rule(rule_id, current_user):
        abort(404, _("There is no routing rule %(id)s.", id=rule_id))
    flash(_("The rule is deleted; cases already routed keep their unit."))
    return redirect(url_for("routing.rules"))


@bp.post("/<int:rule_id>/move")
@for_editors
def move_rule(rule_id):
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Move a rule up or down."))
    if not routing.move_rule(rule_id, direction, current_user):
        abort(404, _("There is no routing rule %(id)s.", id=rule_id))
    return redirect(url_for("routing.rules"))


# -- test a point ------------------------------------------------------------------------


@bp.route("/test", methods=["GET", "POST"])
@for_editors
def test_point():
    """The map page; a POST answers which rule fires, as JSON to the page's script."""
    form = RoutingTestForm()
    form.bind(_category_choices())
    wants_json = request.accept_mimetypes.best == "application/json"
    if request.method == "POST" and not form.validate():
        if wants_json:
            return jsonify({"error": {"code": "invalid", "message": "the test point has errors",
                                      "fields": form_errors(form)}}), 422
        return render_template("routing/test.html", form=form, answer=None), 422

    answer = _answer(form) if request.method == "POST" else None
    if wants_json:
        return jsonify(answer)
    return render_template("routing/test.html", form=form, answer=answer)


def _answer(form):
    category = service.category_by_code(form.category.data)
    district = districts.district_at(float(form.lat.data), float(form.lon.data))
    return routing_answer(category, district, form.at.data)


# -- which process each category runs ----------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
@for_editors
def categories():
    keys = category_processes.deployed_keys()
    form = CategoryProcessForm()
    form.bind(keys)
    if request.method == "POST" and _set_process(form):
        return redirect(url_for("routing.categories"))

    page = render_template("routing/categories.html", form=form, keys=keys,
                           categories=category_processes.categories(),
                           changes=category_processes.recent_changes())
    return page, 422 if form.errors else 200


def _set_process(form):
    """Change one category's process from the form; problems go on the form's fields."""
    category = service.category_by_code(form.category.data or "")
    if category is None:
        abort(404, _("There is no such category."))
    if not form.validate():
        return False
    try:
        change = category_processes.set_process(category, form.process_key.data, current_user)
    except category_processes.UnknownProcess as exc:
        form.process_key.errors.append(str(exc))
        return False
    if change is None:
        flash(_("%(category)s already runs %(key)s.", category=category.name,
                key=category.process_key))
    else:
        flash(_("New %(category)s cases run %(key)s from now on (was %(before)s); open cases "
                "keep their version.", category=category.name, key=change.to_key,
                before=change.from_key))
    return True
