-- A mail's Message-ID is fixed when the row is queued (core/mail.c's
-- INSERT draws it with the row's id), no longer at its first delivery
-- attempt: a mailer killed after the SMTP server accepted a message and
-- before its outcome committed sends the row again with the same
-- Message-ID, so the duplicate is recognisable (docs/MAIL.md).

-- Rows queued before this migration and never tried: the domain the
-- installation last used (there is no FROM_EMAIL in SQL), else localhost.
UPDATE mail_outbox m
   SET message_id = format('<gw.%s.%s@%s>', m.id, left(md5(gen_random_uuid()::text), 16),
                           coalesce((SELECT substring(x.message_id FROM '@([^@>]+)>$')
                                       FROM mail_outbox x
                                      WHERE x.message_id IS NOT NULL
                                      ORDER BY x.id DESC LIMIT 1), 'localhost'))
 WHERE m.message_id IS NULL;

-- Rows written by other means (by hand, tests) still get a unique one.
ALTER TABLE mail_outbox
    ALTER COLUMN message_id SET DEFAULT format('<gw.%s@localhost>', md5(gen_random_uuid()::text)),
    ALTER COLUMN message_id SET NOT NULL;
