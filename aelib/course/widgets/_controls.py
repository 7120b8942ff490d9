"""The controls every slider explorer shares: readable sliders and a keyboard hint.

A slider whose track is narrower than its number of positions cannot be set to a chosen position
with the mouse (a learner measured ~124 px for 161 positions). :func:`explorer_widget` gives
each slider a width that grows with its number of positions (capped by the output area) and a
description width that fits its label, and adds one line under the sliders saying that the arrow
keys step a slider one position at a time. The returned object is still the
``ipywidgets.interactive``: its sliders come first in ``children``, its ``Output`` last.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

__all__ = ["KEY_HINT", "explorer_widget", "slider_positions", "slider_width"]

#: The line shown with every explorer (HTML).
KEY_HINT = (
    "<span style='font-size: 90%; color: #555'>Tip: click a slider's handle, then press "
    "<kbd>←</kbd> <kbd>→</kbd> to move it one step at a time.</span>"
)

_PX_PER_POSITION = 3  # of track: enough to hit each position with the mouse
_LABELS_PX = 160  # description and read-out beside the track
_MIN_PX, _MAX_PX = 400, 760


def slider_positions(slider: widgets.Widget) -> int:
    """The number of positions a slider can take.

    Parameters
    ----------
    slider : ipywidgets.FloatSlider, IntSlider, FloatLogSlider or SelectionSlider
        The control (for a ``FloatLogSlider`` ``min``, ``max`` and ``step`` are exponents).

    Returns
    -------
    int
        At least 1.
    """
    if isinstance(slider, widgets.SelectionSlider):
        return max(1, len(slider.options))
    if not all(hasattr(slider, k) for k in ("min", "max", "step")):
        raise TypeError(f"slider: expected an ipywidgets slider, got {type(slider).__name__}")
    step = slider.step or 1
    return max(1, round((slider.max - slider.min) / step) + 1)


def slider_width(positions: int) -> str:
    """A CSS width for a slider with ``positions`` positions (track plus labels).

    About 3 px of track per position, at least 400 px and at most 760 px in all, never wider than
    95 % of the output area.

    Parameters
    ----------
    positions : int
        The slider's number of positions (:func:`slider_positions`).

    Returns
    -------
    str
        E.g. ``"min(95%, 643px)"``.
    """
    px = _PX_PER_POSITION * int(positions) + _LABELS_PX
    return f"min(95%, {min(max(px, _MIN_PX), _MAX_PX)}px)"


def explorer_widget(
    function: Callable[..., object], **sliders: widgets.Widget
) -> widgets.interactive:
    """``ipywidgets.interactive(function, **sliders)`` with readable sliders and the key hint.

    Parameters
    ----------
    function : callable
        Called with the sliders' values as keyword arguments on each move.
    **sliders : ipywidgets.Widget
        The controls, by the name of ``function``'s argument they set.

    Returns
    -------
    ipywidgets.interactive
        ``children``: the sliders in order, the hint (an ``ipywidgets.HTML``), the ``Output``.
    """
    for slider in sliders.values():
        slider.layout.width = slider_width(slider_positions(slider))
        slider.style.description_width = "initial"
    w = widgets.interactive(function, **sliders)
    hint = widgets.HTML(KEY_HINT)
    *controls, out = w.children
    w.children = (*controls, hint, out)
    return w
