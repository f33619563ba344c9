"""Re-encrypt a Langflow database's stored credentials from one LANGFLOW_SECRET_KEY to another.

Written for `harden-init rotate-key`, which runs it in a one-off container of the install's own Langflow image
(whose Python has cryptography and SQLAlchemy), with Langflow stopped and its database reachable. It follows the
rules of Langflow's own scripts/migrate_secret_key.py (not shipped in the image), rewritten here:

  user.store_api_key, variable.value (Credential variables), apikey.api_key, deployment_provider_account.api_key,
  connection_secret.encrypted_payload, trigger.signing_secret_encrypted      one Fernet token each
  folder.auth_settings                     Fernet tokens in its oauth_client_secret and api_key
  mcp_server.config                        Fernet tokens in its env and headers maps and `--headers NAME VALUE` args
  sso_config.client_secret_encrypted       an AES-256-GCM envelope under an HKDF-SHA256 key from the secret key

A table the release does not have is skipped. A value that is not a Fernet token is plaintext Langflow still reads
as it is (written before encryption shipped): it is left alone and counted. A token the old key cannot decrypt
stops the rotation, naming table, row and field, and nothing is written (one transaction, rolled back).

Invocation (the keys never on a command line): `python3 rotate_secret_key.py MODE`, its first stdin line a JSON
object {"old_key": ..., "new_key": ..., "database_url": optional}. harden-init sends the script itself on stdin
after that line (see src/commands/rotate-key-script.ts), so nothing has to be mounted into the container.
  dry-run   count per field what would be re-encrypted; writes nothing
  rotate    re-encrypt with new_key, decrypt every re-encrypted value again with new_key inside the same
            transaction and compare it with the old plaintext, then commit
  verify    decrypt every stored value with new_key (nothing written): the check after Langflow restarted
  encrypt   (tests) read {"plaintext": [...]} values from the config line and print Fernet tokens / envelopes
The last stdout line is one JSON object: the counts, the failures, or the error. No key or plaintext is printed.
Exit: 0 done, 3 values the key cannot decrypt, 4 refused (work in flight that needs the old key), 2 bad input,
1 database error.
"""

import base64
import binascii
import hashlib
import json
import os
import random
import sys
from datetime import datetime, timezone

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Langflow uses a key of 32+ characters directly as the Fernet key (base64, padded); a shorter one is hashed.
MINIMUM_KEY_LENGTH = 32
FERNET_VERSION = 0x80
# version (1) + timestamp (8) + IV (16) + one AES block (16) + HMAC (32)
FERNET_MIN_BYTES = 73
CREDENTIAL_TYPE = "Credential"
AUTH_SETTINGS_FIELDS = ("oauth_client_secret", "api_key")
MCP_SECRET_MAPS = ("env", "headers")
MCP_HEADER_FLAG = "--headers"
SSO_HEADER = "lf-sso:v1:hkdf-sha256-v1:aes-256-gcm"
SSO_SALT = b"langflow/sso/client-secret/hkdf-salt/v1"
SSO_INFO = b"langflow/sso/client-secret/encryption"
SSO_NONCE_BYTES = 12
SSO_TAG_BYTES = 16

# (table, primary key, column, what it holds); the order is the order of the report.
FIELDS = [
    ("user", "id", "store_api_key", "token"),
    ("variable", "id", "value", "credential"),
    ("folder", "id", "auth_settings", "auth_settings"),
    ("apikey", "id", "api_key", "token"),
    ("deployment_provider_account", "id", "api_key", "token"),
    ("connection_secret", "connection_id", "encrypted_payload", "token"),
    ("trigger", "id", "signing_secret_encrypted", "token"),
    ("mcp_server", "id", "config", "mcp_config"),
    ("sso_config", "id", "client_secret_encrypted", "sso"),
]

EXIT_OK, EXIT_DB, EXIT_USAGE, EXIT_UNDECRYPTABLE, EXIT_REFUSED = 0, 1, 2, 3, 4


class Stop(Exception):
    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code = code
        self.extra = extra


class Undecryptable(Exception):
    pass


def fernet_key(secret):
    """The Fernet key Langflow derives from its secret key (SHA-256 of a short key since 1.10.1)."""
    if len(secret) < MINIMUM_KEY_LENGTH:
        return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
    return (secret + "=" * (-len(secret) % 4)).encode()


