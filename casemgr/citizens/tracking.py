"""What the tracking page adds for citizens: status text, promise, followers, ratings."""

from casemgr.citizens import service, texts
from forms.citizens import EmailUpdatesForm, MeTooForm, RatingForm


def page_context(case, user, is_reporter, key):
    """Template values of the citizen's parts of /track/<reference>."""
    follower = _follower(case, user, is_reporter)
    average, count = service.rating_summary(case.id)
    return {
        "status_text": texts.status_text(case),
        "promise": texts.service_promise(case.category),
        "me_too_count": service.me_too_count(case.id),
        "merged_into": service.merged_into(case),
        "follower": follower,
        "can_me_too": case.is_open and case.duplicate_of_id is None and not is_reporter
        and not getattr(user, "is_staff", False)
        and (follower is None or not follower.is_me_too),
        "me_too_form": MeTooForm(formdata=None),
        "email_form": EmailUpdatesForm(formdata=None, wants_email=bool(follower and
                                                                     follower.wants_email),
                                       key=key if user is None else None),
        "rating_average": average,
        "rating_count": count,
        "can_rate": service.can_rate(case, user) and not service.has_rated(case.id, user),
        "rating_form": RatingForm(formdata=None),
    }


def _follower(case, user, is_reporter):
    if user is not None:
        return service.find_follower(case, user)
    if is_reporter:
        return service.reporter_follower(case)
    return None
