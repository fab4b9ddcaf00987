"""PDF documents rendered from Django templates with WeasyPrint.

Reports are HTML templates extending `pdf/base.html`; charts are inline SVG. WeasyPrint only
reads files from our own static directories: a report must never make the server fetch a URL
that came from data (server-side request forgery), and it must render the same offline.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_CONTENT_TYPE = "application/pdf"
STATIC_SCHEME = "static:"


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render `template_name` (extending pdf/base.html) to PDF bytes.

    Link stylesheets and images as `static:css/print.css`, not with `{% static %}`: the
    document is read from disk, never over HTTP.
    """
    return html_to_pdf(render_to_string(template_name, context))


def html_to_pdf(html: str) -> bytes:
    # Importing WeasyPrint loads Pango and its fonts, over a second: only a process that renders a
    # PDF pays for it, not every web process, worker and management command that loads the URLs.
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=static_files_only()())
    return document.write_pdf()


@cache
def static_files_only() -> type:
    """The URL fetcher class that resolves `static:css/print.css` to the project's static file and
    refuses everything else."""
    from weasyprint.urls import URLFetcher

    class StaticFilesOnly(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = finders.find(url.removeprefix(STATIC_SCHEME).lstrip("/")) if url.startswith(STATIC_SCHEME) else None
            if not path:
                raise ValueError(f"PDF reports may only use the portal's static files, not {url!r}")
            return super().fetch(Path(path).as_uri(), headers)

    return StaticFilesOnly
