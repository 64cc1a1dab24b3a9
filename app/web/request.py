"""The app's request class: the one place where input from a browser is made safe.

JSON bodies too large or nested too deep are refused; control characters (a NUL, which
PostgreSQL refuses, and the rest: app.services.core.text.clean) are taken out of every form
field and every JSON string before a view sees them. `request.control_fields` names the form
fields (or JSON paths) that had any: SapatForm puts a message on those fields, the JSON views
report them.
"""
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from app.services.core.text import DB_INT_MAX, clean, clean_tree, in_db_range

JSON_MAX_DEPTH = 32  # the checklist's draft is two levels deep


def _json_depth_exceeds(value, limit: int) -> bool:
    """True when lists/dicts in `value` nest deeper than `limit` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return False


class BoundedArgs(ImmutableMultiDict):
    """Query and form parameters whose `get(name, type=int)` gives the default for a number beyond
    the databases' integers, as it does for a non-number (a lookup with it was a 500 on SQLite)."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and value is not default and not in_db_range(value):
            return default
        return value


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` in a URL: a number beyond the databases' integers does not match (a 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


class SapatRequest(Request):
    """JSON bodies above JSON_MAX_BYTES are refused (413), and bodies nested too deep for the
    parser (RecursionError, once a 500) or deeper than JSON_MAX_DEPTH are a bad request (400,
    or None with silent=True) like any other malformed JSON. Form fields and JSON strings come
    without control characters; control_fields lists where some were removed. Integers asked
    of args and form stay within the databases' range (BoundedArgs)."""

    parameter_storage_class = BoundedArgs

    @property
    def control_fields(self) -> frozenset:
        return self.__dict__.get("_control_fields", frozenset())

    def _note_control(self, names) -> None:
        self.__dict__["_control_fields"] = self.control_fields | frozenset(names)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if not form:
            return
        items, dirty = [], set()
        for key, value in form.items(multi=True):
            key, key_dirty = clean(key)
            value, value_dirty = clean(value)
            if key_dirty or value_dirty:
                dirty.add(key)
            items.append((key, value))
        if dirty:
            self.__dict__["form"] = BoundedArgs(items)
            self._note_control(dirty)

    def get_json(self, force=False, silent=False, cache=True):
        from flask import current_app

        if (self.content_length or 0) > current_app.config.get("JSON_MAX_BYTES", 1024 * 1024):
            raise RequestEntityTooLarge()
        try:
            data = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            data = BadRequest
        if data is BadRequest or (data is not None and _json_depth_exceeds(data, JSON_MAX_DEPTH)):
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.")
        if data is not None:
            data, dirty = clean_tree(data)
            if dirty:
                self._note_control(dirty)
        return data
