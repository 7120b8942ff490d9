"""Browsers over many trained toy models: restarts of a Figure-1 panel (05), the seed study (07).

Both show one Figure-1 panel at a time on a colour scale fixed for the whole browser, so that
moving a slider changes only the panel's contents: the error contours, the red ε zone, the
out-of-bounds outline, the farthest point and the data. They are drawn on a
:class:`~aelib.course.widgets._live.LiveFigure` (axes, colour bar and legend drawn once).

- :func:`restart_explorer` (notebook 05): pick a panel and one of its restarts; see that
  restart's error map and where its final loss lies against the mean-only loss (collapsed or not).
- :func:`study_browser` (notebook 07): pick an activation, a data set and a seed of the study.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from aelib._validation import as_float_tensor, check_positive_int
from aelib.course.oob import OutOfBounds, out_of_bounds
from aelib.course.plots.toy import _data_points
from aelib.course.toy_recipes import ToyFit
from aelib.course.widgets._bands import LogBandImage, pixel_extent
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure

__all__ = ["restart_explorer", "study_browser"]

_LEVELS = 25  # log-spaced contour levels, as figure1_panel
_FLOOR = 0.1  # the colour scale starts at this × ε: below ε every band is red anyway


class _PanelArtists:
    """The moving contents of one Figure-1 panel on a fixed log colour scale.

    The error map is one :class:`~aelib.course.widgets._bands.LogBandImage` (``set_data`` per
    update, no new contours), coloured in ``_LEVELS`` log-spaced bands like
    :func:`aelib.course.plots.figure1_panel`'s contours, the bands below ε red (the ε zone).
    """

    def __init__(
        self, ax: Axes, vmin: float, vmax: float, eps: float, extent: tuple[float, ...]
    ) -> None:
        self.ax = ax
        self.bands = LogBandImage(ax, vmin, vmax, eps, extent, levels=_LEVELS)
        self.image = self.bands.image
        self.points = _data_points(ax, torch.zeros(0, 2))
        (self.star,) = ax.plot(
            [], [], ls="", marker="*", ms=14, color="yellow", mec="black", zorder=5, clip_on=False
        )
        self.outline: Artist | None = None

    def colorbar(self, label: str = "MSE (log scale, same for every model)") -> None:
        """A colour bar for the bands, ticked at whole powers of ten."""
        self.bands.colorbar(label)

    def draw(self, oob: OutOfBounds, X: torch.Tensor) -> list[Artist]:
        """Replace the panel's contents by ``oob``'s grid and the data ``X``; return its artists."""
        if self.outline is not None:
            self.outline.remove()
            self.outline = None
        self.bands.set_errors(oob.errors.detach().cpu().double().numpy())
        if oob.has_zone:
            self.outline = self.ax.contour(
                oob.xx, oob.yy, oob.zone.float(), levels=[0.5], colors="black", linewidths=1.2
            )
            p = oob.farthest_point
            self.star.set_data([float(p[0])], [float(p[1])])
        else:
            self.star.set_data([], [])
        self.points.set_offsets(X.detach().cpu().numpy())
        return [a for a in (self.image, self.outline, self.points, self.star) if a is not None]


def _panel(ax: Axes, first: OutOfBounds, vmin: float, vmax: float) -> _PanelArtists:
    """A browser's Figure-1 panel: axes on ``first``'s plane, labels, the colour bar."""
    xs, ys = first.xx[0], first.yy[:, 0]
    panel = _PanelArtists(ax, vmin, vmax, first.eps, pixel_extent(xs, ys))
    ax.set_xlim(float(xs[0]), float(xs[-1]))
    ax.set_ylim(float(ys[0]), float(ys[-1]))
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    panel.colorbar()
    return panel


def _legend(ax: Axes, eps: float) -> None:
    """The panel's legend, under the axes (outside the moving map, so it is drawn once)."""
    ax.legend(
        handles=_legend_handles(eps),
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncols=2,
        frameon=False,
    )


def _legend_handles(eps: float) -> list[Artist]:
    return [
        Patch(color="red", alpha=0.9, label=f"MSE < ε = {eps:g}"),
        Patch(facecolor="none", edgecolor="black", label="out-of-bounds zone"),
        Line2D([], [], ls="", marker="*", ms=10, color="yellow", mec="black", label="farthest"),
        Line2D([], [], ls="", marker="o", ms=4, color="white", mec="black", label="data"),
    ]


