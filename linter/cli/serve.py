"""`msglint serve`: start, stop or query the warm server."""

from __future__ import annotations

import os
import sys

import click

from .errors import fail


@click.command("serve")
@click.option("--socket", "socket_file", metavar="PATH", envvar="MSGLINT_SOCKET", help="Socket path (default: $XDG_RUNTIME_DIR/msglint/msglint.sock, else a private dir in the temp dir; env MSGLINT_SOCKET).")
@click.option("--daemon", is_flag=True, help="Detach: return once the server is ready, and keep it running in the background.")
@click.option("--stop", "stop_", is_flag=True, help="Stop the running server.")
@click.option("--status", is_flag=True, help="Say whether a server is running (exit 0) or not (exit 1).")
@click.option("--model", help="spaCy model to load at start (requests may ask for others).")
@click.option("--max-connections", type=click.IntRange(1, 4096), default=64, show_default=True, envvar="MSGLINT_SERVE_MAX_CONNECTIONS", help="Connections held open at once (reading, waiting or answered); past it a client gets a 'busy' reply and lints in-process. Env MSGLINT_SERVE_MAX_CONNECTIONS.")
@click.option("--request-timeout", type=click.FloatRange(0.01, 3600.0), default=5.0, show_default=True, metavar="SECONDS", envvar="MSGLINT_SERVE_REQUEST_TIMEOUT", help="Time a client has to send its whole request, from connecting to the last byte. Env MSGLINT_SERVE_REQUEST_TIMEOUT.")
@click.option("--max-request-kib", type=click.IntRange(1, 256 * 1024), default=1024, show_default=True, metavar="KIB", envvar="MSGLINT_SERVE_MAX_REQUEST_KIB", help="Largest request accepted, in KiB (msglint's own clients lint drafts over 16 KiB in-process). Env MSGLINT_SERVE_MAX_REQUEST_KIB.")
def serve_command(socket_file: str | None, daemon: bool, stop_: bool, status: bool, model: str | None, max_connections: int, request_timeout: float, max_request_kib: int) -> None:
    """Keep the spaCy pipeline warm behind a user-only Unix socket.

    `msglint FILE` and `msglint clipboard` use it when it runs (same output, much faster)
    and lint in-process when it does not. A second `serve` on a live socket says so and
    exits 0; a stale socket left by a crash is replaced. SIGTERM/SIGINT stop it cleanly.
    """
    from ..server import daemon as service
    from ..server.listener import Limits
    from ..server.paths import HAS_UNIX_SOCKETS, ensure_private_dir, is_default, probe, socket_path

    if not HAS_UNIX_SOCKETS:
        fail("msglint serve needs Unix domain sockets, which this platform lacks; msglint lints in-process instead")
    if sum((daemon, stop_, status)) > 1:
        fail("choose one of --daemon, --stop and --status")
    path = socket_path(socket_file)
    if len(os.fsencode(path)) >= 104:  # sun_path is 104-108 bytes depending on the OS
        fail(f"{path}: socket path too long for a Unix socket; pass a shorter --socket PATH")
    if status:
        info = service.status(path)
        if info is None:
            click.echo(f"msglint server: not running ({path})")
            sys.exit(1)
        if not info.get("ok"):
            click.echo(f"msglint server: running, busy: {info.get('error')} ({path})")
            return
        click.echo(f"msglint server: running, pid {info.get('pid')}, msglint {info.get('version')}, up {info.get('uptime')} s, {info.get('requests')} requests ({path})")
        return
    if stop_:
        click.echo(service.stop(path))
        return
    if is_default(path):
        ensure_private_dir(path.parent, create=True)
    elif not path.parent.is_dir():
        fail(f"{path.parent}: no such directory for the socket")
    state = probe(path)
    if state == "other":
        fail(f"{path}: exists and is not a socket; remove it or choose another --socket")
    if state == "live":
        info = service.status(path) or {}
        click.echo(f"msglint server: already running, pid {info.get('pid', '?')} ({path})")
        return
    settings = service.warm_settings(model)
    limits = Limits(max_connections=max_connections, request_timeout=request_timeout, max_request=max_request_kib * 1024)
    if daemon:
        click.echo(service.daemonize(path, settings, limits))
        return
    try:
        server = service.start(path, settings, limits)
    except FileExistsError:
        click.echo(f"msglint server: already running ({path})")
        return
    click.echo(f"msglint server: listening on {path} (pid {os.getpid()}); Ctrl-C or SIGTERM stops it", err=True)
    service.run(server)
