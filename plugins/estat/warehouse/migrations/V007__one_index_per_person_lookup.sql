-- L_EM2TR is keyed on (kind, emcode, trcode): its primary key finds a person's rows by its
-- first two columns, so the index on (kind, emcode) only doubled the index work of every
-- row loaded. The other child tables are keyed on (kind, code) and keep theirs.
DROP INDEX burkit.l_em2tr_by_person;
