"""The navigation links and home panels of the programmes pages, registered when the app loads:
``lead`` (the programme lead's) and ``practice`` (the mentor's, line manager's and preceptee's)."""
