"""Pass-rate statistics for HR agencies: counts from the database, statistics from `reports.pass_rates`."""
