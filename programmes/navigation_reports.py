"""Navigation links and home-page panels."""
