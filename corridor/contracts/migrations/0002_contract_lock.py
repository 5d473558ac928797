"""Database triggers that refuse to change a contract's content, hash or verification code once it is locked (approved
by the origin authority): substitution is refused by the database itself, not only by the services."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER contracts_contract_locked BEFORE UPDATE OF content, content_hash, verification_code, version,
placement_id ON contracts_contract WHEN OLD.locked_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a locked contract cannot be changed; amend it with a new version'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS contracts_contract_locked"]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION contracts_contract_refuse_change() RETURNS trigger AS $$
BEGIN
  IF OLD.locked_at IS NOT NULL AND (NEW.content::text IS DISTINCT FROM OLD.content::text
      OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
      OR NEW.verification_code IS DISTINCT FROM OLD.verification_code
      OR NEW.version IS DISTINCT FROM OLD.version OR NEW.placement_id IS DISTINCT FROM OLD.placement_id
      OR NEW.locked_at IS DISTINCT FROM OLD.locked_at) THEN
    RAISE EXCEPTION 'a locked contract cannot be changed; amend it with a new version';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER contracts_contract_locked BEFORE UPDATE ON contracts_contract
FOR EACH ROW EXECUTE FUNCTION contracts_contract_refuse_change()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS contracts_contract_locked ON contracts_contract",
    "DROP FUNCTION IF EXISTS contracts_contract_refuse_change()",
]


def forwards(apps, schema_editor):
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