def legacy_short_fernet_key(secret):
    """Before 1.10.1 a short key seeded Python's PRNG; values written then are still read with it."""
    rng = random.Random(secret)  # reproduces a historical derivation; never used to encrypt
    return base64.urlsafe_b64encode(bytes(rng.getrandbits(8) for _ in range(32)))


def sso_key(secret):
    # HKDF over the secret key itself, not over the derived Fernet key.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SSO_SALT, info=SSO_INFO).derive(secret.encode())


def b64url_decode(text):
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Key:
    """One secret key: decrypts (the current and, for short keys, the legacy derivation) and encrypts."""

    def __init__(self, secret, what):
        if not isinstance(secret, str) or not secret:
            raise Stop(EXIT_USAGE, f"{what} is missing")
        try:
            current = Fernet(fernet_key(secret))
        except (ValueError, binascii.Error):
            raise Stop(EXIT_USAGE, f"{what} is not usable as a Fernet key (Langflow cannot encrypt with it either)")
        self.encryptor = current
        self.decryptor = MultiFernet([current, Fernet(legacy_short_fernet_key(secret))]) if len(secret) < MINIMUM_KEY_LENGTH else current
        self.aead = AESGCM(sso_key(secret))

    def open_token(self, token):
        try:
            return self.decryptor.decrypt(token.encode()).decode()
        except (InvalidToken, UnicodeDecodeError, ValueError, TypeError):
            raise Undecryptable()

    def seal_token(self, plaintext):
        return self.encryptor.encrypt(plaintext.encode()).decode()

    def open_envelope(self, envelope):
        parts = envelope.split(":") if isinstance(envelope, str) else []
        if len(parts) != 6 or ":".join(parts[:4]) != SSO_HEADER:
            raise Undecryptable()
        try:
            nonce, ciphertext = b64url_decode(parts[4]), b64url_decode(parts[5])
            if len(nonce) != SSO_NONCE_BYTES or len(ciphertext) < SSO_TAG_BYTES:
                raise ValueError("short")
            return self.aead.decrypt(nonce, ciphertext, SSO_HEADER.encode()).decode()
        except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
            raise Undecryptable()

    def seal_envelope(self, plaintext):
        nonce = os.urandom(SSO_NONCE_BYTES)
        sealed = self.aead.encrypt(nonce, plaintext.encode(), SSO_HEADER.encode())
        return f"{SSO_HEADER}:{b64url_encode(nonce)}:{b64url_encode(sealed)}"


def looks_like_fernet(value):
    """A Fernet token, told apart from plaintext without a key (what Langflow's readers pass through as it is)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        raw = base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= FERNET_MIN_BYTES and raw[0] == FERNET_VERSION


def header_arg_positions(args):
    """Indexes of the VALUE in each `--headers NAME VALUE` of an mcp-proxy argument list."""
    out = []
    if not isinstance(args, list):
        return out
    i = 0
    while i + 2 < len(args):
        if args[i] == MCP_HEADER_FLAG:
            out.append(i + 2)
            i += 3
        else:
            i += 1
    return out


class Pass:
    """One walk over every encrypted field: opened with `key`, sealed again with `seal` (None: read only)."""

    def __init__(self, key, seal=None):
        self.key = key
        self.seal = seal
        self.counts = {}
        self.failures = []
        self.plain = {}
        self.updates = []  # (table, pk, column, row id, new column value)

    def count(self, field, kind):
        c = self.counts.setdefault(field, {"encrypted": 0, "plaintext": 0})
        c[kind] += 1

    def token(self, value, table, row_id, field):
        if not looks_like_fernet(value):
            if isinstance(value, str) and value:
                self.count(field, "plaintext")
            return value
        try:
            plaintext = self.key.open_token(value)
        except Undecryptable:
            self.failures.append({"table": table, "id": str(row_id), "field": field})
            return value
        self.count(field, "encrypted")
        self.plain[(table, str(row_id), field)] = plaintext
        return self.seal.seal_token(plaintext) if self.seal else value

    def envelope(self, value, table, row_id, field):
        if not isinstance(value, str) or not value:
            return value
        try:
            plaintext = self.key.open_envelope(value)
        except Undecryptable:
            self.failures.append({"table": table, "id": str(row_id), "field": field})
            return value
        self.count(field, "encrypted")
        self.plain[(table, str(row_id), field)] = plaintext
        return self.seal.seal_envelope(plaintext) if self.seal else value


def as_json(raw):
    """A JSON column as Python: PostgreSQL's driver gives a dict, SQLite the text (JSON null is the text 'null')."""
    if raw is None or isinstance(raw, (dict, list)):
        return raw, False
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode()
    return json.loads(raw), True


