"""WTForms' own messages in the page's language: WTForms ships no Indonesian catalog.

The texts below are WTForms' English messages, listed here so that `make translations`
extracts them into our catalog. FormTranslations hands WTForms our catalog's words for them;
a message missing from the catalog stays in English.
"""

from flask import has_request_context
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

# Named ngettext so that the extractor's default keywords take both forms; never evaluated.
from flask_babel import lazy_ngettext as ngettext

#: The WTForms messages our forms can show (validators and field parsing).
MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
)

PLURAL_MESSAGES = (
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1),
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1),
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 1),
)


class FormTranslations:
    """The gettext pair WTForms asks for (Meta.get_translations), served from our catalog."""

    def gettext(self, string):
        if not has_request_context():
            return string
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        if not has_request_context():
            return singular if n == 1 else plural
        return get_translations().ungettext(singular, plural, n)


def init_app(app):
    """Let every form of the app use our catalog for WTForms' own messages."""
    from flask_wtf import FlaskForm

    translations = FormTranslations()

    def get_translations_of(meta, form):
        if not app.config.get("WTF_I18N_ENABLED", True):
            return None
        return translations

    FlaskForm.Meta.get_translations = get_translations_of
