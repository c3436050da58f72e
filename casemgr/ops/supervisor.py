"""Run the Procfile's processes together under honcho, and stop them all together.

honcho starts each process in its own session, relays its output, and when one process
ends or Ctrl-C / SIGTERM arrives it sends SIGTERM to all, then SIGKILL after 5 seconds.
In JSON mode its relay keeps the stream one JSON object per line.
"""

import json
from datetime import UTC, datetime

from honcho.environ import expand_processes, parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

SUPERVISOR = "system"


def json_line(line, process, moment=None):
    """`line` as a JSON object naming `process`; a plain line becomes its message."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        record = {
            "time": (moment or datetime.now(UTC)).astimezone(UTC).isoformat(),
            "level": "INFO",
            "logger": "supervisor" if process == SUPERVISOR else process,
            "message": line,
        }
    record.setdefault("process", process)
    return json.dumps(record)


class JsonPrinter(Printer):
    """Relays each output line as one JSON object, with the process it came from."""

    def write(self, message):
        data = message.data
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        for line in text.splitlines():
            if line.strip():
                print(json_line(line, message.name.strip()), file=self.output, flush=True)


def run(procfile_path, environ, concurrency, log_format, cwd=None):
    """Run every process of the Procfile until one stops or a signal comes; return the code."""
    with open(procfile_path) as handle:
        procfile = parse_procfile(handle.read())
    printer = JsonPrinter(prefix=False) if log_format == "json" else Printer()
    manager = Manager(printer)
    for process in expand_processes(procfile.processes, concurrency=concurrency, env=environ):
        manager.add_process(
            process.name, process.cmd, quiet=process.quiet, env=process.env, cwd=cwd
        )
    manager.loop()
    return manager.returncode
