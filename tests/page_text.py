"""The text a reader sees on a page, read from its HTML without a browser: the text of the body
outside scripts, styles and templates, and outside <code> and <cite> (literal names a person
types or reads as such: file headers, commands, keys, cited works)."""
from html.parser import HTMLParser

SKIPPED = {"script", "style", "noscript", "template", "code", "cite", "kbd"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        text = data.strip()
        if text and self.in_body and not SKIPPED.intersection(self.stack):
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts
