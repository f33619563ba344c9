"""Test fixture for the secret-key rotation: Langflow's encrypted columns, written and read WITHOUT the rotation script.

Usage (URL and key in the environment: FIXTURE_URL, FIXTURE_KEY; FIXTURE_OTHER_KEY for `seed-bad`):
  python3 fixture.py seed       the tables (the columns the rotation touches, with upstream's names and types) and
                                rows encrypted with FIXTURE_KEY in every field, plus plaintext values
  python3 fixture.py seed-bad   one more Credential variable encrypted with FIXTURE_OTHER_KEY
  python3 fixture.py read       JSON {"plain": {field: plaintext}, "failed": [field, ...], "raw": {field: stored}}
Encryption as Langflow does it (independent of templates/langflow/rotate_secret_key.py): Fernet with the 43-character
key padded to base64, and the SSO envelope lf-sso:v1:hkdf-sha256-v1:aes-256-gcm:<nonce>:<ciphertext>.
"""
import base64, json, os, sys, uuid
from cryptography.fernet import Fernet, InvalidToken
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import create_engine, text

URL, KEY = os.environ["FIXTURE_URL"], os.environ.get("FIXTURE_KEY", "")
PG = URL.startswith("postgresql")
ID = "UUID" if PG else "CHAR(32)"
HDR = "lf-sso:v1:hkdf-sha256-v1:aes-256-gcm"


def fernet(k):
    return Fernet((k + "=" * (-len(k) % 4)).encode())


def aead(k):
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=b"langflow/sso/client-secret/hkdf-salt/v1",
                       info=b"langflow/sso/client-secret/encryption").derive(k.encode()))


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def envelope(k, plain):
    n = os.urandom(12)
    return f"{HDR}:{b64(n)}:{b64(aead(k).encrypt(n, plain.encode(), HDR.encode()))}"


def open_envelope(k, env):
    p = env.split(":")
    d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    return aead(k).decrypt(d(p[4]), d(p[5]), HDR.encode()).decode()


def rid(n):
    u = uuid.UUID(int=n)
    return str(u) if PG else u.hex


SCHEMA = [
    f'CREATE TABLE "user" (id {ID} PRIMARY KEY, username VARCHAR NOT NULL, store_api_key VARCHAR)',
    f'CREATE TABLE variable (id {ID} PRIMARY KEY, name VARCHAR NOT NULL, value VARCHAR, type VARCHAR)',
    f'CREATE TABLE folder (id {ID} PRIMARY KEY, name VARCHAR NOT NULL, auth_settings JSON)',
    f'CREATE TABLE apikey (id {ID} PRIMARY KEY, name VARCHAR, api_key VARCHAR, api_key_hash VARCHAR)',
    f'CREATE TABLE deployment_provider_account (id {ID} PRIMARY KEY, name VARCHAR, api_key VARCHAR)',
    f'CREATE TABLE connection_secret (connection_id {ID} PRIMARY KEY, encrypted_payload TEXT NOT NULL)',
    f'CREATE TABLE "trigger" (id {ID} PRIMARY KEY, signing_secret_encrypted VARCHAR)',
    f'CREATE TABLE mcp_server (id {ID} PRIMARY KEY, name VARCHAR NOT NULL, config JSON)',
    f'CREATE TABLE sso_config (id {ID} PRIMARY KEY, slug VARCHAR, client_secret_encrypted VARCHAR)',
]


