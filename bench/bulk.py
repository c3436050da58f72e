"""Load many cases into the benchmark database quickly, with set-based SQL on the server.

Four real cases are filed and driven through the service first, one waiting at each user
task (triage, assign, resolve, verify); their task rows and workflow states are the
templates. Then PostgreSQL itself generates the rows with generate_series:

- categories drawn with city-like weights, each case in its category's unit, a random
  neighbourhood, a point inside Boston's bounds, filed over the last three years;
- statuses: 80% closed, 3% submitted, 2% accepted, 12% assigned, 3% resolved;
- reporters: CITIZENS citizen accounts, 70% of the cases (the rest anonymous reports);
- tasks as the process leaves them: every step a case passed is a completed task row, and
  each open case has its one open task, with the template's lane, role and form, the
  case's unit, due moments around now, and the unit's officer holding resolve tasks;
- open cases carry a real workflow state (the template's for their step); closed ones a
  short stand-in, since no query benchmarked here reads the state of a closed case.
"""

import io
import logging
import time

import common  # noqa: F401 - puts this worktree's casemgr first on the path
from sqlalchemy import select, text  # noqa: F401 - text is used by the benches too

from casemgr.db import session

log = logging.getLogger(__name__)

CITIZENS = 20_000
ROXBURY = (42.316782, -71.085581)
#: Boston's bounding box, which the generated points fill.
BOSTON = {"south": 42.23, "north": 42.40, "west": -71.19, "east": -70.99}
#: Status, share of the cases, the step waiting (None when closed), steps already done.
STATUSES = (
    ("closed", 0.80, None, ("triage", "assign", "resolve", "verify")),
    ("submitted", 0.03, "triage", ()),
    ("accepted", 0.02, "assign", ("triage",)),
    ("assigned", 0.12, "resolve", ("triage", "assign")),
    ("resolved", 0.03, "verify", ("triage", "assign", "resolve")),
)
STEPS = (
    ("triage", {"decision": "accept", "priority": "normal", "category": "drains", "note": ""}),
    ("assign", {"assignee": "officer-water"}),
    ("resolve", {"resolution_note": "cleared"}),
)


def _fix_photo():
    from PIL import Image

    from casemgr.media import photos as media

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "JPEG")
    return media.check_photo(out.getvalue(), "fix.jpg", 1 << 20)


def template_tasks():
    """{bpmn_id: (task row, workflow state at that step)} from real cases."""
    from casemgr.accounts import service as accounts
    from casemgr.cases import service as cases
    from casemgr.tasks import service as tasks

    citizen = accounts.find_user("citizen")
    templates = {}
    for depth in range(len(STEPS) + 1):
        case, _secret = cases.file_case(category="drains", description="template",
                                        lat=ROXBURY[0], lon=ROXBURY[1], reporter=citizen)
        for bpmn_id, values in STEPS[:depth]:
            task = next(t for t in tasks.open_tasks_of(case.id) if t.bpmn_id == bpmn_id)
            # A resolution needs a photo of the fix.
            photos = [_fix_photo()] if bpmn_id == "resolve" else []
            tasks.complete(task, None, dict(values), photos, actor_label="bulk loader")
        case = cases.get(case.id)
        (task,) = tasks.open_tasks_of(case.id)
        templates[task.bpmn_id] = (task, case.workflow_state)
    return templates


def _citizens(count):
    session.execute(text("""
        INSERT INTO users (username, password_hash, full_name, email, is_active, created_at)
        SELECT 'bulk-citizen-' || n, '!', 'Citizen ' || n, 'c' || n || '@bulk.invalid', true,
               now()
        FROM generate_series(1, :count) AS n
    """), {"count": count})
    session.execute(text("""
        INSERT INTO user_roles (user_id, role_id)
        SELECT u.id, r.id FROM users u, roles r
        WHERE u.username LIKE 'bulk-citizen-%' AND r.key = 'citizen'
    """))


def _status_case_sql():
    """A CASE expression mapping the row's random draw `s` to a status."""
    parts, edge = [], 0.0
    for status, share, _step, _done in STATUSES:
        edge += share
        parts.append(f"WHEN s < {edge:.4f} THEN '{status}'")
    return "CASE " + " ".join(parts) + " ELSE 'closed' END"


