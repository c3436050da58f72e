"""Resolution integrity: flag doubtful resolutions, keep people off their own cases, and
record each validation step in the case history.

A resolution goes to validation by the escalation manager (outside the resolving unit)
when one of its photos was taken before the case was filed or far from the case point,
when the reporter says it is not fixed or rates it 1-2, when staff filed the case, or
when it is drawn at random. The history kinds are listed in docs/history-events.md.
"""

import logging
import math
import secrets

from flask import current_app
from sqlalchemy import select

from casemgr.cases import history
from casemgr.db import session
from casemgr.tasks.models import Task

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_000

#: Why a resolution goes to validation: stable words that the KPIs group by.
REASONS = {
    "photo_before_filing": "a photo was taken before the case was filed",
    "photo_far_from_case": "a photo was taken far from the case point",
    "filed_by_staff": "city staff filed the case",
    "not_fixed": "the reporter says it is not fixed",
    "low_rating": "the reporter rated the work 1 or 2",
    "random_sample": "drawn at random for validation",
}

#: Draws the random share; SystemRandom, so that nobody can predict which case is drawn.
_draw = secrets.SystemRandom().random


# -- photos ------------------------------------------------------------------------------


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_to_case(case, capture):
    """Metres from the case point to where a photo was taken; None when either is unknown."""
    if not case.is_located or case.lat is None or case.lon is None:
        return None
    if not capture.has_position:
        return None
    return distance_m(case.lat, case.lon, capture.lat, capture.lon)


def photo_flags(case, photos, max_distance_m):
    """What is wrong with each resolution photo's capture time and place, as dicts."""
    flags = []
    for photo in photos:
        capture = photo.capture
        if capture.taken_at is not None and capture.taken_at < case.filed_at:
            flags.append({"reason": "photo_before_filing", "photo": photo.original_name,
                          "taken_at": capture.taken_at.isoformat()})
        distance = distance_to_case(case, capture)
        if distance is not None and distance > max_distance_m:
            flags.append({"reason": "photo_far_from_case", "photo": photo.original_name,
                          "distance_m": round(distance)})
    return flags


# -- at resolve --------------------------------------------------------------------------


def is_filed_by_staff(case):
    return case.reporter is not None and case.reporter.is_staff


def resolution_values(case, resolver, photos):
    """The engine data a resolution adds, and the photo flags found (for the history).

    The reporter's earlier answer is cleared, so that a later pass through the process
    reads only what was said about this resolution.
    """
    config = current_app.config
    flags = photo_flags(case, photos, config["RESOLUTION_MAX_DISTANCE_M"])
    share = config["VALIDATION_SAMPLE_SHARE"]
    values = {
        "resolver_id": getattr(resolver, "id", None),
        "resolution_flagged": bool(flags),
        "resolution_flags": sorted({flag["reason"] for flag in flags}),
        "validation_sample": share > 0 and _draw() < share,
        "reporter_is_staff": is_filed_by_staff(case),
        "verify_days": case.category.verify_days or config["VERIFY_DAYS"],
        "fixed": None,
        "rating": None,
    }
    return values, flags


def record_flags(case, resolver, flags):
    """Write one resolution_flagged entry per flag. Caller commits."""
    for flag in flags:
        history.record(
            case,
            "resolution_flagged",
            f"Resolution flagged: {REASONS[flag['reason']]} ({flag['photo']})",
            resolver,
            {"resolver_id": getattr(resolver, "id", None), "unit_id": case.unit_id, **flag},
        )
    if flags:
        log.warning("case %s resolution by %s flagged: %s", case.reference,
                    history.actor_label(resolver), ", ".join(f["reason"] for f in flags))


# -- who may act -------------------------------------------------------------------------


def last_resolution(case):
    """(resolver id, unit id) of the case's last completed resolve task, or (None, None)."""
    query = (
        select(Task.completed_by_id, Task.unit_id)
        .where(Task.case_id == case.id, Task.form == "resolve", Task.status == "completed")
        .order_by(Task.completed_at.desc(), Task.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return (row.completed_by_id, row.unit_id) if row else (None, None)


def refusal(task, user):
    """Why `user` may not act on `task` of a case they filed or resolved; None if they may."""
    if user is None:
        return None
    case = task.case
    filed_it = case.reporter_id is not None and case.reporter_id == user.id
    if task.form == "resolve" and filed_it:
        return "You filed this case: someone else must resolve it."
    if task.form == "verify" and filed_it and user.is_staff:
        return "You filed this case as city staff: it is validated outside the unit instead."
    if task.form == "validate_resolution":
        return _validator_refusal(task, user, filed_it)
    return None


def _validator_refusal(task, user, filed_it):
    resolver_id, unit_id = last_resolution(task.case)
    if filed_it:
        return "You filed this case: someone else must validate its resolution."
    if resolver_id is not None and resolver_id == user.id:
        return "You resolved this case: someone outside the unit must validate it."
    if user.unit_id is not None and user.unit_id in (unit_id, task.case.unit_id):
        return "You work in the unit that resolved this case: someone outside it must validate it."
    return None


# -- what the process reports ------------------------------------------------------------


def validation_reasons(data):
    """The reasons, in REASONS' words, that sent a resolution to validation."""
    reasons = []
    if data.get("reporter_is_staff"):
        reasons.append("filed_by_staff")
    reasons += [r for r in data.get("resolution_flags") or [] if r in REASONS]
    if data.get("fixed") is False:
        reasons.append("not_fixed")
    rating = data.get("rating")
    if isinstance(rating, int) and rating <= 2:
        reasons.append("low_rating")
    if data.get("validation_sample"):
        reasons.append("random_sample")
    return reasons


def apply_effects(case, effects):
    """Record the validation requests and unanswered verifications the process reached."""
    for effect in effects:
        if effect.effect == "validation_requested":
            _validation_requested(case, effect.data)
        elif effect.effect == "verify_unanswered":
            days = effect.data.get("verify_days")
            history.record(case, "verify_expired",
                           f"No answer from the reporter in {days} days", None,
                           {"verify_days": days}, is_public=True)


def _validation_requested(case, data):
    reasons = validation_reasons(data) or ["unknown"]
    resolver_id, unit_id = last_resolution(case)
    words = "; ".join(REASONS.get(r, r) for r in reasons)
    history.record(
        case,
        "validation_requested",
        f"Resolution sent for validation outside the unit: {words}",
        None,
        {"resolver_id": resolver_id or data.get("resolver_id"),
         "unit_id": unit_id or case.unit_id, "reason": reasons[0], "reasons": reasons},
    )
    log.info("case %s: validation requested (%s)", case.reference, ", ".join(reasons))


# -- the validator's verdict -------------------------------------------------------------


def record_verdict(task, validator, values):
    """Write resolution_confirmed or resolution_rejected for a validation. Caller commits."""
    case = task.case
    resolver_id, unit_id = last_resolution(case)
    is_rejected = values.get("verdict") == "reject"
    reason = (values.get("reason") or "").strip()
    summary = (f"Resolution sent back to the unit: {reason}" if is_rejected
               else "Resolution confirmed outside the unit")
    history.record(
        case,
        "resolution_rejected" if is_rejected else "resolution_confirmed",
        summary,
        validator,
        {"resolver_id": resolver_id, "unit_id": unit_id or case.unit_id, "reason": reason,
         "validator_id": getattr(validator, "id", None)},
    )
