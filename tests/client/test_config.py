"""Credentials and the .env chain: precedence, sources, and every configuration error."""

from __future__ import annotations

import logging
import os

import pytest

from paxos_nb.config import ENVIRONMENTS, VARIABLES, Credentials, read_env_file
from paxos_nb.errors import ConfigError

SECRET = "s3cr3t-Value-9f3c7a"
CLIENT = "client-1234abcd"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No PAXOS_* from the developer's shell, and a cwd without a .env."""
    for var in VARIABLES.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path, text, *, newline="\n", bom=False):
    data = text.replace("\n", newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def env_text(**extra):
    lines = {"PAXOS_CLIENT_ID": CLIENT, "PAXOS_CLIENT_SECRET": SECRET, **extra}
    return "".join(f"{k}={v}\n" for k, v in lines.items() if v is not None)


def test_defaults_are_sandbox():
    creds = Credentials(CLIENT, SECRET)
    assert creds.environment == "sandbox"
    assert creds.api_url == "https://api.sandbox.paxos.com/v2"
    assert creds.token_url == "https://oauth.sandbox.paxos.com/oauth2/token"


def test_production_urls():
    creds = Credentials(CLIENT, SECRET, "production")
    assert (creds.api_url, creds.token_url) == (
        ENVIRONMENTS["production"].api_url,
        ENVIRONMENTS["production"].token_url,
    )


def test_environment_inferred_from_urls():
    creds = Credentials(CLIENT, SECRET, api_url="http://127.0.0.1:5555/v2")
    assert creds.environment == "local"
    assert creds.token_url == "http://127.0.0.1:5555/oauth2/token"
    prod = Credentials(CLIENT, SECRET, api_url="https://api.paxos.com/v2")
    assert prod.environment == "production"


def test_repr_and_str_hide_the_secret_and_mask_the_id():
    creds = Credentials(CLIENT, SECRET)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET not in text
        assert CLIENT not in text
        assert "abcd" in text  # the masked id keeps its tail
    assert creds.client_secret == SECRET


def test_precedence_explicit_then_env_file_then_os_environ(monkeypatch, clean_env):
    write(clean_env / ".env", env_text(PAXOS_SCOPES="funding:read_profile"))
    monkeypatch.setenv("PAXOS_SCOPES", "exchange:read_order")
    monkeypatch.setenv("PAXOS_ENV", "sandbox")
    before = dict(os.environ)
    creds = Credentials.from_env(client_id="explicit-id-1")
    assert dict(os.environ) == before  # never mutated
    assert creds.client_id == "explicit-id-1"
    assert creds.client_secret == SECRET
    assert creds.scopes == ("funding:read_profile",)
    assert creds.sources["PAXOS_CLIENT_ID"] == "argument"
    assert creds.sources["PAXOS_CLIENT_SECRET"].startswith(".env (")
    assert str(clean_env / ".env") in creds.sources["PAXOS_CLIENT_SECRET"]
    assert "also sets it (ignored)" in creds.sources["PAXOS_SCOPES"]
    assert creds.sources["PAXOS_ENV"] == "os.environ"
    assert SECRET not in repr(creds.sources)


def test_stale_shell_secret_is_reported(monkeypatch, clean_env):
    write(clean_env / ".env", f"PAXOS_CLIENT_ID={CLIENT}\n")
    monkeypatch.setenv("PAXOS_CLIENT_SECRET", "stale-shell-secret-1")
    creds = Credentials.from_env()
    assert creds.sources["PAXOS_CLIENT_SECRET"] == "os.environ"
    assert any("stale" in note for note in creds.notes)


def test_os_environ_alone_works(monkeypatch):
    monkeypatch.setenv("PAXOS_CLIENT_ID", CLIENT)
    monkeypatch.setenv("PAXOS_CLIENT_SECRET", SECRET)
    creds = Credentials.from_env()
    assert creds.sources == {"PAXOS_CLIENT_ID": "os.environ", "PAXOS_CLIENT_SECRET": "os.environ"}


def test_explicit_missing_env_file_is_an_error(clean_env):
    with pytest.raises(ConfigError, match="does not exist") as info:
        Credentials.from_env("missing.env")
    assert str(clean_env / "missing.env") in str(info.value)


def test_missing_variable_names_it_and_where_to_put_it():
    with pytest.raises(ConfigError, match="PAXOS_CLIENT_ID is not set") as info:
        Credentials.from_env()
    assert ".env" in str(info.value)


def test_missing_secret_is_named(clean_env):
    write(clean_env / ".env", f"PAXOS_CLIENT_ID={CLIENT}\n")
    with pytest.raises(ConfigError, match="PAXOS_CLIENT_SECRET is missing"):
        Credentials.from_env()


def test_empty_variable(clean_env):
    write(clean_env / ".env", env_text(PAXOS_CLIENT_SECRET=""))
    with pytest.raises(ConfigError, match="PAXOS_CLIENT_SECRET is empty"):
        Credentials.from_env()


def test_empty_variable_in_os_environ(monkeypatch):
    monkeypatch.setenv("PAXOS_CLIENT_ID", "")
    with pytest.raises(ConfigError, match=r"PAXOS_CLIENT_ID is set but empty in os\.environ"):
        Credentials.from_env()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (f'PAXOS_CLIENT_SECRET=" {SECRET}"', "whitespace"),
        (f"PAXOS_CLIENT_SECRET='{SECRET}\t'", "whitespace"),
        (f"PAXOS_CLIENT_SECRET='\"{SECRET}\"'", "quotes"),
        (f"PAXOS_CLIENT_SECRET=\"'{SECRET}'\"", "quotes"),
    ],
)
def test_padded_or_quoted_value_names_the_variable_not_the_value(clean_env, line, problem):
    write(clean_env / ".env", f"PAXOS_CLIENT_ID={CLIENT}\n{line}\n")
    with pytest.raises(ConfigError, match=problem) as info:
        Credentials.from_env()
    assert "PAXOS_CLIENT_SECRET" in str(info.value)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


