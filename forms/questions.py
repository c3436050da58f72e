"""Form of the admin page of a category's extra questions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from casemgr.cases.models import QUESTION_DATATYPES
from forms.tasks import options


class QuestionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Give the code.")), Length(max=40)],
                       description=_l("Clients send the answer as attribute[CODE]"))
    description = TextAreaField(_l("Question"), validators=[
        DataRequired(_l("Give the question.")), Length(max=1000)])
    datatype = SelectField(
        _l("Answer type"), choices=options(*((d, d) for d in QUESTION_DATATYPES))
    )
    is_required = BooleanField(_l("An answer is required"))
    is_variable = BooleanField(_l("Takes an answer (untick for a line of information)"),
                               default=True)
    order = IntegerField(_l("Order"), default=1, validators=[NumberRange(1, 999)])
    choices = TextAreaField(_l("Values"), validators=[Length(max=5000)],
                            description=_l("For the list types: one per line, key = name"))

    def choice_pairs(self):
        """The values field as [key, name] pairs; a line without '=' is its own name."""
        pairs = []
        for line in (self.choices.data or "").splitlines():
            if line.strip():
                key, _, name = line.partition("=")
                pairs.append([key.strip(), (name or key).strip()])
        return pairs


class RemoveForm(FlaskForm):
    """Only the CSRF token: the question is in the URL."""