def _cases(count, version_id, states, located_share, citizens):
    # Categories weighted as a city's 311 line is: a few carry most reports.
    session.execute(text("""
        CREATE TEMP TABLE bulk_categories ON COMMIT DROP AS
        SELECT id, unit_id, row_number() OVER (ORDER BY id) - 1 AS slot,
               count(*) OVER () AS total FROM categories
    """))
    session.execute(text("""
        CREATE TEMP TABLE bulk_districts ON COMMIT DROP AS
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS slot FROM districts
    """))
    session.execute(text(f"""
        INSERT INTO cases (reference, category_id, description, lat, lon, is_located,
            district_id, unit_id, reporter_id, is_anonymous, status, priority, source,
            process_version_id, workflow_state, filed_at, sla_due_at, updated_at, version,
            escalation_level, closed_at)
        SELECT 'BULK-' || lpad(g.n::text, 8, '0'), c.id, 'Bulk case ' || g.n,
               CASE WHEN g.located THEN :south + random() * (:north - :south) END,
               CASE WHEN g.located THEN :west + random() * (:east - :west) END,
               g.located,
               d.id,
               c.unit_id,
               CASE WHEN g.n % 10 < 7 THEN
                 (SELECT min(id) FROM users WHERE username LIKE 'bulk-citizen-%')
                 + (g.n::bigint * 7919) % :citizens END,
               false, g.status, 'normal', 'web', :version,
               CASE g.status WHEN 'closed' THEN '{{}}'
                 WHEN 'submitted' THEN :s_triage WHEN 'accepted' THEN :s_assign
                 WHEN 'assigned' THEN :s_resolve ELSE :s_verify END,
               g.filed_at, g.filed_at + interval '7 days', g.filed_at, 1, 0,
               CASE WHEN g.status = 'closed' THEN g.filed_at + interval '5 days' END
        FROM (
            SELECT n, {_status_case_sql()} AS status,
                   random() < :located AS located,
                   -- Open cases are recent; closed ones spread over three years.
                   now() - CASE WHEN s < 0.80 THEN interval '1095 days' * random()
                                ELSE interval '30 days' * random() END AS filed_at,
                   -- A skewed draw: the first categories get most of the reports.
                   floor(power(random(), 2) * :ncat)::int AS slot
            FROM (SELECT n, random() AS s FROM generate_series(1, :count) AS n) AS draws
        ) AS g
        JOIN bulk_categories c ON c.slot = g.slot
        JOIN bulk_districts d ON d.slot = g.n % :districts
    """), {
        "count": count, "version": version_id, "located": located_share,
        "citizens": citizens, "districts": _district_count(), "ncat": _category_count(),
        "s_triage": states["triage"], "s_assign": states["assign"],
        "s_resolve": states["resolve"], "s_verify": states["verify"], **BOSTON,
    })


def _district_count():
    return session.scalar(text("SELECT count(*) FROM districts"))


def _category_count():
    return session.scalar(text("SELECT count(*) FROM categories"))


def _tasks(templates):
    officer_of_unit = """(SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
                          JOIN roles r ON r.id = ur.role_id
                          WHERE r.key = 'field_officer' AND u.unit_id = cases.unit_id
                          ORDER BY u.id LIMIT 1)"""
    for status, _share, waiting, done in STATUSES:
        for bpmn_id in (*done, *([waiting] if waiting else [])):
            row = templates[bpmn_id][0]
            is_open = bpmn_id == waiting
            assignee = {"resolve": officer_of_unit, "verify": "cases.reporter_id"}.get(
                bpmn_id, "NULL")
            session.execute(text(f"""
                INSERT INTO tasks (case_id, engine_task_id, bpmn_id, name, documentation,
                    form, lane, role, unit_id, assignee_id, claimed_at, due_at, status,
                    created_at, completed_at)
                SELECT cases.id, md5(cases.id::text || :bpmn_id), :bpmn_id, :name, :doc,
                       :form, :lane, :role, cases.unit_id, {assignee},
                       CASE WHEN {assignee} IS NOT NULL THEN cases.filed_at END,
                       now() + interval '10 days' * (random() - 0.5),
                       :status, cases.filed_at, CASE WHEN :done THEN cases.filed_at END
                FROM cases WHERE cases.status = :case_status
                  AND cases.reference LIKE 'BULK-%'
            """), {
                "bpmn_id": bpmn_id, "name": row.name, "doc": row.documentation,
                "form": row.form, "lane": row.lane, "role": row.role,
                "status": "open" if is_open else "completed", "done": not is_open,
                "case_status": status,
            })


def load(count, located_share=0.95, citizens=CITIZENS):
    """Add `count` cases with their task rows; return the seconds the SQL took."""
    from casemgr.processes import service as processes

    templates = template_tasks()
    session.commit()
    version = processes.latest_version("complaint")
    states = {bpmn_id: state for bpmn_id, (_row, state) in templates.items()}

    started = time.perf_counter()
    _citizens(citizens)
    _cases(count, version.id, states, located_share, citizens)
    _tasks(templates)
    session.commit()
    settle()
    return time.perf_counter() - started


def settle():
    """Vacuum and analyse the loaded tables, as autovacuum keeps a database that grew slowly.

    Without it the timed queries met a database no user meets: the first reader of each
    freshly written page set its hint bits, and autovacuum woke up during the timings.
    """
    # VACUUM refuses to run inside a transaction: it gets a connection of its own.
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def some_citizen_with_open_tasks():
    """A bulk citizen who has a verify task waiting, for the citizen's inbox."""
    from casemgr.accounts.models import User
    from casemgr.tasks.models import Task

    reporter_id = session.scalar(
        select(Task.assignee_id).where(Task.role == "citizen", Task.status == "open",
                                       Task.assignee_id.is_not(None)).limit(1)
    )
    return session.get(User, reporter_id)
