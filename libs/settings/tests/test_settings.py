from pathlib import Path

import pytest
from pydantic import Field, SecretStr, ValidationError

from tickethub.settings import OptionalSetting, ProcessSettings, SecretFileError, secret_text


class Example(ProcessSettings):
    port: OptionalSetting[int] = Field(default=None, ge=1, validation_alias="EXAMPLE_PORT")
    token: OptionalSetting[SecretStr] = Field(default=None, validation_alias="EXAMPLE_TOKEN")


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_optional_setting_is_unset(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv("EXAMPLE_PORT", blank)
    monkeypatch.setenv("EXAMPLE_TOKEN", blank)
    example = Example()
    assert (example.port, example.token) == (None, None)


def test_a_set_optional_setting_is_still_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_PORT", "8080")
    assert Example().port == 8080
    monkeypatch.setenv("EXAMPLE_PORT", "0")
    with pytest.raises(ValidationError, match="EXAMPLE_PORT"):
        Example()


def test_a_secret_comes_from_its_variable_before_its_file(tmp_path: Path) -> None:
    file = tmp_path / "secret"
    file.write_text("from the file\n")
    assert secret_text(SecretStr("from the variable"), file) == "from the variable"
    assert secret_text(None, file) == "from the file\n"
    assert secret_text(None, None) is None


def test_an_unreadable_secret_file_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(SecretFileError, match=f"cannot read {missing}: No such file"):
        secret_text(None, missing)


def test_the_zipkin_exporter_needs_its_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    with pytest.raises(ValidationError, match="OTEL_EXPORTER_ZIPKIN_ENDPOINT"):
        ProcessSettings()
    monkeypatch.setenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://127.0.0.1:9411/api/v2/spans")
    assert ProcessSettings().zipkin_endpoint == "http://127.0.0.1:9411/api/v2/spans"


def test_an_unknown_traces_exporter_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")
    with pytest.raises(ValidationError, match="OTEL_TRACES_EXPORTER"):
        ProcessSettings()
