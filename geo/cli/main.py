"""The ``geo`` command line (also ``python -m geo``).

A thin argparse layer over the library.  Every subcommand has ``--help``.  Errors the user
can fix (bad files, unknown names, bad options) print one line to stderr and exit with
status 2, without a traceback.

Adding a subcommand: in the module of its command group, write ``add_<name>_parser(sub)``
that creates the parser and sets ``func=<runner>``, where the runner takes the parsed
namespace and returns an exit code; import heavy modules inside the runner so ``geo --help``
stays fast; list the adder in ``_ADDERS``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from geo._errors import GeoError
from geo.cli._common import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from geo.cli.arrangements import add_arrangements_parser
from geo.cli.layers import (
    add_corridors_parser,
    add_energy_parser,
    add_export_parser,
    add_sites_parser,
    add_validate_parser,
)
from geo.cli.maps import add_figure_parser, add_map_parser, add_maps_parser
from geo.cli.near import add_near_parser
from geo.cli.places import add_places_parser
from geo.cli.transit import add_compare_parser, add_route_parser

__all__ = ["main"]

log = logging.getLogger("geo")



# --------------------------------------------------------------------------- main

_ADDERS: list[Callable[[Any], None]] = [
    add_corridors_parser,
    add_sites_parser,
    add_energy_parser,
    add_export_parser,
    add_validate_parser,
    add_maps_parser,
    add_map_parser,
    add_figure_parser,
    add_route_parser,
    add_compare_parser,
    add_near_parser,
    add_arrangements_parser,
    add_places_parser,
]


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked: ``geo --help`` stays
    clear of importlib.metadata and of the data layer (geo._provenance loads geo.layers)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from geo._provenance import package_version

        print(f"geo {package_version()}")  # stdout, as argparse's own version action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Corridor atlas: China's westward overland trade corridors and the "
                    "Chinese-financed sites along them, as cited, measured layers.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log progress (-v) or debug detail (-vv) to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for adder in _ADDERS:
        adder(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0 ok; 1 ``geo validate`` found problems; 2 bad input or usage (one line naming the file,
    line or feature, field and what is allowed); 130 interrupted; 70 an internal error
    (one line asking for a report; ``-vv`` logs the traceback).  Never a traceback otherwise.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `geo corridors | head`: stop quietly
        _silence_stdout()
        return EXIT_OK
    except GeoError as exc:
        _error(args.command, exc)
        return EXIT_USAGE
    except (OSError, UnicodeError) as exc:
        _error(args.command, exc)
        return EXIT_USAGE
    except RecursionError:
        _error(args.command, "input nested too deeply to read (e.g. JSON nested thousands "
                             "of levels); flatten it")
        return EXIT_USAGE
    except MemoryError:
        _error(args.command, "out of memory: the input is too large for this machine")
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line, with a hint to report it
        log.debug("internal error", exc_info=True)
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        print(f"geo {args.command}: internal error ({type(exc).__name__}: {first}); this is "
              f"a bug in geo, please report it with the command and input (run with -vv "
              f"for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def _error(command: str, exc: BaseException | str) -> None:
    text = " ".join(str(exc).split("\n")) if isinstance(exc, BaseException) else exc
    print(f"geo {command}: error: {text}", file=sys.stderr)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(BrokenPipeError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no file descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
