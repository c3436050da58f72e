"""Benchmark: the raw engine against casemgr's intake path, and the state stored per case.

Prints a table, then one JSON line with raw_per_s, service_per_s and
state_bytes_at_triage. Uses DATABASE_URL when set, else a temporary SQLite file.

    .venv/bin/python bench/engine.py [--cases 300]
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, bench_app  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import (  # noqa: E402
    PythonScriptEngine,
    TaskDataEnvironment,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from casemgr.engine.sandbox import HELPERS  # noqa: E402
from casemgr.escalations.calendar import BusinessCalendar  # noqa: E402
from casemgr.escalations.calendars import (  # noqa: E402
    engine_helpers as calendars_engine_helpers,
)

BPMN = ROOT / "workflows" / "complaint.bpmn"
ROXBURY = (42.316782, -71.085581)


def raw_rate(count):
    """Plain SpiffWorkflow: start, run to the first user task, serialize with the spec."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(BPMN))
    spec = parser.get_spec("complaint")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    # The diagram's scripts call the calendar helpers; the raw run gets them unrestricted.
    calendar = BusinessCalendar(ZoneInfo("Asia/Jakarta"))
    helpers = calendars_engine_helpers(calendar)
    engine = PythonScriptEngine(environment=TaskDataEnvironment({**HELPERS, **helpers}))
    filed_at = datetime.now(UTC)
    data = {
        "category": "drains",
        "priority": "normal",
        "filed_at": filed_at.isoformat(),
        "sla_amount": 7,
        "sla_unit": "working_days",
        "sla_due_at": None,
        "escalate_after_hours": 8,
        "escalate_unit": "working_hours",
        "question_days": 5,
        "triage_due_at": filed_at.isoformat(),
        "forward_due_at": filed_at.isoformat(),
    }

    started = time.perf_counter()
    size = 0
    for _ in range(count):
        workflow = BpmnWorkflow(spec, script_engine=engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        workflow.do_engine_steps()
        assert workflow.get_tasks(state=TaskState.READY, manual=True)
        size = len(serializer.serialize_json(workflow))
    return count / (time.perf_counter() - started), size


def service_rate(count):
    """casemgr's intake: validate, route, start the process, store case, tasks, history."""
    from casemgr import demo
    from casemgr.cases import service

    app, database = bench_app(os.environ.get("DATABASE_URL"))
    with app.app_context():
        demo.seed()
        service.file_case(category="drains", description="warm-up", lat=ROXBURY[0], lon=ROXBURY[1])
        started = time.perf_counter()
        for number in range(count):
            case, _secret = service.file_case(
                category="drains",
                description=f"Drain blocked {number}",
                lat=ROXBURY[0],
                lon=ROXBURY[1],
            )
        elapsed = time.perf_counter() - started
        state_bytes = len(case.workflow_state.encode())
    return count / elapsed, state_bytes, database


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="cases per measurement")
    args = parser.parse_args()
    if args.cases < 1:
        parser.error("--cases must be at least 1")

    import logging

    logging.disable(logging.INFO)
    raw_per_s, raw_bytes = raw_rate(args.cases)
    service_per_s, state_bytes, database = service_rate(args.cases)

    rows = [
        ("raw SpiffWorkflow start -> first task -> serialize", f"{raw_per_s:,.0f} /s"),
        (f"casemgr intake through service layer ({database})", f"{service_per_s:,.0f} /s"),
        ("service rate as share of raw", f"{service_per_s / raw_per_s:.0%}"),
        ("raw serialized workflow with its spec", f"{raw_bytes:,} bytes"),
        ("casemgr stored state per case at triage", f"{state_bytes:,} bytes"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(
        json.dumps(
            {
                "raw_per_s": round(raw_per_s, 1),
                "service_per_s": round(service_per_s, 1),
                "state_bytes_at_triage": state_bytes,
                "raw_state_bytes_with_spec": raw_bytes,
                "cases": args.cases,
                "database": database,
            }
        )
    )


if __name__ == "__main__":
    main()
