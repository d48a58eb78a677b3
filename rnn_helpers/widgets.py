"""Interactive figures that also work on a static page (chapter 01).

Works with ipywidgets 7 (Colab's front end renders only those) and 8.

``interact(draw, slider=...)`` first draws ``draw(**defaults)`` as an
ordinary figure, which the HTML book shows, then the live sliders, which
Colab and Jupyter show. The static page gets a sentence instead of the dead
widget, telling the reader where the sliders work.
"""

import ipywidgets
import matplotlib.pyplot as plt
from IPython.display import display

from . import checks, config

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IPYWIDGETS_MAJOR = int(ipywidgets.__version__.split(".")[0])
STATIC_NOTE = (
    "(Interactive version: open this chapter in Colab or Jupyter and move the sliders.)"
)


def interact(draw, **sliders):
    """Show ``draw(**defaults)`` as a static figure, then live sliders over it.

    ``sliders``: ipywidgets controls by keyword, e.g.
    ``w=ipywidgets.FloatSlider(value=1, min=-5, max=5)``. ``draw`` makes one
    matplotlib figure from the slider values. Returns the live widget, or
    ``None`` when the notebook runs for a static page (``RNN_BOOK_STATIC``).
    """
    if not callable(draw):
        raise ValueError(
            f"draw must be a function that draws one figure, got {checks.shown(draw)}"
        )
    if not sliders:
        raise ValueError("interact needs at least one slider, e.g. w=FloatSlider()")
    for name, control in sliders.items():
        if not isinstance(control, ipywidgets.ValueWidget):
            raise ValueError(
                f"slider {name!r} must be an ipywidgets control such as "
                f"FloatSlider, got {type(control).__name__}"
            )
    defaults = {name: control.value for name, control in sliders.items()}
    draw(**defaults)
    plt.show()
    if config.static_output():
        # Executed for a static page: nobody can move the sliders, and a live
        # widget's messages can stall the notebook runner (jupyter/nbclient#312).
        display({"text/plain": STATIC_NOTE}, raw=True)
        return None
    live = ipywidgets.interactive(_drawer(draw), **sliders)
    display(_view(live), raw=True)
    # ipywidgets 7 (Colab's) draws an interactive's output once its view is
    # displayed; ipywidgets 8 drew it when it was made, and has no callback.
    if IPYWIDGETS_MAJOR < 8:
        live._handle_displayed()
    return live


def _view(widget):
    """The display bundle of ``widget``'s live view, with the static note as text.

    Built by hand because ipywidgets 7 and 8 expose it differently
    (``_ipython_display_`` against ``_repr_mimebundle_``); the view format,
    version 2.0, is the same in both.
    """
    return {
        "text/plain": STATIC_NOTE,
        WIDGET_VIEW: {
            "version_major": 2,
            "version_minor": 0,
            "model_id": widget.model_id,
        },
    }


def _drawer(draw):
    def redraw(**values):
        draw(**values)
        plt.show()

    return redraw
