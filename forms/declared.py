"""Forms that a BPMN user task declares inline with its `fields` property.

The property lists fields separated by commas, each `name:type`, with `!` after the
type for a required field and `(a|b|c)` for the choices of a select:

    fields = "reason:textarea!, crew_size:integer, surface:select(asphalt|gravel)!"

Types: text, textarea, integer, decimal, boolean, select, date, photo.
"""

import re
from functools import lru_cache

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.tasks import TaskForm, options

FIELD = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]{0,59}):(?P<type>[a-z]+)(?P<choices>\([^()]*\))?(?P<required>!)?$"
)
TYPES = ("text", "textarea", "integer", "decimal", "boolean", "select", "date", "photo")
RESERVED = {"csrf_token", "case_version", "meta", "data", "errors"}


class FieldSpecError(ValueError):
    """A `fields` property that does not describe a form."""


def parse(spec):
    """Return [(name, type, required, choices)] for a `fields` property; raise on errors."""
    fields = []
    seen = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        match = FIELD.match(part)
        if match is None:
            raise FieldSpecError(f"{part!r} is not name:type[(choices)][!]")
        name, kind = match["name"], match["type"]
        if kind not in TYPES:
            raise FieldSpecError(f"{name}: unknown type {kind!r}; use one of {', '.join(TYPES)}")
        if name in seen or name in RESERVED:
            raise FieldSpecError(f"{name}: the name is used twice or reserved")
        choices = [c.strip() for c in (match["choices"] or "()")[1:-1].split("|") if c.strip()]
        if (kind == "select") != bool(choices):
            raise FieldSpecError(f"{name}: only a select has choices, and it needs them")
        seen.add(name)
        fields.append((name, kind, bool(match["required"]), tuple(choices)))
    if not fields:
        raise FieldSpecError("the fields property lists no field")
    return fields


def _field(name, kind, required, choices):
    label = name.replace("_", " ").capitalize()
    needed = [InputRequired() if kind in ("select", "integer", "decimal") else DataRequired()]
    validators = needed if required else [Optional()]
    if kind == "text":
        return StringField(label, validators=validators + [Length(max=500)])
    if kind == "textarea":
        return TextAreaField(label, validators=validators + [Length(max=4000)])
    if kind == "integer":
        return IntegerField(label, validators=validators)
    if kind == "decimal":
        return DecimalField(label, validators=validators)
    if kind == "boolean":
        return BooleanField(label)
    if kind == "date":
        return DateField(label, validators=validators)
    if kind == "select":
        return SelectField(
            label, choices=options(*((c, c) for c in choices)), validators=validators
        )
    return FileField(label)


class DeclaredForm(TaskForm):
    """Base of forms built from a `fields` property."""

    def engine_values(self):
        values = super().engine_values()
        # The engine stores JSON: decimals and dates go in as float and ISO text.
        for name, value in values.items():
            if hasattr(value, "isoformat"):
                values[name] = value.isoformat()
            elif value is not None and type(value).__name__ == "Decimal":
                values[name] = float(value)
        return values


@lru_cache(maxsize=128)
def form_class(spec):
    """Build (once per distinct property text) the WTForm class for a `fields` property."""
    fields = parse(spec)
    attributes = {
        name: _field(name, kind, required, choices) for name, kind, required, choices in fields
    }
    attributes["file_fields"] = tuple(name for name, kind, _r, _c in fields if kind == "photo")
    return type("DeclaredTaskForm", (DeclaredForm,), attributes)
