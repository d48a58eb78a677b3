"""Interactive figures that also work on a static page (chapter 01).

``interact(draw, slider=...)`` first draws ``draw(**defaults)`` as an
ordinary figure, which the HTML book shows, then the live sliders, which
Colab and Jupyter show. The static page gets a sentence instead of the dead
widget, telling the reader where the sliders work.
"""

import ipywidgets
import matplotlib.pyplot as plt
from IPython.display import display

from . import checks, config

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
    bundle = live._repr_mimebundle_()
    bundle["text/plain"] = STATIC_NOTE
    display(bundle, raw=True)
    return live


def _drawer(draw):
    def redraw(**values):
        draw(**values)
        plt.show()

    return redraw
