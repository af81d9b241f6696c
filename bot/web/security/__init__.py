"""HTTP hardening shared by every route: body limits, security headers, log redaction."""
