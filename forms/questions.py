"""Form of the admin page of a category's extra questions."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from casemgr.cases.models import QUESTION_DATATYPES
from forms.tasks import options


class QuestionForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Give the code."), Length(max=40)],
                       description="Clients send the answer as attribute[CODE]")
    description = TextAreaField("Question", validators=[
        DataRequired("Give the question."), Length(max=1000)])
    datatype = SelectField("Answer type", choices=options(*((d, d) for d in QUESTION_DATATYPES)))
    is_required = BooleanField("An answer is required")
    is_variable = BooleanField("Takes an answer (untick for a line of information)",
                               default=True)
    order = IntegerField("Order", default=1, validators=[NumberRange(1, 999)])
    choices = TextAreaField("Values", validators=[Length(max=5000)],
                            description="For the list types: one per line, key = name")

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
