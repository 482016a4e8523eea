"""The Jinja2 side of rendering: a sandboxed, autoescaping environment over templates/.

Data reaches templates only as values, never as template source, and every value is
cleaned of characters XML cannot hold. ``placeholder("LCD number")`` records the name for
the work queue and returns highlighted markup; ``fill(value, "name")`` gives the value, or
the placeholder when the value is empty.

Every value a template prints becomes a numbered slot (``\ue000<n>\ue001``) in the
rendered markup, and its XML-escaped text is kept aside. The markup is then a skeleton
that many documents share, so ``wordml.convert_cached`` converts each skeleton once and
the values are spliced into the WordprocessingML afterwards.
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
from appeals.wordml import BAD_XML_CHARS, slot

_SLOT_MARKUP: list[Markup] = []
_DATA_CLEAN = re.compile(BAD_XML_CHARS.pattern[:-1] + "\ue000\ue001]")

_PART_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_FIX = "correct the template (templates/README.md lists the variables each one can use)"


def clean_text(value: Any) -> str:
    """A printed value as text: XML-illegal and slot characters removed, tabs as spaces."""
    return _DATA_CLEAN.sub("", str(value)).replace("\t", " ")


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
            finalize=self._finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(placeholder=self.placeholder, fill=self.fill)
        self._used: list[str] = []
        self._values: list[str] = []
        self._markup: dict[str, tuple[str, Markup]] = {}

    def _finalize(self, value: Any) -> Any:
        """Jinja ``finalize``: a printed value becomes a slot; a line break becomes <br>."""
        if isinstance(value, Markup):
            return value
        if value is None:
            return ""
        text = clean_text(value)
        if "\n" in text or "\r" in text:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            return Markup("<br>").join(self._slot(line) for line in lines)
        return self._slot(text)

    def _slot(self, text: str) -> Markup | str:
        if not text:
            return ""
        values = self._values
        values.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        index = len(values) - 1
        while index >= len(_SLOT_MARKUP):  # grown once per process, shared by every render
            _SLOT_MARKUP.append(Markup(slot(len(_SLOT_MARKUP))))
        return _SLOT_MARKUP[index]

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

    def render(self, name: str, context: dict[str, Any]) -> tuple[str, list[str], list[str]]:
        """Render a template: the skeleton markup, the placeholder names it used, and the
        XML-escaped values of its slots."""
        template = self._get(name)
        self._used = []
        self._values = []
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
        return markup, list(self._used), self._values
