"""The text of a PDF as one line: pypdf's lines joined and every run of spaces (also the non-breaking
spaces of Finnish thousands, and line breaks inside table cells) made one space."""

import io
import re

import pypdf


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)
