"""The quality report and the Data Docs as the Airflow API server serves them.

Each site is an ASGI app that serves the files of one directory (``index.html`` for the
directory itself). Airflow imports its plugins in every process it starts, scheduler and
task runners included, and only the API server ever serves a page, so a site holds a
function naming its directory and nothing more until a request comes: only then is
starlette's static-file serving imported. A directory not yet written (no report so far)
answers 404, and a report written later is served without a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class StaticSite:
    """An ASGI app serving the files of the directory that ``directory()`` names."""

    def __init__(self, directory: Callable[[], Path]) -> None:
        self.directory = directory
        self._files = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The directory is a setting, read when asked for: the site follows it.
        directory = self.directory()
        if self._files is None or Path(self._files.directory) != directory:
            from starlette.staticfiles import StaticFiles

            files = StaticFiles(directory=directory, html=True, check_dir=False)
            # A directory written after the server started is served; until then, 404.
            files.config_checked = True
            self._files = files
        await self._files(scope, receive, send)
