"""HTML views: documents and evaluations (`render`), training reports and run comparisons (`report`)."""
