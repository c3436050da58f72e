"""Who may read which case."""

from casemgr.accounts.models import UNIT_SCOPED_ROLES

CITY_READERS = frozenset({"admin", "triage_officer", "escalation_manager", "process_owner"})


def can_view(user, case):
    if user is None:
        return False
    if user.role_keys & CITY_READERS:
        return True
    if user.role_keys & UNIT_SCOPED_ROLES and user.unit_id and user.unit_id == case.unit_id:
        return True
    return case.reporter_id is not None and case.reporter_id == user.id


def is_staff_reader(user):
    return user is not None and bool(user.role_keys & (CITY_READERS | UNIT_SCOPED_ROLES))


def scope_query(query, user):
    """Limit a query over Case to what `user` may read."""
    from casemgr.cases.models import Case

    if user.role_keys & CITY_READERS:
        return query
    if user.role_keys & UNIT_SCOPED_ROLES and user.unit_id:
        return query.where(Case.unit_id == user.unit_id)
    return query.where(Case.reporter_id == user.id)
