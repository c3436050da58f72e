"""Task rows: keep them in step with the workflow, decide who may work on them, complete them."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, load_only
from werkzeug.datastructures import MultiDict

from casemgr.accounts import service as accounts
from casemgr.accounts.models import UNIT_SCOPED_ROLES
from casemgr.cases import service as cases
from casemgr.cases.models import Case, Category
from casemgr.db import session, utcnow
from casemgr.processes import service as processes
from casemgr.processes.service import role_of
from casemgr.tasks import cursor
from casemgr.tasks.models import Task
from casemgr.validation import service as validation
from forms import declared
from forms.tasks import TASK_FORMS, GenericTaskForm

log = logging.getLogger(__name__)

#: How the history names a reporter who verifies through the secret link.
LINK_ACTOR = "reporter (verification link)"
#: The resolve form's photo field: the fix is shown to the reporter with a photo.
RESOLUTION_PHOTO = "resolution_photo"
#: The case columns an inbox row shows or a task's form needs; the rest load if read.
CASE_SHOWN = (
    Case.reference, Case.status, Case.category_id, Case.district_id, Case.unit_id,
    Case.reporter_id, Case.process_version_id, Case.version,
)


class TaskForbidden(Exception):
    """The user may not see or work on this task."""


class TaskConflict(Exception):
    """The task is no longer open, or someone else holds it."""


class OwnCase(TaskForbidden):
    """The user filed or resolved the case, and this task must be someone else's."""


class MissingPhoto(Exception):
    """A resolution without a photo of the fix; `field` names the form field it needs."""

    field = RESOLUTION_PHOTO

    def __init__(self):
        super().__init__("add a photo of the fix")


def needs_photo(task, photos):
    """Whether completing `task` with these checked photos still lacks a photo of the fix."""
    return bool(form_class(task).required_files) and not photos


def _check_stake(task, user):
    reason = validation.refusal(task, user)
    if reason:
        raise OwnCase(reason)


# -- keeping rows in step with the engine ------------------------------------------------


def sync(case, snap, open_rows=None):
    """Create rows for newly ready user tasks and cancel rows whose task went away.

    `open_rows` ({engine task id: row}) is given when the caller knows them: a case being
    filed has none.
    """
    if open_rows is None:
        open_rows = _open_rows(case)
    from casemgr.notifications import triggers

    ready_ids = set()
    created = []
    for ready in snap.ready_tasks:
        ready_ids.add(ready.task_id)
        row = open_rows.get(ready.task_id)
        if row is None:
            created.append(_new_row(case, ready))
            session.add(created[-1])
        elif row.due_at != ready.due_at:
            # An extension moves the due moment of a task that is already waiting.
            row.due_at = ready.due_at

    for engine_task_id, row in open_rows.items():
        if engine_task_id not in ready_ids:
            row.status = "cancelled"
            row.completed_at = utcnow()
    session.flush()
    for row in created:
        triggers.task_created(row)


def _open_rows(case):
    # The rows' case is `case` itself (already in the session): joining it, its category,
    # unit, district and people again for each row cost more than the rest of the step.
    query = select(Task).where(Task.case_id == case.id, Task.status == "open").options(
        lazyload(Task.case), lazyload(Task.unit), lazyload(Task.assignee))
    return {row.engine_task_id: row for row in session.scalars(query)}


def _new_row(case, ready):
    role = role_of(ready.lane, ready.lane_properties) or "admin"
    assignee_id = None
    if role == "citizen":
        assignee_id = case.reporter_id
    elif ready.assignee:
        user = accounts.find_user(str(ready.assignee))
        assignee_id = user.id if user else None
    return Task(
        case_id=case.id,
        engine_task_id=ready.task_id,
        bpmn_id=ready.bpmn_id,
        name=ready.name,
        documentation=ready.documentation,
        form=ready.properties.get("form"),
        lane=ready.lane,
        role=role,
        unit_id=case.unit_id,
        assignee_id=assignee_id,
        claimed_at=utcnow() if assignee_id else None,
        due_at=ready.due_at,
    )


def hand_over(case, officer=None):
    """Move the case's open unit tasks to its (new) unit, held by `officer` or nobody."""
    for row in session.scalars(select(Task).where(Task.case_id == case.id,
                                                  Task.status == "open")):
        if row.role not in UNIT_SCOPED_ROLES:
            continue
        row.unit_id = case.unit_id
        row.assignee = officer
        row.claimed_at = utcnow() if officer else None


