"""Process owners' version pages: history, XML download, a readable diff, migration."""

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from casemgr.processes import migration, migration_runs, service, versions
from casemgr.processes.api import run_dict
from casemgr.processes.routes import for_editors
from forms.processes import DiffForm, MigrationForm

log = logging.getLogger(__name__)

bp = Blueprint("process_versions", __name__, url_prefix="/processes")


def _history_or_404(key):
    rows = versions.history(key)
    if not rows:
        abort(404, _("There is no deployed process %(key)s.", key=key))
    return rows


def _version_or_404(key, number):
    version = service.version_by_number(key, number)
    if version is None:
        abort(404, _("%(key)s has no version %(number)s.", key=key, number=number))
    return version


@bp.get("/<key>/versions")
@for_editors
def history(key):
    rows = _history_or_404(key)
    form = _diff_form(rows)
    return render_template("processes/versions.html", key=key, rows=rows, form=form,
                           runs=migration_runs.runs_of(key))


def _diff_form(rows):
    numbers = [row.version.version for row in rows]
    form = DiffForm(formdata=request.args if request.args else None)
    form.bind(numbers)
    if not request.args and len(numbers) > 1:
        form.older.data, form.newer.data = numbers[1], numbers[0]
    return form


@bp.get("/<key>/versions/<int:number>.bpmn")
@for_editors
def download(key, number):
    version = _version_or_404(key, number)
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{number}.bpmn"'})


@bp.get("/<key>/diff")
@for_editors
def diff(key):
    rows = _history_or_404(key)
    form = _diff_form(rows)
    if not request.args or not form.validate():
        abort(400, _("Choose two versions to compare."))
    older = _version_or_404(key, form.older.data)
    newer = _version_or_404(key, form.newer.data)
    return render_template("processes/diff.html", key=key, form=form, older=older,
                           newer=newer, diff=readable(service.diff_versions(older, newer)))


def readable(diff):
    """Add before/after text lines to each changed element; properties show only the keys
    that differ."""
    for element in diff["changed"]:
        element["before_lines"], element["after_lines"] = {}, {}
        for what in element["changed"]:
            before, after = element["before"][what], element["after"][what]
            if what == "properties":
                keys = sorted(k for k in before.keys() | after.keys()
                              if before.get(k) != after.get(k))
                before = {k: before[k] for k in keys if k in before}
                after = {k: after[k] for k in keys if k in after}
            element["before_lines"][what] = _lines(before)
            element["after_lines"][what] = _lines(after)
    return diff


def _lines(value):
    if value is None or value == {} or value == []:
        return ["(none)"]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, dict):
        return [f"{name} = {text}" for name, text in value.items()]
    if isinstance(value, list):
        return [": ".join(str(part) for part in item) if isinstance(item, list) else str(item)
                for item in value]
    return [str(value)]


# -- migration ---------------------------------------------------------------------------


@bp.get("/<key>/migration")
@for_editors
def migration_preview(key):
    """Which open cases can move to the chosen version (the latest unless told), and why not."""
    rows = _history_or_404(key)
    number = request.args.get("version", type=int) or rows[0].version.version
    target = _version_or_404(key, number)
    checks = migration.preview(target)
    form = MigrationForm(data={"version": target.version})
    return render_template("processes/migration.html", key=key, rows=rows, target=target,
                           checks=checks, form=form,
                           movable=sum(check.is_movable for check in checks))


@bp.post("/<key>/migration")
@for_editors
def migrate(key):
    _history_or_404(key)
    form = MigrationForm()
    if not form.validate():
        abort(400, _("Give the target version."))
    target = _version_or_404(key, form.version.data)
    run_id = migration_runs.start(target, current_user)
    return redirect(url_for("process_versions.migration_run", key=key, run_id=run_id))


def _run_or_404(key, run_id):
    run = migration_runs.get(run_id)
    if run is None or run.process_key != key:
        abort(404, _("There is no migration run %(run)s of %(key)s.", run=run_id, key=key))
    return run


@bp.get("/<key>/migrations/<int:run_id>")
@for_editors
def migration_run(key, run_id):
    run = _run_or_404(key, run_id)
    return render_template("processes/migration_run.html", key=key, run=run_dict(run))


@bp.get("/<key>/migrations/<int:run_id>.json")
@for_editors
def migration_run_json(key, run_id):
    response = jsonify(run_dict(_run_or_404(key, run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
