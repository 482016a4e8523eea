"""What every command shares: error reporting, debug switch, common options."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from appeals.errors import AppealsError

debug_option = click.option(
    "--debug", is_flag=True, help="Show the full traceback when something fails."
)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into one line on stderr and exit code 1.

    Anything else is a bug: one line too, unless --debug asks for the traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AppealsError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # The reader (head, less) went away: stop quietly like other Unix tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was left half-written.", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last resort, never a traceback without --debug
            if debug:
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}. "
                "Run again with --debug and report the traceback.",
                err=True,
            )
            sys.exit(1)

    return debug_option(wrapper)
