"""Reading a page's summary of form errors the way a screen reader and a keyboard meet it: what it links,
and whether each linked field says it is invalid and is described by its error."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of the links inside
    ancestors: list["Element"] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _Page(HTMLParser):
    """The page's elements, each with its text, the links inside it and the elements it is inside."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, ancestors=list(self._open))
        self.elements.append(element)
        if tag == "a":
            self._link = [element.attrs.get("href", "")]
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, *text = self._link
            for element in self._open:
                element.links.append((href, " ".join("".join(text).split())))
            self._link = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text.append(data)
        if self._link is not None:
            self._link.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def by_id(page: _Page, element_id: str) -> Element:
    [element] = [element for element in page.elements if element.attrs.get("id") == element_id]
    return element


def text_of(element: Element) -> str:
    return " ".join("".join(element.text).split())


def assert_errors_summarised(html: str, expected: dict[str, str]) -> None:
    """The page's error summary links exactly the fields of `expected` (field id: a part of its error),
    opens with the focus on it, and each linked field is invalid and described by its error."""
    page = parse(html)
    [summary] = [element for element in page.elements if "error-summary" in element.classes]
    assert "autofocus" in summary.attrs and summary.attrs.get("tabindex") == "-1"
    heading = by_id(page, summary.attrs["aria-labelledby"])
    assert text_of(heading)
    targets = {href.removeprefix("#"): text for href, text in summary.links}
    assert set(targets) == set(expected), f"the summary links {targets}"
    for field_id, error in expected.items():
        assert error in targets[field_id]
        target = by_id(page, field_id)
        assert target.attrs.get("aria-invalid") == "true", f"{field_id} is not marked invalid: {target.attrs}"
        described = target.attrs.get("aria-describedby", "").split()
        # A group of choices is described on its fieldset, the group its first choice belongs to.
        if not described:
            group = next(element for element in reversed(target.ancestors) if element.tag == "fieldset")
            described = group.attrs.get("aria-describedby", "").split()
        assert any(error in text_of(by_id(page, described_id)) for described_id in described), (
            f"{field_id} is not described by its error {error!r}: aria-describedby={described}"
        )
