"""The text of each kind of message. Context values are plain strings."""

SUBJECTS = {
    "received": "We received your report {reference}",
    "assigned": "Your report {reference} is assigned to {unit}",
    "resolved": "Your report {reference} is resolved: please confirm",
    "closed": "Your report {reference} is closed",
    "new_task": "New task: {task} for {reference}",
    "at_risk": "At risk: {reference} is due {due_at}",
    "overdue": "Overdue: {reference} was due {due_at}",
    "escalated": "Escalated: {reference} needs a decision",
}

BODIES = {
    "received": "Thank you. Your report about {category} is filed as {reference}.\n"
    "Follow it at {tracking_url}",
    "assigned": "{unit} is now working on your report {reference}.\n{tracking_url}",
    "resolved": "The city reports that {reference} is fixed.\n"
    "Photo of the fix: {photo_url}\n"
    "Tell us whether it is really fixed: {tracking_url}",
    "closed": "Your report {reference} is closed ({outcome}). {note}\n{tracking_url}",
    "new_task": "{task} is waiting for you on {reference} ({category}), due {due_at}.",
    "at_risk": "{reference} ({category}) is due {due_at} and still open.",
    "overdue": "{reference} ({category}) was due {due_at} and is still open.",
    "escalated": "{reference} ({category}) breached its SLA and waits for an escalation decision.",
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(kind, context):
    """Return (subject, body) for a message kind."""
    values = _Blank({k: "" if v is None else str(v) for k, v in context.items()})
    return SUBJECTS[kind].format_map(values), BODIES[kind].format_map(values)
