"""The `kairos` command: serve the panel, migrate, load the demo, create businesses and admins, change settings,
move a business between databases (export, import) and back up a SQLite database.

The top layer like the web UI: it parses arguments, calls services and prints results; it never touches storage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from domain.admins import AdminRole
from domain.settings import HELP, SettingsError
from services import admin, demo, logs, moving
from services.config import get_config, secret_problem
from services.context import get_db

# No locals in tracebacks: they would print database URLs and passwords.
app = typer.Typer(help='Kairos: a self-hosted customer panel for appointment businesses.', no_args_is_help=True,
                  add_completion=False, pretty_exceptions_show_locals=False)
settings_app = typer.Typer(help="Read and change the business's customer-panel settings.", no_args_is_help=True)
app.add_typer(settings_app, name='settings')

TenantOption = Annotated[str | None, typer.Option('--tenant', help='Business slug (default: KAIROS_DEFAULT_TENANT).')]


def fail(message: str) -> typer.Exit:
    typer.secho(f'Error: {message}', fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@app.command()
def serve(host: Annotated[str | None, typer.Option(help='Address to listen on (default: KAIROS_HOST).')] = None,
          port: Annotated[int | None, typer.Option(help='Port to listen on (default: KAIROS_PORT).')] = None) -> None:
    """Serve the customer panel until stopped."""
    cfg = get_config()
    host = host or cfg.host
    port = port or cfg.port
    problem = secret_problem(cfg.secret, host=host)
    if problem:
        raise fail(problem)
    if logs.use_json():  # every line of output a JSON object, from the first import on (uvicorn says where it runs)
        logs.configure()
    else:
        typer.echo(f'Kairos is starting on http://{host}:{port} (public address {cfg.public_url}). Ctrl+C stops it.')
    from ui.app import run  # NiceGUI loads only for this command

    run(host=host, port=port)


@app.command()
def migrate() -> None:
    """Bring the database to the latest schema (Alembic)."""
    url = admin.migrate_database()
    typer.echo(f'Database is up to date: {_safe_url(url)}')


@app.command('demo')
def load_demo(
    reset: Annotated[bool, typer.Option('--reset', help='Wipe the demo business first, then load it again.')] = False,
    if_empty: Annotated[bool, typer.Option('--if-empty', help='Do nothing if the database already holds a business.')]
    = False,
    seed: Annotated[int, typer.Option(help='Seed for the generated history.')] = 7,
) -> None:
    """Migrate, then load the demo studio (two years of bookings) and print how to sign in."""
    admin.migrate_database()
    db = get_db()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if reset:
        summary = demo.reset_demo(db, now=now, seed=seed)
        typer.echo('Demo business wiped and loaded again.')
    elif if_empty and demo.database_has_tenants(db):
        if not demo.demo_exists(db):
            typer.echo('The database already holds a business; no demo data loaded.')
            return
        typer.echo('Demo data is already there; keeping it.')
        _print_sign_ins(demo.DEMO_LOGINS)
        return
    else:
        try:
            summary = demo.load_demo(db, now=now, seed=seed)
        except demo.DemoExists as exc:
            raise fail(f'{exc} (`kairos demo --reset`)') from exc
    typer.echo(f'Loaded {summary.tenant_name}: {summary.locations} locations, {summary.staff} staff, '
               f'{summary.services} services, {summary.packages} packages, {summary.customers} customers, '
               f"{summary.appointments} appointments ({summary.ada_appointments} of them Ada's).")
    _print_sign_ins(summary.logins)


@app.command('create-business')
def create_business(
    name: Annotated[str, typer.Option(help='The business name customers see.')],
    timezone: Annotated[str, typer.Option(help='IANA time zone, e.g. Europe/Lisbon.')] = 'UTC',
    currency: Annotated[str, typer.Option(help='ISO currency code.')] = 'EUR',
    slug: Annotated[str | None, typer.Option(help='Slug (default: KAIROS_DEFAULT_TENANT).')] = None,
    host: Annotated[str | None, typer.Option(help='Host name that serves it in multi-tenant mode.')] = None,
) -> None:
    """Create a business (tenant) with the default statuses and settings."""
    slug = slug or get_config().default_tenant
    try:
        admin.create_business(get_db(), slug=slug, name=name, timezone=timezone, currency=currency, host=host)
    except SettingsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Created business '{name}' ({slug}).")


@app.command('create-admin')
def create_admin(
    email: Annotated[str, typer.Argument(help='Email the admin signs in with.')],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help='Asked for when not given.')],
    name: Annotated[str, typer.Option(help='Display name.')] = '',
    role: Annotated[AdminRole, typer.Option(help='owner: everything; manager: everything but admins and payments.')]
    = AdminRole.OWNER,
    tenant: TenantOption = None,
) -> None:
    """Create an admin account for a business; the password is stored as an Argon2 hash."""
    try:
        admin.create_admin_user(get_db(), tenant_slug=tenant or get_config().default_tenant, email=email,
                                password=password, name=name, role=role)
    except (SettingsError, admin.UnknownBusiness) as exc:
        raise fail(str(exc.args[0] if exc.args else exc)) from exc
    typer.echo(f'Admin {email} created.')


@app.command('branding')
def set_branding(
    color: Annotated[str | None, typer.Option('--color', help='Primary colour as #rrggbb; white text must read on it.')]
    = None,
    dark: Annotated[bool | None, typer.Option('--dark/--light', help="Customers' pages dark or light.")]
    = None,
    tenant: TenantOption = None,
) -> None:
    """Change the business's primary colour and theme; a colour that would make text unreadable is refused."""
    try:
        saved = admin.update_branding(get_db(), tenant_slug=tenant or get_config().default_tenant,
                                      primary_color=color, dark=dark)
    except (SettingsError, admin.UnknownBusiness) as exc:
        raise fail(str(exc.args[0] if exc.args else exc)) from exc
    typer.echo(f'Primary colour {saved.primary_color}, {"dark" if saved.dark else "light"} theme.')


