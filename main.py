"""Portico's composition root: settings, database, pages and the command line.

python main.py                      serve the portal (migrates first)
python main.py migrate              apply database migrations
python main.py seed --demo          load the demo practices (deterministic)
python main.py seed --claims N      generate a benchmark-size database through the bulk path
python main.py eligibility FILE.270 --as EMAIL --out FILE.271
                                    answer an X12 270 eligibility batch with a 271
python main.py export-835 --since YYYY-MM-DD --out DIR
                                    write an X12 835 for each remittance paid since the date
python main.py import FILE --as EMAIL [--ack FILE.999]
                                    submit a CSV or X12 837P claim file (an 837P gets a 999)
python main.py audit verify         seal new audit events, then check the whole hash chain
python main.py audit seal           seal new audit events into the chain
"""

from __future__ import annotations

import argparse
import os
import sys


def serve() -> None:
    from nicegui import app, ui

    from jobs.scheduler import start_scheduler, stop_scheduler
    from storage.settings import get_settings
    from ui.routes import register_pages
    from ui.security_headers import SecurityHeaders
    from ui.startup import on_startup

    settings = get_settings()
    register_pages()
    # Before ui.run, which adds NiceGUI's own middleware (and, in NiceGUI's test harness,
    # composes the app the `user` fixture talks to): these headers are on every response.
    app.add_middleware(SecurityHeaders, production=settings.is_production)
    app.on_startup(on_startup)
    # After on_startup (handlers run in order): the job needs the migrated schema.
    app.on_startup(start_scheduler)
    app.on_shutdown(stop_scheduler)
    ui.run(
        host=settings.host,
        port=settings.port,
        title="Portico",
        storage_secret=settings.secret,
        session_middleware_kwargs={
            "https_only": settings.is_production,
            "same_site": "lax",
            "session_cookie": "portico_session",
        },
        reload=False,
        show=False,
        favicon="🏥",
        language="en-US",
        reconnect_timeout=10,
    )


def migrate() -> None:
    from storage.migrate import upgrade_to_head

    upgrade_to_head()
    print("Database is at the newest schema.")


def seed(args: argparse.Namespace) -> None:
    from storage.migrate import upgrade_to_head

    upgrade_to_head()
    if args.claims:
        from storage.seed.bulk import seed_bulk

        seed_bulk(claims=args.claims, progress=True)
    else:
        from storage.seed import SeedRefused
        from storage.seed.demo import seed_demo

        try:
            print(seed_demo())
        except SeedRefused as refusal:
            sys.exit(f"Not seeded: {refusal}")


def eligibility(args: argparse.Namespace) -> int:
    from pathlib import Path

    from api.x12_files import ActorRefused, run_270_file
    from interop.x12.segments import X12Error

    source, out = Path(args.file), Path(args.out)
    try:
        summary = run_270_file(source, email=args.as_email, out=out)
    except FileNotFoundError:
        print(f"{source}: no such file", file=sys.stderr)
        return 2
    except X12Error as error:
        print(f"{source} is not a 270 Portico can read. {error}", file=sys.stderr)
        return 2
    except ActorRefused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    print(f"Read {source}:")
    print("\n".join(summary.lines()))
    print(f"Wrote the 271 to {out} (interchange {summary.interchange_control_number:09d}).")
    return 0


def import_claims(args: argparse.Namespace) -> int:
    from pathlib import Path

    from api.claim_files import ActorRefused, FileRefused, run_import_file

    source = Path(args.file)
    try:
        report = run_import_file(source, args.as_email, ack=Path(args.ack) if args.ack else None)
    except FileNotFoundError:
        print(f"{source}: no such file", file=sys.stderr)
        return 2
    except (ActorRefused, FileRefused) as refusal:
        print(refusal, file=sys.stderr)
        return 2
    except ValueError as error:  # ClaimFileError, X12Error: the file as a whole is unreadable
        print(f"{source} was not imported (nothing was saved). {error}", file=sys.stderr)
        return 2
    print(f"Read {source}:")
    print("\n".join(report.lines()))
    return 0


