"""The admin page of a category's extra questions: list, add, remove."""

import logging
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casemgr.cases import questions, service
from forms.questions import QuestionForm, RemoveForm

log = logging.getLogger(__name__)

bp = Blueprint("questions", __name__, url_prefix="/admin/questions")


def for_admins(view):
    @wraps(view)
    @login_required
    def checked(*args, **kwargs):
        if not current_user.has_role("admin"):
            abort(403, _("Extra questions are managed by admins."))
        return view(*args, **kwargs)

    return checked


def _category_or_404(code):
    category = service.category_by_code(code)
    if category is None:
        abort(404, _("There is no category %(code)s.", code=code))
    return category


@bp.get("")
@for_admins
def first_category():
    categories = service.categories(active_only=False)
    if not categories:
        abort(404, _("There are no categories yet."))
    return redirect(url_for("questions.category_questions", code=categories[0].code))


@bp.route("/<code>", methods=["GET", "POST"])
@for_admins
def category_questions(code):
    category = _category_or_404(code)
    form = QuestionForm()
    if form.validate_on_submit() and _add(category, form):
        flash(_("Question %(code)s added to %(category)s.", code=form.code.data,
                category=category.name))
        return redirect(url_for("questions.category_questions", code=code))

    page = render_template(
        "cases/questions.html", category=category, form=form, remove_form=RemoveForm(),
        categories=service.categories(active_only=False),
        questions=questions.questions_of(category), choices_of=questions.choices_of)
    return page, 422 if form.errors else 200


def _add(category, form):
    """Define the form's question; a refusal goes on the form's fields."""
    try:
        questions.define(category, form.code.data.strip(), form.description.data,
                         form.datatype.data, is_required=form.is_required.data,
                         is_variable=form.is_variable.data, position=form.order.data,
                         choices=form.choice_pairs(), actor=current_user)
    except questions.QuestionError as exc:
        for name, message in exc.fields.items():
            field = form.choices if name == "values" else getattr(form, name, form.code)
            field.errors.append(message)
        return False
    return True


@bp.post("/<code>/<question_code>/remove")
@for_admins
def remove(code, question_code):
    category = _category_or_404(code)
    if not RemoveForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))
    if not questions.remove(category, question_code, current_user):
        abort(404, _("%(category)s has no question %(code)s.", category=category.name,
                     code=question_code))
    flash(_("Question %(code)s removed from %(category)s.", code=question_code,
            category=category.name))
    return redirect(url_for("questions.category_questions", code=code))
