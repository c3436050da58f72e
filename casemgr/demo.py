"""Demo data: Boston's units, neighborhoods, categories and one user per role and unit."""

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from casemgr.accounts import service as accounts
from casemgr.accounts.models import User
from casemgr.cases import districts, routing
from casemgr.cases.models import Category, RoutingRule
from casemgr.db import session
from casemgr.processes import service as processes

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-pass-2026"

#: code -> name of the city units in the Boston demo.
UNITS = {
    "cc311": "311 Contact Centre",
    "water": "Water and Sewer",
    "sanitation": "Public Works: Sanitation",
    "sanitation-east": "Public Works: Sanitation, East Boston",
    "lighting": "Public Works: Street Lighting",
    "highway": "Public Works: Highway Maintenance",
    "transport": "Transportation Department",
    "inspections": "Inspectional Services",
    "parks": "Parks and Recreation",
}

#: code, name, unit, SLA (amount, unit), description. Indonesian practice by default:
#: seven working days to resolve with a red flag at day six; floods and snow run 24/7.
CATEGORIES = [
    ("drains", "Clogged drain", "water", (7, "working_days"),
     "Blocked drains, gutters and catch basins"),
    ("floods", "Flooding", "water", (24, "calendar_hours"), "Standing water and flooded streets"),
    ("waste", "Uncollected waste", "sanitation", (7, "working_days"),
     "Missed pickups, litter, dumping"),
    ("street_lights", "Broken street light", "lighting", (7, "working_days"),
     "Lights out or damaged"),
    ("roads", "Damaged road", "highway", (7, "working_days"), "Potholes, sidewalks, manholes"),
    ("snow", "Snow and ice", "highway", (48, "calendar_hours"),
     "Unplowed streets and icy sidewalks"),
    ("traffic", "Traffic and parking", "transport", (7, "working_days"),
     "Signals, signs, parking"),
    ("environment", "Public health nuisance", "inspections", (7, "working_days"),
     "Rodents, dead animals, needles"),
    ("housing", "Property conditions", "inspections", (7, "working_days"),
     "Unsafe or neglected property"),
    ("parks", "Parks and trees", "parks", (7, "working_days"), "Park grounds and street trees"),
    ("graffiti", "Graffiti", "sanitation", (7, "working_days"), "Graffiti on public property"),
    ("other", "Other", "cc311", (7, "working_days"), "Anything else"),
]

#: City-wide roles and their demo usernames; unit roles get one user per unit below.
CITY_USERS = [
    ("triage", ["triage_officer"], "cc311", "Tri Age"),
    ("escalation", ["escalation_manager"], "cc311", "Esca Lation"),
    ("owner", ["process_owner"], None, "Process Owner"),
    ("admin", ["admin"], None, "Admin"),
    ("citizen", ["citizen"], None, "Siti Warga"),
]


def demo_data_dir():
    return Path(current_app.config["DATA_DIR"])


def seed():
    """Create the demo city; running it again adds nothing twice. Returns the logins."""
    accounts.ensure_roles()
    processes.deploy_directory(current_app.config["WORKFLOW_DIR"])
    units = {code: accounts.ensure_unit(code, name) for code, name in UNITS.items()}
    districts.load_geojson(demo_data_dir() / "boston-neighborhoods.geojson", "Name")
    _seed_categories(units)
    _seed_rules(units)

    logins = []
    for username, roles, unit_code, full_name in CITY_USERS:
        logins.append(_user(username, roles, units.get(unit_code), full_name))
    for code, unit in units.items():
        if code == "cc311":
            continue
        logins.append(_user(f"sup-{code}", ["unit_supervisor"], unit, f"Supervisor {code}"))
        logins.append(_user(f"officer-{code}", ["field_officer"], unit, f"Officer {code}"))
    session.commit()
    return logins


def _seed_categories(units):
    for code, name, unit_code, (amount, sla_unit), description in CATEGORIES:
        if session.scalar(select(Category).where(Category.code == code)) is not None:
            continue
        session.add(Category(
            code=code, name=name, unit=units[unit_code], description=description,
            sla_amount=amount, sla_unit=sla_unit,
            # The red flag at day six of seven; a 24/7 category is flagged at 80%.
            at_risk_amount=amount - 1 if sla_unit == "working_days" else None,
            escalate_after_hours=8 if sla_unit == "working_days" else 4,
            triage_days=1, forward_days=3, followup_days=5, question_days=5,
        ))
    session.flush()


def _seed_rules(units):
    if session.scalar(select(RoutingRule).limit(1)) is not None:
        return
    waste = session.scalar(select(Category).where(Category.code == "waste"))
    east = districts.find_by_name("East Boston")
    if east is not None:
        routing.add_rule(units["sanitation-east"], waste, east, position=10)


def _user(username, roles, unit, full_name):
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = accounts.create_user(
            username,
            DEMO_PASSWORD,
            roles,
            unit=unit,
            full_name=full_name,
            email=f"{username}@demo.invalid",
        )
    return {
        "username": username,
        "password": DEMO_PASSWORD,
        "roles": sorted(user.role_keys),
        "unit": unit.code if unit else None,
    }
