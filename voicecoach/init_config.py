"""``voicecoach init``: write a commented ``voicecoach.toml`` with every setting and its default.

The file is generated from the Settings model itself, so it can never list a key that does not
exist or miss one that does; every line but the header is commented out, so the file changes
nothing until the user uncomments what they want.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from voicecoach.config import CONFIG_FILE_NAME, Settings
from voicecoach.errors import ConfigError

HEADER = """\
# voicecoach settings. Precedence: CLI flag > environment VOICECOACH_* > this file > defaults.
# Uncomment a line to change it. `voicecoach doctor` checks that everything works.
"""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value)


def render_config() -> str:
    """The commented config file text, one block per setting."""
    defaults = Settings.model_construct()
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        if field.description:
            lines.append(f"# {field.description}")
        value = getattr(defaults, name, None)
        if name in {"rubrics_dir", "prompts_dir"}:
            lines.append(f'# {name} = "..."   (default: the bundled {name.removesuffix("_dir")})')
        elif value is None:
            lines.append(f'# {name} = ""   (default: unset)')
        else:
            lines.append(f"# {name} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def init_command(
    path: Annotated[
        Path, typer.Option("--path", help="Where to write the file.")
    ] = Path(CONFIG_FILE_NAME),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented voicecoach.toml listing every setting with its default.

    Examples:

      voicecoach init

      voicecoach init --path ~/.config/voicecoach/voicecoach.toml
    """
    path = path.expanduser()
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_config(), encoding="utf-8")
    Console().print(f"wrote {path}; uncomment the settings you want to change.")


def register(app: typer.Typer) -> None:
    """Attach ``voicecoach init``."""
    app.command("init")(init_command)