@settings_app.command('show')
def settings_show(tenant: TenantOption = None) -> None:
    """Print the panel settings as JSON."""
    try:
        data = admin.show_settings(get_db(), tenant_slug=tenant or get_config().default_tenant)
    except admin.UnknownBusiness as exc:
        raise fail(str(exc.args[0])) from exc
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@settings_app.command('help')
def settings_help() -> None:
    """Say what each setting means."""
    for key, meaning in HELP.items():
        typer.echo(f'{key}\n    {meaning}')


@settings_app.command('set')
def settings_set(
    key: Annotated[str, typer.Argument(help='Setting name; dotted for Panel Designer ones, e.g. designer.show_price')],
    value: Annotated[str, typer.Argument(help='New value, read as JSON when it is JSON: false, 30, ["pending"].')],
    tenant: TenantOption = None,
) -> None:
    """Change one setting; the whole result is validated before it is saved."""
    try:
        saved = admin.update_setting(get_db(), tenant_slug=tenant or get_config().default_tenant, key=key,
                                     raw_value=value)
    except (SettingsError, admin.UnknownBusiness) as exc:
        raise fail(str(exc.args[0] if exc.args else exc)) from exc
    shown: object = saved.to_dict()
    for part in key.split('.'):
        shown = shown[part] if isinstance(shown, dict) else shown
    typer.echo(f'{key} = {json.dumps(shown, ensure_ascii=False)}')


@app.command('export')
def export_business(
    file: Annotated[Path, typer.Argument(help='The JSON file to write (must not exist).')],
    tenant: TenantOption = None,
) -> None:
    """Write one business, everything it owns, to one JSON file (for `kairos import` elsewhere)."""
    if file.exists():
        raise fail(f'{file} already exists; choose a new file name.')
    try:
        document = moving.export_business(get_db(), slug=tenant or get_config().default_tenant,
                                          now=datetime.now(UTC))
    except moving.MoveRefused as exc:
        raise fail(exc.message) from exc
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open('x', encoding='utf-8') as out:
        json.dump(document, out, ensure_ascii=False)
    rows = sum(len(rows) for rows in document['tables'].values())
    typer.echo(f"Exported {document['business']}: {rows} rows in {len(document['tables'])} tables, "
               f"{len(document['templates'])} email templates, to {file}.")


@app.command('import')
def import_business(file: Annotated[Path, typer.Argument(help='A file written by `kairos export`.')]) -> None:
    """Load a business exported with `kairos export` into this database (migrated, without that business)."""
    try:
        document = json.loads(file.read_text(encoding='utf-8'))
    except (OSError, ValueError) as exc:
        raise fail(f'Cannot read {file}: {exc}') from exc
    admin.migrate_database()
    try:
        done = moving.import_business(get_db(), document)
    except moving.MoveRefused as exc:
        raise fail(exc.message) from exc
    typer.echo(f'Imported {done.slug}: {done.rows} rows.')
    if done.templates_written or done.templates_skipped:
        typer.echo(f'Email templates: {done.templates_written} written to KAIROS_TEMPLATES_DIR, '
                   f'{done.templates_skipped} not written (no KAIROS_TEMPLATES_DIR set, or a file already there).')


@app.command('backup')
def backup(file: Annotated[Path, typer.Argument(help='The new SQLite file to write.')]) -> None:
    """Copy the live SQLite database consistently (it may keep serving meanwhile)."""
    try:
        moving.backup_database(get_config().database_url, file)
    except moving.MoveRefused as exc:
        raise fail(exc.message) from exc
    typer.echo(f'Backed up the database to {file}.')


def _print_sign_ins(logins: tuple[demo.DemoLogin, ...]) -> None:
    typer.echo(f'\nOpen {get_config().public_url}')
    for login in logins:
        where = '  (at /admin)' if login.role == 'admin' else ''
        typer.echo(f'  {login.role:<9} {login.email} / {login.password}{where}')


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    if '@' not in url or '://' not in url:
        return url
    scheme, rest = url.split('://', 1)
    credentials, where = rest.rsplit('@', 1)
    return f'{scheme}://{credentials.split(":", 1)[0]}@{where}'


if __name__ == '__main__':
    app()
