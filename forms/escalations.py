"""Forms of the escalation pages: bulk actions on the dashboard and the calendar's days off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.tasks import options

#: The most working hours one extension may add (about two months of office days).
MAX_EXTEND_HOURS = 400


class BulkActionForm(FlaskForm):
    """Extend or reassign the ticked cases of the dashboard, with one reason for all."""

    case_ids = SelectMultipleField(_l("Cases"), coerce=int, validate_choice=False)
    action = SelectField(
        _l("Action"), choices=options(("extend", _l("Extend")), ("reassign", _l("Reassign")))
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=500)]
    )
    hours = IntegerField(
        _l("Working hours"),
        validators=[Optional(), NumberRange(1, MAX_EXTEND_HOURS)],
        description=_l("1 to %(max)s, counted on each case's unit calendar", max=MAX_EXTEND_HOURS),
    )
    unit = SelectField(_l("To unit"), choices=[], default="")
    officer = StringField(_l("Or to field officer"), validators=[Optional(), Length(max=80)])
    #: One random value per form shown: the same form sent twice acts once.
    submission = HiddenField(validators=[Optional(), Length(max=64)])

    def bind_units(self, units):
        self.unit.choices = options(("", _l("Keep the unit")), *units)

    def validate(self, extra_validators=None):
        is_valid = super().validate(extra_validators)
        if not self.case_ids.errors and not self.case_ids.data:
            self.case_ids.errors.append(_l("Tick at least one case."))
        if self.action.data == "extend":
            self._check_extend()
        elif self.action.data == "reassign":
            self._check_reassign()
        return is_valid and not any(field.errors for field in self)

    def _check_extend(self):
        if self.hours.data is None and not self.hours.errors:
            self.hours.errors.append(_l("Give the working hours to add."))

    def _check_reassign(self):
        if not self.unit.data and not self.officer.data:
            self.unit.errors.append(_l("Choose a unit or give a field officer's username."))
        elif self.unit.data and self.officer.data:
            self.unit.errors.append(_l("Choose a unit or a field officer, not both."))


class DayOffForm(FlaskForm):
    """A day the city, or one unit, does not work: collective leave, a local holiday."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the day a name.")), Length(max=200)]
    )
    unit = SelectField(_l("For"), choices=[], default="")

    def bind_units(self, units):
        self.unit.choices = options(("", _l("The whole city")), *units)
