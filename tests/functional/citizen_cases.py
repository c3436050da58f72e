"""Helpers of the citizen-side tests: residents, reports near Roxbury, a resolved case."""

from casemgr.accounts import service as accounts
from casemgr.cases import service as cases
from casemgr.db import session
from tests.conftest import ROXBURY

RESIDENT_PASSWORD = "resident-pass-1"
#: About 20 m north-east of ROXBURY.
NEARBY = (ROXBURY[0] + 0.00013, ROXBURY[1] + 0.00013)
#: About 1 km away.
FAR = (ROXBURY[0] + 0.009, ROXBURY[1])


def resident(username="resident", email=None):
    """A citizen account other than the demo reporter."""
    user = accounts.create_user(username, RESIDENT_PASSWORD, ["citizen"],
                                full_name=f"Warga {username}",
                                email=email or f"{username}@example.org")
    session.commit()
    return user


def log_in(client, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def file(point=ROXBURY, category="drains", reporter=None, **fields):
    """File a report through the service; return the case."""
    fields.setdefault("description", "Drain blocked, water on the road")
    case, _secret = cases.file_case(category=category, lat=point[0] if point else None,
                                    lon=point[1] if point else None, reporter=reporter,
                                    **fields)
    return case


def resolve(api, case_id):
    """Accept, assign and resolve a case as the water unit."""
    api.complete(case_id, "triage", "triage", {"decision": "accept"})
    api.complete(case_id, "assign", "sup-water", {"assignee": "officer-water"})
    api.resolve(case_id, "officer-water", "Drain cleared")
    session.expire_all()
    return cases.get(case_id)