def seed(conn):
    f = fernet(KEY)
    t = lambda s: f.encrypt(s.encode()).decode()
    for s in SCHEMA:
        conn.execute(text(s))
    ins = lambda sql, **kw: conn.execute(text(sql), kw)
    ins('INSERT INTO "user" VALUES (:i, :n, :v)', i=rid(1), n="admin", v=t("store-key-ü"))
    ins('INSERT INTO "user" VALUES (:i, :n, NULL)', i=rid(2), n="other")
    ins("INSERT INTO variable VALUES (:i, 'OPENAI_API_KEY', :v, 'Credential')", i=rid(3), v=t("sk-openai-secret"))
    ins("INSERT INTO variable VALUES (:i, 'MODEL', 'gpt-4o', 'Generic')", i=rid(4))
    ins("INSERT INTO variable VALUES (:i, 'EMPTY', '', 'Credential')", i=rid(5))
    ins("INSERT INTO folder VALUES (:i, 'project', :v)", i=rid(6),
        v=json.dumps({"auth_type": "oauth", "oauth_client_secret": t("oauth-secret"), "api_key": t("folder-api-key"), "oauth_host": "example.com"}))
    ins("INSERT INTO folder VALUES (:i, 'plain', NULL)", i=rid(7))
    ins("INSERT INTO apikey VALUES (:i, 'k', :v, 'hash')", i=rid(8), v=t("sk-langflow-key"))
    ins("INSERT INTO deployment_provider_account VALUES (:i, 'acct', :v)", i=rid(9), v=t("provider-key"))
    ins("INSERT INTO connection_secret VALUES (:i, :v)", i=rid(10), v=t(json.dumps({"access_token": "tok"})))
    ins('INSERT INTO "trigger" VALUES (:i, :v)', i=rid(11), v=t("signing-secret"))
    ins("INSERT INTO mcp_server VALUES (:i, 'srv', :v)", i=rid(12), v=json.dumps({
        "command": "uvx", "args": ["mcp-proxy", "--headers", "Authorization", t("Bearer header-arg"), "http://mcp.example"],
        "env": {"API_KEY": t("env-secret"), "PLAIN": "not-a-secret"}, "headers": {"X-Token": t("header-secret")}}))
    ins("INSERT INTO sso_config VALUES (:i, 'sso-1', :v)", i=rid(13), v=envelope(KEY, "oidc-client-secret"))


def read(conn):
    f = fernet(KEY) if KEY else None
    plain, failed, raw = {}, [], {}

    def tok(label, v):
        raw[label] = v
        try:
            plain[label] = f.decrypt(v.encode()).decode()
        except (InvalidToken, Exception):
            failed.append(label)

    for i, v in conn.execute(text('SELECT id, store_api_key FROM "user" WHERE store_api_key IS NOT NULL')):
        tok(f"user.{i}", v)
    for i, v, ty in conn.execute(text("SELECT id, value, type FROM variable")):
        if ty == "Credential" and v:
            tok(f"variable.{i}", v)
        else:
            raw[f"variable.{i}"] = v
    for i, v in conn.execute(text("SELECT id, auth_settings FROM folder WHERE auth_settings IS NOT NULL")):
        d = v if isinstance(v, dict) else json.loads(v)
        for k in ("oauth_client_secret", "api_key"):
            tok(f"folder.{i}.{k}", d[k])
        raw[f"folder.{i}.oauth_host"] = d["oauth_host"]
    for table, pk, col in (("apikey", "id", "api_key"), ("deployment_provider_account", "id", "api_key"),
                           ("connection_secret", "connection_id", "encrypted_payload"), ('"trigger"', "id", "signing_secret_encrypted")):
        for i, v in conn.execute(text(f"SELECT {pk}, {col} FROM {table}")):
            tok(f"{table.strip(chr(34))}.{i}", v)
    for i, v in conn.execute(text("SELECT id, config FROM mcp_server")):
        d = v if isinstance(v, dict) else json.loads(v)
        tok(f"mcp_server.{i}.args", d["args"][3])
        tok(f"mcp_server.{i}.env", d["env"]["API_KEY"])
        tok(f"mcp_server.{i}.headers", d["headers"]["X-Token"])
        raw[f"mcp_server.{i}.plain"] = d["env"]["PLAIN"]
        raw[f"mcp_server.{i}.argsrest"] = [a for n, a in enumerate(d["args"]) if n != 3]
    for i, v in conn.execute(text("SELECT id, client_secret_encrypted FROM sso_config")):
        raw[f"sso_config.{i}"] = v
        try:
            plain[f"sso_config.{i}"] = open_envelope(KEY, v)
        except (InvalidTag, Exception):
            failed.append(f"sso_config.{i}")
    return {"plain": plain, "failed": sorted(failed), "raw": {k: str(v) for k, v in raw.items()}}


engine = create_engine(URL)
mode = sys.argv[1]
with engine.begin() as conn:
    if mode == "seed":
        seed(conn)
    elif mode == "seed-bad":
        other = fernet(os.environ["FIXTURE_OTHER_KEY"])
        conn.execute(text("INSERT INTO variable VALUES (:i, 'FOREIGN', :v, 'Credential')"),
                     {"i": rid(99), "v": other.encrypt(b"written-with-another-key").decode()})
    else:
        print(json.dumps(read(conn)))
