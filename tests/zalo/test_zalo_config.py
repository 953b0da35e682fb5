"""ZALO_* settings in bot/config.py."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_ZALO_API, DEFAULT_ZALO_OAUTH, ConfigError, Settings

BASE = {"ZALO_APP_ID": "1234567890123456789", "ZALO_APP_SECRET": "AppSecretKey_0123456789",
        "ZALO_OA_SECRET": "OaSecretKey_9876543210"}
REFRESH = "r" * 40


def test_no_zalo_without_an_app_id() -> None:
    assert Settings.from_env({}).zalo is None


def test_the_example_file_as_it_is_configures_no_oa() -> None:
    from pathlib import Path

    from dotenv import dotenv_values

    example = dotenv_values(Path(__file__).resolve().parents[2] / ".env.example")
    settings = Settings.from_env({k: v or "" for k, v in example.items()})
    assert settings.zalo is None


def test_a_configured_oa() -> None:
    zalo = Settings.from_env({**BASE, "ZALO_REFRESH_TOKEN": REFRESH}).zalo
    assert zalo is not None and zalo.app_id == BASE["ZALO_APP_ID"]
    assert zalo.refresh_token == REFRESH and zalo.access_token is None
    assert (zalo.api_base_url, zalo.oauth_base_url) == (DEFAULT_ZALO_API, DEFAULT_ZALO_OAUTH)
    custom = Settings.from_env({**BASE, "ZALO_API_BASE_URL": "http://127.0.0.1:8090/",
                                "ZALO_OAUTH_BASE_URL": "http://127.0.0.1:8091"}).zalo
    assert custom is not None and custom.api_base_url == "http://127.0.0.1:8090"
    assert custom.oauth_base_url == "http://127.0.0.1:8091"


def test_secrets_never_in_a_repr() -> None:
    settings = Settings.from_env({**BASE, "ZALO_REFRESH_TOKEN": REFRESH,
                                  "ZALO_ACCESS_TOKEN": "a" * 40})
    for text in (repr(settings), repr(settings.zalo), str(settings.zalo)):
        for secret in (REFRESH, "a" * 40, BASE["ZALO_APP_SECRET"], BASE["ZALO_OA_SECRET"]):
            assert secret not in text


@pytest.mark.parametrize(("env", "named"), [
    ({"ZALO_OA_SECRET": "OaSecretKey_9876543210"}, "ZALO_APP_ID"),
    ({**BASE, "ZALO_APP_ID": "abc"}, "ZALO_APP_ID"),
    ({k: v for k, v in BASE.items() if k != "ZALO_APP_SECRET"}, "ZALO_APP_SECRET"),
    ({k: v for k, v in BASE.items() if k != "ZALO_OA_SECRET"}, "ZALO_OA_SECRET"),
    ({**BASE, "ZALO_OA_SECRET": "có dấu"}, "ZALO_OA_SECRET"),
    ({**BASE, "ZALO_REFRESH_TOKEN": "short"}, "ZALO_REFRESH_TOKEN"),
    ({**BASE, "ZALO_ACCESS_TOKEN": "x" * 20 + " y"}, "ZALO_ACCESS_TOKEN"),
    ({**BASE, "ZALO_API_BASE_URL": "openapi.zalo.me"}, "ZALO_API_BASE_URL"),
    ({**BASE, "ZALO_SECRET": "x"}, "ZALO_SECRET"),
])
def test_mistakes_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert str(error.value).startswith(named)


def test_a_misspelt_zalo_name_gets_a_hint() -> None:
    with pytest.raises(ConfigError, match="ZALO_OA_SECRET"):
        Settings.from_env({**BASE, "ZALO_OA_SECRETS": "x"})


def test_every_zalo_variable_is_known_and_listed_in_env_example() -> None:
    import re
    from pathlib import Path

    from bot.config import ZALO_VARIABLES

    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    read = set(re.findall(r'"(ZALO_[A-Z_]+)"', (root / "bot" / "config.py").read_text("utf-8")))
    assert read <= set(ZALO_VARIABLES) <= listed
