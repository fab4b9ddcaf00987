import io

import pypdf
import pytest
from weasyprint.urls import FatalURLFetchingError

from kuntaportaali.pdf import html_to_pdf, render_pdf


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_renders_html_with_finnish_letters_svg_and_page_numbers():
    pdf = html_to_pdf(
        '<link rel="stylesheet" href="static:css/print.css"><h1>Äänestysaktiivisuus 42 %</h1>'
        '<svg width="50" height="20"><rect width="40" height="10" fill="#0b3a66"/></svg>'
    )

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Äänestysaktiivisuus 42 %" in text


def test_base_template_carries_the_portal_name_and_page_counter():
    text = pdf_text(render_pdf("pdf/base.html", {}))

    assert "Kuntaportaali" in text
    assert "1 / 1" in text


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x.css", "file:///etc/passwd", "static:../../etc/passwd", "static:css/missing.css"]
)
def test_refuses_resources_outside_static_files(url):
    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(f'<link rel="stylesheet" href="{url}"><p>x</p>')
