"""Pick the responsible unit for a category, district and filing moment, by ordered rules."""

import logging

from flask import current_app
from sqlalchemy import or_, select

from casemgr.cases import time_windows
from casemgr.cases.models import RoutingRule
from casemgr.db import session, utcnow

log = logging.getLogger(__name__)


def matching_rule(category, district, at=None):
    """The first rule, by position, that matches the category, district and moment; or None.

    `at` is the filing moment (now when not given); a rule's time window is read in the
    city's time zone.
    """
    district_id = district.id if district is not None else None
    query = (
        select(RoutingRule)
        .where(or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category.id))
        .where(or_(RoutingRule.district_id.is_(None), RoutingRule.district_id == district_id))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    local = city_time(at or utcnow())
    # Few rules match a category and district, so the windows are checked here in order.
    for rule in session.scalars(query):
        if rule.window.holds_at(local):
            return rule
    return None


def city_time(moment):
    """The moment in the city's time zone (a naive one is taken as city time)."""
    return time_windows.local_moment(moment, current_app.config["CASEMGR_TIMEZONE"])


def unit_for(category, district, at=None):
    """Return the unit of the first matching routing rule, else the category's own unit."""
    rule = matching_rule(category, district, at)
    return rule.unit if rule is not None else category.unit


def add_rule(unit, category=None, district=None, position=100, actor=None, window=None):
    """Add a rule (caller commits); `window` is a checked time_windows.TimeWindow."""
    window = window or time_windows.TimeWindow()
    rule = RoutingRule(
        unit_id=unit.id,
        category_id=category.id if category else None,
        district_id=district.id if district else None,
        position=position,
        time_from=window.start,
        time_to=window.end,
        weekdays=time_windows.weekdays_text(window.weekdays),
    )
    session.add(rule)
    session.flush()
    log.info("routing rule %s added by %s: %s x %s (%s) -> %s at %s", rule.id,
             getattr(actor, "username", "system"), getattr(category, "code", "*"),
             getattr(district, "code", "*"), window.describe(), unit.code, position)
    return rule


def list_rules():
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position,
                                                             RoutingRule.id)))


def delete_rule(rule_id, actor=None):
    """Remove a rule; True when there was one. Cases already routed keep their unit."""
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        return False
    session.delete(rule)
    session.commit()
    log.info("routing rule %s deleted by %s", rule_id, getattr(actor, "username", "system"))
    return True


def next_position():
    """A position after every rule, so a new rule goes last unless told otherwise."""
    rules = list_rules()
    return (max(rule.position for rule in rules) + 10) if rules else 10


def move_rule(rule_id, direction, actor=None):
    """Swap a rule with its neighbour above or below; False when there is no such rule.

    Positions are renumbered 10, 20, 30... first, so rules that shared a position keep
    the order they were tried in and the swap always changes it.
    """
    rules = list_rules()
    index = next((i for i, rule in enumerate(rules) if rule.id == rule_id), None)
    if index is None:
        return False

    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for number, rule in enumerate(rules, start=1):
        rule.position = number * 10
    session.commit()
    log.info("routing rule %s moved %s by %s", rule_id, direction,
             getattr(actor, "username", "system"))
    return True
