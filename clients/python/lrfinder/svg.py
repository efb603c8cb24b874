"""The loss-vs-LR plot of a sweep result as SVG text, drawn here with the standard library (sweep
sessions have no plot.svg on the service). The same picture as the service's
GET /v1/lr-range-tests/{id}/plot.svg (src/kinds/lr-range-tests/svg.ts): raw loss faint, smoothed
loss solid, the suggested LR marked, every method's pick shown faintly; the loss axis is clipped to
[lowest loss, first loss + a margin] so a blow-up at the end does not flatten the curve."""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape

from .display import fmt

LAYOUT = {"width": 780, "height": 460, "left": 64, "right": 200, "top": 52, "bottom": 52}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _px(v: float) -> str:
    return f"{round(v, 2):g}"


def _attr(text: Any) -> str:
    return escape(str(text), {'"': "&quot;"})


def decade_domain(values: Sequence[float | None]) -> tuple[float, float]:
    """Whole decades enclosing the positive values (at least one decade wide)."""
    pos = [v for v in values if v is not None and v > 0]
    if not pos:
        return 1e-7, 10.0
    lo = math.floor(math.log10(min(pos)) + 1e-9)
    hi = math.ceil(math.log10(max(pos)) - 1e-9)
    return 10.0 ** lo, 10.0 ** max(hi, lo + 1)


def loss_range(series: Sequence[Sequence[float | None]]) -> tuple[float, float]:
    """From the lowest loss to the first loss plus a quarter of the drop (at least 5% of the first
    loss), never above the highest loss; padded by 4%."""
    finite = [v for s in series for v in s if v is not None]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    firsts = [next((v for v in s if v is not None), None) for s in series]
    first = max((v for v in firsts if v is not None), default=hi)
    top = min(hi, first + max(0.25 * (first - lo), 0.05 * abs(first)))
    if not top > lo:
        top = lo + max(abs(lo) * 0.1, 1e-9)
    pad = 0.04 * (top - lo)
    return lo - pad, top + pad


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / count
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), 10 * mag)
    out, v = [], math.ceil(lo / step) * step
    while v <= hi + step * 1e-9:
        out.append(float(f"{v:.12g}"))
        v += step
    return out


def path_data(xs: Sequence[float | None], ys: Sequence[float | None], sx: Callable[[float], float], sy: Callable[[float], float]) -> str:
    """An SVG path through the points; a missing x or y breaks the line."""
    d, pen = [], False
    for x, y in zip(xs, ys):
        if x is None or y is None or x <= 0:
            pen = False
            continue
        d.append(f"{'L' if pen else 'M'}{_px(sx(x))},{_px(sy(y))}")
        pen = True
    return "".join(d)


def curve_at(lrs: Sequence[float | None], ys: Sequence[float | None], lr: float) -> float | None:
    """The curve's value at `lr`, linear in log10(lr) between recorded points; None off the curve or across a gap."""
    for i, a in enumerate(lrs):
        if a is None:
            continue
        if a == lr:
            return ys[i]
        b = lrs[i + 1] if i + 1 < len(lrs) else None
        if b is not None and a < lr < b:
            ya, yb = ys[i], ys[i + 1]
            if ya is None or yb is None or not a > 0:
                return None
            t = (math.log10(lr) - math.log10(a)) / (math.log10(b) - math.log10(a))
            return ya + t * (yb - ya)
    return None