def restart_explorer(
    fits: Mapping[str, tuple[ToyFit, torch.Tensor]],
    titles: Mapping[str, str] | None = None,
    resolution: int = 101,
) -> widgets.interactive:
    """Browse every restart of several Figure-1 panels: which collapsed, and what each one maps.

    Left: the chosen restart's per-point MSE over ``config.TOY_PLANE`` (red where MSE < ε, the
    out-of-bounds zone outlined, the data as white dots). Right: the final training loss of each
    restart of the chosen panel (log scale) against the mean-only loss and the collapse threshold
    ``settings.collapse_fraction × mean-only loss``; the chosen restart has a black edge, the kept
    one (lowest loss) a star.

    Parameters
    ----------
    fits : mapping panel → (ToyFit, torch.Tensor)
        As returned by :func:`aelib.course.toy_recipes.figure1_model`: a fit that kept its
        restarts (``fit.ensemble``) and its training data (N, 2). All fits must have the same
        number of restarts.
    titles : mapping panel → str, optional
        Shown in the map's title; default: the panel names.
    resolution : int
        Grid points per axis of each map (computed on first view of a restart, then kept).

    Returns
    -------
    ipywidgets.interactive
        Sliders ``panel`` and ``restart``; ``.result`` is a dict with ``panel``, ``restart``,
        ``seed``, ``loss``, ``baseline`` (mean-only loss), ``ratio`` (loss / baseline),
        ``collapsed``, ``kept``, the map's ``has_zone`` and ``area``, and ``title`` (the map's
        title). The smallest MSE outside the data is not shown: notebook 05 asks for it in an
        exercise.
    """
    if not isinstance(fits, Mapping) or not fits:
        raise TypeError(f"fits: expected a non-empty mapping panel → (ToyFit, X), got {fits!r:.60}")
    data = {}
    for name, pair in fits.items():
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], ToyFit)):
            raise TypeError(f"fits[{name!r}]: expected a pair (ToyFit, X), got {pair!r:.60}")
        if pair[0].ensemble is None:
            raise ValueError(f"fits[{name!r}]: the fit kept no ensemble of restarts")
        data[name] = as_float_tensor(
            pair[1], f"fits[{name!r}][1]", ndim=2, last_dim=2, shape="(N, 2)", dtype=torch.float32
        )
    counts = {len(fit.final_losses) for fit, _ in fits.values()}
    if len(counts) != 1:
        raise ValueError(f"fits: expected the same number of restarts in every fit, got {counts}")
    (n_restarts,) = counts
    resolution = check_positive_int(resolution, "resolution")
    titles = dict(titles or {})
    maps: dict[tuple[str, int], OutOfBounds] = {}

    def grid(name: str, k: int) -> OutOfBounds:
        if (name, k) not in maps:
            maps[name, k] = out_of_bounds(
                fits[name][0].restart(k), data[name], resolution=resolution
            )
        return maps[name, k]

    first = next(iter(fits))
    start = grid(first, fits[first][0].best)
    live = LiveFigure(figsize=(11.5, 4.9), ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
    ax_map, ax_loss = live.axes
    # one colour scale for all restarts, up to the MSE of a constant output inside the data's
    # box at the plane's corner (what a collapsed restart reaches); larger MSEs get the top colour
    top = max(float((start.xx.abs().max() + X.abs().max()) ** 2) for X in data.values())
    panel = _panel(ax_map, start, _FLOOR * start.eps, top)

    losses = torch.stack([fit.final_losses for fit, _ in fits.values()])
    baselines = [fit.baseline for fit, _ in fits.values()]
    x = np.arange(n_restarts)
    bars = ax_loss.bar(x, np.ones(n_restarts), color="C0", edgecolor="none", linewidth=2)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(float(losses.min()) / 3, max(baselines) * 4)
    ax_loss.set_xticks(x)
    ax_loss.set_xlabel("restart")
    ax_loss.set_ylabel("final training loss (MSE)")
    base_line = ax_loss.axhline(1.0, color="black", ls="--", lw=1)
    cut_line = ax_loss.axhline(1.0, color="C3", ls=":", lw=1.5)
    (kept,) = ax_loss.plot([], [], ls="", marker="*", ms=14, color="gold", mec="black")
    ax_loss.legend(
        handles=[
            Patch(color="C0", label="trained"),
            Patch(color="0.6", label="collapsed"),
            Line2D([], [], color="black", ls="--", label="mean-only loss"),
            Line2D([], [], color="C3", ls=":", label="collapse threshold"),
            Line2D([], [], ls="", marker="*", ms=10, color="gold", mec="black", label="kept"),
        ],
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0,
    )
    _legend(ax_map, start.eps)
    title_map = ax_map.set_title("1x · restart 0 (seed 0): collapsed\nMSE", fontsize=9)
    title_loss = ax_loss.set_title("1x: 0 of 8 restarts collapsed\nrestart 0: loss", fontsize=9)
    live.readable()
    live.freeze([panel.image, title_map, title_loss, *bars, base_line, cut_line, kept])

    def show(panel_name: str, restart: int) -> dict:
        fit, X = fits[panel_name]
        k = int(restart)
        oob = grid(panel_name, k)
        artists = panel.draw(oob, X)
        loss = float(fit.final_losses[k])
        cut = fit.settings.collapse_fraction * fit.baseline
        for j, bar in enumerate(bars):
            bar.set_height(float(fit.final_losses[j]))
            bar.set_color("0.6" if bool(fit.collapsed[j]) else "C0")
            bar.set_edgecolor("black" if j == k else "none")
        base_line.set_ydata([fit.baseline, fit.baseline])
        cut_line.set_ydata([cut, cut])
        kept.set_data([fit.best], [float(fit.final_losses[fit.best]) * 1.6])
        collapsed = bool(fit.collapsed[k])
        state = "collapsed" if collapsed else "trained"
        title_map.set_text(
            f"{titles.get(panel_name, panel_name)} · restart {k} (seed {fit.settings.seed + k}): "
            f"{state}{', kept' if k == fit.best else ''}\n"
            f"out-of-bounds area {oob.area:.3g} (at ε = {oob.eps:g})"
        )
        title_loss.set_text(
            f"{panel_name}: {fit.n_collapsed} of {n_restarts} restarts collapsed\n"
            f"restart {k}: loss {loss:.3g} = {loss / fit.baseline:.2f} × mean-only loss"
        )
        live.set_moving([*artists, title_map, title_loss, *bars, base_line, cut_line, kept])
        live.show()
        return {
            "panel": panel_name,
            "restart": k,
            "seed": fit.settings.seed + k,
            "loss": loss,
            "baseline": fit.baseline,
            "ratio": loss / fit.baseline,
            "collapsed": collapsed,
            "kept": k == fit.best,
            "has_zone": oob.has_zone,
            "area": oob.area,
            "title": title_map.get_text(),
        }

    return explorer_widget(
        show,
        panel_name=widgets.SelectionSlider(
            options=list(fits), value=first, description="panel", continuous_update=False
        ),
        restart=widgets.IntSlider(
            value=fits[first][0].best,
            min=0,
            max=n_restarts - 1,
            description="restart",
            continuous_update=False,
        ),
    )


def study_browser(
    results: Mapping[tuple[str, str, int], OutOfBounds],
    datasets: Mapping[str, torch.Tensor],
    collapsed: Collection[tuple[str, str, int]] = (),
) -> widgets.interactive:
    """Browse the models of a many-seeds study (notebook 07): activation × data set × seed.

    Parameters
    ----------
    results : mapping (activation, data set, seed) → OutOfBounds
        Each model's measured grid (:func:`aelib.course.oob.out_of_bounds`); all on one plane.
    datasets : mapping data set → torch.Tensor
        The training data of each data set, shape (N, 2).
    collapsed : collection of (activation, data set, seed)
        The runs that collapsed (marked in the title).

    Returns
    -------
    ipywidgets.interactive
        Sliders ``activation``, ``data`` and ``seed``; ``.result`` is the shown model's
        :meth:`OutOfBounds.summary` plus ``collapsed``.
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError(
            f"results: expected a non-empty mapping (activation, data, seed) → OutOfBounds, "
            f"got {results!r:.60}"
        )
    for key, oob in results.items():
        if not (isinstance(key, tuple) and len(key) == 3) or not isinstance(oob, OutOfBounds):
            raise TypeError(
                f"results: expected (activation, data, seed) → OutOfBounds, got {key!r}: "
                f"{type(oob).__name__}"
            )
    sets = {
        str(k): as_float_tensor(v, f"datasets[{k!r}]", ndim=2, last_dim=2, shape="(N, 2)")
        for k, v in datasets.items()
    }
    if len({o.eps for o in results.values()}) != 1:
        raise ValueError("results: expected every model measured with the same eps")
    missing = sorted({d for _, d, _ in results} - set(sets))
    if missing:
        raise ValueError(f"datasets: expected every data set of results, missing {missing}")
    failed = set(collapsed)
    activations = list(dict.fromkeys(a for a, _, _ in results))
    names = list(dict.fromkeys(d for _, d, _ in results))
    seeds = sorted({s for _, _, s in results})
    first = next(iter(results.values()))
    vmax = max(float(o.errors.max()) for o in results.values())
    vmin = _FLOOR * first.eps
    live = LiveFigure(figsize=(5.6, 5.2))
    ax = live.axes
    panel = _panel(ax, first, vmin, vmax)
    _legend(ax, first.eps)
    title = ax.set_title("leaky_relu · two_gaussians · seed 0 (collapsed)\narea", fontsize=9)
    live.readable()
    live.freeze([panel.image, title])

    def show(activation: str, data: str, seed: int) -> dict:
        key = (activation, data, int(seed))
        if key not in results:
            title.set_text(f"{activation} · {data} · seed {seed}: not in the study")
            live.set_moving([title])
            live.show()
            return {"missing": True}
        oob = results[key]
        artists = panel.draw(oob, sets[data])
        bad = key in failed
        title.set_text(
            f"{activation} · {data} · seed {seed}{' (collapsed)' if bad else ''}\n"
            f"out-of-bounds area {oob.area:.3g}, farthest {oob.max_distance:.3g}"
        )
        live.set_moving([*artists, title])
        live.show()
        return {**oob.summary(), "collapsed": bad}

    return explorer_widget(
        show,
        activation=widgets.SelectionSlider(
            options=activations, value=activations[0], continuous_update=False
        ),
        data=widgets.SelectionSlider(options=names, value=names[0], continuous_update=False),
        seed=widgets.SelectionSlider(options=seeds, value=seeds[0], continuous_update=False),
    )
