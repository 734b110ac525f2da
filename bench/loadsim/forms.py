"""The forms of a page, read from its HTML as a browser would submit them (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    """One named control: its kind, its current value(s) and, for choices, the options."""

    name: str
    kind: str  # text, hidden, radio, checkbox, select, textarea, submit, ...
    values: list[str] = field(default_factory=list)  # what the browser would send as shown
    options: list[str] = field(default_factory=list)  # radio/checkbox/select values offered


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submits
    order: list[str] = field(default_factory=list)  # field names as they appear

    def value(self, name: str, default: str = "") -> str:
        f = self.fields.get(name)
        return f.values[0] if f and f.values else default

    def data(self) -> list[tuple[str, str]]:
        """What submitting the form unchanged sends (no button), in document order."""
        pairs = []
        for name in self.order:
            f = self.fields[name]
            if f.kind == "submit":
                continue
            for value in f.values:
                pairs.append((name, value))
        return pairs


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text: list[str] = []
        self.textarea: Field | None = None
        self.textarea_text: list[str] = []

    def _field(self, name: str, kind: str) -> Field:
        form = self.current
        if name not in form.fields:
            form.fields[name] = Field(name, kind)
            form.order.append(name)
        return form.fields[name]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.current = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if "disabled" in a:
                return
            if kind == "submit":
                self.current.buttons.append((name, a.get("value", "")))
                return
            f = self._field(name, kind)
            if kind in ("radio", "checkbox"):
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            else:
                f.values.append(a.get("value", ""))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            if "disabled" not in a:
                self.current.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = self._field(name, "select")
        elif tag == "option" and self.select is not None:
            self.option_value = a.get("value")
            self.option_selected = "selected" in a
            self.option_text = []
        elif tag == "textarea" and name:
            self.textarea = self._field(name, "textarea")
            self.textarea_text = []

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea_text.append(data)
        elif self.option_value is not None or self.select is not None:
            self.option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "option" and self.select is not None:
            value = self.option_value
            if value is None:
                value = "".join(self.option_text).strip()
            self.select.options.append(value)
            if self.option_selected:
                self.select.values = [value]
            self.option_value = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.select.options:
                self.select.values = [self.select.options[0]]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea_text)
            self.textarea.values = [text[1:] if text.startswith("\n") else text]
            self.textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with_action(html: str, action: str) -> Form | None:
    """The first form whose action is exactly ``action`` (a path)."""
    for form in forms_of(html):
        if form.action == action:
            return form
    return None
