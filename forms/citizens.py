"""The citizen's small forms on the tracking page, and the staff's merge and status texts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from casemgr.cases.models import STATUSES
from casemgr.cases.service import EMAIL
from casemgr.citizens.models import LOCALES
from casemgr.citizens.service import MAX_STATUS_MESSAGE
from casemgr.labels import title_name
from forms.tasks import options


class MeTooForm(FlaskForm):
    email = StringField(
        _l("Your email, for updates"),
        validators=[
            Optional(), Length(max=200), Regexp(EMAIL, message=_l("Not an email address."))
        ],
        # A pasted address often brings a space along.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class ConfirmMeTooForm(FlaskForm):
    """The button on the page a confirmation link opens; the signed token rides along."""

    token = HiddenField(validators=[DataRequired()])


class EmailUpdatesForm(FlaskForm):
    wants_email = BooleanField(_l("Send me an email when this report changes"))
    key = HiddenField()


class RatingForm(FlaskForm):
    stars = RadioField(
        _l("How good is the fix?"),
        choices=options(*((str(n), str(n)) for n in range(1, 6))),
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
    )


class MergeForm(FlaskForm):
    original = StringField(
        _l("Reference of the original case"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"placeholder": "CM-"},
    )


class StatusMessageForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options(*((s, title_name(s)) for s in STATUSES)))
    category = SelectField(_l("Category"), choices=[])
    locale = SelectField(_l("Language"), choices=options(*((code, code) for code in LOCALES)))
    text = TextAreaField(
        _l("Message"),
        validators=[Optional(), Length(max=MAX_STATUS_MESSAGE)],
        description=_l("Leave empty to remove the message and use the next one down."),
    )

    def bind_categories(self, categories):
        self.category.choices = options(("", _l("Every category")), *categories)
