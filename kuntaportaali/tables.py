"""The portal's table kit: django-tables2 tables with a caption, column-scoped sortable headers and a pager.

Every table of both apps is a `CaptionedTable`, rendered by `tables/table.html`; a page passes
`caption=` (or the class sets it) so that a screen reader names the table.
"""

import django_tables2 as tables
from django.utils.safestring import SafeString
from django_tables2.utils import AttributeDict

TEMPLATE = "tables/table.html"
EMPTY_CELL = "\u2013"  # an en dash
NUMERIC = {"th": {"class": "numeric"}, "td": {"class": "numeric"}, "tf": {"class": "numeric"}}


class CaptionedTable(tables.Table):
    """A table whose `caption` names it for screen readers (pass `caption=` or set it on the class).

    `row_header` names the column whose cells name their rows (`<th scope="row">`), so that a screen
    reader reads a row's name with each of its cells. `caption_attrs` go on the caption: an `id` for
    the scrolling region it labels, or `visually-hidden` when a heading above shows the same text.
    """

    caption = ""
    row_header = ""

    def __init__(self, *args, caption: str = "", caption_attrs: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if caption:
            self.caption = caption
        self.caption_attrs = AttributeDict(caption_attrs or {})

    @property
    def caption_attrs_html(self) -> SafeString:
        return self.caption_attrs.as_html()

    class Meta:
        template_name = TEMPLATE
        # A table sorts only where it says so (orderable = True): most lists have the order the page means.
        orderable = False
