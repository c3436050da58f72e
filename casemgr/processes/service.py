"""Deploy BPMN files as immutable versions and hand out their parsed specs."""

import hashlib
import logging
import re
from pathlib import Path

from sqlalchemy import func, select

from casemgr import engine
from casemgr.accounts.models import ROLE_KEYS
from casemgr.db import session
from casemgr.processes.models import ProcessVersion

log = logging.getLogger(__name__)

# Parsed specs are immutable once deployed, so one copy per version serves every case.
_parsed_cache = {}


class DeployError(Exception):
    """A process that cannot be deployed, with one entry per problem."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(
            "; ".join(f"{e.get('element_id') or '-'}: {e['message']}" for e in errors)
        )


def role_for_lane(lane_name):
    """Map a lane's name to a role key: 'Triage officer' -> 'triage_officer'."""
    if not lane_name:
        return None
    return re.sub(r"[^a-z0-9]+", "_", lane_name.strip().lower()).strip("_")


def lint(parsed):
    """Return casemgr's own problems with a parsed process (empty when it can run here)."""
    errors = []
    for bpmn_id in parsed.user_task_ids:
        spec = parsed.spec.task_specs[bpmn_id]
        role = role_for_lane(spec.lane)
        if role not in ROLE_KEYS:
            message = f"user task is in lane {spec.lane!r}, which maps to no role"
            errors.append({"element_id": bpmn_id, "message": message})
        errors += _form_problems(bpmn_id, parsed.task_properties(bpmn_id))
    return errors


def _form_problems(bpmn_id, properties):
    from forms import declared
    from forms.tasks import TASK_FORMS

    form, fields = properties.get("form"), properties.get("fields")
    if form and fields:
        return [{"element_id": bpmn_id, "message": "name a form or list fields, not both"}]
    if form and form not in TASK_FORMS:
        return [{"element_id": bpmn_id, "message": f"form {form!r} does not exist"}]
    if fields:
        try:
            declared.parse(fields)
        except declared.FieldSpecError as exc:
            return [{"element_id": bpmn_id, "message": f"fields: {exc}"}]
    return []


def deploy(xml, actor=None, process_id=None):
    """Validate and store a new version of a process; return it (or the same one again)."""
    try:
        parsed = engine.parse_bpmn(xml, process_id)
    except engine.BpmnError as exc:
        raise DeployError(exc.errors) from exc
    errors = lint(parsed)
    if errors:
        raise DeployError(errors)

    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    digest = hashlib.sha256(text.encode()).hexdigest()
    latest = latest_version(parsed.process_id)
    if latest is not None and latest.sha256 == digest:
        return latest

    version = ProcessVersion(
        process_key=parsed.process_id,
        version=(latest.version + 1) if latest else 1,
        name=parsed.spec.description or parsed.process_id,
        bpmn_xml=text,
        spec_json=engine.spec_to_json(parsed),
        sha256=digest,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(version)
    session.flush()
    log.info("process %s version %s deployed", version.process_key, version.version)
    return version


def deploy_directory(directory):
    """Deploy every .bpmn file in `directory` whose content is new."""
    return [deploy(path.read_bytes()) for path in sorted(Path(directory).glob("*.bpmn"))]


def latest_version(process_key):
    query = (
        select(ProcessVersion)
        .where(ProcessVersion.process_key == process_key)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def get_version(version_id):
    return session.get(ProcessVersion, version_id)


def parsed(version):
    """Return the parsed spec of a deployed version, restored once per process."""
    cached = _parsed_cache.get(version.id)
    if cached is None or cached[0] != version.sha256:
        cached = (version.sha256, engine.spec_from_json(version.spec_json))
        _parsed_cache[version.id] = cached
    return cached[1]


def task_properties(version_id, bpmn_id):
    """The extension properties the diagram gives a task, such as its form."""
    return parsed(get_version(version_id)).task_properties(bpmn_id)


def version_count():
    return session.scalar(select(func.count(ProcessVersion.id)))
