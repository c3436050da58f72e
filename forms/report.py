"""The citizen's pages: report a problem, track a report by its reference."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import NumberInput

from casemgr.cases import service_area
from casemgr.cases.service import EMAIL, MAX_DESCRIPTION
from forms.tasks import options

#: Intake error keys from cases.service that name a field of ReportForm differently.
INTAKE_FIELDS = {"photo": "photos"}


class ReportForm(FlaskForm):
    category = SelectField(_l("What is the problem?"), choices=[], validators=[InputRequired()])
    description = TextAreaField(
        _l("Describe it"), validators=[DataRequired(), Length(max=MAX_DESCRIPTION)]
    )
    lat = FloatField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(min=-90, max=90)],
        widget=NumberInput(step="any"),
    )
    lon = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(min=-180, max=180)],
        widget=NumberInput(step="any"),
    )
    address = StringField(_l("Address or landmark"), validators=[Optional(), Length(max=300)])
    photos = MultipleFileField(_l("Photos"))
    reporter_name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    reporter_email = StringField(
        _l("Your email"),
        validators=[
            Optional(), Length(max=200), Regexp(EMAIL, message=_l("Not an email address."))
        ],
    )
    anonymous = BooleanField(_l("Report anonymously"))
    email_updates = BooleanField(_l("Send me an email when my report changes"))
    #: One random value per form shown: the same form sent twice files one case.
    submission = HiddenField(validators=[Optional(), Length(max=64)])

    def bind_categories(self, categories):
        self.category.choices = options(("", _l("Choose a category")), *categories)

    def validate(self, extra_validators=None):
        is_valid = super().validate(extra_validators)
        if self.lat.errors or self.lon.errors:
            return False
        if (self.lat.data is None) != (self.lon.data is None):
            missing = self.lat if self.lat.data is None else self.lon
            missing.errors.append(_l("Give both latitude and longitude, or click the map."))
            return False
        if self.lat.data is None and not (self.address.data or "").strip():
            self.address.errors.append(_l("Click the place on the map or give an address."))
            return False
        if self.lat.data is not None and not service_area.holds(self.lat.data, self.lon.data):
            self.lat.errors.append(_l(
                "This place is outside the city's service area. Click a place in the city."))
            return False
        return is_valid

    def show_intake_errors(self, errors):
        """Put the errors cases.service found on the matching fields."""
        for name, message in errors.items():
            field = getattr(self, INTAKE_FIELDS.get(name, name), None) or self.description
            field.errors = [*field.errors, message]


class TrackForm(FlaskForm):
    class Meta:
        csrf = False

    reference = StringField(
        _l("Reference"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"placeholder": "CM-"},
    )
