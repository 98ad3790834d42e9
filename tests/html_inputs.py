"""The form inputs of a page as a browser reads them: which boxes are ticked, what a field holds."""

from html.parser import HTMLParser


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def inputs(content: str) -> list[dict]:
    parser = _Inputs()
    parser.feed(content)
    return parser.inputs


def ticked(content: str) -> set[str]:
    """name=value of every ticked box on the page."""
    return {
        f"{i['name']}={i.get('value', 'on')}"
        for i in inputs(content)
        if i.get("type") == "checkbox" and "checked" in i
    }


def the_input(content: str, name: str) -> dict:
    """The attributes of the one input of that name."""
    [found] = [i for i in inputs(content) if i.get("name") == name]
    return found
