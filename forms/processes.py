"""Forms of the process owners' version pages: comparing versions and migrating cases."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired

from forms.tasks import options


class DiffForm(FlaskForm):
    """Two versions of a process to compare (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    older = SelectField(_l("Compare version"), coerce=int, choices=[],
                        validators=[InputRequired(_l("Choose a version."))])
    newer = SelectField(_l("with version"), coerce=int, choices=[],
                        validators=[InputRequired(_l("Choose a version."))])

    def bind(self, numbers):
        choices = options(*((n, f"v{n}") for n in numbers))
        self.older.choices = choices
        self.newer.choices = list(choices)


class MigrationForm(FlaskForm):
    """Start moving the previewed cases to the target version."""

    version = IntegerField(_l("Target version"), validators=[InputRequired()])
