import io
import os
import subprocess
import sys

import pypdf
import pytest
from django.conf import settings
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


def test_a_process_that_loads_the_urls_renders_no_pdf_and_loads_no_weasyprint():
    """WeasyPrint loads Pango and its fonts when imported, over a second of every web process's,
    worker's and management command's start."""
    probe = (
        "import sys, django; django.setup(); import kuntaportaali.urls; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'weasyprint'))"
    )
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.test"}

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
