"""The data-quality report: static HTML pages for statisticians, from the quality views.

:func:`write_quality_report` reads the warehouse's ``quality`` views (counts per export
file and reporting period, never a record's values) and writes ``index.html`` and one
``period-YYYY-MM-DD.html`` per reporting period into a directory, by default
:func:`quality_report_dir`. The Airflow API server serves that directory, with a link
"Data quality" in the UI's navigation (``plugins/estat_quality_report.py``).

Settings (environment variables, relative paths taken from the project root):

``ESTAT_REPORT_DIR``
    where the quality report is written and served from (default
    ``great_expectations/uncommitted/data_docs/quality``, beside the Data Docs).
``ESTAT_DATA_DOCS_DIR``
    the Great Expectations Data Docs site served beside it (default
    ``great_expectations/uncommitted/data_docs/local_site``, the GX project's local site).

The same warehouse always gives byte-identical pages: they carry no time of writing.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from estat import config
from estat.report.pages import INDEX, DueDates, index_page, period_page
from estat.report.quality import read_quality

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)


def quality_report_dir() -> Path:
    """Where the quality report is written and served from (``ESTAT_REPORT_DIR``)."""
    return config.report_dir()


def data_docs_dir() -> Path:
    """The Great Expectations Data Docs site (``ESTAT_DATA_DOCS_DIR``)."""
    return config.data_docs_dir()


def _write_atomically(path: Path, text: str) -> Path:
    """Write ``path`` under a temporary name and rename it into place: never half a page."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_quality_report(
    conn: psycopg.Connection, directory: Path, *, due_dates: DueDates | None = None
) -> list[Path]:
    """Write the quality report into ``directory``; return the pages written, index first.

    ``due_dates`` gives, by kind of export (``"EMIGRANT"``, ``"IMMIGRANT"``) and the
    period's last day, the day its files are due; a period without one shows a dash in its
    due-date column. A period page left from an earlier report whose period the warehouse
    no longer holds is removed, so the directory always shows the warehouse as it is.
    """
    started = time.perf_counter()
    due_dates = due_dates or {}
    quality = read_quality(conn)

    pages = {INDEX: index_page(quality, due_dates)}
    for period in quality.periods:
        pages[period.page_name] = period_page(period, due_dates)

    directory.mkdir(parents=True, exist_ok=True)
    written = [_write_atomically(directory / name, text) for name, text in pages.items()]
    for stale in sorted(directory.glob("period-*.html")):
        if stale.name not in pages:
            stale.unlink()
            log.info("removed %s: the warehouse holds no such period now", stale.name)
    log.info(
        "wrote the quality report into %s: %d pages, %d reporting periods, in %.2f s",
        directory,
        len(written),
        len(quality.periods),
        time.perf_counter() - started,
    )
    return written
