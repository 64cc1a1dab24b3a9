"""A page's form as a browser would send it unchanged (inputs, checked boxes, selected options,
textareas), for tests that edit a form from a stale page with two clients."""
from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.inside = False
        self.data: dict = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.data, self.inside = {}, True
            self.forms.append(self.data)
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
