"""The errors of one Open311 call, answered in the standard's error list."""


class Errors:
    """The errors of one call, collected as (HTTP status, description) pairs."""

    def __init__(self):
        self.items = []

    def add(self, description, status=400):
        self.items.append((status, description))

    def __bool__(self):
        return bool(self.items)

    def raise_any(self):
        if self.items:
            raise Open311Error(self.items)


class Open311Error(Exception):
    """A refused call; `errors` holds (HTTP status, description) pairs.

    The answer's status is the gravest: 403 before 404, then 429 and 413; else 400.
    """

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(description for _, description in self.errors))

    @property
    def status(self):
        statuses = {status for status, _ in self.errors}
        for status in (403, 404, 429, 413):
            if status in statuses:
                return status
        return 400
