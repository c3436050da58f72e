"""Pick the responsible unit for a category and district."""

from sqlalchemy import or_, select

from casemgr.cases.models import RoutingRule
from casemgr.db import session


def unit_for(category, district):
    """Return the unit of the first matching routing rule, else the category's own unit."""
    district_id = district.id if district is not None else None
    query = (
        select(RoutingRule)
        .where(or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category.id))
        .where(or_(RoutingRule.district_id.is_(None), RoutingRule.district_id == district_id))
        .order_by(RoutingRule.position, RoutingRule.id)
        .limit(1)
    )
    rule = session.scalar(query)
    return rule.unit if rule is not None else category.unit


def add_rule(unit, category=None, district=None, position=100):
    rule = RoutingRule(
        unit_id=unit.id,
        category_id=category.id if category else None,
        district_id=district.id if district else None,
        position=position,
    )
    session.add(rule)
    session.flush()
    return rule
