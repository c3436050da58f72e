"""Deploy BPMN files as immutable versions and hand out their parsed specs."""

import hashlib
import json
import logging
from pathlib import Path

from sqlalchemy import func, select

from casemgr import engine
from casemgr.db import MAX_INT, session
from casemgr.processes import lint, service_tasks
from casemgr.processes.lint import role_for_lane, role_of  # noqa: F401 - callers import them here
from casemgr.processes.models import ProcessDraft, ProcessVersion

log = logging.getLogger(__name__)

#: The largest version number the integer column holds (on PostgreSQL as on SQLite).
MAX_VERSION = MAX_INT

# Parsed specs are immutable once deployed, so one copy per version serves every case.
_parsed_cache = {}


class DeployError(Exception):
    """A process that cannot be deployed, with one entry per problem."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(
            "; ".join(f"{e.get('element_id') or '-'}: {e['message']}" for e in errors)
        )


def is_unreadable(xml):
    """True for a document too large, not well-formed, or using DTDs or entities."""
    try:
        engine.check_safe_xml(xml)
    except engine.BpmnError:
        return True
    return False


def validate(xml):
    """Every problem with a BPMN document: parsing, SpiffWorkflow's validation, casemgr's
    lint. Returns (parsed or None, problems)."""
    xml_bytes = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        engine.check_safe_xml(xml_bytes)
    except engine.BpmnError as exc:
        return None, exc.errors

    # Service tasks first: the parser stops at the first bad one without naming it well.
    service_problems = service_tasks.problems(service_tasks.safe_tree(xml_bytes))
    if service_problems:
        return None, service_problems
    try:
        parsed = engine.parse_bpmn(xml_bytes)
    except engine.BpmnError as exc:
        return None, exc.errors
    return parsed, lint.lint(parsed, xml_bytes)


def deploy(xml, actor=None):
    """Validate and store a new version of a process; return it (or the same one again)."""
    parsed, errors = validate(xml)
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


# -- drafts ------------------------------------------------------------------------------


def get_draft(process_key):
    return session.scalar(select(ProcessDraft).where(ProcessDraft.process_key == process_key))


def save_draft(process_key, xml, actor=None):
    """Keep a process owner's draft, valid or not; return (draft, problems).

    A draft whose document names another process is refused, so one process's work is
    never saved over another's.
    """
    # A draft may be invalid BPMN, but never unsafe or unreadable XML: that is not kept;
    # nor a draft under a key no process can have, which could never deploy.
    if lint.key_problem(process_key):
        raise DeployError([lint.key_problem(process_key)])
    try:
        engine.check_safe_xml(xml)
        text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    except engine.BpmnError as exc:
        raise DeployError(exc.errors) from exc
    except UnicodeDecodeError:
        raise DeployError([{"element_id": None, "message": "the document is not UTF-8"}]) from None
    _check_definitions(text)
    parsed, errors = validate(text)
    if parsed is not None and parsed.process_id != process_key:
        raise DeployError([{"element_id": parsed.process_id,
                            "message": f"the document's process is {parsed.process_id!r}, "
                                       f"not {process_key!r}"}])
    draft = get_draft(process_key)
    if draft is None:
        draft = ProcessDraft(process_key=process_key)
        session.add(draft)
    draft.bpmn_xml = text
    draft.errors = json.dumps(errors)
    draft.updated_by_id = getattr(actor, "id", None)
    session.commit()
    log.info("draft of %s saved by %s with %s problems", process_key,
             getattr(actor, "username", "system"), len(errors))
    return draft, errors


def _check_definitions(text):
    """DeployError unless the document is a bpmn:definitions: the modeller opens no other."""
    root = service_tasks.safe_tree(text.encode("utf-8"))
    if root.tag != f"{{{lint.BPMN_NS}}}definitions":
        raise DeployError([{"element_id": None,
                            "message": f"the document is not BPMN: its root is <{root.tag}>, "
                                       "not <bpmn:definitions>"}])


def deploy_draft(process_key, actor=None):
    """Deploy the saved draft as a new version; DeployError while it has problems."""
    draft = get_draft(process_key)
    if draft is None:
        raise DeployError([{"element_id": None, "message": f"{process_key} has no draft"}])
    version = deploy(draft.bpmn_xml, actor)
    session.delete(draft)
    session.commit()
    return version


def process_keys():
    """Every process that has a deployed version or a draft."""
    deployed = set(session.scalars(select(ProcessVersion.process_key).distinct()))
    drafted = set(session.scalars(select(ProcessDraft.process_key)))
    return sorted(deployed | drafted)


def versions_of(process_key):
    query = (select(ProcessVersion).where(ProcessVersion.process_key == process_key)
             .order_by(ProcessVersion.version.desc()))
    return list(session.scalars(query))


def version_by_number(process_key, number):
    """The deployed version `number` of a process, or None (also past the column's range)."""
    if not isinstance(number, int) or not 1 <= number <= MAX_VERSION:
        return None
    return session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.version == number))


def diff_versions(older, newer):
    """Elements added, removed and changed between two deployed versions, readably."""
    before = {e.element_id: e for e in engine.describe(parsed(older))}
    after = {e.element_id: e for e in engine.describe(parsed(newer))}
    changed = []
    for element_id in sorted(before.keys() & after.keys()):
        old, new = before[element_id], after[element_id]
        fields = [name for name in ("kind", "name", "lane", "lane_properties", "properties",
                                    "service", "expressions", "has_default_flow")
                  if getattr(old, name) != getattr(new, name)]
        if fields:
            changed.append({"element_id": element_id, "name": new.name, "changed": fields,
                            "before": {f: _plain(getattr(old, f)) for f in fields},
                            "after": {f: _plain(getattr(new, f)) for f in fields}})
    return {
        "added": [_element_summary(after[i]) for i in sorted(after.keys() - before.keys())],
        "removed": [_element_summary(before[i]) for i in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def _element_summary(element):
    return {"element_id": element.element_id, "kind": element.kind, "name": element.name,
            "lane": element.lane}


def _plain(value):
    return [list(item) for item in value] if isinstance(value, list) else value
