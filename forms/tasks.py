"""The forms that BPMN user tasks name with their `form` property.

Each form turns submitted values into the plain data handed to the engine through
`engine_values()`. Choices that depend on the case (categories, officers) are filled in
by `bind_choices()` before validation.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)


def options(*pairs):
    """Select choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class TaskForm(FlaskForm):
    """Base for task forms; subclasses list the fields the diagram relies on."""

    #: Names of file fields, sent to the task as photos rather than engine data.
    file_fields = ()
    #: File fields the task cannot be completed without (checked by tasks.service, since
    #: the photos are checked apart from the form).
    required_files = ()

    def bind_choices(self, choices):
        """Fill select fields from a dict of field name -> [(value, label)]."""
        for name, choices_for in choices.items():
            field = getattr(self, name, None)
            if field is not None:
                field.choices = options(*choices_for)

    def engine_values(self):
        """Return the submitted values as the engine's task data."""
        values = {}
        for field in self:
            if field.name == "csrf_token" or field.name in self.file_fields:
                continue
            values[field.name] = field.data
        return values


def _blank_to_none(value):
    return value or None


class TriageForm(TaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=options(
            ("accept", _l("Accept")),
            ("reject", _l("Reject")),
            ("duplicate", _l("Duplicate")),
            ("ask", _l("Ask the reporter a question")),
        ),
        validators=[InputRequired()],
    )
    category = SelectField(_l("Category"), choices=[], validators=[Optional()])
    priority = SelectField(
        _l("Priority"),
        choices=options(("normal", _l("Normal")), ("low", _l("Low")), ("high", _l("High"))),
        default="normal",
    )
    note = TextAreaField(
        _l("Note (the citizen sees it when the case is closed)"), validators=[Length(max=2000)]
    )

    question = TextAreaField(
        _l("Question for the reporter (the SLA clock pauses until the answer)"),
        validators=[Length(max=2000)],
    )

    def validate_note(self, field):
        if self.decision.data in ("reject", "duplicate") and not (field.data or "").strip():
            raise ValidationError(
                _l("Give the reason the citizen will see for a reject or duplicate.")
            )

    def validate_question(self, field):
        if self.decision.data == "ask" and not (field.data or "").strip():
            raise ValidationError(_l("Write the question the reporter should answer."))


class AnswerForm(TaskForm):
    answer = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=4000)])


class AssignForm(TaskForm):
    assignee = SelectField(_l("Field officer"), choices=[], validators=[InputRequired()])


class ResolveForm(TaskForm):
    file_fields = ("resolution_photo",)
    required_files = ("resolution_photo",)

    resolution_note = TextAreaField(
        _l("What was done"), validators=[DataRequired(), Length(max=4000)]
    )
    resolution_photo = MultipleFileField(_l("Photos of the fix"))


class VerifyForm(TaskForm):
    fixed = SelectField(
        _l("Is it fixed?"),
        choices=options(("true", _l("Yes, it is fixed")), ("false", _l("No, it is not fixed"))),
        validators=[InputRequired()],
    )
    rating = IntegerField(_l("Rating (1-5)"), validators=[Optional(), NumberRange(min=1, max=5)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])

    def engine_values(self):
        values = super().engine_values()
        values["fixed"] = self.fixed.data == "true"
        return values


class EscalationForm(TaskForm):
    action = SelectField(
        _l("Action"),
        choices=options(
            ("reassign", _l("Reassign")),
            ("extend", _l("Extend the due moment")),
            ("close", _l("Close the case")),
        ),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason (the citizen sees it if the case is closed)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    extend_hours = IntegerField(
        _l("Extend by (hours)"), validators=[Optional(), NumberRange(min=1, max=24 * 90)]
    )
    unit = SelectField(
        _l("Move to unit"), choices=[], validators=[Optional()], filters=[_blank_to_none]
    )

    def validate_unit(self, field):
        if field.data and self.action.data != "reassign":
            raise ValidationError(_l("A new unit can only be chosen when reassigning."))


class ValidateResolutionForm(TaskForm):
    verdict = SelectField(
        _l("Verdict"),
        choices=options(
            ("confirm", _l("Confirm the fix: close the case")),
            ("reject", _l("Send it back to the unit")),
        ),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason (the unit sees it when the resolution is sent back)"),
        validators=[Length(max=2000)],
    )

    def validate_reason(self, field):
        if self.verdict.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the resolution goes back to the unit."))


#: Form name (the task's `form` property) -> form class.
TASK_FORMS = {
    "triage": TriageForm,
    "assign": AssignForm,
    "resolve": ResolveForm,
    "verify": VerifyForm,
    "handle_escalation": EscalationForm,
    "answer_question": AnswerForm,
    "validate_resolution": ValidateResolutionForm,
}


def describe(form):
    """Describe a form's fields as plain data for the JSON API, in English (a contract)."""
    with force_locale("en"):
        return _described(form)


def _described(form):
    fields = []
    for field in form:
        if field.name == "csrf_token":
            continue
        entry = {
            "name": field.name,
            "label": str(field.label.text),
            "type": field.type,
            "required": field.name in form.required_files or any(
                isinstance(v, (DataRequired, InputRequired)) for v in field.validators
            ),
        }
        if hasattr(field, "choices") and field.choices is not None:
            entry["choices"] = [choice.value for choice in field.choices]
        fields.append(entry)
    return fields


class GenericTaskForm(TaskForm):
    """Used by a user task that names no form: it only takes a note."""

    note = StringField(_l("Note"), validators=[Length(max=2000)])
