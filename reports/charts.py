"""Column charts drawn on the server as SVG (templates/mentoring/_column_chart.html):
no script and no CDN, the same figures as the table beside them."""

from __future__ import annotations

from typing import Any


def column_chart(values: list[tuple[str, float | None, str]]) -> dict[str, Any]:
    """Columns scaled to the largest shown value, from (label, value or None when
    hidden, text shown under the column)."""
    top = max((v for _label, v, _text in values if v is not None), default=0) or 1
    points = []
    for i, (label, value, text) in enumerate(values):
        height = 0.0 if value is None else round(100 * max(value, 0) / top, 1)
        points.append(
            {
                "label": label,
                "value": value,
                "text": text,
                "height": height,
                "x": 100 * i + 15,
                "y": round(100 - height, 1),
            }
        )
    return {"width": 100 * max(len(points), 1), "points": points}
