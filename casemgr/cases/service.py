"""The one place that changes a case: filing it and every step of its process.

Each public function here is one transaction: it changes the rows, writes the history
and logs one INFO line naming the actor and the case.
"""

import hashlib
import logging
import re
import secrets
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from casemgr import engine
from casemgr.cases import (
    access,
    districts,
    history,
    process_services,
    routing,
    service_area,
)
from casemgr.cases.models import Attachment, Case, Category
from casemgr.citizens import service as citizens
from casemgr.db import session, utcnow
from casemgr.escalations import calendars, sla
from casemgr.media import photos as media
from casemgr.notifications import triggers
from casemgr.processes import service as processes
from casemgr.validation import service as validation

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_DESCRIPTION = 4000


class IntakeError(Exception):
    """A report that cannot be filed; `fields` maps each bad field to its message."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


class CaseConflict(Exception):
    """The case changed since the caller read it."""


class ProcessStalled(Exception):
    """The process failed on a script, condition or timer; the case is marked."""

    def __init__(self, case_id, message):
        self.case_id = case_id
        super().__init__(message)


# -- reading -----------------------------------------------------------------------------


def get(case_id):
    return session.get(Case, case_id)


def by_reference(reference):
    return session.scalar(select(Case).where(Case.reference == reference.strip().upper()))


def categories(active_only=True):
    query = select(Category).order_by(Category.name)
    if active_only:
        query = query.where(Category.is_active)
    return list(session.scalars(query))


def category_by_code(code):
    return session.scalar(select(Category).where(Category.code == str(code)))


def attachments_of(case_id, kind=None):
    query = select(Attachment).where(Attachment.case_id == case_id)
    if kind:
        query = query.where(Attachment.kind == kind)
    return list(session.scalars(query.order_by(Attachment.id)))


def case_count():
    return session.scalar(select(func.count(Case.id)))


def where_codes(query, *, category=None, unit=None, district=None):
    """Limit a query over Case to a category, unit and district, each by its code."""
    if category:
        query = query.where(Case.category.has(code=category))
    if unit:
        query = query.where(Case.unit.has(code=unit))
    if district:
        query = query.where(Case.district.has(code=district))
    return query


def list_cases(user, *, status=None, category=None, unit=None, district=None,
               is_overdue=False, is_located=None, text=None, page=1, size=50):
    """One page of the cases `user` may read, newest first; returns (cases, total).

    `status` is one status or a list of them.
    """
    query = access.scope_query(select(Case), user)
    if status:
        query = query.where(Case.status.in_([status] if isinstance(status, str) else status))
    query = where_codes(query, category=category, unit=unit, district=district)
    if is_overdue:
        query = query.where(Case.status != "closed", Case.sla_due_at < utcnow())
    if is_located is not None:
        query = query.where(Case.is_located == is_located)
    if text:
        # The text is matched literally: % and _ are not wildcards here.
        literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Case.description.ilike(f"%{literal}%", escape="\\"))

    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Case.filed_at.desc(), Case.id.desc())
    rows = list(session.scalars(query.offset((page - 1) * size).limit(size)))
    return rows, total


# -- filing ------------------------------------------------------------------------------


def checked_photos(files):
    """Check each uploaded file; a failed check becomes a PhotoError in the list."""
    limit = current_app.config["MAX_PHOTO_BYTES"]
    # A capture time without an offset is the city's wall-clock time.
    zone = ZoneInfo(current_app.config["CASEMGR_TIMEZONE"])
    checked = []
    for upload in files:
        if not upload or not upload.filename:
            continue
        try:
            raw = upload.read(limit + 1)
            checked.append(media.check_photo(raw, upload.filename, limit, zone))
        except media.PhotoError as exc:
            checked.append(exc)
    return checked


def _check_point(lat, lon, errors):
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        errors["lat" if lat is None else "lon"] = "give both lat and lon, or neither"
        return None, None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        errors["lat"] = "lat and lon must be numbers"
        return None, None
    if not -90 <= lat <= 90:
        errors["lat"] = "lat must be between -90 and 90"
    if not -180 <= lon <= 180:
        errors["lon"] = "lon must be between -180 and 180"
    return lat, lon


def _check_intake(category_code, description, lat, lon, reporter_email, photos, address,
                  require_place, refuse_outside_area=True):
    errors = {}
    category = category_by_code(category_code) if category_code else None
    if category is None or not category.is_active:
        errors["category"] = f"unknown category {category_code!r}" if category_code else "required"
    text = (description or "").strip()
    if not text:
        errors["description"] = "required"
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = f"at most {MAX_DESCRIPTION} characters"
    lat, lon = _check_point(lat, lon, errors)
    placed = lat is not None and not ({"lat", "lon"} & set(errors))
    if placed and refuse_outside_area and not service_area.holds(lat, lon):
        errors["lat"] = service_area.OUTSIDE
    if require_place and lat is None and not (address or "").strip() and "lat" not in errors:
        errors["lat"] = "give the place: lat and lon, or an address"
    if reporter_email and not EMAIL.match(reporter_email):
        errors["reporter_email"] = "not an email address"
    for photo in photos:
        if isinstance(photo, media.PhotoError):
            errors["photo"] = str(photo)
    if errors:
        raise IntakeError(errors)
    return category, text, lat, lon


def _reference(case):
    prefix = current_app.config["CITY"].reference_prefix
    return f"{prefix}-{case.filed_at.year}-{case.id:06d}"


def _store_photos(case, checked, kind, actor, task_id=None):
    upload_dir = current_app.config["UPLOAD_DIR"]
    for photo in checked:
        session.add(
            Attachment(
                case_id=case.id,
                task_id=task_id,
                kind=kind,
                original_name=photo.original_name,
                stored_name=media.store(photo, upload_dir),
                content_type=photo.content_type,
                size_bytes=len(photo.content),
                sha256=photo.sha256,
                width=photo.width,
                height=photo.height,
                uploaded_by_id=getattr(actor, "id", None),
                taken_at=photo.capture.taken_at,
                distance_m=validation.distance_to_case(case, photo.capture),
            )
        )


def file_case(
    *,
    category,
    description,
    lat=None,
    lon=None,
    reporter=None,
    reporter_name=None,
    reporter_email=None,
    is_anonymous=False,
    address=None,
    photos=(),
    source="web",
    filed_at=None,
    sla_due_at=None,
    has_sla=True,
    external_id=None,
    is_located=None,
    district_name=None,
    require_place=True,
    refuse_outside_area=True,
    on_filed=None,
    wants_email=False,
):
    """File a complaint, route it, start its process and store its first tasks.

    Returns (case, verify_secret); the secret is None when the reporter has an account.
    `wants_email` opts the reporter in to email updates (sent only to those opted in).
    A report needs a point or an address, except an import that had neither.
    A point outside the service area is an IntakeError, unless `refuse_outside_area` is
    False (imports): then the case keeps the point but is stored unlocated.
    `photos` holds CheckedPhoto objects, or PhotoError for uploads that failed the check.
    `on_filed(case)` adds a channel's own rows (answers, API details) in the same transaction.
    """
    category, text, lat, lon = _check_intake(
        category, description, lat, lon, reporter_email, photos, address, require_place,
        refuse_outside_area,
    )
    located = lat is not None and (is_located if is_located is not None else True)
    if located and not refuse_outside_area:
        located = service_area.holds(lat, lon)
    district = districts.district_at(lat, lon) if located else None
    district = district or districts.find_by_name(district_name)
    filed_at = filed_at or utcnow()
    unit = routing.unit_for(category, district, filed_at)
    version = processes.latest_version(category.process_key)
    if version is None:
        raise IntakeError({"category": f"process {category.process_key!r} is not deployed"})

    secret = None if reporter is not None else secrets.token_urlsafe(24)
    case = Case(
        reference=f"new-{secrets.token_hex(8)}",
        category=category,
        description=text,
        address=(address or None) and address[:300],
        lat=lat,
        lon=lon,
        is_located=located,
        district=district,
        unit=unit,
        reporter_id=getattr(reporter, "id", None),
        reporter_name=(reporter_name or getattr(reporter, "full_name", None) or None),
        reporter_email=reporter_email or getattr(reporter, "email", None),
        is_anonymous=bool(is_anonymous),
        verify_digest=_digest(secret) if secret else None,
        source=source,
        external_id=external_id,
        process_version_id=version.id,
        workflow_state="",
        filed_at=filed_at,
        status="submitted",
    )
    session.add(case)
    session.flush()
    case.reference = _reference(case)
    _store_photos(case, photos, "report", reporter)
    if on_filed is not None:
        on_filed(case)

    history.record(
        case,
        "filed",
        f"Complaint filed: {category.name}",
        reporter or "citizen",
        {"source": source, "reference": case.reference},
        is_public=True,
        at=filed_at,
    )
    where = district.name if district else "no district"
    history.record(
        case,
        "routed",
        f"Routed to {unit.name} ({where})",
        None,
        {"unit": unit.code, "district": district.code if district else None},
        at=filed_at,
    )

    # The process computes the due moment with the calendar; an imported case brings its
    # own. One imported without a due moment still needs one for the engine's timer, but
    # its row keeps None so that reports count it as the source system did.
    calendar = calendars.calendar_for(unit.id)
    initial = {"category": category.code, "priority": "normal",
               **sla.initial_data(category, calendar, filed_at, sla_due_at)}
    spec, helpers = processes.parsed(version), calendars.engine_helpers(calendar)
    workflow = engine.new_workflow(spec, initial, helpers)
    try:
        engine.run(workflow)
        _store_step(case, workflow, marker=set(), has_sla=has_sla, new_case=True)
    except engine.EngineError as exc:
        # The report is kept whatever the process does; staff see the error on the case,
        # which keeps its process as it was before the first step, to be run again.
        case.workflow_state = engine.dump_state(engine.new_workflow(spec, initial, helpers))
        _mark_stalled(case, exc)

    follower = citizens.add_reporter(
        case, reporter, case.reporter_email if reporter is None else None, wants_email)
    triggers.case_filed(case, citizens.reporter_recipients(follower, reporter))
    session.commit()
    log.info("case %s filed by %s in %s", case.reference, history.actor_label(reporter), unit.code)
    return case, secret


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def check_verify_secret(case, secret):
    """True when `secret` is the case's verification link secret."""
    if not case.verify_digest or not secret:
        return False
    return secrets.compare_digest(case.verify_digest, _digest(secret))


