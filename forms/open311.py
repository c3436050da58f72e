"""Forms of the Open311 admin page: a new client key, and revoking one."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Client name"),
        validators=[DataRequired(_l("Name the client.")), Length(max=80)],
        description=_l("For example: FixMyStreet, or the city's mobile app"),
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token: the key is in the URL."""
