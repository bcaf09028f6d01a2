"""What a page shows: charts that never compute, table presentation, the spec editors, classroom exercises."""
