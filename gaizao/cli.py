"""The `gaizao` console command: a thin front for the management commands.

gaizao demo            migrate, seed the Panlong demo district, print logins, serve
gaizao serve [ADDR]    serve on ADDR (default 127.0.0.1:8000)
gaizao import FILE     import a compound (or unit) spreadsheet; --dry-run --json to preview
gaizao export          export compounds to .xlsx
gaizao <any Django management command>

Language: Chinese by default; English with `--lang en` (anywhere on the line)
or when LANG / LC_ALL / LANGUAGE start with "en".

A command that needs the database on a database that is not set up yet
(fresh install: no tables) says in one line what to run instead of printing
a traceback.
"""

import os
import sys

DEVELOPMENT_COMMANDS = {"demo", "serve", "runserver"}


def _language(argv: list[str]) -> tuple[str | None, list[str]]:
    """(language code or None, argv without --lang)."""
    lang = None
    rest = []
    it = iter(argv)
    for arg in it:
        if arg == "--lang":
            lang = next(it, None)
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if lang is None:
        for var in ("LC_ALL", "LANGUAGE", "LANG"):
            value = os.environ.get(var, "")
            if value and value not in ("C", "POSIX", "C.UTF-8"):
                lang = value
                break
    if lang is None:
        return None, rest
    lang = lang.lower()
    if lang.startswith("en"):
        return "en", rest
    if lang.startswith("zh"):
        return "zh-hans", rest
    return None, rest


def database_problem() -> str | None:
    """One line saying what to run when the database is not ready, else None."""
    from django.db import DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _

    try:
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _("无法连接数据库(%(error)s):请检查 DATABASE_URL") % {"error": first}
    if plan:
        return _(
            "数据库尚未建立或不是最新:请先运行 `gaizao migrate`(或 `gaizao demo` 载入演示数据)"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    # `gaizao demo` and `gaizao serve` are the development server: DEBUG on
    # unless the host configured a key. Every other command (import, export,
    # migrate, …) runs with the settings of the host: without SECRET_KEY
    # (and without DEBUG=1) settings refuse to start rather than sign with a
    # built-in key (issue 9 #10).
    if "SECRET_KEY" not in os.environ and argv and argv[0] in DEVELOPMENT_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    lang, argv = _language(argv)
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.utils import translation

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        # No (or a weak) SECRET_KEY outside development: one line, no traceback.
        if "SECRET_KEY" not in str(exc):
            raise
        sys.stderr.write(
            (
                "SECRET_KEY is not set (or too weak): set SECRET_KEY (50+ random characters)"
                " in production, or run with DEBUG=1 on your own machine,"
                " e.g. `DEBUG=1 gaizao import sheet.xlsx`\n"
            )
            if lang == "en"
            else (
                "未设置 SECRET_KEY(或过于简单):生产环境请设置 SECRET_KEY(50 个以上随机字符);"
                "在本机试用请加 DEBUG=1,例如 `DEBUG=1 gaizao import 表格.xlsx`\n"
            )
        )
        return 1
    if lang:
        translation.activate(lang)
    if argv and argv[0] == "serve":
        # `gaizao serve`, `gaizao serve 0.0.0.0:8080`, `gaizao serve 8080 --noreload`
        rest = argv[1:]
        addr = "127.0.0.1:8000"
        if rest and not rest[0].startswith("-"):
            addr, rest = rest[0], rest[1:]
        argv = ["runserver", addr, *rest]
    from django.db import DatabaseError

    if not argv or argv[0] != "runserver":
        # Writes made by a command are audited as such (gaizao.core.audit).
        os.environ["GAIZAO_AUDIT_CHANNEL"] = "cli"
    try:
        execute_from_command_line(["gaizao", *argv])
    except DatabaseError:
        # A fresh install ("no such table") or an unreachable server: say what
        # to run in one line. Anything else is a real bug: let it show.
        problem = database_problem()
        if problem is None:
            raise
        sys.stderr.write(problem + "\n")
        return 1
    finally:
        # main() also runs in-process (tests): the label ends with the command.
        os.environ.pop("GAIZAO_AUDIT_CHANNEL", None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