def test_padded_explicit_argument():
    with pytest.raises(ConfigError, match="client_secret has leading or trailing whitespace"):
        Credentials(CLIENT, SECRET + "\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"PAXOS_CLIENT_ID={CLIENT}\nPAXOS_CLIENT_SECRET: {SECRET}\n", 2),
        (f'PAXOS_CLIENT_ID={CLIENT}\nPAXOS_CLIENT_SECRET="{SECRET}\nPAXOS_ENV=sandbox\n', 2),
        (f"# comment\n\nPAXOS_CLIENT_ID={CLIENT}\nPAXOS_CLIENT_SECRET={SECRET}\n=oops\n", 5),
    ],
    ids=["colon", "unclosed-quote", "no-key"],
)
def test_unparsable_line_gives_its_number_not_its_content(clean_env, caplog, text, line):
    write(clean_env / ".env", text)
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as info:
        Credentials.from_env()
    message = str(info.value)
    assert f"line {line}" in message
    assert SECRET not in message
    assert not [r for r in caplog.records if r.name.startswith("dotenv")]  # captured, not leaked


@pytest.mark.parametrize(
    ("newline", "bom"), [("\r\n", False), ("\n", True), ("\r\n", True)], ids=["crlf", "bom", "both"]
)
def test_bom_and_crlf_work(clean_env, newline, bom):
    write(clean_env / ".env", env_text(PAXOS_ENV="production"), newline=newline, bom=bom)
    creds = Credentials.from_env()
    assert (creds.client_id, creds.client_secret, creds.environment) == (
        CLIENT,
        SECRET,
        "production",
    )


def test_export_prefix_and_comments(clean_env):
    write(
        clean_env / ".env",
        f"# creds\nexport PAXOS_CLIENT_ID={CLIENT}  # id\nPAXOS_CLIENT_SECRET='{SECRET}'\n",
    )
    creds = Credentials.from_env()
    assert (creds.client_id, creds.client_secret) == (CLIENT, SECRET)


def test_dollar_in_secret_is_literal(clean_env):
    write(clean_env / ".env", env_text(PAXOS_CLIENT_SECRET="ab${HOME}cd$x"))
    assert Credentials.from_env().client_secret == "ab${HOME}cd$x"


def test_lower_case_variable_is_flagged(clean_env):
    write(clean_env / ".env", env_text() + "paxos_env=sandbox\n")
    with pytest.raises(ConfigError, match="PAXOS_ENV"):
        Credentials.from_env()


@pytest.mark.parametrize(("value", "closest"), [("prod", "production"), ("sandbx", "sandbox")])
def test_unknown_environment_suggests_the_closest(clean_env, value, closest):
    write(clean_env / ".env", env_text(PAXOS_ENV=value))
    with pytest.raises(ConfigError, match="unknown PAXOS_ENV") as info:
        Credentials.from_env()
    assert f"did you mean {closest!r}" in str(info.value)


@pytest.mark.parametrize(
    "url", ["http://api.sandbox.paxos.com/v2", "http://10.0.0.5:8080/v2", "http://example.com/v2"]
)
def test_plain_http_only_for_loopback(url):
    with pytest.raises(ConfigError, match="plain http:// to a host that is not loopback"):
        Credentials(CLIENT, SECRET, api_url=url, token_url="https://oauth.sandbox.paxos.com/x")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v2", "http://localhost:8000/v2", "http://[::1]:8000/v2"]
)
def test_loopback_http_is_fine(url):
    assert Credentials(CLIENT, SECRET, api_url=url).environment == "local"


