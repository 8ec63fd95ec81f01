"""Warnings shown on a programme's page and its set-up form when the programme's own rules (its
length, how often reviews are, its protected time) already break a criterion of a standard the
organisation is held to. The standards live in the reports app, a layer above: it registers a
source here from its ``AppConfig.ready``, so ``programmes`` never imports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from programmes.models import Programme


@dataclass(frozen=True)
class SetupWarning:
    standard: str
    criterion: str
    why: str


Source = Callable[[Programme], list[SetupWarning]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def warnings_for(programme: Programme | None) -> list[SetupWarning]:
    if programme is None or programme.pk is None:
        return []
    return [warning for source in _SOURCES for warning in source(programme)]
