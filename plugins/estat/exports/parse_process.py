"""The parse of an export file in a process of its own.

Parsing is Python work, and Python runs one thread at a time in a process: beside the
checks (GX builds its queries and reads their results in Python) the parse would wait its
turn. In a process of its own it has a processor of its own, and the ingestion imports
GX and checks one table while the next is parsed.

The child does what :func:`estat.exports.staging.stream_rows` does in-process: it connects
to the warehouse itself and COPYs each table's rows into its staging table. It imports
the reader, the staging sink and psycopg, never GX. Its standard input brings the request
(the connection, password included, so that it is never on a command line, and the file);
its standard output carries pickles back: each table as it ends (its name and counts),
then the :class:`~estat.exports.reader.Export` (counts only, never a value) or the
exception that ended the parse, raised again in the caller. A refusal is refused the same
in either process; a child that dies without a word is an error that says so. A caller
that dies without a word leaves its child to stop at the next table's end, when its
message finds no reader.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

import estat
from estat.exports.reader import Export, ExportRefused, ExportTable

# The child finds this package where the caller found it.
_PACKAGE_ROOT = str(Path(estat.__file__).resolve().parent.parent)


class ParseProcessFailed(RuntimeError):
    """The parse process ended without reporting how (killed, or out of memory)."""


def stream_rows(
    conn: psycopg.Connection,
    path: Path,
    file_id: int,
    *,
    file_name: str | None = None,
    ended: Callable[[ExportTable], None] | None = None,
) -> Export:
    """:func:`estat.exports.staging.stream_rows`, in a child process; the same result.

    ``ended`` is called in the caller's process, once per table, as the child commits it.
    Whatever ends this call early (the child's error, or the caller's) kills the child
    before it returns, so that nothing writes to the staging tables afterwards.
    """
    request = {
        "conninfo": conn.info.dsn,
        "password": conn.info.password,
        "path": str(path),
        "file_id": file_id,
        "file_name": file_name,
    }
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [_PACKAGE_ROOT, *filter(None, [environment.get("PYTHONPATH")])]
    )
    child = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
    )
    finished = False
    try:
        with child.stdin:
            pickle.dump(request, child.stdin)
        while True:
            try:
                what, value = pickle.load(child.stdout)
            except EOFError:
                raise ParseProcessFailed(
                    f"{file_name or path.name}: the parse process ended without a result "
                    f"(exit status {child.wait()})"
                ) from None
            if what == "ended":
                if ended is not None:
                    ended(value)
            elif what == "export":
                finished = True
                return value
            else:
                raise value
    finally:
        if not finished:
            child.kill()
        child.wait()
        child.stdout.close()


def _error_to_send(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else a RuntimeError naming its type and message."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"the parse failed: {type(error).__name__}: {error}")
    return error


def _serve(request: dict[str, Any], send: Callable[[str, Any], None]) -> None:
    from estat.exports import staging

    with psycopg.connect(
        request["conninfo"], password=request["password"], autocommit=True
    ) as conn:
        export = staging.stream_rows(
            conn,
            Path(request["path"]),
            request["file_id"],
            file_name=request["file_name"],
            ended=lambda table: send("ended", table),
        )
    send("export", export)


def main() -> int:
    # Pickles go to the caller through the original standard output; anything else that
    # would be printed goes to standard error, the caller's log.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(what: str, value: Any) -> None:
        pickle.dump((what, value), channel)
        channel.flush()

    request = pickle.load(sys.stdin.buffer)
    try:
        _serve(request, send)
    except ExportRefused as refusal:
        send("error", refusal)
        return 0
    except psycopg.Error as error:
        # A database error's message may quote a value: its class and SQLSTATE say enough.
        traceback.print_tb(error.__traceback__, file=sys.stderr)
        sys.stderr.write(f"{type(error).__name__} (SQLSTATE {error.sqlstate})\n")
        send("error", _error_to_send(error))
        return 1
    except BaseException as error:
        traceback.print_exc(file=sys.stderr)
        send("error", _error_to_send(error))
        return 1
    finally:
        channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
