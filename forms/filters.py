"""Filters of the staff lists: the task inbox and the case list (GET forms, no CSRF)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from casemgr.cases.models import STATUSES
from forms.tasks import options


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField("Category", choices=[])

    def bind_categories(self, categories):
        self.category.choices = options(("", "All categories"), *categories)

    def chosen(self, name):
        """The filter's value, or None when it is blank or did not validate."""
        field = self[name]
        return None if field.errors or field.data in ("", None, False) else field.data


class InboxFilterForm(ListFilterForm):
    district = SelectField("District", choices=[])
    overdue = BooleanField("Overdue only")
    mine = BooleanField("Mine only")

    def bind_districts(self, districts):
        self.district.choices = options(("", "All districts"), *districts)


class CaseFilterForm(ListFilterForm):
    status = SelectField(
        "Status", choices=options(("", "Any status"), *((s, s.title()) for s in STATUSES))
    )
    unit = SelectField("Unit", choices=[])

    def bind_units(self, units):
        self.unit.choices = options(("", "All units"), *units)


class EscalationFilterForm(CaseFilterForm):
    district = SelectField("District", choices=[])
    level = SelectField(
        "Level",
        choices=options(
            ("", "Any level"),
            ("0", "0: on time or at risk"),
            ("1", "1: breached"),
            ("2", "2: escalated"),
        ),
    )

    def bind_districts(self, districts):
        self.district.choices = options(("", "All districts"), *districts)
