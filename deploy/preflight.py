"""Checks `make run` (and the first install) makes before any work, with the standard library
only (nothing is installed yet): the Python version, the port to serve on, and DATABASE_URL when
one is set. Each failure is one line on stderr and exit status 1.

    python3 deploy/preflight.py --host 127.0.0.1 --port 8000
"""

import argparse
import os
import socket
import sys
from urllib.parse import urlsplit

PYTHON_MIN = (3, 11)


def python_check() -> str | None:
    if sys.version_info < PYTHON_MIN:
        found = ".".join(map(str, sys.version_info[:3]))
        return f"Python {PYTHON_MIN[0]}.{PYTHON_MIN[1]} or later is needed; {found} was found"
    return None


def port_check(host: str, port: int) -> str | None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            return f"cannot serve on {host}:{port} ({error.strerror}): choose another with PORT="
    return None


def database_url_check(url: str) -> str | None:
    """A postgres:// URL whose server answers a TCP connection (or whose socket exists)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return f"DATABASE_URL must start with postgres:// or postgresql://, not {parts.scheme!r}"
    try:
        host, port = parts.hostname, parts.port or 5432
    except ValueError:
        return "DATABASE_URL has a port that is not a number"
    if not parts.path.strip("/"):
        return "DATABASE_URL names no database (postgres://user:password@host:5432/NAME)"
    if not host or host.startswith("%2f") or host.startswith("/"):
        return None  # a Unix socket: the driver says more than a check could
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        return f"DATABASE_URL: nothing answers at {host}:{port} ({error.strerror or error})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--python-only", action="store_true", help="check the Python version only")
    args = parser.parse_args()
    checks = [python_check]
    if args.python_only:
        pass
    elif args.port is None:
        parser.error("--port is needed (or --python-only)")
    else:
        checks.append(lambda: port_check(args.host, args.port))
    if os.environ.get("DATABASE_URL") and not args.python_only:
        checks.append(lambda: database_url_check(os.environ["DATABASE_URL"]))
    for check in checks:
        problem = check()
        if problem:
            print(f"make run: {problem}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
