"""Encrypt the traffic between the book build and the kernels that run chapters.

ipykernel 7.3 and later log a warning on every kernel start whose connection
is plain TCP ("Kernel is running over TCP without encryption"). jupyter_client
can give each kernel CurveZMQ keys instead (``transport_encryption``), but
myst-nb and nbclient create their kernel managers without a way to pass that
setting. This extension makes ``"auto"`` the default for every kernel manager
created during the build: keys whenever the kernelspec declares Curve support
(ipykernel's does) and pyzmq was built with it, plain TCP otherwise.
"""


def setup(app):
    import zmq
    from jupyter_client.manager import KernelManager

    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is not None and zmq.has("curve"):
        trait.default_value = "auto"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
