"""Open311 requests: file them through the case intake, find them, take client updates.

Filing goes through casemgr.cases.service.file_case, the same BPMN intake as a web report;
the Open311 rows (token, address id, answers) join the case's own transaction.
"""

import json
import logging
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casemgr.cases import history, questions, service_area
from casemgr.cases import service as cases
from casemgr.cases.models import Attachment, Case, CaseEvent, Category
from casemgr.db import session
from casemgr.media import photos as media
from casemgr.open311.errors import Open311Error
from casemgr.open311.models import ApiKey, PendingRequest, ReceivedUpdate, ServiceRequest
from casemgr.open311.params import NOT_PINPOINTED

log = logging.getLogger(__name__)

#: Intake field names as Open311 calls them, for the messages of a refused report.
FIELD_NAMES = {"category": "service_code", "lat": "lat", "lon": "long",
               "reporter_email": "email", "photo": "media"}


# -- filing --------------------------------------------------------------------------------


def _service(code, errors):
    category = cases.category_by_code(code) if code else None
    if code and (category is None or not category.is_active):
        errors.add(f"service_code {code!r} not found", 404)
        return None
    return category


def _answers(category, given, errors):
    if category is None:
        return []
    answers, problems = questions.check_answers(category, given)
    for code, message in problems.items():
        errors.add(f"attribute[{code}]: {message}")
    return answers


def _photo_errors(photos, errors):
    for photo in photos:
        if isinstance(photo, media.PhotoError):
            errors.add(f"media: {photo}")


def _area_errors(fields, errors):
    """Refuse a point outside the city now, also for a request queued to be filed later."""
    if fields["lat"] is None or fields["lon"] is None:
        return
    if not service_area.holds(fields["lat"], fields["lon"]):
        errors.add(f"lat/long: {service_area.OUTSIDE}")


def _checked_request(fields, photos, errors):
    """The category and answers of a POST requests; raise Open311Error on any problem."""
    category = _service(fields["service_code"], errors)
    answers = _answers(category, fields["attributes"], errors)
    _photo_errors(photos, errors)
    _area_errors(fields, errors)
    errors.raise_any()
    return category, answers


def _file(key_id, key_name, token, category_code, fields, answers, photos, before_commit=None):
    """File the case with its Open311 rows in one transaction; IntakeError passes through."""
    pinned = fields["address_id"] != NOT_PINPOINTED and fields["lat"] is not None

    def add_open311_rows(case):
        questions.store_answers(case, answers)
        session.add(ServiceRequest(
            case_id=case.id, api_key_id=key_id, token=token,
            address_id=fields["address_id"], media_url=fields["media_url"],
            phone=fields["phone"], device_id=fields["device_id"]))
        if before_commit is not None:
            before_commit()

    case, _ = cases.file_case(
        category=category_code, description=fields["description"],
        lat=fields["lat"], lon=fields["lon"], address=fields["address"],
        reporter_name=fields["reporter_name"], reporter_email=fields["reporter_email"],
        photos=photos, source="open311", is_located=pinned, require_place=False,
        on_filed=add_open311_rows)
    log.info("open311 request %s filed for client %s", case.reference, key_name)
    return case


def file_request(key, fields, photos, errors):
    """File a checked POST requests as a case now; raise Open311Error with every problem.

    `errors` holds what the parameters' check found already; nothing is stored unless
    the whole request is good.
    """
    category, answers = _checked_request(fields, photos, errors)
    token = secrets.token_urlsafe(18)
    try:
        case = _file(key.id, key.name, token, category.code, fields, answers, photos)
    except cases.IntakeError as exc:
        session.rollback()
        raise Open311Error([(400, f"{FIELD_NAMES.get(name, name)}: {message}")
                            for name, message in exc.fields.items()]) from exc
    return case, token


# -- asynchronous intake ---------------------------------------------------------------------


def queue_request(key, fields, photos, errors):
    """Check a POST requests like file_request, keep it and queue its filing; return the token.

    The photos wait in the upload folder under their own random names.
    """
    from casemgr import jobs
    from casemgr.open311.jobs import file_pending

    category, answers = _checked_request(fields, photos, errors)
    upload_dir = current_app.config["UPLOAD_DIR"]
    waiting = [{"stored_name": media.store(photo, upload_dir), "width": photo.width,
                "height": photo.height, "sha256": photo.sha256,
                "original_name": photo.original_name} for photo in photos]
    pending = PendingRequest(
        token=secrets.token_urlsafe(18), api_key_id=key.id,
        fields=json.dumps({**fields, "service_code": category.code, "answers": answers}),
        photos=json.dumps(waiting))
    session.add(pending)
    session.commit()
    log.info("open311 request %s queued for client %s", pending.token, key.name)
    jobs.enqueue(file_pending, pending.id, job_id=f"open311-{pending.id}")
    return pending.token


def _waiting_photos(pending, upload_dir):
    photos = []
    for photo in json.loads(pending.photos):
        path = media.path_of(photo["stored_name"], upload_dir)
        photos.append(media.CheckedPhoto(content=path.read_bytes(), width=photo["width"],
                                         height=photo["height"], sha256=photo["sha256"],
                                         original_name=photo["original_name"]))
    return photos


def _forget_waiting_photos(pending, upload_dir):
    for photo in json.loads(pending.photos):
        path = media.path_of(photo["stored_name"], upload_dir)
        if path is not None:
            path.unlink()


