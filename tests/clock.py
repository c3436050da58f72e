"""A test clock: every "now" that decides an SLA (the database, BPMN scripts, the calendar
helpers and SpiffWorkflow's timers) reads the moment the test sets.

Only `now()` is replaced (a naive `now()` gives UTC); parsing and arithmetic stay the real
datetime's.
"""

from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from casemgr import db
from casemgr.engine import sandbox
from casemgr.escalations import calendars

#: The modules whose `datetime.now` is the clock of an SLA.
CLOCKED_MODULES = (db, sandbox, calendars, spiff_timer)


class _RealInstances(type):
    """Let `isinstance(moment, datetime)` stay true for real datetimes in patched modules."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, datetime)


class Clock:
    """Set with `travel(moment)`; the real clock comes back when the test ends."""

    def __init__(self, monkeypatch):
        self.moment = None
        clock = self

        class FrozenDatetime(datetime, metaclass=_RealInstances):
            @classmethod
            def now(cls, tz=None):
                moment = clock.moment or datetime.now(UTC)
                return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

        for module in CLOCKED_MODULES:
            monkeypatch.setattr(module, "datetime", FrozenDatetime)

    def travel(self, moment):
        """Make it `moment` (aware) for everything that asks for now."""
        assert moment.tzinfo is not None, "travel to an aware moment"
        self.moment = moment.astimezone(UTC)
        return self.moment
