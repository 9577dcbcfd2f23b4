"""The ``govreport`` command: a thin typer app over the library API.

Each area adds its own commands through a ``register(app)`` function in its ``cli`` module, so
this file stays a table of contents.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

_app = typer.Typer(
    name="govreport",
    help="Extract the tables of government information-disclosure annual reports into data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@_app.callback()
def _root() -> None:
    """Extract the tables of government information-disclosure annual reports into data."""


# modules that add commands; each has register(app)
COMMAND_MODULES = [
    "extractor.commands.extract",
    "extractor.ingest.cli",
    "extractor.review.cli",
    "extractor.service.cli",
]
# a command that is the only one its process needs: ``govreport extract`` registers just its own
# module, so it never imports the database or web stack (start-up time: see README)
SOLO_COMMANDS = {"extract": "extractor.commands.extract"}


def _register_all(only: str | None = None) -> None:
    for name in [only] if only else COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # that area is not built in this install
                continue
            raise
        module.register(_app)


_registered = False


def _ensure_registered(argv: list[str] | None = None) -> None:
    global _registered
    if _registered:
        return
    argv = sys.argv[1:] if argv is None else argv
    _register_all(SOLO_COMMANDS.get(argv[0]) if argv else None)
    _registered = True


def __getattr__(name):  # ``from extractor.cli import app`` (tests, embedding): every command
    if name == "app":
        _ensure_registered([])
        return _app
    raise AttributeError(name)


def _quiet_libraries() -> None:
    """Library log records and warnings (pdfminer on a damaged PDF, Pillow on a big image) do
    not reach the terminal: every problem is reported once, as one line, by the command.
    ``GOVREPORT_DEBUG=1`` shows them (and tracebacks)."""
    import logging
    import warnings

    if os.environ.get("GOVREPORT_DEBUG"):
        logging.basicConfig(level=logging.WARNING)
        return
    logging.getLogger().addHandler(logging.NullHandler())  # no lastResort printing
    warnings.simplefilter("ignore")


def one_line_error(e: BaseException) -> tuple[str, int]:
    """``(message, exit code)`` for an exception no command handled: one line, never a traceback.

    Database errors (disk full, locked, unreachable) exit 1 and say that what was stored is
    kept (every document is written in its own transaction); anything else exits 1 as an
    internal error.
    """
    from extractor.limits import safe_reason

    first = safe_reason((str(e).strip().splitlines() or [""])[0], 300)
    try:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError
    except ImportError:  # pragma: no cover
        DBAPIError = SQLAlchemyError = ()  # type: ignore[assignment]
    if isinstance(e, (DBAPIError, SQLAlchemyError)):
        orig = getattr(e, "orig", None)
        reason = (str(orig).strip().splitlines() or [first])[0][:300] if orig is not None else first
        return (f"the database refused a write or a read ({reason}); what was stored before is kept, "
                f"run the command again once it is fixed", 1)
    if isinstance(e, OSError):
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        return f"cannot read or write{where}: {e.strerror or first}", 1
    if isinstance(e, MemoryError):
        return "out of memory", 1
    return f"internal error ({type(e).__name__}: {first}); set GOVREPORT_DEBUG=1 for the traceback", 1


def main() -> None:
    """Console entry point. Usage errors exit 2 (click's convention); an error no command
    handled is one line on stderr (``one_line_error``), never a traceback."""
    _quiet_libraries()
    _ensure_registered()
    try:
        _app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 — the last line of defence for the terminal
        if os.environ.get("GOVREPORT_DEBUG"):
            raise
        message, code = one_line_error(e)
        sys.stderr.write(f"govreport: {message}\n")
        sys.exit(code)


if __name__ == "__main__":
    main()
