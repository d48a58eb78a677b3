"""A multilayer perceptron in NumPy, trained by mini-batch SGD (chapters 01-02).

The source's ``Network(sizes)`` (Nielsen's *Neural Networks and Deep
Learning*): sigmoid layers, quadratic cost, backpropagation, mini-batch SGD.
Here backprop runs on a whole mini-batch at once, rows as examples:
``X @ W + b`` with ``W`` of shape ``(inputs, outputs)``.
"""

import math

import numpy as np

from . import checks, config, functions

OUTPUTS = ("sigmoid", "softmax")
INITS = ("normal", "scaled")


class NeuralNet:
    """A fully connected network ``sizes = [inputs, hidden..., outputs]`` (chapter 01).

    ``output='sigmoid'`` trains with the quadratic cost, as the source does;
    ``output='softmax'`` (chapter 02) with cross-entropy. Weights and biases
    start as standard normal draws (``init='normal'``, the source's ``randn``)
    or, with ``init='scaled'``, weights divided by ``sqrt(inputs)``.

    ``weights[l]``: ``(sizes[l], sizes[l+1])``; ``biases[l]``: ``(sizes[l+1],)``.
    """

    def __init__(self, sizes, output="sigmoid", seed=0, init="normal"):
        if not isinstance(sizes, (list, tuple, range, np.ndarray)) or len(sizes) < 2:
            raise ValueError(
                "sizes must list at least two positive layer widths, like "
                f"[784, 30, 10]; got {checks.shown(sizes)}"
            )
        self.sizes = [
            checks.integer(n, f"sizes[{i}]", minimum=1) for i, n in enumerate(sizes)
        ]
        self.output = checks.choice(output, "output", OUTPUTS)
        init = checks.choice(init, "init", INITS)
        self.rng = checks.rng(seed)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            W = self.rng.standard_normal((n_in, n_out))
            if init == "scaled":
                W /= np.sqrt(n_in)
            self.weights.append(W)
            self.biases.append(self.rng.standard_normal(n_out))

    def __repr__(self):
        return f"NeuralNet({self.sizes}, output={self.output!r})"

    @property
    def num_classes(self):
        return self.sizes[-1]

    # ------------------------------------------------------------------
    # forward

    def feedforward(self, X):
        """Output activations ``(n, outputs)`` for inputs ``X: (n, inputs)``."""
        return self._out(self._logits(self._check_X(X)))

    def _logits(self, X):
        """The output layer's pre-activations ``Z`` for checked inputs ``X``."""
        A = X
        for W, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            A = functions.sigmoid(A @ W + b)
        return A @ self.weights[-1] + self.biases[-1]

    def predict(self, X):
        """Predicted labels ``(n,)``: the index of the largest output."""
        return np.argmax(self.feedforward(X), axis=1)

    def accuracy(self, X, y):
        """Fraction of rows of ``X`` whose predicted label equals ``y``."""
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        return float(np.mean(self.predict(X) == y))

    def loss(self, X, y):
        """The training cost on ``(X, y)``: quadratic or cross-entropy."""
        X = self._check_X(X)
        Y = np.eye(self.num_classes)[self._check_y(y, len(X))]
        Z = self._logits(X)
        return self._cost(Z, self._out(Z), Y)

    def _out(self, Z):
        if self.output == "softmax":
            return functions.softmax(Z)
        return functions.sigmoid(Z)

    def _cost(self, Z, A, Y):
        """The cost of outputs ``A`` (pre-activations ``Z``) against targets ``Y``.

        Cross-entropy is taken from the logits ``Z``, so it stays exact where a
        probability in ``A`` rounds to 0.
        """
        if self.output == "softmax":
            return functions.cross_entropy(Z, Y)
        return functions.quadratic_cost(A, Y)

    # ------------------------------------------------------------------
    # backward

    def gradients(self, X, Y):
        """Backprop on a mini-batch: ``(loss, dW list, db list)``, averaged over rows.

        ``X: (m, inputs)``, ``Y: (m, outputs)`` one-hot targets. The four
        backprop equations, with one row per example.
        """
        return self._gradients(*self._check_batch(X, Y))

    def update_mini_batch(self, X, Y, lr):
        """One SGD step, ``W -= lr * dW``, on the batch ``(X, Y)``; returns its loss.

        The source's ``update_mini_batch``, on the whole batch at once. ``lr``
        is folded into the output error, so the gradients arrive already
        scaled and each weight array is updated in place by one subtraction.
        """
        X, Y = self._check_batch(X, Y)
        return self._update(X, Y, checks.number(lr, "lr", above=0))

    def _gradients(self, X, Y):
        return self._backprop(X, Y, 1.0 / len(X))

    def _update(self, X, Y, lr):
        """``update_mini_batch`` on checked arguments (``fit`` checks them once)."""
        loss, dW, db = self._backprop(X, Y, lr / len(X))
        for W, b, gW, gb in zip(self.weights, self.biases, dW, db, strict=True):
            W -= gW
            b -= gb
        return loss

    def _backprop(self, X, Y, scale):
        """Loss on ``(X, Y)`` and the gradients of its sum over rows times ``scale``."""
        # Forward, keeping every layer's activation: sigmoid'(z) = a * (1 - a).
        # Each Z is a fresh array, so the sigmoid can overwrite it.
        activations = [X]
        for W, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            Z = activations[-1] @ W
            Z += b
            activations.append(functions.sigmoid(Z, out=Z))
        Z = activations[-1] @ self.weights[-1]
        Z += self.biases[-1]
        A = self._out(Z)
        loss = self._cost(Z, A, Y)
        # (BP1) output error. Softmax with cross-entropy simplifies it to A - Y;
        # the quadratic cost multiplies by sigmoid'(Z) = A * (1 - A).
        delta = A - Y
        delta *= scale
        if self.output == "sigmoid":
            delta *= A
            delta *= 1.0 - A
        dW = [None] * len(self.weights)
        db = [None] * len(self.biases)
        for layer in range(len(self.weights) - 1, -1, -1):
            # (BP3, BP4) bias and weight gradients from this layer's error.
            db[layer] = delta.sum(axis=0)
            dW[layer] = activations[layer].T @ delta
            if layer:
                # (BP2) the error moves back one layer.
                a = activations[layer]
                delta = delta @ self.weights[layer].T
                delta *= a
                delta *= 1.0 - a
        return loss, dW, db

    # ------------------------------------------------------------------
    # training

    def fit(
        self,
        X,
        y,
        *,
        epochs,
        batch_size,
        lr,
        X_val=None,
        y_val=None,
        progress=True,
    ):
        """Mini-batch SGD: shuffle, then ``update_mini_batch`` batch after batch.

        ``X: (n, inputs)`` floats, ``y: (n,)`` integer labels. Returns a
        history dict with the mean training ``loss`` of each epoch and, when
        ``X_val``/``y_val`` are given, the ``val_accuracy`` after each epoch.
        """
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        epochs = checks.integer(epochs, "epochs", minimum=1)
        batch_size = checks.integer(batch_size, "batch_size", minimum=1)
        lr = checks.number(lr, "lr", above=0)
        validate = X_val is not None or y_val is not None
        if validate:
            if X_val is None or y_val is None:
                raise ValueError("pass both X_val and y_val, or neither")
            X_val = self._check_X(X_val, "X_val")
            y_val = self._check_y(y_val, len(X_val), "y_val")
        Y = np.eye(self.num_classes)[y]
        history = {"loss": [], "val_accuracy": []} if validate else {"loss": []}
        bar = config.progress(range(epochs), desc="epochs", disable=not progress)
        for epoch in bar:
            order = self.rng.permutation(len(X))
            total = 0.0
            # A diverging run is reported once, below, not as NumPy warnings.
            with np.errstate(over="ignore", invalid="ignore"):
                for start in range(0, len(X), batch_size):
                    idx = order[start : start + batch_size]
                    loss = self._update(X.take(idx, axis=0), Y.take(idx, axis=0), lr)
                    if not math.isfinite(loss):
                        raise FloatingPointError(
                            f"training diverged in epoch {epoch + 1}: the loss "
                            f"became {loss}; try a smaller lr than {lr}"
                        )
                    total += loss * len(idx)
            history["loss"].append(total / len(X))
            postfix = {"loss": history["loss"][-1]}
            if validate:
                history["val_accuracy"].append(self.accuracy(X_val, y_val))
                postfix["val_acc"] = history["val_accuracy"][-1]
            bar.set_postfix(**postfix)
        return history

    # ------------------------------------------------------------------
    # input checks

    def _check_X(self, X, name="X"):
        X = checks.array(X, name, kind=None)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            flatten = " (flatten images with rh.data.flatten)" if X.ndim == 3 else ""
            raise ValueError(
                f"{name} must have shape (n, {self.sizes[0]}), got {X.shape}{flatten}"
            )
        if X.dtype.kind != "f":
            raise ValueError(
                f"{name} must hold floats (pixels scaled to [0, 1] with "
                f"rh.data.scale), got dtype {X.dtype}"
            )
        return checks.array(X, name)  # and finite

    def _check_batch(self, X, Y):
        X = self._check_X(X)
        return X, checks.array(Y, "Y", shape=(len(X), self.num_classes))

    def _check_y(self, y, n, name="y"):
        y = np.asarray(y)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name} must be {n} integer labels of shape ({n},), got shape "
                f"{y.shape} and dtype {y.dtype}"
            )
        if y.min() < 0 or y.max() >= self.num_classes:
            raise ValueError(
                f"{name} labels must lie in [0, {self.num_classes}), got values in "
                f"[{y.min()}, {y.max()}]"
            )
        return y


