"""A browser of precomputed latent-PGD searches (notebook 10: step size and negative weight)."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from aelib._validation import check_positive_float
from aelib.attacks import SearchResult
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure

__all__ = ["pgd_explorer"]

_SHOWN = 4  # candidates shown as images


def _summary(result: SearchResult, min_distance: float) -> dict:
    adv = result.adversarial()
    far = result.distance > min_distance
    far_err = result.error[far]
    dist = result.distance[adv]
    return {
        "adversarial": int(adv.sum()),
        "restarts": len(result),
        "best_far_error": float(far_err.min()) if len(far_err) else float("inf"),
        "min_normal_error": float(result.min_normal_error),
        "distances": tuple(round(float(d), 6) for d in dist.tolist()),
    }


def pgd_explorer(
    results: Mapping[tuple[float, str], SearchResult], min_distance: float
) -> widgets.interactive:
    """Browse latent-PGD results by first step size and by model (e.g. negative-sample weight).

    Each result is drawn as its restarts' final points: error against distance to the nearest
    training image, the adversarial ones (error ≤ the model's lowest normal error and farther
    than ``min_distance``) in red, with the best four far candidates as images.

    Parameters
    ----------
    results : mapping (float, str) → SearchResult
        ``(step_size, model_label)`` → the search's result; every pair of the step sizes and
        model labels that occur must be present (a full table).
    min_distance : float
        "Far from the data", the same for every result (pixel-space distance).

    Returns
    -------
    ipywidgets.interactive
        Controls ``step`` (a selection slider over the step sizes) and ``model`` (a selection
        slider over the labels); ``.result`` is a dict with ``step``, ``model``,
        ``adversarial`` (count), ``restarts``, ``best_far_error`` (lowest error farther than
        ``min_distance``; ``inf`` if none), ``min_normal_error`` and ``distances`` (of the
        adversarial points, rounded to 6 decimals).
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError(
            f"results: expected a non-empty mapping (step, model) → SearchResult, "
            f"got {results!r:.60}"
        )
    for key, value in results.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str)):
            raise TypeError(f"results: expected keys (step_size, model_label), got {key!r}")
        if not isinstance(value, SearchResult):
            raise TypeError(
                f"results[{key!r}]: expected a SearchResult, got {type(value).__name__}"
            )
    min_distance = check_positive_float(min_distance, "min_distance")
    steps = sorted({float(k[0]) for k in results})
    labels = list(dict.fromkeys(k[1] for k in results))
    missing = [(s, m) for s in steps for m in labels if (s, m) not in results]
    if missing:
        raise ValueError(f"results: expected every (step, model) pair, missing {missing}")
    table = {(float(k[0]), k[1]): v for k, v in results.items()}
    errors = np.concatenate([r.error.numpy() for r in table.values()])
    dists = np.concatenate([r.distance.numpy() for r in table.values()])
    normals = [float(r.min_normal_error) for r in table.values()]
    positive = np.concatenate([errors[errors > 0], [n for n in normals if n > 0] or [1.0]])
    lo = float(positive.min())
    hi = float(max(positive.max(), lo * 10))

    live = LiveFigure(
        figsize=(11, 4.0), ncols=1 + _SHOWN, gridspec_kw={"width_ratios": [3.2] + [1] * _SHOWN}
    )
    ax, *image_axes = live.axes
    ax.set_yscale("log")
    ax.set_xlim(min(dists.min(), min_distance) * 0.97, dists.max() * 1.03)
    ax.set_ylim(lo / 2, hi * 2)
    ax.axvline(min_distance, color="grey", ls=":", lw=1, label=f'"far" = {min_distance:.3g}')
    ax.set_xlabel("distance to nearest training image")
    ax.set_ylabel("error of the restart's end point")
    (others,) = ax.plot([], [], "o", color="grey", ms=5, label="not adversarial")
    (adv_points,) = ax.plot([], [], "o", color="red", ms=5, label="adversarial")
    (normal_line,) = ax.plot([], [], "--", color="C0", lw=1, label="lowest normal error")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
    images = []
    for image_ax in image_axes:
        images.append(image_ax.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1))
        image_ax.set_xticks([])
        image_ax.set_yticks([])
    captions = [image_ax.set_title("L=0.00\nd=0.00", fontsize=8) for image_ax in image_axes]
    title = live.fig.suptitle("", fontsize=9)
    x_range = ax.get_xlim()

    def update(step: float, model: str) -> dict:
        result = table[float(step), model]
        adv = result.adversarial().numpy()
        err, dist = result.error.numpy(), result.distance.numpy()
        others.set_data(dist[~adv], err[~adv])
        adv_points.set_data(dist[adv], err[adv])
        normal_line.set_data(x_range, [result.min_normal_error] * 2)
        far = np.flatnonzero(dist > min_distance)[:_SHOWN]
        for i, (image, caption) in enumerate(zip(images, captions, strict=True)):
            if i < len(far):
                j = far[i]
                image.set_data(result.x[j, 0].numpy())
                caption.set_text(f"L={err[j]:.2g}\nd={dist[j]:.3g}")
            else:
                image.set_data(np.zeros((28, 28)))
                caption.set_text("")
        summary = _summary(result, min_distance)
        best = summary["best_far_error"]
        title.set_text(
            f"{model}, first step {step:g}: {summary['adversarial']}/{summary['restarts']} "
            f"adversarial; best far error {best:.3g} (lowest normal "
            f"{summary['min_normal_error']:.3g})"
        )
        return {"step": float(step), "model": model, **summary}

    def show(step: float, model: str) -> dict:
        shown = update(step, model)
        live.show()
        return shown

    step_slider = widgets.SelectionSlider(
        options=[(f"{s:g}", s) for s in steps],
        value=steps[len(steps) // 2],
        description="first PGD step",
        continuous_update=False,
    )
    model_buttons = widgets.SelectionSlider(
        options=labels, value=labels[0], description="model", continuous_update=False
    )
    update(step_slider.value, model_buttons.value)
    live.readable()
    live.freeze([others, adv_points, normal_line, *images, *captions, title])
    return explorer_widget(show, step=step_slider, model=model_buttons)
