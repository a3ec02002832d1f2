"""会商研判: periods, KPIs, digests and early warnings, computed in the database."""