def cancel_open(case):
    for row in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")):
        row.status = "cancelled"
        row.completed_at = utcnow()


# -- who may work on what ----------------------------------------------------------------


def can_work_on(user, task):
    """True when `user` holds the task's role, in its unit where the role is unit-bound."""
    if user is None:
        return False
    if task.role == "citizen":
        return task.case.reporter_id is not None and task.case.reporter_id == user.id
    if task.role not in user.role_keys:
        return False
    if task.role in UNIT_SCOPED_ROLES and user.unit_id != task.unit_id:
        return False
    return True


def _visibility(user):
    """Conditions for the task rows `user` may work on: staff roles, then their own reports.

    Two conditions, queried apart: as one OR across tasks and cases, PostgreSQL had to
    join every open task to its case before it could filter (seconds at a million cases).
    """
    scoped = [r for r in user.role_keys if r in UNIT_SCOPED_ROLES]
    city = [r for r in user.role_keys if r not in UNIT_SCOPED_ROLES and r != "citizen"]
    staff = [Task.role.in_(city)] if city else []
    if scoped and user.unit_id:
        staff.append(Task.role.in_(scoped) & (Task.unit_id == user.unit_id))
    conditions = [or_(*staff)] if staff else []
    conditions.append((Task.role == "citizen") & (Case.reporter_id == user.id))
    return conditions


def _urgency(task):
    """The inbox order, as the query sorts: due moment (none last), then id."""
    return (task.due_at is None, task.due_at or datetime.min.replace(tzinfo=UTC), task.id)


#: Tasks on one inbox page: more than a screen, and the next page is a link away. Two
#: hundred cost more to build as objects than the query took to find them.
PAGE_SIZE = 50
#: The most a caller of the API may ask for in one page.
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox, and the cursor of the next page (None on the last)."""

    tasks: list
    next_after: str | None


def inbox(
    user,
    category=None,
    district_id=None,
    overdue=False,
    bpmn_id=None,
    mine=False,
    case_id=None,
    limit=PAGE_SIZE,
    after=None,
):
    """Open tasks the user may work on, most urgent first; `after` from cursor.parse."""
    rows = []
    for visible in _visibility(user):
        query = _inbox_query().where(Task.status == "open", visible)
        query = _inbox_filters(query, user, category, district_id, overdue, bpmn_id, mine,
                               case_id)
        if after is not None:
            query = query.where(cursor.beyond(after))
        # NULLS LAST is PostgreSQL's own ascending order, so ix_tasks_queue serves it.
        query = query.order_by(Task.due_at.asc().nulls_last(), Task.id).limit(limit)
        rows += session.scalars(query)
    return sorted(rows, key=_urgency)[:limit]


def inbox_page(user, size=None, after=None, **filters):
    """A page of `user`'s inbox; one task more is read to know whether a next page exists."""
    size = size or PAGE_SIZE
    rows = inbox(user, limit=size + 1, after=after, **filters)
    if len(rows) <= size:
        return InboxPage(rows, None)
    return InboxPage(rows[:size], cursor.after(rows[size - 1]))


def _inbox_query():
    """Tasks with their cases, loading what an inbox shows and nothing it does not."""
    # The join that filters also fills task.case (contains_eager): no second join. The
    # case's people, its unit and its category's unit are not shown in an inbox, nor are
    # the task's unit and holder on most rows: each is loaded once, if read, from the
    # identity map or by its key.
    shown = contains_eager(Task.case).options(
        load_only(*CASE_SHOWN),
        lazyload(Case.assignee), lazyload(Case.reporter), lazyload(Case.unit),
        joinedload(Case.category).lazyload(Category.unit),
    )
    return select(Task).join(Task.case).options(
        shown, lazyload(Task.unit), lazyload(Task.assignee))


def _inbox_filters(query, user, category, district_id, overdue, bpmn_id, mine, case_id):
    if category:
        query = query.where(Case.category.has(code=category))
    if district_id:
        query = query.where(Case.district_id == int(district_id))
    if overdue:
        query = query.where(Task.due_at < utcnow())
    if bpmn_id:
        query = query.where(Task.bpmn_id == bpmn_id)
    if case_id:
        query = query.where(Task.case_id == int(case_id))
    if mine:
        query = query.where(Task.assignee_id == user.id)
    # Field officers see the tasks given to them and the unclaimed ones of their unit.
    if user.role_keys & {"field_officer"} and not user.role_keys - {"field_officer"}:
        query = query.where(or_(Task.assignee_id.is_(None), Task.assignee_id == user.id))
    return query


