"""The public site and the HTTP plumbing every site shares."""
