"""Process owners' pages: the list of processes and the BPMN modeller for each one."""

import logging

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casemgr.accounts.auth import pages_for_roles
from casemgr.accounts.models import ROLE_KEYS
from casemgr.processes import service, service_tasks
from forms import declared
from forms.tasks import TASK_FORMS

log = logging.getLogger(__name__)

bp = Blueprint("processes", __name__, url_prefix="/processes")

EDITORS = ("process_owner", "admin")


#: Process owners and admins; anonymous users go to the login page.
for_editors = pages_for_roles(*EDITORS, refusal=_l("The modeller is for process owners."))


def _known_or_404(key):
    if key not in service.process_keys():
        abort(404, _("There is no process %(key)s.", key=key))


def _xml_body():
    xml = request.get_data()
    if not xml.strip():
        abort(400, _("Send the BPMN document as the request body."))
    return xml


@bp.get("/")
@for_editors
def process_list():
    rows = [
        (key, service.latest_version(key), service.get_draft(key))
        for key in service.process_keys()
    ]
    return render_template("processes/list.html", processes=rows)


@bp.get("/<key>/modeller")
@for_editors
def modeller(key):
    _known_or_404(key)
    return render_template("processes/modeller.html", key=key, latest=service.latest_version(key),
                           options=panel_options())


def panel_options():
    """What the properties panel offers: the values lint and the engine accept."""
    return {
        "roles": list(ROLE_KEYS),
        "forms": sorted(TASK_FORMS),
        "field_types": list(declared.TYPES),
        "service_kinds": service_tasks.KINDS,
        "messages": list(service_tasks.message_kinds()),
        "recipients": list(service_tasks.RECIPIENTS),
    }


@bp.get("/<key>/draft.bpmn")
@for_editors
def draft_xml(key):
    """The draft being worked on, else the latest deployed version."""
    source = service.get_draft(key) or service.latest_version(key)
    if source is None:
        abort(404, _("There is no process %(key)s.", key=key))
    response = Response(source.bpmn_xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<key>/validate")
@for_editors
def validate(key):
    _known_or_404(key)
    xml = _xml_body()
    _parsed, errors = service.validate(xml)
    # The modeller shows a diagram's problems from a 200; a document that is not safe XML
    # (entities, a DTD, not XML at all) is refused outright.
    status = 422 if service.is_unreadable(xml) else 200
    return jsonify({"errors": errors, "is_valid": not errors}), status


@bp.post("/<key>/draft")
@for_editors
def save_draft(key):
    _known_or_404(key)
    try:
        _draft, errors = service.save_draft(key, _xml_body(), current_user)
    except service.DeployError as exc:
        # Unreadable XML or another process's document: nothing was saved.
        return jsonify({"errors": exc.errors, "is_valid": False, "is_saved": False}), 422
    return jsonify({"errors": errors, "is_valid": not errors, "is_saved": True})


@bp.post("/<key>/deploy")
@for_editors
def deploy(key):
    _known_or_404(key)
    try:
        version = service.deploy_draft(key, current_user)
    except service.DeployError as exc:
        return jsonify({"errors": exc.errors}), 422
    log.info("%s deployed %s version %s", current_user.username, key, version.version)
    return jsonify({"version": version.version})