def get_task(task_id):
    """The task row, unchecked: callers decide who may act on it."""
    return session.get(Task, task_id)


def get_for(user, task_id):
    """Return the task if `user` may work on it; raise TaskForbidden otherwise."""
    task = session.get(Task, task_id)
    if task is None:
        return None
    if not can_work_on(user, task):
        raise TaskForbidden(f"task {task_id} is not yours to work on")
    return task


def open_tasks_of(case_id):
    return list(
        session.scalars(select(Task).where(Task.case_id == case_id, Task.status == "open"))
    )


def open_reporter_task(case):
    """Return the case's open task for its reporter (verify, answer a question), or None."""
    query = select(Task).where(
        Task.case_id == case.id, Task.status == "open", Task.role == "citizen"
    )
    return session.scalars(query.order_by(Task.id)).first()


def _check_holder(task, user):
    if task.status != "open":
        raise TaskConflict(f"task {task.id} is already {task.status}")
    if task.assignee_id and task.assignee_id != user.id and task.role != "citizen":
        holder = task.assignee.username if task.assignee else "someone else"
        raise TaskConflict(f"task {task.id} is claimed by {holder}")


def claim(task, user):
    if not can_work_on(user, task):
        raise TaskForbidden(f"task {task.id} is not yours to work on")
    _check_stake(task, user)
    _check_holder(task, user)
    if task.assignee_id != user.id:
        task.assignee = user
        task.claimed_at = utcnow()
        cases.history.record(
            task.case, "claimed", f"{task.name} claimed", user, {"task_id": task.id}
        )
        session.commit()
        log.info("case %s task %s claimed by %s", task.case.reference, task.id, user.username)
    return task


def is_supervisor_of(user, task):
    """True for a supervisor of the unit the task belongs to."""
    return user.has_role("unit_supervisor") and user.unit_id == task.unit_id


def release(task, user):
    """Give a claimed task back; its holder or the unit's supervisor may do it."""
    if not (can_work_on(user, task) or is_supervisor_of(user, task)):
        raise TaskForbidden(f"task {task.id} is not yours to work on")
    if task.status != "open":
        raise TaskConflict(f"task {task.id} is already {task.status}")
    if task.assignee_id not in (None, user.id) and not is_supervisor_of(user, task):
        raise TaskConflict(f"task {task.id} is claimed by someone else")
    if task.assignee_id is not None:
        task.assignee = None
        task.claimed_at = None
        cases.history.record(
            task.case, "released", f"{task.name} released", user, {"task_id": task.id}
        )
        session.commit()
        log.info("case %s task %s released by %s", task.case.reference, task.id, user.username)
    return task


# -- forms -------------------------------------------------------------------------------


def form_class(task):
    """The WTForm the diagram names for this task, or builds from its `fields` property."""
    if task.form:
        return TASK_FORMS.get(task.form, GenericTaskForm)
    fields = processes.task_properties(task.case.process_version_id, task.bpmn_id).get("fields")
    return declared.form_class(fields) if fields else GenericTaskForm


def form_choices(task, names=("category", "assignee", "unit"), known=None):
    """The choices a task's form offers for its fields `names`; some depend on the case.

    `known` (a dict the caller keeps) saves the lists already read, for a caller that
    builds the forms of many tasks at once: an inbox page of 200 tasks read them once.
    """
    known = {} if known is None else known
    readers = {
        "category": (("category",), lambda: [(c.code, c.name) for c in cases.categories()]),
        "assignee": (
            ("assignee", task.case.unit_id),
            lambda: [(u.username, u.display_name)
                     for u in accounts.users_with_role("field_officer", task.case.unit_id)],
        ),
        "unit": (
            ("unit",),
            lambda: [("", "Keep the unit")] + [(u.code, u.name) for u in accounts.list_units()],
        ),
    }
    choices = {}
    for name in names:
        if name in readers:
            key, read = readers[name]
            if key not in known:
                known[key] = read()
            choices[name] = known[key]
    return choices


def build_form(task, formdata=None, csrf=True, known_choices=None):
    """Return the task's WTForm with its choices bound; `formdata` may be a MultiDict.

    `known_choices` is form_choices' `known`, for building many forms in one request.
    """
    meta = {} if csrf else {"csrf": False}
    form = form_class(task)(formdata=formdata, meta=meta)
    form.bind_choices(form_choices(task, form._fields, known_choices))
    if formdata is None and "category" in form._fields:
        form.category.data = task.case.category.code
    return form