class LoopNeuralNet(NeuralNet):
    """The same network trained the source's way: one example at a time (chapter 01).

    ``_update`` and ``backprop`` are the source's ``update_mini_batch`` and
    ``backprop``, transcribed line for line (the loop over examples is in
    ``_gradients``), behind ``NeuralNet``'s checks: column vectors
    ``(n, 1)``, fresh zero arrays for every example, sums of per-example
    gradients. Same seed, same draws, same arithmetic as ``NeuralNet``: it
    learns the same weights, only slower.
    Kept for the speed comparison in chapter 01 and ``benchmarks/``.
    """

    def _update(self, X, Y, lr):
        """The source's step: summed per-example gradients, then ``W -= lr * dW``."""
        loss, dW, db = self._gradients(X, Y)
        for W, b, gW, gb in zip(self.weights, self.biases, dW, db, strict=True):
            W -= lr * gW
            b -= lr * gb
        return loss

    def _gradients(self, X, Y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        loss = 0.0
        for x, y in zip(X, Y, strict=True):
            cost, delta_nabla_b, delta_nabla_w = self.backprop(x[:, None], y[:, None])
            loss += cost
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        m = len(X)
        return loss / m, [nw / m for nw in nabla_w], [nb / m for nb in nabla_b]

    def backprop(self, x, y):
        """Gradients for one example: ``x: (inputs, 1)``, ``y: (outputs, 1)``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights, strict=True):
            z = np.dot(w.T, activation) + b[:, None]
            zs.append(z)
            activation = functions.sigmoid(z)
            activations.append(activation)
        if self.output == "softmax":
            activations[-1] = functions.softmax(zs[-1], axis=0)
            delta = activations[-1] - y
        else:
            delta = (activations[-1] - y) * functions.sigmoid_prime(zs[-1])
        nabla_b[-1] = delta[:, 0]
        nabla_w[-1] = np.dot(activations[-2], delta.T)
        for layer in range(2, len(self.sizes)):
            z = zs[-layer]
            sp = functions.sigmoid_prime(z)
            delta = np.dot(self.weights[-layer + 1], delta) * sp
            nabla_b[-layer] = delta[:, 0]
            nabla_w[-layer] = np.dot(activations[-layer - 1], delta.T)
        return self._cost(zs[-1].T, activations[-1].T, y.T), nabla_b, nabla_w