# -- steps of the process ----------------------------------------------------------------


def _store_step(case, workflow, marker, at=None, has_sla=None, new_case=False):
    """Save the workflow state and what SQL keeps of it: status, SLA, timers, tasks.

    `marker` (from engine.completed_marker before the step) finds the step's effects.
    `new_case` says the case is being filed, so it has no task rows yet.
    """
    from casemgr.tasks import service as tasks

    snap = engine.snapshot(workflow, marker)
    case.workflow_state = engine.dump_state(workflow)
    case.next_timer_due_at = snap.next_timer_due_at
    case.error = None
    # A case filed without a due moment (some imports) keeps none.
    has_sla = case.sla_due_at is not None if has_sla is None else has_sla
    sla.keep_moments(case, snap.data, calendars.calendar_for(case.unit_id), has_sla)
    sla.apply_effects(case, snap.effects, snap.ready_tasks)
    process_services.apply(case, snap.effects)
    validation.apply_effects(case, snap.effects)

    status = "closed" if snap.is_completed else _status_of(snap, case.status)
    if status != case.status:
        history.record(
            case,
            "status",
            f"Status: {case.status} -> {status}",
            None,
            {"from": case.status, "to": status},
            is_public=True,
            at=at,
        )
        case.status = status
        triggers.status_changed(case, status)
    if snap.is_completed:
        case.outcome = snap.outcome
        case.closed_at = at or utcnow()
        case.next_timer_due_at = None
    tasks.sync(case, snap, open_rows={} if new_case else None)


