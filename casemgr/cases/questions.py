"""A category's extra questions, and checking and keeping a report's answers to them."""

import json
import logging
import math
import re
from datetime import datetime

from sqlalchemy import select

from casemgr.cases.models import QUESTION_DATATYPES, CaseAnswer, CategoryQuestion
from casemgr.db import session

log = logging.getLogger(__name__)

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_ANSWER = 2000


class QuestionError(Exception):
    """A question definition that cannot be stored; `fields` maps field to message."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


# -- defining ------------------------------------------------------------------------------


def questions_of(category):
    query = select(CategoryQuestion).where(CategoryQuestion.category_id == category.id)
    return list(session.scalars(query.order_by(CategoryQuestion.position,
                                               CategoryQuestion.id)))


def choices_of(question):
    """The [key, name] pairs of a list question."""
    return [tuple(pair) for pair in json.loads(question.choices or "[]")]


def _checked_choices(datatype, choices, errors):
    if datatype not in LIST_TYPES:
        return []
    pairs = []
    for choice in choices or []:
        if isinstance(choice, dict):
            choice = (choice.get("key"), choice.get("name"))
        if not isinstance(choice, list | tuple) or len(choice) != 2:
            errors["values"] = "give each value as {key, name}"
            return []
        key, name = (str(part).strip() if part is not None else "" for part in choice)
        if not key or not name or len(key) > 80 or len(name) > 200:
            errors["values"] = "each value needs a key (<= 80) and a name (<= 200)"
            return []
        pairs.append([key, name])
    if not pairs:
        errors["values"] = "a list question needs at least one value"
    elif len({key for key, _ in pairs}) != len(pairs):
        errors["values"] = "the keys must differ"
    return pairs


def _check_definition(category, code, prompt, datatype, position, choices):
    errors = {}
    if not code or not CODE.match(code):
        errors["code"] = "1 to 40 letters, digits, dots, dashes or underscores"
    elif any(q.code == code for q in questions_of(category)):
        errors["code"] = f"{category.code} already has a question {code}"
    if not (prompt or "").strip() or len(prompt) > 1000:
        errors["description"] = "required, at most 1000 characters"
    if datatype not in QUESTION_DATATYPES:
        errors["datatype"] = f"one of {', '.join(QUESTION_DATATYPES)}"
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 999:
        errors["order"] = "a whole number from 1 to 999"
    pairs = _checked_choices(datatype, choices, errors)
    if errors:
        raise QuestionError(errors)
    return pairs


def define(category, code, prompt, datatype="string", *, is_required=False, is_variable=True,
           position=1, choices=(), datatype_description="", actor=None):
    """Add an extra question to a category; raise QuestionError when it is not valid."""
    pairs = _check_definition(category, code, prompt, datatype, position, choices)
    question = CategoryQuestion(
        category_id=category.id,
        code=code,
        prompt=prompt.strip(),
        datatype=datatype,
        datatype_description=(datatype_description or "").strip()[:300],
        is_required=bool(is_required) and bool(is_variable),
        is_variable=bool(is_variable),
        position=position,
        choices=json.dumps(pairs, ensure_ascii=False),
    )
    session.add(question)
    session.commit()
    log.info("question %s added to %s by %s", code, category.code,
             getattr(actor, "username", "system"))
    return question


def remove(category, code, actor=None):
    """Delete a category's question; True when there was one. Stored answers stay."""
    question = session.scalar(select(CategoryQuestion).where(
        CategoryQuestion.category_id == category.id, CategoryQuestion.code == code))
    if question is None:
        return False
    session.delete(question)
    session.commit()
    log.info("question %s removed from %s by %s", code, category.code,
             getattr(actor, "username", "system"))
    return True


# -- answering -------------------------------------------------------------------------------


def _is_number(value):
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_datetime(value):
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _checked_value(question, value):
    """Return the answer as stored text; raise ValueError with the reason."""
    value = value.strip()
    if len(value) > MAX_ANSWER:
        raise ValueError(f"at most {MAX_ANSWER} characters")
    if question.datatype == "number" and not _is_number(value):
        raise ValueError("not a number")
    if question.datatype == "datetime" and not _is_datetime(value):
        raise ValueError("not an ISO 8601 date and time")
    if question.datatype == "string" and "\n" in value:
        raise ValueError("a single line is expected")
    if question.datatype in LIST_TYPES and value not in dict(choices_of(question)):
        raise ValueError(f"{value!r} is not one of the listed keys")
    return value


def _answer_one(question, values, errors):
    values = [v for v in values if v.strip()]
    if not values:
        if question.is_required:
            errors[question.code] = "required"
        return []
    if len(values) > 1 and question.datatype != "multivaluelist":
        errors[question.code] = "takes one value"
        return []
    try:
        return [(question.code, _checked_value(question, v)) for v in values]
    except ValueError as exc:
        errors[question.code] = str(exc)
        return []


def check_answers(category, given):
    """Check answers (code -> list of values) against the category's questions.

    Returns (answers, errors): answers as (code, value) pairs, errors as code -> message.
    """
    questions = {q.code: q for q in questions_of(category) if q.is_variable}
    errors = {code: "no such question" for code in given if code not in questions}
    answers = []
    for code, question in questions.items():
        answers += _answer_one(question, given.get(code, []), errors)
    return answers, errors


def store_answers(case, answers):
    """Keep a report's checked answers in the current transaction."""
    for code, value in answers:
        session.add(CaseAnswer(case_id=case.id, question_code=code, value=value))


def answers_of(case_id):
    query = select(CaseAnswer).where(CaseAnswer.case_id == case_id).order_by(CaseAnswer.id)
    return list(session.scalars(query))

