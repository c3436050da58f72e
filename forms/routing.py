"""Forms of the process owners' routing pages: a rule, a test point, a category's process."""

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
from forms.tasks import options

DAY_CHOICES = options(*((name, name.capitalize()) for name in WEEKDAYS.values()))


class DayBoxes(SelectMultipleField):
    """Weekdays as a row of tick boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoutingRuleForm(FlaskForm):
    """Category x district, optionally a time of day, -> unit."""

    category = SelectField("Category", choices=[], default="")
    district = SelectField("District", choices=[], default="")
    unit = SelectField("Unit", choices=[], validators=[DataRequired("Choose the unit.")])
    time_from = StringField("From (city time)", validators=[Optional()],
                            description="HH:MM; leave both times empty for any time of day")
    time_to = StringField("Until", validators=[Optional()],
                          description="HH:MM, excluded; earlier than From wraps midnight")
    weekdays = DayBoxes("On", choices=DAY_CHOICES, default=[],
                        description="Days the window opens on; none ticked means every day")
    position = IntegerField("Position", validators=[Optional(), NumberRange(0, 10**6)],
                            description="Lower goes first; empty puts the rule last")

    def bind(self, categories, districts, units):
        self.category.choices = options(("", "Any category"), *categories)
        self.district.choices = options(("", "Any district"), *districts)
        self.unit.choices = options(("", "Choose a unit"), *units)


class RoutingTestForm(FlaskForm):
    """A point, a category and an optional filing moment to try the rules on."""

    category = SelectField("Category", choices=[],
                           validators=[DataRequired("Choose the category.")])
    lat = DecimalField("Latitude", places=6,
                       validators=[InputRequired("Click the map or give the latitude."),
                                   NumberRange(-90, 90)])
    lon = DecimalField("Longitude", places=6,
                       validators=[InputRequired("Click the map or give the longitude."),
                                   NumberRange(-180, 180)])
    at = DateTimeLocalField("Filed at (city time)", format="%Y-%m-%dT%H:%M",
                            validators=[Optional()], description="Empty means now")

    def bind(self, categories):
        self.category.choices = options(("", "Choose a category"), *categories)


class CategoryProcessForm(FlaskForm):
    """The process one category's new cases run on."""

    category = StringField(validators=[DataRequired()])
    process_key = SelectField("Process", choices=[], validate_choice=False,
                              validators=[DataRequired("Choose a process.")])

    def bind(self, process_keys):
        self.process_key.choices = options(*((key, key) for key in process_keys))