def json_to_formdata(payload):
    """Turn a JSON object into form data: booleans as true/false, lists as repeated keys."""
    pairs = []
    for key, value in (payload or {}).items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((key, "" if item is None else str(item)))
    return MultiDict(pairs)


# -- completing --------------------------------------------------------------------------


def _case_changes(task, values, user):
    """What completing this task changes on the case row itself."""
    case = task.case
    changes = {}
    if task.form == "triage":
        changes["priority"] = values.get("priority") or case.priority
        if values.get("decision") in ("reject", "duplicate"):
            changes["public_note"] = values.get("note")
        category = cases.category_by_code(values.get("category") or case.category.code)
        if category is not None:
            cases.change_category(case, category, user)
        values["category"] = case.category.code
    elif task.form == "assign":
        officer = accounts.find_user(values["assignee"])
        changes["assignee_id"] = officer.id if officer else None
    elif task.form == "resolve":
        changes["resolved_at"] = utcnow()
    elif task.form == "verify":
        changes["rating"] = values.get("rating")
    elif task.form == "handle_escalation":
        if values.get("action") == "close":
            changes["public_note"] = values.get("reason")
        else:
            # Extended or reassigned, the case runs on a renewed SLA: on time again.
            changes["escalation_level"] = 0
        if values.get("action") == "reassign" and values.get("unit"):
            cases.reroute(case, accounts.find_unit(values["unit"]), user)
    return changes


def _summary(task, values):
    words = {
        "triage": lambda v: f"question to the reporter: {v.get('question')}"
        if v.get("decision") == "ask" else f"triage: {v.get('decision')}",
        "assign": lambda v: f"assigned to {v.get('assignee')}",
        "resolve": lambda v: "resolved on site",
        "verify": lambda v: "citizen: fixed" if v.get("fixed") else "citizen: not fixed",
        "handle_escalation": lambda v: f"escalation: {v.get('action')}",
        "answer_question": lambda v: f"the reporter answered: {v.get('answer')}",
        "validate_resolution": lambda v: f"validation: {v.get('verdict')}",
    }
    describe = words.get(task.form)
    return f"{task.name} completed" + (f" ({describe(values)})" if describe else "")


def _is_public(task, values):
    """Steps the citizen sees on the tracking page."""
    if task.form in ("resolve", "verify", "answer_question"):
        return True
    return values.get("decision") in ("reject", "duplicate", "ask")


def complete(task, user, values, photos=(), expected_version=None, actor_label=None):
    """Complete a task with validated form values; one transaction with the case step.

    `user` is None only for a reporter who verifies through the secret link; then
    `actor_label` names them in the history.
    """
    from casemgr import engine

    if user is not None and not can_work_on(user, task):
        raise TaskForbidden(f"task {task.id} is not yours to work on")
    if user is not None:
        _check_stake(task, user)
        _check_holder(task, user)
    elif task.status != "open":
        raise TaskConflict(f"task {task.id} is already {task.status}")
    if needs_photo(task, photos):
        raise MissingPhoto()

    case = task.case
    # Check the caller's version first: the changes below (a corrected category) move it.
    if expected_version is not None and case.version != expected_version:
        raise cases.CaseConflict(f"case {case.reference} is at version {case.version}")
    changes = _case_changes(task, values, user)
    public = _is_public(task, values)
    flags = []
    if task.form == "resolve":
        extra, flags = validation.resolution_values(case, user, photos)
        values = {**values, **extra}

    def close_row():
        task.status = "completed"
        task.completed_at = utcnow()
        task.completed_by_id = getattr(user, "id", None)
        validation.record_flags(case, user, flags)
        if task.form == "validate_resolution":
            validation.record_verdict(task, user, values)

    cases.advance(
        case,
        lambda workflow: engine.complete_user_task(workflow, task.engine_task_id, values),
        user or actor_label,
        "task_completed",
        _summary(task, values),
        changes=changes,
        details={"task_id": task.id, "bpmn_id": task.bpmn_id, "values": values},
        is_public=public,
        photos=photos,
        photo_kind="resolution" if task.form == "resolve" else "task",
        task_id=task.id,
        before=close_row,
    )
    return task


def complete_by_link(task, secret, values, expected_version=None):
    """Complete the reporter's task for a reporter who holds the case's secret link."""
    if task.role != "citizen" or not cases.check_verify_secret(task.case, secret):
        raise TaskForbidden(f"task {task.id} cannot be completed through this link")

    return complete(task, None, values, expected_version=expected_version, actor_label=LINK_ACTOR)