def export_835(args: argparse.Namespace) -> int:
    from datetime import date
    from pathlib import Path

    from api.remittance_files import export_835_since

    try:
        since = date.fromisoformat(args.since)
    except ValueError:
        print(f"--since {args.since!r} is not a date; give it as YYYY-MM-DD", file=sys.stderr)
        return 2
    written = export_835_since(since, Path(args.out))
    print(f"Wrote {len(written)} 835 file(s) for remittances paid since {since} to {args.out}")
    for path in written:
        print(f"  {path.name}")
    return 0


def audit(args: argparse.Namespace) -> int:
    from jobs.audit_seal import seal_and_verify, seal_audit_events
    from storage.migrate import is_at_head

    if not is_at_head():
        print(
            "The database is not at the newest schema, so its audit chain cannot be checked. "
            "Run `python main.py migrate` first.",
            file=sys.stderr,
        )
        return 2
    if args.audit_command == "seal":
        print(f"Sealed {seal_audit_events():,} audit events into the chain.")
        return 0
    result = seal_and_verify()
    if not result.intact:
        print(result.summary(), file=sys.stderr)
        return 1
    print(result.summary())
    # Kept somewhere else (a ticket, a log host), the head proves later that the chain up to
    # it was not rewritten, even by someone who could recompute every hash.
    print(f"Chain head: seq {result.head_seq}, sha256 {result.head_hash}")
    return 0


def cli(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="main.py", description="Portico provider portal")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="serve the portal (default)")
    commands.add_parser("migrate", help="apply database migrations")
    seed_parser = commands.add_parser("seed", help="load demo or benchmark data")
    group = seed_parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--demo", action="store_true", help="the two demo practices")
    group.add_argument("--claims", type=int, help="generate N claims through the bulk path")
    checks = commands.add_parser(
        "eligibility", help="answer an X12 270 eligibility file with a 271 (005010X279A1)"
    )
    checks.add_argument("file", help="the 270 to read")
    checks.add_argument(
        "--as", dest="as_email", required=True, metavar="EMAIL", help="the practice user asking"
    )
    checks.add_argument("--out", required=True, metavar="FILE", help="where to write the 271")
    remits = commands.add_parser(
        "export-835", help="write an X12 835 (005010X221A1) per remittance paid since a date"
    )
    remits.add_argument("--since", required=True, metavar="YYYY-MM-DD", help="first payment date")
    remits.add_argument("--out", required=True, metavar="DIR", help="directory for the 835s")
    claim_import = commands.add_parser(
        "import", help="submit claims from a CSV or X12 837P file (005010X222A1)"
    )
    claim_import.add_argument("file", help="the CSV or 837P to import")
    claim_import.add_argument(
        "--as", dest="as_email", required=True, metavar="EMAIL", help="the practice user submitting"
    )
    claim_import.add_argument("--ack", metavar="FILE", help="where to write an 837P's 999")
    audit_parser = commands.add_parser("audit", help="the hash-chained audit trail")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser(
        "verify", help="seal new events, then check the chain (exit 1 if it is broken)"
    )
    audit_commands.add_parser("seal", help="seal new events into the chain")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrate()
    elif args.command == "seed":
        seed(args)
    elif args.command == "eligibility":
        sys.exit(eligibility(args))
    elif args.command == "export-835":
        sys.exit(export_835(args))
    elif args.command == "import":
        sys.exit(import_claims(args))
    elif args.command == "audit":
        sys.exit(audit(args))
    else:
        serve()


if __name__ in {"__main__", "__mp_main__"}:
    from storage.settings import InsecureConfiguration

    try:
        if os.environ.get("NICEGUI_USER_SIMULATION") or __name__ == "__mp_main__":
            serve()  # NiceGUI's test harness (sys.argv is pytest's) or its worker process
        else:
            cli(sys.argv[1:])
    except InsecureConfiguration as refusal:
        sys.exit(f"Portico will not start: {refusal}")
