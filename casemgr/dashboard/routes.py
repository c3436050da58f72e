"""The staff dashboard page, the data its map and charts load, exports and overlay layers."""

import json
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casemgr.accounts import service as accounts
from casemgr.accounts.auth import pages_for
from casemgr.cases import access, districts
from casemgr.cases import service as cases
from casemgr.dashboard import exports, filters, overlays, service
from casemgr.db import utcnow
from casemgr.processes import service as processes
from forms.dashboard import LayerDeleteForm, LayerUploadForm

log = logging.getLogger(__name__)

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

#: Unlocated cases listed on the page; the API and the CSV export list them all.
UNLOCATED_SHOWN = 200


#: Logged-in staff only: citizens get 403, anonymous callers the login page.
for_staff = pages_for(service.can_view, _l("The dashboard is for city staff."))


#: Admins only (they are staff too).
for_layer_admins = pages_for(service.can_manage_layers,
                             _l("Only admins manage the map's overlay layers."))


def _filter_or_422():
    """The request's filters; a bad value is a 422 that names the parameter."""
    try:
        return filters.parse(request.args)
    except filters.FilterError as exc:
        abort(422, _("Bad filter: %(error)s.", error=exc))


def _choices():
    return {
        "is_city_wide": bool(current_user.role_keys & access.CITY_READERS),
        "categories": [(c.code, c.name) for c in cases.categories(active_only=False)],
        "units": [(u.code, u.name) for u in accounts.list_units()],
        "districts": [(d.code, d.name) for d in districts.list_districts()],
        "statuses": filters.STATUS_CHOICES,
        "groups": filters.GROUPS,
    }


def _geojson(collection, download_name=None):
    response = Response(json.dumps(collection, separators=(",", ":")),
                        mimetype="application/geo+json")
    if download_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _stamp():
    return f"{utcnow():%Y%m%d-%H%M}"


# -- the page ----------------------------------------------------------------------------


@bp.get("/")
@for_staff
def dashboard():
    try:
        case_filter = filters.parse(request.args)
        group_by = filters.group_by(request.args)
    except filters.FilterError as exc:
        page = render_template("dashboard/dashboard.html", problems=exc.fields, args=request.args,
                               **_choices())
        return page, 422

    answer = service.figures(current_user, case_filter, group_by)
    unlocated = service.cases_for(current_user, case_filter, is_located=False)
    return render_template(
        "dashboard/dashboard.html",
        problems={},
        args=request.args,
        query=case_filter.query_args(),
        answer=answer,
        leaderboard=answer["leaderboard"],
        task_times=service.task_times(current_user, case_filter),
        heat_process=_heat_process(),
        unlocated=unlocated[:UNLOCATED_SHOWN],
        unlocated_total=len(unlocated),
        layers=service.list_layers(),
        can_manage_layers=service.can_manage_layers(current_user),
        extent=districts.extent_bbox(),
        **_choices(),
    )


def _heat_process():
    """The process whose diagram carries the task-time heat map: the one complaints run on."""
    keys = processes.process_keys()
    if not keys:
        return None
    return "complaint" if "complaint" in keys else keys[0]


# -- what the map and charts load ----------------------------------------------------------


@bp.get("/diagram/<key>.bpmn")
@for_staff
def diagram_xml(key):
    """The latest version of a process, drawn read-only under the task-time heat map."""
    version = processes.latest_version(key)
    if version is None:
        abort(404, _("There is no process %(key)s.", key=key))
    return Response(version.bpmn_xml, mimetype="application/xml")


@bp.get("/cases.geojson")
@for_staff
def cases_geojson():
    """The filtered located cases for the map; ?download=1 offers every one of them as a
    file (the GeoJSON export), never clustered.
    """
    case_filter = _filter_or_422()
    moment = service.as_of(current_user, case_filter)
    if not request.args.get("download"):
        return _geojson(service.case_map(current_user, case_filter, moment))
    rows = service.case_rows(current_user, case_filter, is_located=True)
    return _geojson(exports.feature_collection(rows, moment), f"cases-{_stamp()}.geojson")


@bp.get("/cases.csv")
@for_staff
def cases_csv():
    case_filter = _filter_or_422()
    moment = service.as_of(current_user, case_filter)
    body = exports.csv_text(service.cases_for(current_user, case_filter), moment)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="cases-{_stamp()}.csv"'
    return response


@bp.get("/districts.geojson")
@for_staff
def districts_geojson():
    return _geojson(service.district_figures(current_user, _filter_or_422()))


@bp.get("/trends.json")
@for_staff
def trends_json():
    return service.trends(current_user, _filter_or_422())


@bp.get("/task-times.json")
@for_staff
def task_times_json():
    """Median hours per BPMN task, for the diagram's heat map (?process=<key>)."""
    case_filter = _filter_or_422()
    try:
        process_key = filters.process_key(request.args)
    except filters.FilterError as exc:
        abort(422, _("Bad filter: %(error)s.", error=exc))
    return service.task_times(current_user, case_filter, process_key)


# -- overlay layers ----------------------------------------------------------------------


@bp.get("/layers.json")
@for_staff
def layers_json():
    return {
        "items": [
            {
                "id": layer.id,
                "name": layer.name,
                "feature_count": layer.feature_count,
                "url": url_for("dashboard.layer_geojson", layer_id=layer.id),
            }
            for layer in service.list_layers()
        ]
    }


@bp.get("/layers/<int:layer_id>.geojson")
@for_staff
def layer_geojson(layer_id):
    layer = service.get_layer(layer_id)
    if layer is None:
        abort(404, _("There is no layer %(id)s.", id=layer_id))
    return Response(layer.geojson, mimetype="application/geo+json")


@bp.route("/layers", methods=["GET", "POST"])
@for_layer_admins
def layers():
    form = LayerUploadForm()
    if form.validate_on_submit():
        upload = form.geojson.data
        try:
            layer = service.add_layer(
                form.name.data, upload.read(), upload.filename, current_user
            )
        except overlays.LayerError as exc:
            form.geojson.errors.append(_("Not stored: %(error)s.", error=exc))
        else:
            flash(_("Layer %(name)s added with %(count)s features.", name=layer.name,
                    count=layer.feature_count))
            return redirect(url_for("dashboard.layers"))
    page = render_template(
        "dashboard/layers.html",
        form=form,
        delete_form=LayerDeleteForm(),
        layers=service.list_layers(),
        max_bytes=current_app.config["MAX_LAYER_BYTES"],
    )
    return page, 422 if form.errors else 200


@bp.post("/layers/<int:layer_id>/delete")
@for_layer_admins
def delete_layer(layer_id):
    layer = service.get_layer(layer_id)
    if layer is None:
        abort(404, _("There is no layer %(id)s.", id=layer_id))
    if not LayerDeleteForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))
    service.delete_layer(layer, current_user)
    flash(_("Layer %(name)s deleted.", name=layer.name))
    return redirect(url_for("dashboard.layers"))