def _status_of(snap, current):
    for ready in snap.ready_tasks:
        if ready.properties.get("status"):
            return ready.properties["status"]
    return current


def _mark_stalled(case, exc):
    where = f" at {exc.bpmn_id}" if getattr(exc, "bpmn_id", None) else ""
    case.error = f"Process stalled{where}: {exc}"[:2000]
    history.record(case, "error", case.error, None, {"bpmn_id": getattr(exc, "bpmn_id", None)})
    log.warning("case %s stalled%s: %s", case.reference, where, exc)


def _state_as_read(case):
    """The workflow state of the case version this session read.

    The state is a deferred column: loaded on its own, it must still belong to the version
    read with the rest of the row, or a step would run on a newer state than the caller saw.
    """
    if "workflow_state" not in inspect(case).unloaded:
        return case.workflow_state
    state = session.scalar(
        select(Case.workflow_state).where(Case.id == case.id, Case.version == case.version)
    )
    if state is None:
        raise CaseConflict(f"case {case.reference} changed meanwhile; load it again")
    set_committed_value(case, "workflow_state", state)
    return state


def load_workflow(case):
    version = processes.get_version(case.process_version_id)
    helpers = calendars.engine_helpers(calendars.calendar_for(case.unit_id))
    return engine.load_state(processes.parsed(version), _state_as_read(case), helpers)


