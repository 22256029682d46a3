"""12345 热线: the hotline's work orders imported as cases (an uploaded export or a push with a key), and the
results sent back (an export in the hotline's layout, and a signed callback on each status change).

The data is in ``cases.models.hotline``, the rules in ``cases.services.hotline``, the reads in
``cases.selectors.hotline``; this package holds the file reading, the upload page, the push API and the admin.
The results export lives in ``outcomes`` (it reads the callbacks, 回访, which the cases app knows nothing of).
"""
