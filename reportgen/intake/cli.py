"""``reportgen intake …``: run the service, issue keys, withdraw a version, back the store up.

Keys are printed once, here, and never stored: only a salted scrypt hash is kept. Exit codes as
everywhere in reportgen: 0 done, 1 a problem (said plainly), 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

config_option = click.option("--config", "config_path", metavar="PATH", default=None,
                             help="config file (default: ./config.yaml)")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"reportgen: {message}", err=True)
    sys.exit(code)


def _config(path: str | None):
    from ..core.config import DEFAULT_CONFIG_NAME, load_config
    from ..core.findings import StageFailed
    from ..runtime.console import print_findings

    try:
        config = load_config(Path(path) if path else Path(DEFAULT_CONFIG_NAME))
    except StageFailed as exc:
        print_findings(exc.findings, err=True)
        sys.exit(1)
    if config.intake_store is None:
        _fail("config.yaml names no intake store: set intake.store (e.g. intake) — see docs/intake-operator.md")
    return config


def _store(config):
    from .store import Store

    return Store(config.intake_store).create()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def intake() -> None:
    """The federation's intake service: members send their files, get receipts; staff see who has sent.

    Set intake.store and intake.calendar in config.yaml first (docs/intake-operator.md).
    """


@intake.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (keep 127.0.0.1 "
                                                                     "behind a reverse proxy)")
@click.option("--port", type=click.IntRange(0, 65535), default=8700, show_default=True)
def serve(config_path: str | None, host: str, port: int) -> None:
    """Run the intake service until Ctrl-C (or SIGTERM)."""
    import uvicorn

    from .service import create_app

    config = _config(config_path)
    app = create_app(config)
    click.echo(f"intake: serving on http://{host}:{port}/ (store {config.intake_store}); Ctrl-C stops", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True, http="h11", ws="none",
                forwarded_allow_ips="127.0.0.1", server_header=False, timeout_keep_alive=10,
                limit_concurrency=500, h11_max_incomplete_event_size=16384)


def _org(config, org: str) -> str:
    from ..inputs.register import load_register

    register, findings = load_register(config)
    member = register.get(org)
    if member is None:
        _fail(f"'{org[:40]}' is not in the member register ({config.data.members}): add the member there first")
    assert member is not None
    return member.org_id


def _show_key(key: str, who: str) -> None:
    click.echo(f"The key for {who} (shown this once; it is not stored, so copy it now):\n\n  {key}\n")
    click.echo("Give it to them by a safe route (not in the same e-mail as the address of the service).")


@intake.group("member")
def member_group() -> None:
    """Members' keys: add (a first key), rotate (a new key; the old one stops), revoke."""


@member_group.command("add")
@click.argument("org")
@config_option
def member_add(org: str, config_path: str | None) -> None:
    """Issue a key for member ORG (in the register)."""
    from . import accounts

    config = _config(config_path)
    org = _org(config, org)
    store = _store(config)
    if accounts.active(store, "member", org):
        _fail(f"{org} has a key already; to replace it: reportgen intake member rotate {org}")
    _show_key(accounts.issue(store, "member", org, "cli"), org)


@member_group.command("rotate")
@click.argument("org")
@config_option
def member_rotate(org: str, config_path: str | None) -> None:
    """A new key for ORG; its old keys stop working at once."""
    from . import accounts

    config = _config(config_path)
    org = _org(config, org)
    _show_key(accounts.issue(_store(config), "member", org, "cli", rotate=True), org)


@member_group.command("revoke")
@click.argument("org")
@config_option
def member_revoke(org: str, config_path: str | None) -> None:
    """ORG's keys stop working (its versions are kept)."""
    from . import accounts

    config = _config(config_path)
    n = accounts.revoke(_store(config), "member", org.strip().upper(), "cli")
    click.echo(f"Revoked {n} key{'s' * (n != 1)} of {org.strip().upper()}.")


@intake.group("staff")
def staff_group() -> None:
    """Staff keys: add, rotate, revoke. Staff see every member's versions and withdraw them."""


def _staff_name(name: str) -> str:
    from .accounts import STAFF_NAME

    name = name.strip().lower()
    if not STAFF_NAME.match(name):
        _fail("a staff name is 1 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter", 2)
    return name


@staff_group.command("add")
@click.argument("name")
@config_option
def staff_add(name: str, config_path: str | None) -> None:
    """Issue a staff key for NAME (e.g. aroha.smith)."""
    from . import accounts

    name = _staff_name(name)
    store = _store(_config(config_path))
    if accounts.active(store, "staff", name):
        _fail(f"{name} has a key already; to replace it: reportgen intake staff rotate {name}")
    _show_key(accounts.issue(store, "staff", name, "cli"), name)


@staff_group.command("rotate")
@click.argument("name")
@config_option
def staff_rotate(name: str, config_path: str | None) -> None:
    """A new key for NAME; the old ones stop working at once."""
    from . import accounts

    name = _staff_name(name)
    _show_key(accounts.issue(_store(_config(config_path)), "staff", name, "cli", rotate=True), name)


@staff_group.command("revoke")
@click.argument("name")
@config_option
def staff_revoke(name: str, config_path: str | None) -> None:
    """NAME's keys stop working."""
    from . import accounts

    name = _staff_name(name)
    n = accounts.revoke(_store(_config(config_path)), "staff", name, "cli")
    click.echo(f"Revoked {n} key{'s' * (n != 1)} of {name}.")


@intake.command()
@click.argument("receipt_id")
@click.option("--reason", required=True, help="why (recorded with the withdrawal)")
@click.option("--by", "by", required=True, metavar="NAME", help="who withdraws it (a staff name)")
@config_option
def withdraw(receipt_id: str, reason: str, by: str, config_path: str | None) -> None:
    """Withdraw a version: kept and shown, never used by a build again."""
    if not reason.strip():
        _fail("--reason needs the reason", 2)
    store = _store(_config(config_path))
    if not store.withdraw(receipt_id, f"staff:{_staff_name(by)}", reason.strip()):
        _fail(f"no version {receipt_id[:80]} to withdraw (unknown, or withdrawn already)")
    click.echo(f"Withdrew {receipt_id}: {reason.strip()}")


@intake.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@config_option
def backup(dest: Path, config_path: str | None) -> None:
    """A consistent copy of the store in DEST (a new or empty folder), safe while the service runs."""
    store = _store(_config(config_path))
    try:
        versions, files = store.backup(dest)
    except FileExistsError:
        _fail(f"{dest} is not empty: give a new folder for each backup")
        return
    except OSError as exc:
        _fail(f"cannot write the backup to {dest}: {exc.strerror or exc}")
        return
    click.echo(f"Backed up {versions} version{'s' * (versions != 1)} and {files} file{'s' * (files != 1)} to {dest}")
