"""The portal's table kit: django-tables2 tables with a caption, column-scoped sortable headers and a pager.

Every table of both apps is a `CaptionedTable`, rendered by `tables/table.html`; a page passes
`caption=` (or the class sets it) so that a screen reader names the table.
"""

import django_tables2 as tables

TEMPLATE = "tables/table.html"
EMPTY_CELL = "\u2013"  # an en dash
NUMERIC = {"th": {"class": "numeric"}, "td": {"class": "numeric"}}


class CaptionedTable(tables.Table):
    """A table whose `caption` names it for screen readers (pass `caption=` or set it on the class)."""

    caption = ""

    def __init__(self, *args, caption: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if caption:
            self.caption = caption

    class Meta:
        template_name = TEMPLATE
