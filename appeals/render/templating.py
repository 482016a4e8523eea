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
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from appeals.errors import RenderError
from appeals.render.markup import BAD_XML_CHARS
from appeals.render.wordml import slot

_SLOTS: list[str] = []  # slot(n) for every n used so far, shared by every render
_DATA_CLEAN = re.compile(BAD_XML_CHARS.pattern[:-1] + "\ue000\ue001]")
# A printed string with none of these is its own cleaned, XML-escaped, one-line text.
_NEEDS_WORK = re.compile(BAD_XML_CHARS.pattern[:-1] + "\ue000\ue001\t\n\r&<>]")

_PART_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_FIX = "correct the template (templates/README.md lists the variables each one can use)"


def clean_text(value: Any) -> str:
    """A printed value as text: XML-illegal and slot characters removed, tabs as spaces."""
    return _DATA_CLEAN.sub("", str(value)).replace("\t", " ")


# getattr() on a plain dict only finds these names; any other name falls through to the item.
_DICT_ATTRS = frozenset(dir(dict))
# Data, never a callable: the sandbox would hand these back unchanged once the name is safe.
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), list, tuple, dict})
_STOP_ITERATION = (
    "value was undefined because a callable raised a StopIteration exception"
)


class _Sandbox(SandboxedEnvironment):
    """The stock sandbox with its per-access checks answered once instead of every time.

    Every decision is the one ``SandboxedEnvironment`` makes; only its cost changes. A
    letter does about a hundred attribute reads and thirty calls, and the stock checks
    (a failed ``getattr`` with its exception on every dict, ``is_internal_attribute``,
    ``Context.call``'s introspection) were a third of the render time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}
        self._trusted: tuple[Any, ...] = ()  # held, so their ids stay theirs
        self._trusted_ids: frozenset[int] = frozenset()

    def trust(self, *functions: Any) -> None:
        """Plain callables of our own: called directly, as ``Context.call`` would."""
        self._trusted = functions
        self._trusted_ids = frozenset(id(f) for f in functions)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)
        if type(value) not in _PLAIN_VALUES:
            # Methods, macros, modules: the stock path, which also wraps a str.format.
            return super().getattr(obj, attribute)
        # The stock check depends on the object's type and the name only.
        key = (type(obj), attribute)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = self.is_safe_attribute(obj, attribute, value)
        return value if safe else self.unsafe_undefined(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # Macros and our own helpers take no context and are never marked unsafe, so
        # Context.call would only drop the loop bookkeeping and call them.
        if type(__obj) is Macro or id(__obj) in __self._trusted_ids:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.undefined(_STOP_ITERATION)
        return super().call(__context, __obj, *args, **kwargs)


def _slot_text(index: int) -> str:
    while index >= len(_SLOTS):
        _SLOTS.append(slot(len(_SLOTS)))
    return _SLOTS[index]


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
        self.env = _Sandbox(
            loader=FileSystemLoader(str(self.directory)),
            autoescape=True,
            undefined=StrictUndefined,
            finalize=self._finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        placeholder, fill = self.placeholder, self.fill
        self.env.globals.update(placeholder=placeholder, fill=fill)
        self.env.trust(placeholder, fill)
        self._used: list[str] = []
        self._values: list[str] = []
        self._markup: dict[str, tuple[str, Markup]] = {}
        # Values a biller typed for this document's placeholders (the web page's inputs):
        # a filled name prints as its value and is no longer listed as left to fill.
        self.filled: dict[str, str] = {}

    def _finalize(self, value: Any) -> Any:
        """Jinja ``finalize``: a printed value becomes a slot; a line break becomes <br>.

        A slot is returned as plain text: Jinja escapes it next, which leaves its
        characters as they are and costs less than passing a ``Markup`` through.
        """
        if type(value) is str:
            if not value:
                return ""
            if _NEEDS_WORK.search(value) is None:  # most values: nothing to clean or escape
                values = self._values
                values.append(value)
                index = len(values) - 1
                return _SLOTS[index] if index < len(_SLOTS) else _slot_text(index)
        elif isinstance(value, Markup):
            return value
        elif value is None:
            return ""
        text = clean_text(value)
        if "\n" in text or "\r" in text:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            return Markup("<br>").join(self._slot(line) for line in lines)
        return self._slot(text)

    def _slot(self, text: str) -> str:
        if not text:
            return ""
        values = self._values
        values.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        index = len(values) - 1
        return _SLOTS[index] if index < len(_SLOTS) else _slot_text(index)

    def placeholder(self, name: str) -> Markup | str:
        """Record a placeholder name and return its highlighted markup."""
        if self.filled:
            value = self.filled.get(name, "")
            if value.strip():
                return value  # plain text: printed, so escaped like any data
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
            raise _syntax_error(exc, name) from None

    def render(self, name: str, context: dict[str, Any]) -> tuple[str, list[str], list[str]]:
        """Render a template: the skeleton markup, the placeholder names it used, and the
        XML-escaped values of its slots."""
        template = self._get(name)
        self._used = []
        self._values = []
        try:
            markup = template.render(context)
        except (UndefinedError, SecurityError) as exc:
            what = (
                f"uses an undefined variable: {exc.message}"
                if isinstance(exc, UndefinedError)
                else f"does something the sandbox forbids: {exc}"
            )
            file, line = _template_frame(exc.__traceback__, self.directory)
            raise RenderError(
                f"template {name} {what}", file=file or name, row=line, fix=_FIX
            ) from None
        except TemplateSyntaxError as exc:
            raise _syntax_error(exc, name) from None
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


def _syntax_error(exc: TemplateSyntaxError, name: str) -> RenderError:
    """A template that does not parse, named by file and line (loading or including it)."""
    return RenderError(
        f"template syntax error: {exc.message}", file=exc.filename or name,
        row=exc.lineno, fix=_FIX,
    )
