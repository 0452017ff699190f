"""Review: comments on passages, proposed wording and the rapporteur's decisions."""
