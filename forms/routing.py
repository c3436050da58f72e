"""Forms of the process owners' routing pages: a rule, a test point, a category's process."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from casemgr.cases.time_windows import WEEKDAYS
from casemgr.labels import DAY_NAMES
from forms.tasks import options

DAY_CHOICES = options(*((name, DAY_NAMES[name]) for name in WEEKDAYS.values()))


class DayBoxes(SelectMultipleField):
    """Weekdays as a row of tick boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoutingRuleForm(FlaskForm):
    """Category x district, optionally a time of day, -> unit."""

    category = SelectField(_l("Category"), choices=[], default="")
    district = SelectField(_l("District"), choices=[], default="")
    unit = SelectField(_l("Unit"), choices=[], validators=[DataRequired(_l("Choose the unit."))])
    time_from = StringField(_l("From (city time)"), validators=[Optional()],
                            description=_l("HH:MM; leave both times empty for any time of day"))
    time_to = StringField(_l("Until"), validators=[Optional()],
                          description=_l("HH:MM, excluded; earlier than From wraps midnight"))
    weekdays = DayBoxes(_l("On"), choices=DAY_CHOICES, default=[],
                        description=_l("Days the window opens on; none ticked means every day"))
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(0, 10**6)],
                            description=_l("Lower goes first; empty puts the rule last"))

    def bind(self, categories, districts, units):
        self.category.choices = options(("", _l("Any category")), *categories)
        self.district.choices = options(("", _l("Any district")), *districts)
        self.unit.choices = options(("", _l("Choose a unit")), *units)


class RoutingTestForm(FlaskForm):
    """A point, a category and an optional filing moment to try the rules on."""

    category = SelectField(_l("Category"), choices=[],
                           validators=[DataRequired(_l("Choose the category."))])
    lat = DecimalField(_l("Latitude"), places=6,
                       validators=[InputRequired(_l("Click the map or give the latitude.")),
                                   NumberRange(-90, 90)])
    lon = DecimalField(_l("Longitude"), places=6,
                       validators=[InputRequired(_l("Click the map or give the longitude.")),
                                   NumberRange(-180, 180)])
    at = DateTimeLocalField(_l("Filed at (city time)"), format="%Y-%m-%dT%H:%M",
                            validators=[Optional()], description=_l("Empty means now"))

    def bind(self, categories):
        self.category.choices = options(("", _l("Choose a category")), *categories)


class CategoryProcessForm(FlaskForm):
    """The process one category's new cases run on."""

    category = StringField(validators=[DataRequired()])
    process_key = SelectField(_l("Process"), choices=[], validate_choice=False,
                              validators=[DataRequired(_l("Choose a process."))])

    def bind(self, process_keys):
        self.process_key.choices = options(*((key, key) for key in process_keys))
