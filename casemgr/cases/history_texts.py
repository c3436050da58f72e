"""History summaries in the reader's language.

Each history row keeps the English summary written when it happened (exports, logs and old
rows read it). A page renders the summaries whose shape it knows through the catalog, with
the values taken out of the stored text, and shows any other summary as stored. Parsing the
stored text rather than the details works for every row ever written, without a migration.
"""

import re

from flask_babel import lazy_gettext as _l

from casemgr.labels import status_name

#: (kind, English shape with named groups, the text to show). The English shape is the one
#: the services write; the text says the same with the group values.
SHAPES = [
    ("filed", r"Complaint filed: (?P<category>.+)", _l("Complaint filed: %(category)s")),
    ("routed", r"Routed to (?P<unit>.+) \(no district\)", _l("Routed to %(unit)s (no district)")),
    (
        "routed",
        r"Routed to (?P<unit>.+) \((?P<district>[^()]+)\)",
        _l("Routed to %(unit)s (%(district)s)"),
    ),
    ("routed", r"Routed to (?P<unit>.+)", _l("Routed to %(unit)s")),
    ("status", r"Status: (?P<before>\w+) -> (?P<after>\w+)", _l("Status: %(before)s → %(after)s")),
    (
        "me_too",
        r"Another resident reports the same problem",
        _l("Another resident reports the same problem"),
    ),
    (
        "rated",
        r"A resident rated the fix (?P<stars>\d) of 5",
        _l("A resident rated the fix %(stars)s of 5"),
    ),
    (
        "merged",
        r"Closed as a duplicate of (?P<reference>\S+)",
        _l("Closed as a duplicate of %(reference)s"),
    ),
    (
        "merged_in",
        r"(?P<reference>\S+) merged into this case",
        _l("%(reference)s merged into this case"),
    ),
    ("claimed", r"(?P<task>.+) claimed", _l("%(task)s claimed")),
    ("released", r"(?P<task>.+) released", _l("%(task)s released")),
    (
        "task_completed",
        r"(?P<task>[^()]+) completed \((?P<what>.+)\)",
        _l("%(task)s completed (%(what)s)"),
    ),
    ("task_completed", r"(?P<task>[^()]+) completed", _l("%(task)s completed")),
    (
        "sla_paused",
        r"SLA clock paused: waiting for the reporter",
        _l("SLA clock paused: waiting for the reporter"),
    ),
    (
        "sla_resumed",
        r"SLA clock resumed after (?P<hours>[\d.]+) h paused",
        _l("SLA clock resumed after %(hours)s h paused"),
    ),
    ("sla_resumed", r"SLA clock resumed", _l("SLA clock resumed")),
    (
        "escalation",
        r"SLA breached: level 1, supervisor notified",
        _l("SLA breached: level 1, supervisor notified"),
    ),
    (
        "escalation",
        r"Escalated to level (?P<level>\d+): (?P<task>.+)",
        _l("Escalated to level %(level)s: %(task)s"),
    ),
    ("at_risk", r"At risk: due (?P<due>.+)", _l("At risk: due %(due)s")),
    (
        "verify_expired",
        r"No answer from the reporter in (?P<days>\d+) days",
        _l("No answer from the reporter in %(days)s days"),
    ),
    ("timer", r"Timer fired", _l("Timer fired")),
    ("retried", r"Process retried after a stall", _l("Process retried after a stall")),
    (
        "extended",
        r"Due moment extended by (?P<hours>\d+) working hours: (?P<reason>.*)",
        _l("Due moment extended by %(hours)s working hours: %(reason)s"),
    ),
    (
        "reassigned",
        r"Reassigned to (?P<target>.+?): (?P<reason>.*)",
        _l("Reassigned to %(target)s: %(reason)s"),
    ),
    (
        "migrated",
        r"Moved from version (?P<before>\d+) to version (?P<after>\d+)",
        _l("Moved from version %(before)s to version %(after)s"),
    ),
    (
        "resolution_confirmed",
        r"Resolution confirmed outside the unit",
        _l("Resolution confirmed outside the unit"),
    ),
    (
        "resolution_rejected",
        r"Resolution sent back to the unit: (?P<reason>.*)",
        _l("Resolution sent back to the unit: %(reason)s"),
    ),
]

_COMPILED = [(kind, re.compile(pattern + r"\Z", re.S), text) for kind, pattern, text in SHAPES]
_STATUS_GROUPS = ("before", "after")


def summary_of(event):
    """The event's summary in the page's language, else as it was stored."""
    stored = event.summary or ""
    for kind, pattern, text in _COMPILED:
        if kind != event.kind:
            continue
        found = pattern.match(stored)
        if found:
            return str(text) % _shown(kind, found.groupdict())
    return stored


def _shown(kind, values):
    if kind == "status":
        return {name: status_name(value) for name, value in values.items()}
    return values
