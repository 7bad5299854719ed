-- What the dispatcher keeps about a job beyond its state: the TaskQueue's handle for the job's
-- task (so a cancel can remove it; Corndogs makes its own ids), and when the current run was
-- handed to an executor and by which dispatcher.

ALTER TABLE jobs ADD COLUMN queue_ref text;
ALTER TABLE jobs ADD COLUMN dispatched_by text;
