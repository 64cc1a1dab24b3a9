"""A page's form as a browser would send it unchanged (inputs, checked boxes, selected options,
textareas), for tests that edit a form from a stale page with two clients."""
import html
from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.attrs: list[dict] = []  # each form's own attributes (id, action)
        self.inside = False
        self.data: dict = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.data, self.inside = {}, True
            self.forms.append(self.data)
            self.attrs.append(a)
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "button", "file"):
                self.data[name] = a.get("value", "")
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and ("selected" in a or self.select not in self.data):
            self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            text = self.data.get(self.textarea, "")  # a browser drops the newline after <textarea>
            self.data[self.textarea] = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith(
                "\n") else text
            self.textarea = None

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.data[self.textarea] += data


def form_data(client, url: str) -> dict:
    """The largest POST form of the page at `url` (the page's own, not the language switch),
    filled as it is shown."""
    parser = _Form()
    parser.feed(client.get(url).get_data(as_text=True))
    return max(parser.forms, key=len)


def form_by_id(page: str, form_id: str) -> tuple[str, dict]:
    """(action, data as a browser sends it unchanged) of the POST form `id="form_id"` of `page`
    (its HTML); AssertionError when the page has no such form."""
    parser = _Form()
    parser.feed(page)
    for attrs, data in zip(parser.attrs, parser.forms):
        if attrs.get("id") == form_id:
            return html.unescape(attrs.get("action") or ""), dict(data)
    raise AssertionError(f"no form {form_id!r} on the page")


def save_from_stale_page(first, second, url: str, first_changes: dict, second_changes: dict):
    """The lost-update sequence with two clients: both open `url`; `first` saves
    `first_changes`; `second` then saves `second_changes` from its page, now stale. Returns
    the second save's response (302 when the changes do not meet, 409 when they do)."""
    stale, fresh = form_data(second, url), form_data(first, url)
    assert "_orig" in stale, "the form carries no originals: a stale save cannot be told apart"
    fresh.update(first_changes)
    assert first.post(url, data=fresh).status_code == 303
    stale.update(second_changes)
    return second.post(url, data=stale)


def refused_with(response, value=None) -> bool:
    """Whether `response` is the stale-page refusal (409) that shows the other user's value."""
    text = html.unescape(response.get_data(as_text=True))
    wanted = "changed meanwhile by another user" + (f' to "{value}"' if value is not None else "")
    return response.status_code == 409 and wanted in text


def save_knowingly(client, url: str, changes: dict) -> int:
    """A save from a freshly opened page (after a refusal): the status code."""
    again = form_data(client, url)
    again.update(changes)
    return client.post(url, data=again).status_code
