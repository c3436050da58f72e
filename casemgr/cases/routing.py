"""Pick the responsible unit for a category and district, by ordered rules."""

import logging

from sqlalchemy import or_, select

from casemgr.cases.models import RoutingRule
from casemgr.db import session

log = logging.getLogger(__name__)


def matching_rule(category, district):
    """The first rule, by position, that matches the category and district; or None."""
    district_id = district.id if district is not None else None
    query = (
        select(RoutingRule)
        .where(or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category.id))
        .where(or_(RoutingRule.district_id.is_(None), RoutingRule.district_id == district_id))
        .order_by(RoutingRule.position, RoutingRule.id)
        .limit(1)
    )
    return session.scalar(query)


def unit_for(category, district):
    """Return the unit of the first matching routing rule, else the category's own unit."""
    rule = matching_rule(category, district)
    return rule.unit if rule is not None else category.unit


def add_rule(unit, category=None, district=None, position=100, actor=None):
    rule = RoutingRule(
        unit_id=unit.id,
        category_id=category.id if category else None,
        district_id=district.id if district else None,
        position=position,
    )
    session.add(rule)
    session.flush()
    log.info("routing rule %s added by %s: %s x %s -> %s at %s", rule.id,
             getattr(actor, "username", "system"), getattr(category, "code", "*"),
             getattr(district, "code", "*"), unit.code, position)
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
