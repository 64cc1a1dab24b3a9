"""The app's request class: JSON bodies too large or nested too deep are refused."""
from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

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


class SapatRequest(Request):
    """JSON bodies above JSON_MAX_BYTES are refused (413), and bodies nested too deep for the
    parser (RecursionError, once a 500) or deeper than JSON_MAX_DEPTH are a bad request (400,
    or None with silent=True) like any other malformed JSON."""

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
        return data
