"""Words of each report language and the number, date and money formatters."""
