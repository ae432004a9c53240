-- 0028: the audit log read by object (issue 17): a rule's page says who
-- made it and who last changed it, from the log's first and last entries
-- for that rule; without this index each page would scan the whole log.
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);
