"""A figure built once and redrawn in place: what every slider explorer displays.

Redrawing a whole Matplotlib figure on each slider move (contours, colour bar, tick labels,
PNG encoding) costs a few hundred ms. A :class:`LiveFigure` draws the figure's static artists
once and keeps that picture; on each move the explorer updates its *moving* artists
(``Line2D.set_data``, ``AxesImage.set_data``, ``Text.set_text``, …) and calls
:meth:`LiveFigure.show`, which pastes the saved picture, draws only the moving artists over it
(Matplotlib's blitting, see the "Faster rendering by using blitting" tutorial) and displays
the result as one PNG. Inside an ``ipywidgets.interactive`` callback that PNG lands in the
widget's ``Output``, which the widget clears first: one image per widget, however often the
slider moves. Works with the inline backend (plain JupyterLab, Binder); no ``ipympl``.

The figure is a :class:`matplotlib.figure.Figure` outside pyplot's figure manager, so the
inline backend never shows or keeps it by itself. The PNG is cropped like the inline backend's
``bbox_inches="tight"``: to the drawn content plus ``savefig.pad_inches``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib as mpl
import matplotlib.image
import numpy as np
from IPython.display import Image, display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["LiveFigure", "MIN_FONT_PT"]

#: The smallest text an explorer figure shows (points): captions, legends, tick labels.
MIN_FONT_PT = 8.0


class LiveFigure:
    """A figure whose static part is drawn once and whose moving artists are redrawn per update.

    Parameters
    ----------
    figsize : pair of float
        Figure size in inches (as for ``plt.subplots``).
    **subplots : dict
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``nrows``, ``ncols``,
        ``gridspec_kw``, …); the axes are in :attr:`axes`.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or numpy.ndarray of Axes
    """

    def __init__(self, figsize: tuple[float, float], **subplots: object) -> None:
        self.fig = Figure(figsize=figsize)
        FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(**subplots)
        self._moving: list[Artist] = []
        self._background = None
        self._static_box: Bbox | None = None

    def fix_limits(self) -> None:
        """Fix every axes' current limits: later artists (a cursor line) do not widen them."""
        for ax in self.fig.axes:
            ax.set_xlim(ax.get_xlim())
            ax.set_ylim(ax.get_ylim())

    def readable(self, points: float = MIN_FONT_PT) -> None:
        """Raise every text of the figure smaller than ``points`` (legends, tick labels) to it.

        Call it once the figure is built, before :meth:`freeze` (the layout depends on it).
        """
        for text in self.fig.findobj(Text):
            if text.get_fontsize() < points:
                text.set_fontsize(points)

    def freeze(self, moving: Iterable[Artist]) -> None:
        """Draw everything but ``moving`` once and keep that picture.

        Call it once the figure is built and the moving artists show a representative state
        (a title's text): it lays the figure out (``tight_layout``, so that the picture needs no
        larger canvas) and fixes every axes' limits (see :meth:`fix_limits`), so the saved
        picture stays valid however the moving artists move.
        """
        self.fig.tight_layout()
        self.fix_limits()
        self.set_moving(moving)  # animated: a canvas draw skips them, except images
        images = [a for a in self._moving if isinstance(a, AxesImage) and a.get_visible()]
        for image in images:
            image.set_visible(False)
        canvas = self.fig.canvas
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._static_box = self._tight_box()
        for image in images:
            image.set_visible(True)

    @property
    def moving(self) -> list[Artist]:
        """The artists redrawn on each :meth:`show` (a copy)."""
        return list(self._moving)

    def set_moving(self, moving: Iterable[Artist]) -> None:
        """Replace the list of moving artists (e.g. after re-adding a contour set)."""
        self._moving = [a for a in moving if a is not None]
        for artist in self._moving:
            artist.set_animated(True)

    def _tight_box(self) -> Bbox:
        """The drawn content's box in pixels (``get_tightbbox`` gives inches)."""
        box = self.fig.get_tightbbox(self.fig.canvas.get_renderer())
        return box.transformed(self.fig.dpi_scale_trans)

    def png(self) -> bytes:
        """The current picture as PNG bytes.

        After :meth:`freeze`: the saved static picture with the moving artists drawn over it
        (in z-order). Before: the whole figure, drawn afresh (for figures whose axes limits
        follow the data, such as a zoom that keeps a moving point in view).
        """
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()
            boxes = [self._tight_box()]
        else:
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            boxes = [self._static_box]
            for artist in sorted(self._moving, key=lambda a: a.get_zorder()):
                self.fig.draw_artist(artist)
                if isinstance(artist, Text):  # a title may outgrow the static part
                    boxes.append(artist.get_window_extent(renderer))
        pad = mpl.rcParams["savefig.pad_inches"] * self.fig.dpi
        x0, y0, x1, y1 = Bbox.union(boxes).padded(pad).extents
        width, height = canvas.get_width_height()
        rows = slice(max(0, int(height - y1)), min(height, int(np.ceil(height - y0))))
        cols = slice(max(0, int(x0)), min(width, int(np.ceil(x1))))
        pixels = np.asarray(canvas.buffer_rgba())[rows, cols]
        out = io.BytesIO()
        mpl.image.imsave(out, pixels, format="png", pil_kwargs={"compress_level": 3})
        return out.getvalue()

    def show(self) -> None:
        """Display the current picture (in the enclosing ``ipywidgets.Output``, if any)."""
        display(Image(data=self.png(), format="png"))
