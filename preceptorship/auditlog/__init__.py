"""The audit log's pages: administrators read every entry, programme leads their organisation's
entries (``access``); filtered, paged, newest first, and downloadable as CSV or Excel."""
