"""Settings: bad values stop start-up with a message naming the variable."""

import pytest

import config
from casemgr import create_app

#: Variables these tests set; cleared first so that the caller's environment cannot leak in.
TOUCHED = (
    "CASEMGR_ENV",
    "CASEMGR_PROFILE",
    "CASEMGR_TIMEZONE",
    "SECRET_KEY",
    "CASEMGR_PASSWORD_HASH",
    "CASEMGR_MAX_PHOTO_BYTES",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in TOUCHED:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_jakarta_in_development():
    settings = config.load()

    assert settings["CASEMGR_ENV"] == "development"
    assert settings["CITY"].key == "jakarta"
    assert settings["CASEMGR_TIMEZONE"] == "Asia/Jakarta"
    assert settings["TESTING"] is False


def test_boston_profile_gives_new_york_time(clean_environment):
    clean_environment.setenv("CASEMGR_PROFILE", "boston")

    settings = config.load()

    assert settings["CITY"].name == "Boston"
    assert settings["CASEMGR_TIMEZONE"] == "America/New_York"


def test_timezone_setting_wins_over_the_profile(clean_environment):
    clean_environment.setenv("CASEMGR_PROFILE", "boston")
    clean_environment.setenv("CASEMGR_TIMEZONE", "Europe/Berlin")

    assert config.load()["CASEMGR_TIMEZONE"] == "Europe/Berlin"


@pytest.mark.parametrize(
    "variable, value, named",
    [
        ("CASEMGR_PROFILE", "atlantis", "CASEMGR_PROFILE"),
        ("CASEMGR_TIMEZONE", "Mars/Olympus_Mons", "CASEMGR_TIMEZONE"),
        ("CASEMGR_TIMEZONE", "../../etc/passwd", "CASEMGR_TIMEZONE"),
        ("CASEMGR_ENV", "staging", "CASEMGR_ENV"),
        ("CASEMGR_MAX_PHOTO_BYTES", "ten megabytes", "CASEMGR_MAX_PHOTO_BYTES"),
    ],
)
def test_bad_setting_stops_start_up(clean_environment, variable, value, named):
    clean_environment.setenv(variable, value)

    with pytest.raises(config.ConfigError, match=named):
        config.load()
    with pytest.raises(config.ConfigError, match=named):
        create_app()


def test_unknown_profile_lists_the_known_ones(clean_environment):
    clean_environment.setenv("CASEMGR_PROFILE", "atlantis")

    with pytest.raises(config.ConfigError) as refused:
        config.load()

    assert "boston" in str(refused.value) and "jakarta" in str(refused.value)


@pytest.mark.parametrize("secret", [None, "", config.SETTINGS["SECRET_KEY"][2]])
def test_production_needs_a_real_secret_key(clean_environment, secret):
    clean_environment.setenv("CASEMGR_ENV", "production")
    if secret is not None:
        clean_environment.setenv("SECRET_KEY", secret)

    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load()


def test_production_keeps_scrypt(clean_environment):
    clean_environment.setenv("CASEMGR_ENV", "production")
    clean_environment.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    clean_environment.setenv("CASEMGR_PASSWORD_HASH", "pbkdf2:sha256:1000")

    with pytest.raises(config.ConfigError, match="scrypt"):
        config.load()


def test_production_starts_with_a_real_secret(clean_environment):
    clean_environment.setenv("CASEMGR_ENV", "production")
    clean_environment.setenv("SECRET_KEY", "a-real-secret-from-the-vault")

    settings = config.load()

    assert settings["CASEMGR_ENV"] == "production"
    assert settings["TESTING"] is False


def test_overrides_are_checked_too():
    with pytest.raises(config.ConfigError, match="CASEMGR_PROFILE"):
        config.load({"CASEMGR_PROFILE": "atlantis"})


def test_seed_demo_refuses_production(app, clean_environment):
    clean_environment.setenv("CASEMGR_ENV", "production")
    clean_environment.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    # The same database as the test app: create_app binds the shared session to it.
    production = create_app({"DATABASE_URL": app.config["DATABASE_URL"]})

    # The CLI runs in the app context already pushed, so push the production one.
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["casemgr", "seed-demo"])

    assert result.exit_code != 0
    assert "seed-demo refuses to run with CASEMGR_ENV=production" in result.output
    assert "Demo logins" not in result.output
