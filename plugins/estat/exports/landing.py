"""The landing directory: which files are ready to read, and filing them away afterwards.

A file is ready when it is an ``*.xml`` file whose size and modification time have not
changed for the settle time, and whose root element is closed (the contract: a file is
complete when its root element is closed). A writer that crashed leaves a file whose root
never closes: once it has not changed for the incomplete-after time it is taken in too,
to be refused as truncated rather than wait in the landing directory for ever.

The landing directory holds only files not yet processed: once processed, the original
bytes are moved to the archive (loaded, duplicate) or to quarantine (refused), under their
own name, or with the ledger's file id added when that name is already taken.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_ROOT_CLOSE = b"</BURKIT_EXPORT>"
_TAIL_BYTES = 256


@dataclass(frozen=True)
class LandedFile:
    """A file seen in the landing directory, with what it looked like when seen."""

    path: str
    size: int
    mtime_ns: int
    complete: bool

    def as_dict(self) -> dict:
        return asdict(self)

    def unchanged(self) -> bool:
        """Whether the file is still there, as it was when seen."""
        try:
            stat = Path(self.path).stat()
        except FileNotFoundError:
            return False
        return stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns


def root_closed(path: Path) -> bool:
    """Whether the file ends with the root's closing tag (white space after it allowed)."""
    with path.open("rb") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(max(0, size - _TAIL_BYTES))
        return file.read().rstrip().endswith(_ROOT_CLOSE)


def ready_files(
    directory: Path, *, settle_seconds: float, incomplete_after_seconds: float
) -> list[LandedFile]:
    """The export files of ``directory`` that may be read now, oldest first."""
    if not directory.is_dir():
        log.warning("landing directory %s does not exist", directory)
        return []
    now_ns = time.time_ns()
    ready = []
    for path in directory.iterdir():
        if path.suffix.lower() != ".xml" or not path.is_file():
            continue
        stat = path.stat()
        age = (now_ns - stat.st_mtime_ns) / 1e9
        if age < settle_seconds:
            log.info("%s changed %.0f s ago: waiting for it to settle", path.name, age)
            continue
        complete = root_closed(path)
        if not complete and age < incomplete_after_seconds:
            log.info("%s: root element not closed yet, still being written", path.name)
            continue
        # The stable-size check: the same size and time again, after the tail was read.
        again = path.stat()
        if (again.st_size, again.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            log.info("%s is still changing", path.name)
            continue
        ready.append(LandedFile(str(path), stat.st_size, stat.st_mtime_ns, complete))
    return sorted(ready, key=lambda f: (f.mtime_ns, f.path))


def file_away(path: Path, directory: Path, file_id: int) -> Path:
    """Move ``path`` into ``directory`` under a name not yet taken there; return the new path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / path.name
    if target.exists():
        target = directory / f"{path.stem}.{file_id}{path.suffix}"
    # os.replace is atomic within one file system; shutil.move copies across file systems.
    try:
        os.replace(path, target)
    except OSError:
        shutil.move(path, target)
    log.info("filed %s away as %s", path.name, target)
    return target


def write_report(filed: Path, report: dict) -> Path:
    """Write the machine-readable report beside a refused file (never any record's values)."""
    target = filed.with_name(filed.name + ".report.json")
    temporary = target.with_name(target.name + ".part")
    temporary.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(temporary, target)
    return target