def render_curve_svg(result: dict[str, Any], subtitle: str = "", title: str = "LR range test") -> str:
    L = LAYOUT
    x0, x1 = L["left"], L["width"] - L["right"]
    y0, y1 = L["top"], L["height"] - L["bottom"]
    lrs = [_num(v) for v in result.get("lrs") or []]
    raw = [_num(v) for v in result.get("losses") or []]
    smooth = [_num(v) for v in result.get("smoothed_losses") or []]
    d0, d1 = decade_domain(lrs)
    k0, k1 = round(math.log10(d0)), round(math.log10(d1))
    sx = lambda v: x0 + (math.log10(v) - k0) / (k1 - k0) * (x1 - x0)  # noqa: E731
    lo, hi = loss_range([raw, smooth])
    sy = lambda v: y1 - (v - lo) / (hi - lo) * (y1 - y0)  # noqa: E731
    clamp = lambda y: min(y1, max(y0, y))  # noqa: E731

    suggestion = result.get("suggestion") or {}
    method = suggestion.get("method") or "suggestion"
    suggested = _num(result.get("suggested_lr"))
    suggested = suggested if suggested is not None and suggested > 0 else None
    heading = f"{title} · stop_reason: {result.get('stop_reason') or 'unknown'} · suggested LR {fmt(suggested)} ({method})"

    out = [f'<text x="{x0}" y="22" font-size="15" font-weight="bold">{escape(heading)}</text>']
    if subtitle:
        out.append(f'<text x="{x0}" y="40" font-size="11" fill="#555555">{escape(subtitle)}</text>')
    out.append(f'<defs><clipPath id="lrf-plot-area"><rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}"/></clipPath></defs>')
    grid = []
    for k in range(k0, k1 + 1):
        x = _px(sx(10.0 ** k))
        label = f"{10.0 ** k:g}" if -2 <= k <= 3 else f"1e{k}"
        grid.append(f'<line class="decade-tick" data-decade="{k}" x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="#dddddd"/>')
        grid.append(f'<text x="{x}" y="{y1 + 16}" text-anchor="middle">{label}</text>')
    for t in nice_ticks(lo, hi):
        y = _px(sy(t))
        grid.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#eeeeee"/>')
        grid.append(f'<text x="{x0 - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">{escape(fmt(t))}</text>')
    out.append(f'<g class="grid">{"".join(grid)}</g>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="#333333"/>')
    out.append(f'<text x="{(x0 + x1) / 2:g}" y="{L["height"] - 12}" text-anchor="middle">learning rate (log scale)</text>')
    out.append(f'<text transform="translate(16 {(y0 + y1) / 2:g}) rotate(-90)" text-anchor="middle">loss</text>')

    curves = []
    raw_d, smooth_d = path_data(lrs, raw, sx, sy), path_data(lrs, smooth, sx, sy)
    if raw_d:
        curves.append(f'<path id="raw-loss" d="{raw_d}" fill="none" stroke="{PALETTE[0]}" stroke-opacity="0.3" stroke-width="1"/>')
    if smooth_d:
        curves.append(f'<path id="smoothed-loss" d="{smooth_d}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')

    def y_at(lr: float, index: Any) -> float:
        # a pick sits on the smoothed curve at its LR (fastai's minimum is lrs[i] / 10: not lrs[index])
        v = curve_at(lrs, smooth, lr)
        if v is None and isinstance(index, int) and 0 <= index < len(smooth):
            v = smooth[index] if smooth[index] is not None else raw[index]
        return clamp(sy(v)) if v is not None else y1

    legend = []
    for i, (name, pick) in enumerate((result.get("suggestions") or {}).items()):
        color = PALETTE[(i + 1) % len(PALETTE)]
        lr = _num((pick or {}).get("lr"))
        ok = lr is not None and lr > 0
        label = f"{name}: {fmt(lr) if ok else 'none'}"
        legend.append(f'<circle cx="8" cy="{i * 16 + 60}" r="4" fill="none" stroke="{color}"/>'
                      f'<text x="18" y="{i * 16 + 64}">{escape(label)}</text>')
        if ok:
            x = _px(sx(lr))
            curves.append(f'<g class="method-marker" data-method="{_attr(name)}" data-lr="{lr!r}" opacity="0.6">'
                          f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y1 - 8}" stroke="{color}"/>'
                          f'<circle cx="{x}" cy="{_px(y_at(lr, pick.get("index")))}" r="4" fill="none" stroke="{color}" stroke-width="1.5"/>'
                          f'<title>{escape(f"{name}: {fmt(lr)}")}</title></g>')
    out.append(f'<g clip-path="url(#lrf-plot-area)">{"".join(curves)}</g>')

    if suggested is not None:
        x = sx(suggested)
        anchor, dx = ("end", -6) if x > x1 - 120 else ("start", 6)
        out.append(f'<g id="suggested-lr" data-lr="{suggested!r}" data-method="{_attr(method)}">'
                   f'<line x1="{_px(x)}" y1="{y0}" x2="{_px(x)}" y2="{y1}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5 3"/>'
                   f'<circle cx="{_px(x)}" cy="{_px(y_at(suggested, suggestion.get("index")))}" r="5" fill="#d62728"/>'
                   f'<text x="{_px(x + dx)}" y="{y0 + 14}" text-anchor="{anchor}" fill="#d62728">{escape(f"{method}: {fmt(suggested)}")}</text></g>')

    out.append(f'<g class="legend" transform="translate({x1 + 16} {y0})">'
               f'<line x1="0" y1="6" x2="16" y2="6" stroke="{PALETTE[0]}" stroke-opacity="0.3"/><text x="22" y="10">raw loss</text>'
               f'<line x1="0" y1="22" x2="16" y2="22" stroke="{PALETTE[0]}" stroke-width="2"/><text x="22" y="26">smoothed loss</text>'
               f'<line x1="8" y1="32" x2="8" y2="44" stroke="#d62728" stroke-dasharray="3 2"/><text x="22" y="42">suggested ({escape(method)})</text>'
               f'{"".join(legend)}</g>')
    w, h = L["width"], L["height"]
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(heading)}</title>",
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>',
        *out,
        "</svg>",
        "",
    ])
