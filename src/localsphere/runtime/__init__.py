"""The process plumbing the workers of one server share: shared-memory counters and files, the
request log, the server's life (503 while starting or draining), fault injection, the request
observer, and the catalogue of routes. The products' faces live in ``faces/``."""
