"""The guide's reference, made from the code at build time, in the language being built.

- ``{reportkit-commands}``: every ``reportkit`` command's ``--help``, from ``reportkit.cli``'s
  parser, in English or Vietnamese (the CLI's own message catalog translates it);
- ``{reportkit-parameters}``: each document notebook's parameters, as ``reportkit params``
  reads them from its ``parameters`` cell (help translated by the same catalog);
- ``{reportkit-campaign-keys}``: the keys of ``campaign.yaml`` from the pydantic models of
  ``reportkit.campaign``; their descriptions are English in the code, so they go through the
  guide's own catalog (docs/locale) like any paragraph of the guide.

Text the CLI's catalog already translates is made into nodes without a source, which Sphinx
leaves out of the guide's catalogs; nothing is said twice. The extension also gives the PDF
builder (rinohtype) the shipped Liberation Serif and a Vietnamese set of its own words.
"""

from __future__ import annotations

import os
import types
import typing
from contextlib import contextmanager, suppress
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

HELP_WIDTH = "88"  # argparse wraps to $COLUMNS; the same width in every build


@contextmanager
def _speaking(lang: str):
    """reportkit's messages (and argparse's own words) in ``lang`` for the duration."""
    from reportkit import i18n

    saved = {name: os.environ.get(name) for name in ("COLUMNS", "REPORTKIT_LANG")}
    os.environ["COLUMNS"] = HELP_WIDTH
    i18n.set_language(lang)
    i18n.translate_argparse()
    try:
        yield i18n._
    finally:
        i18n.set_language(None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _already_translated(found: list[nodes.Node]) -> list[nodes.Node]:
    """Keep text the CLI's catalog translated out of the guide's catalogs."""
    for node in found:
        for element in node.findall(nodes.TextElement):
            element["translatable"] = False
    return found


def _section(title: str, ident: str) -> nodes.section:
    section = nodes.section(ids=[ident], names=[ident])
    section += nodes.title(text=title)
    return section


class Commands(SphinxDirective):
    """Every subcommand's ``--help``, in the order ``reportkit --help`` lists them."""

    def run(self) -> list[nodes.Node]:
        import argparse

        from reportkit import cli_parser

        with _speaking(self.env.config.language or "en"):
            # cli's parser as main() makes it: --lang on every subcommand
            parser = cli_parser.lang_everywhere(cli_parser.build_parser())
            found = [nodes.literal_block(text=parser.format_help(), language="text")]
            for action in parser._actions:  # argparse keeps the subcommands there
                if isinstance(action, argparse._SubParsersAction):
                    helps = {choice.dest: choice.help for choice in action._choices_actions}
                    for name, command in action.choices.items():
                        section = _section(f"reportkit {name}", f"command-{name}")
                        section += nodes.paragraph(text=helps.get(name) or "")
                        section += nodes.literal_block(text=command.format_help(), language="text")
                        found.append(section)
        return _already_translated(found)


class Parameters(SphinxDirective):
    """Each document notebook's parameters: name, type, default and help."""

    def run(self) -> list[nodes.Node]:
        from reportkit.documents import find_documents
        from reportkit.parameters import notebook_parameters

        found = []
        with _speaking(self.env.config.language or "en") as translate:
            for name, document in find_documents().items():
                section = _section(name, f"parameters-{name}")
                items = nodes.definition_list()
                for p in notebook_parameters(document.path).values():
                    self.env.note_dependency(str(document.path))
                    term = nodes.term()
                    term += nodes.literal(text=f"{p.name}: {p.type} = {p.default}")
                    definition = nodes.definition()
                    definition += nodes.paragraph(text=translate(p.help) if p.help else "")
                    items += nodes.definition_list_item("", term, definition)
                section += items
                found.append(section)
        return _already_translated(found)


def _type_name(annotation) -> str:
    """``int | None`` → ``int``, a model → its key's table, a tuple → ``list of …``."""
    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        return " | ".join(kinds)
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return getattr(annotation, "__name__", str(annotation)).replace("IssueDate", "date")


def _models_of(annotation):
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_of(argument)


class CampaignKeys(SphinxDirective):
    """The keys of campaign.yaml, walked from :class:`reportkit.campaign.CampaignConfig`."""

    def run(self) -> list[nodes.Node]:
        from reportkit.campaign import CampaignConfig

        source, line = self.get_source_info()
        items = nodes.definition_list()
        self._walk(CampaignConfig, "", items, source, line)
        return [items]

    def _walk(self, model, prefix: str, items, source: str, line: int) -> None:
        for name, field in model.model_fields.items():
            key = f"{prefix}{name}"
            kind = _type_name(field.annotation)
            needed = "required" if field.is_required() else "optional"
            term = nodes.term()
            term += nodes.literal(text=key)
            term += nodes.Text(f" ({kind}, {needed})")
            definition = nodes.definition()
            if field.description:
                # the guide's catalog translates it: a paragraph with a source is extracted
                paragraph = nodes.paragraph(text=field.description)
                paragraph.source, paragraph.line = source, line
                definition += paragraph
            items += nodes.definition_list_item("", term, definition)
            for sub in dict.fromkeys(_models_of(field.annotation)):
                self._walk(sub, f"{key}[]." if "list" in kind else f"{key}.", items, source, line)


def _pdf_resources(app) -> None:
    """The shipped face for rinohtype, registered once, and its words in Vietnamese."""
    from rinoh import register_typeface
    from rinoh.font import Typeface
    from rinoh.font.opentype import OpenTypeFont
    from rinoh.font.style import FontSlant, FontWeight
    from rinoh.language import Language

    styles = {
        "Regular": (FontWeight.REGULAR, FontSlant.UPRIGHT),
        "Bold": (FontWeight.BOLD, FontSlant.UPRIGHT),
        "Italic": (FontWeight.REGULAR, FontSlant.ITALIC),
        "BoldItalic": (FontWeight.BOLD, FontSlant.ITALIC),
    }
    import reportkit

    shipped = Path(reportkit.__file__).with_name("fonts")
    fonts = [
        OpenTypeFont(str(shipped / f"LiberationSerif-{style}.ttf"), weight=weight, slant=slant)
        for style, (weight, slant) in styles.items()
    ]
    with suppress(ValueError):  # already registered by an earlier build in this process
        register_typeface("reportkit serif", Typeface("reportkit Serif", *fonts))
    app.reportkit_vi = Language(  # rinohtype keeps a weak reference: hold this one
        "vi",
        "Tiếng Việt",
        paragraph="Đoạn",
        section="Mục",
        chapter="Chương",
        figure="Hình",
        table="Bảng",
        listing="Đoạn mã",
        equation="Công thức",
        contents="Mục lục",
        list_of_figures="Danh mục hình",
        list_of_tables="Danh mục bảng",
        index="Chỉ mục",
        attention="Chú ý!",
        caution="Thận trọng!",
        danger="Nguy hiểm!",
        error="Lỗi",
        hint="Gợi ý",
        important="Quan trọng",
        note="Ghi chú",
        tip="Mẹo",
        warning="Cảnh báo",
        seealso="Xem thêm",
    )


# What conf.py cannot say per language: it is read before ``-D language=vi`` applies.
_WORDS = {
    "vi": {
        "subtitle": "Hướng dẫn sử dụng",
        "author": "Nhóm phát triển reportkit",
        "description": "Kế hoạch và báo cáo theo Nghị định 30 từ dữ liệu của chiến dịch",
    }
}


def _localise(app, config) -> None:
    words = _WORDS.get(config.language)
    if words:
        config.rinoh_documents = [
            {**entry, "subtitle": words["subtitle"], "author": words["author"]}
            for entry in config.rinoh_documents
        ]
        config.html_theme_options = {**config.html_theme_options, "description": words["description"]}


def setup(app):
    app.connect("config-inited", _localise)
    app.add_directive("reportkit-commands", Commands)
    app.add_directive("reportkit-parameters", Parameters)
    app.add_directive("reportkit-campaign-keys", CampaignKeys)
    _pdf_resources(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