def test_not_a_url():
    with pytest.raises(ConfigError, match="not an http"):
        Credentials(CLIENT, SECRET, api_url="api.sandbox.paxos.com/v2")


def test_token_and_api_from_different_environments():
    with pytest.raises(ConfigError, match="PAXOS_TOKEN_URL belongs to sandbox") as info:
        Credentials(
            CLIENT,
            SECRET,
            api_url="https://api.paxos.com/v2",
            token_url="https://oauth.sandbox.paxos.com/oauth2/token",
        )
    assert "production" in str(info.value)
    with pytest.raises(ConfigError, match="belongs to local"):
        Credentials(CLIENT, SECRET, "sandbox", token_url="http://127.0.0.1:9/oauth2/token")


def test_environment_disagreeing_with_a_url_override(clean_env):
    write(
        clean_env / ".env", env_text(PAXOS_ENV="sandbox", PAXOS_API_URL="https://api.paxos.com/v2")
    )
    with pytest.raises(ConfigError, match="PAXOS_API_URL belongs to production"):
        Credentials.from_env()


@pytest.mark.parametrize(
    "extra", [{"PAXOS_SIGNING_KEY_FILE": "key.pem"}, {"PAXOS_SIGNING_KID": "kid-1"}]
)
def test_signing_settings_both_or_neither(clean_env, extra):
    write(clean_env / ".env", env_text(**extra))
    with pytest.raises(ConfigError, match="request signing needs both"):
        Credentials.from_env()


def test_signing_settings_together(clean_env):
    write(clean_env / ".env", env_text(PAXOS_SIGNING_KEY_FILE="key.pem", PAXOS_SIGNING_KID="k1"))
    creds = Credentials.from_env()
    assert (creds.signing_key_file, creds.signing_kid) == ("key.pem", "k1")


def test_local_needs_no_client():
    creds = Credentials(environment="local")
    assert creds.client_id is None
    assert creds.api_url is None


def test_local_from_env_without_client(monkeypatch):
    monkeypatch.setenv("PAXOS_ENV", "local")
    assert Credentials.from_env().environment == "local"


def test_read_env_file_none_reads_nothing(clean_env):
    write(clean_env / ".env", env_text())
    assert read_env_file(None) == ({}, "")


def test_unknown_from_env_argument():
    with pytest.raises(TypeError, match="client_secrett"):
        Credentials.from_env(client_secrett="x")


def test_config_error_is_a_value_error():
    with pytest.raises(ValueError, match="PAXOS_CLIENT_ID"):
        Credentials.from_env()


# -- near-miss variables and comma-separated scopes (issue 15 item 5) -----------------------------


def test_a_misspelt_variable_in_the_env_file_is_named(tmp_path):
    path = tmp_path / ".env"
    path.write_text("PAXOS_CLIENT_ID=abc\nPAXOS_CLIENT_SECRT=s3cr3t-value-1\n")
    with pytest.raises(ConfigError, match=r"PAXOS_CLIENT_SECRT .*did you mean PAXOS_CLIENT_SECRET"):
        Credentials.from_env(path)
    path.write_text("PAXOS_ENV=local\nPAXOS_SCOPE=funding:read_profile\n")
    with pytest.raises(ConfigError, match="did you mean PAXOS_SCOPES") as info:
        Credentials.from_env(path)
    assert "rename it PAXOS_SCOPES" in info.value.hint


def test_an_unknown_variable_next_to_the_real_one_is_a_warning(tmp_path):
    from paxos_nb import PaxosWarning

    path = tmp_path / ".env"
    path.write_text("PAXOS_ENV=local\nPAXOS_SCOPES=funding:read_profile\nPAXOS_SCOPE=x\n")
    with pytest.warns(PaxosWarning, match=r"PAXOS_SCOPE .*is ignored; did you mean PAXOS_SCOPES"):
        creds = Credentials.from_env(path)
    assert creds.scopes == ("funding:read_profile",)


def test_scopes_separated_by_commas_are_read(tmp_path):
    from paxos_nb import scopes

    path = tmp_path / ".env"
    path.write_text("PAXOS_ENV=local\nPAXOS_SCOPES=funding:read_profile, transfer:read_transfer\n")
    creds = Credentials.from_env(path)
    assert creds.scopes == ("funding:read_profile", "transfer:read_transfer")
    assert scopes.validate(["funding:read_profile,transfer:read_transfer"]) == creds.scopes
