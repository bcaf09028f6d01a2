"""Voice of the customer: survey scores, theme coding, sentiment (lexicon and fitted), emotion, quotes."""