def walk_row(p, kind, table, column, row_id, value, extra):
    """The row's new column value (the same object when nothing changes)."""
    label = f"{table}.{column}"
    if kind == "token":
        return p.token(value, table, row_id, label)
    if kind == "credential":
        # Only Credential variables are encrypted; Generic ones are stored as typed.
        return p.token(value, table, row_id, label) if extra == CREDENTIAL_TYPE else value
    if kind == "sso":
        return p.envelope(value, table, row_id, label)
    try:
        doc, _ = as_json(value)
    except (ValueError, TypeError):
        p.failures.append({"table": table, "id": str(row_id), "field": f"{label} (not JSON)"})
        return value
    if not isinstance(doc, dict):
        return value
    new = json.loads(json.dumps(doc))
    if kind == "auth_settings":
        for f in AUTH_SETTINGS_FIELDS:
            if new.get(f):
                new[f] = p.token(new[f], table, row_id, f"{label}.{f}")
    else:  # mcp_config
        for m in MCP_SECRET_MAPS:
            values = new.get(m)
            if isinstance(values, dict):
                for name, v in values.items():
                    values[name] = p.token(v, table, row_id, f"{label}.{m}.{name}")
        args = new.get("args")
        for i in header_arg_positions(args):
            args[i] = p.token(args[i], table, row_id, f"{label}.args[{i}]")
    return value if new == doc else json.dumps(new)


def walk(conn, p, present):
    from sqlalchemy import text

    for table, pk, column, kind in FIELDS:
        if table not in present:
            continue
        extra_col = ', "type"' if kind == "credential" else ""
        rows = conn.execute(text(f'SELECT "{pk}", "{column}"{extra_col} FROM "{table}" WHERE "{column}" IS NOT NULL')).fetchall()
        for row in rows:
            row_id, value = row[0], row[1]
            extra = row[2] if kind == "credential" else None
            new = walk_row(p, kind, table, column, row_id, value, extra)
            if new is not value and new != value:
                p.updates.append((table, pk, column, row_id, new))


def field_labels(p):
    """Counts per field as the report shows them (MCP map entries folded into their map)."""
    out = {}
    for field, c in p.counts.items():
        parts = field.split(".")
        key = ".".join(parts[:3]) if field.startswith("mcp_server.config.") else field
        key = "mcp_server.config.args" if key.startswith("mcp_server.config.args") else key
        agg = out.setdefault(key, {"encrypted": 0, "plaintext": 0})
        agg["encrypted"] += c["encrypted"]
        agg["plaintext"] += c["plaintext"]
    return out


def database_url(config):
    url = config.get("database_url") or os.environ.get("LANGFLOW_DATABASE_URL")
    if not url:
        if os.environ.get("LANGFLOW_SAVE_DB_IN_CONFIG_DIR", "").lower() in ("true", "1", "yes", "on"):
            path = os.path.join(os.environ.get("LANGFLOW_CONFIG_DIR") or "/app/langflow", "langflow.db")
            if not os.path.isfile(path):
                raise Stop(EXIT_USAGE, f"no SQLite database at {path}")
            url = f"sqlite:///{path}"
        else:
            raise Stop(EXIT_USAGE, "no database: neither LANGFLOW_DATABASE_URL nor LANGFLOW_SAVE_DB_IN_CONFIG_DIR is set")
    # Langflow's async drivers (aiosqlite, asyncpg, psycopg) have synchronous counterparts here.
    scheme, sep, rest = url.partition("://")
    base = scheme.split("+")[0]
    if base in ("postgres", "postgresql"):
        try:
            import psycopg2  # noqa: F401

            scheme = "postgresql+psycopg2"
        except ImportError:
            scheme = "postgresql+psycopg"
    elif base == "sqlite":
        scheme = "sqlite"
    return f"{scheme}{sep}{rest}"


