"""Notification's settings, read from the environment at start."""

from pydantic import Field, SecretStr

from tickethub.settings import DatabaseSettings, KafkaSettings, service_name_field


class Settings(DatabaseSettings, KafkaSettings):
    service_name: str = service_name_field("notification")
    smtp_host: str = Field(validation_alias="SMTP_HOST", description="SMTP server that relays the e-mails")
    smtp_port: int = Field(default=25, ge=1, le=65_535, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(
        default=None, validation_alias="SMTP_USERNAME", description="login, when the server wants one"
    )
    smtp_password: SecretStr | None = Field(default=None, validation_alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(
        default=False, validation_alias="SMTP_STARTTLS", description="upgrade the connection with STARTTLS"
    )
    smtp_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        validation_alias="SMTP_TIMEOUT_SECONDS",
        description="per SMTP operation; a send holds a database transaction open, so keep it short",
    )
    mail_from: str = Field(
        default="TicketHub <no-reply@tickethub.local>",
        min_length=3,
        validation_alias="MAIL_FROM",
        description="From header of every e-mail; its domain also names the Message-IDs",
    )