def advance(
    case,
    step,
    actor,
    kind,
    summary,
    *,
    changes=None,
    details=None,
    is_public=False,
    photos=(),
    photo_kind="task",
    task_id=None,
    before=None,
):
    """Run one engine step on a case and store everything it changed, in one transaction.

    `step` takes the loaded workflow. `changes` maps case attributes to new values and
    `before` is called inside the transaction first (for example to close a task row).
    Raises CaseConflict when the case moved on meanwhile (the version column) and
    ProcessStalled when the engine failed; in both cases nothing of this step is stored.
    A caller holding a version the user saw checks it before changing the case.
    """
    workflow = load_workflow(case)
    marker = engine.completed_marker(workflow)
    try:
        step(workflow)
    except engine.EngineError as exc:
        session.rollback()
        _stall(case.id, exc)
        raise ProcessStalled(case.id, str(exc)) from exc

    try:
        if before is not None:
            before()
        for name, value in (changes or {}).items():
            setattr(case, name, value)
        _store_photos(case, photos, photo_kind, actor, task_id)
        history.record(case, kind, summary, actor, details, is_public=is_public)
        _store_step(case, workflow, marker)
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise CaseConflict(f"case {case.reference} was changed by someone else") from exc
    log.info("case %s: %s by %s", case.reference, kind, history.actor_label(actor))
    return case


def _stall(case_id, exc):
    case = session.get(Case, case_id)
    _mark_stalled(case, exc)
    try:
        session.commit()
    except StaleDataError:
        session.rollback()


def resync_timer(case_id, retry_after):
    """Set a case's next-timer column from its workflow again, after a sweep found it wrong.

    A moment that is still past (the engine would not fire it) is pushed `retry_after`
    into the future so that one odd case cannot hold every sweep.
    """
    case = session.get(Case, case_id)
    due_at = engine.snapshot(load_workflow(case)).next_timer_due_at
    if due_at is not None and due_at <= utcnow():
        due_at = utcnow() + retry_after
    log.warning("case %s timer column %s reset to %s", case.reference, case.next_timer_due_at,
                due_at)
    case.next_timer_due_at = due_at
    try:
        session.commit()
    except StaleDataError:
        session.rollback()


def change_category(case, category, actor):
    """Move a case to another category: its unit is routed again. Caller commits."""
    if category.id == case.category_id:
        return
    history.record(
        case,
        "category",
        f"Category: {case.category.name} -> {category.name}",
        actor,
        {"from": case.category.code, "to": category.code},
        is_public=True,
    )
    case.category = category
    reroute(case, routing.unit_for(category, case.district, case.filed_at), actor)


def reroute(case, unit, actor):
    """Give a case to another unit. Caller commits."""
    if unit is None or unit.id == case.unit_id:
        return
    history.record(
        case,
        "routed",
        f"Routed to {unit.name}",
        actor,
        {"from": case.unit.code if case.unit else None, "to": unit.code},
    )
    case.unit = unit
    case.assignee_id = None


def close_imported(case, closed_at, reason, actor="import"):
    """Close a case that was already closed in the system it was imported from."""
    workflow = load_workflow(case)
    engine.close_workflow(workflow)
    case.workflow_state = engine.dump_state(workflow)
    case.status = "closed"
    case.outcome = "imported_closed"
    case.public_note = reason
    case.resolved_at = case.closed_at = closed_at
    case.next_timer_due_at = None
    from casemgr.tasks import service as tasks

    tasks.cancel_open(case)
    history.record(
        case,
        "imported",
        f"Closed in the source system: {reason}",
        actor,
        {"closed_at": closed_at.isoformat()},
        is_public=True,
        at=closed_at,
    )
