"""Old names kept while the chapters move to ``.source``; removed after that."""

_last = {"mnist": None, "text": None}


def remember(source):
    _last["mnist"] = source


def remember_text(source):
    _last["text"] = source


def mnist_source():
    """Where the last ``load_mnist`` call found its data (use ``.source`` instead)."""
    return _last["mnist"]


def text_source():
    """Where the last ``load_text`` call found its text (use ``.source`` instead)."""
    return _last["text"]
