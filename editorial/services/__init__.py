"""Services: the only code that changes data. Each call flushes; its caller commits once."""