def file_pending(pending_id):
    """File a queued request; a refusal now (say, its service was closed) marks it failed."""
    pending = session.get(PendingRequest, pending_id)
    if pending is None or pending.status != "queued":
        return None
    upload_dir = current_app.config["UPLOAD_DIR"]
    fields = json.loads(pending.fields)
    key = session.get(ApiKey, pending.api_key_id)
    try:
        case = _file(key.id, key.name, pending.token, fields["service_code"], fields,
                     [tuple(answer) for answer in fields["answers"]],
                     _waiting_photos(pending, upload_dir),
                     before_commit=lambda: session.delete(pending))
    except cases.IntakeError as exc:
        session.rollback()
        pending.status, pending.error = "failed", str(exc)[:2000]
        session.commit()
        _forget_waiting_photos(pending, upload_dir)
        log.warning("open311 request %s not filed: %s", pending.token, exc)
        return None
    _forget_waiting_photos(pending, upload_dir)
    return case.id


def pending_for_token(token):
    if not token or len(token) > 40:
        return None
    return session.scalar(select(PendingRequest).where(PendingRequest.token == token))


# -- reading -------------------------------------------------------------------------------


def request_by_id(reference):
    return cases.by_reference(reference) if reference and len(reference) <= 40 else None


def case_for_token(token):
    if not token or len(token) > 40:
        return None
    return session.scalar(select(Case).join(ServiceRequest).where(ServiceRequest.token == token))


def _filtered(query, filters):
    if filters["ids"]:
        # A list of ids overrides every other filter, as the standard says.
        return query.where(Case.reference.in_([i.upper() for i in filters["ids"]]))
    if filters["codes"]:
        query = query.where(Case.category.has(Category.code.in_(filters["codes"])))
    if filters["statuses"] == ["open"]:
        query = query.where(Case.status != "closed")
    elif filters["statuses"] == ["closed"]:
        query = query.where(Case.status == "closed")
    bounds = ((Case.filed_at, filters["start"], filters["end"]),
              (Case.updated_at, filters["updated_after"], filters["updated_before"]))
    for column, low, high in bounds:
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    return query


def find_requests(filters):
    """One page of cases matching GET requests' filters, newest first."""
    query = _filtered(select(Case), filters).order_by(Case.filed_at.desc(), Case.id.desc())
    offset = (filters["page"] - 1) * filters["page_size"]
    return list(session.scalars(query.offset(offset).limit(filters["page_size"])))


def details_of(case_ids):
    """Per case id: its Open311 row, first report photo and latest public note."""
    details = {case_id: {"request": None, "photo": None, "note": None} for case_id in case_ids}
    if not case_ids:
        return details
    rows = session.scalars(select(ServiceRequest).where(ServiceRequest.case_id.in_(case_ids)))
    for row in rows:
        details[row.case_id]["request"] = row
    photos = session.scalars(select(Attachment).where(
        Attachment.case_id.in_(case_ids), Attachment.kind == "report").order_by(Attachment.id))
    for photo in photos:
        details[photo.case_id]["photo"] = details[photo.case_id]["photo"] or photo
    notes = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id.in_(case_ids), CaseEvent.is_public).order_by(CaseEvent.at,
                                                                        CaseEvent.id))
    for event in notes:
        details[event.case_id]["note"] = event.summary
    return details


def public_history(case_id):
    return history.events_of(case_id, public_only=True)


def report_photos(case_id):
    return cases.attachments_of(case_id, kind="report")


def report_photo(stored_name):
    """A citizen's report photo by its stored name, or None."""
    return session.scalar(select(Attachment).where(Attachment.stored_name == stored_name,
                                                   Attachment.kind == "report"))


# -- updates -------------------------------------------------------------------------------


def public_updates(start, end, limit):
    """Public history entries between two moments, oldest first, with their cases."""
    query = select(CaseEvent, Case).join(Case, Case.id == CaseEvent.case_id).where(
        CaseEvent.is_public, CaseEvent.at >= start)
    if end is not None:
        query = query.where(CaseEvent.at <= end)
    return list(session.execute(query.order_by(CaseEvent.at, CaseEvent.id).limit(limit)))


def receive_update(key, fields, errors):
    """Keep a client's update on a request as a staff-visible history entry.

    The update's status is recorded, not applied: only the case's process closes it.
    A repeated update_id from the same client is refused as already received.
    """
    case = request_by_id(fields["service_request_id"])
    if fields["service_request_id"] and case is None:
        errors.add(f"service_request_id {fields['service_request_id']!r} not found", 404)
    if fields["update_id"] and _already_received(key, fields["update_id"]):
        errors.add(f"update_id {fields['update_id']!r} already received")
    errors.raise_any()

    who = fields["reporter_name"] or "the reporter"
    event = history.record(
        case, "open311_update", f"Update from {who} via {key.name}: {fields['description']}",
        f"open311:{key.name}",
        {"update_id": fields["update_id"], "status": fields["status"],
         "media_url": fields["media_url"]})
    session.flush()
    session.add(ReceivedUpdate(
        api_key_id=key.id, update_id=fields["update_id"], case_id=case.id, event_id=event.id,
        status=fields["status"], description=fields["description"],
        updated_at=fields["updated_at"]))
    try:
        session.commit()
    except IntegrityError as exc:
        # Two deliveries of one update at the same moment: the second one loses here.
        session.rollback()
        raise Open311Error([(400, f"update_id {fields['update_id']!r} already received")]) \
            from exc
    log.info("open311 update %s from %s kept on case %s", fields["update_id"], key.name,
             case.reference)
    return event


def _already_received(key, update_id):
    return session.scalar(select(ReceivedUpdate.id).where(
        ReceivedUpdate.api_key_id == key.id, ReceivedUpdate.update_id == update_id)) is not None
