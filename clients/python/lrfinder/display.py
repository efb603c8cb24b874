"""Text and HTML summaries shared by jobs, sweep sessions and range-test results."""
from __future__ import annotations

import html
import itertools
import math
import re
from typing import Any, Iterable

_ids = itertools.count(1)


def fmt(value: Any) -> str:
    """A short human value: 3 significant digits for floats (exponent form outside [1e-3, 1e4))."""
    if isinstance(value, bool) or value is None:
        return "none" if value is None else str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return "0"
        if 1e-3 <= abs(value) < 1e4:
            return f"{value:.3g}"
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return str(value)


def summary_line(fields: Iterable[tuple[str, Any]]) -> str:
    return ", ".join(f"{k}={fmt(v)}" for k, v in fields)


def inline_svg(svg: str) -> str:
    """An SVG document made fit for embedding in a page holding other plots: no XML prolog, and
    element ids made unique (a second plot's `url(#clip)` must not resolve to the first plot's)."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    suffix = f"-lrf{next(_ids)}"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{ident}"', f'id="{ident}{suffix}"')
        svg = svg.replace(f"url(#{ident})", f"url(#{ident}{suffix})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{ident}{suffix}"')
    return svg


def html_card(title: str, fields: Iterable[tuple[str, Any]], svg: str | None) -> str:
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th><td>{html.escape(fmt(v))}</td></tr>"
        for k, v in fields
    )
    plot = f"<div>{inline_svg(svg)}</div>" if svg else ""
    return f"<div><div><b>{html.escape(title)}</b></div><table>{rows}</table>{plot}</div>"
