"""Background jobs that make a file: an export of a list page, a batch of printed cards, many case sheets.

A web request queues the job (a row, and a Celery task sent after commit); the task writes the file with
progress; the person who asked follows it on a page that polls its progress (``static/js/job-progress.js``) and
downloads the file, which stays private (``lucun.files``). Every kind of job extends one abstract model
(``models.BackgroundJob``), is run by one helper (``services.job_file_write``) and shows its progress in one
shape (``views.job_progress``). A beat job deletes the files of old jobs (``services.job_files_expire``); the
download of an expired job answers 410 and says to make the file again.
"""
