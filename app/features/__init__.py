"""Features: what each domain adds to the app, declared in one object and installed explicitly.

A domain (core, surveys, observations, achievement, monitoring, exports) declares one
`Feature` in `app/features/<domain>.py`: its blueprints, navigation entries and home tiles,
command-line commands, demo steps, parts of the annual workbook, indicator calculators,
cyclogram status rules, profile sections, export-job kinds and what the first screen shows. `create_app` installs the
features of one literal list by calling each one's `init_app`; importing a module never
registers anything. Services read what the installed features declared through
`installed()`, the app's `Registry`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

import click
from flask import Flask, current_app
from flask.cli import AppGroup

EXTENSION_KEY = "sapat"


@dataclass(frozen=True)
class Link:
    """A navigation entry or a home tile: shown to users holding any of `roles`."""

    roles: tuple[str, ...]
    label: Any  # a lazy string
    endpoint: str


@dataclass(frozen=True)
class Ordered:
    """Something whose place among the other features' contributions is set by `order`
    (lower first): demo steps, annual-workbook sections, profile sections."""

    order: int
    item: Any


@dataclass
class Registry:
    """Everything the installed features declared, in install order (or by `order`)."""

    features: list[str] = field(default_factory=list)
    nav: list[Link] = field(default_factory=list)
    tiles: list[Link] = field(default_factory=list)
    demo_steps: list[Ordered] = field(default_factory=list)
    annual_sections: list[Ordered] = field(default_factory=list)
    calculators: dict[str, Callable] = field(default_factory=dict)
    derivers: list[Callable] = field(default_factory=list)
    class_profile: list[Ordered] = field(default_factory=list)
    teacher_profile: list[Ordered] = field(default_factory=list)
    export_kinds: dict[str, Any] = field(default_factory=dict)
    today: list[Ordered] = field(default_factory=list)

    def sorted(self, name: str) -> list:
        """The items of an ordered list (`demo_steps`, `annual_sections`, ...), lowest order first."""
        return [entry.item for entry in sorted(getattr(self, name), key=lambda entry: entry.order)]


@dataclass(frozen=True)
class Feature:
    """One domain's contribution to the app; `init_app(app)` installs it."""

    name: str
    blueprints: tuple = ()
    nav: tuple[Link, ...] = ()
    tiles: tuple[Link, ...] = ()
    commands: tuple[click.Command, ...] = ()
    export_commands: tuple[click.Command, ...] = ()  # subcommands of `flask export`
    demo_steps: tuple[Ordered, ...] = ()  # item: fn(DemoContext)
    annual_sections: tuple[Ordered, ...] = ()  # item: exports.annual.Section
    calculators: Mapping[str, Callable] = field(default_factory=dict)  # indicator key -> fn(school_id, period)
    derivers: tuple[Callable, ...] = ()  # fn(cyclogram item, year) -> "done" | "in_progress" | None
    class_profile: tuple[Ordered, ...] = ()  # item: fn(class, viewer) -> profile Section | None
    teacher_profile: tuple[Ordered, ...] = ()  # item: fn(teacher, viewer) -> profile Section | None
    export_kinds: tuple = ()  # exports.jobs.ExportKind
    today: tuple[Ordered, ...] = ()  # item: fn(principal, year) -> [core.today.Item]: the first screen
    setup: Optional[Callable[[Flask], None]] = None  # request hooks, context processors, error pages

    def init_app(self, app: Flask) -> None:
        registry: Registry = app.extensions.setdefault(EXTENSION_KEY, Registry())
        if self.name in registry.features:
            raise RuntimeError(f"the feature {self.name!r} is installed twice")
        registry.features.append(self.name)
        for blueprint in self.blueprints:
            app.register_blueprint(blueprint)
        for command in self.commands:
            app.cli.add_command(command)
        if self.export_commands:
            group = app.cli.commands.get("export")
            if group is None:
                group = AppGroup("export", help="Write a workbook (.xlsx) for experts and reports.")
                app.cli.add_command(group)
            for command in self.export_commands:
                group.add_command(command)
        registry.nav.extend(self.nav)
        registry.tiles.extend(self.tiles)
        registry.demo_steps.extend(self.demo_steps)
        registry.annual_sections.extend(self.annual_sections)
        clash = set(registry.calculators) & set(self.calculators)
        if clash:
            raise RuntimeError(f"indicator calculators declared twice: {sorted(clash)}")
        registry.calculators.update(self.calculators)
        registry.derivers.extend(self.derivers)
        registry.today.extend(self.today)
        registry.class_profile.extend(self.class_profile)
        registry.teacher_profile.extend(self.teacher_profile)
        for kind in self.export_kinds:
            registry.export_kinds[kind.key] = kind
        if self.setup:
            self.setup(app)


def installed(app: Optional[Flask] = None) -> Registry:
    """What the features of this app declared (the current app's when none is given)."""
    return (app or current_app).extensions[EXTENSION_KEY]
