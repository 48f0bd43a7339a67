"""What a report is made of: sections of findings, tables and charts, and the report."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ytempire.analytics import views
from ytempire.analytics.alerts import Alert


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (heading, str.format spec for the cells)
    rows: list[list[Any]]

    def cells(self) -> list[list[str]]:
        return [
            [
                "" if value is None else fmt.format(value)
                for value, (_, fmt) in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


@dataclass
class Chart:
    name: str
    title: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    key: str
    title: str
    findings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class OptimizationReport:
    window: views.Window
    generated_at: datetime
    summary: dict[str, Any]
    alerts: list[Alert]
    sections: list[Section]
    seconds: float = 0.0

    @property
    def window_line(self) -> str:
        w = self.window
        return (
            f"{w.since:%Y-%m-%d %H:%M} to {w.until:%Y-%m-%d %H:%M} UTC "
            f"(built in {self.seconds:.2f} s)"
        )

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]
