-- Contact points: where notifications go. settings holds what may be
-- shown; the secrets (a webhook's HMAC key and secret header values, a
-- Slack incoming-webhook URL, a Telegram bot token) are one JSON text
-- sealed with GOLDWATCH_SECRET_KEY (libsodium secretbox, nonce first) in
-- sealed, and secret_names lists which are set, so nothing needs opening
-- to show a contact point.
CREATE TABLE contact_points (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
    kind         text NOT NULL CHECK (kind IN ('email', 'webhook', 'slack', 'telegram')),
    settings     jsonb NOT NULL DEFAULT '{}',
    sealed       bytea,
    secret_names jsonb NOT NULL DEFAULT '[]',
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
