"""What the portal does. Services take a Session and never touch request, session or flash."""
