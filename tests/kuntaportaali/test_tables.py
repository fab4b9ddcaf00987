import django_tables2 as tables
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from kuntaportaali.tables import NUMERIC, CaptionedTable


class QueueTable(CaptionedTable):
    queue = tables.Column(verbose_name="Queue")
    age = tables.Column(verbose_name="Age")

    class Meta(CaptionedTable.Meta):
        orderable = False


def rendered(table: CaptionedTable) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return table.as_html(request)


def test_the_row_header_column_names_its_row():
    table = QueueTable([{"queue": "default", "age": 3}], caption="Queues")
    table.row_header = "queue"

    assert '<tr class="even"><th scope="row" >default</th><td >3</td></tr>' in rendered(table)


def test_without_a_row_header_every_cell_is_a_data_cell():
    html = rendered(QueueTable([{"queue": "default", "age": 3}], caption="Queues"))

    assert '<tr class="even"><td >default</td><td >3</td></tr>' in html
    assert "<caption>Queues</caption>" in html


def test_the_caption_carries_its_attributes():
    table = QueueTable([], caption="Queues", caption_attrs={"id": "queues-caption", "class": "visually-hidden"})

    assert '<caption id="queues-caption" class="visually-hidden">Queues</caption>' in rendered(table)


class QueueTotalTable(CaptionedTable):
    row_header = "queue"
    queue = tables.Column(verbose_name="Queue", footer="All queues")
    jobs = tables.Column(
        verbose_name="Jobs", attrs=NUMERIC, footer=lambda table: sum(row["jobs"] for row in table.data)
    )

    class Meta(CaptionedTable.Meta):
        orderable = False


def test_a_footer_row_is_named_by_its_row_header_and_keeps_the_column_classes():
    html = rendered(QueueTotalTable([{"queue": "default", "jobs": 3}, {"queue": "dialer", "jobs": 4}], caption="Jobs"))

    assert '<tfoot>\n    <tr><th scope="row" >All queues</th><td class="numeric">7</td></tr>\n  </tfoot>' in html


def test_a_table_without_footers_has_no_footer_row():
    assert "<tfoot>" not in rendered(QueueTable([{"queue": "default", "age": 3}], caption="Queues"))
