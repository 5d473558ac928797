"""Database triggers that refuse to change what an issued skills certificate says (its content, hash, code, worker,
season and attested facts) and to bring a revoked certificate back: only revocation may follow the issue."""

from django.db import migrations

LOCKED = ("content", "content_hash", "verification_code", "issued_at", "worker_id", "journey_id", "programme_id",
          "hours_worked", "tasks", "start_date", "end_date", "isco_code", "occupation", "employer_name")
MESSAGE = "an issued skills certificate cannot be changed; revoke it and attest the season again"

_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LOCKED)
SQLITE_UP = [
    f"""CREATE TRIGGER pathways_certificate_locked BEFORE UPDATE ON pathways_skillscertificate
WHEN OLD.issued_at IS NOT NULL AND ({_changed} OR (OLD.status = 'revoked' AND NEW.status IS NOT 'revoked'))
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS pathways_certificate_locked"]

_pg_changed = " OR ".join(
    f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" if c == "content" else f"NEW.{c} IS DISTINCT FROM OLD.{c}"
    for c in LOCKED)
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION pathways_certificate_refuse_change() RETURNS trigger AS $$
BEGIN
  IF OLD.issued_at IS NOT NULL AND ({_pg_changed}
      OR (OLD.status = 'revoked' AND NEW.status IS DISTINCT FROM 'revoked')) THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER pathways_certificate_locked BEFORE UPDATE ON pathways_skillscertificate
FOR EACH ROW EXECUTE FUNCTION pathways_certificate_refuse_change()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS pathways_certificate_locked ON pathways_skillscertificate",
    "DROP FUNCTION IF EXISTS pathways_certificate_refuse_change()",
]


def forwards(apps, schema_editor):
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