def in_flight(conn, present):
    """Work that still needs the old key (upstream refuses to rotate while it exists): what it is, or None."""
    from sqlalchemy import text

    if "job" in present:
        if conn.execute(text("SELECT 1 FROM job WHERE status IN ('queued', 'in_progress', 'suspended') LIMIT 1")).first():
            return "queued, running or suspended jobs (their request overrides are encrypted with the key)"
    if "connection_oauth" in present:
        now = datetime.now(timezone.utc)
        rows = conn.execute(text("SELECT expires_at FROM connection_oauth WHERE encrypted_verifier IS NOT NULL")).fetchall()
        for (expires,) in rows:
            if isinstance(expires, str):
                try:
                    expires = datetime.fromisoformat(expires.replace("Z", "+00:00"))
                except ValueError:
                    return "OAuth connection flows in progress (their verifiers are encrypted with the key)"
            if expires is None:
                continue
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=timezone.utc)
            if expires > now:
                return "OAuth connection flows in progress (their verifiers are encrypted with the key)"
    return None


def run(mode, config):
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    if mode == "encrypt":
        key = Key(config.get("key"), "key")
        return {"ok": True, "tokens": [key.seal_token(v) for v in config.get("plaintext", [])],
                "envelopes": [key.seal_envelope(v) for v in config.get("plaintext", [])]}, EXIT_OK
    if mode not in ("dry-run", "rotate", "verify"):
        raise Stop(EXIT_USAGE, f"unknown mode {mode!r} (dry-run, rotate, verify)")
    if mode == "verify":
        old, new = Key(config.get("key") or config.get("new_key"), "the key to verify"), None
    else:
        old, new = Key(config.get("old_key"), "the old key"), Key(config.get("new_key"), "the new key")
        if config.get("old_key") == config.get("new_key"):
            raise Stop(EXIT_USAGE, "the old and the new key are the same")

    url = database_url(config)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                present = {t for t, *_ in FIELDS if inspect(conn).has_table(t)}
                present |= {t for t in ("job", "connection_oauth") if inspect(conn).has_table(t)}
                p = Pass(old, new if mode == "rotate" else None)
                walk(conn, p, present)
                report = {
                    "ok": not p.failures, "mode": mode, "database": engine.dialect.name,
                    "fields": field_labels(p), "skipped_tables": [t for t, *_ in FIELDS if t not in present],
                    "failures": p.failures,
                }
                blocker = in_flight(conn, present) if mode != "verify" else None
                if blocker:
                    report["refused"] = blocker
                if p.failures:
                    trans.rollback()
                    return report, EXIT_UNDECRYPTABLE
                if blocker:
                    trans.rollback()
                    report["ok"] = False
                    return report, EXIT_REFUSED
                if mode != "rotate":
                    trans.rollback()
                    return report, EXIT_OK
                for table, pk, column, row_id, value in p.updates:
                    conn.execute(text(f'UPDATE "{table}" SET "{column}" = :v WHERE "{pk}" = :id'), {"v": value, "id": row_id})
                # Every value again, with the new key, inside the transaction: the same plaintext or no commit.
                check = Pass(new)
                walk(conn, check, present)
                if check.failures or check.plain != p.plain:
                    trans.rollback()
                    missing = sorted(set(p.plain) - set(check.plain)) + sorted(k for k in p.plain if k in check.plain and check.plain[k] != p.plain[k])
                    failures = check.failures or [{"table": t, "id": i, "field": f} for t, i, f in missing]
                    raise Stop(EXIT_DB, "the re-encrypted values did not read back with the new key; rolled back", failures=failures)
                trans.commit()
                report["updated_rows"] = len(p.updates)
                return report, EXIT_OK
            except BaseException:
                if trans.is_active:
                    trans.rollback()
                raise
    except SQLAlchemyError as e:
        # The driver's message, never SQLAlchemy's (that one quotes the statement's parameters: ciphertexts).
        raise Stop(EXIT_DB, f"database: {str(getattr(e, 'orig', None) or e.__class__.__name__).strip()}")
    finally:
        engine.dispose()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    line = globals().get("_CONFIG_LINE")
    if line is None:
        line = sys.stdin.readline()
    try:
        try:
            config = json.loads(line)
            if not isinstance(config, dict):
                raise ValueError("not an object")
        except ValueError:
            raise Stop(EXIT_USAGE, "the first stdin line must be a JSON object with the keys")
        report, code = run(mode, config)
    except Stop as e:
        report, code = {"ok": False, "mode": mode, "error": str(e), **e.extra}, e.code
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
