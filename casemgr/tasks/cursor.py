"""Where an inbox page ends: the last task's place in the order, as a query-string value.

The inbox is ordered by due moment (none last), then id; a page goes on after the
(due_at, id) of the previous page's last task. A keyset, unlike an offset, neither skips
nor repeats a task when tasks are completed or added between two pages.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, tuple_

from casemgr.db import MAX_INT
from casemgr.tasks.models import Task

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
#: Stands for "no due moment" in a cursor: those tasks come last.
NO_DUE = "none"


class CursorError(ValueError):
    """An `after` value that no inbox page wrote."""


def after(task):
    """The cursor of the page that goes on after `task`: `<due in µs since 1970>_<id>`."""
    due = NO_DUE if task.due_at is None else str((task.due_at - EPOCH) // MICROSECOND)
    return f"{due}_{task.id}"


def parse(raw):
    """(due_at or None, task id) from a cursor; None for an empty one."""
    raw = (raw or "").strip()
    if not raw:
        return None
    due, _sep, task_id = raw.partition("_")
    try:
        due_at = None if due == NO_DUE else EPOCH + int(due) * MICROSECOND
        place = int(task_id)
    except (ValueError, OverflowError):
        raise CursorError("give the value of a page's next link") from None
    if not 0 < place <= MAX_INT:
        raise CursorError("give the value of a page's next link")
    return due_at, place


def beyond(place):
    """The condition for the tasks that come after `place` in the inbox order."""
    due_at, task_id = place
    if due_at is None:
        return and_(Task.due_at.is_(None), Task.id > task_id)
    return or_(tuple_(Task.due_at, Task.id) > (due_at, task_id), Task.due_at.is_(None))
