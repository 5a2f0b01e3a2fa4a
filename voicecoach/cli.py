"""The ``voicecoach`` command line: a thin Typer app; each area registers its own commands.

Commands live next to the code they drive (``voicecoach/<area>/commands.py``, each exposing
``register(app)``), so this module only assembles them and turns user-facing errors into one
clear line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console
from typer.exceptions import TyperException

from voicecoach.errors import VoicecoachError

# Each module exposes ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "voicecoach.rubric.commands",
    "voicecoach.grading.commands",
    "voicecoach.session.commands",
    "voicecoach.report.commands",
    "voicecoach.agent.commands",
    "voicecoach.init_config",
    "voicecoach.audio.commands",
    "voicecoach.speech.commands",
)

app = typer.Typer(
    name="voicecoach",
    help=(
        "A local, voice-based mock interviewer for machine-learning interviews.\n\n"
        "Examples:\n\n"
        "  voicecoach practice                 # a spoken interview (microphone + speaker)\n\n"
        "  voicecoach practice --text          # type your answers instead\n\n"
        "  voicecoach rubrics lint             # check the question bank\n\n"
        "  voicecoach sessions                 # list recorded sessions"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

for _module_name in COMMAND_MODULES:
    importlib.import_module(_module_name).register(app)

error_console = Console(stderr=True)


def main() -> None:
    """Console-script entry point: run the app, print user errors as one line."""
    try:
        # with standalone_mode off, click returns the exit code of typer.Exit instead of exiting
        result = app(standalone_mode=False)
        if isinstance(result, int):
            sys.exit(result)
    except VoicecoachError as error:
        error_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        error_console.print("interrupted; anything already saved is kept.")
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        error_console.print("aborted.")
        sys.exit(1)
    except TyperException as error:
        # usage errors (unknown option, extra argument, bad value): typer raises its vendored
        # click's exceptions, all TyperException subclasses; show() prints the usage line and
        # the message, as click does in standalone mode, never a traceback
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            error_console.print(f"error: {error.format_message()}", highlight=False)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
