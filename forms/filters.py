"""Filters of the staff lists: the task inbox and the case list (GET forms, no CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from casemgr.cases.models import STATUSES
from casemgr.labels import title_name
from forms.tasks import options


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField(_l("Category"), choices=[])

    def bind_categories(self, categories):
        self.category.choices = options(("", _l("All categories")), *categories)

    def chosen(self, name):
        """The filter's value, or None when it is blank or did not validate."""
        field = self[name]
        return None if field.errors or field.data in ("", None, False) else field.data


class InboxFilterForm(ListFilterForm):
    district = SelectField(_l("District"), choices=[])
    overdue = BooleanField(_l("Overdue only"))
    mine = BooleanField(_l("Mine only"))

    def bind_districts(self, districts):
        self.district.choices = options(("", _l("All districts")), *districts)


class CaseFilterForm(ListFilterForm):
    status = SelectField(
        _l("Status"),
        choices=options(("", _l("Any status")), *((s, title_name(s)) for s in STATUSES)),
    )
    unit = SelectField(_l("Unit"), choices=[])

    def bind_units(self, units):
        self.unit.choices = options(("", _l("All units")), *units)


class EscalationFilterForm(CaseFilterForm):
    district = SelectField(_l("District"), choices=[])
    level = SelectField(
        _l("Level"),
        choices=options(
            ("", _l("Any level")),
            ("0", _l("0: on time or at risk")),
            ("1", _l("1: breached")),
            ("2", _l("2: escalated")),
        ),
    )

    def bind_districts(self, districts):
        self.district.choices = options(("", _l("All districts")), *districts)
