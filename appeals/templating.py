"""The Jinja2 side of rendering: a sandboxed, autoescaping environment over templates/.

Data reaches templates only as values, never as template source, and every value is
escaped and cleaned of characters XML cannot hold. ``placeholder("LCD number")`` records
the name for the work queue and returns highlighted markup; ``fill(value, "name")`` gives
the value, or the placeholder when the value is empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from appeals.errors import RenderError
from appeals.wordml import BAD_XML_CHARS

_PART_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_FIX = "correct the template (templates/README.md lists the variables each one can use)"


def clean_value(value: Any) -> Any:
    """Jinja ``finalize``: strip XML-illegal characters; a data line break becomes <br>."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    text = BAD_XML_CHARS.sub("", str(value))
    if "\n" in text or "\r" in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return Markup("<br>").join(escape(line) for line in lines)
    return text


def _template_frame(tb: TracebackType | None, root: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja maps them for us)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


class Templates:
    """Compiled templates of one templates directory, plus placeholder bookkeeping."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise RenderError(
                "templates folder not found", file=self.directory,
                fix="pass --templates with a folder made by `appeals init`",
            )
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(str(self.directory)),
            autoescape=True,
            undefined=StrictUndefined,
            finalize=clean_value,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(placeholder=self.placeholder, fill=self.fill)
        self._used: list[str] = []
        self._markup: dict[str, tuple[str, Markup]] = {}

    def placeholder(self, name: str) -> Markup:
        """Record a placeholder name and return its highlighted markup."""
        markup = self._markup.get(name)
        if markup is None:
            clean = BAD_XML_CHARS.sub("", str(name))
            markup = self._markup[name] = (clean, Markup("<ph>[") + escape(clean) + Markup("]</ph>"))
        if markup[0] not in self._used:
            self._used.append(markup[0])
        return markup[1]

    def fill(self, value: Any, name: str) -> Any:
        """``value`` when it has content, else ``placeholder(name)``."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.placeholder(name)
        return value

    def check(self, name: str) -> None:
        """Load and compile a template now, so a broken one fails before any file is written."""
        self._get(name)

    def part(self, template: str, pattern: str) -> str:
        """The pattern part to use: templates/patterns/<template>, else <pattern>."""
        for candidate in (template, pattern):
            if candidate and _PART_NAME.match(candidate):
                name = f"patterns/{candidate}.html.j2"
                if (self.directory / name).is_file():
                    self._get(name)
                    return name
        raise RenderError(
            f"no letter part for pattern {pattern!r} (template {template!r})",
            file=self.directory / "patterns",
            fix=f"add patterns/{template or pattern}.html.j2 to the templates folder",
        )

    def _get(self, name: str) -> Any:
        try:
            return self.env.get_template(name)
        except TemplateNotFound:
            raise RenderError(
                f"template {name} not found", file=self.directory,
                fix="copy it from the packaged templates (`appeals init`)",
            ) from None
        except TemplateSyntaxError as exc:
            raise RenderError(
                f"template syntax error: {exc.message}", file=exc.filename or name,
                row=exc.lineno, fix=_FIX,
            ) from None

    def render(self, name: str, context: dict[str, Any]) -> tuple[str, list[str]]:
        """Render a template; returns the markup and the placeholder names it used."""
        template = self._get(name)
        self._used = []
        try:
            markup = template.render(context)
        except UndefinedError as exc:
            file, line = _template_frame(exc.__traceback__, self.directory)
            raise RenderError(
                f"template {name} uses an undefined variable: {exc.message}",
                file=file or name, row=line, fix=_FIX,
            ) from None
        except SecurityError as exc:
            file, line = _template_frame(exc.__traceback__, self.directory)
            raise RenderError(
                f"template {name} does something the sandbox forbids: {exc}",
                file=file or name, row=line, fix=_FIX,
            ) from None
        except TemplateSyntaxError as exc:
            raise RenderError(
                f"template syntax error: {exc.message}", file=exc.filename or name,
                row=exc.lineno, fix=_FIX,
            ) from None
        except TemplateNotFound as exc:
            raise RenderError(
                f"template {name} includes {exc.name}, which does not exist",
                file=self.directory, fix=_FIX,
            ) from None
        except (TemplateError, TypeError, ValueError, AttributeError) as exc:
            file, line = _template_frame(exc.__traceback__, self.directory)
            raise RenderError(
                f"template {name} failed: {exc}", file=file or name, row=line, fix=_FIX,
            ) from None
        return markup, list(self._used)
