"""rh.plots and rh.widgets: shared figures and widgets with a static default."""

import ipywidgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnn_helpers import plots, widgets

matplotlib.use("Agg")


def test_digit_grid_captions_and_marks_mistakes():
    images = np.zeros((3, 784))
    fig = plots.digit_grid(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true 1\npred 1", "true 2\npred 5", "true 3\npred 3"]
    colors = [ax.title.get_color() for ax in fig.axes[:3]]
    assert colors == ["black", "tab:red", "black"]
    plt.close(fig)


@pytest.mark.parametrize(
    ("images", "kwargs", "message"),
    [
        (np.zeros((2, 5)), {}, "square number of pixels"),
        (np.zeros((0, 28, 28)), {}, "at least one image"),
        (np.zeros((2, 28, 28)), {"labels": [1]}, "2 images but 1 labels"),
    ],
)
def test_digit_grid_rejects_bad_input(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.digit_grid(images, **kwargs)


def test_learning_curves_plots_each_history():
    ax = plots.learning_curves({"a": {"loss": [3, 2, 1]}, "b": {"loss": [2, 1, 0]}})
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(ValueError, match="has no 'val_accuracy'"):
        plots.learning_curves({"a": {"loss": [1]}}, metric="val_accuracy")
    plt.close("all")


def test_use_style_sets_the_book_look():
    plots.use_style()
    assert plt.rcParams["axes.grid"] is True
    assert plt.rcParams["axes.spines.top"] is False


def test_interact_on_a_static_page_draws_the_default_and_the_note_only(monkeypatch):
    calls, shown = [], []
    monkeypatch.setattr(widgets, "display", lambda obj, raw=False: shown.append(obj))
    live = widgets.interact(
        lambda w: calls.append(w), w=ipywidgets.FloatSlider(value=0.5)
    )
    assert live is None and calls == [0.5]
    assert shown == [{"text/plain": widgets.STATIC_NOTE}]


def test_interact_draws_the_default_statically_and_returns_live_sliders(monkeypatch):
    monkeypatch.setenv("RNN_BOOK_STATIC", "0")
    calls = []
    shown = []

    def draw(w, b):
        calls.append((w, b))
        plt.figure()

    monkeypatch.setattr(widgets, "display", lambda obj, raw=False: shown.append(obj))
    live = widgets.interact(
        draw,
        w=ipywidgets.FloatSlider(value=2.0, min=-5, max=5),
        b=ipywidgets.FloatSlider(value=-1.0, min=-5, max=5),
    )
    assert calls[0] == (2.0, -1.0)
    assert isinstance(live, ipywidgets.interactive)
    assert shown[0]["text/plain"] == widgets.STATIC_NOTE
    assert "application/vnd.jupyter.widget-view+json" in shown[0]
    plt.close("all")


def test_interact_rejects_non_widgets():
    with pytest.raises(ValueError, match="at least one slider"):
        widgets.interact(lambda: None)
    with pytest.raises(ValueError, match="must be an ipywidgets control"):
        widgets.interact(lambda w: None, w=3)


# ----------------------------------------------------------------------
# diagrams


def test_diagram_is_an_empty_equal_aspect_canvas():
    fig, ax = plots.diagram((0, 4), (-1, 2), title="A layer")
    assert ax.get_xlim() == (0, 4) and ax.get_ylim() == (-1, 2)
    assert ax.get_aspect() == 1.0 and not ax.axison
    assert ax.get_title() == "A layer"
    plt.close(fig)


def test_box_is_centred_on_its_point_with_its_text_and_label():
    fig, ax = plots.diagram((0, 4), (0, 4))
    patch = plots.box(ax, (2, 1), "$h_t$", width=1.0, height=0.5, fc="#fde0c5")
    plots.box(ax, (3, 3), "σ", label="forget gate")
    bounds = patch.get_bbox()
    assert (bounds.x0 + bounds.x1) / 2 == pytest.approx(2)
    assert (bounds.y0 + bounds.y1) / 2 == pytest.approx(1)
    assert bounds.width == pytest.approx(1.0) and bounds.height == pytest.approx(0.5)
    assert patch.get_facecolor()[:3] == pytest.approx(
        (0xFD / 255, 0xE0 / 255, 0xC5 / 255)
    )
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["$h_t$", "σ", "forget gate"]
    assert patch.get_zorder() > 1
    plt.close(fig)


def test_arrow_runs_from_start_to_end_behind_boxes_with_its_label():
    fig, ax = plots.diagram((0, 4), (0, 4))
    drawn = plots.arrow(ax, (0, 1), (2, 1), "$W$", offset=(0, 0.2), color="C1")
    assert drawn.xy == (2, 1) and drawn.xyann == (0, 1)
    assert drawn.get_zorder() == 1
    assert drawn.arrow_patch.get_edgecolor()[:3] == pytest.approx(
        plt.matplotlib.colors.to_rgb("C1")
    )
    (label,) = ax.texts[1:]  # the annotation itself is an empty text
    assert label.get_text() == "$W$" and label.get_position() == (1, 1.2)
    line = plots.arrow(ax, (0, 0), (1, 0), head=False, ls="--")
    assert line.arrowprops["arrowstyle"] == "-"  # a wire: no head
    assert line.arrow_patch.get_linestyle() == "--"
    assert len(ax.texts) == 3  # no label for an unlabelled wire
    plt.close(fig)


def test_circle_marks_an_operation():
    fig, ax = plots.diagram((0, 2), (0, 2))
    patch = plots.circle(ax, (1, 1), "×", radius=0.3)
    assert patch.center == (1, 1) and patch.radius == 0.3
    assert ax.texts[-1].get_text() == "×"
    plt.close(fig)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plots.digit_grid(np.zeros((2, 784)), ncols=True), "ncols must be a"),
        (lambda: plots.digit_grid(np.zeros((2, 784)), ncols=0), "ncols must be a"),
        (
            lambda: plots.learning_curves([{"loss": [1]}]),
            "histories must be a non-empty",
        ),
        (lambda: plots.learning_curves({}), "histories must be a non-empty dict"),
    ],
)
def test_figures_refuse_bad_arguments_before_drawing(call, message):
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match=message):
        call()
    assert plt.get_fignums() == figures


def test_interact_needs_a_function_to_draw_with():
    slider = ipywidgets.FloatSlider(value=1.0)
    with pytest.raises(
        ValueError, match="draw must be a function that draws one figure"
    ):
        widgets.interact("not a function", w=slider)
