"""What pykis knows of the exchanges themselves, apart from the broker's API: ``markets`` (market codes, currencies,
tick sizes and lots), ``sessions`` (trading hours and calendars) and ``masters`` (the listings, from the master
files)."""
