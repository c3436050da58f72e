"""A category's extra questions in the staff API: anyone reads them, admins define them."""

import logging

from flask import jsonify

from casemgr.api import bp, json_body, require_user
from casemgr.api.errors import ApiError
from casemgr.cases import questions, service

log = logging.getLogger(__name__)


def question_dict(question):
    return {
        "code": question.code,
        "description": question.prompt,
        "datatype": question.datatype,
        "datatype_description": question.datatype_description or None,
        "required": question.is_required,
        "variable": question.is_variable,
        "order": question.position,
        "values": [{"key": k, "name": n} for k, n in questions.choices_of(question)],
    }


def _category(code):
    category = service.category_by_code(code)
    if category is None:
        raise ApiError(404, "not_found", f"no category {code!r}")
    return category


@bp.get("/categories/<code>/questions")
def list_questions(code):
    category = _category(code)
    return jsonify({"items": [question_dict(q) for q in questions.questions_of(category)]})


def _flag(payload, name, default):
    value = payload.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(422, "invalid", "the question has errors", {name: "true or false"})
    return value


@bp.post("/categories/<code>/questions")
def add_question(code):
    user = require_user("admin")
    category = _category(code)
    payload = json_body()
    texts = {name: payload.get(name) for name in ("code", "description", "datatype",
                                                  "datatype_description")}
    bad = {name: "must be text" for name, value in texts.items()
           if value is not None and not isinstance(value, str)}
    if bad:
        raise ApiError(422, "invalid", "the question has errors", bad)
    try:
        question = questions.define(
            category, texts["code"], texts["description"] or "", texts["datatype"] or "string",
            is_required=_flag(payload, "required", False),
            is_variable=_flag(payload, "variable", True),
            position=payload.get("order", 1), choices=payload.get("values") or [],
            datatype_description=texts["datatype_description"] or "", actor=user)
    except questions.QuestionError as exc:
        raise ApiError(422, "invalid", "the question has errors", exc.fields) from exc
    return jsonify(question_dict(question)), 201


@bp.delete("/categories/<code>/questions/<question_code>")
def delete_question(code, question_code):
    user = require_user("admin")
    if not questions.remove(_category(code), question_code, user):
        raise ApiError(404, "not_found", f"{code} has no question {question_code!r}")
    return "", 204
