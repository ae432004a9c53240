-- When a credential was last used: the admin's list of API tokens and a
-- user's sessions show it. auth_lookup (core/auth.c) writes it at most
-- once a minute per credential, not on every request. Neither column is
-- in the UPDATE OF lists of 0006's triggers, so writing it never wakes
-- the pusher's credential re-check.
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
