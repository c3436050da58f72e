"""A case's own process diagram with the path it took: read-only, for the case page."""

from casemgr import engine
from casemgr.cases import service
from casemgr.processes import service as processes


def diagram_of(case):
    """The case's process version's BPMN and its completed, current and taken elements."""
    version = processes.get_version(case.process_version_id)
    progress = engine.progress(service.load_workflow(case))
    return {
        "case_id": case.id,
        "process_key": version.process_key,
        "version": version.version,
        "xml": version.bpmn_xml,
        "completed": progress.completed,
        "current": progress.current,
        "taken": progress.taken,
    }
