"""Size guards for diagram scripts: one C-level step must not build a huge value.

The line and bytecode budget of the sandbox only sees Python steps. A single `*`, `**`,
`<<`, `%` or string method runs in C and could ask for gigabytes or minutes before the
budget looks again. Scripts compile these operators into calls of `guarded_binop`, and
the few builtins and methods that grow values are wrapped to check their size first.
Forking a child with a memory rlimit per script was the other way. Measured on the dev
machine: a bare fork costs about 3 ms (more from a large worker process) against about
0.3 ms for a whole guarded script run in process; a case runs several scripts per step,
and forking a threaded gunicorn worker is unsafe. So the guards, plus the sandbox's
memory look every few thousand steps as the backstop.
"""

import operator
import re

#: Longest string, bytes, list or tuple a script may build in one step.
MAX_ITEMS = 100_000
#: Largest integer (in bits) a script may build in one step.
MAX_INT_BITS = 16_384

SEQUENCES = (str, bytes, list, tuple)
CONTAINERS = (list, tuple, dict, set, frozenset)


class TooLarge(Exception):
    """A script step that would build a value past the size limits."""


def _refuse(what):
    raise TooLarge(f"script stopped: {what} is over the size limit")


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(value):
    if _int(value) and value.bit_length() > MAX_INT_BITS:
        _refuse(f"an integer of {value.bit_length()} bits")
    return value


def _check_repeat(sequence, times):
    if _int(times) and len(sequence) * max(times, 0) > MAX_ITEMS:
        _refuse(f"a sequence of {len(sequence)} x {times} items")


def _multiply(left, right):
    if isinstance(left, SEQUENCES):
        _check_repeat(left, right)
    elif isinstance(right, SEQUENCES):
        _check_repeat(right, left)
    elif _int(left) and _int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        _refuse("the product of two large integers")
    return left * right


def _power(left, right, modulo=None):
    if modulo is None and _int(left) and _int(right) and right > 0:
        if max(left.bit_length(), 1) * right > MAX_INT_BITS and abs(left) > 1:
            _refuse(f"{left} ** {right}")
    return pow(left, right, modulo)


def _shift(left, right):
    if _int(left) and _int(right) and left.bit_length() + right > MAX_INT_BITS:
        _refuse(f"{left} << {right}")
    return left << right


def _add(left, right):
    if isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES):
        if len(left) + len(right) > MAX_ITEMS:
            _refuse("the joined sequence")
    return _check_int(left + right)


#: Widths and precisions in a %-format or format spec ("%10000d", "{:>99999}").
FORMAT_NUMBER = re.compile(r"\d+")


def _check_format_spec(spec):
    if "*" in spec or any(int(n) > MAX_ITEMS for n in FORMAT_NUMBER.findall(spec)):
        _refuse(f"the format {spec[:40]!r}")


def _modulo(left, right):
    if isinstance(left, str | bytes):
        _check_format_spec(left if isinstance(left, str) else left.decode("latin-1"))
        for value in right if isinstance(right, tuple) else (right,):
            checked_text(value)
    return left % right


BINARY_OPERATORS = {
    "*": _multiply,
    "**": _power,
    "<<": _shift,
    "+": _add,
    "%": _modulo,
    "-": operator.sub,
    "/": operator.truediv,
    "//": operator.floordiv,
}


def guarded_binop(symbol, left, right):
    """Apply `left <symbol> right` after checking the result cannot grow past the limits."""
    return BINARY_OPERATORS[symbol](left, right)


def text_size(value, budget=MAX_ITEMS):
    """Roughly how many characters str(value) has, counting only up to past `budget`."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if not isinstance(value, CONTAINERS):
        return 0
    total = 0
    for item in value:
        total += 2 + text_size(item, budget - total)
        if total > budget:
            break
    return total


def checked_text(value):
    """Return `value` if its text form stays within the limits (f-strings, %, str, repr)."""
    if text_size(value) > MAX_ITEMS:
        _refuse("the text of a large container")
    return value


class _TextType(type):
    """Lets the guarded `str` stand in for the real one in isinstance and str.upper."""

    def __instancecheck__(cls, value):
        return isinstance(value, str)

    def __subclasscheck__(cls, kind):
        return issubclass(kind, str)

    def __getattr__(cls, name):
        return getattr(str, name)


class GuardedStr(metaclass=_TextType):
    """str() that refuses to write out a container too large to print."""

    def __new__(cls, *args, **kwargs):
        if args:
            checked_text(args[0])
        return str(*args, **kwargs)


def _guarded_repr(value):
    return repr(checked_text(value))


def _check_width(width):
    if _int(width) and width > MAX_ITEMS:
        _refuse(f"a width of {width}")


def _padding(method):
    def padded(width, *args):
        _check_width(width)
        return method(width, *args)

    return padded


def _replace(text, method):
    def replace(old, new, count=-1):
        if old and len(new) > len(old):
            found = text.count(old) if count < 0 else min(count, text.count(old))
            if len(text) + found * (len(new) - len(old)) > MAX_ITEMS:
                _refuse("the replaced text")
        elif not old and len(text) * (len(new) + 1) > MAX_ITEMS:
            _refuse("the replaced text")
        return method(old, new, count)

    return replace


def _join(method):
    def join(items):
        items = list(items)
        if sum(len(item) for item in items if isinstance(item, str | bytes)) > MAX_ITEMS:
            _refuse("the joined text")
        return method(items)

    return join


def _extend(target, method):
    def extend(items):
        items = list(items)
        if len(target) + len(items) > MAX_ITEMS:
            _refuse("the extended list")
        return method(items)

    return extend


def guarded_method(target, name, method):
    """Wrap the methods that grow a string or list in one C call; others pass unchanged."""
    if isinstance(target, str | bytes):
        if name in ("ljust", "rjust", "center", "zfill", "expandtabs"):
            return _padding(method)
        if name == "replace":
            return _replace(target, method)
        if name == "join":
            return _join(method)
    if isinstance(target, list) and name == "extend":
        return _extend(target, method)
    return method


#: Builtins the sandbox offers in place of the plain ones.
GUARDED_BUILTINS = {"pow": _power, "str": GuardedStr, "repr": _guarded_repr}
