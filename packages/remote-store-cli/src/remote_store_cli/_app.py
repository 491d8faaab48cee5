"""The argument parser and the top-level run: dispatch, error reporting, exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from remote_store_cli._addresses import CONFIG_ENV, DEFAULT_CONFIG, Resolver
from remote_store_cli._admin import cmd_cert, cmd_config_check
from remote_store_cli._context import Context
from remote_store_cli._exit import EXIT_CODES, USAGE, exit_code_of
from remote_store_cli._files import cmd_cat, cmd_du, cmd_info, cmd_ls, cmd_rm
from remote_store_cli._output import Output
from remote_store_cli._progress import Bars
from remote_store_cli._transfers import cmd_cp, cmd_mv, cmd_sync

__all__ = ["build_parser", "main"]

Command = Callable[[Context], int]

EXAMPLES = f"""\
addresses:
  PROFILE:path   a path in a store profile of the config file (PROFILE: alone is its root)
  path           a local path (write ./a:b for a local name containing ':')

config file: --config FILE, else ${CONFIG_ENV}, else ./{DEFAULT_CONFIG}

examples:
  remote-store ls -l data:reports/
  remote-store cat data:reports/2024.csv | head
  remote-store cp ./big.bin data:uploads/              # one file, progress bar on a terminal
  remote-store cp -r ./site data:www                   # a folder's files, 8 at a time
  remote-store sync --delete data:www ./mirror          # only changed files; remove extras
  remote-store --json du data:                          # machine-readable output
  remote-store config check remote-store.toml           # validate, print with secrets masked
  remote-store cert --verify artifacts/certificates/s3.json

exit codes:
""" + "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _common_options(default: object) -> argparse.ArgumentParser:
    """Options valid before and after the command; after it, they default to SUPPRESS so
    that a subcommand does not reset what was given before it."""
    common = argparse.ArgumentParser(add_help=False)
    flag = {"default": False} if default is None else {"default": default}
    common.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="config file (TOML, or YAML with remote-store-yaml)",
    )
    common.add_argument("--json", action="store_true", help="print JSON for scripts", **flag)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar, no notes", **flag
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", help="log INFO; list every file", **flag
    )
    return common


def build_parser(prog: str = "remote-store") -> argparse.ArgumentParser:
    """The ``remote-store`` parser with every subcommand."""
    common = _common_options(argparse.SUPPRESS)  # given after the command: no default there
    parser = argparse.ArgumentParser(
        prog=prog,
        description="List, read, copy, move, delete and sync files in any remote-store store.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(None)],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Command, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    ls = add("ls", cmd_ls, "list a folder, or show one file")
    ls.add_argument("address", nargs="?", default=".", help="PROFILE:path or a local path")
    ls.add_argument("-l", "--long", action="store_true", help="sizes and modification times")
    ls.add_argument("-R", "--recursive", action="store_true", help="every file below")

    cat = add("cat", cmd_cat, "write files to stdout")
    cat.add_argument("addresses", nargs="+", metavar="address")

    for name, handler, verb in (("cp", cmd_cp, "copy"), ("mv", cmd_mv, "move")):
        sub = add(name, handler, f"{verb} a file, or a folder's files with -r")
        sub.add_argument("source")
        sub.add_argument("destination", help="a folder (or ending with /) receives the file")
        sub.add_argument("-r", "--recursive", action="store_true", help=f"{verb} a folder's files")
        sub.add_argument("-f", "--overwrite", action="store_true", help="replace existing files")
        sub.add_argument("-j", "--workers", type=_positive, help="files in parallel")

    rm = add("rm", cmd_rm, "delete files, or folders with -r")
    rm.add_argument("addresses", nargs="+", metavar="address")
    rm.add_argument("-r", "--recursive", action="store_true", help="delete folders and contents")
    rm.add_argument("-f", "--force", action="store_true", help="a missing path is not an error")

    info = add("info", cmd_info, "metadata of a file, totals of a folder, or the store")
    info.add_argument("address")

    sync = add("sync", cmd_sync, "copy only changed files from one folder to another")
    sync.add_argument("source")
    sync.add_argument("destination")
    sync.add_argument("--delete", action="store_true", help="delete files absent from source")
    sync.add_argument(
        "--compare",
        choices=("size-mtime", "size", "digest"),
        default="size-mtime",
        help="how a changed file is found (default: size-mtime)",
    )
    sync.add_argument("-n", "--dry-run", action="store_true", help="show, change nothing")
    sync.add_argument("-j", "--workers", type=_positive, help="files in parallel")

    du = add("du", cmd_du, "size and file count of a folder and its subfolders")
    du.add_argument("address", nargs="?", default=".")
    du.add_argument("-s", "--summarize", action="store_true", help="the total only")
    du.add_argument("-H", "--human", action="store_true", help="sizes in KiB, MiB...")

    cert = add("cert", cmd_cert, "print (and --verify) a conformance certificate JSON")
    cert.add_argument("file")
    cert.add_argument("--verify", action="store_true", help="exit 10 unless certified")

    config = add("config", _config_usage, "configuration commands")
    config_commands = config.add_subparsers(dest="config_command", metavar="SUBCOMMAND")
    check = config_commands.add_parser(
        "check", help="validate a config file and print it with secrets masked", parents=[common]
    )
    check.add_argument("file")
    check.add_argument("--no-env", action="store_true", help="do not resolve ${VAR} placeholders")
    check.set_defaults(handler=cmd_config_check)
    _completion(parser)
    return parser


def _config_usage(ctx: Context) -> int:
    ctx.out.note("usage: remote-store config check FILE")
    return USAGE


def _completion(parser: argparse.ArgumentParser) -> None:
    """Shell completion through argcomplete (active only when the shell asks for it)."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:  # pragma: no cover - a dependency, but completion is optional
        return
    argcomplete.autocomplete(parser)


class _StderrHandler(logging.Handler):
    """Writes records to the current ``sys.stderr`` (one instance, installed once)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"remote-store: {record.getMessage()}\n")
        except Exception:  # pragma: no cover - logging must never break a command
            self.handleError(record)


_HANDLER = _StderrHandler()


def _setup_logging(verbose: bool, quiet: bool) -> None:
    """Retries are shown (INFO on remote_store.retry) unless quiet; -v shows all INFO."""
    root = logging.getLogger("remote_store")
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    retry = logging.getLogger("remote_store.retry")
    retry.setLevel(logging.ERROR if quiet else logging.INFO)
    if quiet:
        root.setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None, *, prog: str = "remote-store") -> int:
    """Run one command; returns the exit code (see ``--help`` for the table)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    out = Output(json_mode=args.json)
    _setup_logging(args.verbose, args.quiet)
    resolver = Resolver(args.config)
    bars = Bars.for_terminal(quiet=args.quiet or args.json)
    context = Context(args, resolver, out, bars)
    try:
        return int(args.handler(context))
    except KeyboardInterrupt as exc:
        code = exit_code_of(exc)
        out.error(exc, code)
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except Exception as exc:
        code = exit_code_of(exc)
        out.error(exc, code)
        if args.verbose:
            logging.getLogger("remote_store.cli").info("traceback", exc_info=exc)
        return code
    finally:
        try:
            resolver.close()
        except Exception as exc:  # closing must not hide the command's own outcome
            out.note(f"remote-store: warning: closing the stores failed: {type(exc).__name__}")


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush does not fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
