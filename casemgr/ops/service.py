"""Record and read heartbeats: when each periodic job last finished, or a long job last
showed progress."""

import logging

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from casemgr.db import session, utcnow
from casemgr.ops.models import Heartbeat

log = logging.getLogger(__name__)

TIMER_SWEEP = "timer_sweep"


def record_beat(name):
    """Note that `name` ran just now; commits on its own, apart from the job's work."""
    moment = utcnow()
    changed = session.execute(
        update(Heartbeat).where(Heartbeat.name == name).values(beat_at=moment)
    ).rowcount
    if not changed:
        # First beat ever: two hosts may race here; the loser's row is simply not needed.
        session.add(Heartbeat(name=name, beat_at=moment))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("heartbeat %s was created meanwhile by another process", name)
    return moment


def last_beat(name):
    """The moment `name` last ran, or None if it never has."""
    beat = session.get(Heartbeat, name, populate_existing=True)
    return beat.beat_at if beat else None


def forget_beat(name):
    """Drop the beats of a job that is over; commits with the caller's work."""
    session.execute(delete(Heartbeat).where(Heartbeat.name == name))
